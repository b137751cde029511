/* libFuzzer target for every flinkrest_* parser: the same bytes to each of them, then the bytes
 * put where each one looks (a list element, a plan node, a counts object, a metric value). */
// FUZZ-SOURCES: user/parse/flinkrest.c user/parse/jsonval.c
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "flinkrest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t size)
{
	if (strnlen(s, size) == size)
		abort();
}

static void check_ret(int ret)
{
	if (ret && ret != -EBADMSG && ret != -ENOMEM)
		abort();
}

/* json-c finds keys by hash, which the fuzzer cannot see through: name them for it. */
static const char *const metric_ids[] = {
	"numRestarts", "uptime", "downtime", "lastCheckpointDuration", "numRecordsIn",
	"numRecordsOut", "Status.JVM.Memory.Direct.Count", NULL,
};
static const char *const fields[] = {NULL, "value", "sum", "min", "max", "avg"};

/* Every parser on buf[0..len) (exactly that size, nothing after it). */
static void all(const char *buf, size_t len, unsigned pick)
{
	static struct flink_job jobs[FLINK_MAX_JOBS];
	static struct flink_job_detail d;
	static struct flink_tm tms[FLINK_MAX_TMS];
	struct flink_checkpoints c;
	struct flink_overview o;
	double out[8];
	char version[32];
	int ret, n, dropped, i, max;

	ret = flinkrest_config(buf, len, version, sizeof(version));
	check_ret(ret);
	check_str(version, sizeof(version));
	if (ret && version[0])
		abort();

	ret = flinkrest_jm_config(buf, len, "high-availability.type", version, sizeof(version));
	if (ret != -ENOENT)
		check_ret(ret);
	check_str(version, sizeof(version));
	if (ret && version[0])
		abort();

	ret = flinkrest_overview(buf, len, &o);
	check_ret(ret);
	check_str(o.version, sizeof(o.version));
	if (ret && (o.taskmanagers != -1 || o.jobs_failed != -1 || o.version[0]))
		abort();

	max = (int)(pick % (FLINK_MAX_JOBS + 1));
	ret = flinkrest_jobs(buf, len, jobs, max, &n, &dropped);
	check_ret(ret);
	if (n < 0 || n > max || dropped < 0 || (ret && (n || dropped)))
		abort();
	for (i = 0; i < n; i++) {
		check_str(jobs[i].id, sizeof(jobs[i].id));
		check_str(jobs[i].name, sizeof(jobs[i].name));
		check_str(jobs[i].state, sizeof(jobs[i].state));
	}

	ret = flinkrest_job(buf, len, &d);
	check_ret(ret);
	if (d.nvertices < 0 || d.nvertices > FLINK_MAX_VERTICES || d.dropped < 0)
		abort();
	if (ret && (d.nvertices || d.dropped || d.now_ms != -1))
		abort();
	for (i = 0; i < d.nvertices; i++) {
		const struct flink_vertex *v = &d.vertices[i];

		check_str(v->id, sizeof(v->id));
		check_str(v->name, sizeof(v->name));
		if (v->source < -1 || v->source > 1 || v->sink < -1 || v->sink > 1)
			abort();
		/* a vertex the plan does not list is neither known a source nor a sink (a known
		 * sink with an unknown source is a node whose inputs are mistyped) */
		if (v->sink == -1 && v->source != -1)
			abort();
	}

	ret = flinkrest_checkpoints(buf, len, &c);
	check_ret(ret);
	if (ret && (c.completed != -1 || c.last_restore_ms != -1))
		abort();

	ret = flinkrest_metrics(buf, len, metric_ids, 8, fields[pick % 6], out);
	check_ret(ret);
	for (i = 0; i < 8; i++)
		if (isinf(out[i]) || (ret && !isnan(out[i])))
			abort(); /* a number or NAN (absent), never infinite; all absent on error */

	max = (int)(pick % 4);
	ret = flinkrest_taskmanagers(buf, len, tms, max, &n, &dropped);
	check_ret(ret);
	if (n < 0 || n > max || dropped < 0 || (ret && (n || dropped)))
		abort();
	for (i = 0; i < n; i++) {
		char host[64];
		unsigned port = 0;

		check_str(tms[i].id, sizeof(tms[i].id));
		check_str(tms[i].path, sizeof(tms[i].path));
		ret = flinkrest_rpc_address(tms[i].path, host, sizeof(host), &port);
		if (ret ? ret != -EINVAL : (!host[0] || !port || port > 65535 ||
					    strnlen(host, sizeof(host)) == sizeof(host)))
			abort();
	}

	{
		struct flink_tm_detail d;

		check_ret(flinkrest_taskmanager(buf, len, &d));
	}
}

