// SPDX-License-Identifier: GPL-2.0
/* Runs the maprace.bpf.c programs with BPF_PROG_TEST_RUN and prints, per map, how many adds
 * were run, the sum of the map's values and its failure counter:
 *
 *   maprace race ROUNDS KEYS   two threads on two CPUs run each program ROUNDS times at once,
 *                              each run adding 1 to KEYS fresh keys (2 * ROUNDS * KEYS adds)
 *   maprace full KEYS CAP      one run on one CPU adds to KEYS keys of a map that holds CAP
 *
 * Output lines: "NAME runs=N sum=S failures=F". */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "maprace.skel.h"

struct variant {
	const char *name;
	struct bpf_map *map;
	struct bpf_program *prog;
	__u64 *failures;
	bool percpu;
};

static struct variant variants[4];
static int cpus[2];
static __u64 rounds, nkeys;
/* Arrivals at the start of a round, over all rounds: a barrier both threads spin on, so their
 * runs start within a syscall's time of each other. */
static atomic_ulong arrived;
static atomic_int failed;

static int run_on(struct variant *v, int cpu, __u64 base, __u64 n)
{
	__u64 args[2] = { base, n };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args),
		    .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = cpu);

	if (bpf_prog_test_run_opts(bpf_program__fd(v->prog), &opts)) {
		fprintf(stderr, "test run of %s on cpu %d: %s\n", v->name, cpu, strerror(errno));
		return -1;
	}
	return 0;
}

static void *racer(void *arg)
{
	int self = (int)(long)arg;
	unsigned long turn = 0;
	cpu_set_t set;

	/* On its own CPU the program runs in this thread, not from an IPI the caller waits on. */
	CPU_ZERO(&set);
	CPU_SET(cpus[self], &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set)) {
		atomic_store(&failed, 1);
		return NULL;
	}
	for (int i = 0; i < 4; i++) {
		for (__u64 r = 0; r < rounds; r++) {
			turn++;
			atomic_fetch_add(&arrived, 1);
			while (atomic_load(&arrived) < 2 * turn)
				__builtin_ia32_pause();
			if (atomic_load(&failed) || run_on(&variants[i], cpus[self], r * nkeys, nkeys)) {
				/* The other thread must not wait for this one any more. */
				atomic_store(&failed, 1);
				atomic_fetch_add(&arrived, 1UL << 40);
				return NULL;
			}
		}
	}
	return NULL;
}

/* The sum over the keys 0..n-1, over every CPU's copy for a per-CPU map. */
static __u64 map_sum(struct variant *v, __u64 n)
{
	int ncpu = v->percpu ? libbpf_num_possible_cpus() : 1, fd = bpf_map__fd(v->map);
	__u64 *vals = calloc(ncpu, sizeof(*vals)), sum = 0;

	if (!vals)
		exit(1);
	for (__u64 k = 0; k < n; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			sum += vals[c];
	}
	free(vals);
	return sum;
}

static int two_cpus(void)
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n == 2 ? 0 : -1;
}

int main(int argc, char **argv)
{
	bool race = argc == 4 && !strcmp(argv[1], "race");
	bool full = argc == 4 && !strcmp(argv[1], "full");
	struct maprace_bpf *skel;
	__u64 entries, runs;
	pthread_t t[2];

	if (!race && !full) {
		fprintf(stderr, "usage: %s race ROUNDS KEYS | full KEYS CAP\n", argv[0]);
		return 2;
	}
	if (two_cpus()) {
		fprintf(stderr, "needs two CPUs\n");
		return 77;
	}
	skel = maprace_bpf__open();
	if (!skel)
		return 1;
	variants[0] = (struct variant){ "pcpu_helper", skel->maps.pcpu_helper,
					skel->progs.run_pcpu_helper, NULL, true };
	variants[1] = (struct variant){ "pcpu_old", skel->maps.pcpu_old,
					skel->progs.run_pcpu_old, NULL, true };
	variants[2] = (struct variant){ "hash_helper", skel->maps.hash_helper,
					skel->progs.run_hash_helper, NULL, false };
	variants[3] = (struct variant){ "hash_old", skel->maps.hash_old,
					skel->progs.run_hash_old, NULL, false };
	if (race) {
		rounds = strtoull(argv[2], NULL, 0);
		nkeys = strtoull(argv[3], NULL, 0);
		entries = rounds * nkeys;
	} else {
		nkeys = strtoull(argv[2], NULL, 0);
		entries = strtoull(argv[3], NULL, 0);
	}
	for (int i = 0; i < 4; i++)
		bpf_map__set_max_entries(variants[i].map, entries);
	if (maprace_bpf__load(skel)) {
		fprintf(stderr, "load failed\n");
		return 1;
	}
	/* .bss is mapped by the load: its address is known only now. */
	variants[0].failures = &skel->bss->pcpu_helper_failures;
	variants[1].failures = &skel->bss->pcpu_old_failures;
	variants[2].failures = &skel->bss->hash_helper_failures;
	variants[3].failures = &skel->bss->hash_old_failures;
	if (race) {
		for (long i = 0; i < 2; i++)
			if (pthread_create(&t[i], NULL, racer, (void *)i))
				return 1;
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		runs = 2 * rounds * nkeys;
	} else {
		for (int i = 0; i < 4; i++)
			if (run_on(&variants[i], cpus[0], 0, nkeys))
				atomic_store(&failed, 1);
		runs = nkeys;
	}
	if (atomic_load(&failed))
		return 1;
	for (int i = 0; i < 4; i++)
		printf("%s runs=%llu sum=%llu failures=%llu\n", variants[i].name,
		       (unsigned long long)runs,
		       (unsigned long long)map_sum(&variants[i], race ? entries : nkeys),
		       (unsigned long long)*variants[i].failures);
	maprace_bpf__destroy(skel);
	return 0;
}
