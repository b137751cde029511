/* What a JVM's hsperfdata says, read on scrape (heap.h): heap and non-heap, pools, GC totals,
 * safepoint totals, classes, threads peak. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "heap.h"
#include "hotspot.h"
#include "hsperf.h"
#include "identity.h"
#include "procfs.h"
#include "readfile.h"

#define HSPERF_MAX_FILE (4u << 20)

static uint64_t errors[HSPERF__N + 1]; /* [HSPERF__N]: unreadable */

/* /tmp/hsperfdata_<any user>/<pid in its own namespace>, seen through the JVM's root so a
 * private /tmp and a user unknown to the host work. */
int jvm_read_hsperf(pid_t pid, struct jvm_hsperf *out)
{
	char path[PATH_MAX], status[4096], *buf;
	int nspid = pid, err = -ENOENT;
	struct dirent *d;
	enum hsperf_err e;
	ssize_t n;
	size_t len;
	DIR *dp;

	snprintf(path, sizeof(path), "%s/%d/status", cfg.procfs, pid);
	if ((n = read_small(path, status, sizeof(status))) > 0)
		status_nspid(status, n, &nspid);
	snprintf(path, sizeof(path), "%s/%d/root/tmp", cfg.procfs, pid);
	dp = opendir(path);
	if (!dp)
		return -ENOENT;
	while (err && (d = readdir(dp))) {
		if (strncmp(d->d_name, "hsperfdata_", 11))
			continue;
		snprintf(path, sizeof(path), "%s/%d/root/tmp/%s/%d", cfg.procfs, pid, d->d_name,
			 nspid);
		err = read_file(path, &buf, &len, HSPERF_MAX_FILE);
		if (err == -ENOENT)
			continue;
		if (err) {
			errors[HSPERF__N]++;
			err = -EBADMSG;
			break;
		}
		e = hotspot_read(buf, len, out);
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

static void sample(struct writer *w, const char *name, const struct jvm_view *v, struct label *a,
		   size_t na, double value)
{
	w_sample(w, name, a, na, v->id, IDENTITY_NLABELS, value);
}

/* By index: with no JVMs views is NULL, and NULL + 0 is undefined behaviour (UBSan). */
#define FOR_VIEWS(v, views, n)                                             \
	for (int v##_i = 0; v##_i < (n); v##_i++)                          \
		for (const struct jvm_view *v = &(views)[v##_i]; v; v = NULL)    \
			if (!v->skip && v->have_hsperf)

void jvm_heap_collect(struct writer *w, const struct jvm_view *views, int n)
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

			hotspot_heap(&v->hs, &t[0], &t[1], &t[2]);
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
			long long pools[POOL__N][3];

			hotspot_pools(&v->hs.h, pools);
			for (i = 0; i < POOL__N; i++) {
				struct label a[] = { { "pid", v->pid }, { "pool", hotspot_pool_name(i) } };

				if (pools[i][k] >= 0)
					sample(w, pmetric[k], v, a, 2, pools[i][k]);
			}
		}
	}

	w_family(w, "jvmtap_jvm_gc_collections_total", "counter",
		 "Collections per collector, from hsperfdata (GarbageCollectorMXBean's count).");
	FOR_VIEWS(v, views, n)
		for (i = 0; i < v->hs.h.ncollectors; i++) {
			struct label a[] = { { "pid", v->pid }, { "gc", hotspot_collector_name(&v->hs.h, i) } };

			if (v->hs.h.collector[i].invocations >= 0 && a[1].value[0])
				sample(w, "jvmtap_jvm_gc_collections_total", v, a, 2,
				       v->hs.h.collector[i].invocations);
		}
	w_family(w, "jvmtap_jvm_gc_collection_seconds_total", "counter",
		 "Time in collections per collector, from hsperfdata.");
	FOR_VIEWS(v, views, n)
		for (i = 0; i < v->hs.h.ncollectors && v->hs.h.hrt_frequency > 0; i++) {
			struct label a[] = { { "pid", v->pid }, { "gc", hotspot_collector_name(&v->hs.h, i) } };

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
