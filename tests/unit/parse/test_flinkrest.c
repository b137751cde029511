/* Unit tests for the flinkrest_* parsers: real answers of Flink 1.20.5 and 2.3.0 JobManagers
 * (tests/unit/data/flink/<version>/, captured from the test bed's KeyedCount job), and hostile
 * ones (truncated, mistyped, huge, deep, long). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "fixture.h"
#include "flinkrest.h"

#define DATA "tests/unit/data/flink/"
#define SRC_ID "cbc357ccb763df2852fee8c4fc7d55f2"
#define SINK_ID "90bea66de1c231edf33913ecd54406c1"
#define SRC_NAME "Source: numbers -> pace"
#define SINK_NAME "count -> discard: Writer"

/* What each version's fixtures hold. */
struct vertex_want {
	long long read_records, write_records, read_bytes, write_bytes, busy, idle;
};
struct want {
	const char *version;
	const char *jid, *canceled_jid;
	long long job_start, job_duration, job_lastmod;
	long long canceled_start, canceled_end, canceled_duration;
	long long now, canceled_now;
	struct vertex_want src, sink, canceled_src, canceled_sink;
	long long ck_completed, ck_failed, ck_in_progress, ck_total, ck_duration, ck_size, ck_ack;
	long long rs_restored, rs_completed, rs_failed, rs_total, rs_duration, rs_size, rs_ack,
		rs_restore;
	double uptime, last_ck_duration, restored_restarts, restored_restore_ts;
	double jm_direct_count, jm_direct_used, jm_direct_capacity;
	double src_out_sum, sink_in_sum, src_out_min, src_out_max, src_busy_avg;
	const char *tm0, *tm1;
	long long restarting, running; /* restarted_job: the last restart's timestamps */
};

static const struct want wants[] = {
	{
		.version = "1.20.5",
		.restarting = 1796188349204,
		.running = 1796188350223,
		.jid = "6a5c8770025630d285168ccf8835d275",
		.canceled_jid = "8364a8f2d9359cba69caa97fe74b59bc",
		.job_start = 1796173481520,
		.job_duration = 22628,
		.job_lastmod = 1796173483795,
		.canceled_start = 1796173633012,
		.canceled_end = 1796173677323,
		.canceled_duration = 44311,
		.now = 1796173504323,
		.canceled_now = 1796173681345,
		.src = {0, 41470, 0, 751296, 41239, 48},
		.sink = {41406, 0, 870454, 0, 1464, 39189},
		.canceled_src = {0, 11966, 0, 186816, 11794, 0},
		.canceled_sink = {11838, 0, 248918, 0, 552, 10872},
		.ck_completed = 6,
		.ck_failed = 1,
		.ck_in_progress = 1,
		.ck_total = 8,
		.ck_duration = 80,
		.ck_size = 237740,
		.ck_ack = 1796173501190,
		.rs_restored = 13,
		.rs_completed = 7,
		.rs_failed = 3,
		.rs_total = 10,
		.rs_duration = 224,
		.rs_size = 256810,
		.rs_ack = 1796173675895,
		.rs_restore = 1796173664508,
		.uptime = 21890,
		.last_ck_duration = 80,
		/* 1.20.5's job metrics said 0 restarts while /checkpoints counted 13 restores */
		.restored_restarts = 0,
		.restored_restore_ts = 1796173633367,
		.jm_direct_count = 13,
		.jm_direct_used = 16833061,
		.jm_direct_capacity = 16833060,
		.src_out_sum = 41470,
		.sink_in_sum = 41406,
		.src_out_min = 20543,
		.src_out_max = 20927,
		.src_busy_avg = 999,
		.tm0 = "localhost:34653-4ad08c",
		.tm1 = "localhost:39575-40a0f2",
	},
	{
		.version = "2.3.0",
		.restarting = 1796188415656,
		.running = 1796188416657,
		.jid = "0eed83601bf55fba9d304ee115f2c015",
		.canceled_jid = "c8e79f825642e68fe6f1ff3f37d024fc",
		.job_start = 1796173526931,
		.job_duration = 25594,
		.job_lastmod = 1796173529756,
		.canceled_start = 1796173705545,
		.canceled_end = 1796173760636,
		.canceled_duration = 55091,
		.now = 1796173552642,
		.canceled_now = 1796173762974,
		.src = {0, 46846, 0, 913920, 46526, 33},
		.sink = {46782, 0, 983654, 0, 5839, 39658},
		.canceled_src = {0, 18174, 0, 270144, 18155, 0},
		.canceled_sink = {18051, 0, 379391, 0, 992, 16689},
		.ck_completed = 8,
		.ck_failed = 1,
		.ck_in_progress = 0,
		.ck_total = 9,
		.ck_duration = 310,
		.ck_size = 335373,
		.ck_ack = 1796173551068,
		.rs_restored = 11,
		.rs_completed = 11,
		.rs_failed = 7,
		.rs_total = 18,
		.rs_duration = 200,
		.rs_size = 314690,
		.rs_ack = 1796173758018,
		.rs_restore = 1796173747169,
		.uptime = 24846,
		.last_ck_duration = 310,
		.restored_restarts = 11,
		.restored_restore_ts = 1796173747169,
		.jm_direct_count = 35,
		.jm_direct_used = 13046016,
		.jm_direct_capacity = 13046014,
		.src_out_sum = 46846,
		.sink_in_sum = 46782,
		.src_out_min = 23423,
		.src_out_max = 23423,
		.src_busy_avg = 999.5,
		.tm0 = "localhost:33627-5b5870",
		.tm1 = "localhost:45045-fafd22",
	},
};
#define NWANTS (sizeof(wants) / sizeof(wants[0]))

/* The file's bytes in a buffer of exactly its size: no NUL after it. */
static char *fixture(const char *version, const char *name, size_t *len)
{
	char path[256];

	snprintf(path, sizeof(path), DATA "%s/%s.json", version, name);
	return slurp(path, len);
}

/* s[0..n) copied into a buffer of exactly n bytes. */
static char *exact(const char *s, size_t n)
{
	char *b = malloc(n ? n : 1);

	assert_non_null(b);
	memcpy(b, s, n);
	return b;
}

/* The parsers on an exact-size copy of a C string. */
static int overview_s(const char *s, struct flink_overview *o)
{
	char *b = exact(s, strlen(s));
	int r = flinkrest_overview(b, strlen(s), o);

	free(b);
	return r;
}

static int jobs_s(const char *s, struct flink_job *j, int max, int *n, int *dropped)
{
	char *b = exact(s, strlen(s));
	int r = flinkrest_jobs(b, strlen(s), j, max, n, dropped);

	free(b);
	return r;
}

static int job_s(const char *s, struct flink_job_detail *d)
{
	char *b = exact(s, strlen(s));
	int r = flinkrest_job(b, strlen(s), d);

	free(b);
	return r;
}

