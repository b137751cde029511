/* What the hsperfdata tests share: a writer of synthetic hsperfdata images in either byte order,
 * a callback that records what hsperf_parse() reports, and the real file
 * (tests/unit/data/hsperfdata_g1.bin) with what it holds. Header-only, for test_hsperf*.c. */
#ifndef JVMTAP_TESTS_UNIT_PARSE_HSPERF_IMAGE_H
#define JVMTAP_TESTS_UNIT_PARSE_HSPERF_IMAGE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "fixture.h"
#include "hsperf.h"

#define FIXTURE	    "tests/unit/data/hsperfdata_g1.bin"
#define FIXTURE_LEN 32768
#define HDR	    HSPERF_ENTRY_HDR_SIZE
#define PRO	    HSPERF_PROLOGUE_SIZE
#define NELEM(a)    (sizeof(a) / sizeof((a)[0]))

/* Prologue and entry field offsets, written out here so the tests do not share the parser's. */
#define P_BYTE_ORDER	4
#define P_MAJOR		5
#define P_MINOR		6
#define P_ACCESSIBLE	7
#define P_USED		8
#define P_OVERFLOW	12
#define P_MODTIME	16
#define P_ENTRY_OFFSET	24
#define P_NUM_ENTRIES	28
#define E_LENGTH	0
#define E_NAME_OFFSET	4
#define E_VECTOR_LENGTH 8
#define E_TYPE		12
#define E_UNITS		14
#define E_DATA_OFFSET	16

#define U_NONE	 1
#define U_BYTES	 2
#define U_STRING 5

/* ---- integers in the file's byte order ---- */

/* The n low bytes of u at p, big- or little-endian. */
static inline void put_n(unsigned char *p, int big, uint64_t u, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[big ? n - 1 - i : i] = (unsigned char)(u >> (8 * i));
}

static inline uint32_t get32(const unsigned char *p, int big)
{
	uint32_t u = 0;
	int i;

	for (i = 0; i < 4; i++)
		u |= (uint32_t)p[big ? 3 - i : i] << (8 * i);
	return u;
}

static inline uint32_t le32(const unsigned char *p)
{
	return get32(p, 0);
}

/* ---- a small hsperfdata writer ---- */

struct bld {
	unsigned char b[16384];
	size_t top;  /* where the next entry goes; `used` once finished */
	size_t last; /* offset of the last entry added */
	int big;
	int n;
};

static inline void put32(struct bld *B, size_t off, int64_t v)
{
	put_n(B->b + off, B->big, (uint32_t)v, 4);
}

static inline void put64(struct bld *B, size_t off, uint64_t u)
{
	put_n(B->b + off, B->big, u, 8);
}

static inline void bld_init(struct bld *B, int big)
{
	memset(B, 0, sizeof(*B));
	B->big = big;
	B->top = PRO;
}

/* Lays an entry out as HotSpot does: header, name, data (8-aligned for jlongs), 8-byte padding. */
static inline size_t add_entry(struct bld *B, const char *name, char type, int units, int32_t vlen,
			       const void *data, size_t dlen, size_t align)
{
	size_t e = B->top, nlen = strlen(name) + 1, doff;

	doff = (HDR + nlen + align - 1) / align * align;
	assert_true(e + doff + dlen + 8 <= sizeof(B->b));
	put32(B, e + E_NAME_OFFSET, HDR);
	put32(B, e + E_VECTOR_LENGTH, vlen);
	B->b[e + E_TYPE] = (unsigned char)type;
	B->b[e + E_UNITS] = (unsigned char)units;
	B->b[e + 15] = 1; /* constant */
	put32(B, e + E_DATA_OFFSET, (int64_t)doff);
	memcpy(B->b + e + HDR, name, nlen);
	if (dlen)
		memcpy(B->b + e + doff, data, dlen);
	put32(B, e + E_LENGTH, (int64_t)((doff + dlen + 7) / 8 * 8));
	B->top = e + (doff + dlen + 7) / 8 * 8;
	B->last = e;
	B->n++;
	return e;
}

static inline size_t add_long(struct bld *B, const char *name, long long v)
{
	static const unsigned char zero[8];
	size_t e = add_entry(B, name, 'J', U_NONE, 0, zero, sizeof(zero), 8);

	put64(B, e + get32(B->b + e + E_DATA_OFFSET, B->big), (uint64_t)v);
	return e;
}

/* A string vector of vlen bytes holding s (cut to vlen; NUL-padded when shorter). */
static inline size_t add_str(struct bld *B, const char *name, const char *s, int32_t vlen)
{
	char data[1024] = { 0 };
	size_t n = strlen(s);

	assert_true(vlen >= 0 && (size_t)vlen <= sizeof(data));
	memcpy(data, s, n < (size_t)vlen ? n : (size_t)vlen);
	return add_entry(B, name, 'B', U_STRING, vlen, data, (size_t)vlen, 1);
}

