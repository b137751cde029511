/* Unit tests for the hsperfdata parser: synthetic files of both byte orders and a real one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hsperf.h"

#define FIXTURE "tests/unit/data/hsperfdata_g1.bin"
#define FIXTURE_LEN 32768
#define HDR HSPERF_ENTRY_HDR_SIZE
#define PRO HSPERF_PROLOGUE_SIZE

/* Prologue and entry field offsets, written out here so the tests do not share the parser's. */
#define P_BYTE_ORDER 4
#define P_MAJOR 5
#define P_MINOR 6
#define P_ACCESSIBLE 7
#define P_USED 8
#define P_OVERFLOW 12
#define P_MODTIME 16
#define P_ENTRY_OFFSET 24
#define P_NUM_ENTRIES 28
#define E_LENGTH 0
#define E_NAME_OFFSET 4
#define E_VECTOR_LENGTH 8
#define E_TYPE 12
#define E_UNITS 14
#define E_DATA_OFFSET 16

#define U_NONE 1
#define U_BYTES 2
#define U_STRING 5

/* ---- a small hsperfdata writer ---- */

struct bld {
	unsigned char b[16384];
	size_t top;  /* where the next entry goes; `used` once finished */
	size_t last; /* offset of the last entry added */
	int big;
	int n;
};

static void put32(struct bld *B, size_t off, int64_t v)
{
	uint32_t u = (uint32_t)v;
	int i;

	for (i = 0; i < 4; i++)
		B->b[off + (B->big ? 3 - i : i)] = (unsigned char)(u >> (8 * i));
}

static void put64(struct bld *B, size_t off, uint64_t u)
{
	int i;

	for (i = 0; i < 8; i++)
		B->b[off + (B->big ? 7 - i : i)] = (unsigned char)(u >> (8 * i));
}

static void bld_init(struct bld *B, int big)
{
	memset(B, 0, sizeof(*B));
	B->big = big;
	B->top = PRO;
}

