/* Map and histogram helpers shared by the BPF objects. */
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

/* The log2 slot of v, capped at slots - 1: slot i holds [2^i, 2^(i+1)). */
static __always_inline __u32 log2_slot_of(__u64 v, __u32 slots)
{
	__u32 r = 0;

	/* Unrolled by clang: 6 compares for a 64-bit value. */
	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) r += 1;
	return r < slots ? r : slots - 1;
}

#endif
