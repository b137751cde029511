/* Snapshots of the collectors' output and the rows top and dump derive from two of them. */
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "families.h"
#include "hotspot.h"
#include "rows.h"

static const char *const col_names[COL__N] = {
	"cpu", "app", "gc", "jit", "gcps", "p99", "max", "gctime", "sptime", "threads", "heap",
	"rx", "tx", "pid", "name",
};
_Static_assert(ROWS_NKINDS == KIND__N, "a row has one CPU column per thread kind of hotspot.h");

const char *rows_kind_name(int kind)
{
	return kind >= 0 && kind < ROWS_NKINDS ? thread_kind_name(kind) : "?";
}

int rows_col_of(const char *name)
{
	int i;

	for (i = 0; name && i < COL__N; i++)
		if (!strcmp(name, col_names[i]))
			return i;
	return -1;
}

const char *rows_col_name(int col)
{
	return col >= 0 && col < COL__N ? col_names[col] : "?";
}

int rows_check_regex(const char *re)
{
	regex_t r;

	if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB))
		return -1;
	regfree(&r);
	return 0;
}

static double now_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *label(const struct label *l, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(l[i].name, name))
			return l[i].value;
	return NULL;
}

static bool starts(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* The acc for key in arr (a JVM by pid, a container by container_id), added when new. */
static struct acc *find(struct snapshot *s, bool jvm, int pid, const char *cid)
{
	struct acc **arr = jvm ? &s->jvm : &s->ctr, *a;
	size_t *n = jvm ? &s->njvm : &s->nctr, *cap = jvm ? &s->jvm_cap : &s->ctr_cap, i;
	size_t *hint = jvm ? &s->jvm_hint : &s->ctr_hint;

	/* Every family lists the JVMs (containers) in the same order: the one after the last
	 * found is nearly always the next, so a render stays linear in its samples. */
	for (i = 0; i < 2 && *hint + i < *n; i++) {
		a = &(*arr)[*hint + i];
		if (jvm ? a->pid == pid : !strcmp(a->container_id, cid)) {
			*hint += i;
			return a;
		}
	}
	for (i = 0; i < *n; i++) {
		a = &(*arr)[i];
		if (jvm ? a->pid == pid : !strcmp(a->container_id, cid)) {
			*hint = i;
			return a;
		}
	}
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct acc *p = realloc(*arr, c * sizeof(*p));

		if (!p) {
			s->failed = true;
			return NULL;
		}
		*arr = p;
		*cap = c;
	}
	*hint = *n;
	a = &(*arr)[(*n)++];
	memset(a, 0, sizeof(*a));
	a->pid = pid;
	snprintf(a->container_id, sizeof(a->container_id), "%s", cid ? cid : "");
	return a;
}

static void set_identity(struct acc *a, const struct label *l, size_t n)
{
	const char *v;

	if (!a->container_id[0] && (v = label(l, n, "container_id")))
		snprintf(a->container_id, sizeof(a->container_id), "%s", v);
	if (!a->ns[0] && (v = label(l, n, "namespace")))
		snprintf(a->ns, sizeof(a->ns), "%s", v);
	if (!a->pod[0] && (v = label(l, n, "pod")))
		snprintf(a->pod, sizeof(a->pod), "%s", v);
	if (!a->container[0] && (v = label(l, n, "container")))
		snprintf(a->container, sizeof(a->container), "%s", v);
}

static void add_bucket(struct acc *a, double b, double v)
{
	int i;

	if (!isfinite(b))
		return; /* +Inf is the count */
	for (i = 0; i < a->nb; i++)
		if (a->le[i] == b) {
			a->cum[i] += v;
			return;
		}
	if (a->nb == ROWS_MAX_BUCKETS)
		return;
	/* Every series has the same ascending bounds: appending keeps them sorted. */
	a->le[a->nb] = b;
	a->cum[a->nb++] = v;
}