/* Lays an entry out as HotSpot does: header, name, data (8-aligned for jlongs), 8-byte padding. */
static size_t add_entry(struct bld *B, const char *name, char type, int units, int32_t vlen,
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

static size_t add_long(struct bld *B, const char *name, long long v)
{
	unsigned char data[8];
	uint64_t u;
	int i;

	memcpy(&u, &v, sizeof(u));
	for (i = 0; i < 8; i++)
		data[B->big ? 7 - i : i] = (unsigned char)(u >> (8 * i));
	return add_entry(B, name, 'J', U_NONE, 0, data, sizeof(data), 8);
}

/* A string vector of vlen bytes holding s (cut to vlen; NUL-padded when shorter). */
static size_t add_str(struct bld *B, const char *name, const char *s, int32_t vlen)
{
	char data[1024] = { 0 };
	size_t n = strlen(s);

	assert_true(vlen >= 0 && (size_t)vlen <= sizeof(data));
	memcpy(data, s, n < (size_t)vlen ? n : (size_t)vlen);
	return add_entry(B, name, 'B', U_STRING, vlen, data, (size_t)vlen, 1);
}

/* Writes the prologue; returns the length of the image. */
static size_t bld_finish(struct bld *B)
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

static int rec_cb(const char *name, const struct hsperf_value *v, void *arg)
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

static struct rec *rec_new(void)
{
	struct rec *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	return r;
}

static enum hsperf_err parse(const void *buf, size_t len, struct rec *r)
{
	memset(r, 0, sizeof(*r));
	return hsperf_parse(buf, len, rec_cb, r);
}

/* Three plain entries: the base most error cases corrupt. Returns the image length. */
static size_t small_file(struct bld *B, int big)
{
	bld_init(B, big);
	add_long(B, "a.first", 1);
	add_str(B, "a.second", "two", 8);
	add_long(B, "a.third", 3);
	return bld_finish(B);
}

static size_t entry_at(const struct bld *B, int k)
{
	size_t off = PRO;
	uint32_t len;
	int i;

	for (i = 0; i < k; i++) {
		if (B->big)
			len = (uint32_t)B->b[off] << 24 | (uint32_t)B->b[off + 1] << 16 |
			      (uint32_t)B->b[off + 2] << 8 | B->b[off + 3];
		else
			len = (uint32_t)B->b[off + 3] << 24 | (uint32_t)B->b[off + 2] << 16 |
			      (uint32_t)B->b[off + 1] << 8 | B->b[off];
		off += len;
	}
	return off;
}

/* ---- the real file ---- */

static unsigned char fixture[FIXTURE_LEN];

static void load_fixture(void)
{
	static int loaded;
	FILE *f;

	if (loaded)
		return;
	f = fopen(FIXTURE, "rb");
	assert_non_null(f);
	assert_int_equal(fread(fixture, 1, sizeof(fixture), f), FIXTURE_LEN);
	assert_int_equal(fgetc(f), EOF);
	fclose(f);
	loaded = 1;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void swap(unsigned char *p, int n)
{
	int i;

	for (i = 0; i < n / 2; i++) {
		unsigned char t = p[i];

		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

/* ================================ tests ================================ */

static void test_err_names(void **state)
{
	(void)state;
	assert_string_equal(hsperf_err_name(HSPERF_OK), "ok");
	assert_string_equal(hsperf_err_name(HSPERF_TRUNCATED), "truncated");
	assert_string_equal(hsperf_err_name(HSPERF_BAD_MAGIC), "bad_magic");
	assert_string_equal(hsperf_err_name(HSPERF_BAD_VERSION), "bad_version");
	assert_string_equal(hsperf_err_name(HSPERF_BAD_ENTRY), "bad_entry");
	assert_string_equal(hsperf_err_name(HSPERF_NOT_READY), "not_ready");
	assert_string_equal(hsperf_err_name(HSPERF__N), "unknown");
	assert_string_equal(hsperf_err_name((enum hsperf_err)-1), "unknown");
}

static void test_roundtrip(void **state)
{
	static const unsigned char jvec[32];
	struct rec *r = rec_new();
	struct bld B;
	size_t len;
	int big;

	(void)state;
	for (big = 0; big <= 1; big++) {
		bld_init(&B, big);
		add_long(&B, "l.zero", 0);
		add_long(&B, "l.minus1", -1);
		add_long(&B, "l.min", INT64_MIN);
		add_long(&B, "l.max", INT64_MAX);
		add_long(&B, "l.pattern", 0x0102030405060708LL);
		add_str(&B, "s.padded", "hello", 16);
		add_str(&B, "s.full", "nonul", 5); /* no NUL in the vector: slen is vector_length */
		add_str(&B, "s.empty", "", 1);
		add_str(&B, "s.zero", "", 0);
		add_entry(&B, "skip.bytes", 'B', U_BYTES, 4, "abcd", 4, 1); /* not string units */
		add_entry(&B, "skip.jvec", 'J', U_NONE, 4, jvec, sizeof(jvec), 8); /* long array */
		add_entry(&B, "skip.int", 'I', U_NONE, 0, "\1\2\3\4", 4, 4);
		add_long(&B, "l.last", 42);
		len = bld_finish(&B);

		assert_int_equal(parse(B.b, len, r), HSPERF_OK);
		assert_int_equal(r->n, 10);
		assert_string_equal(r->name[0], "l.zero");
		assert_int_equal(r->kind[0], HSPERF_LONG);
		assert_true(r->l[0] == 0);
		assert_true(r->l[1] == -1);
		assert_true(r->l[2] == INT64_MIN);
		assert_true(r->l[3] == INT64_MAX);
		assert_true(r->l[4] == 0x0102030405060708LL);
		assert_string_equal(r->name[5], "s.padded");
		assert_int_equal(r->kind[5], HSPERF_STRING);
		assert_string_equal(r->s[5], "hello");
		assert_int_equal(r->slen[5], 5);
		assert_string_equal(r->s[6], "nonul");
		assert_int_equal(r->slen[6], 5);
		assert_int_equal(r->slen[7], 0);
		assert_string_equal(r->name[8], "s.zero");
		assert_int_equal(r->slen[8], 0);
		assert_string_equal(r->name[9], "l.last");
		assert_true(r->l[9] == 42);

		/* a NULL callback only validates */
		assert_int_equal(hsperf_parse(B.b, len, NULL, NULL), HSPERF_OK);
		/* bytes past `used` are not looked at */
		memset(B.b + len, 0xff, 64);
		assert_int_equal(parse(B.b, len + 64, r), HSPERF_OK);
		assert_int_equal(r->n, 10);
		/* a newer minor version only appends: accepted */
		B.b[P_MINOR] = 9;
		assert_int_equal(parse(B.b, len, r), HSPERF_OK);
	}
	free(r);
}

static void test_callback_stop(void **state)
{
	struct rec *r = rec_new();
	struct bld B;
	size_t len = small_file(&B, 0);

	(void)state;
	memset(r, 0, sizeof(*r));
	r->stop_at = 2;
	assert_int_equal(hsperf_parse(B.b, len, rec_cb, r), HSPERF_OK);
	assert_int_equal(r->n, 2);
	/* stopping ends the walk before a later bad entry is reached */
	put32(&B, B.last + E_LENGTH, 0);
	memset(r, 0, sizeof(*r));
	r->stop_at = 2;
	assert_int_equal(hsperf_parse(B.b, len, rec_cb, r), HSPERF_OK);
	free(r);
}

static void test_prologue_truncated(void **state)
{
	struct rec *r = rec_new();
	struct bld B;
	size_t len, i;
	int big;

	(void)state;
	assert_int_equal(hsperf_parse(NULL, 0, rec_cb, r), HSPERF_TRUNCATED);
	for (big = 0; big <= 1; big++) {
		len = small_file(&B, big);
		for (i = 0; i < PRO; i++) {
			assert_int_equal(parse(B.b, i, r), HSPERF_TRUNCATED);
			assert_int_equal(r->n, 0);
		}
		assert_int_equal(parse(B.b, len, r), HSPERF_OK);
	}
	free(r);
}

static void test_bad_magic(void **state)
{
	struct rec *r = rec_new();
	struct bld B;
	size_t len = small_file(&B, 0);
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		B.b[i] ^= 0x01;
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_MAGIC);
		/* known bad from the first four bytes, even when the rest is missing */
		assert_int_equal(parse(B.b, 4, r), HSPERF_BAD_MAGIC);
		B.b[i] ^= 0x01;
	}
	/* the magic is big-endian in every file: a little-endian magic is not one */
	B.b[0] = 0xc0, B.b[1] = 0xc0, B.b[2] = 0xfe, B.b[3] = 0xca;
	assert_int_equal(parse(B.b, len, r), HSPERF_BAD_MAGIC);
	small_file(&B, 0);
	B.b[P_BYTE_ORDER] = 2;
	assert_int_equal(parse(B.b, len, r), HSPERF_BAD_MAGIC);
	B.b[P_BYTE_ORDER] = 0xff;
	assert_int_equal(parse(B.b, len, r), HSPERF_BAD_MAGIC);
	assert_int_equal(r->n, 0);
	free(r);
}

static void test_bad_version(void **state)
{
	static const unsigned char majors[] = { 0, 1, 3, 0xff };
	struct rec *r = rec_new();
	struct bld B;
	size_t len = small_file(&B, 1), i;

	(void)state;
	for (i = 0; i < sizeof(majors); i++) {
		B.b[P_MAJOR] = majors[i];
		B.b[P_MINOR] = 0;
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_VERSION);
		assert_int_equal(r->n, 0);
	}
	B.b[P_MAJOR] = 2;
	assert_int_equal(parse(B.b, len, r), HSPERF_OK);
	free(r);
}

static void test_not_ready(void **state)
{
	struct rec *r = rec_new();
	struct bld B;
	size_t len = small_file(&B, 0);

	(void)state;
	B.b[P_ACCESSIBLE] = 0;
	assert_int_equal(parse(B.b, len, r), HSPERF_NOT_READY);
	assert_int_equal(r->n, 0);
	B.b[P_ACCESSIBLE] = 2; /* any nonzero is "set" */
	assert_int_equal(parse(B.b, len, r), HSPERF_OK);
	free(r);
}

static void test_entry_length(void **state)
{
	static const int64_t bad[] = { 0, 1, HDR - 1, -1, -HDR, INT32_MIN, INT32_MAX };
	struct rec *r = rec_new();
	struct bld B;
	size_t len, e, i;
	int big;

	(void)state;
	for (big = 0; big <= 1; big++) {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			len = small_file(&B, big);
			e = entry_at(&B, 1);
			put32(&B, e + E_LENGTH, bad[i]);
			assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
			assert_int_equal(r->n, 1);
		}
		/* past `used` (used == len here): the file lies */
		len = small_file(&B, big);
		put32(&B, B.last + E_LENGTH, (int64_t)(len - B.last + 8));
		assert_int_equal(parse(B.b, len + 8, r), HSPERF_BAD_ENTRY);
		assert_int_equal(r->n, 2);
		/* inside `used` but past len: a short read */
		len = small_file(&B, big);
		assert_int_equal(parse(B.b, len - 1, r), HSPERF_TRUNCATED);
		assert_int_equal(r->n, 2);
		/* exactly HDR is the shortest legal entry, but then it has no room for a name */
		len = small_file(&B, big);
		put32(&B, B.last + E_LENGTH, HDR);
		put32(&B, P_USED, (int64_t)(B.last + HDR));
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
	}
	free(r);
}

