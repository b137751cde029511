/* Unit tests for ocispec_parse(), dockerspec_parse() and storage_containers_parse() on small but
 * realistic runtime configs, and on state files the real runtimes wrote (tests/unit/data/runtimes/,
 * captured from the containers of tests/runtimes/). */
// UNIT-SOURCES: user/parse/jsonval.c
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "fixture.h"
#include "ocispec.h"

typedef int (*parse_fn)(const char *buf, size_t len, struct container_meta *out);

#define CID "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0"
#define UID "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"

static const char containerd_container[] =
	"{\n"
	"  \"ociVersion\": \"1.1.0\",\n"
	"  \"process\": {\"user\": {\"uid\": 1000, \"gid\": 1000},\n"
	"    \"args\": [\"java\", \"-XX:+UseG1GC\", \"-jar\", \"/app/orders.jar\"],\n"
	"    \"env\": [\"PATH=/usr/bin\", \"JAVA_HOME=/opt/java\"], \"cwd\": \"/app\"},\n"
	"  \"root\": {\"path\": \"rootfs\"},\n"
	"  \"annotations\": {\n"
	"    \"io.kubernetes.cri.container-name\": \"orders\",\n"
	"    \"io.kubernetes.cri.container-type\": \"container\",\n"
	"    \"io.kubernetes.cri.image-name\": \"registry.local/shop/orders:1.4.2\",\n"
	"    \"io.kubernetes.cri.sandbox-id\": \"" CID "\",\n"
	"    \"io.kubernetes.cri.sandbox-name\": \"orders-7d9f8b6c5-x2x4z\",\n"
	"    \"io.kubernetes.cri.sandbox-namespace\": \"shop\",\n"
	"    \"io.kubernetes.cri.sandbox-uid\": \"" UID "\"\n"
	"  },\n"
	"  \"linux\": {\"cgroupsPath\": "
	"\"kubepods-burstable-pod1b2c3d4e_5f60_4a7b_8c9d_0e1f2a3b4c5d"
	".slice:cri-containerd:" CID "\",\n"
	"    \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}]}\n"
	"}\n";

static const char containerd_sandbox[] =
	"{\"ociVersion\":\"1.1.0\",\"process\":{\"args\":[\"/pause\"],\"cwd\":\"/\"},"
	"\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
	"\"io.kubernetes.cri.sandbox-id\":\"" CID "\","
	"\"io.kubernetes.cri.sandbox-log-directory\":\"/var/log/pods/shop_orders_" UID "\","
	"\"io.kubernetes.cri.sandbox-name\":\"orders-7d9f8b6c5-x2x4z\","
	"\"io.kubernetes.cri.sandbox-namespace\":\"shop\"}}";

static const char crio_container[] =
	"{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"args\":[\"java\",\"-jar\",\"/srv/app.jar\"]},"
	"\"annotations\":{"
	"\"io.container.manager\":\"cri-o\","
	"\"io.kubernetes.container.hash\":\"5a1b2c3d\","
	"\"io.kubernetes.container.name\":\"billing\","
	"\"io.kubernetes.cri-o.ContainerID\":\"" CID "\","
	"\"io.kubernetes.cri-o.ContainerType\":\"container\","
	"\"io.kubernetes.cri-o.Labels\":\"{\\\"io.kubernetes.container.name\\\":\\\"billing\\\"}\","
	"\"io.kubernetes.pod.name\":\"billing-0\","
	"\"io.kubernetes.pod.namespace\":\"finance\","
	"\"io.kubernetes.pod.uid\":\"" UID "\"},"
	"\"linux\":{\"cgroupsPath\":\"kubepods-besteffort-pod1b2c.slice:crio:" CID "\"}}";

static const char crio_sandbox[] = "{\"ociVersion\":\"1.0.2-dev\",\"annotations\":{"
				   "\"io.kubernetes.container.name\":\"POD\","
				   "\"io.kubernetes.cri-o.ContainerType\":\"sandbox\","
				   "\"io.kubernetes.pod.name\":\"billing-0\","
				   "\"io.kubernetes.pod.namespace\":\"finance\"}}";