static int ck_s(const char *s, struct flink_checkpoints *c)
{
	char *b = exact(s, strlen(s));
	int r = flinkrest_checkpoints(b, strlen(s), c);

	free(b);
	return r;
}

static int metrics_s(const char *s, const char *const *ids, int n, const char *field, double *out)
{
	char *b = exact(s, strlen(s));
	int r = flinkrest_metrics(b, strlen(s), ids, n, field, out);

	free(b);
	return r;
}

static int tms_s(const char *s, struct flink_tm *t, int max, int *n, int *dropped)
{
	char *b = exact(s, strlen(s));
	int r = flinkrest_taskmanagers(b, strlen(s), t, max, n, dropped);

	free(b);
	return r;
}

static int config_s(const char *s, char *v, size_t vlen)
{
	char *b = exact(s, strlen(s));
	int r = flinkrest_config(b, strlen(s), v, vlen);

	free(b);
	return r;
}

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
	for (i = 0; i < NWANTS; i++) {
		const struct want *w = &wants[i];

		buf = fixture(w->version, "config", &len);
		assert_int_equal(flinkrest_config(buf, len, v, sizeof(v)), 0);
		assert_string_equal(v, w->version);
		free(buf);

		buf = fixture(w->version, "overview", &len);
		assert_int_equal(flinkrest_overview(buf, len, &o), 0);
		assert_int_equal(o.taskmanagers, 2);
		assert_int_equal(o.slots_total, 2);
		assert_int_equal(o.slots_available, 0);
		assert_int_equal(o.jobs_running, 1);
		assert_int_equal(o.jobs_finished, 0);
		assert_int_equal(o.jobs_cancelled, 0);
		assert_int_equal(o.jobs_failed, 0);
		assert_string_equal(o.version, w->version);
		free(buf);

		buf = fixture(w->version, "canceled_overview", &len);
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
	for (i = 0; i < NWANTS; i++) {
		const struct want *w = &wants[i];

		buf = fixture(w->version, "jobs_overview", &len);
		assert_int_equal(flinkrest_jobs(buf, len, jobs, FLINK_MAX_JOBS, &n, &dropped), 0);
		assert_int_equal(n, 1);
		assert_int_equal(dropped, 0);
		assert_string_equal(jobs[0].id, w->jid);
		assert_string_equal(jobs[0].name, "jvmtap-keyed-count");
		assert_string_equal(jobs[0].state, "RUNNING");
		assert_int_equal(jobs[0].start_ms, w->job_start);
		assert_int_equal(jobs[0].end_ms, -1);
		assert_int_equal(jobs[0].duration_ms, w->job_duration);
		assert_int_equal(jobs[0].last_modification_ms, w->job_lastmod);
		/* no room: all dropped */
		assert_int_equal(flinkrest_jobs(buf, len, NULL, 0, &n, &dropped), 0);
		assert_int_equal(n, 0);
		assert_int_equal(dropped, 1);
		free(buf);

		buf = fixture(w->version, "canceled_jobs_overview", &len);
		assert_int_equal(flinkrest_jobs(buf, len, jobs, FLINK_MAX_JOBS, &n, &dropped), 0);
		assert_int_equal(n, 1);
		assert_string_equal(jobs[0].id, w->canceled_jid);
		assert_string_equal(jobs[0].state, "CANCELED");
		assert_int_equal(jobs[0].start_ms, w->canceled_start);
		assert_int_equal(jobs[0].end_ms, w->canceled_end);
		assert_int_equal(jobs[0].duration_ms, w->canceled_duration);
		assert_int_equal(jobs[0].last_modification_ms, w->canceled_end);
		free(buf);
	}
}

static void test_real_job(void **state)
{
	struct flink_job_detail d;
	size_t i, len;
	char *buf;

	(void)state;
	for (i = 0; i < NWANTS; i++) {
		const struct want *w = &wants[i];

		buf = fixture(w->version, "job", &len);
		assert_int_equal(flinkrest_job(buf, len, &d), 0);
		assert_int_equal(d.now_ms, w->now);
		assert_int_equal(d.nvertices, 2);
		assert_int_equal(d.dropped, 0);
		assert_vertex(&d.vertices[0], SRC_ID, SRC_NAME, &w->src, 1, 0);
		assert_vertex(&d.vertices[1], SINK_ID, SINK_NAME, &w->sink, 0, 1);
		free(buf);
		/* never restarted: RESTARTING 0 */
		assert_int_equal(d.restarting_ms, 0);
		assert_int_equal(flinkrest_last_restart_ms(&d, "RUNNING"), -1);

		/* after a TaskManager was killed and replaced: the last restart took about the 1 s delay */
		buf = fixture(w->version, "restarted_job", &len);
		assert_int_equal(flinkrest_job(buf, len, &d), 0);
		assert_int_equal(d.restarting_ms, w->restarting);
		assert_int_equal(d.running_ms, w->running);
		assert_int_equal(flinkrest_last_restart_ms(&d, "RUNNING"), w->running - w->restarting);
		free(buf);

		buf = fixture(w->version, "canceled_job", &len);
		assert_int_equal(flinkrest_job(buf, len, &d), 0);
		assert_int_equal(d.now_ms, w->canceled_now);
		assert_int_equal(d.nvertices, 2);
		assert_vertex(&d.vertices[0], SRC_ID, SRC_NAME, &w->canceled_src, 1, 0);
		assert_vertex(&d.vertices[1], SINK_ID, SINK_NAME, &w->canceled_sink, 0, 1);
		free(buf);
	}
}

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

static void test_real_checkpoints(void **state)
{
	struct flink_checkpoints c;
	size_t i, len;
	char *buf;

	(void)state;
	for (i = 0; i < NWANTS; i++) {
		const struct want *w = &wants[i];

		buf = fixture(w->version, "checkpoints", &len);
		assert_int_equal(flinkrest_checkpoints(buf, len, &c), 0);
		assert_int_equal(c.completed, w->ck_completed);
		assert_int_equal(c.failed, w->ck_failed);
		assert_int_equal(c.in_progress, w->ck_in_progress);
		assert_int_equal(c.restored, 0);
		assert_int_equal(c.total, w->ck_total);
		assert_int_equal(c.last_duration_ms, w->ck_duration);
		assert_int_equal(c.last_checkpointed_size, w->ck_size);
		assert_int_equal(c.last_state_size, w->ck_size);
		assert_int_equal(c.last_ack_ms, w->ck_ack);
		assert_int_equal(c.last_restore_ms, -1); /* "restored": null */
		free(buf);

		buf = fixture(w->version, "restored_checkpoints", &len);
		assert_int_equal(flinkrest_checkpoints(buf, len, &c), 0);
		assert_int_equal(c.restored, w->rs_restored);
		assert_int_equal(c.completed, w->rs_completed);
		assert_int_equal(c.failed, w->rs_failed);
		assert_int_equal(c.total, w->rs_total);
		assert_int_equal(c.last_duration_ms, w->rs_duration);
		assert_int_equal(c.last_checkpointed_size, w->rs_size);
		assert_int_equal(c.last_ack_ms, w->rs_ack);
		assert_int_equal(c.last_restore_ms, w->rs_restore);
		free(buf);
	}
}

