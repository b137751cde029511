/* Unit tests for the flinkrest_* parsers on real answers of Flink 1.20.5 and 2.3.0 JobManagers
 * (tests/unit/data/flink/<version>/, captured from the test bed's KeyedCount job): every endpoint
 * read field by field, and each answer refused by the parsers of the other endpoints. */
// UNIT-SOURCES: user/parse/jsonval.c
#include "flinkrest_fixtures.h"

#define SRC_ID	  "cbc357ccb763df2852fee8c4fc7d55f2"
#define SINK_ID	  "90bea66de1c231edf33913ecd54406c1"
#define SRC_NAME  "Source: numbers -> pace"
#define SINK_NAME "count -> discard: Writer"

struct vertex_want {
	long long read_records, write_records, read_bytes, write_bytes, busy, idle;
};
struct want {
	const char *jid[NVERSIONS], *canceled_jid[NVERSIONS];
	long long job_start[NVERSIONS], job_duration[NVERSIONS], job_lastmod[NVERSIONS];
	long long canceled_start[NVERSIONS], canceled_end[NVERSIONS], canceled_duration[NVERSIONS];
	long long now[NVERSIONS], canceled_now[NVERSIONS];
	struct vertex_want src[NVERSIONS], sink[NVERSIONS];
	struct vertex_want canceled_src[NVERSIONS], canceled_sink[NVERSIONS];
	long long ck_completed[NVERSIONS], ck_failed[NVERSIONS], ck_in_progress[NVERSIONS];
	long long ck_total[NVERSIONS], ck_duration[NVERSIONS], ck_size[NVERSIONS],
	    ck_ack[NVERSIONS];
	long long rs_restored[NVERSIONS], rs_completed[NVERSIONS], rs_failed[NVERSIONS];
	long long rs_total[NVERSIONS], rs_duration[NVERSIONS], rs_size[NVERSIONS],
	    rs_ack[NVERSIONS];
	long long rs_restore[NVERSIONS];
	double uptime[NVERSIONS], last_ck_duration[NVERSIONS];
	double restored_restarts[NVERSIONS], restored_restore_ts[NVERSIONS];
	double jm_direct_count[NVERSIONS], jm_direct_used[NVERSIONS];
	double jm_direct_capacity[NVERSIONS];
	double src_out_sum[NVERSIONS], sink_in_sum[NVERSIONS], src_out_min[NVERSIONS];
	double src_out_max[NVERSIONS], src_busy_avg[NVERSIONS];
	const char *tm0[NVERSIONS], *tm1[NVERSIONS];
	/* restarted_job: the last restart's timestamps */
	long long restarting[NVERSIONS], running[NVERSIONS];
};

/* What the fixtures hold: each value for flink_versions[0] (1.20.5), then [1] (2.3.0). */
static const struct want want = {
	.restarting = { 1796188349204, 1796188415656 },
	.running = { 1796188350223, 1796188416657 },
	.jid = { "6a5c8770025630d285168ccf8835d275", "0eed83601bf55fba9d304ee115f2c015" },
	.canceled_jid = { "8364a8f2d9359cba69caa97fe74b59bc", "c8e79f825642e68fe6f1ff3f37d024fc" },
	.job_start = { 1796173481520, 1796173526931 },
	.job_duration = { 22628, 25594 },
	.job_lastmod = { 1796173483795, 1796173529756 },
	.canceled_start = { 1796173633012, 1796173705545 },
	.canceled_end = { 1796173677323, 1796173760636 },
	.canceled_duration = { 44311, 55091 },
	.now = { 1796173504323, 1796173552642 },
	.canceled_now = { 1796173681345, 1796173762974 },
	.src = { { 0, 41470, 0, 751296, 41239, 48 }, { 0, 46846, 0, 913920, 46526, 33 } },
	.sink = { { 41406, 0, 870454, 0, 1464, 39189 }, { 46782, 0, 983654, 0, 5839, 39658 } },
	.canceled_src = { { 0, 11966, 0, 186816, 11794, 0 }, { 0, 18174, 0, 270144, 18155, 0 } },
	.canceled_sink = { { 11838, 0, 248918, 0, 552, 10872 },
			   { 18051, 0, 379391, 0, 992, 16689 } },
	.ck_completed = { 6, 8 },
	.ck_failed = { 1, 1 },
	.ck_in_progress = { 1, 0 },
	.ck_total = { 8, 9 },
	.ck_duration = { 80, 310 },
	.ck_size = { 237740, 335373 },
	.ck_ack = { 1796173501190, 1796173551068 },
	.rs_restored = { 13, 11 },
	.rs_completed = { 7, 11 },
	.rs_failed = { 3, 7 },
	.rs_total = { 10, 18 },
	.rs_duration = { 224, 200 },
	.rs_size = { 256810, 314690 },
	.rs_ack = { 1796173675895, 1796173758018 },
	.rs_restore = { 1796173664508, 1796173747169 },
	.uptime = { 21890, 24846 },
	.last_ck_duration = { 80, 310 },
	/* 1.20.5's job metrics said 0 restarts while /checkpoints counted 13 restores */
	.restored_restarts = { 0, 11 },
	.restored_restore_ts = { 1796173633367, 1796173747169 },
	.jm_direct_count = { 13, 35 },
	.jm_direct_used = { 16833061, 13046016 },
	.jm_direct_capacity = { 16833060, 13046014 },
	.src_out_sum = { 41470, 46846 },
	.sink_in_sum = { 41406, 46782 },
	.src_out_min = { 20543, 23423 },
	.src_out_max = { 20927, 23423 },
	.src_busy_avg = { 999, 999.5 },
	.tm0 = { "localhost:34653-4ad08c", "localhost:33627-5b5870" },
	.tm1 = { "localhost:39575-40a0f2", "localhost:45045-fafd22" },
};

