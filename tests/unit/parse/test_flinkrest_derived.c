/* Unit tests for what the flinkrest_* functions work out beyond copying fields, on small
 * hand-written answers: how long a restart took, which vertices are sources and sinks (the job's
 * plan), sums Flink marks incomplete, a key of the JobManager's configuration, and the host and
 * port in a TaskManager's RPC path. */
// UNIT-SOURCES: user/parse/flinkrest.c user/parse/jsonval.c
#include "flinkrest_fixtures.h"

static void test_last_restart(void **state)
{
	struct flink_job_detail d = { .now_ms = 5000, .restarting_ms = 1000, .running_ms = 1200 };

	(void)state;
	assert_int_equal(flinkrest_last_restart_ms(&d, "RUNNING"), 200);
	assert_int_equal(flinkrest_last_restart_ms(&d, NULL), 200);
	/* restarting again since 3000: until now */
	d.restarting_ms = 3000;
	assert_int_equal(flinkrest_last_restart_ms(&d, "RESTARTING"), 2000);
	/* it went from RESTARTING to FAILED: no RUNNING since, nothing to say */
	assert_int_equal(flinkrest_last_restart_ms(&d, "FAILED"), -1);
	/* a clock that says now is before the restart; absent timestamps; never restarted */
	d.now_ms = 2000;
	assert_int_equal(flinkrest_last_restart_ms(&d, "RESTARTING"), -1);
	d.restarting_ms = -1;
	assert_int_equal(flinkrest_last_restart_ms(&d, "RUNNING"), -1);
	d.restarting_ms = 0;
	assert_int_equal(flinkrest_last_restart_ms(&d, "RESTARTING"), -1);
	assert_int_equal(flinkrest_last_restart_ms(NULL, "RUNNING"), -1);
}

static void test_jm_config(void **state)
{
	/* as a 1.20.5 JobManager with ZooKeeper high availability answers (keys seen there) */
	static const char ha[] = "[{\"key\":\"blob.server.port\",\"value\":\"34943\"},"
				 "{\"key\":\"high-availability.type\",\"value\":\"zookeeper\"},"
				 "{\"key\":\"jobmanager.rpc.address\",\"value\":\"localhost\"},"
				 "{\"key\":\"jobmanager.rpc.port\",\"value\":\"43045\"},"
				 "{\"key\":\"rest.port\",\"value\":\"43047\"}]";
	char v[16];

	(void)state;
	assert_int_equal(jm_config_s(ha, "high-availability.type", v, sizeof(v)), 0);
	assert_string_equal(v, "zookeeper");
	assert_int_equal(jm_config_s(ha, "jobmanager.rpc.port", v, sizeof(v)), 0);
	assert_string_equal(v, "43045");
	assert_int_equal(jm_config_s(ha, "high-availability", v, sizeof(v)), -ENOENT);
	assert_string_equal(v, "");
	/* cut to the buffer; a key twice: the later; values that are not strings are passed over */
	assert_int_equal(jm_config_s(ha, "jobmanager.rpc.address", v, 4), 0);
	assert_string_equal(v, "loc");
	assert_int_equal(
	    jm_config_s("[{\"key\":\"a\",\"value\":\"1\"},{\"key\":\"a\",\"value\":\"2\"},"
			"{\"key\":\"b\",\"value\":3},{\"key\":\"c\"},[],1]",
			"a", v, sizeof(v)),
	    0);
	assert_string_equal(v, "2");
	assert_int_equal(jm_config_s("[{\"key\":\"b\",\"value\":3}]", "b", v, sizeof(v)), -ENOENT);
	assert_int_equal(jm_config_s("[{\"key\":\"c\"}]", "c", v, sizeof(v)), -ENOENT);
	/* not an array, not JSON, bad arguments */
	assert_int_equal(jm_config_s("{\"key\":\"a\",\"value\":\"1\"}", "a", v, sizeof(v)),
			 -EBADMSG);
	assert_int_equal(jm_config_s("[{\"key\":", "a", v, sizeof(v)), -EBADMSG);
	assert_int_equal(jm_config_s(ha, NULL, v, sizeof(v)), -EINVAL);
	assert_int_equal(jm_config_s(ha, "a", v, 0), -EINVAL);
}

