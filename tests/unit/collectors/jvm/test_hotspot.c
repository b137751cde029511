/* Unit tests for the HotSpot and Flink policy: roles of every Flink entry point (the list in
 * docs/metrics.md#flink-roles, from Flink's sources and checked on real 1.20 and 2.x clusters),
 * thread kinds from HotSpot's thread names, MXBean collector names, heap and pool totals, the
 * waits between tries to read a JVM's hsperfdata for jvm_info. The
 * numbers themselves are checked against MXBeans by tests/integration/test_hsperf.py; here the
 * rules are pinned so a change to one is seen. */
// UNIT-SOURCES: user/parse/hsperf.c
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hotspot.h"

#define FIXTURE "tests/unit/data/hsperfdata_g1.bin"

static void test_flink_roles(void **state)
{
	static const struct {
		const char *cls, *role;
	} cases[] = {
		/* JobManagers: every cluster entry point of every deployment mode */
		{ "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", "jobmanager" },
		{ "org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint", "jobmanager" },
		{ "org.apache.flink.container.entrypoint.StandaloneJobClusterEntryPoint", "jobmanager" },
		{ "org.apache.flink.kubernetes.entrypoint.KubernetesSessionClusterEntrypoint", "jobmanager" },
		{ "org.apache.flink.kubernetes.entrypoint.KubernetesApplicationClusterEntrypoint", "jobmanager" },
		{ "org.apache.flink.yarn.entrypoint.YarnSessionClusterEntrypoint", "jobmanager" },
		{ "org.apache.flink.yarn.entrypoint.YarnApplicationClusterEntryPoint", "jobmanager" },
		{ "org.apache.flink.yarn.entrypoint.YarnJobClusterEntrypoint", "jobmanager" },
		/* TaskManagers */
		{ "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", "taskmanager" },
		{ "org.apache.flink.kubernetes.taskmanager.KubernetesTaskExecutorRunner", "taskmanager" },
		{ "org.apache.flink.kubernetes.entrypoint.KubernetesTaskExecutorRunner", "taskmanager" },
		{ "org.apache.flink.yarn.YarnTaskExecutorRunner", "taskmanager" },
		/* around them */
		{ "org.apache.flink.runtime.util.bash.BashJavaUtils", "launcher" },
		{ "org.apache.flink.client.cli.CliFrontend", "client" },
		{ "org.apache.flink.table.client.SqlClient", "sql-client" },
		{ "org.apache.flink.table.gateway.SqlGateway", "sql-gateway" },
		{ "org.apache.flink.runtime.webmonitor.history.HistoryServer", "historyserver" },
		/* not Flink, or not a Flink daemon */
		{ "com.example.TaskManagerRunner", "none" },
		{ "com.example.flink.StandaloneSessionClusterEntrypoint", "none" },
		{ "org.apache.flink.runtime.entrypoint.ClusterEntrypoint", "none" },
		{ "org.apache.flink.streaming.examples.wordcount.WordCount", "none" },
		{ "org.apache.flink.", "none" },
		{ "TaskManagerRunner", "none" },
		{ "", "none" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = flink_role_of(cases[i].cls);

		if (strcmp(got, cases[i].role))
			fail_msg("%s: role %s, want %s", cases[i].cls, got, cases[i].role);
	}
}

static void test_thread_kinds(void **state)
{
	static const struct {
		const char *comm;
		enum thread_kind kind;
	} cases[] = {
		/* as /proc/PID/task/TID/comm shows them (15 bytes) on JDK 17 and 25 */
		{ "GC Thread#0", KIND_GC },	 { "G1 Main Marker", KIND_GC },
		{ "G1 Conc#0", KIND_GC },	 { "G1 Refine#0", KIND_GC },
		{ "G1 Service", KIND_GC },	 { "ParGC Thread#1", KIND_GC },
		{ "ZDirector", KIND_GC },	 { "ZWorkerYoung#0", KIND_GC },
		{ "Shenandoah Cont", KIND_GC },  { "C2 CompilerThre", KIND_JIT },
		{ "C1 CompilerThre", KIND_JIT }, { "Sweeper thread", KIND_JIT },
		{ "JVMCI-native Co", KIND_JIT }, { "VM Thread", KIND_VM },
		{ "VM Periodic Tas", KIND_VM },	 { "Service Thread", KIND_VM },
		{ "Monitor Deflati", KIND_VM },	 { "Signal Dispatch", KIND_VM },
		{ "Reference Handl", KIND_VM },	 { "Finalizer", KIND_VM },
		{ "Common-Cleaner", KIND_VM },	 { "Notification Th", KIND_VM },
		{ "Attach Listener", KIND_VM },	 { "JFR Recorder Th", KIND_VM },
		/* application threads, Flink's among them */
		{ "java", KIND_APP },		 { "main", KIND_APP },
		{ "Source: orders ", KIND_APP }, { "flink-pekko.act", KIND_APP },
		{ "Zookeeper", KIND_APP },	 { "Z", KIND_APP },
		{ "", KIND_APP },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (thread_kind_of(cases[i].comm) != cases[i].kind)
			fail_msg("'%s': kind %s, want %s", cases[i].comm,
				 thread_kind_name(thread_kind_of(cases[i].comm)),
				 thread_kind_name(cases[i].kind));
	assert_string_equal(thread_kind_name(KIND_GC), "gc");
	assert_string_equal(thread_kind_name(KIND__N), "app");
}

static void space(struct hsperf_jvm *h, const char *name, int gen, long long used, long long cap,
		  long long max)
{
	int i = h->nspaces++;

	snprintf(h->space[i].name, sizeof(h->space[i].name), "%s", name);
	h->space[i].gen = gen;
	h->space[i].used = used;
	h->space[i].capacity = cap;
	h->space[i].max = max;
}

static void init(struct hsperf_jvm *p, const char *policy)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->gc_policy, sizeof(p->gc_policy), "%s", policy);
	p->metaspace.used = p->metaspace.capacity = p->metaspace.max = -1;
	p->ccs.used = p->ccs.capacity = p->ccs.max = -1;
}

