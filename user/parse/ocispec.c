/* Pure parsers: runtime container state JSON -> Kubernetes namespace, pod, container names,
 * and the image. */
#include <errno.h>
#include <string.h>
#include <json-c/json.h>
#include "jsonval.h"
#include "ocispec.h"

/* Where one runtime keeps the names, and the type value that marks a pod sandbox. */
struct keyset {
	const char *namespace;
	const char *pod;
	const char *container;
	const char *type;
	const char *sandbox_type;
	const char *image; /* NULL: this runtime's file does not say it here */
};

static const struct keyset containerd_keys = {
	.namespace = "io.kubernetes.cri.sandbox-namespace",
	.pod = "io.kubernetes.cri.sandbox-name",
	.container = "io.kubernetes.cri.container-name",
	.type = "io.kubernetes.cri.container-type",
	.sandbox_type = "sandbox",
	.image = "io.kubernetes.cri.image-name",
};

static const struct keyset crio_keys = {
	.namespace = "io.kubernetes.pod.namespace",
	.pod = "io.kubernetes.pod.name",
	.container = "io.kubernetes.container.name",
	.type = "io.kubernetes.cri-o.ContainerType",
	.sandbox_type = "sandbox",
	.image = "io.kubernetes.cri-o.ImageName",
};

static const struct keyset docker_keys = {
	.namespace = "io.kubernetes.pod.namespace",
	.pod = "io.kubernetes.pod.name",
	.container = "io.kubernetes.container.name",
	.type = "io.kubernetes.docker.type",
	.sandbox_type = "podsandbox",
};

/* Parses buf as exactly one JSON value of type want (jv_parse: strict, 32 levels at most);
 * *root is the caller's to put. -E2BIG past META_JSON_MAX, -EINVAL when it is not one. */
static int parse_value(const char *buf, size_t len, enum json_type want, struct json_object **root)
{
	int err;

	if (len > META_JSON_MAX)
		return -E2BIG;
	err = jv_parse(buf, len, want, root);
	return err == -EBADMSG ? -EINVAL : err;
}

static int parse_object(const char *buf, size_t len, struct json_object **root)
{
	return parse_value(buf, len, json_type_object, root);
}

/*
 * Child object key of obj in *child, NULL when absent or JSON null (Go writes a nil map as
 * null). Anything else that is not an object is an error.
 */
static int get_object(struct json_object *obj, const char *key, struct json_object **child)
{
	struct json_object *v = NULL;

	*child = NULL;
	if (!json_object_object_get_ex(obj, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_object))
		return -EINVAL;
	*child = v;
	return 0;
}

/* String value of key in *s (NULL when absent) and its length in *n. */
static int get_string(struct json_object *obj, const char *key, const char **s, size_t *n)
{
	struct json_object *v;
	int len;

	*s = NULL;
	*n = 0;
	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -EINVAL;
	len = json_object_get_string_len(v);
	*s = json_object_get_string(v);
	if (len < 0 || !*s)
		return -EINVAL;
	*n = (size_t)len;
	/* "\u0000" decodes to a NUL: it would silently cut the name everywhere downstream */
	if (memchr(*s, '\0', *n))
		return -EINVAL;
	return 0;
}

