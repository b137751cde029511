/* Java threads and CPU by thread kind (threads.h). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "config.h"
#include "cpu.h"
#include "heap.h"
#include "hotspot.h"
#include "libprobe.h"
#include "procfs.h"
#include "readfile.h"
#include "tasks.h"
#include "threads.h"

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
		if (read_small(path, buf, sizeof(buf)) < 0 || sscanf(buf, "%llu", &ns) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/%d/task/%s/comm", cfg.procfs, j->pid, d->d_name);
		if (read_small(path, comm, sizeof(comm)) < 0)
			continue;
		j->kind_ns[thread_kind_of(comm)] += ns;
		live += ns;
	}
	closedir(dp);
	snprintf(path, sizeof(path), "%s/%d/stat", cfg.procfs, j->pid);
	if (read_file(path, &statbuf, &len, 4096))
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
	int task, task_tries; /* its Flink task's slot (tasks.h) */
	uint64_t kind_ns[KIND__N];
	struct thread_acct *next;
};

#define ACCT_BUCKETS 1024
static struct thread_acct *accts[ACCT_BUCKETS];

static struct thread_acct **acct_slot(__u32 tid)
{
	return &accts[(tid * 2654435761u) % ACCT_BUCKETS];
}

#define TASK_TRIES 3 /* scrapes a thread's name is looked for (it may start before its probe) */

static struct thread_acct *acct_update(struct jvm *j, __u32 tid, __u32 tgid, __u64 ns,
				       const char *comm)
{
	struct thread_acct *a;

	for (a = *acct_slot(tid); a; a = a->next)
		if (a->tid == tid)
			break;
	if (a && a->tgid != tgid) { /* the tid now belongs to another process */
		memset(a->kind_ns, 0, sizeof(a->kind_ns));
		a->last = 0;
		a->tgid = tgid;
		a->task = TASK_UNKNOWN;
		a->task_tries = 0;
	}
	if (!a) {
		a = calloc(1, sizeof(*a));
		if (!a)
			return NULL;
		a->tid = tid;
		a->tgid = tgid;
		a->task = TASK_UNKNOWN;
		a->next = *acct_slot(tid);
		*acct_slot(tid) = a;
	}
	if (a->task == TASK_UNKNOWN && j && (a->task = jvm_task_of(j, tid, comm)) == TASK_UNKNOWN &&
	    ++a->task_tries >= TASK_TRIES)
		a->task = TASK_NONE;
	if (ns > a->last) {
		a->kind_ns[thread_kind_of(comm)] += ns - a->last;
		if (j)
			jvm_task_charge(j, a->task, ns - a->last);
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
	a = acct_update(j, tid, tgid, ns, comm);
	for (k = 0; a && k < KIND__N; k++)
		j->kind_ns[k] += a->kind_ns[k];
	acct_forget(tid);
	cpu_forget_thread(tid);
	jvm_task_forget_thread(tid);
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

static int read_thread_events(int fd, pid_t pid, struct jvm_threads *t)
{
	__u32 tgid = pid;

	memset(t, 0, sizeof(*t));
	if (bpf_map_lookup_elem(fd, &tgid, t) && errno != ENOENT)
		return -errno;
	return 0;
}

/* A baseline for the Java thread gauge: hsperfdata's java.threads.* (ThreadMXBean's own
 * numbers) taken between two identical reads of the probe counters; or, for a JVM whose every
 * thread start was seen, the main thread alone (HotSpot fires no thread__start for it). */
void jvm_threads_baseline(struct jvm *j, int fd)
{
	struct jvm_threads before, after;
	struct hsperf_jvm *hs;
	time_t now = time(NULL);
	int err;

	if (j->threads_known || !libprobe_attached(j->lib) || now < j->next_baseline_try)
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
	if (read_thread_events(fd, j->pid, &before))
		return;
	hs = malloc(sizeof(*hs));
	if (!hs)
		return;
	err = jvm_read_hsperf(j->pid, hs);
	if (err) {
		/* Not there (yet): then every minute, as a JVM run with -XX:-UsePerfData never has
		 * the file and each try looks for it in the JVM's /tmp. A thread that started
		 * between the two counter reads below is retried a second later. */
		static const unsigned char wait_s[] = { 1, 1, 2, 4, 8, 16, 32 };

		j->next_baseline_try = now + (j->baseline_tries < sizeof(wait_s)
						      ? wait_s[j->baseline_tries] : 60);
		j->baseline_tries++;
	}
	if (!err && hs->threads_live >= 0 && hs->threads_daemon >= 0 &&
	    !read_thread_events(fd, j->pid, &after) && !memcmp(&before, &after, sizeof(after))) {
		/* no thread started or stopped between the two reads */
		j->base_live = hs->threads_live;
		j->base_daemon = hs->threads_daemon;
		j->base_started = hs->threads_started >= 0 ? hs->threads_started : 0;
		j->base_ev = after;
		j->threads_known = true;
	}
	free(hs);
}

static const struct jvm_view *view_of(const struct jvm_view *v, int n, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i].j->pid == pid)
			return &v[i];
	return NULL;
}

struct views {
	struct jvm_view *v;
	int n;
};

static void add_thread(__u32 tid, __u32 tgid, __u64 ns, __u64 cgid, const char *comm, void *arg)
{
	struct views *vs = arg;
	struct jvm_view *v = (struct jvm_view *)view_of(vs->v, vs->n, tgid);
	struct thread_acct *a;
	int k;

	(void)cgid;
	if (!v)
		return;
	a = acct_update((struct jvm *)v->j, tid, tgid, ns, comm);
	for (k = 0; a && k < KIND__N; k++)
		v->kind_ns[k] += a->kind_ns[k];
}

void jvm_views_cpu(struct jvm_view *views, int n)
{
	struct views vs = { views, n };

	if (n)
		cpu_for_each_thread(add_thread, &vs);
}

int jvm_threads_now(const struct jvm *j, int fd, long long *live, long long *daemon,
		    long long *started)
{
	struct jvm_threads ev;

	if (!j->threads_known || read_thread_events(fd, j->pid, &ev))
		return -ENOENT;
	*daemon = j->base_daemon + (long long)(ev.daemon_started - j->base_ev.daemon_started) -
		  (long long)(ev.daemon_stopped - j->base_ev.daemon_stopped);
	*live = j->base_live - j->base_daemon + (long long)(ev.started - j->base_ev.started) -
		(long long)(ev.stopped - j->base_ev.stopped);
	*started = j->base_started + (ev.started + ev.daemon_started) -
		   (j->base_ev.started + j->base_ev.daemon_started);
	return 0;
}
