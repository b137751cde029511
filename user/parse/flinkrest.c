/* Pure parsers of a Flink JobManager's REST answers (1.20 and 2.x), on jsonval.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "flinkrest.h"
#include "jsonval.h"

/* One JSON value of type want; Flink answers a failed request with {"errors": [...]}, which is
 * not the object asked for. */
static int parse_root(const char *json, size_t len, enum json_type want, struct json_object **root)
{
	int err = jv_parse(json, len, want, root);

	if (!err && want == json_type_object && json_object_object_get_ex(*root, "errors", NULL)) {
		json_object_put(*root);
		*root = NULL;
		return -EBADMSG;
	}
	return err;
}

/* A vertex's summed counter, -1 while Flink says the sum is incomplete ("<key>-complete":
 * false: not every subtask's value has reached the JobManager): a partial sum would make the
 * counter go down and up again. */
static long long get_complete(struct json_object *m, const char *key)
{
	struct json_object *c;
	char k[64];

	snprintf(k, sizeof(k), "%s-complete", key);
	c = jv_typed(m, k, json_type_boolean);
	if (c && !json_object_get_boolean(c))
		return -1;
	return jv_get_ll(m, key);
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
		jv_get_str(root, "flink-version", version, vlen);
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
		struct json_object *k = jv_typed(e, "key", json_type_string);

		if (k && !strcmp(json_object_get_string(k), key) &&
		    jv_typed(e, "value", json_type_string)) {
			jv_get_str(e, "value", value, vlen);
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
	out->taskmanagers = jv_get_ll(root, "taskmanagers");
	out->slots_total = jv_get_ll(root, "slots-total");
	out->slots_available = jv_get_ll(root, "slots-available");
	out->jobs_running = jv_get_ll(root, "jobs-running");
	out->jobs_finished = jv_get_ll(root, "jobs-finished");
	out->jobs_cancelled = jv_get_ll(root, "jobs-cancelled");
	out->jobs_failed = jv_get_ll(root, "jobs-failed");
	jv_get_str(root, "flink-version", out->version, sizeof(out->version));
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
	*arr = jv_typed(*root, key, json_type_array);
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

	jv_get_str(e, "jid", j->id, sizeof(j->id));
	jv_get_str(e, "name", j->name, sizeof(j->name));
	jv_get_str(e, "state", j->state, sizeof(j->state));
	j->start_ms = jv_get_ll(e, "start-time");
	j->end_ms = jv_get_ll(e, "end-time");
	j->duration_ms = jv_get_ll(e, "duration");
	j->last_modification_ms = jv_get_ll(e, "last-modification");
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
	struct json_object *m = jv_typed(e, "metrics", json_type_object);

	jv_get_str(e, "id", v->id, sizeof(v->id));
	jv_get_str(e, "name", v->name, sizeof(v->name));
	v->parallelism = jv_get_ll(e, "parallelism");
	v->read_records = get_complete(m, "read-records");
	v->write_records = get_complete(m, "write-records");
	v->read_bytes = get_complete(m, "read-bytes");
	v->write_bytes = get_complete(m, "write-bytes");
	v->busy_ms = jv_get_ll(m, "accumulated-busy-time");
	v->idle_ms = jv_get_ll(m, "accumulated-idle-time");
	v->backpressured_ms = jv_get_ll(m, "accumulated-backpressured-time");
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
	struct json_object *nodes = jv_typed(jv_typed(root, "plan", json_type_object), "nodes",
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
		inputs = jv_member(node, "inputs");
		if (inputs && json_object_is_type(inputs, json_type_array)) {
			size_t ni = json_object_array_length(inputs);

			for (j = 0; j < ni; j++) {
				struct json_object *in = json_object_array_get_idx(inputs, j);
				struct json_object *iid = jv_typed(in, "id", json_type_string);
				const char *s = iid ? json_object_get_string(iid) : NULL;

				for (k = 0; s && k < out->nvertices; k++)
					if (!strcmp(s, out->vertices[k].id))
						is_input[k] = 1;
			}
		}
		id = jv_typed(node, "id", json_type_string);
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
	out->now_ms = jv_get_ll(root, "now");
	ts = jv_typed(root, "timestamps", json_type_object);
	out->restarting_ms = jv_get_ll(ts, "RESTARTING");
	out->running_ms = jv_get_ll(ts, "RUNNING");
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
	counts = jv_typed(root, "counts", json_type_object);
	out->completed = jv_get_ll(counts, "completed");
	out->failed = jv_get_ll(counts, "failed");
	out->in_progress = jv_get_ll(counts, "in_progress");
	out->restored = jv_get_ll(counts, "restored");
	out->total = jv_get_ll(counts, "total");
	latest = jv_typed(root, "latest", json_type_object);
	/* "completed" and "restored" are null until there is one */
	done = jv_typed(latest, "completed", json_type_object);
	out->last_duration_ms = jv_get_ll(done, "end_to_end_duration");
	out->last_checkpointed_size = jv_get_ll(done, "checkpointed_size");
	out->last_state_size = jv_get_ll(done, "state_size");
	out->last_ack_ms = jv_get_ll(done, "latest_ack_timestamp");
	restored = jv_typed(latest, "restored", json_type_object);
	out->last_restore_ms = jv_get_ll(restored, "restore_timestamp");
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
		struct json_object *id = jv_typed(e, "id", json_type_string);
		const char *s = id ? json_object_get_string(id) : NULL;

		for (k = 0; s && k < n; k++)
			if (ids[k] && !strcmp(s, ids[k]))
				out[k] = jv_dbl(jv_member(e, field));
	}
	json_object_put(root);
	return 0;
}

static void fill_tm(struct json_object *e, void *slot)
{
	struct flink_tm *t = slot;

	jv_get_str(e, "id", t->id, sizeof(t->id));
	jv_get_str(e, "path", t->path, sizeof(t->path));
	t->slots = jv_get_ll(e, "slotsNumber");
	t->free_slots = jv_get_ll(e, "freeSlots");
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
	m = jv_typed(root, "metrics", json_type_object);
	out->direct_count = jv_get_ll(m, "directCount");
	out->direct_used = jv_get_ll(m, "directUsed");
	out->direct_capacity = jv_get_ll(m, "directMax");
	out->mapped_count = jv_get_ll(m, "mappedCount");
	out->mapped_used = jv_get_ll(m, "mappedUsed");
	out->mapped_capacity = jv_get_ll(m, "mappedMax");
	out->segments_available = jv_get_ll(m, "nettyShuffleMemorySegmentsAvailable");
	out->segments_used = jv_get_ll(m, "nettyShuffleMemorySegmentsUsed");
	out->segments_total = jv_get_ll(m, "nettyShuffleMemorySegmentsTotal");
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