static void test_real_metrics(void **state)
{
	static const char *const job_ids[] = {"numRestarts", "uptime", "downtime",
					      "lastCheckpointDuration", "notAMetric"};
	static const char *const rs_ids[] = {"numRestarts", "lastCheckpointRestoreTimestamp"};
	static const char *const jm_ids[] = {"Status.JVM.Memory.Direct.Count",
					     "Status.JVM.Memory.Direct.MemoryUsed",
					     "Status.JVM.Memory.Direct.TotalCapacity"};
	static const char *const io_ids[] = {"numRecordsIn", "numRecordsOut",
					     "busyTimeMsPerSecond"};
	double out[5];
	size_t i, len;
	char *buf;

	(void)state;
	for (i = 0; i < NWANTS; i++) {
		const struct want *w = &wants[i];

		buf = fixture(w->version, "job_metrics", &len);
		assert_int_equal(flinkrest_metrics(buf, len, job_ids, 5, NULL, out), 0);
		assert_true(out[0] == 0 && out[1] == w->uptime && out[2] == 0);
		assert_true(out[3] == w->last_ck_duration && isnan(out[4]));
		/* the answer has no "sum": all -1 */
		assert_int_equal(flinkrest_metrics(buf, len, job_ids, 4, "sum", out), 0);
		assert_true(isnan(out[0]) && isnan(out[1]) && isnan(out[2]) && isnan(out[3]));
		free(buf);

		buf = fixture(w->version, "restored_job_metrics", &len);
		assert_int_equal(flinkrest_metrics(buf, len, rs_ids, 2, "value", out), 0);
		assert_true(out[0] == w->restored_restarts);
		assert_true(out[1] == w->restored_restore_ts);
		free(buf);

		buf = fixture(w->version, "jobmanager_metrics", &len);
		assert_int_equal(flinkrest_metrics(buf, len, jm_ids, 3, NULL, out), 0);
		assert_true(out[0] == w->jm_direct_count);
		assert_true(out[1] == w->jm_direct_used);
		assert_true(out[2] == w->jm_direct_capacity);
		free(buf);

		/* aggregated answers are JSON doubles */
		buf = fixture(w->version, "source_subtasks_metrics", &len);
		assert_int_equal(flinkrest_metrics(buf, len, io_ids, 2, "sum", out), 0);
		assert_true(out[0] == 0 && out[1] == w->src_out_sum);
		assert_int_equal(flinkrest_metrics(buf, len, io_ids, 2, NULL, out), 0);
		assert_true(isnan(out[0]) && isnan(out[1]));
		free(buf);
		buf = fixture(w->version, "sink_subtasks_metrics", &len);
		assert_int_equal(flinkrest_metrics(buf, len, io_ids, 2, "sum", out), 0);
		assert_true(out[0] == w->sink_in_sum && out[1] == 0);
		free(buf);
		buf = fixture(w->version, "source_subtasks_metrics_agg", &len);
		assert_int_equal(flinkrest_metrics(buf, len, io_ids + 1, 2, "min", out), 0);
		assert_true(out[0] == w->src_out_min);
		assert_int_equal(flinkrest_metrics(buf, len, io_ids + 1, 2, "max", out), 0);
		assert_true(out[0] == w->src_out_max && out[1] == 1000);
		assert_int_equal(flinkrest_metrics(buf, len, io_ids + 2, 1, "avg", out), 0);
		assert_true(out[0] == w->src_busy_avg);
		free(buf);

		/* listing the ids (no ?get=): ids without values */
		buf = fixture(w->version, "job_metrics_list", &len);
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
	for (i = 0; i < NWANTS; i++) {
		const struct want *w = &wants[i];
		char path[160];

		buf = fixture(w->version, "taskmanagers", &len);
		assert_int_equal(flinkrest_taskmanagers(buf, len, tms, FLINK_MAX_TMS, &n, &dropped),
				 0);
		assert_int_equal(n, 2);
		assert_int_equal(dropped, 0);
		assert_string_equal(tms[0].id, w->tm0);
		assert_string_equal(tms[1].id, w->tm1);
		snprintf(path, sizeof(path),
			 "pekko.tcp://flink@localhost:%.5s/user/rpc/taskmanager_0",
			 w->tm0 + strlen("localhost:"));
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
		"config",      "overview",	   "jobs_overview",    "job",
		"checkpoints", "job_metrics",	   "taskmanagers",     "taskmanager",
		"notfound",    "badpath",	   "jobmanager_metrics",
	};
	static const char *const ids[] = {"uptime"};
	struct flink_job jobs[4];
	struct flink_job_detail d;
	struct flink_tm tms[4];
	struct flink_overview o;
	struct flink_checkpoints c;
	int n, dropped;
	double out[1];
	size_t i, k, len;
	char v[16], *buf;

	(void)state;
	for (i = 0; i < NWANTS; i++) {
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			int is_array = !strcmp(names[k], "job_metrics") ||
				       !strcmp(names[k], "jobmanager_metrics");
			int is_err = !strcmp(names[k], "notfound") || !strcmp(names[k], "badpath");

			buf = fixture(wants[i].version, names[k], &len);
			if (strcmp(names[k], "jobs_overview"))
				assert_int_equal(flinkrest_jobs(buf, len, jobs, 4, &n, &dropped),
						 -EBADMSG);
			if (strcmp(names[k], "job"))
				assert_int_equal(flinkrest_job(buf, len, &d), -EBADMSG);
			if (strcmp(names[k], "taskmanagers"))
				assert_int_equal(
					flinkrest_taskmanagers(buf, len, tms, 4, &n, &dropped),
					-EBADMSG);
			if (!is_array)
				assert_int_equal(flinkrest_metrics(buf, len, ids, 1, NULL, out),
						 -EBADMSG);
			if (is_array || is_err) {
				assert_int_equal(flinkrest_config(buf, len, v, sizeof(v)),
						 -EBADMSG);
				assert_int_equal(flinkrest_overview(buf, len, &o), -EBADMSG);
				assert_int_equal(flinkrest_checkpoints(buf, len, &c), -EBADMSG);
			} else {
				assert_int_equal(flinkrest_config(buf, len, v, sizeof(v)), 0);
				assert_int_equal(flinkrest_overview(buf, len, &o), 0);
				assert_int_equal(flinkrest_checkpoints(buf, len, &c), 0);
			}
			free(buf);
		}
	}
}

