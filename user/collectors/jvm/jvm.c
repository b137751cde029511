/* The JVM collector: finds JVMs (/proc scan, exec notifications) and adds them to the registry,
 * attaches the HotSpot USDT programs of bpf/jvm.bpf.c to their libjvm files through the library
 * probe registry, refreshes what it knows of each in tick and maintain, and forgets them after
 * the grace period. metrics.c writes the families. */
#include <argp.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "args.h"
#include "bpfutil.h"
#include "collector.h"
#include "config.h"
#include "cpu.h"
#include "exits.h"
#include "gcprobes.h"
#include "heap.h"
#include "hotspot.h"
#include "identity.h"
#include "jvm.h"
#include "jvm.skel.h"
#include "libprobe.h"
#include "log.h"
#include "mapsnap.h"
#include "metrics.h"
#include "procfs.h"
#include "readfile.h"
#include "registry.h"
#include "tasks.h"
#include "threads.h"
#include "worker.h"

#define PENDING_MAX 256
#define PENDING_SECONDS 10 /* an exec'd "java" has this long to map libjvm */
/* How often a pending "java" is looked at in its first second: HotSpot starts collecting within
 * ~100 ms of exec, and pauses before the probes are attached are not seen. */
#define PENDING_FAST_MS 2

/* JVMs not launched as "java" are found by a full /proc scan, on a worker thread: it reads the
 * maps of every process on the node. */
static struct {
	unsigned scan_interval_ms;
} jvm_cfg = { .scan_interval_ms = 30000 };

enum { OPT_SCAN = 1700 };

