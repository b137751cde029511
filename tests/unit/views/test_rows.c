/* Unit tests for user/views/rows.c (and the writer's sink it reads through): rates, the interval's p99
 * and max, pid reuse, new JVMs, container sums, filters and sort orders. */
// UNIT-SOURCES: user/expo/writer.c user/expo/numfmt.c user/expo/families.c user/collectors/jvm/hotspot.c user/parse/hsperf.c
#include <math.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rows.h"
#include "writer.h"

#define NS 1e-9

struct jvm_spec {
	int pid;
	double start;
	const char *cid, *ns, *pod, *ctr, *main_class, *role;
	double app, gc, jit, vm;
	uint64_t slots[40]; /* log2 ns slots of GC pauses */
	double gc_sum, max, sp_sum, threads, heap_used, heap_max, rx, tx;
};

/* Writes one JVM's families as the collectors do (same names, labels and helpers). */
static void write_jvm(struct writer *w, const struct jvm_spec *j)
{
	char pid[16];
	struct label id[] = { { "container_id", j->cid }, { "namespace", j->ns },
			      { "pod", j->pod }, { "container", j->ctr } };
	static const char *const kinds[] = { "app", "gc", "jit", "vm" };
	const double cpu[] = { j->app, j->gc, j->jit, j->vm };
	int k;

	snprintf(pid, sizeof(pid), "%d", j->pid);
	struct label info[] = { { "pid", pid }, { "main_class", j->main_class },
				{ "flink_role", j->role } };
	w_sample(w, "jvmtap_jvm_info", info, 3, id, 4, 1);
	struct label p[] = { { "pid", pid } };
	w_sample(w, "jvmtap_jvm_start_time_seconds", p, 1, id, 4, j->start);
	for (k = 0; k < 4; k++) {
		struct label a[] = { { "pid", pid }, { "thread_kind", kinds[k] } };

		w_sample(w, "jvmtap_jvm_cpu_seconds_total", a, 2, id, 4, cpu[k]);
	}
	struct label g[] = { { "pid", pid }, { "gc", "G1 Young Generation" }, { "action", "minor" } };
	w_log2_histogram(w, "jvmtap_jvm_gc_pause_seconds", g, 3, id, 4, j->slots, 40, 16, 33, NS,
			 j->gc_sum);
	if (j->max >= 0)
		w_sample(w, "jvmtap_jvm_gc_pause_max_seconds", g, 3, id, 4, j->max);
	w_log2_histogram(w, "jvmtap_jvm_safepoint_seconds", p, 1, id, 4, j->slots, 40, 16, 33, NS,
			 j->sp_sum);
	struct label nd[] = { { "pid", pid }, { "daemon", "false" } };
	w_sample(w, "jvmtap_jvm_threads", nd, 2, id, 4, j->threads);
	struct label heap[] = { { "pid", pid }, { "area", "heap" } };
	struct label non[] = { { "pid", pid }, { "area", "nonheap" } };
	w_sample(w, "jvmtap_jvm_memory_used_bytes", heap, 2, id, 4, j->heap_used);
	w_sample(w, "jvmtap_jvm_memory_used_bytes", non, 2, id, 4, 1e9); /* not heap */
	w_sample(w, "jvmtap_jvm_memory_max_bytes", heap, 2, id, 4, j->heap_max);
	struct label rx[] = { { "pid", pid }, { "direction", "receive" }, { "protocol", "tcp" } };
	struct label tx[] = { { "pid", pid }, { "direction", "transmit" }, { "protocol", "tcp" } };
	w_sample(w, "jvmtap_jvm_network_bytes_total", rx, 3, id, 4, j->rx);
	w_sample(w, "jvmtap_jvm_network_bytes_total", tx, 3, id, 4, j->tx);
}

static void write_container(struct writer *w, const char *cid, const char *ns, const char *pod,
			    const char *ctr, double cpu, double threads)
{
	struct label id[] = { { "container_id", cid }, { "namespace", ns }, { "pod", pod },
			      { "container", ctr } };

	w_sample(w, "jvmtap_container_cpu_seconds_total", NULL, 0, id, 4, cpu);
	w_sample(w, "jvmtap_container_threads", NULL, 0, id, 4, threads);
}

static struct jvm_spec tm(double scale)
{
	struct jvm_spec j = {
		.pid = 100, .start = 1000, .cid = "abc", .ns = "flink", .pod = "tm-0",
		.ctr = "taskmanager", .main_class = "TaskManagerRunner", .role = "taskmanager",
		.app = 10 * scale, .gc = 2 * scale, .jit = 1 * scale, .vm = 0.5 * scale,
		.gc_sum = 0.5 * scale, .max = 0.003, .sp_sum = 0.6 * scale, .threads = 40,
		.heap_used = 100e6, .heap_max = 1e9, .rx = 1000 * scale, .tx = 2000 * scale,
	};