/* Every proper prefix of every real answer is refused, and leaves the outputs reset. */
static void test_truncated(void **state)
{
	static const char *const names[] = {"config",	   "overview",	  "jobs_overview",
					    "job",	   "checkpoints", "job_metrics",
					    "taskmanagers"};
	static const char *const ids[] = {"uptime"};
	struct flink_job jobs[4];
	struct flink_job_detail d;
	struct flink_tm tms[4];
	struct flink_overview o;
	struct flink_checkpoints c;
	int n, dropped;
	double out[1];
	size_t i, k, len, cut;
	char v[16], *buf, *part;

	(void)state;
	for (i = 0; i < NWANTS; i++) {
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			buf = fixture(wants[i].version, names[k], &len);
			for (cut = 0; cut < len; cut++) {
				part = exact(buf, cut);
				assert_int_equal(flinkrest_config(part, cut, v, sizeof(v)),
						 -EBADMSG);
				assert_string_equal(v, "");
				assert_int_equal(flinkrest_overview(part, cut, &o), -EBADMSG);
				assert_int_equal(o.taskmanagers, -1);
				assert_int_equal(flinkrest_jobs(part, cut, jobs, 4, &n, &dropped),
						 -EBADMSG);
				assert_int_equal(n + dropped, 0);
				assert_int_equal(flinkrest_job(part, cut, &d), -EBADMSG);
				assert_int_equal(d.nvertices + d.dropped, 0);
				assert_int_equal(d.now_ms, -1);
				assert_int_equal(flinkrest_checkpoints(part, cut, &c), -EBADMSG);
				assert_int_equal(c.completed, -1);
				assert_int_equal(flinkrest_metrics(part, cut, ids, 1, NULL, out),
						 -EBADMSG);
				assert_true(isnan(out[0]));
				assert_int_equal(
					flinkrest_taskmanagers(part, cut, tms, 4, &n, &dropped),
					-EBADMSG);
				free(part);
			}
			free(buf);
		}
	}
}

static void test_not_json(void **state)
{
	static const char *const bad[] = {
		"", " ", "{", "}", "[", "{\"a\":}", "{\"a\":1,}", "{}x", "{}{}", "{} 1", "nul",
		"'x'", "{\"a\":01}", "{\"a\":.5}", "{\"a\":+1}", "{\"a\":0x1}",
		"{\"a\":\"\\x\"}", "/* c */{}", "{}//", "\xef\xbb\xbf{}",
	};
	struct flink_overview o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(overview_s(bad[i], &o), -EBADMSG);
	/* json-c takes NaN and Infinity even in strict mode (and single-quoted names): such a
	 * number reads -1, like the strings Jackson writes for them */
	assert_int_equal(overview_s("{\"taskmanagers\":NaN,\"slots-total\":-Infinity,"
				    "\"slots-available\":Infinity,\"jobs-running\":1}",
				    &o),
			 0);
	assert_int_equal(o.taskmanagers, -1);
	assert_int_equal(o.slots_total, -1);
	assert_int_equal(o.slots_available, -1);
	assert_int_equal(o.jobs_running, 1);
	/* whitespace around the value is fine */
	assert_int_equal(overview_s(" \r\n\t{\"taskmanagers\":3}\n ", &o), 0);
	assert_int_equal(o.taskmanagers, 3);
	/* the wrong root type for each parser */
	assert_int_equal(overview_s("[]", &o), -EBADMSG);
	assert_int_equal(overview_s("null", &o), -EBADMSG);
	assert_int_equal(overview_s("\"x\"", &o), -EBADMSG);
	assert_int_equal(overview_s("1", &o), -EBADMSG);
	assert_int_equal(metrics_s("{}", NULL, 0, NULL, NULL), -EBADMSG);
	assert_int_equal(metrics_s("[]", NULL, 0, NULL, NULL), 0);
	/* an error answer is refused even where its fields would read as -1 */
	assert_int_equal(overview_s("{\"errors\":[\"Internal server error.\"]}", &o), -EBADMSG);
	assert_int_equal(overview_s("{\"taskmanagers\":1,\"errors\":null}", &o), -EBADMSG);
	assert_int_equal(o.taskmanagers, -1);
}

/* len, not a NUL, ends the text; a raw NUL inside it is refused. */
static void test_length_and_nul(void **state)
{
	static const char text[] = "{\"flink-version\":\"1.20.5\"}trailing garbage";
	static const char nul[] = "{\"flink-version\":\"1.20.5\"}\0";
	static const char nul_in[] = "{\"flink-version\":\"1.2\0.5\"}";
	char v[16];

	(void)state;
	assert_int_equal(flinkrest_config(text, 26, v, sizeof(v)), 0);
	assert_string_equal(v, "1.20.5");
	assert_int_equal(flinkrest_config(text, 25, v, sizeof(v)), -EBADMSG);
	assert_int_equal(flinkrest_config(text, 27, v, sizeof(v)), -EBADMSG);
	assert_int_equal(flinkrest_config(nul, sizeof(nul) - 1, v, sizeof(v)), -EBADMSG);
	assert_int_equal(flinkrest_config(nul_in, sizeof(nul_in) - 1, v, sizeof(v)), -EBADMSG);
	/* an escaped NUL decodes, and cuts the string there */
	assert_int_equal(config_s("{\"flink-version\":\"1.2\\u0000x\"}", v, sizeof(v)), 0);
	assert_string_equal(v, "1.2");
}

static void test_numbers(void **state)
{
	static const struct {
		const char *text;
		long long want;
	} cases[] = {
		{"2", 2},
		{"-1", -1},
		{"0", 0},
		{"2.0", 2},
		{"2.9", 2},
		{"-2.9", -2},
		{"1e3", 1000},
		{"1.5E+2", 150},
		{"\"12\"", 12},
		{"\"12.0\"", 12},
		{"\"-7\"", -7},
		{"\"1e3\"", 1000},
		{"9223372036854775807", INT64_MAX},
		{"-9223372036854775808", INT64_MIN},
		{"\"9223372036854775807\"", INT64_MAX},
		{"\"-9223372036854775808\"", INT64_MIN},
		/* past a long long: -1, never wrapped */
		{"9223372036854775808", -1},
		{"18446744073709551615", -1},
		{"99999999999999999999999999", -1},
		{"9.3e18", -1},
		{"-9.3e18", -1},
		{"1e400", -1},
		{"-1e400", -1},
		{"\"9223372036854775808\"", -1},
		{"\"99999999999999999999999999\"", -1},
		{"\"1e400\"", -1},
		{"\"9.3e18\"", -1},
		/* not numbers */
		{"\"\"", -1},
		{"\" 12\"", -1},
		{"\"12 \"", -1},
		{"\"+12\"", -1},
		{"\"0x10\"", -1},
		{"\"NaN\"", -1},
		{"\"nan\"", -1},
		{"\"Infinity\"", -1},
		{"\"-Infinity\"", -1},
		{"\"inf\"", -1},
		{"\"12abc\"", -1},
		{"\"1.\"", -1},
		{"\".5\"", -1},
		{"\"1e\"", -1},
		{"\"-\"", -1},
		{"\"1\\u00002\"", -1},
		{"true", -1},
		{"false", -1},
		{"null", -1},
		{"[1]", -1},
		{"{\"value\":1}", -1},
	};
	struct flink_overview o;
	char json[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(json, sizeof(json), "{\"slots-total\":%s}", cases[i].text);
		assert_int_equal(overview_s(json, &o), 0);
		if (o.slots_total != cases[i].want)
			fail_msg("%s: %lld, want %lld", cases[i].text, o.slots_total,
				 cases[i].want);
		assert_int_equal(o.taskmanagers, -1);
	}
}

