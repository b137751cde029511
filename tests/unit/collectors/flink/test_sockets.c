/* Unit tests for flink_match_tm(): which TaskManager JVM on this node a JobManager's
 * TaskManager RPC path names. The localhost case is met for real by tests/runtimes and
 * tests/flink (TaskManagers on the host network); a pod with its own IP by the cases here,
 * built as flink_local_tm_read() fills them from /proc. */
// UNIT-SOURCES: user/parse/procfs.c user/parse/flinkrest.c user/parse/jsonval.c user/core/readfile.c user/core/config.c
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "sockets.h"

static struct net_tcp_sock sock(const char *addr, unsigned port)
{
	struct net_tcp_sock s = { 0 };

	s.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(s.family, addr, s.addr), 1);
	s.port = port;
	return s;
}

/* A TaskManager listening on listen:port, talking from addr (NULL: no established socket). */
static struct flink_local_tm tm(pid_t pid, uint64_t netns, const char *listen, unsigned port,
				const char *addr)
{
	struct flink_local_tm t = { .pid = pid, .netns = netns };

	t.listen[t.nlisten++] = sock(listen, port);
	t.listen[t.nlisten++] = sock(listen, port + 1000); /* its data port, another listener */
	if (addr)
		t.addrs[t.naddrs++] = sock(addr, 40000);
	return t;
}

#define PATH(hostport) "pekko.tcp://flink@" hostport "/user/rpc/taskmanager_0"

static void test_pods(void **state)
{
	/* Kubernetes: every TaskManager pod listens on 0.0.0.0:6122 and talks from its pod IP */
	struct flink_local_tm t[] = {
		tm(100, 1, "0.0.0.0", 6122, "10.244.1.7"),
		tm(200, 2, "0.0.0.0", 6122, "10.244.1.8"),
		tm(300, 3, "::", 6122, "fd00::9"),
		tm(400, 4, "10.244.1.10", 6122, NULL), /* bound to its IP (taskmanager.bind-host) */
	};

	(void)state;
	assert_int_equal(flink_match_tm(PATH("10.244.1.7:6122"), t, 4, 9), 0);
	assert_int_equal(flink_match_tm(PATH("10.244.1.8:6122"), t, 4, 9), 1);
	assert_int_equal(flink_match_tm(PATH("[fd00::9]:6122"), t, 4, 9), 2);
	assert_int_equal(flink_match_tm(PATH("10.244.1.10:6122"), t, 4, 9), 3);
	/* another node's TaskManager, the right IP on the wrong port, a port of no TaskManager */
	assert_int_equal(flink_match_tm(PATH("10.244.2.7:6122"), t, 4, 9), -1);
	assert_int_equal(flink_match_tm(PATH("10.244.1.7:6123"), t, 4, 9), -1);
	/* the data port is a listener too, but only on that TaskManager */
	assert_int_equal(flink_match_tm(PATH("10.244.1.8:7122"), t, 4, 9), 1);
	/* a name is not resolved: four listen on 6122, so none is chosen */
	assert_int_equal(flink_match_tm(PATH("tm-0.flink.svc:6122"), t, 4, 9), -2);
	/* not an RPC path */
	assert_int_equal(flink_match_tm("garbage", t, 4, 9), -1);
	assert_int_equal(flink_match_tm(PATH("10.244.1.7:6122"), t, 0, 9), -1);
}

static void test_localhost(void **state)
{
	/* standalone on one host (the test bed): every TaskManager says localhost, random ports */
	struct flink_local_tm t[] = {
		tm(100, 1, "127.0.0.1", 34653, "127.0.0.1"),
		tm(200, 1, "127.0.0.1", 39575, "127.0.0.1"),
		tm(300, 5, "0.0.0.0", 41000, "10.0.0.5"), /* a pod of its own namespace */
	};

	(void)state;
	assert_int_equal(flink_match_tm(PATH("localhost:34653"), t, 3, 1), 0);
	assert_int_equal(flink_match_tm(PATH("localhost:39575"), t, 3, 1), 1);
	assert_int_equal(flink_match_tm(PATH("127.0.0.1:39575"), t, 3, 1), 1);
	/* localhost of another namespace is not the JobManager's */
	assert_int_equal(flink_match_tm(PATH("localhost:41000"), t, 3, 1), -1);
	assert_int_equal(flink_match_tm(PATH("127.0.0.1:41000"), t, 3, 1), -1);
	assert_int_equal(flink_match_tm(PATH("localhost:34653"), t, 3, 5), -1);
	/* the JobManager's namespace unknown: no localhost match */
	assert_int_equal(flink_match_tm(PATH("localhost:34653"), t, 3, 0), -1);
	/* a name on a port only one listens on */
	assert_int_equal(flink_match_tm(PATH("worker-3:41000"), t, 3, 1), 2);
}

static void test_dual_stack(void **state)
{
	/* a JVM's IPv4 listener and peer show in tcp6 as v4-mapped addresses */
	struct flink_local_tm t[] = { tm(100, 1, "::", 6122, "::ffff:10.244.1.7") };

	(void)state;
	assert_int_equal(flink_match_tm(PATH("10.244.1.7:6122"), t, 1, 9), 0);
	assert_int_equal(flink_match_tm(PATH("10.244.1.8:6122"), t, 1, 9), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pods),
		cmocka_unit_test(test_localhost),
		cmocka_unit_test(test_dual_stack),
	};

	return cmocka_run_group_tests_name("flink sockets", tests, NULL, NULL);
}