static const char docker_container[] =
	"{\"StreamConfig\":{},\"State\":{\"Running\":true,\"Pid\":4242},\"ID\":\"" CID "\","
	"\"Path\":\"java\",\"Args\":[\"-jar\",\"/app.jar\"],"
	"\"Config\":{\"Hostname\":\"cart-5c6d\",\"Env\":[\"A=1\"],\"Cmd\":null,"
	"\"Image\":\"sha256:" CID "\",\"Labels\":{"
	"\"annotation.io.kubernetes.container.hash\":\"9b8c7d6e\","
	"\"io.kubernetes.container.name\":\"cart\","
	"\"io.kubernetes.docker.type\":\"container\","
	"\"io.kubernetes.pod.name\":\"cart-5c6d\","
	"\"io.kubernetes.pod.namespace\":\"store\","
	"\"io.kubernetes.pod.uid\":\"" UID "\"}},"
	"\"Name\":\"/k8s_cart_cart-5c6d_store_" UID "_0\"}";

static const char docker_sandbox[] =
	"{\"ID\":\"" CID "\",\"Config\":{\"Labels\":{"
	"\"io.kubernetes.container.name\":\"POD\","
	"\"io.kubernetes.docker.type\":\"podsandbox\","
	"\"io.kubernetes.pod.name\":\"cart-5c6d\","
	"\"io.kubernetes.pod.namespace\":\"store\"}},\"Name\":\"/k8s_POD_cart-5c6d_store_x_0\"}";

/* Copies json into a buffer of exactly its length, so any read past the end is an overflow. */
static int parse(parse_fn fn, const char *json, size_t len, struct container_meta *m)
{
	char *buf = malloc(len ? len : 1);
	int ret;

	assert_non_null(buf);
	memcpy(buf, json, len);
	/* garbage first: the parser must set every field */
	memset(m, 0xa5, sizeof(*m));
	ret = fn(buf, len, m);
	free(buf);
	return ret;
}

static int parse_str(parse_fn fn, const char *json, struct container_meta *m)
{
	return parse(fn, json, strlen(json), m);
}

static void assert_meta(const struct container_meta *m, const char *ns, const char *pod,
			const char *ctr, int sandbox)
{
	assert_string_equal(m->namespace, ns);
	assert_string_equal(m->pod, pod);
	assert_string_equal(m->container, ctr);
	assert_int_equal(m->sandbox, sandbox);
}

static void assert_fails(parse_fn fn, const char *json, int err)
{
	struct container_meta m;

	assert_int_equal(parse_str(fn, json, &m), err);
	assert_meta(&m, "", "", "", 0);
}

static void test_containerd(void **state)
{
	struct container_meta m;

	(void)state;
	assert_int_equal(parse_str(ocispec_parse, containerd_container, &m), 0);
	assert_meta(&m, "shop", "orders-7d9f8b6c5-x2x4z", "orders", 0);
	assert_int_equal(parse_str(ocispec_parse, containerd_sandbox, &m), 0);
	assert_meta(&m, "shop", "orders-7d9f8b6c5-x2x4z", "", 1);
}

static void test_crio(void **state)
{
	struct container_meta m;

	(void)state;
	assert_int_equal(parse_str(ocispec_parse, crio_container, &m), 0);
	assert_meta(&m, "finance", "billing-0", "billing", 0);
	assert_int_equal(parse_str(ocispec_parse, crio_sandbox, &m), 0);
	assert_meta(&m, "finance", "billing-0", "POD", 1);
}

