/* What the CPU collector offers other collectors: per-thread CPU time of chosen processes. */
#ifndef JVMTAP_CPU_USER_H
#define JVMTAP_CPU_USER_H

#include <stdbool.h>
#include <linux/types.h>

/* The processes in the shared map jvm_tgids (bpfutil_shared_fd) have their threads' CPU
 * accounted one by one, while the CPU collector runs: does it? */
bool cpu_accounts_threads(void);

typedef void (*cpu_thread_fn)(__u32 tid, __u32 tgid, __u64 ns, __u64 cgroup_id, const char *comm,
			      void *arg);

/* Calls fn for every accounted thread. */
void cpu_for_each_thread(cpu_thread_fn fn, void *arg);
/* Drops a thread's entry (it exited and its time was folded into its process's totals). */
void cpu_forget_thread(__u32 tid);

#endif
