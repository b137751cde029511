/* Pure parsers: runtime container config JSON -> Kubernetes namespace, pod, container names. */
#ifndef JVMTAP_OCISPEC_H
#define JVMTAP_OCISPEC_H

#include <stddef.h>

#define META_NAME_MAX 253
/* Bigger than any real config.json; the cap bounds what a hostile file can make us allocate. */
#define META_JSON_MAX (8u << 20)

struct container_meta {
	char namespace[META_NAME_MAX + 1];
	char pod[META_NAME_MAX + 1];
	char container[META_NAME_MAX + 1];
	int sandbox; /* pause / pod sandbox container: not a workload */
};

/*
 * containerd bundle config.json or CRI-O userdata config.json (OCI runtime spec): reads
 * .annotations: containerd: io.kubernetes.cri.sandbox-name, io.kubernetes.cri.sandbox-namespace,
 * io.kubernetes.cri.container-name, io.kubernetes.cri.container-type ("sandbox" => sandbox=1);
 * CRI-O: io.kubernetes.pod.name, io.kubernetes.pod.namespace, io.kubernetes.container.name,
 * io.kubernetes.cri-o.ContainerType ("sandbox" => sandbox=1). Either set may be present; where
 * both are, the containerd one wins.
 *
 * buf need not be NUL-terminated. Names are kept as given (not escaped), truncated to
 * META_NAME_MAX bytes without splitting a UTF-8 sequence.
 *
 * Returns 0 on success (missing or null annotations => empty strings, still 0), -EINVAL on
 * malformed or truncated JSON, a top level that is not an object, annotations that are not an
 * object, or one of the values above that is not a string or holds a NUL; -E2BIG when len is
 * over META_JSON_MAX; -ENOMEM. out is zeroed on error.
 */
int ocispec_parse(const char *buf, size_t len, struct container_meta *out);

/*
 * Docker config.v2.json: .Config.Labels with io.kubernetes.pod.name, io.kubernetes.pod.namespace,
 * io.kubernetes.container.name, io.kubernetes.docker.type ("podsandbox" => sandbox=1). Same
 * rules and return values as ocispec_parse(); a null .Config or .Labels counts as missing.
 */
int dockerspec_parse(const char *buf, size_t len, struct container_meta *out);

#endif