static void on_jvm_sample(struct acc *a, const char *name, const struct label *l, size_t n,
			  double v)
{
	const char *s, *sfx = "";
	int k;

	switch (fam_of(name, &sfx)) {
	case FAM_JVM_INFO:
		if ((s = label(l, n, "main_class")))
			snprintf(a->main_class, sizeof(a->main_class), "%s", s);
		if ((s = label(l, n, "flink_role")))
			snprintf(a->flink_role, sizeof(a->flink_role), "%s", s);
		break;
	case FAM_JVM_START_TIME_SECONDS:
		a->start = v;
		break;
	case FAM_JVM_CPU_SECONDS_TOTAL:
		s = label(l, n, "thread_kind");
		for (k = 0; s && k < ROWS_NKINDS; k++)
			if (!strcmp(s, thread_kind_name(k)))
				a->cpu_kind[k] += v, a->cpu += v;
		break;
	case FAM_JVM_GC_PAUSE_SECONDS:
		if (!strcmp(sfx, "_bucket") && (s = label(l, n, "le")))
			add_bucket(a, strtod(s, NULL), v);
		else if (!strcmp(sfx, "_sum"))
			a->gc_sum += v;
		else if (!strcmp(sfx, "_count"))
			a->gc_count += v;
		break;
	case FAM_JVM_GC_PAUSE_MAX_SECONDS:
		a->gc_max = a->have_max && a->gc_max > v ? a->gc_max : v;
		a->have_max = true;
		break;
	case FAM_JVM_SAFEPOINT_SECONDS:
		if (!strcmp(sfx, "_sum"))
			a->sp_sum += v;
		break;
	case FAM_JVM_THREADS:
		a->threads += v;
		a->have_threads = true;
		break;
	case FAM_JVM_MEMORY_USED_BYTES:
		if ((s = label(l, n, "area")) && !strcmp(s, "heap"))
			a->heap_used = v, a->have_heap = true;
		break;
	case FAM_JVM_MEMORY_MAX_BYTES:
		if ((s = label(l, n, "area")) && !strcmp(s, "heap"))
			a->heap_max = v;
		break;
	case FAM_JVM_NETWORK_BYTES_TOTAL:
		s = label(l, n, "direction");
		if (s)
			*(!strcmp(s, "transmit") ? &a->tx : &a->rx) += v;
		break;
	default:
		break;
	}
}

static void on_container_sample(struct acc *a, const char *name, const struct label *l,
				size_t n, double v)
{
	const char *s;

	if (!strcmp(name, fam_name(FAM_CONTAINER_CPU_SECONDS_TOTAL))) {
		a->cpu += v;
	} else if (!strcmp(name, fam_name(FAM_CONTAINER_NETWORK_BYTES_TOTAL))) {
		s = label(l, n, "direction");
		if (s)
			*(!strcmp(s, "transmit") ? &a->tx : &a->rx) += v;
	} else if (!strcmp(name, fam_name(FAM_CONTAINER_THREADS))) {
		a->threads += v;
		a->have_threads = true;
	}
}

/* The entry of one task or state op of JVM pid, added when new. Backwards: an op's _count is
 * written right after its _sum. */
static struct flink_acc *find_flink(struct snapshot *s, int pid, bool op, const char *name,
				    const char *backend)
{
	struct flink_acc *f;
	size_t i;

	for (i = s->nfl; i-- > 0;) {
		f = &s->fl[i];
		if (f->pid == pid && f->op == op && !strcmp(f->name, name) &&
		    !strcmp(f->backend, backend))
			return f;
	}
	if (s->nfl == s->fl_cap) {
		size_t c = s->fl_cap ? s->fl_cap * 2 : 64;
		struct flink_acc *p = realloc(s->fl, c * sizeof(*p));

		if (!p) {
			s->failed = true;
			return NULL;
		}
		s->fl = p;
		s->fl_cap = c;
	}
	f = &s->fl[s->nfl++];
	memset(f, 0, sizeof(*f));
	f->pid = pid;
	f->op = op;
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->backend, sizeof(f->backend), "%s", backend);
	return f;
}

/* A TaskManager's task CPU or a JVM's state calls. The other jvmtap_flink_* families are the
 * JobManagers' REST figures, not a local JVM's. */
