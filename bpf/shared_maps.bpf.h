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

/* The same processes as a bitmap over pids, bit (tgid & 63) of word tgid >> 6, for the check
 * every sched_switch makes: an array lookup is a few inlined instructions where the hash lookup
 * was a sixth of the handler's time. Kept equal to jvm_tgids by bpfutil_follow_tgid(). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CPU_TGID_BITS_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} jvm_tgid_bits SEC(".maps");

static __always_inline bool jvm_followed(__u32 tgid)
{
	__u32 word = tgid >> 6;
	__u64 *bits = bpf_map_lookup_elem(&jvm_tgid_bits, &word);

	return bits && (*bits >> (tgid & 63)) & 1;
}

#endif