static void test_name(void **state)
{
	struct rec *r = rec_new();
	struct bld B;
	size_t len, e, elen;
	int big;
	int64_t bad[6];
	size_t i;

	(void)state;
	for (big = 0; big <= 1; big++) {
		len = small_file(&B, big);
		e = entry_at(&B, 1);
		elen = entry_at(&B, 2) - e;
		bad[0] = 0;			/* overlaps the header */
		bad[1] = HDR - 1;
		bad[2] = (int64_t)elen;	/* one past the entry */
		bad[3] = -1;
		bad[4] = INT32_MAX;
		bad[5] = INT32_MIN;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			small_file(&B, big);
			put32(&B, e + E_NAME_OFFSET, bad[i]);
			assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
			assert_int_equal(r->n, 1);
		}
		/* no NUL between the name and the entry's end, though the next entry has one */
		small_file(&B, big);
		memset(B.b + e + HDR, 'x', elen - HDR);
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
		assert_int_equal(r->n, 1);
		/* the name may be the entry's last byte, a lone NUL: legal, empty name */
		small_file(&B, big);
		B.b[e + elen - 1] = '\0';
		put32(&B, e + E_NAME_OFFSET, (int64_t)elen - 1);
		assert_int_equal(parse(B.b, len, r), HSPERF_OK);
		assert_string_equal(r->name[1], "");
	}
	free(r);
}

static void test_data_offset(void **state)
{
	struct rec *r = rec_new();
	struct bld B;
	size_t len, e, elen;
	int64_t bad[6];
	size_t i;
	int big;

	(void)state;
	for (big = 0; big <= 1; big++) {
		/* jlong scalar: all 8 bytes must lie inside the entry */
		len = small_file(&B, big);
		e = entry_at(&B, 0);
		elen = entry_at(&B, 1) - e;
		bad[0] = (int64_t)elen - 7;
		bad[1] = (int64_t)elen;
		bad[2] = HDR - 1;
		bad[3] = -8;
		bad[4] = INT32_MAX;
		bad[5] = INT32_MIN;
		for (i = 0; i < 6; i++) {
			small_file(&B, big);
			put32(&B, e + E_DATA_OFFSET, bad[i]);
			assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
			assert_int_equal(r->n, 0);
		}
		small_file(&B, big);
		put32(&B, e + E_DATA_OFFSET, (int64_t)elen - 8); /* last 8 bytes: fine */
		assert_int_equal(parse(B.b, len, r), HSPERF_OK);

		/* string: data_offset + vector_length must stay inside the entry */
		e = entry_at(&B, 1);
		elen = entry_at(&B, 2) - e;
		bad[0] = (int64_t)elen - 7; /* vector of 8 sticks out by one */
		bad[1] = (int64_t)elen + 1;
		bad[2] = 0;
		bad[3] = -1;
		bad[4] = INT32_MAX;
		bad[5] = INT32_MIN;
		for (i = 0; i < 6; i++) {
			small_file(&B, big);
			put32(&B, e + E_DATA_OFFSET, bad[i]);
			assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
			assert_int_equal(r->n, 1);
		}
	}
	free(r);
}