static void assert_vertex(const struct flink_vertex *v, const char *id, const char *name,
			  const struct vertex_want *w, int source, int sink)
{
	assert_string_equal(v->id, id);
	assert_string_equal(v->name, name);
	assert_int_equal(v->parallelism, 2);
	assert_int_equal(v->read_records, w->read_records);
	assert_int_equal(v->write_records, w->write_records);
	assert_int_equal(v->read_bytes, w->read_bytes);
	assert_int_equal(v->write_bytes, w->write_bytes);
	assert_int_equal(v->busy_ms, w->busy);
	assert_int_equal(v->idle_ms, w->idle);
	assert_int_equal(v->backpressured_ms, 0);
	assert_int_equal(v->source, source);
	assert_int_equal(v->sink, sink);
}

static void test_real_config_overview(void **state)
{
	struct flink_overview o;
	char v[32], *buf;
	size_t i, len;

	(void)state;
	for (i = 0; i < NVERSIONS; i++) {
		buf = fixture(flink_versions[i], "config", &len);
		assert_int_equal(flinkrest_config(buf, len, v, sizeof(v)), 0);
		assert_string_equal(v, flink_versions[i]);
		free(buf);

		buf = fixture(flink_versions[i], "overview", &len);
		assert_int_equal(flinkrest_overview(buf, len, &o), 0);
		assert_int_equal(o.taskmanagers, 2);
		assert_int_equal(o.slots_total, 2);
		assert_int_equal(o.slots_available, 0);
		assert_int_equal(o.jobs_running, 1);
		assert_int_equal(o.jobs_finished, 0);
		assert_int_equal(o.jobs_cancelled, 0);
		assert_int_equal(o.jobs_failed, 0);
		assert_string_equal(o.version, flink_versions[i]);
		free(buf);

		buf = fixture(flink_versions[i], "canceled_overview", &len);
		assert_int_equal(flinkrest_overview(buf, len, &o), 0);
		assert_int_equal(o.slots_available, 2);
		assert_int_equal(o.jobs_running, 0);
		assert_int_equal(o.jobs_cancelled, 1);
		free(buf);
	}
}