static void test_docker(void **state)
{
	struct container_meta m;

	(void)state;
	assert_int_equal(parse_str(dockerspec_parse, docker_container, &m), 0);
	assert_meta(&m, "store", "cart-5c6d", "cart", 0);
	assert_int_equal(parse_str(dockerspec_parse, docker_sandbox, &m), 0);
	assert_meta(&m, "store", "cart-5c6d", "POD", 1);
	/* the other parser looks elsewhere: a valid file without its keys is not an error */
	assert_int_equal(parse_str(ocispec_parse, docker_container, &m), 0);
	assert_meta(&m, "", "", "", 0);
	assert_int_equal(parse_str(dockerspec_parse, containerd_container, &m), 0);
	assert_meta(&m, "", "", "", 0);
}

static void test_both_sets(void **state)
{
	struct container_meta m;

	(void)state;
	assert_int_equal(
		parse_str(ocispec_parse,
			  "{\"annotations\":{\"io.kubernetes.cri.sandbox-name\":\"a\","
			  "\"io.kubernetes.pod.name\":\"b\",\"io.kubernetes.pod.namespace\":"
			  "\"ns\",\"io.kubernetes.cri-o.ContainerType\":\"sandbox\"}}",
			  &m),
		0);
	assert_meta(&m, "ns", "a", "", 1);
}

static void test_missing(void **state)
{
	struct container_meta m;

	(void)state;
	assert_int_equal(parse_str(ocispec_parse, "{\"ociVersion\":\"1.1.0\"}", &m), 0);
	assert_meta(&m, "", "", "", 0);
	assert_int_equal(parse_str(ocispec_parse, "{\"annotations\":{}}", &m), 0);
	assert_meta(&m, "", "", "", 0);
	assert_int_equal(parse_str(ocispec_parse, "{\"annotations\":null}", &m), 0);
	assert_meta(&m, "", "", "", 0);
	assert_int_equal(
		parse_str(ocispec_parse,
			  "{\"annotations\":{\"io.kubernetes.cri.sandbox-namespace\":\"x\"}}", &m),
		0);
	assert_meta(&m, "x", "", "", 0);
	/* plain docker run: no kubernetes labels, or a nil map written as null */
	assert_int_equal(parse_str(dockerspec_parse, "{\"Config\":{\"Labels\":{\"a\":\"b\"}}}", &m),
			 0);
	assert_meta(&m, "", "", "", 0);
	assert_int_equal(parse_str(dockerspec_parse, "{\"Config\":{\"Labels\":null}}", &m), 0);
	assert_meta(&m, "", "", "", 0);
	assert_int_equal(parse_str(dockerspec_parse, "{\"Config\":null}", &m), 0);
	assert_meta(&m, "", "", "", 0);
	assert_int_equal(parse_str(dockerspec_parse, "{}", &m), 0);
	assert_meta(&m, "", "", "", 0);
}

static void test_not_sandbox(void **state)
{
	struct container_meta m;

	(void)state;
	/* the type values are exact: only the runtimes' own spelling marks a sandbox */
	assert_int_equal(
		parse_str(ocispec_parse,
			  "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"Sandbox\"}}",
			  &m),
		0);
	assert_int_equal(m.sandbox, 0);
	assert_int_equal(
		parse_str(ocispec_parse,
			  "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandboxx\"}}",
			  &m),
		0);
	assert_int_equal(m.sandbox, 0);
	/* docker's marker is "podsandbox", not "sandbox" */
	assert_int_equal(
		parse_str(dockerspec_parse,
			  "{\"Config\":{\"Labels\":{\"io.kubernetes.docker.type\":\"sandbox\"}}}",
			  &m),
		0);
	assert_int_equal(m.sandbox, 0);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"   ",
		"{",
		"{\"annotations\":",
		"{\"annotations\":}",
		"{\"annotations\":{\"a\":\"b\",}}",
		"{\"a\" \"b\"}",
		"{}x",
		"{}{}",
		"{} 1",
		"[]",
		"\"annotations\"",
		"null",
		"42",
		"true",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_fails(ocispec_parse, bad[i], -EINVAL);
		assert_fails(dockerspec_parse, bad[i], -EINVAL);
	}
	assert_fails(ocispec_parse, "{\"annotations\":\"x\"}", -EINVAL);
	assert_fails(ocispec_parse, "{\"annotations\":[]}", -EINVAL);
	assert_fails(ocispec_parse, "{\"annotations\":1}", -EINVAL);
	assert_fails(dockerspec_parse, "{\"Config\":[]}", -EINVAL);
	assert_fails(dockerspec_parse, "{\"Config\":\"x\"}", -EINVAL);
	assert_fails(dockerspec_parse, "{\"Config\":{\"Labels\":\"a=b\"}}", -EINVAL);
	assert_fails(dockerspec_parse, "{\"Config\":{\"Labels\":[\"a=b\"]}}", -EINVAL);
}

