/* Unit tests for the cgroup file parsers: a real v1 memory.stat and cpu.stat of this machine
 * (Linux 6.18, hybrid layout), v2 files in the kernel's formats (cgroup-v2.rst; the host has no
 * v2 memory or cpu controller to capture from), and breakage. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cgroupfs.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Exactly len bytes, no NUL after them, so ASan sees a read past len. */
static char *exact_copy(const char *s, size_t len)
{
	char *b = malloc(len ? len : 1);

	assert_non_null(b);
	memcpy(b, s, len);
	return b;
}

/* /sys/fs/cgroup/memory/memory.stat (the v1 root) on this machine. */
static const char v1_memory_stat[] =
	"cache 10473472\n"
	"rss 4362240\n"
	"rss_huge 0\n"
	"shmem 9580544\n"
	"mapped_file 7835648\n"
	"dirty 24576\n"
	"writeback 0\n"
	"workingset_refault_anon 0\n"
	"workingset_refault_file 282\n"
	"swap 0\n"
	"swapcached 0\n"
	"pgpgin 24758\n"
	"pgpgout 21174\n"
	"pgfault 31771\n"
	"pgmajfault 0\n"
	"inactive_anon 0\n"
	"active_anon 1531904\n"
	"inactive_file 233472\n"
	"active_file 659456\n"
	"unevictable 12410880\n"
	"hierarchical_memory_limit 9223372036854771712\n"
	"hierarchical_memsw_limit 9223372036854771712\n"
	"total_cache 2730999808\n"
	"total_rss 88338432\n"
	"total_rss_huge 0\n"
	"total_shmem 9580544\n"
	"total_mapped_file 46768128\n"
	"total_dirty 353349632\n"
	"total_writeback 0\n"
	"total_workingset_refault_anon 0\n"
	"total_workingset_refault_file 336344\n"
	"total_swap 0\n"
	"total_swapcached 0\n"
	"total_pgpgin 32104608\n"
	"total_pgpgout 31636480\n"
	"total_pgfault 38268140\n"
	"total_pgmajfault 3293\n"
	"total_inactive_anon 83849216\n"
	"total_active_anon 1564672\n"
	"total_inactive_file 1353273344\n"
	"total_active_file 1368150016\n"
	"total_unevictable 12410880\n";

static const char v1_cpu_stat[] = "nr_periods 1021\nnr_throttled 988\nthrottled_time 30842174731\n"
				  "nr_bursts 0\nburst_time 0\n";
static const char v1_oom_control[] = "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n";

static const char v2_memory_stat[] =
	"anon 73728000\nfile 16384000\nkernel 1048576\nkernel_stack 163840\npagetables 311296\n"
	"sec_pagetables 0\npercpu 0\nsock 0\nvmalloc 0\nshmem 0\nzswap 0\nzswapped 0\n"
	"file_mapped 4096\nfile_dirty 0\nfile_writeback 0\nswapcached 0\nanon_thp 0\nfile_thp 0\n"
	"shmem_thp 0\ninactive_anon 73687040\nactive_anon 40960\ninactive_file 12288000\n"
	"active_file 4096000\nunevictable 0\nslab_reclaimable 262144\nslab_unreclaimable 524288\n"
	"slab 786432\nworkingset_refault_anon 0\nworkingset_refault_file 0\npgfault 18010\n"
	"pgmajfault 0\nthp_fault_alloc 0\n";
static const char v2_memory_events[] = "low 0\nhigh 0\nmax 57\noom 2\noom_kill 2\noom_group_kill 0\n";
static const char v2_cpu_stat[] = "usage_usec 2010771\nuser_usec 2001560\nsystem_usec 9211\n"
				  "core_sched.force_idle_usec 0\nnr_periods 21\nnr_throttled 20\n"
				  "throttled_usec 1797311\nnr_bursts 0\nburst_usec 0\n";

