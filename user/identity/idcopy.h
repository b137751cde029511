/* A copy of the cgroups the identity walk knows, with their labels: what a refresh worker
 * (worker.h) takes under the render lock and then reads files for without it. */
#ifndef JVMTAP_IDCOPY_H
#define JVMTAP_IDCOPY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "identity.h"

struct id_cgroup {
	uint64_t id;
	const char *dir; /* absolute directory */
	const char *rel; /* below the hierarchy root: "/" for the root */
	int depth;       /* '/' in rel past the first: the root and its children 0 */
	struct label labels[IDENTITY_NLABELS];
	char *mem;       /* holds dir and the label values */
};

struct id_copy {
	struct id_cgroup *c;
	size_t n;
};

/* Every cgroup that exists now and is a workload (identity_labels() OK at now). Call with the
 * render lock held. 0, or -ENOMEM (with what was copied so far in *out). */
int identity_copy(struct id_copy *out, time_t now);
void identity_copy_free(struct id_copy *c);

/* One refresh worker's reading: the copy, taken under the render lock, and a zeroed row of
 * row_size bytes per cgroup in it, of which the worker fills n (their labels point into ids). */
struct id_reading {
	struct id_copy ids;
	void *rows;
	size_t n;
};
/* NULL when out of memory. */
struct id_reading *id_reading_new(size_t row_size);
/* For SNAPSHOT_INIT(); NULL is fine. */
void id_reading_free(void *rd);

#endif
