/* Pure parsers of a Flink JobManager's REST answers (1.20 and 2.x), json-c based. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "flinkrest.h"

/* Real answers nest about six levels (plan.nodes[].inputs[]); deeper is refused, not recursed. */
#define JSON_DEPTH 32

static int is_json_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Parses json[0..len) as exactly one JSON value of type want; *root is the caller's to put. The
 * text is copied into a NUL-terminated buffer first, so that json-c never reads past len. An
 * object with an "errors" member is Flink's error answer and refused.
 */
static int parse_root(const char *json, size_t len, enum json_type want, struct json_object **root)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error err;
	size_t end;
	char *copy;

	*root = NULL;
	/* a raw NUL is never valid JSON, and json-c would take it for the end of input */
	if (!json || !len || len >= INT32_MAX || memchr(json, '\0', len))
		return -EBADMSG;
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, json, len);
	copy[len] = '\0';
	tok = json_tokener_new_ex(JSON_DEPTH);
	if (!tok) {
		free(copy);
		return -ENOMEM;
	}
	/* Flink's Jackson writes strict JSON; strict mode also rejects trailing garbage */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, copy, (int)len);
	err = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (err == json_tokener_success) {
		while (end < len && is_json_ws(copy[end]))
			end++;
	}
	free(copy);
	/* Flink answers a failed request with {"errors": [...]}: not the object asked for */
	if (err != json_tokener_success || end != len || !json_object_is_type(obj, want) ||
	    (want == json_type_object && json_object_object_get_ex(obj, "errors", NULL))) {
		json_object_put(obj);
		return -EBADMSG;
	}
	*root = obj;
	return 0;
}

/* obj's member key, NULL when obj is not an object or has no such key. */
static struct json_object *member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!obj || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

/* obj's member key if it is of type t, else NULL. */
static struct json_object *typed(struct json_object *obj, const char *key, enum json_type t)
{
	struct json_object *v = member(obj, key);

	return v && json_object_is_type(v, t) ? v : NULL;
}

/*
 * A number written as digits: an optional '-', digits, an optional fraction and exponent (the
 * JSON grammar, which is also how Java prints a long or a double). No "nan", "inf", hex or
 * spaces, which strtod would take.
 */
static int numeric_text(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i == d)
		return 0;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i == n;
}

