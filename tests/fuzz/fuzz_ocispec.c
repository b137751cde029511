/* libFuzzer target for ocispec_parse(), dockerspec_parse() and storage_containers_parse(): raw
 * bytes, and bytes in a config. */
// FUZZ-SOURCES: user/parse/ocispec.c user/parse/jsonval.c
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocispec.h"

static void check(int ret, const struct container_meta *m)
{
	if (ret && ret != -EINVAL && ret != -E2BIG && ret != -ENOMEM && ret != -ENOENT)
		abort();
	if (strnlen(m->namespace, sizeof(m->namespace)) == sizeof(m->namespace) ||
	    strnlen(m->pod, sizeof(m->pod)) == sizeof(m->pod) ||
	    strnlen(m->container, sizeof(m->container)) == sizeof(m->container) ||
	    strnlen(m->image, sizeof(m->image)) == sizeof(m->image))
		abort();
	if (ret && (m->namespace[0] || m->pod[0] || m->container[0] || m->image[0] || m->sandbox))
		abort();
}

/* Runs fn on head + data + tail in a buffer of exactly that size, with no NUL after it. */
static void run(int (*fn)(const char *, size_t, struct container_meta *), const char *head,
		const uint8_t *data, size_t size, const char *tail)
{
	size_t hl = strlen(head), tl = strlen(tail);
	struct container_meta m;
	char *buf;

	buf = malloc(hl + size + tl + 1);
	if (!buf)
		return;
	memcpy(buf, head, hl);
	if (size)
		memcpy(buf + hl, data, size);
	memcpy(buf + hl + size, tail, tl);
	check(fn(buf, hl + size + tl, &m), &m);
	free(buf);
}

/* containers.json's parser, asked for the id "a" (the id the wrapped records below carry) */
static int storage_a(const char *buf, size_t len, struct container_meta *out)
{
	int ret = storage_containers_parse(buf, len, "a", out);

	/* only the asked-for id is ever found; other ids give -ENOENT, not a record */
	if (ret == -ENOENT && (out->container[0] || out->image[0]))
		abort();
	return ret;
}

/* json-c finds keys by hash, which the fuzzer cannot see through: name them for it. */
static const char *const keys[] = {
	"io.kubernetes.cri.sandbox-name",   "io.kubernetes.cri.sandbox-namespace",
	"io.kubernetes.cri.container-name", "io.kubernetes.cri.container-type",
	"io.kubernetes.pod.name",	    "io.kubernetes.pod.namespace",
	"io.kubernetes.container.name",	    "io.kubernetes.cri-o.ContainerType",
	"io.kubernetes.docker.type",	    "unrelated",
	"io.kubernetes.cri.image-name",	    "io.kubernetes.cri-o.ImageName",
	"Image",			    "Name",
	"names",			    "metadata",
	"image-name",			    "id",
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct container_meta m;
	char head[256];

	check(ocispec_parse((const char *)data, size, &m), &m);
	check(dockerspec_parse((const char *)data, size, &m), &m);
	/* random bytes seldom form the outer object: also put them where the parsers look */
	run(ocispec_parse, "{\"annotations\":", data, size, "}");
	run(dockerspec_parse, "{\"Config\":{\"Labels\":", data, size, "}}");
	run(dockerspec_parse, "{\"Name\":", data, size, "}");
	run(dockerspec_parse, "{\"Config\":{\"Image\":", data, size, "}}");
	run(storage_a, "", data, size, "");
	run(storage_a, "[{\"id\":\"a\",\"names\":", data, size, "}]");
	run(storage_a, "[{\"id\":\"a\",\"metadata\":", data, size, "}]");
	if (size < 2)
		return 0;
	/* the first two bytes pick a key with a known value and a key whose value is the rest */
	snprintf(head, sizeof(head),
		 "{\"annotations\":{\"%s\":\"sandbox\",\"%s\":", keys[data[0] % NKEYS],
		 keys[data[1] % NKEYS]);
	run(ocispec_parse, head, data + 2, size - 2, "}}");
	snprintf(head, sizeof(head),
		 "{\"Config\":{\"Labels\":{\"%s\":\"podsandbox\",\"%s\":", keys[data[0] % NKEYS],
		 keys[data[1] % NKEYS]);
	run(dockerspec_parse, head, data + 2, size - 2, "}}}");
	snprintf(head, sizeof(head), "[{\"id\":\"a\",\"%s\":\"x\",\"%s\":", keys[data[0] % NKEYS],
		 keys[data[1] % NKEYS]);
	run(storage_a, head, data + 2, size - 2, "}]");
	return 0;
}