static void on_flink_sample(struct snapshot *s, int pid, const char *name, const struct label *l,
			    size_t n, double v)
{
	const char *sfx = "", *what, *backend = "";
	struct flink_acc *f;
	struct acc *a;
	bool op;

	switch (fam_of(name, &sfx)) {
	case FAM_FLINK_TASK_CPU_SECONDS_TOTAL:
		op = false;
		what = label(l, n, "task");
		break;
	case FAM_FLINK_STATE_OP_DURATION_SECONDS:
		if (strcmp(sfx, "_sum") && strcmp(sfx, "_count"))
			return;
		op = true;
		what = label(l, n, "op");
		backend = label(l, n, "backend");
		break;
	default:
		return;
	}
	if (!what || !(a = find(s, true, pid, NULL)))
		return;
	set_identity(a, l, n);
	if (!(f = find_flink(s, pid, op, what, backend ? backend : "")))
		return;
	if (op && !strcmp(sfx, "_count"))
		f->count += v;
	else
		f->sum += v;
}

static void sink(void *arg, const char *name, const struct label *l, size_t n, double v)
{
	struct snapshot *s = arg;
	const char *pid, *cid;
	struct acc *a;

	if (starts(name, "jvmtap_jvm_") && (pid = label(l, n, "pid"))) {
		a = find(s, true, atoi(pid), NULL);
		if (a) {
			set_identity(a, l, n);
			on_jvm_sample(a, name, l, n, v);
		}
	} else if (starts(name, "jvmtap_container_") && (cid = label(l, n, "container_id"))) {
		a = find(s, false, 0, cid);
		if (a) {
			set_identity(a, l, n);
			on_container_sample(a, name, l, n, v);
		}
	} else if (starts(name, "jvmtap_flink_") && (pid = label(l, n, "pid"))) {
		on_flink_sample(s, atoi(pid), name, l, n, v);
	}
}

void rows_capture_begin(struct snapshot *s, struct writer *w)
{
	memset(s, 0, sizeof(*s));
	s->mono = now_s(CLOCK_MONOTONIC);
	s->wall = now_s(CLOCK_REALTIME);
	writer_set_sink(w, sink, s);
}

static int cmp_flink(const void *x, const void *y)
{
	const struct flink_acc *a = x, *b = y;
	int c = (a->pid > b->pid) - (a->pid < b->pid);

	if (!c)
		c = (int)a->op - (int)b->op;
	if (!c)
		c = strcmp(a->backend, b->backend);
	return c ? c : strcmp(a->name, b->name);
}

void rows_capture_end(struct snapshot *s, struct writer *w)
{
	size_t i, k0;
	int b, k;

	writer_set_sink(w, NULL, NULL);
	/* Each JVM's Flink figures side by side: a JVM points at its own. */
	if (s->nfl) /* fl may be NULL: qsort's is nonnull */
		qsort(s->fl, s->nfl, sizeof(*s->fl), cmp_flink);
	for (k0 = 0; k0 < s->nfl; k0 = i) {
		struct acc *j = find(s, true, s->fl[k0].pid, NULL);

		for (i = k0; i < s->nfl && s->fl[i].pid == s->fl[k0].pid; i++)
			;
		if (j) {
			j->fl = &s->fl[k0];
			j->nfl = i - k0;
		}
	}
	for (i = 0; i < s->njvm; i++) {
		/* find() may grow the container array, never the JVM one: j stays valid. */
		const struct acc *j = &s->jvm[i];
		struct acc *c = find(s, false, 0, j->container_id);

		if (!c)
			continue;
		set_identity(c, (const struct label[]){ { "namespace", j->ns }, { "pod", j->pod },
							  { "container", j->container } }, 3);
		c->njvms++;
		for (k = 0; k < ROWS_NKINDS; k++)
			c->cpu_kind[k] += j->cpu_kind[k];
		c->gc_count += j->gc_count;
		c->gc_sum += j->gc_sum;
		c->sp_sum += j->sp_sum;
		for (b = 0; b < j->nb; b++)
			add_bucket(c, j->le[b], j->cum[b]);
		if (j->have_max) {
			c->gc_max = c->have_max && c->gc_max > j->gc_max ? c->gc_max : j->gc_max;
			c->have_max = true;
		}
		if (j->have_heap) {
			c->heap_used += j->heap_used;
			c->heap_max += j->heap_max;
			c->have_heap = true;
		}
	}
}

