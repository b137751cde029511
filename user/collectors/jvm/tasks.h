/* CPU per Flink task inside a TaskManager: each Java thread's full name (thread__start, kept in
 * the jvm_thread_names map) gives the task it runs or serves (flinkthread.c); the CPU the
 * thread accounting (threads.c) finds for it is charged to that task in its JVM's table. */
#ifndef JVMTAP_JVM_TASKS_H
#define JVMTAP_JVM_TASKS_H

#include <linux/types.h>
#include "registry.h"
#include "view.h"
#include "writer.h"

#define JVM_MAX_TASKS 64 /* per JVM; more are charged to task="other" */

/* The thread_names map (jvm.bpf.c); -1 when not loaded. */
void jvm_tasks_set_names_fd(int fd);

enum { TASK_UNKNOWN = -2, TASK_NONE = -1 };
/* The task slot of thread tid of a TaskManager j: an index of j's table, JVM_MAX_TASKS for
 * "other", TASK_NONE for a thread that serves no task, TASK_UNKNOWN while its name is not
 * known (asked again at the next scrape). Not a TaskManager: TASK_NONE. */
int jvm_task_of(struct jvm *j, __u32 tid, const char *comm);
/* Adds ns of thread time to that slot. */
void jvm_task_charge(struct jvm *j, int slot, __u64 ns);
/* A thread that exited and was charged its last time: its name goes. */
void jvm_task_forget_thread(__u32 tid);
/* The JVM is forgotten: its table, and its threads' names in the map. */
void jvm_tasks_free(struct jvm *j);

/* jvmtap_flink_task_cpu_seconds_total of the views' TaskManagers. */
void jvm_tasks_collect(struct writer *w, const struct jvm_view *v, int n);

#endif
