/* The one place that knows containers: cgroup id -> container_id, namespace, pod, container. */
#ifndef JVMTAP_IDENTITY_H
#define JVMTAP_IDENTITY_H

#include <stdint.h>
#include <time.h>
#include "config.h"
#include "writer.h"

#define IDENTITY_NLABELS 4

enum identity_status {
	IDENTITY_OK = 0,     /* labels filled: report the series */
	IDENTITY_SKIP = 1,   /* a pod sandbox (pause) or runtime helper: not a workload */
	IDENTITY_STALE = 2,  /* cgroup removed longer than the grace period ago: drop the series */
};

/* Picks the hierarchy (v2 or the v1 cpu controller's) under --path.sysfs. Returns 0 or -errno. */
int identity_init(enum cgroup_mode mode);
void identity_exit(void);

/* The hierarchy chosen by identity_init(): CGROUP_V2 or CGROUP_V1. */
enum cgroup_mode identity_hierarchy(void);
const char *identity_root(void);

/* Labels container_id, namespace, pod, container for a cgroup id (out may be NULL to ask only
 * for the status). The label values stay valid until identity_maintain(). */
enum identity_status identity_labels(uint64_t cgroup_id, struct label out[IDENTITY_NLABELS],
				     time_t now);

/* Walks the hierarchy: notes new and removed cgroups, retries missing runtime metadata and
 * forgets cgroups gone for twice the grace period. */
void identity_maintain(time_t now);

/* jvmtap_container_info and identity's own health; -ENOMEM when the page would be partial. */
int identity_collect(struct writer *w);

/* A value with identity labels; identity_emit_sums() writes one sample per distinct identity,
 * summing a container's sub-cgroups. Sorts s. */
struct id_sample {
	struct label labels[IDENTITY_NLABELS];
	double value;
};
void identity_emit_sums(struct writer *w, const char *name, struct id_sample *s, size_t n);

/* Calls fn for every cgroup that exists now, with its directory. */
void identity_for_each(void (*fn)(uint64_t id, const char *dir, void *arg), void *arg);

/* The id of the cgroup a process is in, in the hierarchy CPU is charged to, from
 * /proc/PID/cgroup; 0 when unknown (e.g. a path outside jvmtap's cgroup namespace). */
uint64_t identity_cgroup_of_pid(int pid);

#endif
