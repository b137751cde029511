/* Shared between bpf/oom.bpf.c and user/collectors/oom.c: the processes the OOM killer chose
 * (oom:mark_victim), counted per cgroup and whether they were a JVM jvmtap follows. */
#ifndef JVMTAP_OOM_H
#define JVMTAP_OOM_H

#define OOM_MAX_KEYS 4096
#define OOM_COMM_LEN 16

struct oom_key {
	__u64 cgroup_id; /* first, as cgmaps_reap() wants: the victim's cgroup */
	__u8 jvm;	 /* 1: its tgid was in jvm_tgids */
	__u8 pad[7];
};

/* One victim, for the log line that names it. */
struct oom_event {
	__u64 cgroup_id;
	__u32 pid, tgid;
	__u8 jvm;
	__u8 pad[7];
	char comm[OOM_COMM_LEN];
};

#endif