void rows_inherit(struct snapshot *cur, const struct snapshot *older)
{
	size_t i, k;

	for (i = 0; older && i < cur->njvm; i++)
		for (k = 0; !cur->jvm[i].start && k < older->njvm; k++)
			if (older->jvm[k].pid == cur->jvm[i].pid)
				cur->jvm[i].start = older->jvm[k].start;
}

void rows_free(struct snapshot *s)
{
	free(s->jvm);
	free(s->ctr);
	free(s->fl);
	memset(s, 0, sizeof(*s));
}

void rows_identity(const struct acc *a, char *buf, size_t size)
{
	if (!a->container_id[0] || !strcmp(a->container_id, "/"))
		snprintf(buf, size, "-");
	else if (a->pod[0])
		snprintf(buf, size, "%s/%s/%s", a->ns, a->pod, a->container);
	else /* a cgroup that is not a Kubernetes container: its id (the cgroup path) */
		snprintf(buf, size, "%s", a->container_id);
}

static const struct acc *match(const struct snapshot *prev, const struct acc *a, bool containers)
{
	size_t i;

	if (!prev)
		return NULL;
	if (containers) {
		for (i = 0; i < prev->nctr; i++)
			if (!strcmp(prev->ctr[i].container_id, a->container_id))
				return &prev->ctr[i];
		return NULL;
	}
	for (i = 0; i < prev->njvm; i++)
		/* A reused pid is another JVM: its start time tells. */
		if (prev->jvm[i].pid == a->pid && prev->jvm[i].start == a->start)
			return &prev->jvm[i];
	return NULL;
}

static double delta(double now, double before)
{
	return now > before ? now - before : 0;
}

/*
 * The 0.99 quantile of the interval's pauses from the log2 bucket deltas, interpolated linearly
 * inside its bucket as Prometheus' histogram_quantile() does, then capped by the measured maximum.
 */
static double p99(const struct acc *a, const struct acc *b, double n, double max, bool have_max)
{
	double rank = 0.99 * n, lo = 0, prev_d = 0, d = 0, q = NAN;
	int i, k;

	if (n <= 0)
		return 0;
	for (i = 0; i < a->nb; i++) {
		double before = 0;

		for (k = 0; b && k < b->nb; k++)
			if (b->le[k] == a->le[i])
				before = b->cum[k];
		d = delta(a->cum[i], before);
		if (d >= rank) {
			q = d > prev_d ? lo + (a->le[i] - lo) * (rank - prev_d) / (d - prev_d) : a->le[i];
			break;
		}
		lo = a->le[i];
		prev_d = d;
	}
	if (isnan(q)) /* above the last finite bound */
		q = have_max ? max : lo;
	return have_max && q > max ? max : q;
}

static void fill(struct row *r, const struct acc *a, const struct acc *b, double dt)
{
	static const struct acc zero;
	const struct acc *z = b ? b : &zero;
	int k;

	r->a = a;
	r->b = b;
	r->dt = dt;
	r->cpu_pct = delta(a->cpu, z->cpu) / dt * 100;
	for (k = 0; k < ROWS_NKINDS; k++)
		r->kind_pct[k] = delta(a->cpu_kind[k], z->cpu_kind[k]) / dt * 100;
	r->gc_n = delta(a->gc_count, z->gc_count);
	r->gc_per_s = r->gc_n / dt;
	r->gc_pct = delta(a->gc_sum, z->gc_sum) / dt * 100;
	r->sp_pct = delta(a->sp_sum, z->sp_sum) / dt * 100;
	r->gc_max = a->have_max ? a->gc_max : 0;
	r->gc_p99 = p99(a, b, r->gc_n, r->gc_max, a->have_max);
	r->rx_per_s = delta(a->rx, z->rx) / dt;
	r->tx_per_s = delta(a->tx, z->tx) / dt;
}

