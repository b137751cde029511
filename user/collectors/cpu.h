/* What the CPU collector offers other collectors: per-thread CPU time of chosen processes. */
#ifndef JVMTAP_CPU_USER_H
#define JVMTAP_CPU_USER_H

#include <stdbool.h>
#include <linux/types.h>

/* Starts or stops per-thread accounting of a process; 0 or -errno (-ENODEV: CPU collector off). */
int cpu_track_process(__u32 tgid, bool on);

typedef void (*cpu_thread_fn)(__u32 tid, __u32 tgid, __u64 ns, __u64 cgroup_id, const char *comm,
			      void *arg);
/* The BPF map of processes accounted per thread (other objects share it); -1 if none. */
int cpu_jvm_tgids_fd(void);

/* Calls fn for every accounted thread. */
void cpu_for_each_thread(cpu_thread_fn fn, void *arg);
/* Drops a thread's entry (it exited and its time was folded into its process's totals). */
void cpu_forget_thread(__u32 tid);

#endif