static const struct argp_option options[] = {
	{ "jvm.scan-interval", OPT_SCAN, "DURATION", 0, "How often every process is checked for a libjvm.so, for JVMs not started as \"java\" (default 30s)", 0 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *st)
{
	switch (key) {
	case OPT_SCAN:
		if (flag_millis(arg, 100, 24 * 3600000u, &jvm_cfg.scan_interval_ms))
			argp_error(st, "--jvm.scan-interval: '%s' is not a duration in 100ms..24h (30s, 2m)", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = { options, parse_opt, NULL, NULL, NULL, NULL, NULL };

/* What the scan worker found: pids that map libjvm.so. */
struct pidlist {
	size_t n;
	pid_t pid[];
};
static struct libprobe_kind *jni_kinds[JVM_MAX_JNI];
static int njni;
static struct worker *scan_worker;
static struct snapshot scan_snap = SNAPSHOT_INIT(free);
static unsigned long scan_seen; /* generation of scan_snap already taken */
static time_t last_jni_scan;

static struct jvm_bpf *skel;
static struct ring_buffer *rb;
static struct bpf_link *exec_link, *exit_link;
static struct {
	pid_t pid;
	time_t deadline;
	time_t since;
} pending[PENDING_MAX];
static int npending;

static int proc_starttime(pid_t pid, unsigned long long *start)
{
	char path[PATH_MAX], *buf;
	size_t len;
	int err;

	snprintf(path, sizeof(path), "%s/%d/stat", cfg.procfs, pid);
	err = read_file(path, &buf, &len, 4096);
	if (err)
		return err;
	err = stat_starttime(buf, len, start);
	free(buf);
	return err;
}

static void jvm_remove(struct jvm *j);
static void scan_jni(struct jvm *j);

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
	err = read_file(path, &buf, &len, 64u << 20);
	if (err) /* no /proc/PID: gone, not "no libjvm yet", so it leaves the waiting list now */
		return err == -ENOENT ? -ESRCH : err;
	err = maps_find_lib(buf, len, hotspot_kind.file, &m, &deleted);
	free(buf);
	if (err)
		return err;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->pid = pid;
	j->statm_fd = j->fds_fd = -1;
	if (proc_starttime(pid, &j->start)) {
		free(j);
		return -ESRCH;
	}
	j->lib = libprobe_get(&hotspot_kind, pid, &m);
	/* Probes already in place when the JVM started saw every thread it started (a tick of
	 * margin: starttime has clock-tick resolution). */
	j->threads_from_start = libprobe_attached(j->lib) &&
				j->start > libprobe_attached_ticks(j->lib) + 1;
	snprintf(path, sizeof(path), "%s/%d/cmdline", cfg.procfs, pid);
	j->flink_role = "none";
	if (read_file(path, &buf, &len, 1u << 20) == 0) {
		char full[512];

		if (cmdline_main_class(buf, len, j->main_class, sizeof(j->main_class)))
			snprintf(j->main_class, sizeof(j->main_class), "unknown");
		if (cmdline_main_class_full(buf, len, full, sizeof(full)) == 0)
			j->flink_role = flink_role_of(full);
		free(buf);
	}
	j->cgroup_id = identity_cgroup_of_pid(pid);
	/* Followed one by one: its exit, its sockets and (with the CPU collector) its threads. */
	j->cpu_tracked = bpfutil_follow_tgid(pid, strcmp(j->flink_role, "taskmanager")
							  ? JVM_TGID_FOLLOW
							  : JVM_TGID_NAMES) == 0 &&
			 cpu_accounts_threads();
	jvm_baseline_cpu(j);
	jvm_threads_baseline(j, bpf_map__fd(skel->maps.threads));
	jvm_add(j);
	scan_jni(j);
	log_info("jvm: found pid %d (%s), usdt=%s", pid, j->main_class,
		 libprobe_attached(j->lib) ? "true" : "false");
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

/* The worker's scan: no registry, no lock; tick() takes what it found. */
static int scan_refresh(void *arg)
{
	struct pidlist *l = NULL, *g;
	size_t cap = 0, len;
	struct maps_lib m;
	struct dirent *d;
	char path[PATH_MAX], *buf, *end;
	int deleted;
	long pid;
	DIR *dp;

	(void)arg;
	dp = opendir(cfg.procfs);
	if (!dp)
		return -errno;
	l = calloc(1, sizeof(*l));
	while (l && (d = readdir(dp))) {
		pid = strtol(d->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%ld/maps", cfg.procfs, pid);
		if (read_file(path, &buf, &len, 64u << 20))
			continue;
		if (maps_find_lib(buf, len, hotspot_kind.file, &m, &deleted) == 0) {
			if (l->n == cap) {
				cap = cap ? cap * 2 : 64;
				g = realloc(l, sizeof(*l) + cap * sizeof(l->pid[0]));
				if (!g) {
					free(buf);
					free(l);
					l = NULL;
					break;
				}
				l = g;
			}
			l->pid[l->n++] = pid;
		}
		free(buf);
	}
	closedir(dp);
	if (!l)
		return -ENOMEM;
	snapshot_publish(&scan_snap, l);
	return 0;
}

static void take_scan(void)
{
	struct pidlist *l, *copy = NULL;
	unsigned long gen;
	size_t i;

	l = snapshot_hold(&scan_snap, &gen);
	if (l && gen != scan_seen && (copy = malloc(sizeof(*l) + l->n * sizeof(l->pid[0]))))
		memcpy(copy, l, sizeof(*l) + l->n * sizeof(l->pid[0]));
	if (copy)
		scan_seen = gen;
	snapshot_release(&scan_snap);
	for (i = 0; copy && i < copy->n; i++)
		check_pid(copy->pid[i]);
	free(copy);
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct jvm_exec_event *e = data;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	if (e->type == JVM_EV_EXIT) {
		jvm_exit_record(e->pid, e->code);
		return 0;
	}
	if (npending == PENDING_MAX) {
		jvm_count_error(JVM_ERR_PENDING_FULL);
		return 0;
	}
	pending[npending].pid = e->pid;
	pending[npending].since = time(NULL);
	pending[npending].deadline = pending[npending].since + PENDING_SECONDS;
	npending++;
	return 0;
}

/* The version and GC policy jvm_info shows, from hsperfdata once it is readable (tried every
 * second, less and less often while the JVM has no file: hotspot_info_retry_s()); and a cgroup
 * for a JVM whose /proc could not say at discovery. */
static void learn_info(struct jvm *j, time_t now)
{
	struct hsperf_jvm *hs;
	int err;

	if (!j->cgroup_id)
		j->cgroup_id = identity_cgroup_of_pid(j->pid);
	if (j->java_version[0] || now < j->next_info_try || !(hs = malloc(sizeof(*hs))))
		return;
	err = jvm_read_hsperf(j->pid, hs);
	j->next_info_try = now + hotspot_info_retry_s(err, &j->info_misses);
	if (err == 0) {
		snprintf(j->java_version, sizeof(j->java_version), "%s", hs->java_version);
		snprintf(j->gc_policy, sizeof(j->gc_policy), "%s", hs->gc_policy);
	}
	free(hs);
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
	take_scan();
	for (j = jvm_next(NULL); j; j = jvm_next(j))
		if (!j->gone_at) {
			jvm_threads_baseline(j, bpf_map__fd(skel->maps.threads)); /* once a second */
			learn_info(j, now);
			/* A TaskManager loads RocksDB when its first stateful task is deployed and
			 * calls it right away: its maps are read every second, others' at each
			 * maintenance. */
			if (now != last_jni_scan && !strcmp(j->flink_role, "taskmanager"))
				scan_jni(j);
		}
	last_jni_scan = now;
	for (i = 0; i < npending;) {
		err = check_pid(pending[i].pid);
		if (err != -ENOENT || now > pending[i].deadline) {
			pending[i] = pending[--npending];
			continue;
		}
		i++;
	}
}

/* Deletes the entries of map fd whose key (or, by_value, value) holds tgid at offset off. */
static void delete_of(int fd, pid_t tgid, bool by_value, size_t off)
{
	struct mapsnap m;
	size_t i, n = 0;
	__u32 t;

	if (mapsnap_read(fd, 0, &m))
		return;
	for (i = 0; i < m.n; i++) {
		memcpy(&t, (const char *)(by_value ? mapsnap_val(&m, i, 0) : mapsnap_key(&m, i)) + off,
		       sizeof(t));
		if (t == (__u32)tgid)
			memmove(m.keys + n++ * m.ksize, mapsnap_key(&m, i), m.ksize);
	}
	map_delete_keys(fd, m.keys, n, m.ksize);
	mapsnap_free(&m);
}

/* Forgets everything the kernel holds for an exited JVM. */
static void jvm_purge(struct jvm *j)
{
	__u32 tgid = j->pid;

	delete_of(bpf_map__fd(skel->maps.gc_pauses), j->pid, false,
		  offsetof(struct jvm_gc_key, tgid));
	bpf_map_delete_elem(bpf_map__fd(skel->maps.safepoints), &tgid);
	bpf_map_delete_elem(bpf_map__fd(skel->maps.threads), &tgid);
	bpf_map_delete_elem(bpf_map__fd(skel->maps.gc_cycles), &tgid);
	/* A JVM killed inside a pause leaves its VM thread's state: drop it. */
	delete_of(bpf_map__fd(skel->maps.thread_state), j->pid, true,
		  offsetof(struct jvm_thread_state, tgid));
	bpfutil_unfollow_tgid(tgid);
	jvm_forget_threads(j);
}

static void jvm_remove(struct jvm *j)
{
	int i;

	jvm_unlink(j);
	jvm_purge(j);
	libprobe_put(j->lib);
	for (i = 0; i < njni; i++)
		libprobe_put(j->jni[i]);
	jvm_tasks_free(j);
	jvm_hsperf_forget(j->pid);
	jvm_proc_close(j);
	free(j);
}

int jvm_watch_jni(struct libprobe_kind *k)
{
	if (njni == JVM_MAX_JNI)
		return -ENOSPC;
	jni_kinds[njni] = k;
	return njni++;
}

struct libprobe *jvm_jni(pid_t pid, int kind)
{
	struct jvm *j = jvm_find(pid);

	return j && kind >= 0 && kind < njni ? j->jni[kind] : NULL;
}

/* The watched JNI libraries this JVM maps now and had not before, and its libjvm if that file
 * could not be reached at discovery (or its failed attach lost the process to retry through). */
static void scan_jni(struct jvm *j)
{
	char path[PATH_MAX], *buf;
	struct maps_lib m;
	int i, deleted;
	size_t len;

	for (i = 0; i < njni && j->jni[i]; i++)
		;
	if (i == njni && j->lib && !libprobe_needs_path(j->lib))
		return;
	snprintf(path, sizeof(path), "%s/%d/maps", cfg.procfs, j->pid);
	if (read_file(path, &buf, &len, 64u << 20))
		return;
	if ((!j->lib || libprobe_needs_path(j->lib)) &&
	    maps_find_lib(buf, len, hotspot_kind.file, &m, &deleted) == 0) {
		struct libprobe *l = libprobe_get(&hotspot_kind, j->pid, &m);

		if (l) { /* the same file: one more reference, one less */
			libprobe_put(j->lib);
			j->lib = l;
		}
	}
	for (i = 0; i < njni; i++)
		if (!j->jni[i] && maps_find_lib(buf, len, jni_kinds[i]->file, &m, &deleted) == 0)
			j->jni[i] = libprobe_get(jni_kinds[i], j->pid, &m);
	free(buf);
}

static void jvm_maintain(time_t now)
{
	struct jvm *j, *next;
	unsigned long long start;
	uint64_t cg;

	if (!skel)
		return;
	jvm_exits_maintain(now);
	libprobe_reap(now);
	libprobe_retry(now);
	/* One pass over the per-thread map folds the exited threads of every JVM. */
	jvm_fold_exited_threads(NULL);
	for (j = jvm_next(NULL); j; j = next) {
		next = jvm_next(j);
		if (!j->gone_at && (proc_starttime(j->pid, &start) || start != j->start))
			j->gone_at = now;
		if (j->gone_at && now - j->gone_at > (time_t)cfg.grace_period_s) {
			jvm_remove(j);
			continue;
		}
		if (j->gone_at)
			continue;
		/* A JVM moved to another cgroup is followed there; a gone one keeps its last. */
		if ((cg = identity_cgroup_of_pid(j->pid)))
			j->cgroup_id = cg;
		scan_jni(j);
		jvm_threads_baseline(j, bpf_map__fd(skel->maps.threads));
	}
}

static int jvm_open(void)
{
	int err;

	skel = jvm_bpf__open_opts(bpfutil_open_opts());
	if (!skel)
		return -errno;
	err = bpfutil_prepare(skel->obj);
	if (!err)
		err = jvm_bpf__load(skel);
	if (!err) {
		exec_link = bpf_program__attach(skel->progs.jvm_exec);
		exit_link = bpf_program__attach(skel->progs.jvm_exit);
		err = exec_link && exit_link ? 0 : -errno;
		rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
		if (!rb)
			err = -errno;
	}
	if (!err)
		err = hotspot_bind(skel->obj);
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
	hotspot_track();
	bpfutil_track_map("jvm_thread_state", skel->maps.thread_state,
			  &skel->bss->thread_state_update_failures);
	bpfutil_track_map("jvm_gc_pauses", skel->maps.gc_pauses, &skel->bss->gc_pauses_update_failures);
	bpfutil_track_map("jvm_safepoints", skel->maps.safepoints, &skel->bss->safepoints_update_failures);
	bpfutil_track_map("jvm_threads", skel->maps.threads, &skel->bss->threads_update_failures);
	bpfutil_track_map("jvm_events", skel->maps.events, &skel->bss->events_dropped);
	/* LRU: a full map evicts the oldest names, which then count as no task */
	bpfutil_track_map("jvm_thread_names", skel->maps.thread_names, NULL);
	/* LRU: an evicted JVM's next pauses stay unnamed until its next cycle begins */
	bpfutil_track_map("jvm_gc_cycles", skel->maps.gc_cycles, NULL);
	jvm_tasks_set_names_fd(bpf_map__fd(skel->maps.thread_names));
	/* JVMs already running are attached before jvmtap says it is ready; later ones not
	 * launched as "java" by the worker's scans. */
	scan_proc();
	scan_worker = worker_new("jvm", "jvm_scan", jvm_cfg.scan_interval_ms, scan_refresh, NULL);
	return 0;
}

static void jvm_close(void)
{
	struct jvm *j;

	worker_free(scan_worker);
	scan_worker = NULL;
	snapshot_clear(&scan_snap);
	scan_seen = 0;
	while ((j = jvm_next(NULL))) {
		jvm_unlink(j);
		jvm_tasks_free(j);
		jvm_hsperf_forget(j->pid);
		jvm_proc_close(j);
		free(j);
	}
	jvm_tasks_set_names_fd(-1);
	libprobe_close_all();
	njni = 0; /* the watching collectors register again when opened again */
	ring_buffer__free(rb);
	rb = NULL;
	bpf_link__destroy(exec_link);
	bpf_link__destroy(exit_link);
	exec_link = exit_link = NULL;
	jvm_exits_clear();
	jvm_bpf__destroy(skel);
	skel = NULL;
}

void jvm_window_advance(void)
{
	jvm_metrics_window_advance(skel);
}

static int jvm_collect(struct writer *w)
{
	return jvm_metrics_collect(w, skel, &hotspot_kind);
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
	.help = "JVMs: HotSpot USDT (GC pauses, safepoints, threads), hsperfdata, CPU by thread kind",
	.argp = &argp,
	.open = jvm_open,
	.tick = jvm_tick,
	.wake_fd = jvm_wake_fd,
	.next_tick_ms = jvm_next_tick_ms,
	.collect = jvm_collect,
	.maintain = jvm_maintain,
	.close = jvm_close,
};