static void test_vector_length(void **state)
{
	/* "a.second": data at 29 in a 40-byte entry, so 11 bytes of room */
	static const int64_t bad[] = { 12, 4096, INT32_MAX, INT32_MAX - 20, -1, INT32_MIN };
	struct rec *r = rec_new();
	struct bld B;
	size_t len, e, i;
	int big;

	(void)state;
	for (big = 0; big <= 1; big++) {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			/* for the big ones, data_offset + vector_length overflows 32 bits */
			len = small_file(&B, big);
			e = entry_at(&B, 1);
			put32(&B, e + E_VECTOR_LENGTH, bad[i]);
			assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
			assert_int_equal(r->n, 1);
		}
		/* up to the entry's end is fine: the padding NUL ends the string */
		len = small_file(&B, big);
		put32(&B, entry_at(&B, 1) + E_VECTOR_LENGTH, 11);
		assert_int_equal(parse(B.b, len, r), HSPERF_OK);
		assert_string_equal(r->s[1], "two");
		/* a negative length is bad even on an entry that would be skipped */
		len = small_file(&B, big);
		e = entry_at(&B, 1);
		B.b[e + E_UNITS] = U_BYTES;
		put32(&B, e + E_VECTOR_LENGTH, -1);
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
		/* but a long one is not: its data is never read */
		put32(&B, e + E_VECTOR_LENGTH, INT32_MAX);
		assert_int_equal(parse(B.b, len, r), HSPERF_OK);
		assert_int_equal(r->n, 2);
	}
	free(r);
}

static void test_num_entries(void **state)
{
	struct rec *r = rec_new();
	struct bld B;
	size_t len;
	int big;

	(void)state;
	for (big = 0; big <= 1; big++) {
		len = small_file(&B, big);
		/* only an upper bound: the walk ends where `used` does */
		put32(&B, P_NUM_ENTRIES, INT32_MAX);
		assert_int_equal(parse(B.b, len, r), HSPERF_OK);
		assert_int_equal(r->n, 3);
		put32(&B, P_NUM_ENTRIES, 4);
		assert_int_equal(parse(B.b, len, r), HSPERF_OK);
		assert_int_equal(r->n, 3);
		/* fewer than are there: the rest are not read, even broken ones */
		put32(&B, P_NUM_ENTRIES, 2);
		put32(&B, B.last + E_LENGTH, 0);
		assert_int_equal(parse(B.b, len, r), HSPERF_OK);
		assert_int_equal(r->n, 2);
		put32(&B, P_NUM_ENTRIES, 0);
		assert_int_equal(parse(B.b, len, r), HSPERF_OK);
		assert_int_equal(r->n, 0);
		put32(&B, P_NUM_ENTRIES, -1);
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
		put32(&B, P_NUM_ENTRIES, INT32_MIN);
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
		assert_int_equal(r->n, 0);

		/* a huge count over a region of zeroes (a JVM mid-alloc) stops at the first one */
		len = small_file(&B, big);
		put32(&B, P_NUM_ENTRIES, INT32_MAX);
		put32(&B, P_USED, (int64_t)len + 4096);
		assert_int_equal(parse(B.b, len + 4096, r), HSPERF_BAD_ENTRY);
		assert_int_equal(r->n, 3);
	}
	free(r);
}

static void test_entry_offset_and_used(void **state)
{
	struct rec *r = rec_new();
	struct bld B;
	size_t len;
	int big;

	(void)state;
	for (big = 0; big <= 1; big++) {
		len = small_file(&B, big);
		put32(&B, P_ENTRY_OFFSET, PRO - 1); /* inside the prologue */
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
		put32(&B, P_ENTRY_OFFSET, 0);
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
		put32(&B, P_ENTRY_OFFSET, -1);
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
		put32(&B, P_ENTRY_OFFSET, INT32_MIN);
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
		put32(&B, P_ENTRY_OFFSET, (int64_t)len + 1); /* past `used` */
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
		put32(&B, P_ENTRY_OFFSET, INT32_MAX);
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
		/* not on an entry boundary: garbage lengths, caught */
		put32(&B, P_ENTRY_OFFSET, PRO + 4);
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
		/* at `used` with entries claimed: nothing to read, which is not an error */
		put32(&B, P_ENTRY_OFFSET, (int64_t)len);
		assert_int_equal(parse(B.b, len, r), HSPERF_OK);
		assert_int_equal(r->n, 0);
		/* within `used` but past len: a short read */
		put32(&B, P_USED, INT32_MAX);
		put32(&B, P_ENTRY_OFFSET, (int64_t)len + 64);
		assert_int_equal(parse(B.b, len, r), HSPERF_TRUNCATED);
		assert_int_equal(r->n, 0);

		len = small_file(&B, big);
		put32(&B, P_USED, -1);
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
		put32(&B, P_USED, INT32_MIN);
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
		put32(&B, P_USED, 0); /* as HotSpot leaves it before the first counter */
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
		/* `used` on an entry boundary bounds the walk like num_entries does */
		put32(&B, P_USED, (int64_t)entry_at(&B, 2));
		assert_int_equal(parse(B.b, len, r), HSPERF_OK);
		assert_int_equal(r->n, 2);
		/* `used` inside an entry: that entry crosses it */
		put32(&B, P_USED, (int64_t)entry_at(&B, 2) - 1);
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
		assert_int_equal(r->n, 1);
		/* `used` beyond len, every entry inside len: fine up to num_entries */
		put32(&B, P_USED, INT32_MAX);
		assert_int_equal(parse(B.b, len, r), HSPERF_OK);
		assert_int_equal(r->n, 3);
	}
	free(r);
}

static void test_truncated_entries(void **state)
{
	struct rec *r = rec_new();
	struct bld B;
	size_t len, cut;
	int big, k;

	(void)state;
	for (big = 0; big <= 1; big++) {
		len = small_file(&B, big);
		for (cut = PRO; cut < len; cut++) {
			assert_int_equal(parse(B.b, cut, r), HSPERF_TRUNCATED);
			/* exactly the entries wholly inside the cut were reported */
			for (k = 0; k < 3 && entry_at(&B, k + 1) <= cut; k++)
				;
			assert_int_equal(r->n, k);
		}
	}
	free(r);
}

