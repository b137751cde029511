/* What a JVM's hsperfdata says, read on scrape (heap.h): heap and non-heap, pools, GC totals,
 * safepoint totals, classes, threads peak. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "families.h"
#include "config.h"
#include "heap.h"
#include "hotspot.h"
#include "hsperf.h"
#include "identity.h"
#include "procfs.h"
#include "readfile.h"

#define HSPERF_MAX_FILE (4u << 20)

static uint64_t errors[HSPERF__N + 1]; /* [HSPERF__N]: unreadable */

/* One hsperfdata file per JVM, kept open once found, with its directory: a scrape checks with one
 * fstatat() of its name in that directory that it is still the same file (not replaced, the pid
 * not reused), re-reads it with one pread() into the buffer kept with it, and takes only the counters at the offsets the first
 * full read learned (hsperf_reread_jvm()), instead of listing the JVM's /tmp, opening the file
 * again and parsing every entry by name. Any change of the file's prologue means a full read. */
struct hs_file {
	pid_t pid;
	int nspid, fd, dirfd;
	dev_t dev;
	ino_t ino;
	char name[16]; /* the nspid, the file's name in dirfd */
	unsigned char *buf;
	size_t cap;
	struct hsperf_layout lay;
	struct hsperf_jvm last; /* the result the layout belongs to, updated by each re-read */
	struct hs_file *next;
};
#define HS_BUCKETS 256
static struct hs_file *hs_files[HS_BUCKETS];
static pthread_mutex_t hs_lock = PTHREAD_MUTEX_INITIALIZER;

static struct hs_file **hs_slot(pid_t pid)
{
	return &hs_files[(unsigned)pid % HS_BUCKETS];
}

static void hs_drop(pid_t pid)
{
	struct hs_file **pp, *f;

	for (pp = hs_slot(pid); (f = *pp); pp = &f->next)
		if (f->pid == pid) {
			*pp = f->next;
			close(f->fd);
			close(f->dirfd);
			free(f->buf);
			free(f);
			return;
		}
}

void jvm_hsperf_forget(pid_t pid)
{
	pthread_mutex_lock(&hs_lock);
	hs_drop(pid);
	pthread_mutex_unlock(&hs_lock);
}

static int parse_file(const void *buf, size_t len, struct hsperf_jvm *out,
		      struct hsperf_layout *lay)
{
	enum hsperf_err e = hotspot_read(buf, len, out, lay);

	if (e == HSPERF_NOT_READY)
		return -EAGAIN;
	if (e != HSPERF_OK) {
		errors[e]++;
		return -EBADMSG;
	}
	return 0;
}

/* The cached file of pid if it is still the one at its path; -ENOENT otherwise. */
static int read_cached(pid_t pid, struct hsperf_jvm *out)
{
	struct hs_file *f;
	struct stat st;
	size_t want;
	ssize_t n;
	int err;

	for (f = *hs_slot(pid); f && f->pid != pid; f = f->next)
		;
	if (!f)
		return -ENOENT;
	/* with a layout, only the entries it covers (a third of the file for a JDK 17) */
	want = f->lay.n > 0 && f->lay.end > 0 && (size_t)f->lay.end < f->cap ? (size_t)f->lay.end :
									     f->cap;
	if (fstatat(f->dirfd, f->name, &st, 0) || st.st_dev != f->dev || st.st_ino != f->ino ||
	    (n = pread(f->fd, f->buf, want, 0)) < 0) {
		hs_drop(pid);
		return -ENOENT;
	}
	if (!hsperf_reread_jvm(f->buf, n, &f->lay, &f->last)) {
		*out = f->last;
		return 0;
	}
	if (want < f->cap && (n = pread(f->fd, f->buf, f->cap, 0)) < 0) {
		hs_drop(pid);
		return -ENOENT;
	}
	err = parse_file(f->buf, n, out, &f->lay);
	if (!err)
		f->last = *out;
	else
		f->lay.n = 0;
	return err;
}

