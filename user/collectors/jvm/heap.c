/* What a JVM's hsperfdata says, read on scrape: heap and non-heap, pools, GC totals, safepoint
 * totals, classes, threads peak; plus the JVM's Flink role from its main class. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "hsperf.h"
#include "identity.h"
#include "jvm.h"
#include "procfs.h"

#define HSPERF_MAX_FILE (4u << 20)

static uint64_t errors[HSPERF__N + 1]; /* [HSPERF__N]: unreadable */

/* Flink's entry points (flink-runtime, flink-yarn, flink-kubernetes, flink-sql-gateway). */
const char *flink_role_of(const char *cls)
{
	static const struct {
		const char *cls, *role;
	} exact[] = {
		{ "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", "taskmanager" },
		{ "org.apache.flink.yarn.YarnTaskExecutorRunner", "taskmanager" },
		{ "org.apache.flink.kubernetes.taskmanager.KubernetesTaskExecutorRunner", "taskmanager" },
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

static int gen_cb(const char *name, const struct hsperf_value *v, void *arg)
{
	struct gen_max *g = arg;
	char want[48];
	int n;

	if (v->kind != HSPERF_LONG || sscanf(name, "sun.gc.generation.%d.", &n) != 1 || n < 0 ||
	    n > 1)
		return 0;
	snprintf(want, sizeof(want), "sun.gc.generation.%d.maxCapacity", n);
	if (!strcmp(name, want))
		g->max[n] = v->l;
	return 0;
}

/* The JVM's hsperfdata: /tmp/hsperfdata_<any user>/<pid in its own namespace>, seen through
 * its root so a private /tmp and a user unknown to the host work. 0, -ENOENT (none: e.g.
 * -XX:-UsePerfData), -EAGAIN (not initialised yet) or -EBADMSG (counted). */
int jvm_read_hsperf(const struct jvm *j, struct jvm_hsperf *out)
{
	char path[PATH_MAX], status[4096], *buf;
	int nspid = j->pid, err = -ENOENT;
	struct dirent *d;
	enum hsperf_err e;
	size_t len;
	FILE *f;
	DIR *dp;

	snprintf(path, sizeof(path), "%s/%d/status", cfg.procfs, j->pid);
	f = fopen(path, "re");
	if (f) {
		len = fread(status, 1, sizeof(status) - 1, f);
		fclose(f);
		status_nspid(status, len, &nspid);
	}
	snprintf(path, sizeof(path), "%s/%d/root/tmp", cfg.procfs, j->pid);
	dp = opendir(path);
	if (!dp)
		return -ENOENT;
	while (err && (d = readdir(dp))) {
		if (strncmp(d->d_name, "hsperfdata_", 11))
			continue;
		snprintf(path, sizeof(path), "%s/%d/root/tmp/%s/%d", cfg.procfs, j->pid, d->d_name,
			 nspid);
		err = jvm_read_file(path, &buf, &len, HSPERF_MAX_FILE);
		if (err == -ENOENT)
			continue;
		if (err) {
			errors[HSPERF__N]++;
			err = -EBADMSG;
			break;
		}
		e = hsperf_read_jvm(buf, len, &out->h);
		memset(&out->gen, 0, sizeof(out->gen));
		if (e == HSPERF_OK)
			hsperf_parse(buf, len, gen_cb, &out->gen);
		free(buf);
		if (e == HSPERF_NOT_READY) {
			err = -EAGAIN;
		} else if (e != HSPERF_OK) {
			errors[e]++;
			err = -EBADMSG;
		} else {
			err = 0;
		}
	}
	closedir(dp);
	return err;
}

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

/* Heap as MemoryMXBean and Runtime.maxMemory() count it. Region-based collectors (G1, ZGC,
 * Shenandoah) give every space the whole heap as its max: those are not summed. The
 * generational ones keep one survivor space empty, which the JVM leaves out of its max. */
static void heap_totals(const struct jvm_hsperf *p, long long *used, long long *committed,
			long long *max)
{
	const struct hsperf_jvm *h = &p->h;
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
		*max = p->gen.max[0] - space_val(h, "s0", 2) + p->gen.max[1];
	else if (!strncmp(pol, "ParScav", 7))
		*max = p->gen.max[0] - max2(s0c, s1c) + p->gen.max[1];
}

/* GC names as GarbageCollectorMXBean (and the pause histogram) has them, so both families join
 * on gc; hsperfdata's own names where no MXBean name is known. */
static const char *collector_name(const struct hsperf_jvm *h, int i)
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

static void sample(struct writer *w, const char *name, struct jvm_view *v, struct label *a,
		   size_t na, double value)
{
	w_sample(w, name, a, na, v->id, IDENTITY_NLABELS, value);
}

#define FOR_VIEWS(v, views, n) for (struct jvm_view *v = (views); v < (views) + (n); v++) \
					if (!v->skip && v->have_hsperf)

void jvm_heap_collect(struct writer *w, struct jvm_view *views, int n)
{
	static const char *const metric[3] = { "jvmtap_jvm_memory_used_bytes",
					       "jvmtap_jvm_memory_committed_bytes",
					       "jvmtap_jvm_memory_max_bytes" };
	static const char *const pmetric[3] = { "jvmtap_jvm_memory_pool_used_bytes",
						"jvmtap_jvm_memory_pool_committed_bytes",
						"jvmtap_jvm_memory_pool_max_bytes" };
	static const char *const what[3] = { "used", "committed", "maximum" };
	char help[160];
	int k, i;

	for (k = 0; k < 3; k++) {
		snprintf(help, sizeof(help), "Heap and non-heap (metaspace) memory %s (hsperfdata).",
			 what[k]);
		w_family(w, metric[k], "gauge", help);
		FOR_VIEWS(v, views, n) {
			struct label heap[] = { { "pid", v->pid }, { "area", "heap" } };
			struct label non[] = { { "pid", v->pid }, { "area", "nonheap" } };
			const struct hsperf_jvm *h = &v->hs.h;
			long long t[3], m[3] = { h->metaspace.used, h->metaspace.capacity,
						  h->metaspace.max };

			heap_totals(&v->hs, &t[0], &t[1], &t[2]);
			sample(w, metric[k], v, heap, 2, t[k]);
			if (m[k] >= 0)
				sample(w, metric[k], v, non, 2, m[k]);
		}
	}
	for (k = 0; k < 3; k++) {
		snprintf(help, sizeof(help), "Memory pool %s (hsperfdata spaces; survivor sums s0 "
			 "and s1).", what[k]);
		w_family(w, pmetric[k], "gauge", help);
		FOR_VIEWS(v, views, n) {
			const struct hsperf_jvm *h = &v->hs.h;
			struct {
				const char *pool;
				long long val[3];
			} pools[] = {
				{ "eden", { space_val(h, "eden", 0), space_val(h, "eden", 1),
					    space_val(h, "eden", 2) } },
				{ "survivor",
				  { space_val(h, "s0", 0) + space_val(h, "s1", 0),
				    space_val(h, "s0", 1) + space_val(h, "s1", 1),
				    max2(space_val(h, "s0", 2), space_val(h, "s1", 2)) } },
				/* G1 names its old space "space" */
				{ "old", { space_val(h, "old", 0) + space_val(h, "space", 0),
					   space_val(h, "old", 1) + space_val(h, "space", 1),
					   space_val(h, "old", 2) + space_val(h, "space", 2) } },
				{ "metaspace", { h->metaspace.used, h->metaspace.capacity,
						 h->metaspace.max } },
				{ "compressed_class_space", { h->ccs.used, h->ccs.capacity, h->ccs.max } },
			};

			for (i = 0; i < (int)(sizeof(pools) / sizeof(pools[0])); i++) {
				struct label a[] = { { "pid", v->pid }, { "pool", pools[i].pool } };

				if (pools[i].val[k] >= 0)
					sample(w, pmetric[k], v, a, 2, pools[i].val[k]);
			}
		}
	}

	w_family(w, "jvmtap_jvm_gc_collections_total", "counter",
		 "Collections per collector, from hsperfdata (GarbageCollectorMXBean's count).");
	FOR_VIEWS(v, views, n)
		for (i = 0; i < v->hs.h.ncollectors; i++) {
			struct label a[] = { { "pid", v->pid }, { "gc", collector_name(&v->hs.h, i) } };

			if (v->hs.h.collector[i].invocations >= 0 && a[1].value[0])
				sample(w, "jvmtap_jvm_gc_collections_total", v, a, 2,
				       v->hs.h.collector[i].invocations);
		}
	w_family(w, "jvmtap_jvm_gc_collection_seconds_total", "counter",
		 "Time in collections per collector, from hsperfdata.");
	FOR_VIEWS(v, views, n)
		for (i = 0; i < v->hs.h.ncollectors && v->hs.h.hrt_frequency > 0; i++) {
			struct label a[] = { { "pid", v->pid }, { "gc", collector_name(&v->hs.h, i) } };

			if (v->hs.h.collector[i].time_ticks >= 0 && a[1].value[0])
				sample(w, "jvmtap_jvm_gc_collection_seconds_total", v, a, 2,
				       (double)v->hs.h.collector[i].time_ticks / v->hs.h.hrt_frequency);
		}

	struct {
		const char *name, *type, *help;
	} scalars[] = {
		{ "jvmtap_jvm_safepoints_total", "counter", "Safepoints the JVM reached (hsperfdata)." },
		{ "jvmtap_jvm_safepoint_time_seconds_total", "counter",
		  "Time the JVM spent at safepoints (hsperfdata)." },
		{ "jvmtap_jvm_classes_loaded_total", "counter", "Classes loaded, shared ones included." },
		{ "jvmtap_jvm_classes_unloaded_total", "counter", "Classes unloaded." },
		{ "jvmtap_jvm_threads_peak", "gauge", "Peak live Java threads (hsperfdata)." },
	};
	for (k = 0; k < (int)(sizeof(scalars) / sizeof(scalars[0])); k++) {
		w_family(w, scalars[k].name, scalars[k].type, scalars[k].help);
		FOR_VIEWS(v, views, n) {
			const struct hsperf_jvm *h = &v->hs.h;
			struct label a[] = { { "pid", v->pid } };
			double val[] = { h->safepoints,
					 h->hrt_frequency > 0 ?
						 (double)h->safepoint_time_ticks / h->hrt_frequency :
						 -1,
					 h->classes_loaded, h->classes_unloaded, h->threads_peak };

			if (val[k] >= 0)
				sample(w, scalars[k].name, v, a, 1, val[k]);
		}
	}

	w_family(w, "jvmtap_hsperfdata_errors_total", "counter",
		 "hsperfdata files that could not be used, by reason; the JVM's other metrics stay.");
	for (k = HSPERF_TRUNCATED; k <= HSPERF__N; k++) {
		struct label a[] = { { "reason", k == HSPERF__N ? "unreadable" : hsperf_err_name(k) } };

		if (k != HSPERF_NOT_READY)
			w_sample(w, "jvmtap_hsperfdata_errors_total", a, 1, NULL, 0, errors[k]);
	}
}