static void test_fixture_parse(void **state)
{
	struct rec *r = rec_new();
	int i, longs = 0, strings = 0;

	(void)state;
	load_fixture();
	assert_int_equal(parse(fixture, FIXTURE_LEN, r), HSPERF_OK);
	assert_int_equal(r->n, 187);
	for (i = 0; i < r->n; i++)
		r->kind[i] == HSPERF_LONG ? longs++ : strings++;
	assert_int_equal(longs, 154);
	assert_int_equal(strings, 33);
	assert_string_equal(r->name[0], "sun.rt._sync_Inflations");
	assert_true(r->l[0] == 3);
	assert_string_equal(r->name[186], "sun.os.hrt.ticks");
	assert_true(r->l[186] == 985230823);
	for (i = 0; i < r->n; i++)
		if (!strcmp(r->name[i], "java.rt.vmArgs"))
			assert_string_equal(r->s[i], "-XX:+UseG1GC -Xmx64m");
	free(r);
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
static void check_fixture_jvm(const struct hsperf_jvm *j)
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
	assert_true(j->collector[0].invocations == 6);		/* YGC */
	assert_true(j->collector[0].time_ticks == 6072596);	/* YGCT 0.006 */
	assert_string_equal(j->collector[1].name, "G1 full collection pauses");
	assert_true(j->collector[1].invocations == 1);		/* FGC */
	assert_true(j->collector[1].time_ticks == 8618680);	/* FGCT 0.009 */
	assert_string_equal(j->collector[2].name, "G1 concurrent cycle pauses");
	assert_true(j->collector[2].invocations == 0);		/* CGC */
	assert_true(j->collector[2].time_ticks == 0);
	assert_true(j->collector[3].invocations == -1);

	/* the file lists generation 1 first; the result is sorted */
	assert_int_equal(j->nspaces, 4);
	assert_string_equal(j->space[0].name, "eden");
	assert_int_equal(j->space[0].gen, 0);
	assert_true(j->space[0].used == 0);			/* EU 0.0 */
	assert_true(j->space[0].capacity == 6291464);		/* EC 6144.0 */
	assert_true(j->space[0].max == 67108872);
	assert_string_equal(j->space[1].name, "s0");
	assert_true(j->space[1].used == 0 && j->space[1].capacity == 8); /* S0U, S0C 0.0 */
	assert_true(j->space[1].max == 8);
	assert_string_equal(j->space[2].name, "s1");
	assert_true(j->space[2].used == 0 && j->space[2].capacity == 8); /* S1U, S1C 0.0 */
	assert_true(j->space[2].max == 67108872);
	assert_string_equal(j->space[3].name, "space");
	assert_int_equal(j->space[3].gen, 1);
	assert_true(j->space[3].used == 1063160);		/* OU 1038.2 */
	assert_true(j->space[3].capacity == 4194312);		/* OC 4096.0 */
	assert_true(j->space[3].max == 67108872);

	assert_true(j->metaspace.used == 78416);		/* MU 76.6 */
	assert_true(j->metaspace.capacity == 327680);		/* MC 320.0 */
	assert_true(j->metaspace.max == 1140850688);
	assert_true(j->ccs.used == 4008);			/* CCSU 3.9 */
	assert_true(j->ccs.capacity == 131072);			/* CCSC 128.0 */
	assert_true(j->ccs.max == 1073741824);
}

static void test_fixture_jvm(void **state)
{
	struct hsperf_jvm j;

	(void)state;
	load_fixture();
	assert_int_equal(hsperf_read_jvm(fixture, FIXTURE_LEN, &j), HSPERF_OK);
	check_fixture_jvm(&j);
	/* cut to `used`: nothing lost */
	assert_int_equal(hsperf_read_jvm(fixture, 12320, &j), HSPERF_OK);
	check_fixture_jvm(&j);
}

/* The real file rewritten big-endian field by field must read the same. */
static void test_fixture_big_endian(void **state)
{
	static unsigned char be[FIXTURE_LEN];
	struct hsperf_jvm j;
	uint32_t off, elen, n, i, doff;

	(void)state;
	load_fixture();
	memcpy(be, fixture, sizeof(be));
	assert_int_equal(be[P_BYTE_ORDER], 1);
	off = le32(be + P_ENTRY_OFFSET);
	n = le32(be + P_NUM_ENTRIES);
	for (i = 0; i < n; i++) {
		elen = le32(be + off);
		doff = le32(be + off + E_DATA_OFFSET);
		if (be[off + E_TYPE] == 'J' && le32(be + off + E_VECTOR_LENGTH) == 0)
			swap(be + off + doff, 8);
		swap(be + off + E_LENGTH, 4);
		swap(be + off + E_NAME_OFFSET, 4);
		swap(be + off + E_VECTOR_LENGTH, 4);
		swap(be + off + E_DATA_OFFSET, 4);
		off += elen;
	}
	assert_int_equal(off, 12320);
	be[P_BYTE_ORDER] = 0;
	swap(be + P_USED, 4);
	swap(be + P_OVERFLOW, 4);
	swap(be + P_MODTIME, 8);
	swap(be + P_ENTRY_OFFSET, 4);
	swap(be + P_NUM_ENTRIES, 4);
	assert_int_equal(hsperf_read_jvm(be, sizeof(be), &j), HSPERF_OK);
	check_fixture_jvm(&j);
	/* and read with the wrong byte order it is rejected, not misread */
	be[P_BYTE_ORDER] = 1;
	assert_int_not_equal(hsperf_read_jvm(be, sizeof(be), &j), HSPERF_OK);
}

/* Every long counter of a copy of the fixture changed in place, as a running JVM changes them:
 * the re-read at the learned offsets gives exactly what a full read of the changed copy gives; a
 * prologue that no longer matches, a short copy or a file not
 * accessible asks for a full read and leaves the result alone. */
