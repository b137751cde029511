/* Unit tests for the flinkrest_* parsers on hostile answers: every prefix of the real ones
 * (tests/unit/data/flink/<version>/), text that is not JSON or not the object expected, numbers
 * and strings out of range or mistyped, lists past their caps, deep nesting, NULL arguments. */
// UNIT-SOURCES: user/parse/flinkrest.c user/parse/jsonval.c
#include "flinkrest_fixtures.h"

/* Every proper prefix of every real answer is refused, and leaves the outputs reset. */
static void test_truncated(void **state)
{
	static const char *const names[] = { "config",	    "overview",	   "jobs_overview", "job",
					     "checkpoints", "job_metrics", "taskmanagers" };
	struct parsed p;
	int j, rc[NPARSERS];
	size_t i, k, len, cut;
	char *buf, *part;

	(void)state;
	for (i = 0; i < NVERSIONS; i++) {
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			buf = fixture(flink_versions[i], names[k], &len);
			for (cut = 0; cut < len; cut++) {
				part = exact(buf, cut);
				parse_all(part, cut, &p, rc);
				for (j = 0; j < NPARSERS; j++)
					if (rc[j] != -EBADMSG)
						fail_msg("%s %s cut at %zu: %s gave %d",
							 flink_versions[i], names[k], cut,
							 parser_names[j], rc[j]);
				assert_string_equal(p.version, "");
				assert_int_equal(p.o.taskmanagers, -1);
				assert_int_equal(p.jobs_n + p.jobs_dropped, 0);
				assert_int_equal(p.d.nvertices + p.d.dropped, 0);
				assert_int_equal(p.d.now_ms, -1);
				assert_int_equal(p.c.completed, -1);
				assert_true(isnan(p.uptime));
				free(part);
			}
			free(buf);
		}
	}
}

static void test_not_json(void **state)
{
	static const char *const bad[] = {
		"",
		" ",
		"{",
		"}",
		"[",
		"{\"a\":}",
		"{\"a\":1,}",
		"{}x",
		"{}{}",
		"{} 1",
		"nul",
		"'x'",
		"{\"a\":01}",
		"{\"a\":.5}",
		"{\"a\":+1}",
		"{\"a\":0x1}",
		"{\"a\":\"\\x\"}",
		"/* c */{}",
		"{}//",
		"\xef\xbb\xbf{}",
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
		{ "2", 2 },
		{ "-1", -1 },
		{ "0", 0 },
		{ "2.0", 2 },
		{ "2.9", 2 },
		{ "-2.9", -2 },
		{ "1e3", 1000 },
		{ "1.5E+2", 150 },
		{ "\"12\"", 12 },
		{ "\"12.0\"", 12 },
		{ "\"-7\"", -7 },
		{ "\"1e3\"", 1000 },
		{ "9223372036854775807", INT64_MAX },
		{ "-9223372036854775808", INT64_MIN },
		{ "\"9223372036854775807\"", INT64_MAX },
		{ "\"-9223372036854775808\"", INT64_MIN },
		/* past a long long: -1, never wrapped */
		{ "9223372036854775808", -1 },
		{ "18446744073709551615", -1 },
		{ "99999999999999999999999999", -1 },
		{ "9.3e18", -1 },
		{ "-9.3e18", -1 },
		{ "1e400", -1 },
		{ "-1e400", -1 },
		{ "\"9223372036854775808\"", -1 },
		{ "\"99999999999999999999999999\"", -1 },
		{ "\"1e400\"", -1 },
		{ "\"9.3e18\"", -1 },
		/* not numbers */
		{ "\"\"", -1 },
		{ "\" 12\"", -1 },
		{ "\"12 \"", -1 },
		{ "\"+12\"", -1 },
		{ "\"0x10\"", -1 },
		{ "\"NaN\"", -1 },
		{ "\"nan\"", -1 },
		{ "\"Infinity\"", -1 },
		{ "\"-Infinity\"", -1 },
		{ "\"inf\"", -1 },
		{ "\"12abc\"", -1 },
		{ "\"1.\"", -1 },
		{ "\".5\"", -1 },
		{ "\"1e\"", -1 },
		{ "\"-\"", -1 },
		{ "\"1\\u00002\"", -1 },
		{ "true", -1 },
		{ "false", -1 },
		{ "null", -1 },
		{ "[1]", -1 },
		{ "{\"value\":1}", -1 },
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

static void test_metric_values(void **state)
{
	static const char *const ids[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k" };
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
		const char *const twice[] = { "a", NULL, "a" };

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
			pos +=
			    (size_t)sprintf(buf + pos, ",\"inputs\":[{\"id\":\"%032x\"}]", i - 1);
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
	const char *ids[] = { "a" };

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_not_json),
		cmocka_unit_test(test_length_and_nul),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_metric_values),
		cmocka_unit_test(test_many_jobs),
		cmocka_unit_test(test_many_vertices_and_tms),
		cmocka_unit_test(test_caps_and_dropped),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_long_strings),
		cmocka_unit_test(test_nested_garbage),
		cmocka_unit_test(test_null_args),
	};

	return cmocka_run_group_tests_name("flinkrest_hostile", tests, NULL, NULL);
}
