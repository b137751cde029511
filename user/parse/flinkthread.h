/* Pure parser: a Flink TaskManager thread's Java name -> the task it works for. */
#ifndef JVMTAP_FLINKTHREAD_H
#define JVMTAP_FLINKTHREAD_H

#include <stddef.h>

/*
 * The task (chained operator names, "Source: orders -> Map") a thread named name (len bytes,
 * need not be NUL-terminated) runs or serves:
 * - a task thread: "<task> (<i>/<n>)#<attempt>" (Flink 1.11+) or "<task> (<i>/<n>)";
 * - its helpers, with the task thread's name after the prefix: "OutputFlusher for ",
 *   "Source Data Fetcher for ", "Legacy Source Thread - ", "Time Trigger for ",
 *   "System Time Trigger for ".
 * task gets the name without the subtask suffix, NUL-terminated, cut to tasksz - 1 bytes at a
 * UTF-8 character boundary. Returns 0, -ENOENT for any other thread (no "(i/n)" suffix with
 * 1 <= i <= n), -EINVAL for bad arguments (NULL, tasksz 0).
 */
int flink_thread_task(const char *name, size_t len, char *task, size_t tasksz);

#endif