static void bump_longs(unsigned char *b)
{
	uint32_t off = le32(b + P_ENTRY_OFFSET), n = le32(b + P_NUM_ENTRIES), i, k;

	for (i = 0; i < n; i++) {
		uint32_t elen = le32(b + off), doff = le32(b + off + E_DATA_OFFSET);

		if (b[off + E_TYPE] == 'J' && le32(b + off + E_VECTOR_LENGTH) == 0)
			for (k = 0; k < 8; k++) /* + (i + 1) * 0x0101..., carries ignored: any change */
				b[off + doff + k] += (unsigned char)(i + 1);
		off += elen;
	}
}

static void test_layout_reread(void **state)
{
	static unsigned char copy[FIXTURE_LEN];
	static struct hsperf_layout lay;
	struct hsperf_jvm learned, full, again;
	uint32_t used;

	(void)state;
	load_fixture();
	memcpy(copy, fixture, sizeof(copy));
	assert_int_equal(hsperf_learn_jvm(copy, sizeof(copy), &learned, &lay), HSPERF_OK);
	/* 13 scalars, 4 class counts, 2 collectors x 2, 2 generation maxima, 5 spaces x 3 ... */
	assert_true(lay.n >= 30 && lay.n <= HSPERF_LAYOUT_MAX);
	check_fixture_jvm(&learned);

	/* the same bytes: the same result */
	again = learned;
	assert_int_equal(hsperf_reread_jvm(copy, sizeof(copy), &lay, &again), 0);
	assert_memory_equal(&again, &learned, sizeof(again));

	/* every long changed: the re-read matches a full read of the changed bytes */
	bump_longs(copy);
	assert_int_equal(hsperf_read_jvm(copy, sizeof(copy), &full), HSPERF_OK);
	assert_memory_not_equal(&full, &learned, sizeof(full));
	again = learned;
	assert_int_equal(hsperf_reread_jvm(copy, sizeof(copy), &lay, &again), 0);
	assert_memory_equal(&again, &full, sizeof(again));

	/* what asks for a full read, out untouched */
	used = le32(copy + P_USED);
	again = learned;
	assert_int_equal(hsperf_reread_jvm(copy, used - 1, &lay, &again), 1);
	copy[P_NUM_ENTRIES]++; /* an entry appended */
	assert_int_equal(hsperf_reread_jvm(copy, sizeof(copy), &lay, &again), 1);
	copy[P_NUM_ENTRIES]--;
	copy[P_USED]++;
	assert_int_equal(hsperf_reread_jvm(copy, sizeof(copy), &lay, &again), 1);
	copy[P_USED]--;
	copy[P_ACCESSIBLE] = 0;
	assert_int_equal(hsperf_reread_jvm(copy, sizeof(copy), &lay, &again), 1);
	copy[P_ACCESSIBLE] = 1;
	copy[P_BYTE_ORDER] = 0;
	assert_int_equal(hsperf_reread_jvm(copy, sizeof(copy), &lay, &again), 1);
	copy[P_BYTE_ORDER] = 1;
	assert_memory_equal(&again, &learned, sizeof(again));
	assert_int_equal(hsperf_reread_jvm(copy, sizeof(copy), &lay, &again), 0);
	assert_memory_equal(&again, &full, sizeof(again));

	/* a failed read learns nothing usable */
	assert_int_equal(hsperf_learn_jvm(copy, 200, &full, &lay), HSPERF_TRUNCATED);
	assert_int_equal(lay.n, 0);
	assert_int_equal(hsperf_reread_jvm(copy, sizeof(copy), &lay, &again), 1);
}

static void test_fixture_truncated(void **state)
{
	struct rec *r = rec_new();
	uint32_t used, off, next;
	size_t cut;
	int seen;

	(void)state;
	load_fixture();
	used = le32(fixture + P_USED);
	assert_int_equal(used, 12320);
	for (cut = 0; cut < PRO; cut++)
		assert_int_equal(parse(fixture, cut, r), HSPERF_TRUNCATED);
	/* every byte from the first entry to `used`, so every entry boundary and every field */
	off = le32(fixture + P_ENTRY_OFFSET);
	next = off + le32(fixture + off);
	seen = 0;
	for (cut = PRO; cut < used; cut++) {
		while (next <= cut) {
			seen++;
			off = next;
			next = off + le32(fixture + off);
		}
		assert_int_equal(parse(fixture, cut, r), HSPERF_TRUNCATED);
		assert_int_equal(r->n, seen);
	}
	assert_int_equal(seen, 186);
	assert_int_equal(parse(fixture, used, r), HSPERF_OK);
	assert_int_equal(r->n, 187);
	free(r);
}

/* Each corrupted header field of the real file's first 32 entries: an error, never a crash. */
static void test_fixture_corrupt_fields(void **state)
{
	static const int64_t vals[] = { 0, -1, 1, 19, INT32_MAX, INT32_MIN, 12320, 32768 };
	static const int fields[] = { E_LENGTH, E_NAME_OFFSET, E_VECTOR_LENGTH, E_DATA_OFFSET };
	static unsigned char copy[FIXTURE_LEN];
	struct hsperf_jvm j;
	struct bld B; /* only for put32 */
	uint32_t off;
	size_t f, v;
	int k;
	enum hsperf_err err;

	(void)state;
	load_fixture();
	memset(&B, 0, sizeof(B));
	off = PRO;
	for (k = 0; k < 32; k++) {
		for (f = 0; f < 4; f++) {
			for (v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
				memcpy(B.b, fixture + off, HDR);
				put32(&B, (size_t)fields[f], vals[v]);
				memcpy(copy, fixture, sizeof(copy));
				memcpy(copy + off, B.b, HDR);
				err = hsperf_read_jvm(copy, sizeof(copy), &j);
				assert_true(err == HSPERF_OK || err == HSPERF_BAD_ENTRY);
			}
		}
		off += le32(fixture + off);
	}
}

