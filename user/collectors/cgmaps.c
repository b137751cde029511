/* The one stale-cgroup reaper (cgmaps.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cgmaps.h"
#include "identity.h"
#include "mapsnap.h"

long cgmaps_reap(int fd, time_t now)
{
	struct mapsnap s;
	size_t i, n = 0;
	uint64_t id;
	char *dead;
	long done;
	int err;

	if ((err = mapsnap_read(fd, 0, &s)))
		return err;
	if (s.ksize < sizeof(id) || !(dead = malloc(s.n * s.ksize + 1))) {
		mapsnap_free(&s);
		return s.ksize < sizeof(id) ? -EINVAL : -ENOMEM;
	}
	for (i = 0; i < s.n; i++) {
		memcpy(&id, mapsnap_key(&s, i), sizeof(id));
		if (identity_labels(id, NULL, now) == IDENTITY_STALE)
			memcpy(dead + n++ * s.ksize, mapsnap_key(&s, i), s.ksize);
	}
	done = (long)map_delete_keys(fd, dead, n, s.ksize);
	free(dead);
	mapsnap_free(&s);
	return done;
}
