/* Unit tests for whole-map reads against real BPF maps (needs root, as make test runs): hash
 * and per-CPU hash maps, batched and key by key, full maps, truncation at max, deletes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "mapsnap.h"

struct key {
	uint64_t cgroup;
	uint32_t dir, pad;
};

static int make(enum bpf_map_type t, uint32_t vsize, uint32_t max)
{
	int fd = bpf_map_create(t, "mapsnap_test", sizeof(struct key), vsize, max, NULL);

	if (fd < 0)
		fail_msg("bpf_map_create: %s (run as root)", strerror(errno));
	return fd;
}

/* n entries: key (i, i % 2), value i * 10 (on every CPU i * 10 + cpu for per-CPU maps). */
static void fill(int fd, int n, bool pcpu)
{
	int ncpus = libbpf_num_possible_cpus(), i, c;
	uint64_t *v = calloc(ncpus, sizeof(*v));

	for (i = 0; i < n; i++) {
		struct key k = { .cgroup = (uint64_t)i + 1000, .dir = i % 2 };

		for (c = 0; c < (pcpu ? ncpus : 1); c++)
			v[c] = (uint64_t)i * 10 + (pcpu ? c : 0);
		assert_int_equal(bpf_map_update_elem(fd, &k, v, BPF_NOEXIST), 0);
	}
	free(v);
}

static void check(const struct mapsnap *s, int n, bool pcpu)
{
	char *seen = calloc(n, 1);
	size_t i, c;

	assert_int_equal(s->n, n);
	assert_int_equal(s->ksize, sizeof(struct key));
	for (i = 0; i < s->n; i++) {
		const struct key *k = mapsnap_key(s, i);
		uint64_t idx = k->cgroup - 1000;

		assert_true(idx < (uint64_t)n);
		assert_false(seen[idx]);
		seen[idx] = 1;
		assert_int_equal(k->dir, idx % 2);
		for (c = 0; c < s->ncpus; c++)
			assert_int_equal(*(const uint64_t *)mapsnap_val(s, i, c),
					 idx * 10 + (pcpu ? c : 0));
	}
	free(seen);
}

static void one(enum bpf_map_type t, bool pcpu, int n, uint32_t max_entries, bool batch)
{
	struct mapsnap s;
	int fd = make(t, 8, max_entries);

	mapsnap_no_batch = !batch;
	fill(fd, n, pcpu);
	assert_int_equal(mapsnap_read(fd, 0, &s), 0);
	assert_false(s.truncated);
	assert_int_equal(s.ncpus, pcpu ? (size_t)libbpf_num_possible_cpus() : 1);
	check(&s, n, pcpu);
	mapsnap_free(&s);
	close(fd);
	mapsnap_no_batch = false;
}

static void test_hash(void **state)
{
	(void)state;
	one(BPF_MAP_TYPE_HASH, false, 0, 16, true);
	one(BPF_MAP_TYPE_HASH, false, 1, 16, true);
	one(BPF_MAP_TYPE_HASH, false, 5000, 8192, true);
	one(BPF_MAP_TYPE_HASH, false, 8192, 8192, true); /* full */
	one(BPF_MAP_TYPE_HASH, false, 5000, 8192, false);
	one(BPF_MAP_TYPE_HASH, false, 8192, 8192, false);
}

static void test_percpu_hash(void **state)
{
	(void)state;
	one(BPF_MAP_TYPE_PERCPU_HASH, true, 3000, 4096, true);
	one(BPF_MAP_TYPE_PERCPU_HASH, true, 4096, 4096, true);
	one(BPF_MAP_TYPE_PERCPU_HASH, true, 3000, 4096, false);
}

/* max below the entries: a partial read that says so, never more than max. */
static void test_truncated(void **state)
{
	struct mapsnap s;
	int b, fd = make(BPF_MAP_TYPE_HASH, 8, 4096);

	(void)state;
	fill(fd, 3000, false);
	for (b = 0; b < 2; b++) {
		mapsnap_no_batch = !b;
		assert_int_equal(mapsnap_read(fd, 1000, &s), 0);
		assert_true(s.truncated);
		assert_true(s.n > 0 && s.n <= 1000);
		mapsnap_free(&s);
	}
	mapsnap_no_batch = false;
	close(fd);
}

static void test_delete_keys(void **state)
{
	struct mapsnap s;
	int fd = make(BPF_MAP_TYPE_HASH, 8, 1024);

	(void)state;
	fill(fd, 500, false);
	assert_int_equal(mapsnap_read(fd, 0, &s), 0);
	/* every key of the copy, twice: the second time none is left to delete */
	assert_int_equal(map_delete_keys(fd, s.keys, s.n, s.ksize), 500);
	assert_int_equal(map_delete_keys(fd, s.keys, s.n, s.ksize), 0);
	mapsnap_free(&s);
	assert_int_equal(mapsnap_read(fd, 0, &s), 0);
	assert_int_equal(s.n, 0);
	mapsnap_free(&s);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_percpu_hash),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_delete_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
