/* Unit tests for the hsperfdata parser on broken and hostile files: each prologue and entry header
 * field of small synthetic files of both byte orders set to values that lie, every cut of them and
 * of the real file (tests/unit/data/hsperfdata_g1.bin), and the real file's entry headers
 * corrupted: an error, never a crash nor a read outside the buffer. */
// UNIT-SOURCES: user/parse/hsperf.c
#include "hsperf_image.h"

/* Each value of bad[] in turn written into the field at `field` of entry k of a fresh
 * small_file(): a bad entry, after the k entries before it were reported. */
static void expect_bad_field(struct rec *r, int big, int k, size_t field, const int64_t *bad,
			     size_t nbad)
{
	struct bld B;
	size_t len, i;

	for (i = 0; i < nbad; i++) {
		len = small_file(&B, big);
		put32(&B, entry_at(&B, k) + field, bad[i]);
		expect_parse(B.b, len, r, HSPERF_BAD_ENTRY, k);
	}
}

/* Each value of vals[] in turn written into the prologue field at `field` of B: want each time,
 * with n entries reported (n < 0: not checked). */
static void expect_prologue(struct bld *B, size_t len, struct rec *r, size_t field,
			    const int64_t *vals, size_t nvals, enum hsperf_err want, int n)
{
	size_t i;

	for (i = 0; i < nvals; i++) {
		put32(B, field, vals[i]);
		if (n >= 0)
			expect_parse(B->b, len, r, want, n);
		else
			assert_int_equal(parse(B->b, len, r), want);
	}
}

/* Every cut of an image from PRO up to `used`: truncated, with exactly the entries wholly inside
 * the cut reported. Returns how many entries the last cut held. */
static int expect_every_cut(const unsigned char *b, size_t used, int big, struct rec *r)
{
	size_t cut, off = get32(b + P_ENTRY_OFFSET, big), next = off + get32(b + off, big);
	int seen = 0;

	for (cut = PRO; cut < used; cut++) {
		while (next <= cut) {
			seen++;
			off = next;
			next = off + get32(b + off, big);
		}
		expect_parse(b, cut, r, HSPERF_TRUNCATED, seen);
	}
	return seen;
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
		for (i = 0; i < PRO; i++)
			expect_parse(B.b, i, r, HSPERF_TRUNCATED, 0);
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
	expect_parse(B.b, len, r, HSPERF_BAD_MAGIC, 0);
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
		expect_parse(B.b, len, r, HSPERF_BAD_VERSION, 0);
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
	expect_parse(B.b, len, r, HSPERF_NOT_READY, 0);
	B.b[P_ACCESSIBLE] = 2; /* any nonzero is "set" */
	assert_int_equal(parse(B.b, len, r), HSPERF_OK);
	free(r);
}