/* A double as a long long, truncated toward zero; -1 when not finite or out of range. */
static long long dbl_to_ll(double d)
{
	/* 2^63 is exact as a double; LLONG_MAX is not */
	if (!isfinite(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0)
		return -1;
	return (long long)d;
}

/*
 * v as an integer: a JSON int, a double (truncated) or a string holding a number ("12", "12.0").
 * -1 when v is absent, of another type, not a number or does not fit a long long.
 */
static long long num_ll(struct json_object *v)
{
	const char *s;
	char *end;
	long long l;
	size_t n;

	if (!v)
		return -1;
	switch (json_object_get_type(v)) {
	case json_type_int:
		l = json_object_get_int64(v);
		/* json-c keeps integers past INT64_MAX as uint64 (saturated at UINT64_MAX) */
		if (l == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX)
			return -1;
		return l;
	case json_type_double:
		return dbl_to_ll(json_object_get_double(v));
	case json_type_string:
		s = json_object_get_string(v);
		n = (size_t)json_object_get_string_len(v);
		if (!s || !numeric_text(s, n))
			return -1;
		errno = 0;
		l = strtoll(s, &end, 10);
		if (end == s + n)
			return errno ? -1 : l;
		return dbl_to_ll(strtod(s, NULL));
	default:
		return -1;
	}
}

/* v as a double (same inputs as num_ll); NAN when absent, not a number or not
 * finite: metrics may be negative (a watermark), -1 among them. */
static double num_dbl(struct json_object *v)
{
	const char *s;
	double d;
	size_t n;

	if (!v)
		return NAN;
	switch (json_object_get_type(v)) {
	case json_type_int:
		/* past INT64_MAX json-c keeps a uint64, saturated at UINT64_MAX on overflow */
		if (json_object_get_int64(v) == INT64_MAX) {
			uint64_t u = json_object_get_uint64(v);

			return u == UINT64_MAX ? NAN : (double)u;
		}
		return (double)json_object_get_int64(v);
	case json_type_double:
		d = json_object_get_double(v);
		break;
	case json_type_string:
		s = json_object_get_string(v);
		n = (size_t)json_object_get_string_len(v);
		if (!s || !numeric_text(s, n))
			return NAN;
		d = strtod(s, NULL);
		break;
	default:
		return NAN;
	}
	return isfinite(d) ? d : NAN;
}

static long long get_ll(struct json_object *obj, const char *key)
{
	return num_ll(member(obj, key));
}

/* A vertex's summed counter, -1 while Flink says the sum is incomplete ("<key>-complete":
 * false: not every subtask's value has reached the JobManager): a partial sum would make the
 * counter go down and up again. */
static long long get_complete(struct json_object *m, const char *key)
{
	struct json_object *c;
	char k[64];

	snprintf(k, sizeof(k), "%s-complete", key);
	c = typed(m, k, json_type_boolean);
	if (c && !json_object_get_boolean(c))
		return -1;
	return get_ll(m, key);
}

/*
 * obj's string member key into dst[size], cut at size - 1 bytes without splitting a UTF-8
 * character (and at a "\u0000"); "" when absent or not a string.
 */
static void get_str(struct json_object *obj, const char *key, char *dst, size_t size)
{
	struct json_object *v = typed(obj, key, json_type_string);
	const char *s, *nul;
	size_t n;
	int len;

	if (!size)
		return;
	dst[0] = '\0';
	if (!v)
		return;
	s = json_object_get_string(v);
	len = json_object_get_string_len(v);
	if (!s || len <= 0)
		return;
	n = (size_t)len;
	nul = memchr(s, '\0', n);
	if (nul)
		n = (size_t)(nul - s);
	if (n > size - 1) {
		n = size - 1;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

int flinkrest_config(const char *json, size_t len, char *version, size_t vlen)
{
	struct json_object *root;
	int ret;

	if (!version && vlen)
		return -EINVAL;
	if (vlen)
		version[0] = '\0';
	ret = parse_root(json, len, json_type_object, &root);
	if (ret)
		return ret;
	if (vlen)
		get_str(root, "flink-version", version, vlen);
	json_object_put(root);
	return 0;
}

int flinkrest_jm_config(const char *json, size_t len, const char *key, char *value, size_t vlen)
{
	struct json_object *root;
	size_t i, count;
	int ret;

	if (!key || !value || !vlen)
		return -EINVAL;
	value[0] = '\0';
	ret = parse_root(json, len, json_type_array, &root);
	if (ret)
		return ret;
	ret = -ENOENT;
	count = json_object_array_length(root);
	for (i = 0; i < count; i++) {
		struct json_object *e = json_object_array_get_idx(root, i);
		struct json_object *k = typed(e, "key", json_type_string);

		if (k && !strcmp(json_object_get_string(k), key) &&
		    typed(e, "value", json_type_string)) {
			get_str(e, "value", value, vlen);
			ret = 0; /* a key listed twice: the later */
		}
	}
	json_object_put(root);
	return ret;
}

static void overview_init(struct flink_overview *o)
{
	o->taskmanagers = o->slots_total = o->slots_available = -1;
	o->jobs_running = o->jobs_finished = o->jobs_cancelled = o->jobs_failed = -1;
	o->version[0] = '\0';
}

int flinkrest_overview(const char *json, size_t len, struct flink_overview *out)
{
	struct json_object *root;
	int ret;

	if (!out)
		return -EINVAL;
	overview_init(out);
	ret = parse_root(json, len, json_type_object, &root);
	if (ret)
		return ret;
	out->taskmanagers = get_ll(root, "taskmanagers");
	out->slots_total = get_ll(root, "slots-total");
	out->slots_available = get_ll(root, "slots-available");
	out->jobs_running = get_ll(root, "jobs-running");
	out->jobs_finished = get_ll(root, "jobs-finished");
	out->jobs_cancelled = get_ll(root, "jobs-cancelled");
	out->jobs_failed = get_ll(root, "jobs-failed");
	get_str(root, "flink-version", out->version, sizeof(out->version));
	json_object_put(root);
	return 0;
}

/*
 * The array root.key of a list answer (/jobs/overview, /taskmanagers): -EBADMSG when the text
 * is not an object holding that array, such as Flink's {"errors": [...]}.
 */
static int list_root(const char *json, size_t len, const char *key, struct json_object **root,
		     struct json_object **arr)
{
	int ret = parse_root(json, len, json_type_object, root);

	if (ret)
		return ret;
	*arr = typed(*root, key, json_type_array);
	if (!*arr) {
		json_object_put(*root);
		*root = NULL;
		return -EBADMSG;
	}
	return 0;
}

/*
 * The objects of arr into out[0..max) (slots of size bytes), in order, each by fill; elements
 * that are not objects, and the objects past max, are counted in *dropped (up to INT32_MAX).
 * Returns the number filled.
 */
static int capped_array(struct json_object *arr, void *out, size_t size, int max,
			void (*fill)(struct json_object *e, void *slot), int *dropped)
{
	size_t i, count = json_object_array_length(arr);
	int got = 0, lost = 0;

	for (i = 0; i < count; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);

		if (got >= max || !json_object_is_type(e, json_type_object)) {
			if (lost < INT32_MAX)
				lost++;
			continue;
		}
		fill(e, (char *)out + (size_t)got++ * size);
	}
	*dropped = lost;
	return got;
}

static void fill_job(struct json_object *e, void *slot)
{
	struct flink_job *j = slot;

	get_str(e, "jid", j->id, sizeof(j->id));
	get_str(e, "name", j->name, sizeof(j->name));
	get_str(e, "state", j->state, sizeof(j->state));
	j->start_ms = get_ll(e, "start-time");
	j->end_ms = get_ll(e, "end-time");
	j->duration_ms = get_ll(e, "duration");
	j->last_modification_ms = get_ll(e, "last-modification");
}

int flinkrest_jobs(const char *json, size_t len, struct flink_job *jobs, int max, int *n,
		   int *dropped)
{
	struct json_object *root, *arr;
	int ret;

	if (!n || !dropped || (max > 0 && !jobs))
		return -EINVAL;
	*n = *dropped = 0;
	ret = list_root(json, len, "jobs", &root, &arr);
	if (ret)
		return ret;
	*n = capped_array(arr, jobs, sizeof(*jobs), max, fill_job, dropped);
	json_object_put(root);
	return 0;
}

static void fill_vertex(struct json_object *e, void *slot)
{
	struct flink_vertex *v = slot;
	struct json_object *m = typed(e, "metrics", json_type_object);

	get_str(e, "id", v->id, sizeof(v->id));
	get_str(e, "name", v->name, sizeof(v->name));
	v->parallelism = get_ll(e, "parallelism");
	v->read_records = get_complete(m, "read-records");
	v->write_records = get_complete(m, "write-records");
	v->read_bytes = get_complete(m, "read-bytes");
	v->write_bytes = get_complete(m, "write-bytes");
	v->busy_ms = get_ll(m, "accumulated-busy-time");
	v->idle_ms = get_ll(m, "accumulated-idle-time");
	v->backpressured_ms = get_ll(m, "accumulated-backpressured-time");
	v->source = v->sink = -1; /* mark_topology() */
}

/*
 * Sources and sinks from plan.nodes[]: a vertex whose node has no inputs (absent or []) is a
 * source, one whose id no node lists in its inputs is a sink. A vertex without a node, or when
 * the plan is missing or mistyped, stays -1 for both; a node whose inputs are not an array
 * leaves that vertex's source flag at -1.
 */
static void mark_topology(struct json_object *root, struct flink_job_detail *out)
{
	struct json_object *nodes = typed(typed(root, "plan", json_type_object), "nodes",
					  json_type_array);
	unsigned char in_plan[FLINK_MAX_VERTICES] = {0}, is_input[FLINK_MAX_VERTICES] = {0};
	size_t i, j, count;
	int k;

	if (!nodes)
		return;
	count = json_object_array_length(nodes);
	for (i = 0; i < count; i++) {
		struct json_object *node = json_object_array_get_idx(nodes, i), *inputs, *id;
		const char *nid;

		if (!json_object_is_type(node, json_type_object))
			continue;
		inputs = member(node, "inputs");
		if (inputs && json_object_is_type(inputs, json_type_array)) {
			size_t ni = json_object_array_length(inputs);

			for (j = 0; j < ni; j++) {
				struct json_object *in = json_object_array_get_idx(inputs, j);
				struct json_object *iid = typed(in, "id", json_type_string);
				const char *s = iid ? json_object_get_string(iid) : NULL;

				for (k = 0; s && k < out->nvertices; k++)
					if (!strcmp(s, out->vertices[k].id))
						is_input[k] = 1;
			}
		}
		id = typed(node, "id", json_type_string);
		nid = id ? json_object_get_string(id) : NULL;
		for (k = 0; nid && k < out->nvertices; k++) {
			struct flink_vertex *v = &out->vertices[k];

			if (!v->id[0] || strcmp(nid, v->id) || in_plan[k])
				continue;
			in_plan[k] = 1;
			if (!inputs || json_object_is_type(inputs, json_type_null))
				v->source = 1;
			else if (json_object_is_type(inputs, json_type_array))
				v->source = json_object_array_length(inputs) == 0;
		}
	}
	for (k = 0; k < out->nvertices; k++)
		if (in_plan[k])
			out->vertices[k].sink = !is_input[k];
}

int flinkrest_job(const char *json, size_t len, struct flink_job_detail *out)
{
	struct json_object *root, *arr, *ts;
	int ret;

	if (!out)
		return -EINVAL;
	out->now_ms = out->restarting_ms = out->running_ms = -1;
	out->nvertices = out->dropped = 0;
	ret = list_root(json, len, "vertices", &root, &arr);
	if (ret)
		return ret;
	out->now_ms = get_ll(root, "now");
	ts = typed(root, "timestamps", json_type_object);
	out->restarting_ms = get_ll(ts, "RESTARTING");
	out->running_ms = get_ll(ts, "RUNNING");
	out->nvertices = capped_array(arr, out->vertices, sizeof(out->vertices[0]),
				      FLINK_MAX_VERTICES, fill_vertex, &out->dropped);
	mark_topology(root, out);
	json_object_put(root);
	return 0;
}

long long flinkrest_last_restart_ms(const struct flink_job_detail *d, const char *state)
{
	if (!d || d->restarting_ms <= 0)
		return -1;
	if (state && !strcmp(state, "RESTARTING"))
		return d->now_ms >= d->restarting_ms ? d->now_ms - d->restarting_ms : -1;
	/* Back to RUNNING since; a job that went from RESTARTING to an end state says nothing. */
	return d->running_ms >= d->restarting_ms ? d->running_ms - d->restarting_ms : -1;
}

int flinkrest_checkpoints(const char *json, size_t len, struct flink_checkpoints *out)
{
	struct json_object *root, *counts, *latest, *done, *restored;
	int ret;

	if (!out)
		return -EINVAL;
	out->completed = out->failed = out->in_progress = out->restored = out->total = -1;
	out->last_duration_ms = out->last_checkpointed_size = out->last_state_size = -1;
	out->last_ack_ms = out->last_restore_ms = -1;
	ret = parse_root(json, len, json_type_object, &root);
	if (ret)
		return ret;
	counts = typed(root, "counts", json_type_object);
	out->completed = get_ll(counts, "completed");
	out->failed = get_ll(counts, "failed");
	out->in_progress = get_ll(counts, "in_progress");
	out->restored = get_ll(counts, "restored");
	out->total = get_ll(counts, "total");
	latest = typed(root, "latest", json_type_object);
	/* "completed" and "restored" are null until there is one */
	done = typed(latest, "completed", json_type_object);
	out->last_duration_ms = get_ll(done, "end_to_end_duration");
	out->last_checkpointed_size = get_ll(done, "checkpointed_size");
	out->last_state_size = get_ll(done, "state_size");
	out->last_ack_ms = get_ll(done, "latest_ack_timestamp");
	restored = typed(latest, "restored", json_type_object);
	out->last_restore_ms = get_ll(restored, "restore_timestamp");
	json_object_put(root);
	return 0;
}

/* Elements that are not objects with a string "id" are ignored; an id answered twice keeps the
 * later value. A NULL field reads "value". */
int flinkrest_metrics(const char *json, size_t len, const char *const *ids, int n,
		      const char *field, double *out)
{
	struct json_object *root;
	size_t i, count;
	int k, ret;

	if (n < 0 || (n > 0 && (!ids || !out)))
		return -EINVAL;
	for (k = 0; k < n; k++)
		out[k] = NAN;
	ret = parse_root(json, len, json_type_array, &root);
	if (ret)
		return ret;
	if (!field)
		field = "value";
	count = json_object_array_length(root);
	for (i = 0; i < count; i++) {
		struct json_object *e = json_object_array_get_idx(root, i);
		struct json_object *id = typed(e, "id", json_type_string);
		const char *s = id ? json_object_get_string(id) : NULL;

		for (k = 0; s && k < n; k++)
			if (ids[k] && !strcmp(s, ids[k]))
				out[k] = num_dbl(member(e, field));
	}
	json_object_put(root);
	return 0;
}

static void fill_tm(struct json_object *e, void *slot)
{
	struct flink_tm *t = slot;

	get_str(e, "id", t->id, sizeof(t->id));
	get_str(e, "path", t->path, sizeof(t->path));
	t->slots = get_ll(e, "slotsNumber");
	t->free_slots = get_ll(e, "freeSlots");
}

int flinkrest_taskmanagers(const char *json, size_t len, struct flink_tm *tms, int max, int *n,
			   int *dropped)
{
	struct json_object *root, *arr;
	int ret;

	if (!n || !dropped || (max > 0 && !tms))
		return -EINVAL;
	*n = *dropped = 0;
	ret = list_root(json, len, "taskmanagers", &root, &arr);
	if (ret)
		return ret;
	*n = capped_array(arr, tms, sizeof(*tms), max, fill_tm, dropped);
	json_object_put(root);
	return 0;
}

int flinkrest_taskmanager(const char *json, size_t len, struct flink_tm_detail *out)
{
	struct json_object *root, *m;
	int ret;

	if (!out)
		return -EINVAL;
	out->direct_count = out->direct_used = out->direct_capacity = -1;
	out->mapped_count = out->mapped_used = out->mapped_capacity = -1;
	out->segments_available = out->segments_used = out->segments_total = -1;
	ret = parse_root(json, len, json_type_object, &root);
	if (ret)
		return ret;
	m = typed(root, "metrics", json_type_object);
	out->direct_count = get_ll(m, "directCount");
	out->direct_used = get_ll(m, "directUsed");
	out->direct_capacity = get_ll(m, "directMax");
	out->mapped_count = get_ll(m, "mappedCount");
	out->mapped_used = get_ll(m, "mappedUsed");
	out->mapped_capacity = get_ll(m, "mappedMax");
	out->segments_available = get_ll(m, "nettyShuffleMemorySegmentsAvailable");
	out->segments_used = get_ll(m, "nettyShuffleMemorySegmentsUsed");
	out->segments_total = get_ll(m, "nettyShuffleMemorySegmentsTotal");
	json_object_put(root);
	return 0;
}

int flinkrest_rpc_address(const char *path, char *host, size_t hostsz, unsigned *port)
{
	const char *p, *h, *he, *ps;
	unsigned long v = 0;
	size_t n;

	if (!path || !host || !hostsz || !port)
		return -EINVAL;
	host[0] = '\0';
	p = strstr(path, "://");
	if (!p)
		return -EINVAL;
	p += 3;
	/* the actor system's name, then '@', before any '/' */
	h = strpbrk(p, "@/");
	if (!h || *h != '@')
		return -EINVAL;
	h++;
	if (*h == '[') {
		he = strchr(++h, ']');
		if (!he || he[1] != ':')
			return -EINVAL;
		ps = he + 2;
	} else {
		he = strpbrk(h, ":/");
		if (!he || *he != ':')
			return -EINVAL;
		ps = he + 1;
	}
	n = (size_t)(he - h);
	if (!n || n >= hostsz || memchr(h, '@', n))
		return -EINVAL;
	if (*ps < '0' || *ps > '9')
		return -EINVAL;
	for (; *ps >= '0' && *ps <= '9'; ps++)
		if ((v = v * 10 + (unsigned long)(*ps - '0')) > 65535)
			return -EINVAL;
	if (!v || (*ps && *ps != '/'))
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	*port = (unsigned)v;
	return 0;
}