static bool keep(const struct acc *a, const struct rows_filter *f)
{
	char id[512], text[1024];

	if (!f)
		return true;
	if (f->ns && strcmp(a->ns, f->ns))
		return false;
	if (f->pod && strcmp(a->pod, f->pod))
		return false;
	if (!f->re)
		return true;
	rows_identity(a, id, sizeof(id));
	if (a->pid)
		snprintf(text, sizeof(text), "%s %d %s %s", id, a->pid, a->main_class, a->flink_role);
	else
		snprintf(text, sizeof(text), "%s", id);
	return regexec(f->re, text, 0, NULL, 0) == 0;
}

struct sort_by {
	int col;
	bool rev;
};

static double sort_value(const struct row *r, int col)
{
	switch (col) {
	case COL_CPU: return r->cpu_pct;
	case COL_APP: return r->kind_pct[KIND_APP_I];
	case COL_GC: return r->kind_pct[KIND_GC_I];
	case COL_JIT: return r->kind_pct[KIND_JIT_I];
	case COL_GCPS: return r->gc_per_s;
	case COL_P99: return r->gc_p99;
	case COL_MAX: return r->gc_max;
	case COL_GCPCT: return r->gc_pct;
	case COL_SPPCT: return r->sp_pct;
	case COL_THREADS: return r->a->threads;
	case COL_HEAP: return r->a->heap_used;
	case COL_RX: return r->rx_per_s;
	case COL_TX: return r->tx_per_s;
	default: return 0;
	}
}

static int cmp_rows(const void *x, const void *y, void *arg)
{
	const struct sort_by *by = arg;
	const struct row *a = x, *b = y;
	char ia[512], ib[512];
	int c = 0;

	if (by->col == COL_NAME) {
		rows_identity(a->a, ia, sizeof(ia));
		rows_identity(b->a, ib, sizeof(ib));
		c = strcmp(ia, ib);
		if (!c)
			c = strcmp(a->a->main_class, b->a->main_class);
	} else if (by->col == COL_PID) {
		c = (a->a->pid > b->a->pid) - (a->a->pid < b->a->pid);
	} else {
		double va = sort_value(a, by->col), vb = sort_value(b, by->col);

		c = (va < vb) - (va > vb); /* largest first */
	}
	/* Rows without rates yet go last; ties by pid, then container id, so the order is stable. */
	if (!c)
		c = (int)b->rates - (int)a->rates;
	if (!c)
		c = (a->a->pid > b->a->pid) - (a->a->pid < b->a->pid);
	if (!c)
		c = strcmp(a->a->container_id, b->a->container_id);
	return by->rev ? -c : c;
}

int rows_build(const struct snapshot *prev, const struct snapshot *cur, bool containers,
	       const struct rows_filter *f, int col, bool reverse, struct row **out)
{
	const struct acc *arr = containers ? cur->ctr : cur->jvm;
	size_t n = containers ? cur->nctr : cur->njvm, i;
	double dt = prev ? cur->mono - prev->mono : 0;
	struct row *r = calloc(n ? n : 1, sizeof(*r));
	int m = 0;

	*out = r;
	if (!r)
		return -1;
	if (dt <= 0)
		dt = 0;
	for (i = 0; i < n; i++) {
		const struct acc *a = &arr[i], *b = match(prev, a, containers);

		if (!keep(a, f))
			continue;
		r[m].a = a;
		/* New in the interval: everything it has counted happened in the interval. A JVM
		 * that is new to the list but older than the interval (found by a later /proc scan)
		 * gets its rates next time. */
		if (dt > 0 && (b || (prev && (containers || a->start >= prev->wall - 1)))) {
			fill(&r[m], a, b, dt);
			r[m].rates = true;
		}
		/* Parents like kubepods.slice, and other cgroups that are not containers, only
		 * while something ran in them. */
		if (containers && r[m].rates && !a->pod[0] && strcmp(a->container_id, "/") &&
		    !a->njvms && r[m].cpu_pct == 0)
			continue;
		m++;
	}
	qsort_r(r, m, sizeof(*r), cmp_rows, &(struct sort_by){ col, reverse });
	return m;
}