static void test_jvm_absent(void **state)
{
	struct hsperf_jvm j;
	struct bld B;
	size_t len;
	int i;

	(void)state;
	bld_init(&B, 0);
	add_long(&B, "some.other.counter", 5);
	add_str(&B, "sun.gc.policy.name.not", "x", 2);
	add_long(&B, "sun.gc.policy.name", 7);	/* wrong kind: ignored */
	add_str(&B, "java.threads.live", "8", 2);	/* wrong kind: ignored */
	add_str(&B, "sun.gc.collector.0.invocations", "1", 2);
	add_long(&B, "sun.gc.collector.0.name", 1);
	add_long(&B, "sun.gc.collector.x.time", 1);
	add_long(&B, "sun.gc.collector.12345.time", 1);
	add_long(&B, "sun.gc.collector.0", 1);
	add_long(&B, "sun.gc.collector.0.timeX", 1);
	add_long(&B, "sun.gc.generation.0.space.0.initCapacity", 1);
	add_long(&B, "sun.gc.generation.0.spaces", 3);
	add_long(&B, "sun.gc.generation.0.capacity", 3);
	add_long(&B, "sun.gc.generation..space.0.used", 3);
	add_long(&B, "sun.gc.generation.0.space..used", 3);
	add_long(&B, "java.cls.loadedClassesX", 3);
	len = bld_finish(&B);
	assert_int_equal(hsperf_read_jvm(B.b, len, &j), HSPERF_OK);
	assert_true(j.hrt_frequency == -1);
	assert_true(j.threads_live == -1 && j.threads_daemon == -1);
	assert_true(j.threads_peak == -1 && j.threads_started == -1);
	assert_true(j.classes_loaded == -1 && j.classes_unloaded == -1);
	assert_true(j.safepoints == -1 && j.safepoint_time_ticks == -1);
	assert_string_equal(j.java_version, "");
	assert_string_equal(j.gc_policy, "");
	assert_string_equal(j.main_class, "");
	assert_int_equal(j.ncollectors, 0);
	assert_int_equal(j.nspaces, 0);
	for (i = 0; i < HSPERF_MAX_COLLECTORS; i++)
		assert_true(j.collector[i].invocations == -1 && j.collector[i].time_ticks == -1);
	for (i = 0; i < HSPERF_MAX_SPACES; i++)
		assert_true(j.space[i].used == -1 && j.space[i].max == -1);
	assert_true(j.metaspace.used == -1 && j.metaspace.capacity == -1 && j.metaspace.max == -1);
	assert_true(j.ccs.used == -1 && j.ccs.capacity == -1 && j.ccs.max == -1);
}

static void test_jvm_version_and_command(void **state)
{
	struct hsperf_jvm j;
	struct bld B;
	size_t len;
	int big;

	(void)state;
	for (big = 0; big <= 1; big++) {
		/* only the vm version: used as a stand-in */
		bld_init(&B, big);
		add_str(&B, "java.property.java.vm.version", "21.0.2+13-58", 16);
		add_str(&B, "sun.rt.javaCommand", "com.example.Main --port 8080", 64);
		len = bld_finish(&B);
		assert_int_equal(hsperf_read_jvm(B.b, len, &j), HSPERF_OK);
		assert_string_equal(j.java_version, "21.0.2+13-58");
		assert_string_equal(j.main_class, "com.example.Main");

		/* java.version wins whichever comes first */
		bld_init(&B, big);
		add_str(&B, "java.property.java.version", "21.0.2", 8);
		add_str(&B, "java.property.java.vm.version", "21.0.2+13-58", 16);
		add_str(&B, "sun.rt.javaCommand", "/opt/app.jar", 16);
		len = bld_finish(&B);
		assert_int_equal(hsperf_read_jvm(B.b, len, &j), HSPERF_OK);
		assert_string_equal(j.java_version, "21.0.2");
		assert_string_equal(j.main_class, "/opt/app.jar");

		bld_init(&B, big);
		add_str(&B, "java.property.java.vm.version", "21.0.2+13-58", 16);
		add_str(&B, "java.property.java.version", "21.0.2", 8);
		add_str(&B, "sun.rt.javaCommand", " leading", 16);
		len = bld_finish(&B);
		assert_int_equal(hsperf_read_jvm(B.b, len, &j), HSPERF_OK);
		assert_string_equal(j.java_version, "21.0.2");
		assert_string_equal(j.main_class, "");
	}
}

static void test_jvm_strings_truncated(void **state)
{
	char big[1001], want[256];
	struct hsperf_jvm j;
	struct bld B;
	size_t len;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	bld_init(&B, 1);
	/* vectors exactly as long as the text: no NUL in the file at all */
	add_str(&B, "sun.rt.javaCommand", big, 1000);
	add_str(&B, "java.property.java.version", big, 100);
	add_str(&B, "sun.gc.policy.name", big, 64);
	add_str(&B, "sun.gc.collector.3.name", big, 64);
	add_long(&B, "sun.gc.collector.3.time", 77);
	add_str(&B, "sun.gc.generation.2.space.7.name", big, 32);
	len = bld_finish(&B);
	assert_int_equal(hsperf_read_jvm(B.b, len, &j), HSPERF_OK);

	memset(want, 'a', sizeof(want));
	want[255] = '\0';
	assert_string_equal(j.main_class, want);
	want[63] = '\0';
	assert_string_equal(j.java_version, want);
	assert_string_equal(j.gc_policy, want);
	assert_string_equal(j.collector[3].name, want);
	want[31] = '\0';
	assert_string_equal(j.space[0].name, want);

	assert_int_equal(j.ncollectors, 4);
	assert_true(j.collector[3].time_ticks == 77 && j.collector[3].invocations == -1);
	assert_string_equal(j.collector[0].name, "");
	assert_true(j.collector[0].time_ticks == -1);
	assert_int_equal(j.nspaces, 1);
	assert_int_equal(j.space[0].gen, 2);
	assert_true(j.space[0].used == -1 && j.space[0].capacity == -1 && j.space[0].max == -1);
}

