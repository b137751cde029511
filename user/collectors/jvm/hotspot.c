/* HotSpot and Flink naming and accounting rules (hotspot.h). */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "hotspot.h"

/* Flink's entry points (flink-runtime, flink-yarn, flink-kubernetes, flink-sql-gateway). */
const char *flink_role_of(const char *cls)
{
	static const struct {
		const char *cls, *role;
	} exact[] = {
		{ "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", "taskmanager" },
		{ "org.apache.flink.yarn.YarnTaskExecutorRunner", "taskmanager" },
		{ "org.apache.flink.kubernetes.taskmanager.KubernetesTaskExecutorRunner", "taskmanager" },
		/* its package before Flink 1.12 */
		{ "org.apache.flink.kubernetes.entrypoint.KubernetesTaskExecutorRunner", "taskmanager" },
		/* Short-lived JVMs around the daemons: the scripts' memory calculator that runs
		 * before every JobManager and TaskManager, and the command-line clients. */
		{ "org.apache.flink.runtime.util.bash.BashJavaUtils", "launcher" },
		{ "org.apache.flink.client.cli.CliFrontend", "client" },
		{ "org.apache.flink.table.client.SqlClient", "sql-client" },
	};
	const char *simple = strrchr(cls, '.');
	size_t i, n;

	if (strncmp(cls, "org.apache.flink.", 17) || !simple)
		return "none";
	simple++;
	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (!strcmp(cls, exact[i].cls))
			return exact[i].role;
	n = strlen(simple);
	/* StandaloneSessionClusterEntrypoint, KubernetesApplicationClusterEntrypoint,
	 * YarnJobClusterEntrypoint, StandaloneApplicationClusterEntryPoint, ... */
	if (n > 17 && !strcasecmp(simple + n - 17, "ClusterEntrypoint"))
		return "jobmanager";
	if (!strcmp(simple, "HistoryServer"))
		return "historyserver";
	if (!strcmp(simple, "SqlGateway"))
		return "sql-gateway";
	return "none";
}

static bool prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* HotSpot names its threads (the kernel keeps 15 bytes of the name). */
enum thread_kind thread_kind_of(const char *c)
{
	if (prefix(c, "GC Thread") || prefix(c, "G1 ") || prefix(c, "ParGC") ||
	    prefix(c, "Shenandoah") || (c[0] == 'Z' && c[1] >= 'A' && c[1] <= 'Z'))
		return KIND_GC;
	if (prefix(c, "C1 CompilerThre") || prefix(c, "C2 CompilerThre") || prefix(c, "JVMCI") ||
	    prefix(c, "Sweeper thread"))
		return KIND_JIT;
	if (prefix(c, "VM ") || prefix(c, "Service Thread") || prefix(c, "Monitor Deflati") ||
	    prefix(c, "Signal Dispatch") || prefix(c, "Reference Handl") || prefix(c, "Finalizer") ||
	    prefix(c, "Common-Cleaner") || prefix(c, "Notification Th") ||
	    prefix(c, "Attach Listener") || prefix(c, "JFR "))
		return KIND_VM;
	return KIND_APP;
}

const char *thread_kind_name(enum thread_kind k)
{
	static const char *const names[KIND__N] = { "app", "gc", "jit", "vm" };

	return k < KIND__N ? names[k] : "app";
}

/* ZGC and Shenandoah write no sun.gc.policy.name: their collectors' names tell them ("Z
 * concurrent cycle pauses" on JDK 17, "ZGC minor collection pauses" and "ZGC major collection
 * pauses" on JDK 25, "Shenandoah partial" and "Shenandoah full" on both). */
void hotspot_gc_policy(struct hsperf_jvm *h)
{
	int i;

	for (i = 0; i < h->ncollectors && !h->gc_policy[0]; i++) {
		const char *c = h->collector[i].name;

		if (prefix(c, "Z ") || prefix(c, "ZGC "))
			snprintf(h->gc_policy, sizeof(h->gc_policy), "ZGC");
		else if (prefix(c, "Shenandoah "))
			snprintf(h->gc_policy, sizeof(h->gc_policy), "Shenandoah");
	}
}

