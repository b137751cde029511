/* JVMs on the host: finds them (/proc scan, exec notifications), has jvm_libs.c attach the
 * HotSpot USDT programs of bpf/jvm.bpf.c once per distinct libjvm file, tracks their lifetime
 * and hands the per-JVM numbers to jvm_metrics.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include "bpfutil.h"
#include "collector.h"
#include "config.h"
#include "cpu.h"
#include "hsperf.h"
#include "identity.h"
#include "jvm.h"
#include "jvm.skel.h"
#include "log.h"
#include "procfs.h"

#define PENDING_MAX 256
#define PENDING_SECONDS 10 /* an exec'd "java" has this long to map libjvm */
/* How often a pending "java" is looked at in its first second: HotSpot starts collecting within
 * ~100 ms of exec, and pauses before the probes are attached are not seen. */
#define PENDING_FAST_MS 2
#define SCAN_INTERVAL 30   /* full /proc scan for JVMs not launched as "java" */

static struct jvm_bpf *skel;
static struct ring_buffer *rb;
static struct bpf_link *exec_link, *exit_link;
struct jvm *jvms;
static struct {
	pid_t pid;
	time_t deadline;
	time_t since;
} pending[PENDING_MAX];
static int npending;
static time_t last_scan;
uint64_t jvm_errors[JVM_ERR__N];

