/* The JVM collector's shared state: jvm.c finds and attaches, jvm_metrics.c reads and writes. */
#ifndef JVMTAP_JVM_USER_H
#define JVMTAP_JVM_USER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <linux/types.h>
#include "hotspot.h"
#include "identity.h"
#include "jvmtap/jvm.h"
#include "writer.h"

#define NPROBES 8

enum jvm_error { JVM_ERR_ATTACH, JVM_ERR_PENDING_FULL, JVM_ERR__N };

struct libjvm {
	dev_t dev;
	ino_t ino;
	int refs;
	time_t idle_since; /* refs fell to 0: detached after the grace period */
	bool usdt;
	unsigned long long attached_ticks; /* boot time of the attach, in clock ticks */
	struct bpf_link *links[NPROBES];
	struct libjvm *next;
};

struct jvm {
	pid_t pid;
	unsigned long long start; /* starttime in ticks: tells a reused pid apart */
	char main_class[128];
	const char *flink_role;
	struct libjvm *lib;
	bool usdt;
	time_t gone_at;

	/* Java threads = base + (events now - events at base); known once a baseline exists. */
	bool threads_from_start; /* started after its libjvm's probes: every thread start seen */
	bool threads_known;
	time_t next_baseline_try;
	long long base_live, base_daemon, base_started;
	struct jvm_threads base_ev;

	/* CPU by thread kind: time before tracking (from /proc) and of exited threads, in ns. */
	uint64_t kind_ns[KIND__N];
	bool cpu_tracked; /* the CPU collector accounts its threads */
	uint64_t cgroup_id;
	char java_version[64], gc_policy[64]; /* kept once read: jvm_info's labels stay put */
	struct jvm *next;
};

/* Per-scrape view of one JVM. */
struct jvm_view {
	struct jvm *j;
	struct label id[IDENTITY_NLABELS];
	char pid[16];
	bool skip;
	uint64_t kind_ns[KIND__N];
	uint64_t cgroup_id;
	bool have_hsperf;
	struct jvm_hsperf hs;
};

extern struct jvm *jvms;
extern uint64_t jvm_errors[JVM_ERR__N];

struct jvm_bpf *jvm_skel(void);
/* Distinct libjvm files with HotSpot probes attached. */
int jvm_libs_attached(void);
struct jvm *jvm_find(pid_t pid);
int jvm_read_file(const char *path, char **buf, size_t *len, size_t max);

/* jvm.c */
void jvm_exits_collect(struct writer *w);

/* jvm_libs.c: the libjvm a process maps (m from its maps), attached on first use; NULL if it
 * cannot be reached. lib_put() when a JVM is forgotten; lib_reap() detaches files unused for
 * the grace period; lib_close_all() at exit. */
struct maps_lib;
struct libjvm *lib_get(pid_t pid, const struct maps_lib *m);
void lib_put(struct libjvm *l);
void lib_reap(time_t now);
void lib_close_all(void);

/* jvm_heap.c */
int jvm_read_hsperf(const struct jvm *j, struct jvm_hsperf *out);
void jvm_heap_collect(struct writer *w, struct jvm_view *views, int n);

/* jvm_metrics.c */
void jvm_baseline_cpu(struct jvm *j);
void jvm_fold_exited_threads(struct jvm *j);
void jvm_forget_threads(struct jvm *j);
void jvm_threads_baseline(struct jvm *j);
void jvm_collect(struct writer *w);

#endif
