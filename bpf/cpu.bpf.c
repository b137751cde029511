// SPDX-License-Identifier: GPL-2.0
/* On-CPU nanoseconds per cgroup: each sched_switch charges the time since the previous switch on
 * this CPU to the task leaving it; a periodic perf event charges the running task's time so far. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "jvmtap/cpu.h"
#include "cgroup.bpf.h"
#include "shared_maps.bpf.h"
#include "maputil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 clock_source = CPU_CLOCK_KTIME;

/* Userspace sets max_entries from --cpu.max-cgroups before load. Not LRU: evicting a live cgroup
 * would make its counter go backwards; userspace deletes entries of removed cgroups instead. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, CPU_DEFAULT_MAX_CGROUPS);
	__type(key, struct cpu_key);
	__type(value, struct cpu_val);
} cgroup_cpu SEC(".maps");

/* The last charge on this CPU and the time not yet moved to cgroup_cpu (jvmtap/cpu.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_pending);
} last_ts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CPU_MAX_JVM_THREADS);
	__type(key, __u32);
	__type(value, struct cpu_thread_val);
} jvm_thread_cpu SEC(".maps");

__u64 cgroup_cpu_update_failures = 0;
__u64 jvm_thread_cpu_update_failures = 0;

/* The scheduler stamps its runqueue clock at every switch and tick, so with a BTF-typed task
 * the time is three plain loads, where bpf_ktime_get_ns() reads the clocksource again (150 ns
 * under kvm-clock, docs/performance.md). clock_task is also what cpu.stat advances by (it leaves
 * out IRQ and steal time). The task's cfs_rq->rq link needs CONFIG_FAIR_GROUP_SCHED; userspace
 * falls back to ktime when this does not load. */
static __always_inline __u64 clock_now(struct task_struct *task)
{
	if (clock_source == CPU_CLOCK_RQ)
		return task->se.cfs_rq->rq->clock_task;
	return bpf_ktime_get_ns();
}

/* Charges the time since the last charge on this CPU to the current task's cgroup. The caller
 * runs with interrupts off (sched_switch) or in the timer interrupt (perf event), so the two
 * never interleave on one CPU. task is current; BTF-typed when btf_typed (tp_btf, or the flush
 * tick with the rq clock). */
static __always_inline void charge_thread(__u32 tid, __u32 tgid, __u64 cgroup_id, __u64 delta)
{
	struct cpu_thread_val *v, init = { .tgid = tgid };

	if (!jvm_followed(tgid))
		return;
	v = lookup_or_init(&jvm_thread_cpu, &tid, &init, &jvm_thread_cpu_update_failures);
	if (!v)
		return;
	v->ns += delta; /* one thread runs on one CPU at a time: no atomic needed */
	v->cgroup_id = cgroup_id;
	/* HotSpot names a thread just after it starts: keep the latest name. */
	bpf_get_current_comm(v->comm, sizeof(v->comm));
}

static __always_inline void charge_current(__u32 pid, struct task_struct *task, bool btf_typed)
{
	__u32 zero = 0;
	__u64 now = clock_now(task), delta, cg;
	struct cpu_pending *p;
	struct cpu_key key = {};
	struct cpu_val *val, init = {};

	p = bpf_map_lookup_elem(&last_ts, &zero);
	if (!p)
		return;
	/* rq clock_task never goes back, but a CPU's first event has no start: skip it. */
	delta = p->ts && now > p->ts ? now - p->ts : 0;
	p->ts = now;
	/* pid 0 is this CPU's idle task: idle time belongs to no cgroup. */
	if (!delta || pid == 0)
		return;
	cg = cgroup_id_of(task, btf_typed);
	/* a helper call saved where the task is typed */
	charge_thread(pid, btf_typed ? task->tgid : bpf_get_current_pid_tgid() >> 32, cg, delta);
	if (cg == p->cgroup_id) {
		p->ns += delta;
		return;
	}
	/* Another cgroup: the previous one's time moves to the map (a per-CPU value: a plain add). */
	if (p->ns) {
		key.cgroup_id = p->cgroup_id;
		val = lookup_or_init(&cgroup_cpu, &key, &init, &cgroup_cpu_update_failures);
		if (val)
			val->ns += p->ns;
	}
	p->cgroup_id = cg;
	p->ns = delta;
}

/* In sched_switch, `current` is still prev, the task leaving the CPU. */
SEC("tp_btf/sched_switch")
int BPF_PROG(cpu_switch_tp_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	charge_current(prev->pid, prev, true);
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(cpu_switch_raw_tp, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	charge_current(BPF_CORE_READ(prev, pid), prev, false);
	return 0;
}

SEC("tracepoint/sched/sched_switch")
int cpu_switch_tracepoint(struct trace_event_raw_sched_switch *ctx)
{
	charge_current(ctx->prev_pid, (struct task_struct *)bpf_get_current_task(), false);
	return 0;
}

/* A task that never leaves its CPU would be charged only when it does; this periodic tick
 * charges it as it runs, so a scrape is never behind by more than one period. */
SEC("perf_event")
int cpu_flush(struct bpf_perf_event_data *ctx)
{
	__u32 pid = (__u32)bpf_get_current_pid_tgid();

	/* Same clock as the switch program; the rq clock is only chosen with tp_btf (Linux 5.11+
	 * for bpf_get_current_task_btf), else this branch is dead and never verified. */
	if (clock_source == CPU_CLOCK_RQ)
		charge_current(pid, bpf_get_current_task_btf(), true);
	else
		charge_current(pid, (struct task_struct *)bpf_get_current_task(), false);
	return 0;
}