struct keyed_row {
	const char *name, *text, *key;
	int ret;
	uint64_t want;
};

static const struct keyed_row keyed_rows[] = {
	{ "v1 stat total_rss", v1_memory_stat, "total_rss", 0, 88338432 },
	{ "v1 stat rss (not rss_huge, not total_rss)", v1_memory_stat, "rss", 0, 4362240 },
	{ "v1 stat total_cache", v1_memory_stat, "total_cache", 0, 2730999808 },
	{ "v1 stat total_inactive_file", v1_memory_stat, "total_inactive_file", 0, 1353273344 },
	{ "v1 stat hierarchical limit", v1_memory_stat, "hierarchical_memory_limit", 0,
	  9223372036854771712ull },
	{ "v1 stat no such key", v1_memory_stat, "anon", -ENOENT, 0 },
	{ "v1 stat prefix of a key", v1_memory_stat, "total_", -ENOENT, 0 },
	{ "v1 cpu nr_throttled", v1_cpu_stat, "nr_throttled", 0, 988 },
	{ "v1 cpu throttled_time", v1_cpu_stat, "throttled_time", 0, 30842174731ull },
	{ "v1 cpu nr_periods", v1_cpu_stat, "nr_periods", 0, 1021 },
	{ "v1 oom_kill", v1_oom_control, "oom_kill", 0, 1 },
	{ "v1 oom_kill_disable", v1_oom_control, "oom_kill_disable", 0, 0 },
	{ "v2 anon", v2_memory_stat, "anon", 0, 73728000 },
	{ "v2 file (not file_mapped)", v2_memory_stat, "file", 0, 16384000 },
	{ "v2 inactive_file", v2_memory_stat, "inactive_file", 0, 12288000 },
	{ "v2 last line, no newline", "anon 1\nfile 22", "file", 0, 22 },
	{ "v2 events oom (not oom_kill)", v2_memory_events, "oom", 0, 2 },
	{ "v2 events oom_kill", v2_memory_events, "oom_kill", 0, 2 },
	{ "v2 events max", v2_memory_events, "max", 0, 57 },
	{ "v2 cpu throttled_usec", v2_cpu_stat, "throttled_usec", 0, 1797311 },
	{ "v2 cpu nr_throttled", v2_cpu_stat, "nr_throttled", 0, 20 },
	{ "v2 cpu without the controller", "usage_usec 5\nuser_usec 3\nsystem_usec 2\n",
	  "nr_throttled", -ENOENT, 0 },
	{ "empty file", "", "anon", -ENOENT, 0 },
	{ "empty key", v2_memory_stat, "", -ENOENT, 0 },
	{ "key without value", "anon\nfile 3\n", "anon", -ENOENT, 0 },
	{ "key then space only", "anon \n", "anon", -EINVAL, 0 },
	{ "negative", "anon -5\n", "anon", -EINVAL, 0 },
	{ "two spaces", "anon  5\n", "anon", -EINVAL, 0 },
	{ "trailing junk", "anon 5 kB\n", "anon", -EINVAL, 0 },
	{ "CRLF", "anon 5\r\n", "anon", -EINVAL, 0 },
	{ "tab", "anon\t5\n", "anon", -ENOENT, 0 },
	{ "overflow", "anon 18446744073709551616\n", "anon", -EINVAL, 0 },
	{ "max u64", "anon 18446744073709551615\n", "anon", 0, UINT64_MAX },
	{ "NUL in value", "anon 1\0002\n", "anon", -EINVAL, 0 },
	{ "first match wins", "anon 1\nanon 2\n", "anon", 0, 1 },
	{ "key mid-line is not a key", "x anon 1\n", "anon", -ENOENT, 0 },
};

