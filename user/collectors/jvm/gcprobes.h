/* The HotSpot probes of a libjvm file, and the choice between the two ways of seeing its
 * collections (include/jvmtap/jvm.h): GCMemoryManager uprobes, four hits per collection with
 * its safepoint, or the gc__begin/end and per-pool USDT probes, twenty on G1. */
#ifndef JVMTAP_GCPROBES_H
#define JVMTAP_GCPROBES_H

#include "libprobe.h"

enum hotspot_probe {
	HP_MGR_BEGIN,
	HP_MGR_END,
	HP_G1_BEGIN,
	HP_G1_END,
	HP_GC_BEGIN,
	HP_GC_END,
	HP_POOL_BEGIN,
	HP_POOL_END,
	HP_SP_BEGIN,
	HP_SP_END,
	HP_THREAD_START,
	HP_THREAD_STOP,
	HP__N
};

/* The kind; its progs[] are filled by hotspot_bind(). */
extern struct libprobe_kind hotspot_kind;

struct bpf_object;
/* Once the collector's object is loaded: each probe's program, found by its name. 0 or
 * -ENOENT. */
int hotspot_bind(struct bpf_object *obj);
/* Registers each probe's program for jvmtap_bpf_program_*: "jvm_" and its name. */
void hotspot_track(void);

#endif
