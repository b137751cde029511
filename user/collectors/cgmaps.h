/* What the collectors whose BPF maps are keyed by cgroup share: the maps' keys start with the
 * cgroup id (struct cpu_key, net_key, net_port_key, the tasks map's bare id). */
#ifndef JVMTAP_CGMAPS_H
#define JVMTAP_CGMAPS_H

#include <stddef.h>
#include <time.h>

/* Deletes the entries of cgroups removed longer than the grace period ago: their series go
 * with them. The entries deleted, or -errno. */
long cgmaps_reap(int fd, time_t now);

#endif
