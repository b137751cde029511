/* Pure parser: cgroup path -> container runtime, container id, pod uid and QoS class. */
#ifndef JVMTAP_CGPATH_H
#define JVMTAP_CGPATH_H

#include <stddef.h>

enum cg_runtime { CG_RT_NONE = 0, CG_RT_CONTAINERD, CG_RT_CRIO, CG_RT_DOCKER, CG_RT_PODMAN };
enum cg_qos { CG_QOS_NONE = 0, CG_QOS_GUARANTEED, CG_QOS_BURSTABLE, CG_QOS_BESTEFFORT };

#define CG_ID_MAX 128
#define CG_UID_MAX 64
/* Longest path accepted; the kernel's own limit for a cgroup path is PATH_MAX. */
#define CGPATH_MAX 4096

struct cgpath_info {
	enum cg_runtime runtime;
	enum cg_qos qos;
	char container_id[CG_ID_MAX + 1]; /* lower-case hex id, "" if not a container */
	char pod_uid[CG_UID_MAX + 1];	  /* dashed 1b2c...-...; "" outside kubepods */
	int conmon;			  /* crio-conmon-/libpod-conmon-<id>: not a workload */
};

/*
 * Parses a cgroup path (as in /proc/PID/cgroup, relative to the hierarchy root, e.g.
 * "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c_3d4e.slice/
 * cri-containerd-<64hex>.scope"). buf need not be NUL-terminated.
 *
 * The container is named by the last component that names one, so sub-cgroups below a
 * container scope (".../cri-containerd-<id>.scope/init") still identify it; pod uid and QoS come
 * from the kubepods components above that one.
 *
 * cgroupfs-driver paths ("/kubepods/burstable/pod<uid>/<64hex>") do not name the runtime: a
 * bare id under a pod directory is reported as CG_RT_CONTAINERD unless an ancestor names
 * another runtime ("docker", "crio", "docker.service", ...), so the resolver must try every
 * runtime's state directory for such ids.
 *
 * A pod-level cgroup that names no container still gets pod_uid and qos.
 *
 * Returns 0 (fills out; a non-container path leaves runtime CG_RT_NONE and container_id "") or
 * -EINVAL for input that is not a path (NULL, empty, no leading '/', embedded NUL, longer than
 * CGPATH_MAX). out is zeroed on error.
 */
int cgpath_parse(const char *buf, size_t len, struct cgpath_info *out);

/* "containerd", "cri-o", "docker", "podman"; "" for CG_RT_NONE and unknown values. */
const char *cg_runtime_name(enum cg_runtime rt);

#endif
