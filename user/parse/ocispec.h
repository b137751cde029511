/* Pure parsers: runtime container state JSON -> Kubernetes namespace, pod, container names,
 * and the image. */
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
	char image[META_NAME_MAX + 1]; /* the image as the user named it, "" if unknown */
	int sandbox; /* pause / pod sandbox container: not a workload */
};

/*
 * containerd bundle config.json or CRI-O userdata config.json (OCI runtime spec): reads
 * .annotations: containerd: io.kubernetes.cri.sandbox-name, io.kubernetes.cri.sandbox-namespace,
 * io.kubernetes.cri.container-name, io.kubernetes.cri.container-type ("sandbox" => sandbox=1);
 * CRI-O: io.kubernetes.pod.name, io.kubernetes.pod.namespace, io.kubernetes.container.name,
 * io.kubernetes.cri-o.ContainerType ("sandbox" => sandbox=1). Either set may be present; where
 * both are, the containerd one wins. The image: io.kubernetes.cri.image-name (containerd 1.6+),
 * io.kubernetes.cri-o.ImageName (CRI-O).
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
 * io.kubernetes.container.name, io.kubernetes.docker.type ("podsandbox" => sandbox=1). A
 * container without Kubernetes labels is named by Docker's own .Name ("/web" => "web"). The
 * image is .Config.Image (what `docker run` was given). Same rules and return values as
 * ocispec_parse(); a null .Config or .Labels counts as missing.
 */
int dockerspec_parse(const char *buf, size_t len, struct container_meta *out);

/*
 * containers/storage's containers.json (Podman, Buildah and CRI-O share it): an array of
 * {"id", "names": [..], "metadata": "<JSON text>"} records. Finds the record whose id is id
 * and takes names[0] as the container and the metadata's "image-name" as the image. Podman
 * keeps a container's name nowhere else in plain files (its own database is BoltDB or SQLite).
 * Returns 0 (out filled), -ENOENT when no record has that id, or ocispec_parse()'s errors;
 * malformed metadata text in the record found is -EINVAL, in other records it is not looked at.
 */
int storage_containers_parse(const char *buf, size_t len, const char *id,
			     struct container_meta *out);

#endif