int jvm_read_file(const char *path, char **buf, size_t *len, size_t max)
{
	size_t cap = 4096, n = 0;
	char *b = NULL, *nb;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (;;) {
		if (!b || n == cap) {
			if (b)
				cap *= 2;
			if (cap > max)
				cap = max;
			if (n == cap) {
				free(b);
				close(fd);
				return -EFBIG;
			}
			nb = realloc(b, cap + 1);
			if (!nb) {
				free(b);
				close(fd);
				return -ENOMEM;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			r = -errno;
			free(b);
			close(fd);
			return r;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static int proc_starttime(pid_t pid, unsigned long long *start)
{
	char path[PATH_MAX], *buf;
	size_t len;
	int err;

	snprintf(path, sizeof(path), "%s/%d/stat", cfg.procfs, pid);
	err = jvm_read_file(path, &buf, &len, 4096);
	if (err)
		return err;
	err = stat_starttime(buf, len, start);
	free(buf);
	return err;
}

struct jvm *jvm_find(pid_t pid)
{
	struct jvm *j;

	for (j = jvms; j; j = j->next)
		if (j->pid == pid)
			return j;
	return NULL;
}

static void jvm_remove(struct jvm *j);

/* Registers pid if it maps libjvm; 0, -ENOENT (no libjvm mapped, yet), -ESRCH (gone) or -errno. */
static int check_pid(pid_t pid)
{
	char path[PATH_MAX], *buf;
	struct maps_lib m;
	struct jvm *j;
	size_t len;
	int err, deleted;

	j = jvm_find(pid);
	if (j && !j->gone_at)
		return 0;
	if (j) /* the pid was reused while the old JVM's series were in their grace period */
		jvm_remove(j);
	snprintf(path, sizeof(path), "%s/%d/maps", cfg.procfs, pid);
	err = jvm_read_file(path, &buf, &len, 64u << 20);
	if (err) /* no /proc/PID: gone, not "no libjvm yet", so it leaves the waiting list now */
		return err == -ENOENT ? -ESRCH : err;
	err = maps_find_lib(buf, len, "libjvm.so", &m, &deleted);
	free(buf);
	if (err)
		return err;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->pid = pid;
	if (proc_starttime(pid, &j->start)) {
		free(j);
		return -ESRCH;
	}
	j->lib = lib_get(pid, &m);
	j->usdt = j->lib && j->lib->usdt;
	/* Probes already in place when the JVM started saw every thread it started (a tick of
	 * margin: starttime has clock-tick resolution). */
	j->threads_from_start = j->usdt && j->start > j->lib->attached_ticks + 1;
	snprintf(path, sizeof(path), "%s/%d/cmdline", cfg.procfs, pid);
	j->flink_role = "none";
	if (jvm_read_file(path, &buf, &len, 1u << 20) == 0) {
		char full[512];

		if (cmdline_main_class(buf, len, j->main_class, sizeof(j->main_class)))
			snprintf(j->main_class, sizeof(j->main_class), "unknown");
		if (cmdline_main_class_full(buf, len, full, sizeof(full)) == 0)
			j->flink_role = flink_role_of(full);
		free(buf);
	}
	j->cgroup_id = identity_cgroup_of_pid(pid); /* refined from its threads at each scrape */
	j->cpu_tracked = cpu_track_process(pid, true) == 0;
	jvm_baseline_cpu(j);
	jvm_threads_baseline(j);
	j->next = jvms;
	jvms = j;
	log_info("jvm: found pid %d (%s), usdt=%s", pid, j->main_class, j->usdt ? "true" : "false");
	return 0;
}

static void scan_proc(void)
{
	struct dirent *d;
	DIR *dp = opendir(cfg.procfs);
	char *end;
	long pid;

	if (!dp)
		return;
	while ((d = readdir(dp))) {
		pid = strtol(d->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		check_pid(pid);
	}
	closedir(dp);
}

/* How JVMs ended, per container: jvmtap_jvm_exits_total. */
struct exit_count {
	uint64_t cgroup_id;
	char id[IDENTITY_NLABELS][256];
	char reason[8], code[12];
	uint64_t n;
	struct exit_count *next;
};
static struct exit_count *exits;

static void record_exit(pid_t pid, unsigned status)
{
	struct label id[IDENTITY_NLABELS];
	struct exit_count *x;
	struct jvm *j = jvm_find(pid);
	char reason[8], code[12];
	int i;

	if (!j || j->gone_at)
		return;
	j->gone_at = time(NULL);
	if (status & 0x7f)
		snprintf(reason, sizeof(reason), "signal"), snprintf(code, sizeof(code), "%u", status & 0x7f);
	else
		snprintf(reason, sizeof(reason), "exit"), snprintf(code, sizeof(code), "%u", (status >> 8) & 0xff);
	log_info("jvm: pid %d (%s) ended: %s %s", pid, j->main_class, reason, code);
	if (identity_labels(j->cgroup_id, id, time(NULL)) != IDENTITY_OK)
		return;
	for (x = exits; x; x = x->next)
		if (x->cgroup_id == j->cgroup_id && !strcmp(x->reason, reason) && !strcmp(x->code, code))
			break;
	if (!x) {
		x = calloc(1, sizeof(*x));
		if (!x)
			return;
		x->cgroup_id = j->cgroup_id;
		for (i = 0; i < IDENTITY_NLABELS; i++)
			snprintf(x->id[i], sizeof(x->id[i]), "%s", id[i].value);
		snprintf(x->reason, sizeof(x->reason), "%s", reason);
		snprintf(x->code, sizeof(x->code), "%s", code);
		x->next = exits;
		exits = x;
	}
	x->n++;
}

void jvm_exits_collect(struct writer *w)
{
	static const char *const names[IDENTITY_NLABELS] = { "container_id", "namespace", "pod",
							      "container" };
	struct exit_count *x;
	int i;

	w_family(w, "jvmtap_jvm_exits_total", "counter",
		 "JVMs that ended, by how: reason=\"exit\" with its exit code, or \"signal\" with the "
		 "killing signal (9 for the OOM killer and kill -9).");
	for (x = exits; x; x = x->next) {
		struct label a[] = { { "reason", x->reason }, { "code", x->code } };
		struct label id[IDENTITY_NLABELS];

		for (i = 0; i < IDENTITY_NLABELS; i++)
			id[i] = (struct label){ names[i], x->id[i] };
		w_sample(w, "jvmtap_jvm_exits_total", a, 2, id, IDENTITY_NLABELS, x->n);
	}
}

/* Exit counts of containers gone past the grace period go with them. */
static void exits_maintain(time_t now)
{
	struct exit_count **pp = &exits, *x;

	while ((x = *pp)) {
		if (identity_labels(x->cgroup_id, NULL, now) == IDENTITY_STALE) {
			*pp = x->next;
			free(x);
			continue;
		}
		pp = &x->next;
	}
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct jvm_exec_event *e = data;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	if (e->type == JVM_EV_EXIT) {
		record_exit(e->pid, e->code);
		return 0;
	}
	if (npending == PENDING_MAX) {
		jvm_errors[JVM_ERR_PENDING_FULL]++;
		return 0;
	}
	pending[npending].pid = e->pid;
	pending[npending].since = time(NULL);
	pending[npending].deadline = pending[npending].since + PENDING_SECONDS;
	npending++;
	return 0;
}

/* Called every loop turn (~100 ms): new JVMs are attached well within a second. */
static void jvm_tick(void)
{
	time_t now = time(NULL);
	struct jvm *j;
	int i, err;

	if (!skel)
		return;
	ring_buffer__consume(rb);
	for (j = jvms; j; j = j->next)
		if (!j->gone_at)
			jvm_threads_baseline(j); /* rate-limited to once a second per JVM */
	for (i = 0; i < npending;) {
		err = check_pid(pending[i].pid);
		if (err != -ENOENT || now > pending[i].deadline) {
			pending[i] = pending[--npending];
			continue;
		}
		i++;
	}
}

/* Forgets everything the kernel holds for an exited JVM. */
static void jvm_purge(struct jvm *j)
{
	int fd = bpf_map__fd(skel->maps.gc_pauses);
	struct jvm_gc_key keys[64], *prev = NULL;
	__u32 tgid = j->pid, tid, *tprev = NULL, tids[256];
	struct jvm_thread_state st;
	int n = 0, i;

	while (n < 64 && bpf_map_get_next_key(fd, prev, &keys[n]) == 0) {
		prev = &keys[n];
		if (keys[n].tgid == tgid)
			n++;
	}
	for (i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &keys[i]);
	bpf_map_delete_elem(bpf_map__fd(skel->maps.safepoints), &tgid);
	bpf_map_delete_elem(bpf_map__fd(skel->maps.threads), &tgid);
	/* A JVM killed inside a pause leaves its VM thread's state: drop it. */
	fd = bpf_map__fd(skel->maps.thread_state);
	n = 0;
	while (n < 256 && bpf_map_get_next_key(fd, tprev, &tid) == 0) {
		tids[n] = tid;
		tprev = &tids[n];
		if (bpf_map_lookup_elem(fd, &tid, &st) == 0 && st.tgid == tgid)
			n++;
	}
	for (i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &tids[i]);
	cpu_track_process(tgid, false);
	jvm_forget_threads(j);
}

static void jvm_remove(struct jvm *j)
{
	struct jvm **pp;

	for (pp = &jvms; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	jvm_purge(j);
	lib_put(j->lib);
	free(j);
}

static void jvm_maintain(time_t now)
{
	struct jvm **pp, *j;
	unsigned long long start;

	if (!skel)
		return;
	exits_maintain(now);
	lib_reap(now);
	if (now - last_scan >= SCAN_INTERVAL) {
		last_scan = now;
		scan_proc();
	}
	/* One pass over the per-thread map folds the exited threads of every JVM. */
	jvm_fold_exited_threads(NULL);
	for (pp = &jvms; (j = *pp);) {
		if (!j->gone_at && (proc_starttime(j->pid, &start) || start != j->start))
			j->gone_at = now;
		if (j->gone_at && now - j->gone_at > (time_t)cfg.grace_period_s) {
			*pp = j->next;
			jvm_purge(j);
			lib_put(j->lib);
			free(j);
			continue;
		}
		if (!j->gone_at)
			jvm_threads_baseline(j);
		pp = &j->next;
	}
}

static int jvm_open(void)
{
	int err;

	skel = jvm_bpf__open_opts(bpfutil_open_opts());
	if (!skel)
		return -errno;
	/* Exits are watched for the JVMs the CPU collector accounts: one shared set. */
	if (cpu_jvm_tgids_fd() >= 0)
		bpf_map__reuse_fd(skel->maps.jvm_tgids, cpu_jvm_tgids_fd());
	bpfutil_cap_maps(skel->obj);
	err = jvm_bpf__load(skel);
	if (!err) {
		exec_link = bpf_program__attach(skel->progs.jvm_exec);
		exit_link = bpf_program__attach(skel->progs.jvm_exit);
		err = exec_link && exit_link ? 0 : -errno;
		rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
		if (!rb)
			err = -errno;
	}
	if (err) {
		log_warn("jvm: cannot load the JVM programs (%s): JVMs are not monitored",
			 strerror(-err));
		bpfutil_track_prog("jvm_exec", "raw_tp", NULL, false);
		jvm_bpf__destroy(skel);
		skel = NULL;
		return 0;
	}
	bpfutil_track_prog("jvm_exec", "raw_tp", skel->progs.jvm_exec, true);
	bpfutil_track_prog("jvm_exit", "raw_tp", skel->progs.jvm_exit, true);
	bpfutil_track_prog("jvm_gc_begin", "usdt", skel->progs.gc_begin, true);
	bpfutil_track_prog("jvm_gc_end", "usdt", skel->progs.gc_end, true);
	bpfutil_track_prog("jvm_mem_pool_gc_begin", "usdt", skel->progs.mem_pool_gc_begin, true);
	bpfutil_track_prog("jvm_mem_pool_gc_end", "usdt", skel->progs.mem_pool_gc_end, true);
	bpfutil_track_prog("jvm_safepoint_begin", "usdt", skel->progs.safepoint_begin, true);
	bpfutil_track_prog("jvm_safepoint_end", "usdt", skel->progs.safepoint_end, true);
	bpfutil_track_prog("jvm_thread_start", "usdt", skel->progs.thread_start, true);
	bpfutil_track_prog("jvm_thread_stop", "usdt", skel->progs.thread_stop, true);
	bpfutil_track_map("jvm_thread_state", skel->maps.thread_state,
			  &skel->bss->thread_state_update_failures);
	bpfutil_track_map("jvm_gc_pauses", skel->maps.gc_pauses, &skel->bss->gc_pauses_update_failures);
	bpfutil_track_map("jvm_safepoints", skel->maps.safepoints, &skel->bss->safepoints_update_failures);
	bpfutil_track_map("jvm_threads", skel->maps.threads, &skel->bss->threads_update_failures);
	bpfutil_track_map("jvm_events", skel->maps.events, &skel->bss->events_dropped);
	last_scan = time(NULL);
	scan_proc();
	return 0;
}

static void jvm_close(void)
{
	struct jvm *j, *jn;

	for (j = jvms; j; j = jn) {
		jn = j->next;
		free(j);
	}
	jvms = NULL;
	lib_close_all();
	ring_buffer__free(rb);
	rb = NULL;
	bpf_link__destroy(exec_link);
	bpf_link__destroy(exit_link);
	exec_link = exit_link = NULL;
	while (exits) {
		struct exit_count *x = exits;

		exits = x->next;
		free(x);
	}
	jvm_bpf__destroy(skel);
	skel = NULL;
}

struct jvm_bpf *jvm_skel(void)
{
	return skel;
}

static int jvm_wake_fd(void)
{
	return rb ? ring_buffer__epoll_fd(rb) : -1;
}

static int jvm_next_tick_ms(void)
{
	time_t now = time(NULL);
	int i;

	for (i = 0; i < npending; i++)
		if (now - pending[i].since <= 1)
			return PENDING_FAST_MS;
	return -1;
}

const struct collector jvm_collector = {
	.name = "jvm",
	.open = jvm_open,
	.tick = jvm_tick,
	.wake_fd = jvm_wake_fd,
	.next_tick_ms = jvm_next_tick_ms,
	.collect = jvm_collect,
	.maintain = jvm_maintain,
	.close = jvm_close,
};
