/* Pure parser for HotSpot hsperfdata files, the perf counters a JVM exports under /tmp. */
#ifndef JVMTAP_HSPERF_H
#define JVMTAP_HSPERF_H

#include <stddef.h>

/* Layout sizes of format version 2 (HotSpot perfMemory.hpp), exported for tests and fuzzers. */
#define HSPERF_PROLOGUE_SIZE 32
#define HSPERF_ENTRY_HDR_SIZE 20

enum hsperf_err {
	HSPERF_OK = 0,
	HSPERF_TRUNCATED,   /* buf ends before the prologue or an entry that `used` says exists */
	HSPERF_BAD_MAGIC,   /* not an hsperfdata file (magic or byte-order byte) */
	HSPERF_BAD_VERSION, /* major version other than 2 */
	HSPERF_BAD_ENTRY,   /* an offset or length points outside its entry, `used` or buf */
	HSPERF_NOT_READY,   /* accessible == 0: the JVM is still initialising the file */
	HSPERF__N
};

/* "ok", "truncated", "bad_magic", "bad_version", "bad_entry", "not_ready"; "unknown" otherwise. */
const char *hsperf_err_name(enum hsperf_err e);

/*
 * One counter. For HSPERF_STRING, s points into the caller's buffer and is NOT NUL-terminated:
 * slen stops at the first NUL within the vector, or is the whole vector when it holds none.
 */
struct hsperf_value {
	enum hsperf_kind { HSPERF_LONG, HSPERF_STRING } kind;
	long long l;
	const char *s;
	size_t slen;
};

/* Returns 0 to continue, nonzero to stop the walk (hsperf_parse then returns HSPERF_OK). */
typedef int (*hsperf_cb)(const char *name, const struct hsperf_value *v, void *arg);

/*
 * Walks the entries of an hsperfdata image in file order. The byte order is the one the file
 * declares, whatever the host's. 'J' scalars are reported as HSPERF_LONG, 'B' vectors in string
 * units as HSPERF_STRING; every other entry is checked for a sane header and name, then skipped.
 * name is a NUL-terminated string inside buf.
 *
 * Nothing read from buf is trusted: each entry must lie within both `used` and len, its name
 * and data within the entry. num_entries is only an upper bound: the walk ends early, with
 * HSPERF_OK, when the entries exactly fill `used`.
 *
 * The callback may already have been called when an error is returned. A reader racing a JVM
 * that is creating a counter can see HSPERF_BAD_ENTRY (HotSpot counts the entry before filling
 * it in); retrying a fresh copy later is the cure.
 */
enum hsperf_err hsperf_parse(const void *buf, size_t len, hsperf_cb cb, void *arg);

#define HSPERF_MAX_COLLECTORS 4
#define HSPERF_MAX_SPACES 8

/* What jvmtap needs from one file; fields are -1 (strings "") when the counter is absent. */
struct hsperf_jvm {
	long long hrt_frequency; /* sun.os.hrt.frequency: ticks per second */
	long long threads_live, threads_daemon, threads_peak, threads_started; /* java.threads.* */
	/* java.cls.{loaded,unloaded}Classes plus the shared (CDS) ones, as jstat -class shows */
	long long classes_loaded, classes_unloaded;
	long long safepoints, safepoint_time_ticks; /* sun.rt.safepoints, sun.rt.safepointTime */
	char java_version[64]; /* java.property.java.version, else java.property.java.vm.version */
	char gc_policy[64];    /* sun.gc.policy.name */
	char main_class[256];  /* sun.rt.javaCommand up to the first space */
	int ncollectors;       /* highest sun.gc.collector.N seen (N < 4), plus one */
	struct {
		char name[64];
		long long invocations, time_ticks;
	} collector[HSPERF_MAX_COLLECTORS]; /* sun.gc.collector.N.{name,invocations,time} */
	int nspaces;
	/* sun.gc.generation.G.space.S.{name,used,capacity,maxCapacity}, sorted by (G, S) */
	struct {
		char name[32];
		int gen;
		long long used, capacity, max;
	} space[HSPERF_MAX_SPACES];
	/* sun.gc.metaspace.*, sun.gc.compressedclassspace.*: {used,capacity,maxCapacity} */
	struct {
		long long used, capacity, max;
	} metaspace, ccs;
};

/*
 * hsperf_parse() into a struct hsperf_jvm. Strings longer than their field are cut (always
 * NUL-terminated); collectors and spaces past the array sizes are dropped. out is always
 * initialised; on error it holds whatever the entries before the bad one provided.
 */
enum hsperf_err hsperf_read_jvm(const void *buf, size_t len, struct hsperf_jvm *out);

#endif