static void test_real_jobs(void **state)
{
	struct flink_job jobs[FLINK_MAX_JOBS];
	int n, dropped;
	size_t i, len;
	char *buf;

	(void)state;
	for (i = 0; i < NVERSIONS; i++) {
		buf = fixture(flink_versions[i], "jobs_overview", &len);
		assert_int_equal(flinkrest_jobs(buf, len, jobs, FLINK_MAX_JOBS, &n, &dropped), 0);
		assert_int_equal(n, 1);
		assert_int_equal(dropped, 0);
		assert_string_equal(jobs[0].id, want.jid[i]);
		assert_string_equal(jobs[0].name, "jvmtap-keyed-count");
		assert_string_equal(jobs[0].state, "RUNNING");
		assert_int_equal(jobs[0].start_ms, want.job_start[i]);
		assert_int_equal(jobs[0].end_ms, -1);
		assert_int_equal(jobs[0].duration_ms, want.job_duration[i]);
		assert_int_equal(jobs[0].last_modification_ms, want.job_lastmod[i]);
		/* no room: all dropped */
		assert_int_equal(flinkrest_jobs(buf, len, NULL, 0, &n, &dropped), 0);
		assert_int_equal(n, 0);
		assert_int_equal(dropped, 1);
		free(buf);

		buf = fixture(flink_versions[i], "canceled_jobs_overview", &len);
		assert_int_equal(flinkrest_jobs(buf, len, jobs, FLINK_MAX_JOBS, &n, &dropped), 0);
		assert_int_equal(n, 1);
		assert_string_equal(jobs[0].id, want.canceled_jid[i]);
		assert_string_equal(jobs[0].state, "CANCELED");
		assert_int_equal(jobs[0].start_ms, want.canceled_start[i]);
		assert_int_equal(jobs[0].end_ms, want.canceled_end[i]);
		assert_int_equal(jobs[0].duration_ms, want.canceled_duration[i]);
		assert_int_equal(jobs[0].last_modification_ms, want.canceled_end[i]);
		free(buf);
	}
}

static void test_real_job(void **state)
{
	struct flink_job_detail d;
	size_t i, len;
	char *buf;

	(void)state;
	for (i = 0; i < NVERSIONS; i++) {
		buf = fixture(flink_versions[i], "job", &len);
		assert_int_equal(flinkrest_job(buf, len, &d), 0);
		assert_int_equal(d.now_ms, want.now[i]);
		assert_int_equal(d.nvertices, 2);
		assert_int_equal(d.dropped, 0);
		assert_vertex(&d.vertices[0], SRC_ID, SRC_NAME, &want.src[i], 1, 0);
		assert_vertex(&d.vertices[1], SINK_ID, SINK_NAME, &want.sink[i], 0, 1);
		free(buf);
		/* never restarted: RESTARTING 0 */
		assert_int_equal(d.restarting_ms, 0);
		assert_int_equal(flinkrest_last_restart_ms(&d, "RUNNING"), -1);

		/* after a TaskManager was killed and replaced: the last restart took about the 1 s
		 * delay */
		buf = fixture(flink_versions[i], "restarted_job", &len);
		assert_int_equal(flinkrest_job(buf, len, &d), 0);
		assert_int_equal(d.restarting_ms, want.restarting[i]);
		assert_int_equal(d.running_ms, want.running[i]);
		assert_int_equal(flinkrest_last_restart_ms(&d, "RUNNING"),
				 want.running[i] - want.restarting[i]);
		free(buf);

		buf = fixture(flink_versions[i], "canceled_job", &len);
		assert_int_equal(flinkrest_job(buf, len, &d), 0);
		assert_int_equal(d.now_ms, want.canceled_now[i]);
		assert_int_equal(d.nvertices, 2);
		assert_vertex(&d.vertices[0], SRC_ID, SRC_NAME, &want.canceled_src[i], 1, 0);
		assert_vertex(&d.vertices[1], SINK_ID, SINK_NAME, &want.canceled_sink[i], 0, 1);
		free(buf);
	}
}

static void test_real_checkpoints(void **state)
{
	struct flink_checkpoints c;
	size_t i, len;
	char *buf;

	(void)state;
	for (i = 0; i < NVERSIONS; i++) {
		buf = fixture(flink_versions[i], "checkpoints", &len);
		assert_int_equal(flinkrest_checkpoints(buf, len, &c), 0);
		assert_int_equal(c.completed, want.ck_completed[i]);
		assert_int_equal(c.failed, want.ck_failed[i]);
		assert_int_equal(c.in_progress, want.ck_in_progress[i]);
		assert_int_equal(c.restored, 0);
		assert_int_equal(c.total, want.ck_total[i]);
		assert_int_equal(c.last_duration_ms, want.ck_duration[i]);
		assert_int_equal(c.last_checkpointed_size, want.ck_size[i]);
		assert_int_equal(c.last_state_size, want.ck_size[i]);
		assert_int_equal(c.last_ack_ms, want.ck_ack[i]);
		assert_int_equal(c.last_restore_ms, -1); /* "restored": null */
		free(buf);

		buf = fixture(flink_versions[i], "restored_checkpoints", &len);
		assert_int_equal(flinkrest_checkpoints(buf, len, &c), 0);
		assert_int_equal(c.restored, want.rs_restored[i]);
		assert_int_equal(c.completed, want.rs_completed[i]);
		assert_int_equal(c.failed, want.rs_failed[i]);
		assert_int_equal(c.total, want.rs_total[i]);
		assert_int_equal(c.last_duration_ms, want.rs_duration[i]);
		assert_int_equal(c.last_checkpointed_size, want.rs_size[i]);
		assert_int_equal(c.last_ack_ms, want.rs_ack[i]);
		assert_int_equal(c.last_restore_ms, want.rs_restore[i]);
		free(buf);
	}
}

