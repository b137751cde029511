/* What a JVM's hsperfdata says, read on scrape (heap.h): heap and non-heap, pools, GC totals,
 * safepoint totals, classes, threads peak. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "families.h"
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
	char path[PATH_MAX], status[4096];
	int nspid = pid;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%d/status", cfg.procfs, pid);
	if ((n = read_small(path, status, sizeof(status))) > 0)
		status_nspid(status, n, &nspid);
	return jvm_read_hsperf_ns(pid, nspid, out);
}

int jvm_read_hsperf_ns(pid_t pid, int nspid, struct jvm_hsperf *out)
{
	char path[PATH_MAX], *buf;
	int err = -ENOENT;
	struct dirent *d;
	enum hsperf_err e;
	size_t len;
	DIR *dp;

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
	static const enum fam_id area[3] = { FAM_JVM_MEMORY_USED_BYTES,
					     FAM_JVM_MEMORY_COMMITTED_BYTES, FAM_JVM_MEMORY_MAX_BYTES };
	static const enum fam_id pool[3] = { FAM_JVM_MEMORY_POOL_USED_BYTES,
					     FAM_JVM_MEMORY_POOL_COMMITTED_BYTES,
					     FAM_JVM_MEMORY_POOL_MAX_BYTES };
	static const enum fam_id scalar[] = { FAM_JVM_SAFEPOINTS_TOTAL,
					      FAM_JVM_SAFEPOINT_TIME_SECONDS_TOTAL,
					      FAM_JVM_CLASSES_LOADED_TOTAL,
					      FAM_JVM_CLASSES_UNLOADED_TOTAL, FAM_JVM_THREADS_PEAK };
	int k, i;

	for (k = 0; k < 3; k++) {
		const char *metric = fam_name(area[k]);

		w_fam(w, area[k]);
		FOR_VIEWS(v, views, n) {
			struct label heap[] = { { "pid", v->pid }, { "area", "heap" } };
			struct label non[] = { { "pid", v->pid }, { "area", "nonheap" } };
			const struct hsperf_jvm *h = &v->hs.h;
			long long t[3], m[3] = { h->metaspace.used, h->metaspace.capacity,
						  h->metaspace.max };

			hotspot_heap(&v->hs, &t[0], &t[1], &t[2]);
			sample(w, metric, v, heap, 2, t[k]);
			if (m[k] >= 0)
				sample(w, metric, v, non, 2, m[k]);
		}
	}
	for (k = 0; k < 3; k++) {
		const char *metric = fam_name(pool[k]);

		w_fam(w, pool[k]);
		FOR_VIEWS(v, views, n) {
			long long pools[POOL__N][3];

			hotspot_pools(&v->hs.h, pools);
			for (i = 0; i < POOL__N; i++) {
				struct label a[] = { { "pid", v->pid }, { "pool", hotspot_pool_name(i) } };

				if (pools[i][k] >= 0)
					sample(w, metric, v, a, 2, pools[i][k]);
			}
		}
	}

	w_fam(w, FAM_JVM_GC_COLLECTIONS_TOTAL);
	FOR_VIEWS(v, views, n)
		for (i = 0; i < v->hs.h.ncollectors; i++) {
			struct label a[] = { { "pid", v->pid }, { "gc", hotspot_collector_name(&v->hs.h, i) } };

			if (v->hs.h.collector[i].invocations >= 0 && a[1].value[0])
				sample(w, fam_name(FAM_JVM_GC_COLLECTIONS_TOTAL), v, a, 2,
				       v->hs.h.collector[i].invocations);
		}
	w_fam(w, FAM_JVM_GC_COLLECTION_SECONDS_TOTAL);
	FOR_VIEWS(v, views, n)
		for (i = 0; i < v->hs.h.ncollectors && v->hs.h.hrt_frequency > 0; i++) {
			struct label a[] = { { "pid", v->pid }, { "gc", hotspot_collector_name(&v->hs.h, i) } };

			if (v->hs.h.collector[i].time_ticks >= 0 && a[1].value[0])
				sample(w, fam_name(FAM_JVM_GC_COLLECTION_SECONDS_TOTAL), v, a, 2,
				       (double)v->hs.h.collector[i].time_ticks / v->hs.h.hrt_frequency);
		}

	for (k = 0; k < (int)(sizeof(scalar) / sizeof(scalar[0])); k++) {
		w_fam(w, scalar[k]);
		FOR_VIEWS(v, views, n) {
			const struct hsperf_jvm *h = &v->hs.h;
			struct label a[] = { { "pid", v->pid } };
			double val[] = { h->safepoints,
					 h->hrt_frequency > 0 ?
						 (double)h->safepoint_time_ticks / h->hrt_frequency :
						 -1,
					 h->classes_loaded, h->classes_unloaded, h->threads_peak };

			if (val[k] >= 0)
				sample(w, fam_name(scalar[k]), v, a, 1, val[k]);
		}
	}

	w_fam(w, FAM_HSPERFDATA_ERRORS_TOTAL);
	for (k = HSPERF_TRUNCATED; k <= HSPERF__N; k++) {
		struct label a[] = { { "reason", k == HSPERF__N ? "unreadable" : hsperf_err_name(k) } };

		if (k != HSPERF_NOT_READY)
			w_sample(w, fam_name(FAM_HSPERFDATA_ERRORS_TOTAL), a, 1, NULL, 0, errors[k]);
	}
}