/* Serial: one survivor space is always empty and not part of the heap the JVM can use. */
static void test_heap_serial(void **state)
{
	struct hsperf_jvm p;
	long long used, committed, max;

	(void)state;
	init(&p, "Copy:MSC");
	space(&p, "eden", 0, 1000, 8000, 17000);
	space(&p, "s0", 0, 0, 1000, 2000);
	space(&p, "s1", 0, 300, 1000, 2000);
	space(&p, "old", 1, 5000, 20000, 43000);
	p.gen_max[0] = 21000;
	p.gen_max[1] = 43000;
	hotspot_heap(&p, &used, &committed, &max);
	assert_int_equal(used, 6300);
	assert_int_equal(committed, 8000 + 1000 + 20000);
	assert_int_equal(max, 21000 - 2000 + 43000);
	assert_string_equal(hotspot_collector_name(&p, 0), "Copy");
	assert_string_equal(hotspot_collector_name(&p, 1), "MarkSweepCompact");
}

static void test_heap_parallel(void **state)
{
	struct hsperf_jvm p;
	long long used, committed, max;

	(void)state;
	init(&p, "ParScav:MSC");
	space(&p, "eden", 0, 100, 6000, 20000);
	space(&p, "s0", 0, 0, 1500, 7000);
	space(&p, "s1", 0, 0, 1000, 7000);
	space(&p, "old", 1, 4000, 16000, 44000);
	p.gen_max[0] = 21000;
	p.gen_max[1] = 44000;
	hotspot_heap(&p, &used, &committed, &max);
	assert_int_equal(used, 4100);
	assert_int_equal(committed, 6000 + 1500 + 16000);
	/* the larger committed survivor is left out of the young generation's max */
	assert_int_equal(max, 21000 - 1500 + 44000);
	assert_string_equal(hotspot_collector_name(&p, 0), "PS Scavenge");
	assert_string_equal(hotspot_collector_name(&p, 1), "PS MarkSweep");
}

/* A region-based collector: every space's max is the whole heap, so the max is not summed. */
static void test_heap_and_pools_of_a_real_g1_file(void **state)
{
	static unsigned char buf[65536];
	long long used, committed, max, pools[POOL__N][3], sum = 0;
	struct hsperf_jvm p;
	size_t len;
	FILE *f = fopen(FIXTURE, "rb");
	int i;

	(void)state;
	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(hotspot_read(buf, len, &p, NULL), HSPERF_OK);
	assert_string_equal(p.gc_policy, "GarbageFirst");
	assert_true(p.gen_max[0] > 0 && p.gen_max[1] > 0);
	hotspot_heap(&p, &used, &committed, &max);
	for (i = 0; i < p.nspaces; i++) {
		sum += p.space[i].used;
		assert_true(p.space[i].max <= max);
	}
	assert_int_equal(used, sum);
	assert_true(used > 0 && used <= committed && committed <= max);
	hotspot_pools(&p, pools);
	/* G1 calls its old space "space"; the pools add up to the heap */
	assert_int_equal(pools[POOL_EDEN][0] + pools[POOL_SURVIVOR][0] + pools[POOL_OLD][0], used);
	assert_true(pools[POOL_METASPACE][0] > 0);
	assert_true(pools[POOL_CCS][0] > 0);
	assert_string_equal(hotspot_collector_name(&p, 0), "G1 Young Generation");
	assert_string_equal(hotspot_collector_name(&p, 1), "G1 Old Generation");
	assert_string_equal(hotspot_pool_name(POOL_CCS), "compressed_class_space");
}

