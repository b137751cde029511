/* Unit tests for cgpath_parse(): real cgroup path shapes of each runtime, driver and QoS class. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "cgpath.h"

#define ID "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0"
#define ID_UP "9F8E7D6C5B4A39281706F5E4D3C2B1A09F8E7D6C5B4A39281706F5E4D3C2B1A0"
#define ID2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID12 "4c01db0b339c"
#define ID11 "4c01db0b339"
#define ID128 ID ID2
#define UID "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
#define UID_ "1b2c3d4e_5f60_4a7b_8c9d_0e1f2a3b4c5d"
/* static (mirror) pods: the uid is the hash of the manifest, without dashes */
#define SUID "6d8c5bd2b5e3c4e1e9a7f2a1d3b9a0c4"

#define SD_BU "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice"
#define SD_BE "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice"
#define SD_GU "/kubepods.slice/kubepods-pod" UID_ ".slice"

#define NONE CG_RT_NONE
#define CTRD CG_RT_CONTAINERD
#define CRIO CG_RT_CRIO
#define DOCK CG_RT_DOCKER
#define PODM CG_RT_PODMAN
#define Q0 CG_QOS_NONE
#define QG CG_QOS_GUARANTEED
#define QBU CG_QOS_BURSTABLE
#define QBE CG_QOS_BESTEFFORT

struct row {
	const char *name;
	const char *path;
	size_t len; /* 0: strlen(path) */
	int ret;
	enum cg_runtime rt;
	enum cg_qos qos;
	const char *id;
	const char *uid;
	int conmon;
};

