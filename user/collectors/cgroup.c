/* Container memory, CPU quota and throttling, and OOM kills, from the cgroup files themselves,
 * read by a refresh worker (--cgroup.refresh-interval, default 1s) for every cgroup the identity
 * walk knows (the hierarchy the CPU is charged to), so that a scrape only formats the last
 * reading and its cost does not grow with the containers on the node:
 *   v2: memory.current, memory.stat, memory.max, memory.events, cpu.max, cpu.stat in the cgroup;
 *   v1: memory.usage_in_bytes, memory.stat, memory.limit_in_bytes, memory.oom_control at the same
 *       path under the memory controller's mount, cpu.cfs_quota_us, cpu.cfs_period_us, cpu.stat
 *       in the cpu controller's cgroup (the identity walk's own).
 * A file that does not exist (no controller there, the root cgroup, a cgroup just removed) gives
 * no series; one that cannot be read or parsed is counted in jvmtap_cgroup_file_errors_total and
 * the other files of the cgroup are still used. A container's values are those of its top
 * cgroup (memory and CPU counters are hierarchical), except v1's oom_kill, which the kernel
 * counts only in the victim's own cgroup: summed over the container's cgroups. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include "cgroupfs.h"
#include "args.h"
#include "collector.h"
#include "config.h"
#include "families.h"
#include "identity.h"
#include "log.h"
#include "idcopy.h"
#include "readfile.h"
#include "worker.h"

#define STAT_MAX (256u << 10) /* memory.stat is ~1.5 KiB; more is not a cgroup file */

enum val {
	V_USAGE,
	V_WSET,
	V_RSS,
	V_CACHE,
	V_LIMIT,
	V_QUOTA,
	V_PERIOD,
	V_PERIODS,
	V_THROTTLED,
	V_THROTTLED_S,
	V_OOM,
	V__N
};

static const enum fam_id val_fam[V__N] = {
	[V_USAGE] = FAM_CONTAINER_MEMORY_USAGE_BYTES,
	[V_WSET] = FAM_CONTAINER_MEMORY_WORKING_SET_BYTES,
	[V_RSS] = FAM_CONTAINER_MEMORY_RSS_BYTES,
	[V_CACHE] = FAM_CONTAINER_MEMORY_CACHE_BYTES,
	[V_LIMIT] = FAM_CONTAINER_MEMORY_LIMIT_BYTES,
	[V_QUOTA] = FAM_CONTAINER_CPU_QUOTA_SECONDS,
	[V_PERIOD] = FAM_CONTAINER_CPU_PERIOD_SECONDS,
	[V_PERIODS] = FAM_CONTAINER_CPU_CFS_PERIODS_TOTAL,
	[V_THROTTLED] = FAM_CONTAINER_CPU_CFS_THROTTLED_PERIODS_TOTAL,
	[V_THROTTLED_S] = FAM_CONTAINER_CPU_CFS_THROTTLED_SECONDS_TOTAL,
	[V_OOM] = FAM_CONTAINER_OOM_KILLS_TOTAL,
};

/* The files read, by their role; names per hierarchy. */
enum file { F_USAGE, F_STAT, F_LIMIT, F_EVENTS, F_QUOTA, F_PERIOD, F_CPUSTAT, F__N };
static const char *const v2_names[F__N] = { "memory.current", "memory.stat", "memory.max",
					    "memory.events",  "cpu.max",     NULL,
					    "cpu.stat" };
static const char *const v1_names[F__N] = { "memory.usage_in_bytes", "memory.stat",
					    "memory.limit_in_bytes", "memory.oom_control",
					    "cpu.cfs_quota_us",	     "cpu.cfs_period_us",
					    "cpu.stat" };
enum reason { R_UNREADABLE, R_MALFORMED, R__N };
static const char *const reason_names[R__N] = { "unreadable", "malformed" };

static uint64_t errors[F__N][R__N]; /* written by the worker, read by scrapes: atomics */
static bool v1;
static char v1_mem_root[PATH_MAX]; /* "" when there is no v1 memory controller */

struct row {
	const struct label *labels; /* the copy's */
	int depth;
	bool have[V__N];
	double v[V__N];
};

/* The last reading (struct id_reading): a struct row per container, its top cgroup's. */
static struct snapshot last = SNAPSHOT_INIT(id_reading_free);
static struct worker *refresher;
static unsigned refresh_ms = 1000;

enum { OPT_REFRESH = 2400 };