static void test_jvm_spaces_and_collectors(void **state)
{
	static const int order[10][2] = { { 3, 1 }, { 1, 0 }, { 0, 9 }, { 0, 2 }, { 2, 0 },
					   { 0, 0 }, { 9, 9 }, { 4, 4 }, { 0, 1 }, { 5, 5 } };
	char name[80], val[16];
	struct hsperf_jvm j;
	struct bld B;
	size_t len;
	int i;

	(void)state;
	bld_init(&B, 0);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "sun.gc.generation.%d.space.%d.used", order[i][0],
			 order[i][1]);
		add_long(&B, name, 100 * order[i][0] + order[i][1]);
		snprintf(name, sizeof(name), "sun.gc.generation.%d.space.%d.name", order[i][0],
			 order[i][1]);
		snprintf(val, sizeof(val), "g%ds%d", order[i][0], order[i][1]);
		add_str(&B, name, val, 8);
	}
	add_long(&B, "sun.gc.generation.0.space.0.maxCapacity", 1000);
	add_long(&B, "sun.gc.generation.0.space.0.capacity", 500);
	add_long(&B, "sun.gc.generation.5.space.5.capacity", 1); /* 9th and later: dropped */
	add_str(&B, "sun.gc.collector.1.name", "one", 4);
	add_long(&B, "sun.gc.collector.1.invocations", 11);
	add_long(&B, "sun.gc.collector.4.invocations", 44); /* beyond the array */
	add_long(&B, "java.cls.sharedLoadedClasses", 100);
	add_long(&B, "java.cls.unloadedClasses", INT64_MAX);
	add_long(&B, "java.cls.sharedUnloadedClasses", 1); /* the sum wraps, quietly */
	len = bld_finish(&B);
	assert_int_equal(hsperf_read_jvm(B.b, len, &j), HSPERF_OK);

	/* the first 8 distinct spaces in file order are kept (g0s1, g5s5 come too late), then
	 * sorted by (gen, space)
	 */
	assert_int_equal(j.nspaces, 8);
	{
		static const char *const want[8] = { "g0s0", "g0s2", "g0s9", "g1s0",
						     "g2s0", "g3s1", "g4s4", "g9s9" };

		for (i = 0; i < 8; i++) {
			assert_string_equal(j.space[i].name, want[i]);
			assert_int_equal(j.space[i].gen, want[i][1] - '0');
			assert_true(j.space[i].used ==
				    100 * (want[i][1] - '0') + (want[i][3] - '0'));
		}
	}
	assert_true(j.space[0].max == 1000 && j.space[0].capacity == 500);
	assert_true(j.space[1].max == -1 && j.space[1].capacity == -1);

	assert_int_equal(j.ncollectors, 2);
	assert_string_equal(j.collector[0].name, "");
	assert_true(j.collector[0].invocations == -1);
	assert_string_equal(j.collector[1].name, "one");
	assert_true(j.collector[1].invocations == 11 && j.collector[1].time_ticks == -1);

	assert_true(j.classes_loaded == 100);
	assert_true(j.classes_unloaded == INT64_MIN);
}

static void test_jvm_errors(void **state)
{
	struct hsperf_jvm j;
	struct bld B;
	size_t len;

	(void)state;
	/* on error, what came before the bad entry is kept and the rest reads as absent */
	bld_init(&B, 1);
	add_long(&B, "java.threads.live", 12);
	add_long(&B, "java.threads.daemon", 3);
	len = bld_finish(&B);
	put32(&B, B.last + E_NAME_OFFSET, 0);
	assert_int_equal(hsperf_read_jvm(B.b, len, &j), HSPERF_BAD_ENTRY);
	assert_true(j.threads_live == 12);
	assert_true(j.threads_daemon == -1);

	B.b[P_ACCESSIBLE] = 0;
	memset(&j, 0x5a, sizeof(j));
	assert_int_equal(hsperf_read_jvm(B.b, len, &j), HSPERF_NOT_READY);
	assert_true(j.threads_live == -1);
	assert_string_equal(j.main_class, "");
	assert_int_equal(j.nspaces, 0);
	assert_int_equal(hsperf_read_jvm(B.b, 10, &j), HSPERF_TRUNCATED);
	assert_int_equal(hsperf_read_jvm("JAVA", 4, &j), HSPERF_BAD_MAGIC);
	B.b[P_ACCESSIBLE] = 1;
	B.b[P_MAJOR] = 1;
	assert_int_equal(hsperf_read_jvm(B.b, len, &j), HSPERF_BAD_VERSION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_callback_stop),
		cmocka_unit_test(test_prologue_truncated),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_not_ready),
		cmocka_unit_test(test_entry_length),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_data_offset),
		cmocka_unit_test(test_vector_length),
		cmocka_unit_test(test_num_entries),
		cmocka_unit_test(test_entry_offset_and_used),
		cmocka_unit_test(test_truncated_entries),
		cmocka_unit_test(test_fixture_parse),
		cmocka_unit_test(test_fixture_jvm),
		cmocka_unit_test(test_fixture_big_endian),
		cmocka_unit_test(test_layout_reread),
		cmocka_unit_test(test_fixture_truncated),
		cmocka_unit_test(test_fixture_corrupt_fields),
		cmocka_unit_test(test_jvm_absent),
		cmocka_unit_test(test_jvm_version_and_command),
		cmocka_unit_test(test_jvm_strings_truncated),
		cmocka_unit_test(test_jvm_spaces_and_collectors),
		cmocka_unit_test(test_jvm_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