enum hsperf_err hotspot_read(const void *buf, size_t len, struct hsperf_jvm *out,
			     struct hsperf_layout *lay)
{
	enum hsperf_err e = hsperf_learn_jvm(buf, len, out, lay);

	if (e == HSPERF_OK)
		hotspot_gc_policy(out);
	return e;
}

/* what: 0 used, 1 capacity, 2 max; 0 when the space is absent. */
static long long space_val(const struct hsperf_jvm *h, const char *name, int what)
{
	int i;

	for (i = 0; i < h->nspaces; i++)
		if (!strcmp(h->space[i].name, name))
			return what == 0 ? h->space[i].used :
			       what == 1 ? h->space[i].capacity : h->space[i].max;
	return 0;
}

static long long max2(long long a, long long b)
{
	return a > b ? a : b;
}

/* Region-based collectors (G1, ZGC, Shenandoah) give every space the whole heap as its max:
 * those are not summed. The generational ones keep one survivor space empty, which the JVM
 * leaves out of its max. */
void hotspot_heap(const struct hsperf_jvm *h, long long *used, long long *committed,
		  long long *max)
{
	const char *pol = h->gc_policy;
	long long s0c = space_val(h, "s0", 1), s1c = space_val(h, "s1", 1);
	int i;

	*used = *committed = *max = 0;
	for (i = 0; i < h->nspaces; i++) {
		*used += h->space[i].used;
		*committed += h->space[i].capacity;
		*max = max2(*max, h->space[i].max);
	}
	*committed -= s0c + s1c - max2(s0c, s1c);
	if (!strcmp(pol, "Copy:MSC"))
		*max = h->gen_max[0] - space_val(h, "s0", 2) + h->gen_max[1];
	else if (!strncmp(pol, "ParScav", 7))
		*max = h->gen_max[0] - max2(s0c, s1c) + h->gen_max[1];
}

const char *hotspot_pool_name(enum hotspot_pool p)
{
	static const char *const names[POOL__N] = { "eden", "survivor", "old", "metaspace",
						    "compressed_class_space" };

	return p < POOL__N ? names[p] : "unknown";
}

void hotspot_pools(const struct hsperf_jvm *h, long long out[POOL__N][3])
{
	int k;

	for (k = 0; k < 3; k++) {
		out[POOL_EDEN][k] = space_val(h, "eden", k);
		out[POOL_SURVIVOR][k] = k == 2 ? max2(space_val(h, "s0", 2), space_val(h, "s1", 2)) :
						 space_val(h, "s0", k) + space_val(h, "s1", k);
		/* G1 names its old space "space" */
		out[POOL_OLD][k] = space_val(h, "old", k) + space_val(h, "space", k);
	}
	out[POOL_METASPACE][0] = h->metaspace.used;
	out[POOL_METASPACE][1] = h->metaspace.capacity;
	out[POOL_METASPACE][2] = h->metaspace.max;
	out[POOL_CCS][0] = h->ccs.used;
	out[POOL_CCS][1] = h->ccs.capacity;
	out[POOL_CCS][2] = h->ccs.max;
}

const char *hotspot_collector_name(const struct hsperf_jvm *h, int i)
{
	static const struct {
		const char *policy, *young, *old;
	} map[] = {
		{ "GarbageFirst", "G1 Young Generation", "G1 Old Generation" },
		{ "Copy:MSC", "Copy", "MarkSweepCompact" },
		{ "ParScav:MSC", "PS Scavenge", "PS MarkSweep" },
	};
	size_t k;

	for (k = 0; k < sizeof(map) / sizeof(map[0]) && i < 2; k++)
		if (!strcmp(h->gc_policy, map[k].policy))
			return i == 0 ? map[k].young : map[k].old;
	return h->collector[i].name;
}

unsigned hotspot_info_retry_s(int err, unsigned *misses)
{
	unsigned wait = 1, i;

	if (err != -ENOENT) {
		*misses = 0;
		return 1;
	}
	if (*misses < UINT_MAX)
		(*misses)++;
	for (i = HOTSPOT_INFO_FAST_TRIES; i < *misses && wait < HOTSPOT_INFO_MAX_WAIT; i++)
		wait *= 2;
	return wait < HOTSPOT_INFO_MAX_WAIT ? wait : HOTSPOT_INFO_MAX_WAIT;
}
