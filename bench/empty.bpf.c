// SPDX-License-Identifier: GPL-2.0
/* Bench baseline: an empty tp_btf sched_switch program, to separate the cost of running any BPF
 * program on the event from the cost of jvmtap's own work. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sched_switch")
int BPF_PROG(bench_empty, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return 0;
}