static const struct row rows[] = {
	/* containerd, systemd driver (cgroup v2 and v1 look the same) */
	{ "ctrd sd burstable", SD_BU "/cri-containerd-" ID ".scope", 0, 0, CTRD, QBU, ID, UID, 0 },
	{ "ctrd sd besteffort", SD_BE "/cri-containerd-" ID ".scope", 0, 0, CTRD, QBE, ID, UID, 0 },
	{ "ctrd sd guaranteed", SD_GU "/cri-containerd-" ID ".scope", 0, 0, CTRD, QG, ID, UID, 0 },
	{ "ctrd sd trailing slash", SD_BU "/cri-containerd-" ID ".scope/", 0, 0, CTRD, QBU, ID, UID,
	  0 },
	{ "ctrd sd nested init", SD_BU "/cri-containerd-" ID ".scope/init", 0, 0, CTRD, QBU, ID,
	  UID, 0 },
	{ "ctrd kubelet cgroup-root",
	  "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/"
	  "kubelet-kubepods-burstable-pod" UID_ ".slice/cri-containerd-" ID ".scope",
	  0, 0, CTRD, QBU, ID, UID, 0 },
	/* systemd driver with cgroupfs-style names */
	{ "ctrd colon burstable",
	  "/system.slice/containerd.service/kubepods-burstable-pod" UID_
	  ".slice:cri-containerd:" ID,
	  0, 0, CTRD, QBU, ID, UID, 0 },
	{ "ctrd colon guaranteed",
	  "/system.slice/containerd.service/kubepods-pod" UID_ ".slice:cri-containerd:" ID, 0, 0,
	  CTRD, QG, ID, UID, 0 },
	{ "crio colon besteffort", "/kubepods-besteffort-pod" UID_ ".slice:crio:" ID, 0, 0, CRIO,
	  QBE, ID, UID, 0 },
	{ "colon unknown prefix", "/kubepods-pod" UID_ ".slice:runc:" ID, 0, 0, NONE, Q0, "", "",
	  0 },
	/* containerd, cgroupfs driver (v1 "/kubepods" root, no .slice) */
	{ "ctrd fs burstable", "/kubepods/burstable/pod" UID "/" ID, 0, 0, CTRD, QBU, ID, UID, 0 },
	{ "ctrd fs besteffort", "/kubepods/besteffort/pod" UID "/" ID, 0, 0, CTRD, QBE, ID, UID,
	  0 },
	{ "ctrd fs guaranteed", "/kubepods/pod" UID "/" ID, 0, 0, CTRD, QG, ID, UID, 0 },
	{ "ctrd fs static pod", "/kubepods/besteffort/pod" SUID "/" ID, 0, 0, CTRD, QBE, ID, SUID,
	  0 },
	{ "ctrd fs trailing slash", "/kubepods/pod" UID "/" ID "/", 0, 0, CTRD, QG, ID, UID, 0 },
	{ "kind node in docker", "/docker/" ID2 "/kubepods/besteffort/pod" UID "/" ID, 0, 0, CTRD,
	  QBE, ID, UID, 0 },
	{ "fs runtime hint", "/system.slice/crio.service/kubepods/burstable/pod" UID "/" ID, 0, 0,
	  CRIO, QBU, ID, UID, 0 },
	/* CRI-O */
	{ "crio sd", SD_BE "/crio-" ID ".scope", 0, 0, CRIO, QBE, ID, UID, 0 },
	{ "crio sd conmon", SD_BU "/crio-conmon-" ID ".scope", 0, 0, CRIO, QBU, ID, UID, 1 },
	{ "crio sd nested", SD_GU "/crio-" ID ".scope/container", 0, 0, CRIO, QG, ID, UID, 0 },
	{ "crio fs", "/kubepods/burstable/pod" UID "/crio-" ID, 0, 0, CRIO, QBU, ID, UID, 0 },
	{ "crio fs conmon", "/kubepods/pod" UID "/crio-conmon-" ID, 0, 0, CRIO, QG, ID, UID, 1 },
	/* Docker */
	{ "docker sd", "/system.slice/docker-" ID ".scope", 0, 0, DOCK, Q0, ID, "", 0 },
	{ "docker sd child", "/system.slice/docker-" ID ".scope/child", 0, 0, DOCK, Q0, ID, "", 0 },
	{ "docker fs", "/docker/" ID, 0, 0, DOCK, Q0, ID, "", 0 },
	/* podman 4.3.1 as run by tests/runtimes (cgroupfs) and with its systemd manager */
	{ "podman fs", "/libpod_parent/libpod-" ID, 0, 0, PODM, Q0, ID, "", 0 },
	{ "podman fs conmon", "/libpod_parent/conmon", 0, 0, NONE, Q0, "", "", 0 },
	{ "podman sd", "/machine.slice/libpod-" ID ".scope", 0, 0, PODM, Q0, ID, "", 0 },
	{ "podman sd container", "/machine.slice/libpod-" ID ".scope/container", 0, 0, PODM, Q0, ID,
	  "", 0 },
	{ "podman sd conmon", "/machine.slice/libpod-conmon-" ID ".scope", 0, 0, PODM, Q0, ID, "",
	  1 },
	{ "podman short id", "/libpod_parent/libpod-" ID12, 0, 0, PODM, Q0, ID12, "", 0 },
	{ "podman not hex", "/libpod_parent/libpod-xyz", 0, 0, NONE, Q0, "", "", 0 },
	{ "docker fs short id", "/docker/" ID12, 0, 0, DOCK, Q0, ID12, "", 0 },
	{ "docker fs 128 id", "/docker/" ID128, 0, 0, DOCK, Q0, ID128, "", 0 },
	{ "docker upper-case id", "/docker/" ID_UP, 0, 0, DOCK, Q0, ID, "", 0 },
	{ "docker double slashes", "//docker//" ID "//", 0, 0, DOCK, Q0, ID, "", 0 },
	{ "dockershim sd", SD_BU "/docker-" ID ".scope", 0, 0, DOCK, QBU, ID, UID, 0 },
	/* kubepods cgroups that are not containers */
	{ "pod slice", SD_BU, 0, 0, NONE, QBU, "", UID, 0 },
	{ "qos slice", "/kubepods.slice/kubepods-besteffort.slice", 0, 0, NONE, QBE, "", "", 0 },
	{ "kubepods root", "/kubepods.slice", 0, 0, NONE, Q0, "", "", 0 },
	{ "fs pod dir", "/kubepods/pod" UID, 0, 0, NONE, QG, "", UID, 0 },
	{ "slice uid with dashes",
	  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID
	  ".slice/cri-containerd-" ID ".scope",
	  0, 0, CTRD, QBU, ID, "", 0 },
	/* not containers */
	{ "root", "/", 0, 0, NONE, Q0, "", "", 0 },
	{ "systemd service", "/system.slice/ssh.service", 0, 0, NONE, Q0, "", "", 0 },
	{ "user session", "/user.slice/user-1000.slice/session-3.scope", 0, 0, NONE, Q0, "", "",
	  0 },
	{ "init scope", "/init.scope", 0, 0, NONE, Q0, "", "", 0 },
	{ "bare id not in pod", "/system.slice/" ID, 0, 0, NONE, Q0, "", "", 0 },
	{ "bare id under non-pod", "/kubepods/burstable/" ID, 0, 0, NONE, QBU, "", "", 0 },
	{ "bare short id in pod", "/kubepods/pod" UID "/" ID12, 0, 0, NONE, QG, "", UID, 0 },
	{ "bare id with .scope in pod", "/kubepods/pod" UID "/" ID ".scope", 0, 0, NONE, QG, "",
	  UID, 0 },
	{ "non-hex pod uid", "/kubepods/burstable/podxyz/" ID, 0, 0, NONE, QBU, "", "", 0 },
	{ "pod dir out of place", "/kubepods/burstable/x/pod" UID "/" ID, 0, 0, NONE, QBU, "", "",
	  0 },
	{ "non-hex id", SD_BU "/cri-containerd-" ID12 "g" ID12 ".scope", 0, 0, NONE, QBU, "", UID,
	  0 },
	{ "too-short id", "/docker/" ID11, 0, 0, NONE, Q0, "", "", 0 },
	{ "too-short scope id", "/system.slice/docker-" ID11 ".scope", 0, 0, NONE, Q0, "", "", 0 },
	{ "too-long id", "/docker/" ID128 "0", 0, 0, NONE, Q0, "", "", 0 },
	{ "wrong suffix", "/system.slice/docker-" ID ".service", 0, 0, NONE, Q0, "", "", 0 },
	{ "empty prefix id", "/system.slice/docker-.scope", 0, 0, NONE, Q0, "", "", 0 },
	/* not paths */
	{ "empty", "", 0, -EINVAL, NONE, Q0, "", "", 0 },
	{ "relative", "kubepods/pod" UID "/" ID, 0, -EINVAL, NONE, Q0, "", "", 0 },
	{ "embedded NUL", "/docker/\0" ID, sizeof("/docker/\0" ID) - 1, -EINVAL, NONE, Q0, "", "",
	  0 },
	{ "trailing NUL", "/docker/" ID, sizeof("/docker/" ID), -EINVAL, NONE, Q0, "", "", 0 },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* One cmocka test per row, so a failure names its row. */
static void test_row(void **state)
{
	const struct row *r = *state;
	struct cgpath_info info;
	int ret;

	/* garbage first: the parser must set every field, on success and on error */
	memset(&info, 0xa5, sizeof(info));
	ret = cgpath_parse(r->path, r->len ? r->len : strlen(r->path), &info);
	assert_int_equal(ret, r->ret);
	assert_int_equal(info.runtime, r->rt);
	assert_int_equal(info.qos, r->qos);
	assert_string_equal(info.container_id, r->id);
	assert_string_equal(info.pod_uid, r->uid);
	assert_int_equal(info.conmon, r->conmon);
}

/* The caller hands a slice of a /proc/PID/cgroup line: nothing after it may be read. */
static void test_not_terminated(void **state)
{
	static const char line[] = "0::/docker/" ID "/extra\n";
	struct cgpath_info info;
	char *buf;
	size_t len = strlen("/docker/" ID);

	(void)state;
	buf = test_malloc(len);
	memcpy(buf, line + 3, len);
	assert_int_equal(cgpath_parse(buf, len, &info), 0);
	assert_int_equal(info.runtime, CG_RT_DOCKER);
	assert_string_equal(info.container_id, ID);
	/* a prefix of the id is too short to be one */
	assert_int_equal(cgpath_parse(buf, strlen("/docker/") + 11, &info), 0);
	assert_int_equal(info.runtime, CG_RT_NONE);
	test_free(buf);
}

static void test_length_limit(void **state)
{
	static char buf[CGPATH_MAX + 1];
	const char *tail = "/cri-containerd-" ID ".scope";
	size_t tl = strlen(tail);
	struct cgpath_info info;

	(void)state;
	memset(buf, 'a', sizeof(buf));
	buf[0] = '/';
	memcpy(buf + CGPATH_MAX - tl, tail, tl);
	assert_int_equal(cgpath_parse(buf, CGPATH_MAX, &info), 0);
	assert_int_equal(info.runtime, CG_RT_CONTAINERD);
	assert_string_equal(info.container_id, ID);

	memcpy(buf + CGPATH_MAX + 1 - tl, tail, tl);
	memset(&info, 0xa5, sizeof(info));
	assert_int_equal(cgpath_parse(buf, CGPATH_MAX + 1, &info), -EINVAL);
	assert_int_equal(info.runtime, CG_RT_NONE);
	assert_string_equal(info.container_id, "");
}

static void test_null_args(void **state)
{
	struct cgpath_info info;

	(void)state;
	assert_int_equal(cgpath_parse(NULL, 4, &info), -EINVAL);
	assert_int_equal(cgpath_parse("/", 1, NULL), -EINVAL);
}

static void test_runtime_name(void **state)
{
	(void)state;
	assert_string_equal(cg_runtime_name(CG_RT_NONE), "");
	assert_string_equal(cg_runtime_name(CG_RT_CONTAINERD), "containerd");
	assert_string_equal(cg_runtime_name(CG_RT_CRIO), "cri-o");
	assert_string_equal(cg_runtime_name(CG_RT_DOCKER), "docker");
	assert_string_equal(cg_runtime_name(CG_RT_PODMAN), "podman");
	assert_string_equal(cg_runtime_name((enum cg_runtime)42), "");
}

int main(void)
{
	struct CMUnitTest tests[NROWS + 4] = {
		cmocka_unit_test(test_not_terminated),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_null_args),
		cmocka_unit_test(test_runtime_name),
	};
	size_t i;

	for (i = 0; i < NROWS; i++) {
		tests[4 + i] =
			(struct CMUnitTest)cmocka_unit_test_prestate(test_row, (void *)&rows[i]);
		tests[4 + i].name = rows[i].name;
	}
	return cmocka_run_group_tests_name("cgpath", tests, NULL, NULL);
}
