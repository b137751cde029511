/* The bottom of the JVM module: the JVMs jvmtap knows, found by pid. jvm.c adds and removes
 * them and refreshes their fields in tick and maintain; everything else reads. Other collectors
 * (net.c) use jvm_lookup() only. */
#ifndef JVMTAP_JVM_REGISTRY_H
#define JVMTAP_JVM_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <linux/types.h>
#include "hotspot.h"
#include "jvmtap/jvm.h"

enum jvm_error { JVM_ERR_ATTACH, JVM_ERR_PENDING_FULL, JVM_ERR__N };

#define JVM_MAX_JNI 4 /* JNI library kinds watched (jvm_watch_jni) */

struct libprobe;

struct jvm {
	pid_t pid;
	unsigned long long start; /* starttime in ticks: tells a reused pid apart */
	char main_class[128];
	const char *flink_role;
	struct libprobe *lib; /* its libjvm */
	struct libprobe *jni[JVM_MAX_JNI]; /* the watched JNI libraries it has loaded */
	time_t gone_at;
	uint64_t cgroup_id; /* at discovery, refreshed by maintain while it lives, kept after */
	char java_version[64], gc_policy[64]; /* kept once read: jvm_info's labels stay put */
	time_t next_info_try;
	unsigned info_misses; /* tries in a row that found no hsperfdata (hotspot_info_retry_s) */

	/* Java threads = base + (events now - events at base); known once a baseline exists. */
	bool threads_from_start; /* started after its libjvm's probes: every thread start seen */
	bool threads_known;
	time_t next_baseline_try;
	unsigned baseline_tries;
	long long base_live, base_daemon, base_started;
	struct jvm_threads base_ev;

	/* CPU by thread kind: time before tracking (from /proc) and of exited threads, in ns. */
	uint64_t kind_ns[KIND__N];
	bool cpu_tracked; /* the CPU collector accounts its threads */
	struct jvm_tasks *tasks; /* a TaskManager's CPU per Flink task (tasks.c); NULL until one */
	/* /proc/PID/statm and /proc/PID/fd, kept open by metrics.c (a scrape re-reads them without
	 * a path walk); -1 until then, closed by jvm_proc_close(). */
	int statm_fd, fds_fd;
	struct jvm *next;
};

/* What a reader outside the JVM module may know of a JVM. */
struct jvm_ref {
	pid_t pid;
	unsigned long long start; /* tells a reused pid apart */
	uint64_t cgroup_id;
	const char *flink_role;
	bool gone;
};

struct jvm *jvm_find(pid_t pid);
/* Up to max of the JVMs, as readers outside the module see them; the number copied. */
int jvm_refs(struct jvm_ref *out, int max);
/* 0 and *out filled, or -ENOENT. */
int jvm_lookup(pid_t pid, struct jvm_ref *out);
/* Iteration: jvm_next(NULL) is the first. */
struct jvm *jvm_next(const struct jvm *prev);
int jvm_count(void);
void jvm_add(struct jvm *j);
/* Takes j out of the registry (the caller frees it). */
void jvm_unlink(struct jvm *j);

void jvm_count_error(enum jvm_error e);
uint64_t jvm_errors(enum jvm_error e);
const char *jvm_error_name(enum jvm_error e);

#endif