static void test_keyed_row(void **state)
{
	const struct keyed_row *r = *state;
	size_t len = strlen(r->text);
	char *b;
	uint64_t v = 12345;
	int ret;

	/* rows with an embedded NUL give their length by the literal */
	if (!strcmp(r->name, "NUL in value"))
		len = sizeof("anon 1\0002\n") - 1;
	b = exact_copy(r->text, len);
	ret = cg_keyed(b, len, r->key, &v);
	free(b);
	assert_int_equal(ret, r->ret);
	if (!ret)
		assert_true(v == r->want);
	else
		assert_true(v == 12345); /* untouched */
}

/* Every prefix of a real file: never a read past len, and a key whose line is cut inside its
 * value gives that value's prefix or is refused, never a neighbour's number. */
static void test_keyed_every_prefix(void **state)
{
	size_t n = sizeof(v1_memory_stat) - 1, l;

	(void)state;
	for (l = 0; l <= n; l++) {
		char *b = exact_copy(v1_memory_stat, l);
		uint64_t v = 0;
		int ret = cg_keyed(b, l, "total_inactive_file", &v);
		const char *at = strstr(v1_memory_stat, "\ntotal_inactive_file ");
		size_t start = at - v1_memory_stat + 1 + strlen("total_inactive_file ");

		free(b);
		if (l < start)
			assert_int_equal(ret, l <= start - 1 ? -ENOENT : -EINVAL);
		else if (l == start)
			assert_int_equal(ret, -EINVAL);
		else {
			assert_int_equal(ret, 0);
			assert_true(v <= 1353273344ull);
		}
	}
}

struct value_row {
	const char *name, *text;
	int ret_u, ret_i, ret_max;
	uint64_t u;
	int64_t i;
	bool unlimited;
};

static const struct value_row value_rows[] = {
	{ "memory.current", "73728000\n", 0, 0, 0, 73728000, 73728000, false },
	{ "no newline", "4096", 0, 0, 0, 4096, 4096, false },
	{ "v1 unlimited limit", "9223372036854771712\n", 0, 0, 0, 9223372036854771712ull,
	  9223372036854771712ll, false },
	{ "v1 cfs_quota_us unlimited", "-1\n", -EINVAL, 0, -EINVAL, 0, -1, false },
	{ "memory.max", "max\n", -EINVAL, -EINVAL, 0, 0, 0, true },
	{ "max no newline", "max", -EINVAL, -EINVAL, 0, 0, 0, true },
	{ "maxi", "maxi\n", -EINVAL, -EINVAL, -EINVAL, 0, 0, false },
	{ "Max", "Max\n", -EINVAL, -EINVAL, -EINVAL, 0, 0, false },
	{ "empty", "", -EINVAL, -EINVAL, -EINVAL, 0, 0, false },
	{ "newline only", "\n", -EINVAL, -EINVAL, -EINVAL, 0, 0, false },
	{ "two newlines", "5\n\n", -EINVAL, -EINVAL, -EINVAL, 0, 0, false },
	{ "minus only", "-\n", -EINVAL, -EINVAL, -EINVAL, 0, 0, false },
	{ "plus", "+5\n", -EINVAL, -EINVAL, -EINVAL, 0, 0, false },
	{ "space", " 5\n", -EINVAL, -EINVAL, -EINVAL, 0, 0, false },
	{ "u64 max", "18446744073709551615\n", 0, -EINVAL, 0, UINT64_MAX, 0, false },
	{ "u64 overflow", "18446744073709551616\n", -EINVAL, -EINVAL, -EINVAL, 0, 0, false },
	{ "i64 min + 1", "-9223372036854775807\n", -EINVAL, 0, -EINVAL, 0, -INT64_MAX, false },
	{ "i64 overflow", "-9223372036854775808\n", -EINVAL, -EINVAL, -EINVAL, 0, 0, false },
};