	/* 1000 * scale pauses: 99% in [2^19, 2^20) ns (524-1049 us), 1% in [2^21, 2^22) ns. */
	j.slots[19] = (uint64_t)(990 * scale);
	j.slots[21] = (uint64_t)(10 * scale);
	return j;
}

static void snap(struct snapshot *s, struct writer *w, double mono, double wall,
		 const struct jvm_spec *j, size_t nj)
{
	size_t i;

	rows_capture_begin(s, w);
	writer_reset(w);
	for (i = 0; i < nj; i++)
		write_jvm(w, &j[i]);
	write_container(w, "abc", "flink", "tm-0", "taskmanager", 20 * mono, 55);
	write_container(w, "/", "", "", "", 5 * mono, 300);
	write_container(w, "/kubepods.slice", "", "", "", 1, 0);           /* idle parent */
	write_container(w, "/system.slice/cron.service", "", "", "", 0.01 * mono, 2);
	rows_capture_end(s, w);
	s->mono = mono;
	s->wall = wall;
}

static const struct row *by_pid(const struct row *r, int n, int pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (r[i].a->pid == pid)
			return &r[i];
	return NULL;
}

static void test_sink_sees_what_is_written(void **state)
{
	struct snapshot s;
	struct writer *w = writer_new();
	struct jvm_spec j = tm(1);

	(void)state;
	snap(&s, w, 1, 1000, &j, 1);
	assert_int_equal(s.njvm, 1);
	assert_int_equal(s.jvm[0].pid, 100);
	assert_string_equal(s.jvm[0].main_class, "TaskManagerRunner");
	assert_string_equal(s.jvm[0].pod, "tm-0");
	assert_float_equal(s.jvm[0].cpu, 13.5, 1e-9);
	assert_float_equal(s.jvm[0].gc_count, 1000, 0);
	assert_float_equal(s.jvm[0].heap_used, 100e6, 0); /* nonheap left out */
	assert_float_equal(s.jvm[0].rx, 1000, 0);
	assert_float_equal(s.jvm[0].tx, 2000, 0);
	/* Buckets le 2^17..2^34 ns: 18 finite bounds, cumulative. */
	assert_int_equal(s.jvm[0].nb, 18);
	assert_float_equal(s.jvm[0].cum[17], 1000, 0);
	/* The text is still written while the sink listens. */
	assert_non_null(strstr(writer_data(w, NULL), "jvmtap_jvm_gc_pause_seconds_count{pid=\"100\""));
	rows_free(&s);
	writer_free(w);
}

static void test_rates_p99_max(void **state)
{
	struct snapshot a, b;
	struct writer *w = writer_new();
	struct jvm_spec j1 = tm(1), j2 = tm(3);
	struct row *r;
	int n;

	(void)state;
	snap(&a, w, 10, 1000, &j1, 1);
	snap(&b, w, 12, 1002, &j2, 1);
	n = rows_build(&a, &b, false, NULL, COL_CPU, false, &r);
	assert_int_equal(n, 1);
	assert_true(r[0].rates);
	assert_float_equal(r[0].dt, 2, 1e-12);
	assert_float_equal(r[0].cpu_pct, 27.0 / 2 * 100, 1e-9); /* 13.5 s more in 2 s */
	assert_float_equal(r[0].kind_pct[KIND_GC_I], 4.0 / 2 * 100, 1e-9);
	assert_float_equal(r[0].gc_n, 2000, 0);
	assert_float_equal(r[0].gc_per_s, 1000, 1e-9);
	assert_float_equal(r[0].gc_pct, 1.0 / 2 * 100, 1e-9);
	assert_float_equal(r[0].sp_pct, 1.2 / 2 * 100, 1e-9);
	assert_float_equal(r[0].rx_per_s, 1000, 1e-9);
	assert_float_equal(r[0].tx_per_s, 2000, 1e-9);
	/* 2000 pauses, rank 1980: exactly the top of the 524-1049 us bucket (1980 in it). */
	assert_float_equal(r[0].gc_p99, 1048576e-9, 1e-12);
	assert_float_equal(r[0].gc_max, 0.003, 0);
	free(r);
	rows_free(&a);
	rows_free(&b);

	/* With a max below the interpolated quantile, p99 is capped by the max. */
	j1 = tm(1), j2 = tm(2);
	j2.slots[19] = 990 + 900;
	j2.slots[21] = 10 + 100; /* 1000 new: 900 low, 100 high: p99 in the high bucket */
	j2.max = 0.0025;
	snap(&a, w, 10, 1000, &j1, 1);
	snap(&b, w, 11, 1001, &j2, 1);
	n = rows_build(&a, &b, false, NULL, COL_CPU, false, &r);
	assert_int_equal(n, 1);
	/* rank 990: 900 in (0.52, 1.05] ms, 90 of 100 into (2.1, 4.2] ms -> 3.87 ms > max. */
	assert_float_equal(r[0].gc_p99, 0.0025, 0);
	free(r);
	rows_free(&a);
	rows_free(&b);
	writer_free(w);
}