/* all() on head + data + tail in a buffer of exactly that size. */
static void wrapped(const char *head, const uint8_t *data, size_t size, const char *tail,
		    unsigned pick)
{
	size_t hl = strlen(head), tl = strlen(tail);
	char *buf = malloc(hl + size + tl + 1);

	if (!buf)
		return;
	memcpy(buf, head, hl);
	if (size)
		memcpy(buf + hl, data, size);
	memcpy(buf + hl + size, tail, tl);
	all(buf, hl + size + tl, pick);
	free(buf);
}

static const char *const keys[] = {
	"jid",		  "name",		"state",	      "start-time",
	"end-time",	  "duration",		"last-modification",  "id",
	"parallelism",	  "metrics",		"read-records",	      "accumulated-busy-time",
	"inputs",	  "slotsNumber",	"freeSlots",	      "path",
	"completed",	  "end_to_end_duration", "restore_timestamp",  "value",
	"sum",		  "flink-version",	"taskmanagers",	      "now",
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned pick = size ? data[0] : 0;
	const char *k1, *k2;
	char head[256];

	wrapped("", data, size, "", pick);
	{
		/* the RPC path parser on the raw bytes, NUL-terminated, under a small host buffer */
		char *path = malloc(size + 1), host[8];
		unsigned port = 0;
		int ret;

		if (path) {
			memcpy(path, data, size);
			path[size] = '\0';
			ret = flinkrest_rpc_address(path, host, sizeof(host), &port);
			if (ret ? ret != -EINVAL || host[0] : !host[0] || !port || port > 65535 ||
					      strnlen(host, sizeof(host)) == sizeof(host))
				abort();
			free(path);
		}
	}
	if (size < 2)
		return 0;
	/* random bytes seldom form the answers' outer objects: also put them inside */
	k1 = keys[data[0] % NKEYS];
	k2 = keys[data[1] % NKEYS];
	data += 2;
	size -= 2;
	snprintf(head, sizeof(head), "{\"jobs\":[{\"jid\":\"a\",\"%s\":", k1);
	wrapped(head, data, size, "}]}", pick);
	snprintf(head, sizeof(head), "{\"taskmanagers\":[{\"%s\":", k1);
	wrapped(head, data, size, "}]}", pick);
	snprintf(head, sizeof(head), "{\"vertices\":[{\"id\":\"a\",\"%s\":", k1);
	wrapped(head, data, size, "},{\"id\":\"b\"}],\"plan\":{\"nodes\":[{\"id\":\"b\"}]}}", pick);
	snprintf(head, sizeof(head),
		 "{\"vertices\":[{\"id\":\"a\"},{\"id\":\"b\"}],\"plan\":{\"nodes\":[{\"id\":\"a\","
		 "\"%s\":",
		 k1);
	wrapped(head, data, size, "}]}}", pick);
	snprintf(head, sizeof(head), "{\"counts\":{\"%s\":", k1);
	wrapped(head, data, size, "},\"latest\":{\"completed\":{},\"restored\":{}}}", pick);
	snprintf(head, sizeof(head), "{\"latest\":{\"%s\":{\"%s\":", k1, k2);
	wrapped(head, data, size, "}}}", pick);
	snprintf(head, sizeof(head), "[{\"id\":\"uptime\",\"%s\":", k2);
	wrapped(head, data, size, "}]", pick);
	snprintf(head, sizeof(head), "{\"%s\":", k2);
	wrapped(head, data, size, "}", pick);
	return 0;
}