static void test_real_metrics(void **state)
{
	static const char *const job_ids[] = { "numRestarts", "uptime", "downtime",
					       "lastCheckpointDuration", "notAMetric" };
	static const char *const rs_ids[] = { "numRestarts", "lastCheckpointRestoreTimestamp" };
	static const char *const jm_ids[] = { "Status.JVM.Memory.Direct.Count",
					      "Status.JVM.Memory.Direct.MemoryUsed",
					      "Status.JVM.Memory.Direct.TotalCapacity" };
	static const char *const io_ids[] = { "numRecordsIn", "numRecordsOut",
					      "busyTimeMsPerSecond" };
	double out[5];
	size_t i, len;
	char *buf;

	(void)state;
	for (i = 0; i < NVERSIONS; i++) {
		buf = fixture(flink_versions[i], "job_metrics", &len);
		assert_int_equal(flinkrest_metrics(buf, len, job_ids, 5, NULL, out), 0);
		assert_true(out[0] == 0 && out[1] == want.uptime[i] && out[2] == 0);
		assert_true(out[3] == want.last_ck_duration[i] && isnan(out[4]));
		/* the answer has no "sum": all -1 */
		assert_int_equal(flinkrest_metrics(buf, len, job_ids, 4, "sum", out), 0);
		assert_true(isnan(out[0]) && isnan(out[1]) && isnan(out[2]) && isnan(out[3]));
		free(buf);

		buf = fixture(flink_versions[i], "restored_job_metrics", &len);
		assert_int_equal(flinkrest_metrics(buf, len, rs_ids, 2, "value", out), 0);
		assert_true(out[0] == want.restored_restarts[i]);
		assert_true(out[1] == want.restored_restore_ts[i]);
		free(buf);

		buf = fixture(flink_versions[i], "jobmanager_metrics", &len);
		assert_int_equal(flinkrest_metrics(buf, len, jm_ids, 3, NULL, out), 0);
		assert_true(out[0] == want.jm_direct_count[i]);
		assert_true(out[1] == want.jm_direct_used[i]);
		assert_true(out[2] == want.jm_direct_capacity[i]);
		free(buf);

		/* aggregated answers are JSON doubles */
		buf = fixture(flink_versions[i], "source_subtasks_metrics", &len);
		assert_int_equal(flinkrest_metrics(buf, len, io_ids, 2, "sum", out), 0);
		assert_true(out[0] == 0 && out[1] == want.src_out_sum[i]);
		assert_int_equal(flinkrest_metrics(buf, len, io_ids, 2, NULL, out), 0);
		assert_true(isnan(out[0]) && isnan(out[1]));
		free(buf);
		buf = fixture(flink_versions[i], "sink_subtasks_metrics", &len);
		assert_int_equal(flinkrest_metrics(buf, len, io_ids, 2, "sum", out), 0);
		assert_true(out[0] == want.sink_in_sum[i] && out[1] == 0);
		free(buf);
		buf = fixture(flink_versions[i], "source_subtasks_metrics_agg", &len);
		assert_int_equal(flinkrest_metrics(buf, len, io_ids + 1, 2, "min", out), 0);
		assert_true(out[0] == want.src_out_min[i]);
		assert_int_equal(flinkrest_metrics(buf, len, io_ids + 1, 2, "max", out), 0);
		assert_true(out[0] == want.src_out_max[i] && out[1] == 1000);
		assert_int_equal(flinkrest_metrics(buf, len, io_ids + 2, 1, "avg", out), 0);
		assert_true(out[0] == want.src_busy_avg[i]);
		free(buf);

		/* listing the ids (no ?get=): ids without values */
		buf = fixture(flink_versions[i], "job_metrics_list", &len);
		assert_int_equal(flinkrest_metrics(buf, len, job_ids, 4, NULL, out), 0);
		assert_true(isnan(out[0]) && isnan(out[1]) && isnan(out[2]) && isnan(out[3]));
		free(buf);
	}
}