/* Writes the prologue; returns the length of the image. */
static inline size_t bld_finish(struct bld *B)
{
	B->b[0] = 0xca;
	B->b[1] = 0xfe;
	B->b[2] = 0xc0;
	B->b[3] = 0xc0;
	B->b[P_BYTE_ORDER] = B->big ? 0 : 1;
	B->b[P_MAJOR] = 2;
	B->b[P_MINOR] = 0;
	B->b[P_ACCESSIBLE] = 1;
	put32(B, P_USED, (int64_t)B->top);
	put32(B, P_OVERFLOW, 0);
	put64(B, P_MODTIME, 12345);
	put32(B, P_ENTRY_OFFSET, PRO);
	put32(B, P_NUM_ENTRIES, B->n);
	return B->top;
}

/* Three plain entries: the base most error cases corrupt. Returns the image length. */
static inline size_t small_file(struct bld *B, int big)
{
	bld_init(B, big);
	add_long(B, "a.first", 1);
	add_str(B, "a.second", "two", 8);
	add_long(B, "a.third", 3);
	return bld_finish(B);
}

/* The offset of entry k of a finished image (k == B->n: its end). */
static inline size_t entry_at(const struct bld *B, int k)
{
	size_t off = PRO;
	int i;

	for (i = 0; i < k; i++)
		off += get32(B->b + off, B->big);
	return off;
}

/* ---- a recording callback ---- */

#define REC_MAX 256

struct rec {
	int n;
	int stop_at; /* stop when n reaches this; 0: never */
	char name[REC_MAX][96];
	int kind[REC_MAX];
	long long l[REC_MAX];
	char s[REC_MAX][256];
	size_t slen[REC_MAX];
};

static inline int rec_cb(const char *name, const struct hsperf_value *v, void *arg)
{
	struct rec *r = arg;
	int i = r->n;

	if (i < REC_MAX) {
		snprintf(r->name[i], sizeof(r->name[i]), "%s", name);
		r->kind[i] = v->kind;
		r->l[i] = v->kind == HSPERF_LONG ? v->l : 0;
		if (v->kind == HSPERF_STRING) {
			assert_true(v->slen < sizeof(r->s[i]));
			memcpy(r->s[i], v->s, v->slen);
			r->s[i][v->slen] = '\0';
			r->slen[i] = v->slen;
		}
	}
	r->n++;
	return r->stop_at && r->n >= r->stop_at;
}

static inline struct rec *rec_new(void)
{
	struct rec *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	return r;
}

static inline enum hsperf_err parse(const void *buf, size_t len, struct rec *r)
{
	memset(r, 0, sizeof(*r));
	return hsperf_parse(buf, len, rec_cb, r);
}

/* hsperf_parse() of the first len bytes of buf returns err, after reporting n entries. */
static inline void expect_parse(const void *buf, size_t len, struct rec *r, enum hsperf_err err,
				int n)
{
	assert_int_equal(parse(buf, len, r), err);
	assert_int_equal(r->n, n);
}

/* ---- the real file ---- */

/* Its FIXTURE_LEN bytes, read once (in a buffer of exactly that size, for ASan) and kept. */
static inline const unsigned char *load_fixture(void)
{
	static char *fixture;
	size_t len;

	if (!fixture) {
		fixture = slurp(FIXTURE, &len);
		assert_int_equal(len, FIXTURE_LEN);
	}
	return (const unsigned char *)fixture;
}

/* Whether the entry at off of a little-endian image (the real file) is a jlong scalar. */
static inline int is_long(const unsigned char *b, uint32_t off)
{
	return b[off + E_TYPE] == 'J' && le32(b + off + E_VECTOR_LENGTH) == 0;
}

