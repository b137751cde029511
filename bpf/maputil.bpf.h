/* Map helpers shared by the BPF objects. */
#ifndef JVMTAP_MAPUTIL_BPF_H
#define JVMTAP_MAPUTIL_BPF_H

/* The value of key in map, inserted as a copy of *init if the key is missing. Two CPUs can miss
 * the same new key at once: the BPF_NOEXIST insert of the slower one fails with -EEXIST, yet
 * the key is there to use, so any failed insert is settled by looking up again. Only a key
 * that is still missing (the map is full) counts in *failures; then NULL. */
static __always_inline void *lookup_or_init(void *map, const void *key, const void *init,
					    __u64 *failures)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	v = bpf_map_lookup_elem(map, key);
	if (!v)
		__sync_fetch_and_add(failures, 1);
	return v;
}

#endif
