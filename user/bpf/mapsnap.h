/* One read of a whole BPF hash map: every key and value, in batches (BPF_MAP_LOOKUP_BATCH)
 * where the kernel has them, key by key otherwise. The one way jvmtap walks a map: a walk that
 * deletes as it goes restarts bpf_map_get_next_key, so keys to delete are taken from a copy. */
#ifndef JVMTAP_MAPSNAP_H
#define JVMTAP_MAPSNAP_H

#include <stdbool.h>
#include <stddef.h>

struct mapsnap {
	size_t n;     /* entries read */
	size_t ksize; /* bytes per key */
	size_t vsize; /* bytes per value: for a per-CPU map, every CPU's (8-byte aligned each) */
	size_t ncpus; /* value slots per key: 1, or the possible CPUs of a per-CPU map */
	char *keys, *vals;
	bool truncated; /* the map held more than max entries */
};

/* Reads up to max entries of map fd (0: its max_entries); 0 or -errno. */
int mapsnap_read(int fd, size_t max, struct mapsnap *out);
static inline const void *mapsnap_key(const struct mapsnap *s, size_t i)
{
	return s->keys + i * s->ksize;
}
/* The value of entry i on CPU c (c = 0 for a map that is not per-CPU). */
static inline const void *mapsnap_val(const struct mapsnap *s, size_t i, size_t c)
{
	return s->vals + i * s->vsize + c * (s->vsize / s->ncpus);
}
void mapsnap_free(struct mapsnap *s);
/* Tests: read key by key even where batches work. */
extern bool mapsnap_no_batch;

/* Deletes n keys (ksize bytes each) from map fd; missing ones are fine. The number deleted. */
size_t map_delete_keys(int fd, const void *keys, size_t n, size_t ksize);

#endif