static void test_topology(void **state)
{
	struct flink_job_detail d;

	(void)state;
	/* a diamond a -> b, a -> c, b -> d, c -> d, plus e alone and f in no plan node; the plan
	 * lists nodes in another order than the vertices */
	assert_int_equal(
	    job_s("{\"vertices\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"},{\"id\":\"d\"},"
		  "{\"id\":\"e\"},{\"id\":\"f\"}],"
		  "\"plan\":{\"nodes\":[{\"id\":\"d\",\"inputs\":[{\"id\":\"b\"},"
		  "{\"id\":\"c\"}]},"
		  "{\"id\":\"e\",\"inputs\":[]},{\"id\":\"c\",\"inputs\":[{\"id\":\"a\"}]},"
		  "{\"id\":\"b\",\"inputs\":[{\"num\":0,\"id\":\"a\"}]},{\"id\":\"a\"}]}}",
		  &d),
	    0);
	assert_int_equal(d.nvertices, 6);
	assert_int_equal(d.now_ms, -1);
	assert_int_equal(d.vertices[0].source, 1);
	assert_int_equal(d.vertices[0].sink, 0);
	assert_int_equal(d.vertices[1].source, 0);
	assert_int_equal(d.vertices[1].sink, 0);
	assert_int_equal(d.vertices[2].source, 0);
	assert_int_equal(d.vertices[2].sink, 0);
	assert_int_equal(d.vertices[3].source, 0);
	assert_int_equal(d.vertices[3].sink, 1);
	assert_int_equal(d.vertices[4].source, 1); /* both */
	assert_int_equal(d.vertices[4].sink, 1);
	assert_int_equal(d.vertices[5].source, -1); /* the plan does not say */
	assert_int_equal(d.vertices[5].sink, -1);

	/* no plan, a mistyped plan, nodes not an array: nothing known */
	assert_int_equal(job_s("{\"vertices\":[{\"id\":\"a\"}]}", &d), 0);
	assert_int_equal(d.vertices[0].source, -1);
	assert_int_equal(d.vertices[0].sink, -1);
	assert_int_equal(job_s("{\"vertices\":[{\"id\":\"a\"}],\"plan\":[]}", &d), 0);
	assert_int_equal(d.vertices[0].source, -1);
	assert_int_equal(job_s("{\"vertices\":[{\"id\":\"a\"}],\"plan\":{\"nodes\":{}}}", &d), 0);
	assert_int_equal(d.vertices[0].sink, -1);

	/* mistyped inputs: that node's source flag unknown, the rest still read */
	assert_int_equal(job_s("{\"vertices\":[{\"id\":\"a\"},{\"id\":\"b\"}],\"plan\":{\"nodes\":"
			       "[{\"id\":\"a\",\"inputs\":\"b\"},{\"id\":\"b\",\"inputs\":[1,{},"
			       "{\"id\":2},{\"id\":\"zz\"},{\"id\":\"a\"}]},7,\"x\"]}}",
			       &d),
			 0);
	assert_int_equal(d.vertices[0].source, -1);
	assert_int_equal(d.vertices[0].sink, 0);
	assert_int_equal(d.vertices[1].source, 0);
	assert_int_equal(d.vertices[1].sink, 1);

	/* a node listed twice: the first counts; a vertex without id is never matched */
	assert_int_equal(job_s("{\"vertices\":[{\"id\":\"a\"},{\"name\":\"x\"}],"
			       "\"plan\":{\"nodes\":"
			       "[{\"id\":\"a\"},{\"id\":\"a\",\"inputs\":[{\"id\":\"q\"}]},"
			       "{\"id\":\"\"},{\"inputs\":[{\"id\":\"a\"}]}]}}",
			       &d),
			 0);
	assert_int_equal(d.vertices[0].source, 1);
	assert_int_equal(d.vertices[0].sink, 0);
	assert_int_equal(d.vertices[1].source, -1);
	assert_int_equal(d.vertices[1].sink, -1);
	assert_string_equal(d.vertices[1].name, "x");
}

/* A sum Flink marks incomplete (a subtask's value has not reached the JobManager yet, as in
 * the first seconds of a job) is unknown, not a smaller count. */