/* Copies s (n bytes) into dst; a cut never splits a UTF-8 char. */
static void copy_name(char dst[META_NAME_MAX + 1], const char *s, size_t n)
{
	if (n > META_NAME_MAX) {
		n = META_NAME_MAX;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Fills dst from key unless an earlier key set already did. */
static int fill_name(struct json_object *obj, const char *key, char dst[META_NAME_MAX + 1])
{
	const char *s;
	size_t n;
	int ret;

	ret = get_string(obj, key, &s, &n);
	if (ret || !s || dst[0])
		return ret;
	copy_name(dst, s, n);
	return 0;
}

static int apply_keys(struct json_object *obj, const struct keyset *k, struct container_meta *out)
{
	const char *type;
	size_t n;
	int ret;

	ret = fill_name(obj, k->namespace, out->namespace);
	if (!ret)
		ret = fill_name(obj, k->pod, out->pod);
	if (!ret)
		ret = fill_name(obj, k->container, out->container);
	if (!ret && k->image)
		ret = fill_name(obj, k->image, out->image);
	if (!ret)
		ret = get_string(obj, k->type, &type, &n);
	if (ret)
		return ret;
	if (type && n == strlen(k->sandbox_type) && !memcmp(type, k->sandbox_type, n))
		out->sandbox = 1;
	return 0;
}

int ocispec_parse(const char *buf, size_t len, struct container_meta *out)
{
	struct json_object *root, *ann;
	int ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!buf)
		return -EINVAL;
	ret = parse_object(buf, len, &root);
	if (ret)
		return ret;
	ret = get_object(root, "annotations", &ann);
	if (!ret && ann) {
		ret = apply_keys(ann, &containerd_keys, out);
		if (!ret)
			ret = apply_keys(ann, &crio_keys, out);
	}
	json_object_put(root);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

int dockerspec_parse(const char *buf, size_t len, struct container_meta *out)
{
	struct json_object *root, *config, *labels = NULL;
	int ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!buf)
		return -EINVAL;
	ret = parse_object(buf, len, &root);
	if (ret)
		return ret;
	ret = get_object(root, "Config", &config);
	if (!ret && config)
		ret = get_object(config, "Labels", &labels);
	if (!ret && labels)
		ret = apply_keys(labels, &docker_keys, out);
	if (!ret && config)
		ret = fill_name(config, "Image", out->image);
	/* Docker's own name, when Kubernetes gave none: "/web" */
	if (!ret && !out->container[0]) {
		const char *s;
		size_t n;

		ret = get_string(root, "Name", &s, &n);
		if (!ret && s && n && s[0] == '/') {
			s++;
			n--;
		}
		if (!ret && s)
			copy_name(out->container, s, n);
	}
	json_object_put(root);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

/* The record's "metadata" is JSON text inside a string: its "image-name" is the image. */
static int storage_metadata(struct json_object *rec, struct container_meta *out)
{
	struct json_object *md;
	const char *s;
	size_t n;
	int ret;

	ret = get_string(rec, "metadata", &s, &n);
	if (ret || !s || !n)
		return ret;
	ret = parse_object(s, n, &md);
	if (ret)
		return ret;
	ret = fill_name(md, "image-name", out->image);
	json_object_put(md);
	return ret;
}

int storage_containers_parse(const char *buf, size_t len, const char *id,
			     struct container_meta *out)
{
	struct json_object *root, *rec, *names, *first;
	const char *s;
	size_t i, n;
	int ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!buf || !id)
		return -EINVAL;
	ret = parse_value(buf, len, json_type_array, &root);
	if (ret)
		return ret;
	ret = -ENOENT;
	for (i = 0; i < json_object_array_length(root); i++) {
		rec = json_object_array_get_idx(root, i);
		if (!json_object_is_type(rec, json_type_object) || get_string(rec, "id", &s, &n) ||
		    !s || n != strlen(id) || memcmp(s, id, n))
			continue;
		ret = 0;
		if (json_object_object_get_ex(rec, "names", &names) && names) {
			if (!json_object_is_type(names, json_type_array))
				ret = -EINVAL;
			else if (json_object_array_length(names) > 0) {
				first = json_object_array_get_idx(names, 0);
				s = json_object_get_string(first);
				n = (size_t)json_object_get_string_len(first);
				if (!json_object_is_type(first, json_type_string) || memchr(s, '\0', n))
					ret = -EINVAL;
				else
					copy_name(out->container, s, n);
			}
		}
		if (!ret)
			ret = storage_metadata(rec, out);
		break;
	}
	json_object_put(root);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}
