/* The JVM collector's numbers: GC pause and safepoint histograms, Java threads and CPU by thread
 * kind, read from bpf/jvm.bpf.c and bpf/cpu.bpf.c maps and written as jvmtap_jvm_* families. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collector.h"
#include "config.h"
#include "cpu.h"
#include "hsperf.h"
#include "identity.h"
#include "jvm.h"
#include "jvm.skel.h"
#include "log.h"
#include "procfs.h"

/* Histogram buckets: le = 2^17 ns (131 us) ... 2^34 ns (17.2 s), then +Inf. */
#define HIST_FIRST_SLOT 16
#define HIST_MAX_SLOT 33

static const char *const jvm_error_names[JVM_ERR__N] = { "attach", "pending_full" };

/* btime of /proc/stat: the Unix time the kernel booted. */
static double boot_time(void)
{
	static double bt;
	char line[256];
	FILE *f;

	if (bt > 0)
		return bt;
	f = fopen("/proc/stat", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %lf", &bt) == 1)
			break;
	fclose(f);
	return bt;
}

static int read_small(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

/* CPU a JVM used before jvmtap tracked it, so the counter is the JVM's whole CPU time: live
 * threads' schedstat (ns) by kind; time of threads that already exited goes to app. */
void jvm_baseline_cpu(struct jvm *j)
{
	char path[PATH_MAX], buf[256], comm[32];
	unsigned long long ns, start, utime, stime, live = 0, total;
	struct dirent *d;
	char *statbuf, *p;
	size_t len;
	DIR *dp;

	snprintf(path, sizeof(path), "%s/%d/task", cfg.procfs, j->pid);
	dp = opendir(path);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%d/task/%s/schedstat", cfg.procfs, j->pid, d->d_name);
		if (read_small(path, buf, sizeof(buf)) || sscanf(buf, "%llu", &ns) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/%d/task/%s/comm", cfg.procfs, j->pid, d->d_name);
		if (read_small(path, comm, sizeof(comm)))
			continue;
		j->kind_ns[thread_kind_of(comm)] += ns;
		live += ns;
	}
	closedir(dp);
	snprintf(path, sizeof(path), "%s/%d/stat", cfg.procfs, j->pid);
	if (jvm_read_file(path, &statbuf, &len, 4096))
		return;
	p = strrchr(statbuf, ')');
	if (p && stat_starttime(statbuf, len, &start) == 0 &&
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
		   &stime) == 2) {
		total = (utime + stime) * (1000000000ull / sysconf(_SC_CLK_TCK));
		if (total > live)
			j->kind_ns[KIND_APP] += total - live;
	}
	free(statbuf);
}

/* Per-thread CPU as reported so far, by kind: a thread renamed mid-life (thread pools do)
 * moves only its new time to the new kind, so no kind's counter ever goes down. */
struct thread_acct {
	__u32 tid, tgid;
	__u64 last;
	uint64_t kind_ns[KIND__N];
	struct thread_acct *next;
};

#define ACCT_BUCKETS 1024
static struct thread_acct *accts[ACCT_BUCKETS];

static struct thread_acct **acct_slot(__u32 tid)
{
	return &accts[(tid * 2654435761u) % ACCT_BUCKETS];
}

static struct thread_acct *acct_update(__u32 tid, __u32 tgid, __u64 ns, const char *comm)
{
	struct thread_acct *a;

	for (a = *acct_slot(tid); a; a = a->next)
		if (a->tid == tid)
			break;
	if (a && a->tgid != tgid) { /* the tid now belongs to another process */
		memset(a->kind_ns, 0, sizeof(a->kind_ns));
		a->last = 0;
		a->tgid = tgid;
	}
	if (!a) {
		a = calloc(1, sizeof(*a));
		if (!a)
			return NULL;
		a->tid = tid;
		a->tgid = tgid;
		a->next = *acct_slot(tid);
		*acct_slot(tid) = a;
	}
	if (ns > a->last) {
		a->kind_ns[thread_kind_of(comm)] += ns - a->last;
		a->last = ns;
	}
	return a;
}

static void acct_forget(__u32 tid)
{
	struct thread_acct **pp, *a;

	for (pp = acct_slot(tid); (a = *pp); pp = &a->next)
		if (a->tid == tid) {
			*pp = a->next;
			free(a);
			return;
		}
}

struct fold_ctx {
	struct jvm *only; /* NULL: every JVM */
	bool forget_all;
};

static void fold_one(__u32 tid, __u32 tgid, __u64 ns, __u64 cgid, const char *comm, void *arg)
{
	struct fold_ctx *c = arg;
	char path[PATH_MAX];
	struct thread_acct *a;
	struct jvm *j;
	int k;

	(void)cgid;
	if (c->only && c->only->pid != (pid_t)tgid)
		return;
	j = c->only ? c->only : jvm_find(tgid);
	if (!j)
		return;
	if (!c->forget_all) {
		snprintf(path, sizeof(path), "%s/%u/task/%u", cfg.procfs, tgid, tid);
		if (access(path, F_OK) == 0)
			return;
	}
	/* Exited: its time moves into the JVM's total, so the counter does not drop. */
	a = acct_update(tid, tgid, ns, comm);
	for (k = 0; a && k < KIND__N; k++)
		j->kind_ns[k] += a->kind_ns[k];
	acct_forget(tid);
	cpu_forget_thread(tid);
}

/* j == NULL: every JVM's. */
void jvm_fold_exited_threads(struct jvm *j)
{
	struct fold_ctx c = { .only = j };

	cpu_for_each_thread(fold_one, &c);
}

void jvm_forget_threads(struct jvm *j)
{
	struct fold_ctx c = { .only = j, .forget_all = true };

	cpu_for_each_thread(fold_one, &c);
}

static int read_thread_events(pid_t pid, struct jvm_threads *t)
{
	__u32 tgid = pid;

	memset(t, 0, sizeof(*t));
	if (bpf_map_lookup_elem(bpf_map__fd(jvm_skel()->maps.threads), &tgid, t) && errno != ENOENT)
		return -errno;
	return 0;
}

/* A baseline for the Java thread gauge: hsperfdata's java.threads.* (ThreadMXBean's own
 * numbers) taken between two identical reads of the probe counters; or, for a JVM whose every
 * thread start was seen, the main thread alone (HotSpot fires no thread__start for it). */
void jvm_threads_baseline(struct jvm *j)
{
	struct jvm_threads before, after;
	struct jvm_hsperf *hs;
	time_t now = time(NULL);
	int err;

	if (j->threads_known || !j->usdt || now < j->next_baseline_try)
		return;
	j->next_baseline_try = now + 1;
	if (j->threads_from_start) {
		j->base_live = 1;
		j->base_daemon = 0;
		j->base_started = 1;
		memset(&j->base_ev, 0, sizeof(j->base_ev));
		j->threads_known = true;
		return;
	}
	if (read_thread_events(j->pid, &before))
		return;
	hs = malloc(sizeof(*hs));
	if (!hs)
		return;
	err = jvm_read_hsperf(j, hs);
	if (!err && hs->h.threads_live >= 0 && hs->h.threads_daemon >= 0 &&
	    !read_thread_events(j->pid, &after) && !memcmp(&before, &after, sizeof(after))) {
		/* no thread started or stopped between the two reads */
		j->base_live = hs->h.threads_live;
		j->base_daemon = hs->h.threads_daemon;
		j->base_started = hs->h.threads_started >= 0 ? hs->h.threads_started : 0;
		j->base_ev = after;
		j->threads_known = true;
	}
	free(hs);
}

struct views {
	struct jvm_view *v;
	int n;
};

static struct jvm_view *view_of(struct views *vs, pid_t pid)
{
	int i;

	for (i = 0; i < vs->n; i++)
		if (vs->v[i].j->pid == pid)
			return &vs->v[i];
	return NULL;
}

static void add_thread(__u32 tid, __u32 tgid, __u64 ns, __u64 cgid, const char *comm, void *arg)
{
	struct jvm_view *v = view_of(arg, tgid);
	struct thread_acct *a;
	int k;

	if (!v)
		return;
	a = acct_update(tid, tgid, ns, comm);
	for (k = 0; a && k < KIND__N; k++)
		v->kind_ns[k] += a->kind_ns[k];
	v->cgroup_id = cgid;
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

void jvm_window_advance(void)
{
	struct jvm_bpf *skel = jvm_skel();

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

static void collect_gc(struct writer *w, struct views *vs)
{
	int fd = bpf_map__fd(jvm_skel()->maps.gc_pauses), pass;
	struct jvm_gc_key key, *prev;
	struct jvm_hist h;
	struct jvm_view *v;

	w_family(w, "jvmtap_jvm_gc_pause_seconds", "histogram",
		 "GC pauses, one observation per collection (HotSpot USDT), by collector and "
		 "action.");
	for (pass = 0; pass < (window_advanced ? 3 : 2); pass++) {
		if (pass == 1)
			w_family(w, "jvmtap_jvm_gc_last_pause_seconds", "gauge",
				 "Duration of the JVM's most recent collection by collector and action.");
		if (pass == 2)
			w_family(w, "jvmtap_jvm_gc_pause_max_seconds", "gauge",
				 "Longest collection in the interval before the last refresh (jvmtap "
				 "top and dump only); 0 when there was none.");
		for (prev = NULL; bpf_map_get_next_key(fd, prev, &key) == 0; prev = &key) {
			char gc[JVM_GC_NAME_LEN + 1];

			v = view_of(vs, key.tgid);
			if (!v || v->skip || bpf_map_lookup_elem(fd, &key, &h))
				continue;
			memcpy(gc, key.name, JVM_GC_NAME_LEN);
			gc[JVM_GC_NAME_LEN] = '\0';
			/* JDK 17 names no memory manager for G1's Remark and Cleanup pauses. */
			struct label a[] = { { "pid", v->pid },
					     { "gc", gc[0] ? gc : "unnamed" },
					     { "action", key.full ? "major" : "minor" } };
			if (pass == 0)
				emit_hist(w, "jvmtap_jvm_gc_pause_seconds", a, 3, v->id, &h);
			else if (pass == 1)
				w_sample(w, "jvmtap_jvm_gc_last_pause_seconds", a, 3, v->id,
					 IDENTITY_NLABELS, h.last_ns / 1e9);
			else
				w_sample(w, "jvmtap_jvm_gc_pause_max_seconds", a, 3, v->id,
					 IDENTITY_NLABELS, window_max(&h) / 1e9);
		}
	}
}

void jvm_collect(struct writer *w)
{
	struct views vs = { 0 };
	struct jvm_threads ev;
	struct jvm_hist h;
	struct jvm *j;
	time_t now = time(NULL);
	int i, k, n = 0;

	for (j = jvms; j; j = j->next)
		n++;
	if (jvm_skel() && n)
		vs.v = calloc(n, sizeof(*vs.v));
	for (j = jvms; vs.v && j; j = j->next) {
		struct jvm_view *v = &vs.v[vs.n++];

		v->j = j;
		snprintf(v->pid, sizeof(v->pid), "%d", j->pid);
		memcpy(v->kind_ns, j->kind_ns, sizeof(v->kind_ns));
	}
	cpu_for_each_thread(add_thread, &vs);
	for (i = 0; i < vs.n; i++) {
		struct jvm_view *v = &vs.v[i];

		/* No thread in the map: its /proc while it lives; once gone (its pid may be another
		 * process's now), the cgroup it was last seen in, as for a JVM that exited before
		 * its threads were read (Flink's BashJavaUtils lives for half a second). */
		if (!v->cgroup_id && !v->j->gone_at)
			v->cgroup_id = identity_cgroup_of_pid(v->j->pid);
		if (!v->cgroup_id)
			v->cgroup_id = v->j->cgroup_id;
		v->j->cgroup_id = v->cgroup_id; /* for other collectors' JVM series */
		v->skip = identity_labels(v->cgroup_id, v->id, now) != IDENTITY_OK;
		if (!v->skip && !v->j->gone_at)
			v->have_hsperf = jvm_read_hsperf(v->j, &v->hs) == 0;
		if (v->have_hsperf && !v->j->java_version[0]) {
			snprintf(v->j->java_version, sizeof(v->j->java_version), "%s",
				 v->hs.h.java_version);
			snprintf(v->j->gc_policy, sizeof(v->j->gc_policy), "%s", v->hs.h.gc_policy);
		}
	}

	w_family(w, "jvmtap_jvm_info", "gauge",
		 "1 for each JVM (a process mapping libjvm.so); usdt: its libjvm has HotSpot "
		 "probes; hsperfdata: its perf counters are readable.");
	for (i = 0; i < vs.n; i++) {
		struct jvm_view *v = &vs.v[i];
		struct label a[] = { { "pid", v->pid },
				     { "main_class", v->j->main_class },
				     { "flink_role", v->j->flink_role },
				     { "usdt", v->j->usdt ? "true" : "false" },
				     { "hsperfdata", v->have_hsperf ? "true" : "false" },
				     { "java_version", v->j->java_version },
				     { "gc_policy", v->j->gc_policy } };

		if (!v->skip)
			w_sample(w, "jvmtap_jvm_info", a, 7, v->id, IDENTITY_NLABELS, 1);
	}
	if (vs.n)
		collect_gc(w, &vs);
	else
		w_family(w, "jvmtap_jvm_gc_pause_seconds", "histogram",
			 "GC pauses, one observation per collection (HotSpot USDT), by collector and "
			 "action.");

	w_family(w, "jvmtap_jvm_safepoint_seconds", "histogram",
		 "Safepoint operations (hs_private safepoint__begin to safepoint__end).");
	for (i = 0; i < vs.n; i++) {
		struct jvm_view *v = &vs.v[i];
		struct label a[] = { { "pid", v->pid } };
		__u32 tgid = v->j->pid;

		if (!v->skip &&
		    !bpf_map_lookup_elem(bpf_map__fd(jvm_skel()->maps.safepoints), &tgid, &h))
			emit_hist(w, "jvmtap_jvm_safepoint_seconds", a, 1, v->id, &h);
	}

	w_family(w, "jvmtap_jvm_threads", "gauge",
		 "Live Java threads as ThreadMXBean counts them, by daemon status.");
	for (i = 0; i < vs.n; i++) {
		struct jvm_view *v = &vs.v[i];
		struct jvm *jj = v->j;
		long long live, daemon;

		if (v->skip || !jj->threads_known || jj->gone_at || read_thread_events(jj->pid, &ev))
			continue;
		daemon = jj->base_daemon + (long long)(ev.daemon_started - jj->base_ev.daemon_started) -
			 (long long)(ev.daemon_stopped - jj->base_ev.daemon_stopped);
		live = jj->base_live - jj->base_daemon + (long long)(ev.started - jj->base_ev.started) -
		       (long long)(ev.stopped - jj->base_ev.stopped);
		struct label nd[] = { { "pid", v->pid }, { "daemon", "false" } };
		struct label d[] = { { "pid", v->pid }, { "daemon", "true" } };

		w_sample(w, "jvmtap_jvm_threads", nd, 2, v->id, IDENTITY_NLABELS, live);
		w_sample(w, "jvmtap_jvm_threads", d, 2, v->id, IDENTITY_NLABELS, daemon);
	}
	w_family(w, "jvmtap_jvm_threads_started_total", "counter",
		 "Java threads started since the JVM started, as ThreadMXBean counts them.");
	for (i = 0; i < vs.n; i++) {
		struct jvm_view *v = &vs.v[i];
		struct jvm *jj = v->j;
		struct label a[] = { { "pid", v->pid } };

		if (v->skip || !jj->threads_known || read_thread_events(jj->pid, &ev))
			continue;
		w_sample(w, "jvmtap_jvm_threads_started_total", a, 1, v->id, IDENTITY_NLABELS,
			 jj->base_started + (ev.started + ev.daemon_started) -
				 (jj->base_ev.started + jj->base_ev.daemon_started));
	}

	w_family(w, "jvmtap_jvm_cpu_seconds_total", "counter",
		 "On-CPU time of the JVM's threads by kind (gc, jit, vm, app), from their names.");
	for (i = 0; i < vs.n; i++) {
		struct jvm_view *v = &vs.v[i];

		for (k = 0; k < KIND__N && !v->skip && v->j->cpu_tracked; k++) {
			struct label a[] = { { "pid", v->pid }, { "thread_kind", thread_kind_name(k) } };

			w_sample(w, "jvmtap_jvm_cpu_seconds_total", a, 2, v->id, IDENTITY_NLABELS,
				 v->kind_ns[k] / 1e9);
		}
	}

	jvm_heap_collect(w, vs.v, vs.n);
	jvm_exits_collect(w);

	w_family(w, "jvmtap_jvm_start_time_seconds", "gauge",
		 "Start time of the JVM process since the Unix epoch: a restart shows as a new value.");
	for (i = 0; i < vs.n; i++) {
		struct jvm_view *v = &vs.v[i];
		struct label a[] = { { "pid", v->pid } };

		if (!v->skip && !v->j->gone_at)
			w_sample(w, "jvmtap_jvm_start_time_seconds", a, 1, v->id, IDENTITY_NLABELS,
				 boot_time() + (double)v->j->start / sysconf(_SC_CLK_TCK));
	}

	w_family(w, "jvmtap_jvm_libjvm_attached", "gauge",
		 "Distinct libjvm.so files (device, inode) with HotSpot probes attached: one set of "
		 "uprobes serves every JVM using the file.");
	w_sample(w, "jvmtap_jvm_libjvm_attached", NULL, 0, NULL, 0, jvm_libs_attached());

	w_family(w, "jvmtap_jvm_errors_total", "counter",
		 "JVMs jvmtap could not fully follow: probe attach failures, a full queue of new "
		 "JVMs.");
	for (i = 0; i < JVM_ERR__N; i++) {
		struct label a[] = { { "reason", jvm_error_names[i] } };

		w_sample(w, "jvmtap_jvm_errors_total", a, 1, NULL, 0, jvm_errors[i]);
	}
	free(vs.v);
}
