/* Unit tests for flink_thread_task(): names as Flink 1.20 and 2.x give them (../shared/
 * FLINK-FACTS.md section 2, and the test bed's threads: "Source: numbers -> pace (1/2)#0"). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "flinkthread.h"

static int task_of(const char *name, char *out, size_t sz)
{
	size_t n = strlen(name);
	char *b = malloc(n ? n : 1);
	int r;

	assert_non_null(b);
	memcpy(b, name, n); /* no NUL after it */
	r = flink_thread_task(b, n, out, sz);
	free(b);
	return r;
}

static void test_tasks(void **state)
{
	static const struct {
		const char *name, *task;
	} ok[] = {
		{ "Source: numbers -> pace (1/2)#0", "Source: numbers -> pace" },
		{ "count -> discard: Writer (2/2)#3", "count -> discard: Writer" },
		{ "Map (10/128)#12", "Map" },
		{ "Sink: out (1/1)", "Sink: out" },
		{ "OutputFlusher for Source: numbers -> pace (1/2)#0", "Source: numbers -> pace" },
		{ "OutputFlusher for Source: numbers -> pace", NULL },
		{ "Source Data Fetcher for Source: kafka (3/4)#1", "Source: kafka" },
		{ "Legacy Source Thread - Source: gen (1/2)#0", "Source: gen" },
		{ "Time Trigger for window (1/2)#0", "window" },
		{ "System Time Trigger for window (2/2)#0", "window" },
		{ "a (b) (1/2)#0", "a (b)" },
		{ "Windowed (1/2)#0 (1/2)#0", "Windowed (1/2)#0" },
		/* not task threads */
		{ "main", NULL },
		{ "Flink Netty Server (0) Thread 0", NULL },
		{ "flink-pekko.actor.default-dispatcher-5", NULL },
		{ "AsyncOperations-thread-1", NULL },
		{ "x (0/2)#0", NULL },
		{ "x (3/2)#0", NULL },
		{ "x (1/2)#", NULL },
		{ "x (1/2)0", NULL },
		{ "x(1/2)#0", NULL },
		{ " (1/2)#0", NULL },
		{ "(1/2)#0", NULL },
		{ "x (/2)#0", NULL },
		{ "x (1/)#0", NULL },
		{ "x (1/9999999999)#0", NULL },
		{ "", NULL },
	};
	char task[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int r = task_of(ok[i].name, task, sizeof(task));

		if (ok[i].task) {
			assert_int_equal(r, 0);
			assert_string_equal(task, ok[i].task);
		} else {
			assert_int_equal(r, -ENOENT);
			assert_string_equal(task, "");
		}
	}
}

static void test_cut(void **state)
{
	char task[8];

	(void)state;
	assert_int_equal(task_of("abcdefghij (1/2)#0", task, sizeof(task)), 0);
	assert_string_equal(task, "abcdefg");
	/* "ab" + a 3-byte character: cut before it, not inside */
	assert_int_equal(task_of("abcde\xe2\x82\xac (1/2)#0", task, 7), 0);
	assert_string_equal(task, "abcde");
	/* a name with a NUL ends there (the map keeps names NUL-padded) */
	assert_int_equal(flink_thread_task("Map (1/2)#0\0junk", 16, task, sizeof(task)), 0);
	assert_string_equal(task, "Map");
	assert_int_equal(flink_thread_task(NULL, 3, task, sizeof(task)), -EINVAL);
	assert_int_equal(flink_thread_task("Map (1/2)", 9, NULL, 8), -EINVAL);
	assert_int_equal(flink_thread_task("Map (1/2)", 9, task, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tasks),
		cmocka_unit_test(test_cut),
	};

	return cmocka_run_group_tests_name("flinkthread", tests, NULL, NULL);
}