static void test_incomplete_sums_are_unknown(void **state)
{
	static const char json[] =
	    "{\"now\":1,\"vertices\":[{\"id\":\"aa\",\"name\":\"v\",\"parallelism\":2,"
	    "\"metrics\":{\"read-records\":5,\"read-records-complete\":false,"
	    "\"write-records\":7,\"write-records-complete\":true,\"read-bytes\":9,"
	    "\"write-bytes\":11,\"write-bytes-complete\":false}}],\"plan\":{\"nodes\":[]}}";
	static struct flink_job_detail d;

	(void)state;
	assert_int_equal(flinkrest_job(json, sizeof(json) - 1, &d), 0);
	assert_int_equal(d.nvertices, 1);
	assert_int_equal(d.vertices[0].read_records, -1);
	assert_int_equal(d.vertices[0].write_records, 7);
	assert_int_equal(d.vertices[0].read_bytes, 9); /* no -complete key: as given */
	assert_int_equal(d.vertices[0].write_bytes, -1);
}

static void test_rpc_address(void **state)
{
	char host[64];
	unsigned port;

	(void)state;
	/* as the 1.20.5 and 2.3.0 fixtures give it, and as Kubernetes deployments do */
	assert_int_equal(
	    flinkrest_rpc_address("pekko.tcp://flink@localhost:34653/user/rpc/taskmanager_0", host,
				  sizeof(host), &port),
	    0);
	assert_string_equal(host, "localhost");
	assert_int_equal(port, 34653);
	assert_int_equal(
	    flinkrest_rpc_address("akka.tcp://flink@10.244.1.7:6122/user/rpc/taskmanager_0", host,
				  sizeof(host), &port),
	    0);
	assert_string_equal(host, "10.244.1.7");
	assert_int_equal(port, 6122);
	assert_int_equal(flinkrest_rpc_address("pekko.tcp://flink@[fd00::a:7]:6122/user/rpc/x",
					       host, sizeof(host), &port),
			 0);
	assert_string_equal(host, "fd00::a:7");
	assert_int_equal(
	    flinkrest_rpc_address("pekko://flink@tm-0.flink.svc:1", host, sizeof(host), &port), 0);
	assert_string_equal(host, "tm-0.flink.svc");
	assert_int_equal(port, 1);
	/* what is not an RPC path */
	static const char *const bad[] = {
		"",
		"flink@h:1/x",
		"pekko.tcp://h:1/x",	      /* no actor system */
		"pekko.tcp://flink/user@h:1", /* the '@' after a '/' */
		"pekko.tcp://flink@:1/x",     /* empty host */
		"pekko.tcp://flink@h/x",      /* no port */
		"pekko.tcp://flink@h:/x",
		"pekko.tcp://flink@h:0/x",
		"pekko.tcp://flink@h:65536/x",
		"pekko.tcp://flink@h:99999999999999999999/x",
		"pekko.tcp://flink@h:12x/x",
		"pekko.tcp://flink@[fd00::1/x",
		"pekko.tcp://flink@[fd00::1]/x",
		"pekko.tcp://flink@[]:1/x",
		"pekko.tcp://flink@a@b:1/x",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		port = 7;
		assert_int_equal(flinkrest_rpc_address(bad[i], host, sizeof(host), &port), -EINVAL);
		assert_string_equal(host, "");
	}
	/* a host that does not fit */
	assert_int_equal(flinkrest_rpc_address("pekko.tcp://flink@abcdefgh:1/x", host, 8, &port),
			 -EINVAL);
	assert_int_equal(flinkrest_rpc_address("pekko.tcp://flink@abcdefg:1/x", host, 8, &port), 0);
	assert_int_equal(flinkrest_rpc_address(NULL, host, sizeof(host), &port), -EINVAL);
	assert_int_equal(flinkrest_rpc_address("x", NULL, 1, &port), -EINVAL);
	assert_int_equal(flinkrest_rpc_address("x", host, sizeof(host), NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_last_restart),
		cmocka_unit_test(test_topology),
		cmocka_unit_test(test_incomplete_sums_are_unknown),
		cmocka_unit_test(test_jm_config),
		cmocka_unit_test(test_rpc_address),
	};

	return cmocka_run_group_tests_name("flinkrest_derived", tests, NULL, NULL);
}
