/* The per-JVM and per-container figures `jvmtap top` and `jvmtap dump` show: a snapshot is what
 * one render of the collectors said (read through the writer's sink), a row is the difference of
 * two snapshots over their interval. */
#ifndef JVMTAP_ROWS_H
#define JVMTAP_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include "writer.h"

#define ROWS_MAX_BUCKETS 48
#define ROWS_NKINDS 4 /* app, gc, jit, vm: jvmtap_jvm_cpu_seconds_total's thread_kind */

enum { KIND_APP_I, KIND_GC_I, KIND_JIT_I, KIND_VM_I };
#define ROWS_FLINK_NAME 128 /* a task's name as the collector keeps it (JVM_THREAD_NAME_LEN) */
/* "app", "gc", "jit", "vm": jvmtap_jvm_cpu_seconds_total's thread_kind values. */
const char *rows_kind_name(int kind);

/*
 * One of a JVM's Flink figures in one snapshot: the CPU of one of a TaskManager's tasks
 * (jvmtap_flink_task_cpu_seconds_total) or the calls of one RocksDB/ForSt state op
 * (jvmtap_flink_state_op_duration_seconds' _count and _sum; the buckets are not kept).
 */
struct flink_acc {
	int pid;
	bool op;                    /* a state op; else a task */
	char name[ROWS_FLINK_NAME]; /* the task ("Source: orders -> Map") or the op ("get") */
	char backend[16];           /* an op's: "rocksdb", "forst" */
	double count, sum;          /* an op's calls and seconds inside them; a task's CPU seconds */
};

/* Cumulative values of one JVM (pid > 0) or one container (pid 0) in one snapshot. */
struct acc {
	int pid;
	double start;        /* JVM start, seconds since the epoch; 0 unknown */
	char main_class[160];
	char flink_role[24];
	char container_id[80], ns[80], pod[256], container[80];
	double cpu_kind[ROWS_NKINDS]; /* JVM thread kinds; for a container, its JVMs' sums */
	double cpu;          /* a JVM's kinds summed; a container's cgroup CPU */
	double gc_count, gc_sum, sp_sum;
	double le[ROWS_MAX_BUCKETS], cum[ROWS_MAX_BUCKETS]; /* GC pause buckets, all collectors */
	int nb;
	double gc_max;       /* longest pause in the window just closed (jvm_window_advance) */
	bool have_max;
	double threads;      /* Java threads; for a container, its OS threads */
	bool have_threads;
	double heap_used, heap_max;
	bool have_heap;
	double rx, tx;       /* socket payload bytes received / sent */
	int njvms;           /* containers: JVMs in it */
	const struct flink_acc *fl; /* a JVM's Flink figures, in its snapshot's fl: tasks by */
	size_t nfl;                 /* name, then ops by backend and op */
};

struct snapshot {
	double mono;         /* CLOCK_MONOTONIC seconds at capture */
	double wall;         /* seconds since the epoch at capture */
	struct acc *jvm, *ctr;
	size_t njvm, nctr, jvm_cap, ctr_cap;
	struct flink_acc *fl;
	size_t nfl, fl_cap;
	size_t jvm_hint, ctr_hint; /* where the last sample's JVM / container was found */
	bool failed;         /* out of memory: the snapshot is incomplete */
};

/* Starts a snapshot: s receives every sample written to w until rows_capture_end(). */
void rows_capture_begin(struct snapshot *s, struct writer *w);
/* Stops receiving, adds each JVM's figures into its container's and points each JVM at its
 * Flink figures. */
void rows_capture_end(struct snapshot *s, struct writer *w);
void rows_free(struct snapshot *s);
/* The collectors stop writing a JVM's start time once it has exited: cur's JVMs without one take
 * it from older's (same pid), so an exited JVM stays the same row and keeps its rates. */
void rows_inherit(struct snapshot *cur, const struct snapshot *older);

/* One JVM's or container's figures over the interval between two snapshots. */
struct row {
	const struct acc *a; /* in the newer snapshot */
	const struct acc *b; /* the same JVM or container in the older one, NULL if it is new */
	bool rates;          /* false: not in the older snapshot (nor new since), no rates yet */
	double dt;           /* seconds */
	double cpu_pct, kind_pct[ROWS_NKINDS]; /* 100 = one CPU */
	double gc_per_s, gc_p99, gc_max, gc_pct, sp_pct, gc_n;
	double rx_per_s, tx_per_s;
};

enum rows_col {
	COL_CPU, COL_APP, COL_GC, COL_JIT, COL_GCPS, COL_P99, COL_MAX, COL_GCPCT, COL_SPPCT,
	COL_THREADS, COL_HEAP, COL_RX, COL_TX, COL_PID, COL_NAME, COL__N
};
#define TOP_SORT_NAMES "cpu, app, gc, jit, gcps, p99, max, gctime, sptime, threads, heap, rx, tx, pid, name"
int rows_col_of(const char *name);      /* -1 if unknown */
const char *rows_col_name(int col);

/* 0 if re is a valid extended regular expression. */
int rows_check_regex(const char *re);

struct rows_filter {
	const char *ns, *pod;  /* exact, NULL: any */
	void *re;              /* compiled regex_t, NULL: any */
};

/*
 * Rows of cur's JVMs (containers when containers is set) that pass f, sorted by col (numbers
 * largest first, name ascending; reversed with reverse). Cgroups that are not Kubernetes
 * containers (nor the root) are left out while they have no JVM and used no CPU in the
 * interval. *out is malloc'd; returns the count or -1 on allocation failure. prev may be NULL
 * (no rates).
 */
int rows_build(const struct snapshot *prev, const struct snapshot *cur, bool containers,
	       const struct rows_filter *f, int col, bool reverse, struct row **out);

/* "namespace/pod/container", or "-" outside a container (container_id "/"). */
void rows_identity(const struct acc *a, char *buf, size_t size);

#endif