static void test_whitespace(void **state)
{
	struct container_meta m;

	(void)state;
	assert_int_equal(parse_str(ocispec_parse, " \t\r\n{}\r\n\t ", &m), 0);
	assert_meta(&m, "", "", "", 0);
}

static void test_truncated(void **state)
{
	size_t len = strlen(containerd_container);
	struct container_meta m;
	size_t cut;

	(void)state;
	/* every proper prefix is invalid, except the one that only lacks the final newline */
	for (cut = 0; cut < len - 1; cut++) {
		assert_int_equal(parse(ocispec_parse, containerd_container, cut, &m), -EINVAL);
		assert_meta(&m, "", "", "", 0);
	}
	assert_int_equal(parse(ocispec_parse, containerd_container, len - 1, &m), 0);
	assert_meta(&m, "shop", "orders-7d9f8b6c5-x2x4z", "orders", 0);
	len = strlen(docker_container);
	for (cut = 0; cut < len; cut++)
		assert_int_equal(parse(dockerspec_parse, docker_container, cut, &m), -EINVAL);
}

static void test_wrong_types(void **state)
{
	(void)state;
	assert_fails(ocispec_parse, "{\"annotations\":{\"io.kubernetes.cri.container-name\":1}}",
		     -EINVAL);
	assert_fails(ocispec_parse, "{\"annotations\":{\"io.kubernetes.pod.name\":null}}", -EINVAL);
	assert_fails(ocispec_parse, "{\"annotations\":{\"io.kubernetes.pod.namespace\":[\"a\"]}}",
		     -EINVAL);
	assert_fails(ocispec_parse,
		     "{\"annotations\":{\"io.kubernetes.cri-o.ContainerType\":{\"a\":\"b\"}}}",
		     -EINVAL);
	assert_fails(ocispec_parse, "{\"annotations\":{\"io.kubernetes.cri.container-type\":true}}",
		     -EINVAL);
	assert_fails(dockerspec_parse,
		     "{\"Config\":{\"Labels\":{\"io.kubernetes.container.name\":2.5}}}", -EINVAL);
	assert_fails(dockerspec_parse,
		     "{\"Config\":{\"Labels\":{\"io.kubernetes.docker.type\":0}}}", -EINVAL);
}

static void test_unread_values(void **state)
{
	struct container_meta m;

	(void)state;
	/* annotations jvmtap does not read may hold anything without failing the whole file */
	assert_int_equal(parse_str(ocispec_parse,
				   "{\"annotations\":{\"x\":1,\"y\":\"a\\u0000b\","
				   "\"io.kubernetes.pod.name\":\"p\"}}",
				   &m),
			 0);
	assert_meta(&m, "", "p", "", 0);
}

