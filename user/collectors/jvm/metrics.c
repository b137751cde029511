/* The JVM collector's families (metrics.h): GC pause and safepoint histograms, Java threads
 * and CPU by thread kind from bpf/jvm.bpf.c and bpf/cpu.bpf.c maps, jvm_info, and the hsperfdata
 * families (heap.c). Formats only: the registry's JVMs are refreshed by jvm.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <limits.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "families.h"
#include "exits.h"
#include "heap.h"
#include "hotspot.h"
#include "identity.h"
#include "jvm.skel.h"
#include "libprobe.h"
#include "config.h"
#include "mapsnap.h"
#include "metrics.h"
#include "procfs.h"
#include "readfile.h"
#include "registry.h"
#include "tasks.h"
#include "threads.h"
#include "view.h"

/* Histogram buckets: le = 2^17 ns (131 us) ... 2^34 ns (17.2 s), then +Inf. */
#define HIST_FIRST_SLOT 16
#define HIST_MAX_SLOT 33

/* The Unix time the kernel booted, read once (0 until it could be). */
static double boot_time(void)
{
	static double bt;
	unsigned long long b;

	if (bt <= 0 && read_boot_time(&b) == 0)
		bt = b;
	return bt;
}

/* Resident memory from /proc/PID/statm: the kernel's own counters of the process's mapped pages
 * (anon + file + shmem, the same sum as status's VmRSS, which costs the kernel several times
 * more to print), O(1) to read; smaps_rollup counts the same pages by walking every mapping under
 * the mmap lock, milliseconds for a large heap, at every scrape. Open fds from the size of
 * /proc/PID/fd (the count since Linux 6.2), counted by readdir when it says 0. Both stay open:
 * a re-read is a pread() and an fstat(), no path walk through /proc. */
static int proc_open(int *fd, pid_t pid, const char *file, int flags)
{
	char path[PATH_MAX];

	if (*fd < 0) {
		snprintf(path, sizeof(path), "%s/%d/%s", cfg.procfs, pid, file);
		*fd = open(path, flags | O_CLOEXEC);
	}
	return *fd;
}