static void test_interpolation(void **state)
{
	struct snapshot a, b;
	struct writer *w = writer_new();
	struct jvm_spec j1 = tm(1), j2 = tm(1);
	struct row *r;

	(void)state;
	j2.slots[19] += 50;
	j2.slots[20] += 50; /* 100 new pauses: 50 in (0.52, 1.05] ms, 50 in (1.05, 2.1] ms */
	j2.max = 1;
	snap(&a, w, 1, 1000, &j1, 1);
	snap(&b, w, 2, 1001, &j2, 1);
	assert_int_equal(rows_build(&a, &b, false, NULL, COL_CPU, false, &r), 1);
	/* rank 99: 49/50 of the way through (2^20, 2^21] ns, as histogram_quantile() has it. */
	assert_float_equal(r[0].gc_p99, (1048576 + 1048576 * 49.0 / 50) * 1e-9, 1e-12);
	free(r);
	rows_free(&a);
	rows_free(&b);
	writer_free(w);
}

static void test_pid_reuse_and_new_jvms(void **state)
{
	struct snapshot a, b;
	struct writer *w = writer_new();
	struct jvm_spec old = tm(1), reused = tm(1), fresh = tm(1), late = tm(1);
	const struct row *x;
	struct row *r;
	int n;

	(void)state;
	reused.start = 1009.8;          /* pid 100 again: another process, started since */
	fresh.pid = 200, fresh.start = 1009.5; /* started during the interval */
	late.pid = 300, late.start = 500;      /* old, but new to the list */
	snap(&a, w, 10, 1008, &old, 1);
	struct jvm_spec now[] = { reused, fresh, late };
	snap(&b, w, 12, 1010, now, 3);
	n = rows_build(&a, &b, false, NULL, COL_PID, false, &r);
	assert_int_equal(n, 3);
	/* Its counters are its own, not a difference with the old process's. */
	x = by_pid(r, n, 100);
	assert_true(x->rates);
	assert_null(x->b);
	assert_float_equal(x->gc_n, 1000, 0);
	x = by_pid(r, n, 200);
	assert_true(x->rates);
	assert_null(x->b);
	assert_float_equal(x->gc_n, 1000, 0); /* everything it counted is in the interval */
	assert_false(by_pid(r, n, 300)->rates);
	/* Rows without rates sort after rows with them, whatever the column. */
	free(r);
	n = rows_build(&a, &b, false, NULL, COL_CPU, false, &r);
	assert_true(r[0].rates && r[1].rates && !r[2].rates);
	assert_int_equal(r[2].a->pid, 300);
	free(r);
	/* No older snapshot: rows, but no rates. */
	n = rows_build(NULL, &b, false, NULL, COL_CPU, false, &r);
	assert_int_equal(n, 3);
	assert_false(r[0].rates || r[1].rates || r[2].rates);
	free(r);
	rows_free(&a);
	rows_free(&b);
	writer_free(w);
}

static void test_containers(void **state)
{
	struct snapshot a, b;
	struct writer *w = writer_new();
	struct jvm_spec j1[2] = { tm(1), tm(1) }, j2[2] = { tm(2), tm(2) };
	struct row *r;
	int n, i;

	(void)state;
	j1[1].pid = j2[1].pid = 101;
	snap(&a, w, 10, 1000, j1, 2);
	snap(&b, w, 11, 1001, j2, 2);
	n = rows_build(&a, &b, true, NULL, COL_CPU, false, &r);
	/* abc, the root and cron.service, not the idle kubepods.slice */
	assert_int_equal(n, 3);
	assert_string_equal(r[2].a->container_id, "/system.slice/cron.service");
	assert_string_equal(r[0].a->container_id, "abc"); /* 2000% before the host's 500% */
	assert_float_equal(r[1].cpu_pct, 5.0 * 100, 1e-9);
	for (i = 0; i < n && strcmp(r[i].a->container_id, "abc"); i++)
		;
	assert_true(i < n);
	assert_int_equal(r[i].a->njvms, 2);
	assert_float_equal(r[i].cpu_pct, 20.0 * 100, 1e-9); /* the cgroup's CPU, not the JVMs' */
	assert_float_equal(r[i].kind_pct[KIND_APP_I], 2 * 10.0 * 100, 1e-9);
	assert_float_equal(r[i].gc_n, 2000, 0);
	assert_float_equal(r[i].a->threads, 55, 0); /* OS threads of the cgroup */
	assert_float_equal(r[i].a->heap_used, 200e6, 0);
	assert_float_equal(r[i].gc_max, 0.003, 0);
	free(r);
	rows_free(&a);
	rows_free(&b);
	writer_free(w);
}