static void test_real_taskmanagers(void **state)
{
	struct flink_tm tms[FLINK_MAX_TMS];
	int n, dropped;
	size_t i, len;
	char *buf;

	(void)state;
	for (i = 0; i < NVERSIONS; i++) {
		char path[160];

		buf = fixture(flink_versions[i], "taskmanagers", &len);
		assert_int_equal(flinkrest_taskmanagers(buf, len, tms, FLINK_MAX_TMS, &n, &dropped),
				 0);
		assert_int_equal(n, 2);
		assert_int_equal(dropped, 0);
		assert_string_equal(tms[0].id, want.tm0[i]);
		assert_string_equal(tms[1].id, want.tm1[i]);
		snprintf(path, sizeof(path),
			 "pekko.tcp://flink@localhost:%.5s/user/rpc/taskmanager_0",
			 want.tm0[i] + strlen("localhost:"));
		assert_string_equal(tms[0].path, path);
		assert_int_equal(tms[0].slots, 1);
		assert_int_equal(tms[0].free_slots, 0);
		assert_int_equal(tms[1].slots, 1);
		assert_int_equal(flinkrest_taskmanagers(buf, len, tms, 1, &n, &dropped), 0);
		assert_int_equal(n, 1);
		assert_int_equal(dropped, 1);
		free(buf);
	}
}

/* Every answer of the wrong endpoint, and Flink's own error answers. */
static void test_real_cross(void **state)
{
	static const char *const names[] = {
		"config",      "overview",    "jobs_overview",	    "job",
		"checkpoints", "job_metrics", "taskmanagers",	    "taskmanager",
		"notfound",    "badpath",     "jobmanager_metrics",
	};
	struct parsed p;
	int rc[NPARSERS];
	size_t i, k, len;
	char *buf;

	(void)state;
	for (i = 0; i < NVERSIONS; i++) {
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			int is_array = !strcmp(names[k], "job_metrics") ||
				       !strcmp(names[k], "jobmanager_metrics");
			int is_err = !strcmp(names[k], "notfound") || !strcmp(names[k], "badpath");
			int want = is_array || is_err ? -EBADMSG : 0;

			buf = fixture(flink_versions[i], names[k], &len);
			parse_all(buf, len, &p, rc);
			if (strcmp(names[k], "jobs_overview"))
				assert_int_equal(rc[P_JOBS], -EBADMSG);
			if (strcmp(names[k], "job"))
				assert_int_equal(rc[P_JOB], -EBADMSG);
			if (strcmp(names[k], "taskmanagers"))
				assert_int_equal(rc[P_TMS], -EBADMSG);
			if (!is_array)
				assert_int_equal(rc[P_METRICS], -EBADMSG);
			/* an object of another endpoint reads as one whose fields are all absent */
			assert_int_equal(rc[P_CONFIG], want);
			assert_int_equal(rc[P_OVERVIEW], want);
			assert_int_equal(rc[P_CHECKPOINTS], want);
			free(buf);
		}
	}
}

/* A TaskManager's details in both versions (2.x dropped memorySegments*, not the netty ones). */
static void test_taskmanager_detail(void **state)
{
	struct flink_tm_detail d;
	size_t i, len;
	char *j;

	(void)state;
	for (i = 0; i < NVERSIONS; i++) {
		j = fixture(flink_versions[i], "taskmanager", &len);
		assert_int_equal(flinkrest_taskmanager(j, len, &d), 0);
		assert_true(d.direct_count > 0 && d.direct_used > 0 && d.direct_capacity > 0);
		assert_int_equal(d.mapped_count, 0);
		assert_int_equal(d.mapped_capacity, 0);
		assert_int_equal(d.segments_total, 2662);
		assert_int_equal(d.segments_available + d.segments_used, d.segments_total);
		free(j);
	}
	assert_int_equal(flinkrest_taskmanager("{\"metrics\":[]}", 14, &d), 0);
	assert_int_equal(d.direct_count, -1);
	assert_int_equal(flinkrest_taskmanager("[1]", 3, &d), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_config_overview),
		cmocka_unit_test(test_real_jobs),
		cmocka_unit_test(test_real_job),
		cmocka_unit_test(test_real_checkpoints),
		cmocka_unit_test(test_real_metrics),
		cmocka_unit_test(test_real_taskmanagers),
		cmocka_unit_test(test_taskmanager_detail),
		cmocka_unit_test(test_real_cross),
	};

	return cmocka_run_group_tests_name("flinkrest", tests, NULL, NULL);
}