/* A collector with no MXBean name in the table keeps hsperfdata's own name. */
static void test_unknown_policy_keeps_hsperf_names(void **state)
{
	struct hsperf_jvm p;
	long long pools[POOL__N][3];

	(void)state;
	init(&p, "Z");
	p.ncollectors = 1;
	snprintf(p.collector[0].name, sizeof(p.collector[0].name), "Z concurrent cycle pauses");
	assert_string_equal(hotspot_collector_name(&p, 0), "Z concurrent cycle pauses");
	hotspot_pools(&p, pools);
	assert_int_equal(pools[POOL_EDEN][1], 0);
	assert_int_equal(pools[POOL_METASPACE][0], -1);
}

static void collector(struct hsperf_jvm *h, int i, const char *name)
{
	snprintf(h->collector[i].name, sizeof(h->collector[i].name), "%s", name);
	if (h->ncollectors <= i)
		h->ncollectors = i + 1;
}

/* ZGC and Shenandoah write no sun.gc.policy.name: named from their collectors, as the JDK 17
 * and 25 files have them; a policy the file has stays. */
static void test_gc_policy_of_collectors(void **state)
{
	struct hsperf_jvm p;

	(void)state;
	init(&p, "");
	collector(&p, 2, "Z concurrent cycle pauses"); /* JDK 17: collector 2 only */
	hotspot_gc_policy(&p);
	assert_string_equal(p.gc_policy, "ZGC");
	init(&p, "");
	collector(&p, 0, "ZGC minor collection pauses");
	collector(&p, 2, "ZGC major collection pauses");
	hotspot_gc_policy(&p);
	assert_string_equal(p.gc_policy, "ZGC");
	init(&p, "");
	collector(&p, 0, "Shenandoah partial");
	collector(&p, 1, "Shenandoah full");
	hotspot_gc_policy(&p);
	assert_string_equal(p.gc_policy, "Shenandoah");
	init(&p, "GarbageFirst");
	collector(&p, 0, "G1 young collection pauses");
	hotspot_gc_policy(&p);
	assert_string_equal(p.gc_policy, "GarbageFirst");
	/* nothing known: stays empty, as does a name that only starts alike */
	init(&p, "");
	collector(&p, 0, "Zebra");
	collector(&p, 1, "ShenandoahX");
	hotspot_gc_policy(&p);
	assert_string_equal(p.gc_policy, "");
}

/* The wait between tries to learn jvm_info's version and GC policy: every second while a JVM's
 * file may still come, then doubling to a minute for one that has none. */
static void test_info_retry(void **state)
{
	static const unsigned want[] = { 1, 1, 1, 1, 1, 2, 4, 8, 16, 32, 60, 60, 60 };
	unsigned misses = 0, i, t;

	(void)state;
	assert_int_equal(HOTSPOT_INFO_FAST_TRIES, 5);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(hotspot_info_retry_s(-ENOENT, &misses), want[i]);
		assert_int_equal(misses, i + 1);
	}
	/* a file found, even one not ready or broken: every second again, from the start */
	assert_int_equal(hotspot_info_retry_s(-EAGAIN, &misses), 1);
	assert_int_equal(misses, 0);
	assert_int_equal(hotspot_info_retry_s(-ENOENT, &misses), 1);
	misses = 40;
	assert_int_equal(hotspot_info_retry_s(-EBADMSG, &misses), 1);
	assert_int_equal(misses, 0);
	misses = 40;
	assert_int_equal(hotspot_info_retry_s(0, &misses), 1);
	assert_int_equal(misses, 0);
	/* no overflow after years of misses */
	misses = UINT_MAX - 1;
	assert_int_equal(hotspot_info_retry_s(-ENOENT, &misses), HOTSPOT_INFO_MAX_WAIT);
	assert_int_equal(hotspot_info_retry_s(-ENOENT, &misses), HOTSPOT_INFO_MAX_WAIT);
	assert_int_equal(misses, UINT_MAX);
	/* A JVM whose file is written 4 s after it is found is learned at once; one without a
	 * file costs 69 tries in its first hour, not 3600. */
	for (misses = 0, t = 0; t < 4;)
		t += hotspot_info_retry_s(-ENOENT, &misses);
	assert_int_equal(t, 4);
	for (misses = 0, t = 0, i = 0; t < 3600; i++)
		t += hotspot_info_retry_s(-ENOENT, &misses);
	assert_int_equal(i, 69);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flink_roles),
		cmocka_unit_test(test_thread_kinds),
		cmocka_unit_test(test_heap_serial),
		cmocka_unit_test(test_heap_parallel),
		cmocka_unit_test(test_heap_and_pools_of_a_real_g1_file),
		cmocka_unit_test(test_unknown_policy_keeps_hsperf_names),
		cmocka_unit_test(test_gc_policy_of_collectors),
		cmocka_unit_test(test_info_retry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