static int jm_config_s(const char *s, const char *key, char *v, size_t vlen)
{
	char *b = exact(s, strlen(s));
	int r = flinkrest_jm_config(b, strlen(s), key, v, vlen);

	free(b);
	return r;
}

static void test_jm_config(void **state)
{
	/* as a 1.20.5 JobManager with ZooKeeper high availability answers (keys seen there) */
	static const char ha[] =
		"[{\"key\":\"blob.server.port\",\"value\":\"34943\"},"
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
	assert_int_equal(jm_config_s("[{\"key\":\"a\",\"value\":\"1\"},{\"key\":\"a\",\"value\":\"2\"},"
				     "{\"key\":\"b\",\"value\":3},{\"key\":\"c\"},[],1]",
				     "a", v, sizeof(v)),
			 0);
	assert_string_equal(v, "2");
	assert_int_equal(jm_config_s("[{\"key\":\"b\",\"value\":3}]", "b", v, sizeof(v)), -ENOENT);
	assert_int_equal(jm_config_s("[{\"key\":\"c\"}]", "c", v, sizeof(v)), -ENOENT);
	/* not an array, not JSON, bad arguments */
	assert_int_equal(jm_config_s("{\"key\":\"a\",\"value\":\"1\"}", "a", v, sizeof(v)), -EBADMSG);
	assert_int_equal(jm_config_s("[{\"key\":", "a", v, sizeof(v)), -EBADMSG);
	assert_int_equal(jm_config_s(ha, NULL, v, sizeof(v)), -EINVAL);
	assert_int_equal(jm_config_s(ha, "a", v, 0), -EINVAL);
}

