/* Unit tests for the hsperfdata re-read at learned offsets (hsperf_learn_jvm, hsperf_reread_jvm):
 * a copy of the real file (tests/unit/data/hsperfdata_g1.bin) whose long counters change in place,
 * as a running JVM changes them, read again the fast way, and the changes to it that ask for a
 * full read instead. */
// UNIT-SOURCES: user/parse/hsperf.c
#include "hsperf_image.h"

/* Every long counter of a copy of the fixture changed in place, as a running JVM changes them. */
static void bump_longs(unsigned char *b)
{
	uint32_t off = le32(b + P_ENTRY_OFFSET), n = le32(b + P_NUM_ENTRIES), i, k;

	for (i = 0; i < n; i++) {
		uint32_t elen = le32(b + off), doff = le32(b + off + E_DATA_OFFSET);

		if (is_long(b, off))
			/* + (i + 1) * 0x0101..., carries ignored: any change */
			for (k = 0; k < 8; k++)
				b[off + doff + k] += (unsigned char)(i + 1);
		off += elen;
	}
}

/* The re-read at the learned offsets gives exactly what a full read of the changed copy gives; a
 * prologue that no longer matches, a short copy or a file not accessible asks for a full read and
 * leaves the result alone. */
static void test_layout_reread(void **state)
{
	/* prologue bytes of the fixture changed by delta, each asking for a full read */
	static const struct {
		size_t off;
		int delta;
	} changes[] = {
		{ P_NUM_ENTRIES, 1 }, /* an entry appended */
		{ P_USED, 1 },
		{ P_ACCESSIBLE, -1 }, /* 1 -> 0 */
		{ P_BYTE_ORDER, -1 }, /* 1 -> 0: big-endian */
	};
	static unsigned char copy[FIXTURE_LEN];
	static struct hsperf_layout lay;
	const unsigned char *fixture;
	struct hsperf_jvm learned, full, again;
	uint32_t used;
	size_t i;

	(void)state;
	fixture = load_fixture();
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
	assert_int_equal(copy[P_ACCESSIBLE], 1);
	assert_int_equal(copy[P_BYTE_ORDER], 1);
	for (i = 0; i < NELEM(changes); i++) {
		copy[changes[i].off] += changes[i].delta;
		assert_int_equal(hsperf_reread_jvm(copy, sizeof(copy), &lay, &again), 1);
		copy[changes[i].off] -= changes[i].delta;
	}
	assert_memory_equal(&again, &learned, sizeof(again));
	assert_int_equal(hsperf_reread_jvm(copy, sizeof(copy), &lay, &again), 0);
	assert_memory_equal(&again, &full, sizeof(again));

	/* a failed read learns nothing usable */
	assert_int_equal(hsperf_learn_jvm(copy, 200, &full, &lay), HSPERF_TRUNCATED);
	assert_int_equal(lay.n, 0);
	assert_int_equal(hsperf_reread_jvm(copy, sizeof(copy), &lay, &again), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_reread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
