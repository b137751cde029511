/* Shared between bpf/tasks.bpf.c and user/tasks.c: tasks (threads) created per cgroup. */
#ifndef JVMTAP_TASKS_H
#define JVMTAP_TASKS_H

#define TASKS_MAX_CGROUPS 16384

#endif
