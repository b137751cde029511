/* Container names from the runtimes' own state files (runtime.h): where containerd, CRI-O,
 * Docker and Podman keep them under --path.rootfs, read without following the host's symlinks
 * out of it, and parsed by ocispec.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>
#include "config.h"
#include "log.h"
#include "ocispec.h"
#include "runtime.h"

#define MAX_STATE_FILE (8u << 20)

/* Reads a runtime state file as if --path.rootfs were "/": symlinks inside the host's state
 * dirs are host paths. RESOLVE_IN_ROOT needs openat2 (Linux 5.6); older kernels use open(). */
static int read_under_rootfs(const char *rel, char **buf, size_t *len)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	struct stat st;
	int rfd, fd;
	ssize_t n;

	rfd = open(cfg.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return -errno;
	fd = syscall(SYS_openat2, rfd, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(rfd, rel, O_RDONLY | O_CLOEXEC);
	close(rfd);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_STATE_FILE) {
		close(fd);
		return -EINVAL;
	}
	*buf = malloc(st.st_size + 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, *buf, st.st_size);
	close(fd);
	if (n < 0) {
		free(*buf);
		return -EIO;
	}
	*len = n;
	return 0;
}

struct state_dir {
	enum cg_runtime runtime;
	const char *fmt; /* relative to rootfs, %s = container id (or none) */
	int (*parse)(const char *buf, size_t len, const char *id, struct container_meta *out);
};

static int oci(const char *buf, size_t len, const char *id, struct container_meta *out)
{
	(void)id;
	return ocispec_parse(buf, len, out);
}

static int docker(const char *buf, size_t len, const char *id, struct container_meta *out)
{
	(void)id;
	return dockerspec_parse(buf, len, out);
}

static const struct state_dir state_dirs[] = {
	{ CG_RT_CONTAINERD, "run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/config.json", oci },
	{ CG_RT_CONTAINERD, "run/containerd/io.containerd.runtime.v1.linux/k8s.io/%s/config.json",
	  oci },
	{ CG_RT_CRIO, "run/containers/storage/overlay-containers/%s/userdata/config.json", oci },
	{ CG_RT_CRIO, "var/lib/containers/storage/overlay-containers/%s/userdata/config.json", oci },
	{ CG_RT_DOCKER, "var/lib/docker/containers/%s/config.v2.json", docker },
	/* Podman's OCI config.json (the CRI-O path above) has no name: containers/storage does */
	{ CG_RT_PODMAN, "var/lib/containers/storage/overlay-containers/containers.json",
	  storage_containers_parse },
};

/* The runtime named by the path is tried first; cgroupfs-driver paths do not name it, so the
 * others follow. */
int runtime_read_meta(const struct cgpath_info *info, struct container_meta *meta,
		      enum meta_error *why)
{
	enum meta_error err = META_MISSING;
	int pass, r;
	char rel[PATH_MAX], *buf = NULL;
	size_t i, len = 0;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < sizeof(state_dirs) / sizeof(state_dirs[0]); i++) {
			const struct state_dir *sd = &state_dirs[i];

			if ((sd->runtime == info->runtime) != (pass == 0))
				continue;
			/* the podman entry's format has no %s: it is one file for all */
			if (strstr(sd->fmt, "%s"))
				snprintf(rel, sizeof(rel), sd->fmt, info->container_id);
			else
				snprintf(rel, sizeof(rel), "%s", sd->fmt);
			r = read_under_rootfs(rel, &buf, &len);
			if (r == -ENOENT || r == -ENOTDIR)
				continue;
			if (r) {
				err = META_UNREADABLE;
				continue;
			}
			r = sd->parse(buf, len, info->container_id, meta);
			free(buf);
			if (r == 0)
				return 0;
			if (r == -ENOENT)
				continue; /* a shared file without this container */
			log_debug("container %s: malformed %s", info->container_id, rel);
			err = META_MALFORMED;
		}
	}
	*why = err;
	return -1;
}
