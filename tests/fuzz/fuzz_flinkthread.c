/* libFuzzer target for flink_thread_task(): raw bytes as a thread name, into a small and a
 * full-size task buffer. */
// FUZZ-SOURCES: user/parse/flinkthread.c
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "flinkthread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *data, size_t size, size_t sz)
{
	char task[128];
	int r = flink_thread_task((const char *)data, size, task, sz);

	if (r && r != -ENOENT)
		abort();
	if (strnlen(task, sz) >= sz)
		abort(); /* always terminated within the buffer */
	if (r && task[0])
		abort();
	/* a task is a prefix of the name, after at most one helper prefix */
	if (!r && (!memmem(data, size, task, strlen(task))))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size, 128);
	check(data, size, 5);
	check(data, size, 1);
	return 0;
}