static void read_proc(struct jvm *j, double *rss, double *fds)
{
	static long page;
	struct dirent *d;
	uint64_t res;
	struct stat st;
	char buf[256];
	ssize_t n;
	long c = 0;
	DIR *dp;
	int fd;

	*rss = *fds = -1;
	if (!page && (page = sysconf(_SC_PAGESIZE)) <= 0)
		page = 4096;
	if (proc_open(&j->statm_fd, j->pid, "statm", O_RDONLY) >= 0 &&
	    (n = pread(j->statm_fd, buf, sizeof(buf), 0)) > 0 &&
	    !statm_resident(buf, n, (uint64_t)page, &res))
		*rss = (double)res;
	if (proc_open(&j->fds_fd, j->pid, "fd", O_RDONLY | O_DIRECTORY) < 0 ||
	    fstat(j->fds_fd, &st))
		return;
	if (st.st_size > 0) {
		*fds = st.st_size;
		return;
	}
	/* an older kernel: count the entries, on a descriptor of its own (readdir moves it) */
	if ((fd = openat(j->fds_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    !(dp = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((d = readdir(dp)))
		c += d->d_name[0] != '.';
	closedir(dp);
	*fds = c;
}

void jvm_proc_close(struct jvm *j)
{
	if (j->statm_fd >= 0)
		close(j->statm_fd);
	if (j->fds_fd >= 0)
		close(j->fds_fd);
	j->statm_fd = j->fds_fd = -1;
}

static const struct jvm_view *view_of(const struct jvm_view *v, int n, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i].j->pid == pid)
			return &v[i];
	return NULL;
}

static void emit_hist(struct writer *w, const char *name, struct label *a, size_t na,
		      const struct label *id, const struct jvm_hist *h)
{
	w_log2_histogram(w, name, a, na, id, IDENTITY_NLABELS, (const uint64_t *)h->slots, JVM_HIST_SLOTS,
			 HIST_FIRST_SLOT, HIST_MAX_SLOT, 1e-9, h->sum_ns / 1e9);
}

/* The max window last closed by jvm_window_advance(), once it was called. */
static __u32 window_closed;
static bool window_advanced;

void jvm_metrics_window_advance(struct jvm_bpf *skel)
{
	if (!skel)
		return;
	window_closed = skel->bss->max_window;
	skel->bss->max_window = window_closed + 1;
	window_advanced = true;
}

static __u64 window_max(const struct jvm_hist *h)
{
	__u32 k = window_closed & 1;

	return h->win[k] == window_closed ? h->win_max_ns[k] : 0;
}

static int collect_gc(struct writer *w, struct jvm_bpf *skel, const struct jvm_view *vs, int n)
{
	const struct jvm_view *v;
	struct mapsnap m;
	size_t i;
	int pass, err;

	w_fam(w, FAM_JVM_GC_PAUSE_SECONDS);
	if ((err = mapsnap_read(bpf_map__fd(skel->maps.gc_pauses), 0, &m)))
		return err;
	for (pass = 0; pass < (window_advanced ? 3 : 2); pass++) {
		if (pass == 1)
			w_fam(w, FAM_JVM_GC_LAST_PAUSE_SECONDS);
		if (pass == 2)
			w_fam(w, FAM_JVM_GC_PAUSE_MAX_SECONDS);
		for (i = 0; i < m.n; i++) {
			const struct jvm_gc_key *key = mapsnap_key(&m, i);
			const struct jvm_hist *h = mapsnap_val(&m, i, 0);
			char gc[JVM_GC_NAME_LEN + 1];

			v = view_of(vs, n, key->tgid);
			if (!v || v->skip)
				continue;
			memcpy(gc, key->name, JVM_GC_NAME_LEN);
			gc[JVM_GC_NAME_LEN] = '\0';
			/* JDK 17 names no memory manager for G1's Remark and Cleanup pauses. */
			struct label a[] = { { "pid", v->pid },
					     { "gc", gc[0] ? gc : "unnamed" },
					     { "action", key->full ? "major" : "minor" } };
			if (pass == 0)
				emit_hist(w, fam_name(FAM_JVM_GC_PAUSE_SECONDS), a, 3, v->id, h);
			else if (pass == 1)
				w_sample(w, fam_name(FAM_JVM_GC_LAST_PAUSE_SECONDS), a, 3, v->id,
					 IDENTITY_NLABELS, h->last_ns / 1e9);
			else
				w_sample(w, fam_name(FAM_JVM_GC_PAUSE_MAX_SECONDS), a, 3, v->id,
					 IDENTITY_NLABELS, window_max(h) / 1e9);
		}
	}
	mapsnap_free(&m);
	return 0;
}

int jvm_metrics_collect(struct writer *w, struct jvm_bpf *skel, const struct libprobe_kind *libjvm)
{
	struct jvm_view *vs = NULL;
	struct jvm_hist h;
	const struct jvm *j;
	time_t now = time(NULL);
	int i, k, n = 0, nj = jvm_count(), err;

	if (skel && nj && !(vs = calloc(nj, sizeof(*vs))))
		return -ENOMEM;
	for (j = jvm_next(NULL); vs && j && n < nj; j = jvm_next(j)) {
		struct jvm_view *v = &vs[n++];

		v->j = j;
		snprintf(v->pid, sizeof(v->pid), "%d", j->pid);
		memcpy(v->kind_ns, j->kind_ns, sizeof(v->kind_ns));
		v->skip = identity_labels(j->cgroup_id, v->id, now) != IDENTITY_OK;
		v->rss_bytes = v->open_fds = -1;
		if (!v->skip && !j->gone_at) {
			read_proc((struct jvm *)j, &v->rss_bytes, &v->open_fds);
			v->have_hsperf = jvm_read_hsperf(j->pid, &v->hs) == 0;
		}
	}
	jvm_views_cpu(vs, n);

	w_fam(w, FAM_JVM_INFO);
	for (i = 0; i < n; i++) {
		const struct jvm_view *v = &vs[i];
		/* Until jvm.c keeps them (its next tick), this scrape's own reading. */
		bool own = v->j->java_version[0] || !v->have_hsperf;
		struct label a[] = { { "pid", v->pid },
				     { "main_class", v->j->main_class },
				     { "flink_role", v->j->flink_role },
				     { "usdt", libprobe_attached(v->j->lib) ? "true" : "false" },
				     { "hsperfdata", v->have_hsperf ? "true" : "false" },
				     { "java_version", own ? v->j->java_version : v->hs.java_version },
				     { "gc_policy", own ? v->j->gc_policy : v->hs.gc_policy } };

		if (!v->skip)
			w_sample(w, fam_name(FAM_JVM_INFO), a, 7, v->id, IDENTITY_NLABELS, 1);
	}
	if (n && (err = collect_gc(w, skel, vs, n))) {
		free(vs);
		return err;
	}
	if (!n)
		w_fam(w, FAM_JVM_GC_PAUSE_SECONDS);

	w_fam(w, FAM_JVM_SAFEPOINT_SECONDS);
	for (i = 0; i < n; i++) {
		const struct jvm_view *v = &vs[i];
		struct label a[] = { { "pid", v->pid } };
		__u32 tgid = v->j->pid;

		if (!v->skip && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.safepoints), &tgid, &h))
			emit_hist(w, fam_name(FAM_JVM_SAFEPOINT_SECONDS), a, 1, v->id, &h);
	}

	for (i = 0; i < n; i++)
		vs[i].threads_ok = !vs[i].skip &&
				   !jvm_threads_now(vs[i].j, bpf_map__fd(skel->maps.threads),
						    &vs[i].live, &vs[i].daemon, &vs[i].started);
	w_fam(w, FAM_JVM_THREADS);
	for (i = 0; i < n; i++) {
		const struct jvm_view *v = &vs[i];
		struct label nd[] = { { "pid", v->pid }, { "daemon", "false" } };
		struct label d[] = { { "pid", v->pid }, { "daemon", "true" } };

		if (!v->threads_ok || v->j->gone_at)
			continue;
		w_sample(w, fam_name(FAM_JVM_THREADS), nd, 2, v->id, IDENTITY_NLABELS, v->live);
		w_sample(w, fam_name(FAM_JVM_THREADS), d, 2, v->id, IDENTITY_NLABELS, v->daemon);
	}
	w_fam(w, FAM_JVM_THREADS_STARTED_TOTAL);
	for (i = 0; i < n; i++) {
		const struct jvm_view *v = &vs[i];
		struct label a[] = { { "pid", v->pid } };

		if (v->threads_ok)
			w_sample(w, fam_name(FAM_JVM_THREADS_STARTED_TOTAL), a, 1, v->id,
				 IDENTITY_NLABELS, v->started);
	}

	w_fam(w, FAM_JVM_CPU_SECONDS_TOTAL);
	for (i = 0; i < n; i++) {
		const struct jvm_view *v = &vs[i];

		for (k = 0; k < KIND__N && !v->skip && v->j->cpu_tracked; k++) {
			struct label a[] = { { "pid", v->pid }, { "thread_kind", thread_kind_name(k) } };

			w_sample(w, fam_name(FAM_JVM_CPU_SECONDS_TOTAL), a, 2, v->id, IDENTITY_NLABELS,
				 v->kind_ns[k] / 1e9);
		}
	}

	jvm_tasks_collect(w, vs, n);
	jvm_heap_collect(w, vs, n);
	jvm_exits_collect(w);

	w_fam(w, FAM_JVM_START_TIME_SECONDS);
	for (i = 0; i < n; i++) {
		const struct jvm_view *v = &vs[i];
		struct label a[] = { { "pid", v->pid } };

		if (!v->skip && !v->j->gone_at)
			w_sample(w, fam_name(FAM_JVM_START_TIME_SECONDS), a, 1, v->id, IDENTITY_NLABELS,
				 boot_time() + (double)v->j->start / sysconf(_SC_CLK_TCK));
	}

	w_fam(w, FAM_JVM_RESIDENT_MEMORY_BYTES);
	for (i = 0; i < n; i++) {
		const struct jvm_view *v = &vs[i];
		struct label a[] = { { "pid", v->pid } };

		if (!v->skip && v->rss_bytes >= 0)
			w_sample(w, fam_name(FAM_JVM_RESIDENT_MEMORY_BYTES), a, 1, v->id, IDENTITY_NLABELS,
				 v->rss_bytes);
	}
	w_fam(w, FAM_JVM_OPEN_FDS);
	for (i = 0; i < n; i++) {
		const struct jvm_view *v = &vs[i];
		struct label a[] = { { "pid", v->pid } };

		if (!v->skip && v->open_fds >= 0)
			w_sample(w, fam_name(FAM_JVM_OPEN_FDS), a, 1, v->id, IDENTITY_NLABELS, v->open_fds);
	}

	w_fam(w, FAM_JVM_LIBJVM_ATTACHED);
	w_sample(w, fam_name(FAM_JVM_LIBJVM_ATTACHED), NULL, 0, NULL, 0, libprobe_count(libjvm));

	w_fam(w, FAM_JVM_ERRORS_TOTAL);
	for (i = 0; i < JVM_ERR__N; i++) {
		struct label a[] = { { "reason", jvm_error_name(i) } };

		w_sample(w, fam_name(FAM_JVM_ERRORS_TOTAL), a, 1, NULL, 0,
			 i == JVM_ERR_ATTACH ? libjvm->attach_errors : jvm_errors(i));
	}
	free(vs);
	return 0;
}
