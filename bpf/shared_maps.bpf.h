/* Maps more than one BPF object uses. Userspace loads cpu.bpf.c first and hands its copy of
 * each to the others (bpf_map__reuse_fd), so they are one map in the kernel. */
#ifndef JVMTAP_SHARED_MAPS_BPF_H
#define JVMTAP_SHARED_MAPS_BPF_H

#include "jvmtap/cpu.h"

/* Processes (JVMs) whose threads, sockets and exit are followed one by one: filled by the JVM
 * collector. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CPU_MAX_JVMS);
	__type(key, __u32);
	__type(value, __u8);
} jvm_tgids SEC(".maps");

#endif
