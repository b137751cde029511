/* Unit tests for the file readers: read_boot_time() on this machine's /proc/stat agrees with the
 * clock and /proc/uptime, and with the parser on the same text read by read_file(). */
// UNIT-SOURCES: user/parse/procfs.c
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "procfs.h"
#include "readfile.h"

static void test_boot_time(void **state)
{
	unsigned long long bt = 0, parsed = 0;
	double uptime, since;
	struct timespec now;
	char up[64], *buf;
	size_t len;

	(void)state;
	assert_int_equal(read_boot_time(&bt), 0);
	assert_true(read_small("/proc/uptime", up, sizeof(up)) > 0);
	assert_int_equal(sscanf(up, "%lf", &uptime), 1);
	clock_gettime(CLOCK_REALTIME, &now);
	/* the kernel's btime is now - uptime, cut to the second; its clock may have been set by
	 * a fraction since: within 2 s */
	since = now.tv_sec + now.tv_nsec / 1e9 - uptime;
	assert_true((double)bt > since - 2 && (double)bt < since + 2);
	/* the same as the parser on the same text */
	assert_int_equal(read_file("/proc/stat", &buf, &len, 16u << 20), 0);
	assert_int_equal(stat_btime(buf, len, &parsed), 0);
	assert_int_equal(parsed, bt);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_time),
	};

	return cmocka_run_group_tests_name("readfile", tests, NULL, NULL);
}
