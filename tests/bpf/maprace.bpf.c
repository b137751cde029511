// SPDX-License-Identifier: GPL-2.0
/* Test-only: each run adds 1 to n keys from base on, either through lookup_or_init() or through
 * the hand-written pattern it replaced (bpf/cpu.bpf.c before it), in a per-CPU hash like
 * cgroup_cpu and a shared hash like threads. Two CPUs running one program with the same keys at
 * once race to insert each key; user space checks that no add is lost. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "maputil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* User space sizes the maps before load. */
#define RACE_MAP(name, map_type)			\
	struct {					\
		__uint(type, map_type);			\
		__uint(max_entries, 1);			\
		__type(key, __u64);			\
		__type(value, __u64);			\
	} name SEC(".maps");				\
	__u64 name##_failures = 0

RACE_MAP(pcpu_helper, BPF_MAP_TYPE_PERCPU_HASH);
RACE_MAP(pcpu_old, BPF_MAP_TYPE_PERCPU_HASH);
RACE_MAP(hash_helper, BPF_MAP_TYPE_HASH);
RACE_MAP(hash_old, BPF_MAP_TYPE_HASH);

static __always_inline void add_helper(void *map, __u64 key, __u64 *failures, bool percpu)
{
	__u64 zero = 0, *v = lookup_or_init(map, &key, &zero, failures);

	if (!v)
		return;
	if (percpu)
		*v += 1;
	else
		__sync_fetch_and_add(v, 1);
}

/* The old copy: a failed insert is taken for a full map, even when it failed because another
 * CPU had just inserted the key. */
static __always_inline void add_old(void *map, __u64 key, __u64 *failures, bool percpu)
{
	__u64 one = 1, *v = bpf_map_lookup_elem(map, &key);

	if (v) {
		if (percpu)
			*v += 1;
		else
			__sync_fetch_and_add(v, 1);
		return;
	}
	if (bpf_map_update_elem(map, &key, &one, BPF_NOEXIST))
		__sync_fetch_and_add(failures, 1);
}

/* bpf_loop callbacks: the loop keeps the program one verified body however many keys. */
static long pcpu_helper_cb(__u64 i, void *base)
{
	add_helper(&pcpu_helper, *(__u64 *)base + i, &pcpu_helper_failures, true);
	return 0;
}

static long pcpu_old_cb(__u64 i, void *base)
{
	add_old(&pcpu_old, *(__u64 *)base + i, &pcpu_old_failures, true);
	return 0;
}

static long hash_helper_cb(__u64 i, void *base)
{
	add_helper(&hash_helper, *(__u64 *)base + i, &hash_helper_failures, false);
	return 0;
}

static long hash_old_cb(__u64 i, void *base)
{
	add_old(&hash_old, *(__u64 *)base + i, &hash_old_failures, false);
	return 0;
}

/* BPF_PROG_TEST_RUN passes ctx_in as the raw tracepoint's arguments: {base, n}. */
#define RACE_PROG(name)					\
	SEC("raw_tp")					\
	int run_##name(__u64 *ctx)			\
	{						\
		__u64 base = ctx[0];			\
							\
		bpf_loop(ctx[1], name##_cb, &base, 0);	\
		return 0;				\
	}

RACE_PROG(pcpu_helper)
RACE_PROG(pcpu_old)
RACE_PROG(hash_helper)
RACE_PROG(hash_old)