static void test_nul(void **state)
{
	static const char raw[] = "{\"annotations\":{\"io.kubernetes.pod.name\":\"a\0b\"}}";
	static const char after[] = "{}\0";
	struct container_meta m;

	(void)state;
	assert_fails(ocispec_parse, "{\"annotations\":{\"io.kubernetes.pod.name\":\"a\\u0000b\"}}",
		     -EINVAL);
	assert_fails(ocispec_parse,
		     "{\"annotations\":{\"io.kubernetes.cri.sandbox-name\":\"\\u0000\"}}", -EINVAL);
	assert_fails(ocispec_parse,
		     "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\\u0000\"}}",
		     -EINVAL);
	assert_fails(dockerspec_parse,
		     "{\"Config\":{\"Labels\":{\"io.kubernetes.pod.namespace\":\"ns\\u0000x\"}}}",
		     -EINVAL);
	/* raw NULs in the buffer: inside a string, and after a complete object */
	assert_int_equal(parse(ocispec_parse, raw, sizeof(raw) - 1, &m), -EINVAL);
	assert_int_equal(parse(ocispec_parse, after, sizeof(after) - 1, &m), -EINVAL);
	assert_int_equal(parse(ocispec_parse, after, sizeof(after), &m), -EINVAL);
}

/* Names are not trusted but kept verbatim: escaping for output happens elsewhere. */
static void test_verbatim(void **state)
{
	struct container_meta m;

	(void)state;
	assert_int_equal(parse_str(ocispec_parse,
				   "{\"annotations\":{\"io.kubernetes.pod.name\":"
				   "\"a\\\"b\\nc\\\\d{}\\u00e9\"}}",
				   &m),
			 0);
	assert_string_equal(m.pod, "a\"b\nc\\d{}\xc3\xa9");
}