static void test_metric_values(void **state)
{
	static const char *const ids[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"};
	double out[11];

	(void)state;
	assert_int_equal(metrics_s("[{\"id\":\"a\",\"value\":\"12.5\"},{\"id\":\"b\",\"value\":3},"
				   "{\"id\":\"c\",\"value\":\"NaN\"},{\"id\":\"d\",\"value\":"
				   "\"Infinity\"},{\"id\":\"e\",\"value\":true},{\"id\":\"f\"},"
				   "{\"id\":\"g\",\"value\":null},{\"id\":\"h\",\"value\":"
				   "\"-9223372036854775808\"},{\"id\":\"i\",\"value\":1e400},"
				   "{\"id\":\"j\",\"value\":18446744073709551614},"
				   "{\"id\":\"k\",\"value\":\"1e-3\"}]",
				   ids, 11, NULL, out),
			 0);
	assert_true(out[0] == 12.5);
	assert_true(out[1] == 3);
	assert_true(isnan(out[2]) && isnan(out[3]) && isnan(out[4]) && isnan(out[5]));
	assert_true(isnan(out[6]));
	assert_true(out[7] == -9223372036854775808.0);
	assert_true(isnan(out[8]));
	assert_true(out[9] == 18446744073709551614.0);
	assert_true(out[10] == 0.001);
	/* a real -1 (a watermark 1 ms before the epoch) is a value, not "absent" */
	assert_int_equal(metrics_s("[{\"id\":\"a\",\"min\":-1.0},{\"id\":\"b\",\"value\":\"-1\"}]",
				   ids, 2, "min", out),
			 0);
	assert_true(out[0] == -1 && isnan(out[1]));
	/* elements that are not {"id": string} are skipped; an id answered twice: the later */
	assert_int_equal(metrics_s("[1,\"a\",null,[],{},{\"id\":1,\"value\":\"1\"},"
				   "{\"id\":\"a\",\"value\":\"1\"},{\"id\":\"a\",\"value\":\"2\"},"
				   "{\"id\":\"A\",\"value\":\"9\"},{\"id\":\"b\",\"value\":[1]}]",
				   ids, 3, NULL, out),
			 0);
	assert_true(out[0] == 2 && isnan(out[1]) && isnan(out[2]));
	/* the same id asked twice, a NULL id, no ids */
	{
		const char *const twice[] = {"a", NULL, "a"};

		assert_int_equal(metrics_s("[{\"id\":\"a\",\"sum\":4.0}]", twice, 3, "sum", out),
				 0);
		assert_true(out[0] == 4 && isnan(out[1]) && out[2] == 4);
	}
	assert_int_equal(metrics_s("[{\"id\":\"a\",\"value\":\"1\"}]", ids, 0, NULL, NULL), 0);
	assert_int_equal(metrics_s("[{\"id\":\"a\",\"value\":\"1\"}]", ids, -1, NULL, out),
			 -EINVAL);
	assert_int_equal(metrics_s("[]", NULL, 1, NULL, out), -EINVAL);
	assert_int_equal(metrics_s("[]", ids, 1, NULL, NULL), -EINVAL);
}

static void test_many_jobs(void **state)
{
	size_t cap = 10000 * 160 + 64, pos = 0;
	struct flink_job jobs[FLINK_MAX_JOBS];
	char *buf = malloc(cap);
	int i, n, dropped;

	(void)state;
	assert_non_null(buf);
	pos += (size_t)sprintf(buf + pos, "{\"jobs\":[");
	for (i = 0; i < 10000; i++)
		pos += (size_t)sprintf(buf + pos,
				       "%s{\"jid\":\"%032x\",\"name\":\"job %d\",\"state\":"
				       "\"RUNNING\",\"start-time\":%d,\"end-time\":-1}",
				       i ? "," : "", i, i, i);
	pos += (size_t)sprintf(buf + pos, "]}");
	assert_true(pos < cap);
	assert_int_equal(flinkrest_jobs(buf, pos, jobs, FLINK_MAX_JOBS, &n, &dropped), 0);
	assert_int_equal(n, FLINK_MAX_JOBS);
	assert_int_equal(dropped, 10000 - FLINK_MAX_JOBS);
	assert_string_equal(jobs[0].id, "00000000000000000000000000000000");
	assert_string_equal(jobs[FLINK_MAX_JOBS - 1].name, "job 63");
	assert_int_equal(jobs[FLINK_MAX_JOBS - 1].start_ms, 63);
	assert_int_equal(jobs[5].duration_ms, -1);
	/* a smaller cap, and a negative one */
	assert_int_equal(flinkrest_jobs(buf, pos, jobs, 3, &n, &dropped), 0);
	assert_int_equal(n, 3);
	assert_int_equal(dropped, 9997);
	assert_int_equal(flinkrest_jobs(buf, pos, jobs, -5, &n, &dropped), 0);
	assert_int_equal(n, 0);
	assert_int_equal(dropped, 10000);
	free(buf);
}

static void test_many_vertices_and_tms(void **state)
{
	size_t cap = 1000 * 200 + 64, pos = 0;
	struct flink_tm tms[FLINK_MAX_TMS];
	struct flink_job_detail d;
	char *buf = malloc(cap);
	int i, n, dropped;

	(void)state;
	assert_non_null(buf);
	/* 100 vertices in a line: 0 -> 1 -> ... -> 99 */
	pos += (size_t)sprintf(buf + pos, "{\"now\":5,\"vertices\":[");
	for (i = 0; i < 100; i++)
		pos += (size_t)sprintf(buf + pos, "%s{\"id\":\"%032x\",\"parallelism\":%d}",
				       i ? "," : "", i, i);
	pos += (size_t)sprintf(buf + pos, "],\"plan\":{\"nodes\":[");
	for (i = 0; i < 100; i++) {
		pos += (size_t)sprintf(buf + pos, "%s{\"id\":\"%032x\"", i ? "," : "", i);
		if (i)
			pos += (size_t)sprintf(buf + pos, ",\"inputs\":[{\"id\":\"%032x\"}]",
					       i - 1);
		pos += (size_t)sprintf(buf + pos, "}");
	}
	pos += (size_t)sprintf(buf + pos, "]}}");
	assert_int_equal(flinkrest_job(buf, pos, &d), 0);
	assert_int_equal(d.nvertices, FLINK_MAX_VERTICES);
	assert_int_equal(d.dropped, 100 - FLINK_MAX_VERTICES);
	assert_int_equal(d.vertices[0].source, 1);
	assert_int_equal(d.vertices[0].sink, 0);
	assert_int_equal(d.vertices[1].source, 0);
	/* the last kept vertex feeds one that was dropped: not a sink */
	assert_int_equal(d.vertices[FLINK_MAX_VERTICES - 1].sink, 0);
	assert_int_equal(d.vertices[FLINK_MAX_VERTICES - 1].parallelism, FLINK_MAX_VERTICES - 1);
	assert_int_equal(d.vertices[5].read_records, -1);

	pos = 0;
	pos += (size_t)sprintf(buf + pos, "{\"taskmanagers\":[");
	for (i = 0; i < 1000; i++)
		pos += (size_t)sprintf(buf + pos,
				       "%s{\"id\":\"10.0.0.%d:6122-%06x\",\"slotsNumber\":4,"
				       "\"freeSlots\":\"%d\"}",
				       i ? "," : "", i % 256, i, i % 5);
	pos += (size_t)sprintf(buf + pos, "]}");
	assert_int_equal(flinkrest_taskmanagers(buf, pos, tms, FLINK_MAX_TMS, &n, &dropped), 0);
	assert_int_equal(n, FLINK_MAX_TMS);
	assert_int_equal(dropped, 1000 - FLINK_MAX_TMS);
	assert_string_equal(tms[3].id, "10.0.0.3:6122-000003");
	assert_string_equal(tms[3].path, "");
	assert_int_equal(tms[3].slots, 4);
	assert_int_equal(tms[3].free_slots, 3);
	free(buf);
}

/* The one cap rule of every list (jobs, vertices, TaskManagers): the first max objects in order
 * fill the slots, non-objects take none, and both they and the objects past the cap count as
 * dropped; nothing is written past the slots the answer took. */
static void test_caps_and_dropped(void **state)
{
	static const char jobs_json[] =
		"{\"jobs\":[1,{\"jid\":\"a\"},null,{\"jid\":\"b\"},\"x\",{\"jid\":\"c\"},"
		"[],{\"jid\":\"d\"}]}";
	static const char tms_json[] =
		"{\"taskmanagers\":[{\"id\":\"a\"},true,{\"id\":\"b\"},{\"id\":\"c\"},2.5,"
		"{\"id\":\"d\"}]}";
	struct flink_job jobs[5];
	struct flink_tm tms[5];
	struct flink_job_detail *d = malloc(sizeof(*d));
	size_t cap = FLINK_MAX_VERTICES * 64 + 4096, pos = 0;
	char *buf = malloc(cap), last[16];
	int i, n, dropped;

	(void)state;
	assert_non_null(d);
	assert_non_null(buf);
	/* four objects and four others; caps 0 to 5 */
	for (i = 0; i <= 5; i++) {
		memset(jobs, 0x5a, sizeof(jobs));
		assert_int_equal(jobs_s(jobs_json, i ? jobs : NULL, i, &n, &dropped), 0);
		assert_int_equal(n, i < 4 ? i : 4);
		assert_int_equal(dropped, 8 - n);
		if (n >= 1)
			assert_string_equal(jobs[0].id, "a");
		if (n >= 2)
			assert_string_equal(jobs[1].id, "b");
		if (n >= 4)
			assert_string_equal(jobs[3].id, "d");
		if (i && n < 5)
			assert_int_equal(((unsigned char *)&jobs[n])[0], 0x5a);
		memset(tms, 0x5a, sizeof(tms));
		assert_int_equal(tms_s(tms_json, i ? tms : NULL, i, &n, &dropped), 0);
		assert_int_equal(n, i < 4 ? i : 4);
		assert_int_equal(dropped, 6 - n);
		if (n >= 3)
			assert_string_equal(tms[2].id, "c");
		if (i && n < 5)
			assert_int_equal(((unsigned char *)&tms[n])[0], 0x5a);
	}
	/* vertices: the cap is FLINK_MAX_VERTICES; a non-object between every two objects, and
	 * three objects more than fit */
	pos += (size_t)sprintf(buf + pos, "{\"vertices\":[");
	for (i = 0; i < FLINK_MAX_VERTICES + 3; i++)
		pos += (size_t)sprintf(buf + pos, "%s{\"id\":\"v%d\"},%d", i ? "," : "", i, i);
	pos += (size_t)sprintf(buf + pos, "]}");
	assert_true(pos < cap);
	memset(d, 0x5a, sizeof(*d));
	assert_int_equal(flinkrest_job(buf, pos, d), 0);
	assert_int_equal(d->nvertices, FLINK_MAX_VERTICES);
	assert_int_equal(d->dropped, FLINK_MAX_VERTICES + 3 + 3);
	assert_string_equal(d->vertices[0].id, "v0");
	snprintf(last, sizeof(last), "v%d", FLINK_MAX_VERTICES - 1);
	assert_string_equal(d->vertices[FLINK_MAX_VERTICES - 1].id, last);
	/* no plan: neither source nor sink is known */
	assert_int_equal(d->vertices[7].source, -1);
	assert_int_equal(d->vertices[7].sink, -1);
	free(buf);
	free(d);
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

static void test_wrong_types(void **state)
{
	struct flink_job_detail d;
	struct flink_job jobs[4];
	struct flink_checkpoints c;
	struct flink_tm tms[2];
	struct flink_overview o;
	int n, dropped;
	char v[8];

	(void)state;
	assert_int_equal(overview_s("{\"taskmanagers\":true,\"slots-total\":[2],"
				    "\"slots-available\":"
				    "{\"n\":1},\"jobs-running\":null,\"flink-version\":2.0}",
				    &o),
			 0);
	assert_int_equal(o.taskmanagers, -1);
	assert_int_equal(o.slots_total, -1);
	assert_int_equal(o.slots_available, -1);
	assert_int_equal(o.jobs_running, -1);
	assert_string_equal(o.version, "");
	assert_int_equal(config_s("{\"flink-version\":[\"1.20\"]}", v, sizeof(v)), 0);
	assert_string_equal(v, "");

	/* the list itself mistyped or missing: not a jobs answer */
	assert_int_equal(jobs_s("{\"jobs\":{}}", jobs, 4, &n, &dropped), -EBADMSG);
	assert_int_equal(jobs_s("{\"jobs\":null}", jobs, 4, &n, &dropped), -EBADMSG);
	assert_int_equal(jobs_s("{}", jobs, 4, &n, &dropped), -EBADMSG);
	assert_int_equal(jobs_s("[]", jobs, 4, &n, &dropped), -EBADMSG);
	assert_int_equal(jobs_s("{\"jobs\":[]}", jobs, 4, &n, &dropped), 0);
	assert_int_equal(n + dropped, 0);
	/* entries that are not objects are dropped; mistyped fields read -1 and "" */
	assert_int_equal(jobs_s("{\"jobs\":[1,null,\"x\",[],{\"jid\":5,\"name\":null,\"state\":"
				"{\"a\":1},\"start-time\":\"soon\",\"end-time\":false,\"duration\":"
				"\"12.0\"}]}",
				jobs, 4, &n, &dropped),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(dropped, 4);
	assert_string_equal(jobs[0].id, "");
	assert_string_equal(jobs[0].name, "");
	assert_string_equal(jobs[0].state, "");
	assert_int_equal(jobs[0].start_ms, -1);
	assert_int_equal(jobs[0].end_ms, -1);
	assert_int_equal(jobs[0].duration_ms, 12);
	assert_int_equal(jobs[0].last_modification_ms, -1);

	assert_int_equal(job_s("{\"now\":1}", &d), -EBADMSG);
	assert_int_equal(job_s("{\"vertices\":{}}", &d), -EBADMSG);
	assert_int_equal(job_s("{\"now\":\"x\",\"vertices\":[{\"id\":[],\"parallelism\":\"2\","
			       "\"metrics\":[1,2]},{\"metrics\":{\"read-records\":\"5\","
			       "\"accumulated-busy-time\":\"NaN\","
			       "\"accumulated-idle-time\":1.5e1}},"
			       "3]}",
			       &d),
			 0);
	assert_int_equal(d.now_ms, -1);
	assert_int_equal(d.nvertices, 2);
	assert_int_equal(d.dropped, 1);
	assert_string_equal(d.vertices[0].id, "");
	assert_int_equal(d.vertices[0].parallelism, 2);
	assert_int_equal(d.vertices[0].read_records, -1);
	assert_int_equal(d.vertices[1].read_records, 5);
	assert_int_equal(d.vertices[1].busy_ms, -1);
	assert_int_equal(d.vertices[1].idle_ms, 15);

	assert_int_equal(
		ck_s("{\"counts\":[],\"latest\":{\"completed\":null,\"restored\":[]}}", &c), 0);
	assert_int_equal(c.completed, -1);
	assert_int_equal(c.last_duration_ms, -1);
	assert_int_equal(c.last_restore_ms, -1);
	assert_int_equal(ck_s("{\"counts\":{\"completed\":\"5\",\"total\":5.0},\"latest\":"
			      "{\"completed\":{\"end_to_end_duration\":\"80\",\"state_size\":true},"
			      "\"restored\":{\"restore_timestamp\":1}}}",
			      &c),
			 0);
	assert_int_equal(c.completed, 5);
	assert_int_equal(c.total, 5);
	assert_int_equal(c.failed, -1);
	assert_int_equal(c.last_duration_ms, 80);
	assert_int_equal(c.last_state_size, -1);
	assert_int_equal(c.last_restore_ms, 1);
	assert_int_equal(ck_s("{\"latest\":\"x\"}", &c), 0);
	assert_int_equal(c.last_ack_ms, -1);

	assert_int_equal(tms_s("{\"taskmanagers\":\"x\"}", tms, 2, &n, &dropped), -EBADMSG);
	assert_int_equal(tms_s("{\"taskmanagers\":[{\"id\":{},\"path\":1,\"slotsNumber\":\"a\"}]}",
			       tms, 2, &n, &dropped),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(tms[0].id, "");
	assert_string_equal(tms[0].path, "");
	assert_int_equal(tms[0].slots, -1);
	assert_int_equal(tms[0].free_slots, -1);
}

static void test_long_strings(void **state)
{
	char json[1024], name[300], v[4];
	struct flink_job jobs[1];
	struct flink_tm tms[1];
	int n, dropped;

	(void)state;
	memset(name, 'n', 200);
	name[200] = '\0';
	snprintf(json, sizeof(json),
		 "{\"jobs\":[{\"jid\":\"0123456789abcdef0123456789abcdef0123\",\"name\":\"%s\","
		 "\"state\":\"RESTARTING_FOR_A_VERY_LONG_TIME\"}]}",
		 name);
	assert_int_equal(jobs_s(json, jobs, 1, &n, &dropped), 0);
	assert_string_equal(jobs[0].id, "0123456789abcdef0123456789abcdef");
	assert_int_equal(strlen(jobs[0].name), FLINK_NAME_LEN - 1);
	assert_int_equal(strlen(jobs[0].state), sizeof(jobs[0].state) - 1);
	/* a UTF-8 character across the cut is dropped whole */
	memset(name, 'n', FLINK_NAME_LEN - 2);
	strcpy(name + FLINK_NAME_LEN - 2, "\xc3\xa9z");
	snprintf(json, sizeof(json), "{\"jobs\":[{\"name\":\"%s\"}]}", name);
	assert_int_equal(jobs_s(json, jobs, 1, &n, &dropped), 0);
	assert_int_equal(strlen(jobs[0].name), FLINK_NAME_LEN - 2);
	/* escapes decode */
	assert_int_equal(jobs_s("{\"jobs\":[{\"name\":\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\"}]}",
				jobs, 1, &n, &dropped),
			 0);
	assert_string_equal(jobs[0].name, "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80");
	/* the version cut at the caller's size */
	assert_int_equal(config_s("{\"flink-version\":\"1.20.5\"}", v, sizeof(v)), 0);
	assert_string_equal(v, "1.2");
	assert_int_equal(config_s("{\"flink-version\":\"1.20.5\"}", v, 1), 0);
	assert_string_equal(v, "");
	assert_int_equal(config_s("{\"flink-version\":\"1.20.5\"}", NULL, 0), 0);
	memset(name, 'p', 250);
	name[250] = '\0';
	snprintf(json, sizeof(json), "{\"taskmanagers\":[{\"id\":\"%s\",\"path\":\"%s\"}]}", name,
		 name);
	assert_int_equal(tms_s(json, tms, 1, &n, &dropped), 0);
	assert_int_equal(strlen(tms[0].id), sizeof(tms[0].id) - 1);
	assert_int_equal(strlen(tms[0].path), sizeof(tms[0].path) - 1);
}

static void test_nested_garbage(void **state)
{
	struct flink_job jobs[2];
	struct flink_overview o;
	char json[512];
	int n, dropped;
	size_t i, pos = 0;

	(void)state;
	/* garbage where nothing is read is fine */
	assert_int_equal(jobs_s("{\"x\":[[[{\"y\":{}}]]],\"jobs\":[{\"jid\":\"a\",\"tasks\":"
				"{\"z\":[[[[null]]]],\"w\":\"\\u00e9\"}}],\"jobs2\":{}}",
				jobs, 2, &n, &dropped),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(jobs[0].id, "a");
	/* a repeated key: the last counts (json-c) */
	assert_int_equal(overview_s("{\"taskmanagers\":1,\"taskmanagers\":2}", &o), 0);
	assert_int_equal(o.taskmanagers, 2);
	/* past the depth limit: refused, not recursed into */
	pos += (size_t)sprintf(json, "{\"taskmanagers\":1,\"x\":");
	for (i = 0; i < 100; i++)
		json[pos++] = '[';
	for (i = 0; i < 100; i++)
		json[pos++] = ']';
	json[pos++] = '}';
	json[pos] = '\0';
	assert_int_equal(overview_s(json, &o), -EBADMSG);
	assert_int_equal(o.taskmanagers, -1);
}

static void test_null_args(void **state)
{
	struct flink_job_detail d;
	struct flink_overview o;
	struct flink_checkpoints c;
	struct flink_job jobs[1];
	struct flink_tm tms[1];
	int n, dropped;
	double out[1];
	const char *ids[] = {"a"};

	(void)state;
	assert_int_equal(flinkrest_config(NULL, 2, NULL, 0), -EBADMSG);
	assert_int_equal(flinkrest_config("{}", 2, NULL, 4), -EINVAL);
	assert_int_equal(flinkrest_overview(NULL, 2, &o), -EBADMSG);
	assert_int_equal(flinkrest_overview("{}", 2, NULL), -EINVAL);
	assert_int_equal(flinkrest_jobs(NULL, 2, jobs, 1, &n, &dropped), -EBADMSG);
	assert_int_equal(flinkrest_jobs("{}", 2, NULL, 1, &n, &dropped), -EINVAL);
	assert_int_equal(flinkrest_jobs("{}", 2, jobs, 1, NULL, &dropped), -EINVAL);
	assert_int_equal(flinkrest_jobs("{}", 2, jobs, 1, &n, NULL), -EINVAL);
	assert_int_equal(flinkrest_job(NULL, 2, &d), -EBADMSG);
	assert_int_equal(flinkrest_job("{}", 2, NULL), -EINVAL);
	assert_int_equal(flinkrest_checkpoints(NULL, 2, &c), -EBADMSG);
	assert_int_equal(flinkrest_checkpoints("{}", 2, NULL), -EINVAL);
	assert_int_equal(flinkrest_metrics(NULL, 2, ids, 1, NULL, out), -EBADMSG);
	assert_int_equal(flinkrest_taskmanagers(NULL, 2, tms, 1, &n, &dropped), -EBADMSG);
	assert_int_equal(flinkrest_taskmanagers("{}", 2, NULL, 1, &n, &dropped), -EINVAL);
	assert_int_equal(flinkrest_taskmanagers("{}", 2, tms, 1, NULL, &dropped), -EINVAL);
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

/* A TaskManager's details in both versions (2.x dropped memorySegments*, not the netty ones). */
static void test_taskmanager_detail(void **state)
{
	static const char *const versions[] = { "1.20.5", "2.3.0" };
	struct flink_tm_detail d;
	size_t len;
	char *j;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		j = fixture(versions[i], "taskmanager", &len);
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

static void test_rpc_address(void **state)
{
	char host[64];
	unsigned port;

	(void)state;
	/* as the 1.20.5 and 2.3.0 fixtures give it, and as Kubernetes deployments do */
	assert_int_equal(flinkrest_rpc_address("pekko.tcp://flink@localhost:34653/user/rpc/taskmanager_0",
					       host, sizeof(host), &port), 0);
	assert_string_equal(host, "localhost");
	assert_int_equal(port, 34653);
	assert_int_equal(flinkrest_rpc_address("akka.tcp://flink@10.244.1.7:6122/user/rpc/taskmanager_0",
					       host, sizeof(host), &port), 0);
	assert_string_equal(host, "10.244.1.7");
	assert_int_equal(port, 6122);
	assert_int_equal(flinkrest_rpc_address("pekko.tcp://flink@[fd00::a:7]:6122/user/rpc/x", host,
					       sizeof(host), &port), 0);
	assert_string_equal(host, "fd00::a:7");
	assert_int_equal(flinkrest_rpc_address("pekko://flink@tm-0.flink.svc:1", host, sizeof(host),
					       &port), 0);
	assert_string_equal(host, "tm-0.flink.svc");
	assert_int_equal(port, 1);
	/* what is not an RPC path */
	static const char *const bad[] = {
		"",
		"flink@h:1/x",
		"pekko.tcp://h:1/x",			     /* no actor system */
		"pekko.tcp://flink/user@h:1",		     /* the '@' after a '/' */
		"pekko.tcp://flink@:1/x",		     /* empty host */
		"pekko.tcp://flink@h/x",		     /* no port */
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
		cmocka_unit_test(test_real_config_overview),
		cmocka_unit_test(test_real_jobs),
		cmocka_unit_test(test_real_job),
		cmocka_unit_test(test_last_restart),
		cmocka_unit_test(test_jm_config),
		cmocka_unit_test(test_real_checkpoints),
		cmocka_unit_test(test_real_metrics),
		cmocka_unit_test(test_real_taskmanagers),
		cmocka_unit_test(test_real_cross),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_not_json),
		cmocka_unit_test(test_length_and_nul),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_metric_values),
		cmocka_unit_test(test_many_jobs),
		cmocka_unit_test(test_many_vertices_and_tms),
		cmocka_unit_test(test_caps_and_dropped),
		cmocka_unit_test(test_topology),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_long_strings),
		cmocka_unit_test(test_nested_garbage),
		cmocka_unit_test(test_null_args),
		cmocka_unit_test(test_incomplete_sums_are_unknown),
		cmocka_unit_test(test_taskmanager_detail),
		cmocka_unit_test(test_rpc_address),
	};

	return cmocka_run_group_tests_name("flinkrest", tests, NULL, NULL);
}