static void test_entry_length(void **state)
{
	static const int64_t bad[] = { 0, 1, HDR - 1, -1, -HDR, INT32_MIN, INT32_MAX };
	struct rec *r = rec_new();
	struct bld B;
	size_t len;
	int big;

	(void)state;
	for (big = 0; big <= 1; big++) {
		expect_bad_field(r, big, 1, E_LENGTH, bad, NELEM(bad));
		/* past `used` (used == len here): the file lies */
		len = small_file(&B, big);
		put32(&B, B.last + E_LENGTH, (int64_t)(len - B.last + 8));
		expect_parse(B.b, len + 8, r, HSPERF_BAD_ENTRY, 2);
		/* inside `used` but past len: a short read */
		len = small_file(&B, big);
		expect_parse(B.b, len - 1, r, HSPERF_TRUNCATED, 2);
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

	(void)state;
	for (big = 0; big <= 1; big++) {
		len = small_file(&B, big);
		e = entry_at(&B, 1);
		elen = entry_at(&B, 2) - e;
		bad[0] = 0; /* overlaps the header */
		bad[1] = HDR - 1;
		bad[2] = (int64_t)elen; /* one past the entry */
		bad[3] = -1;
		bad[4] = INT32_MAX;
		bad[5] = INT32_MIN;
		expect_bad_field(r, big, 1, E_NAME_OFFSET, bad, NELEM(bad));
		/* no NUL between the name and the entry's end, though the next entry has one */
		small_file(&B, big);
		memset(B.b + e + HDR, 'x', elen - HDR);
		expect_parse(B.b, len, r, HSPERF_BAD_ENTRY, 1);
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
		expect_bad_field(r, big, 0, E_DATA_OFFSET, bad, NELEM(bad));
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
		expect_bad_field(r, big, 1, E_DATA_OFFSET, bad, NELEM(bad));
	}
	free(r);
}

static void test_vector_length(void **state)
{
	/* "a.second": data at 29 in a 40-byte entry, so 11 bytes of room */
	static const int64_t bad[] = { 12, 4096, INT32_MAX, INT32_MAX - 20, -1, INT32_MIN };
	struct rec *r = rec_new();
	struct bld B;
	size_t len, e;
	int big;

	(void)state;
	for (big = 0; big <= 1; big++) {
		/* for the big ones, data_offset + vector_length overflows 32 bits */
		expect_bad_field(r, big, 1, E_VECTOR_LENGTH, bad, NELEM(bad));
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
		expect_parse(B.b, len, r, HSPERF_OK, 2);
	}
	free(r);
}

static void test_num_entries(void **state)
{
	/* only an upper bound: the walk ends where `used` does */
	static const int64_t more[] = { INT32_MAX, 4 };
	static const int64_t negative[] = { -1, INT32_MIN };
	struct rec *r = rec_new();
	struct bld B;
	size_t len;
	int big;

	(void)state;
	for (big = 0; big <= 1; big++) {
		len = small_file(&B, big);
		expect_prologue(&B, len, r, P_NUM_ENTRIES, more, NELEM(more), HSPERF_OK, 3);
		/* fewer than are there: the rest are not read, even broken ones */
		put32(&B, P_NUM_ENTRIES, 2);
		put32(&B, B.last + E_LENGTH, 0);
		expect_parse(B.b, len, r, HSPERF_OK, 2);
		put32(&B, P_NUM_ENTRIES, 0);
		expect_parse(B.b, len, r, HSPERF_OK, 0);
		expect_prologue(&B, len, r, P_NUM_ENTRIES, negative, NELEM(negative),
				HSPERF_BAD_ENTRY, -1);
		assert_int_equal(r->n, 0);

		/* a huge count over a region of zeroes (a JVM mid-alloc) stops at the first one */
		len = small_file(&B, big);
		put32(&B, P_NUM_ENTRIES, INT32_MAX);
		put32(&B, P_USED, (int64_t)len + 4096);
		expect_parse(B.b, len + 4096, r, HSPERF_BAD_ENTRY, 3);
	}
	free(r);
}

static void test_entry_offset_and_used(void **state)
{
	/* PRO - 1: inside the prologue; PRO + 4: off an entry boundary (garbage lengths, caught) */
	static const int64_t bad_offset[] = { PRO - 1, 0, -1, INT32_MIN, INT32_MAX, PRO + 4 };
	/* 0: as HotSpot leaves it before the first counter */
	static const int64_t bad_used[] = { -1, INT32_MIN, 0 };
	struct rec *r = rec_new();
	struct bld B;
	int big;

	(void)state;
	for (big = 0; big <= 1; big++) {
		size_t len = small_file(&B, big);

		expect_prologue(&B, len, r, P_ENTRY_OFFSET, bad_offset, NELEM(bad_offset),
				HSPERF_BAD_ENTRY, -1);
		put32(&B, P_ENTRY_OFFSET, (int64_t)len + 1); /* past `used` */
		assert_int_equal(parse(B.b, len, r), HSPERF_BAD_ENTRY);
		/* at `used` with entries claimed: nothing to read, which is not an error */
		put32(&B, P_ENTRY_OFFSET, (int64_t)len);
		expect_parse(B.b, len, r, HSPERF_OK, 0);
		/* within `used` but past len: a short read */
		put32(&B, P_USED, INT32_MAX);
		put32(&B, P_ENTRY_OFFSET, (int64_t)len + 64);
		expect_parse(B.b, len, r, HSPERF_TRUNCATED, 0);

		len = small_file(&B, big);
		expect_prologue(&B, len, r, P_USED, bad_used, NELEM(bad_used), HSPERF_BAD_ENTRY,
				-1);
		/* `used` on an entry boundary bounds the walk like num_entries does */
		put32(&B, P_USED, (int64_t)entry_at(&B, 2));
		expect_parse(B.b, len, r, HSPERF_OK, 2);
		/* `used` inside an entry: that entry crosses it */
		put32(&B, P_USED, (int64_t)entry_at(&B, 2) - 1);
		expect_parse(B.b, len, r, HSPERF_BAD_ENTRY, 1);
		/* `used` beyond len, every entry inside len: fine up to num_entries */
		put32(&B, P_USED, INT32_MAX);
		expect_parse(B.b, len, r, HSPERF_OK, 3);
	}
	free(r);
}

static void test_truncated_entries(void **state)
{
	struct rec *r = rec_new();
	struct bld B;
	size_t len;
	int big;

	(void)state;
	for (big = 0; big <= 1; big++) {
		len = small_file(&B, big);
		/* exactly the entries wholly inside the cut were reported: the last ends at len */
		assert_int_equal(expect_every_cut(B.b, len, big, r), 2);
	}
	free(r);
}

static void test_fixture_truncated(void **state)
{
	const unsigned char *fixture;
	struct rec *r = rec_new();
	uint32_t used;
	size_t cut;

	(void)state;
	fixture = load_fixture();
	used = le32(fixture + P_USED);
	assert_int_equal(used, 12320);
	for (cut = 0; cut < PRO; cut++)
		assert_int_equal(parse(fixture, cut, r), HSPERF_TRUNCATED);
	/* every byte from the first entry to `used`, so every entry boundary and every field */
	assert_int_equal(expect_every_cut(fixture, used, 0, r), 186);
	expect_parse(fixture, used, r, HSPERF_OK, 187);
	free(r);
}

/* Each corrupted header field of the real file's first 32 entries: an error, never a crash. */
static void test_fixture_corrupt_fields(void **state)
{
	static const int64_t vals[] = { 0, -1, 1, 19, INT32_MAX, INT32_MIN, 12320, 32768 };
	static const int fields[] = { E_LENGTH, E_NAME_OFFSET, E_VECTOR_LENGTH, E_DATA_OFFSET };
	static unsigned char copy[FIXTURE_LEN];
	const unsigned char *fixture;
	struct hsperf_jvm j;
	uint32_t off;
	size_t f, v;
	int k;
	enum hsperf_err err;

	(void)state;
	fixture = load_fixture();
	off = PRO;
	for (k = 0; k < 32; k++) {
		for (f = 0; f < NELEM(fields); f++) {
			for (v = 0; v < NELEM(vals); v++) {
				memcpy(copy, fixture, sizeof(copy));
				/* the real file is little-endian */
				put_n(copy + off + fields[f], 0, (uint32_t)vals[v], 4);
				err = hsperf_read_jvm(copy, sizeof(copy), &j);
				assert_true(err == HSPERF_OK || err == HSPERF_BAD_ENTRY);
			}
		}
		off += le32(fixture + off);
	}
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
		cmocka_unit_test(test_fixture_truncated),
		cmocka_unit_test(test_fixture_corrupt_fields),
		cmocka_unit_test(test_jvm_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
