/* What the flinkrest_* unit tests share (test_flinkrest*.c): the captured answers of Flink 1.20.5
 * and 2.3.0 JobManagers (tests/unit/data/flink/<version>/), exact-size copies of a test's own
 * JSON, and every parser run on one text. Header-only. */
#ifndef JVMTAP_TESTS_UNIT_PARSE_FLINKREST_FIXTURES_H
#define JVMTAP_TESTS_UNIT_PARSE_FLINKREST_FIXTURES_H

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

/* The versions tests/unit/data/flink/ holds answers of, captured from the test bed's KeyedCount
 * job. */
static const char *const flink_versions[] = { "1.20.5", "2.3.0" };
#define NVERSIONS (sizeof(flink_versions) / sizeof(flink_versions[0]))

/* The file's bytes in a buffer of exactly its size: no NUL after it. */
static inline char *fixture(const char *version, const char *name, size_t *len)
{
	char path[256];

	snprintf(path, sizeof(path), DATA "%s/%s.json", version, name);
	return slurp(path, len);
}

/* s[0..n) copied into a buffer of exactly n bytes. */
static inline char *exact(const char *s, size_t n)
{
	char *b = malloc(n ? n : 1);

	assert_non_null(b);
	memcpy(b, s, n);
	return b;
}

/* parse(copy, strlen(s), ...) on an exact-size copy of the C string s (ASan sees a read past its
 * end), freed before it returns parse's result. */
#define ON_EXACT(parse, s, ...)                                                                    \
	({                                                                                         \
		const char *s_ = (s);                                                              \
		size_t n_ = strlen(s_);                                                            \
		char *b_ = exact(s_, n_);                                                          \
		int r_ = parse(b_, n_, __VA_ARGS__);                                               \
                                                                                                   \
		free(b_);                                                                          \
		r_;                                                                                \
	})
#define config_s(s, ...)    ON_EXACT(flinkrest_config, s, __VA_ARGS__)
#define jm_config_s(s, ...) ON_EXACT(flinkrest_jm_config, s, __VA_ARGS__)
#define overview_s(s, ...)  ON_EXACT(flinkrest_overview, s, __VA_ARGS__)
#define jobs_s(s, ...)	    ON_EXACT(flinkrest_jobs, s, __VA_ARGS__)
#define job_s(s, ...)	    ON_EXACT(flinkrest_job, s, __VA_ARGS__)
#define ck_s(s, ...)	    ON_EXACT(flinkrest_checkpoints, s, __VA_ARGS__)
#define metrics_s(s, ...)   ON_EXACT(flinkrest_metrics, s, __VA_ARGS__)
#define tms_s(s, ...)	    ON_EXACT(flinkrest_taskmanagers, s, __VA_ARGS__)

/* The parsers parse_all() runs, in its order: index rc[] and parser_names[] with them. */
enum { P_CONFIG, P_OVERVIEW, P_JOBS, P_JOB, P_CHECKPOINTS, P_METRICS, P_TMS, NPARSERS };
static const char *const parser_names[NPARSERS] = {
	"config", "overview", "jobs", "job", "checkpoints", "metrics", "taskmanagers",
};

/* What each parser wrote. */
struct parsed {
	char version[16];
	struct flink_overview o;
	struct flink_job jobs[4];
	int jobs_n, jobs_dropped;
	struct flink_job_detail d;
	struct flink_checkpoints c;
	double uptime;
	struct flink_tm tms[4];
	int tms_n, tms_dropped;
};

/* Every parser of an endpoint's answer on json[0..len), each one's result in rc[]. */
static inline void parse_all(const char *json, size_t len, struct parsed *p, int rc[NPARSERS])
{
	static const char *const ids[] = { "uptime" };

	rc[P_CONFIG] = flinkrest_config(json, len, p->version, sizeof(p->version));
	rc[P_OVERVIEW] = flinkrest_overview(json, len, &p->o);
	rc[P_JOBS] = flinkrest_jobs(json, len, p->jobs, 4, &p->jobs_n, &p->jobs_dropped);
	rc[P_JOB] = flinkrest_job(json, len, &p->d);
	rc[P_CHECKPOINTS] = flinkrest_checkpoints(json, len, &p->c);
	rc[P_METRICS] = flinkrest_metrics(json, len, ids, 1, NULL, &p->uptime);
	rc[P_TMS] = flinkrest_taskmanagers(json, len, p->tms, 4, &p->tms_n, &p->tms_dropped);
}

#endif
