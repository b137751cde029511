/* libjvm files: the .note.stapsdt check, the HotSpot USDT programs attached once per distinct
 * file (device, inode) for every process that maps it, reference counts, and detaching a file
 * no JVM has used for a grace period. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/libbpf.h>
#include "config.h"
#include "jvm.h"
#include "jvm.skel.h"
#include "log.h"
#include "procfs.h"

static const struct {
	const char *provider, *name;
} probes[NPROBES] = {
	{ "hotspot", "gc__begin" },	  { "hotspot", "gc__end" },
	{ "hotspot", "mem__pool__gc__begin" }, { "hotspot", "mem__pool__gc__end" },
	{ "hs_private", "safepoint__begin" },
	{ "hs_private", "safepoint__end" }, { "hotspot", "thread__start" },
	{ "hotspot", "thread__stop" },
};

/* Closers before openers: a pause or safepoint whose begin fired between the attach of its
 * begin probe and of its end probe left that thread's nesting depth at 1 for good, and none of
 * the JVM's later pauses were counted. An end seen without its begin is ignored. */
static const int attach_order[NPROBES] = { 1, 3, 5, 0, 2, 4, 6, 7 };

static struct libjvm *libs;

static struct bpf_program *probe_prog(int i)
{
	struct jvm_bpf *skel = jvm_skel();
	struct bpf_program *p[NPROBES] = {
		skel->progs.gc_begin,	     skel->progs.gc_end,	 skel->progs.mem_pool_gc_begin,
		skel->progs.mem_pool_gc_end, skel->progs.safepoint_begin, skel->progs.safepoint_end, skel->progs.thread_start,
		skel->progs.thread_stop,
	};

	return p[i];
}

/* A libjvm without .note.stapsdt (many builds) still runs JVMs: they are listed, usdt="false". */
static bool has_usdt_notes(const char *path)
{
	bool found = false;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;
	Elf *e;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && elf_getshdrstrndx(e, &shstrndx) == 0) {
		while (!found && (scn = elf_nextscn(e, scn))) {
			const char *name;

			if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
				continue;
			name = elf_strptr(e, shstrndx, sh.sh_name);
			found = name && !strcmp(name, ".note.stapsdt") && sh.sh_size > 0;
		}
	}
	elf_end(e);
	close(fd);
	return found;
}

static void lib_detach(struct libjvm *l)
{
	int i;

	for (i = 0; i < NPROBES; i++) {
		bpf_link__destroy(l->links[i]);
		l->links[i] = NULL;
	}
}

/* Now, in the unit of /proc/PID/stat's starttime (clock ticks since boot). */
static unsigned long long boot_ticks(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * sysconf(_SC_CLK_TCK) + ts.tv_nsec / (1000000000 / sysconf(_SC_CLK_TCK));
}

/* Finds or attaches the libjvm a process maps. The path is opened through the process's own
 * root so a container's libjvm is found in its mount namespace; when the file was replaced on
 * disk, /proc/PID/map_files still reaches the mapped one. */
struct libjvm *lib_get(pid_t pid, const struct maps_lib *m)
{
	char path[PATH_MAX + 64];
	struct libjvm *l;
	struct stat st;
	int i, k, err = 0;

	snprintf(path, sizeof(path), "%s/%d/root%s", cfg.procfs, pid, m->path);
	if (stat(path, &st) || st.st_ino != m->inode) {
		snprintf(path, sizeof(path), "%s/%d/map_files/%llx-%llx", cfg.procfs, pid,
			 (unsigned long long)m->start, (unsigned long long)m->end);
		if (stat(path, &st))
			return NULL;
	}
	for (l = libs; l; l = l->next)
		if (l->dev == st.st_dev && l->ino == st.st_ino) {
			l->refs++;
			return l;
		}
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	l->refs = 1;
	l->usdt = has_usdt_notes(path);
	l->attached_ticks = boot_ticks();
	if (l->usdt) {
		for (k = 0; k < NPROBES && !err; k++) {
			i = attach_order[k];
			l->links[i] = bpf_program__attach_usdt(probe_prog(i), -1, path,
							       probes[i].provider, probes[i].name,
							       NULL);
			if (!l->links[i])
				err = -errno;
		}
		if (err) {
			log_warn("jvm: cannot attach HotSpot probes in %s (pid %d): %s", m->path, pid,
				 strerror(-err));
			lib_detach(l);
			l->usdt = false;
			jvm_errors[JVM_ERR_ATTACH]++;
		} else {
			log_info("jvm: HotSpot probes attached to %s (dev %u:%u inode %llu)", m->path,
				 major(st.st_dev), minor(st.st_dev), (unsigned long long)st.st_ino);
		}
	} else {
		log_info("jvm: %s (pid %d) has no USDT probes: GC and thread events not seen",
			 m->path, pid);
	}
	l->next = libs;
	libs = l;
	return l;
}

/* A libjvm no JVM uses keeps its probes for the grace period: detaching and attaching again
 * take long enough (uprobe unregistration waits for the kernel's grace periods) for a JVM that
 * starts right after, a restart or a reused pid, to have its first collections missed. */
void lib_put(struct libjvm *l)
{
	if (l && --l->refs <= 0) {
		l->refs = 0;
		l->idle_since = time(NULL);
	}
}

/* Detaches the libjvm files unused for longer than the grace period. */
void lib_reap(time_t now)
{
	struct libjvm **pp = &libs, *l;

	while ((l = *pp)) {
		if (l->refs || now - l->idle_since <= (time_t)cfg.grace_period_s) {
			pp = &l->next;
			continue;
		}
		if (l->usdt)
			log_info("jvm: last JVM using libjvm inode %llu exited: probes detached",
				 (unsigned long long)l->ino);
		lib_detach(l);
		*pp = l->next;
		free(l);
	}
}

int jvm_libs_attached(void)
{
	struct libjvm *l;
	int n = 0;

	for (l = libs; l; l = l->next)
		n += l->usdt;
	return n;
}

void lib_close_all(void)
{
	struct libjvm *l, *ln;

	for (l = libs; l; l = ln) {
		ln = l->next;
		lib_detach(l);
		free(l);
	}
	libs = NULL;
}
