/* jvmtap dump: collects for --duration, then prints one render: Prometheus text, or JSON with one
 * object per JVM and per container (totals at the end, and what happened in the duration). */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "args.h"
#include "config.h"
#include "engine.h"
#include "log.h"
#include "top.h"

#define TURN_MS 100
#define LOOK_S 1.0


static double delta(double a, double b)
{
	return a > b ? a - b : 0;
}

static json_object *num(double v)
{
	return json_object_new_double(v);
}

static void add(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static json_object *identity(const struct acc *a)
{
	json_object *o = json_object_new_object();

	add(o, "container_id", json_object_new_string(a->container_id));
	add(o, "namespace", json_object_new_string(a->ns));
	add(o, "pod", json_object_new_string(a->pod));
	add(o, "container", json_object_new_string(a->container));
	return o;
}

/* The counters at the end and their increase over the duration (null: the JVM or container
 * appeared during it, and was older than the duration). */
static void figures(json_object *o, const struct row *r, bool jvm)
{
	static const struct acc zero;
	const struct acc *a = r->a, *b = r->b ? r->b : &zero;
	json_object *cpu = json_object_new_object(), *in = NULL, *icpu;
	int k;

	if (jvm) {
		for (k = 0; k < ROWS_NKINDS; k++)
			add(cpu, rows_kind_name(k), num(a->cpu_kind[k]));
		add(o, "cpu_seconds_total", cpu);
	} else {
		json_object_put(cpu);
		add(o, "cpu_seconds_total", num(a->cpu));
	}
	add(o, "gc_pauses_total", num(a->gc_count));
	add(o, "gc_pause_seconds_total", num(a->gc_sum));
	add(o, "safepoint_seconds_total", num(a->sp_sum));
	add(o, "network_receive_bytes_total", num(a->rx));
	add(o, "network_transmit_bytes_total", num(a->tx));
	add(o, jvm ? "java_threads" : "threads", a->have_threads ? num(a->threads) : NULL);
	add(o, "heap_used_bytes", a->have_heap ? num(a->heap_used) : NULL);
	add(o, "heap_max_bytes", a->have_heap ? num(a->heap_max) : NULL);
	if (r->rates) {
		in = json_object_new_object();
		if (jvm) {
			icpu = json_object_new_object();
			for (k = 0; k < ROWS_NKINDS; k++)
				add(icpu, rows_kind_name(k), num(delta(a->cpu_kind[k], b->cpu_kind[k])));
			add(in, "cpu_seconds", icpu);
		} else {
			add(in, "cpu_seconds", num(delta(a->cpu, b->cpu)));
		}
		add(in, "cpu_percent", num(r->cpu_pct));
		add(in, "gc_pauses", num(r->gc_n));
		add(in, "gc_pause_seconds", num(delta(a->gc_sum, b->gc_sum)));
		add(in, "gc_pause_p99_seconds", num(r->gc_p99));
		add(in, "gc_pause_max_seconds", a->have_max ? num(r->gc_max) : NULL);
		add(in, "gc_time_percent", num(r->gc_pct));
		add(in, "safepoint_seconds", num(delta(a->sp_sum, b->sp_sum)));
		add(in, "network_receive_bytes", num(delta(a->rx, b->rx)));
		add(in, "network_transmit_bytes", num(delta(a->tx, b->tx)));
	}
	add(o, "interval", in);
}

static json_object *jvm_json(const struct row *r)
{
	json_object *o = json_object_new_object();

	add(o, "pid", json_object_new_int(r->a->pid));
	add(o, "main_class", json_object_new_string(r->a->main_class));
	add(o, "flink_role", json_object_new_string(r->a->flink_role));
	add(o, "start_time_seconds", r->a->start > 0 ? num(r->a->start) : NULL);
	add(o, "identity", identity(r->a));
	figures(o, r, true);
	return o;
}

static json_object *container_json(const struct row *r)
{
	json_object *o = identity(r->a);

	add(o, "jvms", json_object_new_int(r->a->njvms));
	figures(o, r, false);
	return o;
}

static int print_json(const struct snapshot *prev, const struct snapshot *cur)
{
	json_object *root, *arr;
	struct row *r;
	int n, i, pass;

	/* 15 significant digits: "0.1", not "0.10000000000000001"; integers without ".0". */
	json_c_set_serialization_double_format("%.15g", JSON_C_OPTION_GLOBAL);
	root = json_object_new_object();
	add(root, "start_time_seconds", num(prev->wall));
	add(root, "end_time_seconds", num(cur->wall));
	add(root, "duration_seconds", num(cur->mono - prev->mono));
	for (pass = 0; pass < 2; pass++) {
		n = rows_build(prev, cur, pass == 1, NULL, COL_PID, pass == 1, &r);
		if (n < 0) {
			json_object_put(root);
			return -1;
		}
		arr = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(arr, pass ? container_json(&r[i]) : jvm_json(&r[i]));
		add(root, pass ? "containers" : "jvms", arr);
		free(r);
	}
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return 0;
}

/* A look at the JVMs in the middle of the duration: the start times of those that exit before
 * its end (the collectors leave them out after the exit) are kept in seen. */
static void look(struct writer *w, struct snapshot *seen)
{
	struct snapshot now;

	top_capture(w, &now, false);
	rows_inherit(&now, seen);
	rows_free(seen);
	*seen = now;
}

int dump_main(volatile sig_atomic_t *exiting)
{
	struct snapshot s[3]; /* start, end, the latest look */
	struct writer *w = NULL;
	const char *text;
	int ret = 1;
	double end, next;
	size_t len;

	memset(s, 0, sizeof(s));
	if (top_start(&w))
		goto out;
	top_capture(w, &s[0], true);
	end = s[0].mono + cfg.dump_duration_ms / 1000.0;
	next = s[0].mono + LOOK_S;
	log_info("dump: collecting for %.1f s", cfg.dump_duration_ms / 1000.0);
	while (!*exiting) {
		struct timespec ts;
		double now;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = ts.tv_sec + ts.tv_nsec / 1e9;
		if (now >= end)
			break;
		if (now >= next) {
			look(w, &s[2]);
			next = now + LOOK_S;
		}
		engine_wait((int)ceil(fmin(end - now, TURN_MS / 1000.0) * 1000), -1);
		engine_turn();
	}
	top_capture(w, &s[1], true);
	rows_inherit(&s[1], &s[2]);
	rows_inherit(&s[1], &s[0]);
	if (s[0].failed || s[1].failed || writer_failed(w)) {
		log_err("dump: out of memory");
		goto out;
	}
	if (cfg.dump_format == DUMP_PROM) {
		text = writer_data(w, &len);
		ret = fwrite(text, 1, len, stdout) == len ? 0 : 1;
	} else {
		ret = print_json(&s[0], &s[1]) ? 1 : 0;
	}
	if (fflush(stdout))
		ret = 1;
out:
	rows_free(&s[0]);
	rows_free(&s[1]);
	rows_free(&s[2]);
	top_stop(w);
	return ret;
}

/* ---- its flags ---- */

enum { OPT_DUMP_DURATION = 1300, OPT_DUMP_FORMAT };

static const struct argp_option dump_options[] = {
	{ "duration", OPT_DUMP_DURATION, "DURATION", 0, "How long to collect: 10, 500ms, 10s, 2m (default 10s)", 0 },
	{ "format", OPT_DUMP_FORMAT, "FORMAT", 0, "prom (Prometheus text) or json (default prom)", 0 },
	{ 0 },
};

static error_t parse_dump(int key, char *arg, struct argp_state *st)
{
	switch (key) {
	case OPT_DUMP_DURATION:
		if (flag_millis(arg, 100, 24 * 3600000u, &cfg.dump_duration_ms))
			argp_error(st, "--duration: '%s' is not a duration in 100ms..24h (10, 500ms, 10s, 2m)", arg);
		break;
	case OPT_DUMP_FORMAT:
		if (!strcmp(arg, "prom"))
			cfg.dump_format = DUMP_PROM;
		else if (!strcmp(arg, "json"))
			cfg.dump_format = DUMP_JSON;
		else
			argp_error(st, "--format: '%s' is not prom or json", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp dump_argp = { dump_options, parse_dump, NULL, NULL, NULL, NULL, NULL };
