/* Shared libbpf plumbing: logging, open options, and the registry behind the jvmtap_bpf_* metrics. */
#ifndef JVMTAP_BPFUTIL_H
#define JVMTAP_BPFUTIL_H

#include <stdbool.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include "writer.h"

/* Routes libbpf's messages to the logger and turns on run-time stats with --bpf.stats. */
int bpfutil_init(void);
void bpfutil_exit(void);

/* Open options every skeleton uses (honours --btf.path). */
const struct bpf_object_open_opts *bpfutil_open_opts(void);

/* While probing, libbpf's warnings are expected noise: they go to debug. */
void bpfutil_quiet(bool quiet);

/* The one attach-mode prober: a collector's modes in order of preference, tried until one
 * loads and attaches (auto: forced < 0, libbpf quiet, each failure logged as such), or only
 * the forced one. Returns the index of the mode that worked, or the last -errno. */
struct bpfutil_modes {
	const char *owner, *what;   /* for logs: "cpu", "sched_switch" */
	const char *const *names;   /* "tp_btf", "raw_tp", ... */
	int n;
	int forced;                 /* index in names, or -1 */
	int (*try_mode)(int mode, void *arg);
	void *arg;
};
int bpfutil_probe(const struct bpfutil_modes *p);

/* Registers a logical program for jvmtap_bpf_program_*; prog may be NULL when it never loaded. */
void bpfutil_track_prog(const char *program, const char *mode, const struct bpf_program *prog,
			bool attached);
/* Between open and load: the maps shared between objects (jvm_tgids) become the one made at
 * init, and --bpf.max-entries caps every other hash map. 0 or -errno. */
int bpfutil_prepare(struct bpf_object *obj);
/* The fd of a shared map ("jvm_tgids": the JVMs followed one by one), or -1. */
int bpfutil_shared_fd(const char *name);
/* Adds (or changes) and removes a process of jvm_tgids, the JVMs followed one by one, and of
 * its bitmap jvm_tgid_bits (bpf/shared_maps.bpf.h): every change goes through these. */
int bpfutil_follow_tgid(__u32 tgid, __u8 how);
void bpfutil_unfollow_tgid(__u32 tgid);

/* Registers a map for jvmtap_bpf_map_*; failures points at the BPF-side counter of failed
 * inserts (in the skeleton's .bss) or is NULL. */
void bpfutil_track_map(const char *map, const struct bpf_map *m, const volatile __u64 *failures);
/* Forgets everything registered for an object about to be destroyed. */
void bpfutil_untrack_all(void);

/* Number of registered programs that are not attached (for --strict). */
int bpfutil_missed(void);

/* Counts every registered map's entries (a walk of the keys: hash maps keep no count) for the
 * next bpfutil_collect(); on the self collector's worker, off the scrape path. */
void bpfutil_count_maps(void);
void bpfutil_collect(struct writer *w);

/* 0 if tracefs is mounted (classic tracepoints need it), else logs how to mount it: -ENOENT. */
int bpfutil_need_tracefs(void);

/* Number of possible CPUs, for per-CPU map values. */
int bpfutil_ncpus(void);

#endif
