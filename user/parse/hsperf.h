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
	size_t off; /* where the data starts, from the start of the buffer */
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
	long long gen_max[2]; /* sun.gc.generation.{0,1}.maxCapacity; 0 when absent */
};

/*
 * hsperf_parse() into a struct hsperf_jvm. Strings longer than their field are cut (always
 * NUL-terminated); collectors and spaces past the array sizes are dropped. out is always
 * initialised; on error it holds whatever the entries before the bad one provided.
 */
enum hsperf_err hsperf_read_jvm(const void *buf, size_t len, struct hsperf_jvm *out);

/*
 * Where a file's counters are, learned by one full read: the offset of every long that
 * hsperf_read_jvm() took and the field it went to. HotSpot only appends entries, and never moves
 * one, so while the prologue still says the same used and num_entries, those offsets hold the
 * same counters and a re-read of the file reads only them (as jstat does once it knows the
 * file), not every entry by name.
 */
#define HSPERF_LAYOUT_MAX 96
struct hsperf_layout {
	int n; /* slots; -1: more longs than slots, always read in full */
	int big;
	long long used, num_entries, entry_offset;
	long long end; /* where the learning walk ended: a copy shorter than this is read in full */
	unsigned int cls_seen;
	struct {
		unsigned int off;	/* of the long in the file */
		unsigned short kind;	/* where it goes: a field of the struct, or a class count */
		unsigned short dst;	/* the field's byte offset, or the class count's index */
	} slot[HSPERF_LAYOUT_MAX];
};

/* hsperf_read_jvm() that also learns lay (lay->n is 0 when the read failed). */
enum hsperf_err hsperf_learn_jvm(const void *buf, size_t len, struct hsperf_jvm *out,
				 struct hsperf_layout *lay);
/* Updates the longs of out (the result of the read that learned lay) from a new copy of the
 * same file: 0, or 1 when the file must be read in full again (its prologue no longer matches
 * lay, it ends before the entries the learning read visited, it is not accessible, or lay is not usable). out is left as
 * it was on 1. */
int hsperf_reread_jvm(const void *buf, size_t len, const struct hsperf_layout *lay,
		      struct hsperf_jvm *out);

#endif