/* Keeps the file just read in full (out, lay: what it said) open, and its directory dir. */
static void remember(pid_t pid, int nspid, const char *dir, const struct hsperf_jvm *out,
		     const struct hsperf_layout *lay)
{
	struct hs_file *f = calloc(1, sizeof(*f));
	struct stat st;

	if (!f)
		return;
	snprintf(f->name, sizeof(f->name), "%d", nspid);
	f->fd = f->dirfd = -1;
	if ((f->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (f->fd = openat(f->dirfd, f->name, O_RDONLY | O_CLOEXEC)) < 0 || fstat(f->fd, &st) ||
	    st.st_size <= 0 || (size_t)st.st_size > HSPERF_MAX_FILE ||
	    !(f->buf = malloc(st.st_size))) {
		if (f->fd >= 0)
			close(f->fd);
		if (f->dirfd >= 0)
			close(f->dirfd);
		free(f);
		return;
	}
	f->cap = st.st_size;
	f->pid = pid;
	f->nspid = nspid;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->lay = *lay;
	f->last = *out;
	f->next = *hs_slot(pid);
	*hs_slot(pid) = f;
}

/* /tmp/hsperfdata_<any user>/<pid in its own namespace>, seen through the JVM's root so a
 * private /tmp and a user unknown to the host work. */
static int read_listed(pid_t pid, struct hsperf_jvm *out)
{
	char path[PATH_MAX], status[4096], *buf;
	struct hsperf_layout *lay;
	int err = -ENOENT, nspid = pid;
	struct dirent *d;
	size_t len;
	ssize_t n;
	DIR *dp;

	snprintf(path, sizeof(path), "%s/%d/status", cfg.procfs, pid);
	if ((n = read_small(path, status, sizeof(status))) > 0)
		status_nspid(status, n, &nspid);
	snprintf(path, sizeof(path), "%s/%d/root/tmp", cfg.procfs, pid);
	dp = opendir(path);
	if (!dp)
		return -ENOENT;
	if (!(lay = malloc(sizeof(*lay)))) {
		closedir(dp);
		return -ENOMEM;
	}
	while (err && (d = readdir(dp))) {
		if (strncmp(d->d_name, "hsperfdata_", 11))
			continue;
		snprintf(path, sizeof(path), "%s/%d/root/tmp/%s/%d", cfg.procfs, pid, d->d_name,
			 nspid);
		err = read_file(path, &buf, &len, HSPERF_MAX_FILE);
		if (err == -ENOENT)
			continue;
		if (err) {
			errors[HSPERF__N]++;
			err = -EBADMSG;
			break;
		}
		err = parse_file(buf, len, out, lay);
		free(buf);
		if (err == 0) {
			*strrchr(path, '/') = '\0';
			remember(pid, nspid, path, out, lay);
		}
	}
	free(lay);
	closedir(dp);
	return err;
}

int jvm_read_hsperf(pid_t pid, struct hsperf_jvm *out)
{
	int err;

	pthread_mutex_lock(&hs_lock);
	err = read_cached(pid, out);
	if (err == -ENOENT)
		err = read_listed(pid, out);
	pthread_mutex_unlock(&hs_lock);
	return err;
}

static void sample(struct writer *w, const char *name, const struct jvm_view *v, struct label *a,
		   size_t na, double value)
{
	w_sample(w, name, a, na, v->id, IDENTITY_NLABELS, value);
}

/* By index: with no JVMs views is NULL, and NULL + 0 is undefined behaviour (UBSan). */
#define FOR_VIEWS(v, views, n)                                             \
	for (int v##_i = 0; v##_i < (n); v##_i++)                          \
		for (const struct jvm_view *v = &(views)[v##_i]; v; v = NULL)    \
			if (!v->skip && v->have_hsperf)

void jvm_heap_collect(struct writer *w, const struct jvm_view *views, int n)
{
	static const enum fam_id area[3] = { FAM_JVM_MEMORY_USED_BYTES,
					     FAM_JVM_MEMORY_COMMITTED_BYTES, FAM_JVM_MEMORY_MAX_BYTES };
	static const enum fam_id pool[3] = { FAM_JVM_MEMORY_POOL_USED_BYTES,
					     FAM_JVM_MEMORY_POOL_COMMITTED_BYTES,
					     FAM_JVM_MEMORY_POOL_MAX_BYTES };
	static const enum fam_id scalar[] = { FAM_JVM_SAFEPOINTS_TOTAL,
					      FAM_JVM_SAFEPOINT_TIME_SECONDS_TOTAL,
					      FAM_JVM_CLASSES_LOADED_TOTAL,
					      FAM_JVM_CLASSES_UNLOADED_TOTAL, FAM_JVM_THREADS_PEAK };
	int k, i;

	for (k = 0; k < 3; k++) {
		const char *metric = fam_name(area[k]);

		w_fam(w, area[k]);
		FOR_VIEWS(v, views, n) {
			struct label heap[] = { { "pid", v->pid }, { "area", "heap" } };
			struct label non[] = { { "pid", v->pid }, { "area", "nonheap" } };
			const struct hsperf_jvm *h = &v->hs;
			long long t[3], m[3] = { h->metaspace.used, h->metaspace.capacity,
						  h->metaspace.max };

			hotspot_heap(&v->hs, &t[0], &t[1], &t[2]);
			sample(w, metric, v, heap, 2, t[k]);
			if (m[k] >= 0)
				sample(w, metric, v, non, 2, m[k]);
		}
	}
	for (k = 0; k < 3; k++) {
		const char *metric = fam_name(pool[k]);

		w_fam(w, pool[k]);
		FOR_VIEWS(v, views, n) {
			long long pools[POOL__N][3];

			hotspot_pools(&v->hs, pools);
			for (i = 0; i < POOL__N; i++) {
				struct label a[] = { { "pid", v->pid }, { "pool", hotspot_pool_name(i) } };

				if (pools[i][k] >= 0)
					sample(w, metric, v, a, 2, pools[i][k]);
			}
		}
	}

	w_fam(w, FAM_JVM_GC_COLLECTIONS_TOTAL);
	FOR_VIEWS(v, views, n)
		for (i = 0; i < v->hs.ncollectors; i++) {
			struct label a[] = { { "pid", v->pid }, { "gc", hotspot_collector_name(&v->hs, i) } };

			if (v->hs.collector[i].invocations >= 0 && a[1].value[0])
				sample(w, fam_name(FAM_JVM_GC_COLLECTIONS_TOTAL), v, a, 2,
				       v->hs.collector[i].invocations);
		}
	w_fam(w, FAM_JVM_GC_COLLECTION_SECONDS_TOTAL);
	FOR_VIEWS(v, views, n)
		for (i = 0; i < v->hs.ncollectors && v->hs.hrt_frequency > 0; i++) {
			struct label a[] = { { "pid", v->pid }, { "gc", hotspot_collector_name(&v->hs, i) } };

			if (v->hs.collector[i].time_ticks >= 0 && a[1].value[0])
				sample(w, fam_name(FAM_JVM_GC_COLLECTION_SECONDS_TOTAL), v, a, 2,
				       (double)v->hs.collector[i].time_ticks / v->hs.hrt_frequency);
		}

	for (k = 0; k < (int)(sizeof(scalar) / sizeof(scalar[0])); k++) {
		w_fam(w, scalar[k]);
		FOR_VIEWS(v, views, n) {
			const struct hsperf_jvm *h = &v->hs;
			struct label a[] = { { "pid", v->pid } };
			double val[] = { h->safepoints,
					 h->hrt_frequency > 0 ?
						 (double)h->safepoint_time_ticks / h->hrt_frequency :
						 -1,
					 h->classes_loaded, h->classes_unloaded, h->threads_peak };

			if (val[k] >= 0)
				sample(w, fam_name(scalar[k]), v, a, 1, val[k]);
		}
	}

	w_fam(w, FAM_HSPERFDATA_ERRORS_TOTAL);
	for (k = HSPERF_TRUNCATED; k <= HSPERF__N; k++) {
		struct label a[] = { { "reason", k == HSPERF__N ? "unreadable" : hsperf_err_name(k) } };

		if (k != HSPERF_NOT_READY)
			w_sample(w, fam_name(FAM_HSPERFDATA_ERRORS_TOTAL), a, 1, NULL, 0, errors[k]);
	}
}
