/* Shared between bpf/cpu.bpf.c and user/cpu.c: on-CPU time per cgroup. */
#ifndef JVMTAP_CPU_H
#define JVMTAP_CPU_H

/* Which cgroup a task's time is charged to (rodata `hierarchy`). */
enum cpu_hierarchy {
	CPU_HIER_V2 = 0, /* the default (unified) hierarchy: bpf_get_current_cgroup_id() */
	CPU_HIER_V1 = 1, /* the v1 hierarchy the `cpu` controller is mounted on */
};

/* Where timestamps come from (rodata `clock_source`). */
enum cpu_clock {
	CPU_CLOCK_KTIME = 0, /* bpf_ktime_get_ns(): works everywhere */
	CPU_CLOCK_RQ = 1,    /* the runqueue's clock_task via the task: plain loads, tp_btf only */
};

/* Key of the cgroup_cpu map: a kernfs node id, equal to the cgroup directory's inode number. */
struct cpu_key {
	__u64 cgroup_id;
};

/* Per-CPU value of the cgroup_cpu map. */
struct cpu_val {
	__u64 ns; /* on-CPU nanoseconds charged on this CPU */
};

/* The last_ts per-CPU array's value: when this CPU last charged time, and the time charged since
 * to cgroup_id that is not yet added to cgroup_cpu. Consecutive charges to one cgroup (a task
 * and the idle task taking turns, threads of one container) add here, with no hash lookup; the
 * sum moves to cgroup_cpu when the CPU charges another cgroup. Userspace adds it to what it reads
 * of cgroup_cpu, reading this array after the map, so a move in between only leaves the time out
 * of one scrape, never counts it twice: the counter stays monotonic. */
struct cpu_pending {
	__u64 ts;
	__u64 cgroup_id;
	__u64 ns;
};

/* Per-thread on-CPU time of JVM threads (tgids userspace put in jvm_tgids), keyed by tid; the
 * comm tells userspace the thread's kind (GC, JIT, VM, application). */
struct cpu_thread_val {
	__u32 tgid;
	__u32 pad;
	__u64 ns;
	__u64 cgroup_id; /* where the thread's time went: works across cgroup namespaces */
	char comm[16];
};

#define CPU_DEFAULT_MAX_CGROUPS 16384
#define CPU_MAX_JVMS 4096
/* jvm_tgid_bits: one bit per pid up to PID_MAX_LIMIT (2^22), 512 KiB */
#define CPU_TGID_BITS_WORDS ((1u << 22) / 64)
#define CPU_MAX_JVM_THREADS 65536

#endif