/*
 * The fixture is /tmp/hsperfdata_root/<pid> of `java -XX:+UseG1GC -Xmx64m -cp /tmp X` (OpenJDK
 * 17.0.15, Debian 12, x86_64), copied 1 s after start. X allocates 200000 byte[1024]s, calls
 * System.gc(), starts two sleeping daemon threads and sleeps. Taken right after the copy
 * (re-copying afterwards changed only sun.os.hrt.ticks):
 *
 * jstat -gc:
 *   S0C  S1C  S0U  S1U  EC     EU   OC     OU     MC    MU   CCSC  CCSU YGC YGCT  FGC FGCT
 *   0.0  0.0  0.0  0.0  6144.0 0.0  4096.0 1038.2 320.0 76.6 128.0 3.9  6   0.006 1   0.009
 *   CGC CGCT  GCT
 *   0   0.000 0.015
 * jstat -class:
 *   Loaded Bytes  Unloaded Bytes Time
 *   491    1277.8 0        0.0   0.02
 * jcmd <pid> PerfCounter.print:
 *   java.cls.loadedClasses=7  java.cls.sharedLoadedClasses=484  (491 = jstat's Loaded)
 *   java.cls.unloadedClasses=0  java.cls.sharedUnloadedClasses=0
 *   java.threads.live=8 daemon=7 livePeak=8 started=8
 *   sun.rt.safepoints=7  sun.rt.safepointTime=15595967  sun.os.hrt.frequency=1000000000
 *   sun.gc.policy.name="GarbageFirst"  sun.rt.javaCommand="X 600000"
 *   java.property.java.version="17.0.15"
 *   sun.gc.collector.0.name="G1 young collection pauses" invocations=6 time=6072596
 *   sun.gc.collector.1.name="G1 full collection pauses" invocations=1 time=8618680
 *   sun.gc.collector.2.name="G1 concurrent cycle pauses" invocations=0 time=0
 *
 * jstat's kB columns are bytes / 1024 of the space counters: EC 6144.0 = 6291464, OU 1038.2 =
 * 1063160, MU 76.6 = 78416, CCSU 3.9 = 4008; its seconds are ticks / frequency: YGCT 0.006 =
 * 6072596 / 1e9, FGCT 0.009 = 8618680 / 1e9.
 */
static inline void check_fixture_jvm(const struct hsperf_jvm *j)
{
	assert_true(j->hrt_frequency == 1000000000);
	assert_true(j->threads_live == 8);
	assert_true(j->threads_daemon == 7);
	assert_true(j->threads_peak == 8);
	assert_true(j->threads_started == 8);
	assert_true(j->classes_loaded == 491);
	assert_true(j->classes_unloaded == 0);
	assert_true(j->safepoints == 7);
	assert_true(j->safepoint_time_ticks == 15595967);
	assert_string_equal(j->java_version, "17.0.15");
	assert_string_equal(j->gc_policy, "GarbageFirst");
	assert_string_equal(j->main_class, "X");

	assert_int_equal(j->ncollectors, 3);
	assert_string_equal(j->collector[0].name, "G1 young collection pauses");
	assert_true(j->collector[0].invocations == 6);	    /* YGC */
	assert_true(j->collector[0].time_ticks == 6072596); /* YGCT 0.006 */
	assert_string_equal(j->collector[1].name, "G1 full collection pauses");
	assert_true(j->collector[1].invocations == 1);	    /* FGC */
	assert_true(j->collector[1].time_ticks == 8618680); /* FGCT 0.009 */
	assert_string_equal(j->collector[2].name, "G1 concurrent cycle pauses");
	assert_true(j->collector[2].invocations == 0); /* CGC */
	assert_true(j->collector[2].time_ticks == 0);
	assert_true(j->collector[3].invocations == -1);

	/* the file lists generation 1 first; the result is sorted */
	assert_int_equal(j->nspaces, 4);
	assert_string_equal(j->space[0].name, "eden");
	assert_int_equal(j->space[0].gen, 0);
	assert_true(j->space[0].used == 0);	      /* EU 0.0 */
	assert_true(j->space[0].capacity == 6291464); /* EC 6144.0 */
	assert_true(j->space[0].max == 67108872);
	assert_string_equal(j->space[1].name, "s0");
	assert_true(j->space[1].used == 0 && j->space[1].capacity == 8); /* S0U, S0C 0.0 */
	assert_true(j->space[1].max == 8);
	assert_string_equal(j->space[2].name, "s1");
	assert_true(j->space[2].used == 0 && j->space[2].capacity == 8); /* S1U, S1C 0.0 */
	assert_true(j->space[2].max == 67108872);
	assert_string_equal(j->space[3].name, "space");
	assert_int_equal(j->space[3].gen, 1);
	assert_true(j->space[3].used == 1063160);     /* OU 1038.2 */
	assert_true(j->space[3].capacity == 4194312); /* OC 4096.0 */
	assert_true(j->space[3].max == 67108872);

	assert_true(j->metaspace.used == 78416);      /* MU 76.6 */
	assert_true(j->metaspace.capacity == 327680); /* MC 320.0 */
	assert_true(j->metaspace.max == 1140850688);
	assert_true(j->ccs.used == 4008);	/* CCSU 3.9 */
	assert_true(j->ccs.capacity == 131072); /* CCSC 128.0 */
	assert_true(j->ccs.max == 1073741824);
}

#endif