static void test_value_row(void **state)
{
	const struct value_row *r = *state;
	size_t len = strlen(r->text);
	char *b = exact_copy(r->text, len);
	uint64_t u = 7;
	int64_t i = 7;
	bool unl = false;

	assert_int_equal(cg_u64(b, len, &u), r->ret_u);
	if (!r->ret_u)
		assert_true(u == r->u);
	assert_int_equal(cg_i64(b, len, &i), r->ret_i);
	if (!r->ret_i)
		assert_true(i == r->i);
	u = 7;
	assert_int_equal(cg_u64_or_max(b, len, &u, &unl), r->ret_max);
	if (!r->ret_max) {
		assert_int_equal(unl, r->unlimited);
		assert_true(u == (r->unlimited ? 0 : r->u));
	}
	free(b);
}

struct cpumax_row {
	const char *name, *text;
	int ret;
	uint64_t quota, period;
	bool unlimited;
};

static const struct cpumax_row cpumax_rows[] = {
	{ "default", "max 100000\n", 0, 0, 100000, true },
	{ "half a CPU", "50000 100000\n", 0, 50000, 100000, false },
	{ "two CPUs, short period", "20000 10000\n", 0, 20000, 10000, false },
	{ "no newline", "1000 1000", 0, 1000, 1000, false },
	{ "period zero", "max 0\n", -EINVAL, 0, 0, false },
	{ "no period", "max\n", -EINVAL, 0, 0, false },
	{ "no period after space", "max \n", -EINVAL, 0, 0, false },
	{ "two spaces", "max  100000\n", -EINVAL, 0, 0, false },
	{ "three fields", "1 2 3\n", -EINVAL, 0, 0, false },
	{ "negative quota", "-1 100000\n", -EINVAL, 0, 0, false },
	{ "empty", "", -EINVAL, 0, 0, false },
	{ "space first", " 100000\n", -EINVAL, 0, 0, false },
};

static void test_cpumax_row(void **state)
{
	const struct cpumax_row *r = *state;
	size_t len = strlen(r->text);
	char *b = exact_copy(r->text, len);
	uint64_t q = 9, p = 9;
	bool unl = false;
	int ret = cg_cpu_max(b, len, &q, &unl, &p);

	free(b);
	assert_int_equal(ret, r->ret);
	if (ret) {
		assert_true(q == 9 && p == 9);
		return;
	}
	assert_true(q == r->quota);
	assert_true(p == r->period);
	assert_int_equal(unl, r->unlimited);
}

static void test_v1_unlimited(void **state)
{
	(void)state;
	assert_true(cg_v1_unlimited(9223372036854771712ull)); /* 4 KiB pages */
	assert_true(cg_v1_unlimited(9223372036854710272ull)); /* 64 KiB pages */
	assert_true(cg_v1_unlimited(UINT64_MAX));
	assert_false(cg_v1_unlimited(64ull << 20));
	assert_false(cg_v1_unlimited((1ull << 62) - 4096));
}

#define NSINGLE 2
#define NTESTS (NSINGLE + NELEM(keyed_rows) + NELEM(value_rows) + NELEM(cpumax_rows))

static struct CMUnitTest row_test(CMUnitTestFunction fn, const void *row, const char *name)
{
	struct CMUnitTest t = { name, fn, NULL, NULL, (void *)row };

	return t;
}

int main(void)
{
	struct CMUnitTest tests[NTESTS] = {
		cmocka_unit_test(test_keyed_every_prefix),
		cmocka_unit_test(test_v1_unlimited),
	};
	size_t i, n = NSINGLE;

	for (i = 0; i < NELEM(keyed_rows); i++)
		tests[n++] = row_test(test_keyed_row, &keyed_rows[i], keyed_rows[i].name);
	for (i = 0; i < NELEM(value_rows); i++)
		tests[n++] = row_test(test_value_row, &value_rows[i], value_rows[i].name);
	for (i = 0; i < NELEM(cpumax_rows); i++)
		tests[n++] = row_test(test_cpumax_row, &cpumax_rows[i], cpumax_rows[i].name);
	return cmocka_run_group_tests_name("cgroupfs", tests, NULL, NULL);
}