static const struct argp_option options[] = {
	{ "cgroup.refresh-interval", OPT_REFRESH, "DURATION", 0, "How often every container's cgroup files are read; a scrape shows the last reading (default 1s)", 0 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *st)
{
	if (key != OPT_REFRESH)
		return ARGP_ERR_UNKNOWN;
	if (flag_millis(arg, 100, 3600000u, &refresh_ms))
		argp_error(st, "--cgroup.refresh-interval: '%s' is not a duration in 100ms..1h (1s, 500ms)", arg);
	return 0;
}

static const struct argp argp = { options, parse_opt, NULL, NULL, NULL, NULL, NULL };

static const char *file_name(enum file f)
{
	return (v1 ? v1_names : v2_names)[f];
}

static int cgroup_refresh(void *arg);

static int cgroup_open(void)
{
	struct statfs st;

	v1 = identity_hierarchy() == CGROUP_V1;
	v1_mem_root[0] = '\0';
	if (v1) {
		snprintf(v1_mem_root, sizeof(v1_mem_root), "%s/fs/cgroup/memory", cfg.sysfs);
		if (statfs(v1_mem_root, &st) || (long)st.f_type != CGROUP_SUPER_MAGIC) {
			log_warn("cgroup: no v1 memory controller at %s: no container memory metrics",
				 v1_mem_root);
			v1_mem_root[0] = '\0';
		}
	}
	refresher = worker_new("cgroup", "cgroup_files", refresh_ms, cgroup_refresh, NULL);
	return refresher ? 0 : -ENOMEM;
}

/* Not there: no controller, the root, or removed meanwhile. Not an error. */
static bool absent(int err)
{
	return err == -ENOENT || err == -ENODEV || err == -ENOTDIR;
}

static void count(enum file f, enum reason r)
{
	__atomic_fetch_add(&errors[f][r], 1, __ATOMIC_RELAXED);
}

/* A whole file of the cgroup directory dir (an O_PATH descriptor, < 0 when there is none); 0,
 * 1 when absent, -1 when counted as an error. */
static int slurp(int dir, enum file f, char **buf, size_t *len)
{
	int err;

	if (dir < 0)
		return 1;
	err = read_file_at(dir, file_name(f), buf, len, STAT_MAX);
	if (!err)
		return 0;
	if (absent(err))
		return 1;
	count(f, R_UNREADABLE);
	return -1;
}

/* A single-number file into r->v[v], divided by div (to bytes or seconds). */
static void read_u64(int dir, enum file f, struct row *r, enum val v, double div)
{
	char *b;
	size_t n;
	uint64_t x;
	bool unl = false;
	int64_t q;

	if (slurp(dir, f, &b, &n))
		return;
	switch (f) {
	case F_LIMIT: /* v2 "max", v1 a huge number: no limit, no series */
		if (v1 ? cg_u64(b, n, &x) : cg_u64_or_max(b, n, &x, &unl))
			count(f, R_MALFORMED);
		else if (!unl && !(v1 && cg_v1_unlimited(x)))
			r->have[v] = true, r->v[v] = x / div;
		break;
	case F_QUOTA: /* v1 only: -1 is no quota */
		if (cg_i64(b, n, &q) || q < -1)
			count(f, R_MALFORMED);
		else if (q >= 0)
			r->have[v] = true, r->v[v] = q / div;
		break;
	default:
		if (cg_u64(b, n, &x))
			count(f, R_MALFORMED);
		else
			r->have[v] = true, r->v[v] = x / div;
	}
	free(b);
}

/* The value of key in a keyed file already read; ENOENT leaves it out quietly. */
static bool keyed(const char *b, size_t n, enum file f, const char *key, double *out)
{
	uint64_t x;
	int err = cg_keyed(b, n, key, &x);

	if (err == -EINVAL)
		count(f, R_MALFORMED);
	if (err)
		return false;
	*out = x;
	return true;
}

static void read_memory(int dir, struct row *r)
{
	double inactive;
	char *b;
	size_t n;

	read_u64(dir, F_USAGE, r, V_USAGE, 1);
	read_u64(dir, F_LIMIT, r, V_LIMIT, 1);
	if (!slurp(dir, F_STAT, &b, &n)) {
		/* v1's total_* cover the subtree as memory.usage_in_bytes does; the plain keys
		 * are the cgroup's own pages. v2's are always the subtree's. */
		r->have[V_RSS] = keyed(b, n, F_STAT, v1 ? "total_rss" : "anon", &r->v[V_RSS]);
		r->have[V_CACHE] = keyed(b, n, F_STAT, v1 ? "total_cache" : "file", &r->v[V_CACHE]);
		if (r->have[V_USAGE] &&
		    keyed(b, n, F_STAT, v1 ? "total_inactive_file" : "inactive_file", &inactive)) {
			r->have[V_WSET] = true;
			r->v[V_WSET] = r->v[V_USAGE] > inactive ? r->v[V_USAGE] - inactive : 0;
		}
		free(b);
	}
	if (!slurp(dir, F_EVENTS, &b, &n)) {
		r->have[V_OOM] = keyed(b, n, F_EVENTS, "oom_kill", &r->v[V_OOM]);
		free(b);
	}
}

static void read_cpu(int dir, struct row *r)
{
	uint64_t q, p;
	bool unl;
	double t;
	char *b;
	size_t n;

	if (v1) {
		read_u64(dir, F_QUOTA, r, V_QUOTA, 1e6);
		read_u64(dir, F_PERIOD, r, V_PERIOD, 1e6);
	} else if (!slurp(dir, F_QUOTA, &b, &n)) {
		if (cg_cpu_max(b, n, &q, &unl, &p))
			count(F_QUOTA, R_MALFORMED);
		else {
			r->have[V_QUOTA] = !unl;
			r->v[V_QUOTA] = q / 1e6;
			r->have[V_PERIOD] = true;
			r->v[V_PERIOD] = p / 1e6;
		}
		free(b);
	}
	if (slurp(dir, F_CPUSTAT, &b, &n))
		return;
	/* v2's cpu.stat exists without the cpu controller, with usage only: no keys, no series. */
	r->have[V_PERIODS] = keyed(b, n, F_CPUSTAT, "nr_periods", &r->v[V_PERIODS]);
	r->have[V_THROTTLED] = keyed(b, n, F_CPUSTAT, "nr_throttled", &r->v[V_THROTTLED]);
	if (keyed(b, n, F_CPUSTAT, v1 ? "throttled_time" : "throttled_usec", &t)) {
		r->have[V_THROTTLED_S] = true;
		r->v[V_THROTTLED_S] = t / (v1 ? 1e9 : 1e6);
	}
	free(b);
}

static void read_cgroup(const struct id_cgroup *c, struct row *r)
{
	char mem[PATH_MAX + 32];
	int cpu_fd;

	memset(r, 0, sizeof(*r));
	r->labels = c->labels;
	r->depth = c->depth;
	/* one path walk per directory, one component per file */
	cpu_fd = open(c->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (!v1)
		read_memory(cpu_fd, r);
	else if (v1_mem_root[0] &&
		 snprintf(mem, sizeof(mem), "%s%s", v1_mem_root, c->rel) < (int)sizeof(mem)) {
		int mem_fd = open(mem, O_PATH | O_DIRECTORY | O_CLOEXEC);

		read_memory(mem_fd, r);
		if (mem_fd >= 0)
			close(mem_fd);
	}
	read_cpu(cpu_fd, r);
	if (cpu_fd >= 0)
		close(cpu_fd);
}

/* By identity, then the container's top cgroup first. */
static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int i, c;

	for (i = 0; i < IDENTITY_NLABELS; i++)
		if ((c = strcmp(x->labels[i].value, y->labels[i].value)))
			return c;
	return (x->depth > y->depth) - (x->depth < y->depth);
}

static bool same_identity(const struct row *x, const struct row *y)
{
	int i;

	for (i = 0; i < IDENTITY_NLABELS; i++)
		if (strcmp(x->labels[i].value, y->labels[i].value))
			return false;
	return true;
}

/* The worker: the cgroups copied under the render lock, their files read without it. */
static int cgroup_refresh(void *arg)
{
	struct id_reading *rd = id_reading_new(sizeof(struct row));
	struct row *r;
	size_t i, k, top = 0;

	(void)arg;
	if (!rd)
		return -ENOMEM;
	r = rd->rows;
	for (i = 0; i < rd->ids.n; i++)
		read_cgroup(&rd->ids.c[i], &r[i]);
	if (rd->ids.n)
		qsort(r, rd->ids.n, sizeof(*r), cmp_row);
	/* One row per container: its top cgroup's, with v1's local oom_kill summed into it. */
	for (i = 0, k = 0; i < rd->ids.n; i++) {
		if (i && same_identity(&r[top], &r[i])) {
			if (v1 && r[i].have[V_OOM]) {
				r[top].have[V_OOM] = true;
				r[top].v[V_OOM] += r[i].v[V_OOM];
			}
			continue;
		}
		top = k;
		if (k != i)
			r[k] = r[i];
		k++;
	}
	rd->n = k;
	snapshot_publish(&last, rd);
	return 0;
}

static int cgroup_collect(struct writer *w)
{
	const struct id_reading *rd = snapshot_hold(&last, NULL);
	const struct row *row = rd ? rd->rows : NULL;
	size_t i, n = rd ? rd->n : 0;
	int v, f, r;

	for (v = 0; v < V__N; v++) {
		w_fam(w, val_fam[v]);
		for (i = 0; i < n; i++)
			if (row[i].have[v])
				w_sample(w, fam_name(val_fam[v]), NULL, 0, row[i].labels,
					 IDENTITY_NLABELS, row[i].v[v]);
	}
	snapshot_release(&last);
	w_fam(w, FAM_CGROUP_FILE_ERRORS_TOTAL);
	for (f = 0; f < F__N; f++)
		for (r = 0; r < R__N && file_name(f); r++) {
			struct label l[] = { { "file", file_name(f) }, { "reason", reason_names[r] } };

			w_sample(w, fam_name(FAM_CGROUP_FILE_ERRORS_TOTAL), l, 2, NULL, 0,
				 __atomic_load_n(&errors[f][r], __ATOMIC_RELAXED));
		}
	return 0;
}

static void cgroup_close(void)
{
	worker_free(refresher);
	refresher = NULL;
	snapshot_clear(&last);
}

const struct collector cgroup_collector = {
	.name = "cgroup",
	.help = "container memory, CPU quota and throttling, OOM kills from the cgroup files",
	.argp = &argp,
	.open = cgroup_open,
	.collect = cgroup_collect,
	.close = cgroup_close,
};