static void test_filters_and_sort(void **state)
{
	struct snapshot a, b;
	struct writer *w = writer_new();
	struct jvm_spec j1[3] = { tm(1), tm(1), tm(1) }, j2[3] = { tm(2), tm(3), tm(4) };
	struct rows_filter f = { 0 };
	char id[512];
	regex_t re;
	struct row *r;
	int n, k;

	(void)state;
	for (k = 0; k < 3; k++) {
		j1[k].pid = j2[k].pid = 10 + k;
		j1[k].pod = j2[k].pod = k == 2 ? "jm-0" : "tm-0";
		j1[k].main_class = j2[k].main_class = k == 2 ? "StandaloneSessionClusterEntrypoint"
							     : "TaskManagerRunner";
	}
	j2[0].heap_used = 900e6;
	snap(&a, w, 10, 1000, j1, 3);
	snap(&b, w, 11, 1001, j2, 3);
	n = rows_build(&a, &b, false, NULL, COL_CPU, false, &r);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].a->pid, 12); /* most CPU first */
	assert_int_equal(r[2].a->pid, 10);
	free(r);
	n = rows_build(&a, &b, false, NULL, COL_CPU, true, &r);
	assert_int_equal(r[0].a->pid, 10);
	free(r);
	n = rows_build(&a, &b, false, NULL, COL_HEAP, false, &r);
	assert_int_equal(r[0].a->pid, 10);
	free(r);
	n = rows_build(&a, &b, false, NULL, COL_NAME, false, &r);
	rows_identity(r[0].a, id, sizeof(id));
	assert_string_equal(id, "flink/jm-0/taskmanager");
	free(r);

	f.pod = "tm-0";
	n = rows_build(&a, &b, false, &f, COL_PID, false, &r);
	assert_int_equal(n, 2);
	free(r);
	f.pod = NULL;
	f.ns = "other";
	assert_int_equal(rows_build(&a, &b, false, &f, COL_PID, false, &r), 0);
	free(r);
	f.ns = NULL;
	assert_int_equal(regcomp(&re, "Entrypoint|^x", REG_EXTENDED | REG_NOSUB), 0);
	f.re = &re;
	n = rows_build(&a, &b, false, &f, COL_PID, false, &r);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].a->pid, 12);
	free(r);
	regfree(&re);
	rows_free(&a);
	rows_free(&b);
	writer_free(w);
}

static void test_columns_and_regex(void **state)
{
	(void)state;
	assert_int_equal(rows_col_of("cpu"), COL_CPU);
	assert_int_equal(rows_col_of("name"), COL_NAME);
	assert_int_equal(rows_col_of("CPU"), -1);
	assert_int_equal(rows_col_of(NULL), -1);
	assert_string_equal(rows_col_name(COL_P99), "p99");
	assert_int_equal(rows_check_regex("a|b"), 0);
	assert_int_not_equal(rows_check_regex("("), 0);
}

static void test_identity_text(void **state)
{
	struct acc a = { 0 };
	char b[512];

	(void)state;
	strcpy(a.container_id, "/");
	rows_identity(&a, b, sizeof(b));
	assert_string_equal(b, "-");
	strcpy(a.container_id, "/system.slice/foo.service");
	rows_identity(&a, b, sizeof(b));
	assert_string_equal(b, "/system.slice/foo.service");
	strcpy(a.pod, "p");
	strcpy(a.ns, "n");
	strcpy(a.container, "c");
	rows_identity(&a, b, sizeof(b));
	assert_string_equal(b, "n/p/c");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sink_sees_what_is_written),
		cmocka_unit_test(test_rates_p99_max),
		cmocka_unit_test(test_interpolation),
		cmocka_unit_test(test_pid_reuse_and_new_jvms),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_filters_and_sort),
		cmocka_unit_test(test_columns_and_regex),
		cmocka_unit_test(test_identity_text),
	};

	return cmocka_run_group_tests_name("rows", tests, NULL, NULL);
}
