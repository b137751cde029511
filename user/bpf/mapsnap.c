/* Whole-map reads (mapsnap.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "mapsnap.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's own "operation not supported", seen by user space as is */
#endif

bool mapsnap_no_batch; /* tests: the key-by-key path */

static bool percpu(__u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/* BPF_MAP_LOOKUP_BATCH: -EOPNOTSUPP (or -EINVAL) where the kernel or map type has none. */
static int read_batched(int fd, struct mapsnap *s, size_t max)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	char *in = NULL, *out;
	__u32 count;
	int err = 0;

	out = malloc(s->ksize > 8 ? s->ksize : 8);
	if (!out)
		return -ENOMEM;
	while (s->n < max) {
		count = max - s->n;
		err = bpf_map_lookup_batch(fd, in, out, s->keys + s->n * s->ksize,
					   s->vals + s->n * s->vsize, &count, &opts);
		if (err)
			err = -errno;
		/* -ENOENT: the last batch, count entries in it. -ENOSPC: a bucket holds more
		 * entries than are left to fill: the map is larger than max. */
		if (!err || err == -ENOENT)
			s->n += count;
		if (err == -ENOSPC)
			s->truncated = true;
		if (err)
			break;
		in = out;
	}
	free(out);
	if (err == -ENOENT || err == -ENOSPC)
		err = 0;
	if (!err && s->n == max) {
		__u64 probe[8];

		/* Full: is there more? */
		s->truncated = s->truncated ||
			       (s->ksize <= sizeof(probe) &&
				bpf_map_get_next_key(fd, s->keys + (s->n - 1) * s->ksize, probe) == 0);
	}
	return err;
}

static int read_by_key(int fd, struct mapsnap *s, size_t max)
{
	const void *prev = NULL;
	size_t n = 0, i, kept = 0;

	while (n < max && bpf_map_get_next_key(fd, prev, s->keys + n * s->ksize) == 0)
		prev = s->keys + n++ * s->ksize;
	if (n == max && bpf_map_get_next_key(fd, prev, s->vals) == 0)
		s->truncated = true; /* s->vals is at least one key long: a scratch buffer */
	for (i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(fd, s->keys + i * s->ksize, s->vals + kept * s->vsize))
			continue; /* deleted meanwhile */
		if (kept != i)
			memmove(s->keys + kept * s->ksize, s->keys + i * s->ksize, s->ksize);
		kept++;
	}
	s->n = kept;
	return 0;
}

int mapsnap_read(int fd, size_t max, struct mapsnap *out)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	size_t vone;
	int err;

	memset(out, 0, sizeof(*out));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (!max || max > info.max_entries)
		max = info.max_entries;
	out->ksize = info.key_size;
	out->ncpus = percpu(info.type) ? (size_t)libbpf_num_possible_cpus() : 1;
	vone = percpu(info.type) ? (info.value_size + 7) / 8 * 8 : info.value_size;
	out->vsize = vone * out->ncpus;
	if (!max)
		return 0;
	out->keys = malloc(max * out->ksize);
	/* at least a key long: read_by_key probes for one more key into it */
	out->vals = malloc(max * out->vsize > out->ksize ? max * out->vsize : out->ksize);
	if (!out->keys || !out->vals) {
		mapsnap_free(out);
		return -ENOMEM;
	}
	err = mapsnap_no_batch ? -EOPNOTSUPP : read_batched(fd, out, max);
	if (err == -EOPNOTSUPP || err == -EINVAL || err == -ENOTSUPP) {
		out->n = 0;
		out->truncated = false;
		err = read_by_key(fd, out, max);
	}
	if (err)
		mapsnap_free(out);
	return err;
}

void mapsnap_free(struct mapsnap *s)
{
	free(s->keys);
	free(s->vals);
	s->keys = s->vals = NULL;
	s->n = 0;
}

size_t map_delete_keys(int fd, const void *keys, size_t n, size_t ksize)
{
	size_t i, done = 0;

	for (i = 0; i < n; i++)
		done += bpf_map_delete_elem(fd, (const char *)keys + i * ksize) == 0;
	return done;
}
