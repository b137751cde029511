/* Unit tests for the hsperfdata parser on well-formed files: synthetic ones of both byte orders
 * and the real one (tests/unit/data/hsperfdata_g1.bin), walked entry by entry (hsperf_parse) and
 * read into a struct hsperf_jvm (hsperf_read_jvm). Broken files: test_hsperf_corrupt.c; the
 * re-read at learned offsets: test_hsperf_reread.c. */
#include "hsperf_image.h"

static void test_err_names(void **state)
{
	static const struct {
		enum hsperf_err e;
		const char *name;
	} names[] = {
		{ HSPERF_OK, "ok" },
		{ HSPERF_TRUNCATED, "truncated" },
		{ HSPERF_BAD_MAGIC, "bad_magic" },
		{ HSPERF_BAD_VERSION, "bad_version" },
		{ HSPERF_BAD_ENTRY, "bad_entry" },
		{ HSPERF_NOT_READY, "not_ready" },
		{ HSPERF__N, "unknown" },
		{ (enum hsperf_err)(-1), "unknown" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(names); i++)
		assert_string_equal(hsperf_err_name(names[i].e), names[i].name);
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

		expect_parse(B.b, len, r, HSPERF_OK, 10);
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
		expect_parse(B.b, len + 64, r, HSPERF_OK, 10);
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

static void test_fixture_parse(void **state)
{
	const unsigned char *fixture;
	struct rec *r = rec_new();
	int i, longs = 0, strings = 0;

	(void)state;
	fixture = load_fixture();
	expect_parse(fixture, FIXTURE_LEN, r, HSPERF_OK, 187);
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

static void test_fixture_jvm(void **state)
{
	const unsigned char *fixture;
	struct hsperf_jvm j;

	(void)state;
	fixture = load_fixture();
	assert_int_equal(hsperf_read_jvm(fixture, FIXTURE_LEN, &j), HSPERF_OK);
	check_fixture_jvm(&j);
	/* cut to `used`: nothing lost */
	assert_int_equal(hsperf_read_jvm(fixture, 12320, &j), HSPERF_OK);
	check_fixture_jvm(&j);
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

/* The real file rewritten big-endian field by field must read the same. */
static void test_fixture_big_endian(void **state)
{
	static const int fields[] = { E_LENGTH, E_NAME_OFFSET, E_VECTOR_LENGTH, E_DATA_OFFSET };
	static unsigned char be[FIXTURE_LEN];
	const unsigned char *fixture;
	struct hsperf_jvm j;
	uint32_t off, elen, n, i, doff;
	size_t k;

	(void)state;
	fixture = load_fixture();
	memcpy(be, fixture, sizeof(be));
	assert_int_equal(be[P_BYTE_ORDER], 1);
	off = le32(be + P_ENTRY_OFFSET);
	n = le32(be + P_NUM_ENTRIES);
	for (i = 0; i < n; i++) {
		elen = le32(be + off);
		doff = le32(be + off + E_DATA_OFFSET);
		if (is_long(be, off))
			swap(be + off + doff, 8);
		for (k = 0; k < NELEM(fields); k++)
			swap(be + off + fields[k], 4);
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
	add_long(&B, "sun.gc.policy.name", 7);	  /* wrong kind: ignored */
	add_str(&B, "java.threads.live", "8", 2); /* wrong kind: ignored */
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

/* Three files of string entries each, in both byte orders: what java_version and main_class
 * read. */
static void test_jvm_version_and_command(void **state)
{
	static const struct {
		struct {
			const char *name, *s;
			int32_t vlen;
		} e[3]; /* up to a NULL name */
		const char *java_version, *main_class;
	} files[] = {
		/* only the vm version: used as a stand-in */
		{ { { "java.property.java.vm.version", "21.0.2+13-58", 16 },
		    { "sun.rt.javaCommand", "com.example.Main --port 8080", 64 } },
		  "21.0.2+13-58",
		  "com.example.Main" },
		/* java.version wins whichever comes first */
		{ { { "java.property.java.version", "21.0.2", 8 },
		    { "java.property.java.vm.version", "21.0.2+13-58", 16 },
		    { "sun.rt.javaCommand", "/opt/app.jar", 16 } },
		  "21.0.2",
		  "/opt/app.jar" },
		{ { { "java.property.java.vm.version", "21.0.2+13-58", 16 },
		    { "java.property.java.version", "21.0.2", 8 },
		    { "sun.rt.javaCommand", " leading", 16 } },
		  "21.0.2",
		  "" },
	};
	struct hsperf_jvm j;
	struct bld B;
	size_t len, f, k;
	int big;

	(void)state;
	for (big = 0; big <= 1; big++) {
		for (f = 0; f < NELEM(files); f++) {
			bld_init(&B, big);
			for (k = 0; k < NELEM(files[f].e) && files[f].e[k].name; k++)
				add_str(&B, files[f].e[k].name, files[f].e[k].s,
					files[f].e[k].vlen);
			len = bld_finish(&B);
			assert_int_equal(hsperf_read_jvm(B.b, len, &j), HSPERF_OK);
			assert_string_equal(j.java_version, files[f].java_version);
			assert_string_equal(j.main_class, files[f].main_class);
		}
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_callback_stop),
		cmocka_unit_test(test_fixture_parse),
		cmocka_unit_test(test_fixture_jvm),
		cmocka_unit_test(test_fixture_big_endian),
		cmocka_unit_test(test_jvm_absent),
		cmocka_unit_test(test_jvm_version_and_command),
		cmocka_unit_test(test_jvm_strings_truncated),
		cmocka_unit_test(test_jvm_spaces_and_collectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