static void test_long_names(void **state)
{
	char json[1024], want[META_NAME_MAX + 1];
	struct container_meta m;
	int n;

	(void)state;
	/* 300 ASCII bytes: cut at exactly META_NAME_MAX */
	memset(want, 'a', META_NAME_MAX);
	want[META_NAME_MAX] = '\0';
	n = snprintf(json, sizeof(json), "{\"annotations\":{\"io.kubernetes.pod.name\":\"%s%s\"}}",
		     want, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	assert_true(n > 0 && (size_t)n < sizeof(json));
	assert_int_equal(parse_str(ocispec_parse, json, &m), 0);
	assert_string_equal(m.pod, want);

	/* exactly META_NAME_MAX fits whole */
	n = snprintf(json, sizeof(json), "{\"annotations\":{\"io.kubernetes.pod.name\":\"%s\"}}",
		     want);
	assert_true(n > 0 && (size_t)n < sizeof(json));
	assert_int_equal(parse_str(ocispec_parse, json, &m), 0);
	assert_string_equal(m.pod, want);

	/* a two-byte character straddling the limit is dropped whole, not split */
	want[META_NAME_MAX - 1] = '\0';
	n = snprintf(json, sizeof(json),
		     "{\"Config\":{\"Labels\":{\"io.kubernetes.container.name\":\"%s\xc3\xa9z\"}}}",
		     want);
	assert_true(n > 0 && (size_t)n < sizeof(json));
	assert_int_equal(parse_str(dockerspec_parse, json, &m), 0);
	assert_string_equal(m.container, want);
}

static void test_size_limit(void **state)
{
	size_t len = META_JSON_MAX + 1;
	struct container_meta m;
	char *buf;

	(void)state;
	buf = malloc(len);
	assert_non_null(buf);
	memset(buf, ' ', len);
	buf[0] = '{';
	buf[META_JSON_MAX - 1] = '}';
	/* the limit itself is accepted, one byte more is not */
	assert_int_equal(ocispec_parse(buf, META_JSON_MAX, &m), 0);
	memset(&m, 0xa5, sizeof(m));
	assert_int_equal(ocispec_parse(buf, len, &m), -E2BIG);
	assert_meta(&m, "", "", "", 0);
	assert_int_equal(dockerspec_parse(buf, len, &m), -E2BIG);
	free(buf);
}

static void test_deep(void **state)
{
	char json[512];
	size_t i, n = 0;

	(void)state;
	/* past the tokener's depth limit: refused, not recursed into */
	n += (size_t)snprintf(json, sizeof(json), "{\"annotations\":{\"x\":");
	for (i = 0; i < 100; i++)
		json[n++] = '[';
	for (i = 0; i < 100; i++)
		json[n++] = ']';
	json[n++] = '}';
	json[n++] = '}';
	json[n] = '\0';
	assert_fails(ocispec_parse, json, -EINVAL);
}

#define RT_DATA "tests/unit/data/runtimes/"

/* The file's bytes in a buffer of exactly its size: no NUL after it. */
static char *fixture(const char *name, size_t *len)
{
	char path[256];

	snprintf(path, sizeof(path), RT_DATA "%s", name);
	return slurp(path, len);
}

/* containerd 1.6.20's CRI plugin, driven by crictl: names, image and the sandbox mark. */
static void test_real_containerd(void **state)
{
	struct container_meta m;
	size_t len;
	char *buf;

	(void)state;
	buf = fixture("containerd-1.6.20-cri-config.json", &len);
	assert_int_equal(ocispec_parse(buf, len, &m), 0);
	assert_meta(&m, "analytics", "flink-taskmanager-0", "sleeper2", 0);
	assert_string_equal(m.image, "jvmtap.test/jvm:1");
	free(buf);
	buf = fixture("containerd-1.6.20-cri-sandbox.json", &len);
	assert_int_equal(ocispec_parse(buf, len, &m), 0);
	assert_meta(&m, "analytics", "flink-taskmanager-0", "", 1);
	free(buf);
}

/* docker 20.10.24, `docker run --name jvmtap-dk1 jvmtap-test/jvm:1`: no Kubernetes labels. */
static void test_real_docker(void **state)
{
	struct container_meta m;
	size_t len;
	char *buf;

	(void)state;
	buf = fixture("docker-20.10.24-config.v2.json", &len);
	assert_int_equal(dockerspec_parse(buf, len, &m), 0);
	assert_meta(&m, "", "", "jvmtap-dk1", 0);
	assert_string_equal(m.image, "jvmtap-test/jvm:1");
	free(buf);
}

/* Kubernetes' labels win over Docker's own name ("/k8s_cart_..."); Config.Image is the image. */
static void test_docker_name(void **state)
{
	struct container_meta m;

	(void)state;
	assert_int_equal(parse_str(dockerspec_parse, docker_container, &m), 0);
	assert_meta(&m, "store", "cart-5c6d", "cart", 0);
	assert_string_equal(m.image, "sha256:" CID);
	assert_int_equal(parse_str(dockerspec_parse, "{\"Name\":\"/web\"}", &m), 0);
	assert_meta(&m, "", "", "web", 0);
	assert_int_equal(parse_str(dockerspec_parse, "{\"Name\":\"/\"}", &m), 0);
	assert_meta(&m, "", "", "", 0);
	assert_int_equal(parse_str(dockerspec_parse, "{\"Name\":\"plain\"}", &m), 0);
	assert_meta(&m, "", "", "plain", 0);
	assert_fails(dockerspec_parse, "{\"Name\":7}", -EINVAL);
	assert_fails(dockerspec_parse, "{\"Config\":{\"Image\":[]}}", -EINVAL);
}

#define PM_ID "d0e29aa2389dfc241ea12dfe0496fa5ab8cada2aca387f8f9555c33377286fb7"

/* podman 4.3.1's containers/storage record: names[0] and the metadata's image-name. */
static void test_real_podman(void **state)
{
	struct container_meta m;
	size_t len;
	char *buf;

	(void)state;
	buf = fixture("podman-4.3.1-containers.json", &len);
	assert_int_equal(storage_containers_parse(buf, len, PM_ID, &m), 0);
	assert_meta(&m, "", "", "jvmtap-pm1", 0);
	assert_string_equal(m.image, "localhost/jvmtap-test/jvm:1");
	/* another container's id, or a prefix of this one: not found */
	assert_int_equal(storage_containers_parse(buf, len, "d0e29aa2389d", &m), -ENOENT);
	assert_meta(&m, "", "", "", 0);
	free(buf);
}

static int storage(const char *json, const char *id, struct container_meta *m)
{
	char *b = malloc(strlen(json) + 1);
	int ret;

	assert_non_null(b);
	memcpy(b, json, strlen(json)); /* no NUL after it */
	ret = storage_containers_parse(b, strlen(json), id, m);
	free(b);
	return ret;
}

static void test_storage_shapes(void **state)
{
	struct container_meta m;

	(void)state;
	/* records other than the one asked for are not looked into */
	assert_int_equal(storage("[7,{\"id\":3},{\"id\":\"b\",\"names\":9,\"metadata\":\"x\"},"
				 "{\"id\":\"a\",\"names\":[\"one\",\"two\"]}]", "a", &m), 0);
	assert_meta(&m, "", "", "one", 0);
	assert_string_equal(m.image, "");
	assert_int_equal(storage("[{\"id\":\"a\",\"names\":null,\"metadata\":\"\"}]", "a", &m), 0);
	assert_meta(&m, "", "", "", 0);
	assert_int_equal(storage("[{\"id\":\"a\",\"names\":[],"
				 "\"metadata\":\"{\\\"image-name\\\":\\\"i:1\\\"}\"}]", "a", &m), 0);
	assert_string_equal(m.image, "i:1");
	assert_int_equal(storage("[]", "a", &m), -ENOENT);
	/* the record asked for is malformed: an error, and nothing kept */
	assert_int_equal(storage("[{\"id\":\"a\",\"names\":[1]}]", "a", &m), -EINVAL);
	assert_int_equal(storage("[{\"id\":\"a\",\"names\":\"x\"}]", "a", &m), -EINVAL);
	assert_int_equal(storage("[{\"id\":\"a\",\"names\":[\"n\"],\"metadata\":\"{\"}]", "a", &m),
			 -EINVAL);
	assert_meta(&m, "", "", "", 0);
	assert_int_equal(storage("[{\"id\":\"a\",\"names\":[\"n\\u0000x\"]}]", "a", &m), -EINVAL);
	/* not an array, trailing bytes, truncated */
	assert_int_equal(storage("{}", "a", &m), -EINVAL);
	assert_int_equal(storage("[] x", "a", &m), -EINVAL);
	assert_int_equal(storage("[{\"id\":\"a\"", "a", &m), -EINVAL);
	assert_int_equal(storage_containers_parse(NULL, 2, "a", &m), -EINVAL);
	assert_int_equal(storage_containers_parse("[]", 2, NULL, &m), -EINVAL);
	assert_int_equal(storage_containers_parse("[]", 2, "a", NULL), -EINVAL);
}

static void test_null_args(void **state)
{
	struct container_meta m;

	(void)state;
	assert_int_equal(ocispec_parse(NULL, 2, &m), -EINVAL);
	assert_int_equal(ocispec_parse("{}", 2, NULL), -EINVAL);
	assert_int_equal(dockerspec_parse(NULL, 2, &m), -EINVAL);
	assert_int_equal(dockerspec_parse("{}", 2, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_containerd),    cmocka_unit_test(test_crio),
		cmocka_unit_test(test_docker),	      cmocka_unit_test(test_both_sets),
		cmocka_unit_test(test_missing),	      cmocka_unit_test(test_not_sandbox),
		cmocka_unit_test(test_malformed),     cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_truncated),     cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_unread_values), cmocka_unit_test(test_nul),
		cmocka_unit_test(test_verbatim),      cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_size_limit),    cmocka_unit_test(test_deep),
		cmocka_unit_test(test_null_args),     cmocka_unit_test(test_real_containerd),
		cmocka_unit_test(test_real_docker),   cmocka_unit_test(test_docker_name),
		cmocka_unit_test(test_real_podman),   cmocka_unit_test(test_storage_shapes),
	};

	return cmocka_run_group_tests_name("ocispec", tests, NULL, NULL);
}
