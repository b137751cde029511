/* jvmtap top's tasks view (tasks.h): a TaskManager's tasks by CPU, a JVM's state calls. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fmt.h"
#include "tasks.h"

#define PID_W 7   /* top's PID and CPU% columns, each with its leading space */
#define CPU_W 5
#define CORES_W 7
#define TEXT_COL (PID_W + CPU_W + CORES_W + 1) /* where a task's name starts */

/* The collector's ops in the order they are shown, whatever order its map gives them in. */
static const char *const op_order[] = { "get", "put", "merge", "delete", "seek", "write" };
#define NOPS (int)(sizeof(op_order) / sizeof(op_order[0]))

/* One task's or one op's figures over the interval. */
struct item {
	const struct flink_acc *f;
	double rate; /* a task's cores (NAN while its JVM has no rates); an op's calls per second */
	double mean; /* an op's seconds per call */
};

/* One JVM of the view. */
struct shown {
	const struct row *r;
	struct item *task, *op;
	int ntask, nop;
	int quota; /* lines for its tasks */
};

/* Where the lines go: left lines more, -1 for no limit. */
struct out {
	tasks_emit_fn emit;
	void *arg;
	int left;
};

static void put(struct out *o, bool jvm, const char *text)
{
	if (!o || !o->left)
		return;
	if (o->left > 0)
		o->left--;
	o->emit(o->arg, jvm, text);
}

bool tasks_shows(const struct row *r)
{
	return r->a->nfl || !strcmp(r->a->flink_role, "taskmanager");
}

int tasks_count(const struct row *r, int n)
{
	int i, m = 0;

	for (i = 0; i < n; i++)
		m += tasks_shows(&r[i]);
	return m;
}

/* Calls per second: 0.5/s, 850/s, 12.3k/s, 1.2M/s. */
static void fmt_rate(char *b, size_t n, double v)
{
	static const char units[] = " kMG";
	int u = 0;

	while (v >= 999.5 && u < 3)
		v /= 1000, u++;
	if (u == 0)
		snprintf(b, n, v < 9.95 ? "%.1f/s" : "%.0f/s", v);
	else
		snprintf(b, n, v < 99.95 ? "%.1f%c/s" : "%.0f%c/s", v, units[u]);
}

/* A state call's mean time, two or three digits: 850ns, 1.8us, 42us, 1.2ms, 1.50s. */
static void fmt_mean(char *b, size_t n, double v)
{
	if (v < 0.9995e-6)
		snprintf(b, n, "%.0fns", v * 1e9);
	else if (v < 9.95e-6)
		snprintf(b, n, "%.1fus", v * 1e6);
	else if (v < 0.9995e-3)
		snprintf(b, n, "%.0fus", v * 1e6);
	else if (v < 9.95e-3)
		snprintf(b, n, "%.1fms", v * 1e3);
	else if (v < 0.9995)
		snprintf(b, n, "%.0fms", v * 1e3);
	else
		snprintf(b, n, "%.2fs", v);
}

static void fmt_cores(char *b, size_t n, double v)
{
	if (isnan(v))
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%.2f", v);
}

static double delta(double now, double before)
{
	return now > before ? now - before : 0;
}

/* The same task or op of the same JVM in the older snapshot; NULL: new in the interval, so all
 * it counted was counted in the interval (the collector writes a task or an op from its first
 * CPU time or call on). */
static const struct flink_acc *before(const struct row *r, const struct flink_acc *f)
{
	size_t i;

	for (i = 0; r->b && i < r->b->nfl; i++) {
		const struct flink_acc *g = &r->b->fl[i];

		if (g->op == f->op && !strcmp(g->name, f->name) && !strcmp(g->backend, f->backend))
			return g;
	}
	return NULL;
}

static int op_rank(const char *op)
{
	int i;

	for (i = 0; i < NOPS && strcmp(op, op_order[i]); i++)
		;
	return i;
}

/* Largest first; a JVM without rates yet by name. */
static int cmp_task(const void *x, const void *y)
{
	const struct item *a = x, *b = y;
	double va = isnan(a->rate) ? -1 : a->rate, vb = isnan(b->rate) ? -1 : b->rate;
	int c = (va < vb) - (va > vb);

	return c ? c : strcmp(a->f->name, b->f->name);
}

static int cmp_op(const void *x, const void *y)
{
	const struct item *a = x, *b = y;
	int c = strcmp(a->f->backend, b->f->backend);

	if (!c)
		c = op_rank(a->f->name) - op_rank(b->f->name);
	return c ? c : strcmp(a->f->name, b->f->name);
}

/* r's tasks and its ops that had calls into it[0..r->a->nfl). */
static void fill(struct shown *s, const struct row *r, struct item *it)
{
	const struct flink_acc *f, *b;
	double dc;
	size_t i;

	s->r = r;
	s->task = it;
	for (i = 0; i < r->a->nfl; i++) {
		f = &r->a->fl[i];
		if (f->op)
			continue;
		b = before(r, f);
		s->task[s->ntask].f = f;
		s->task[s->ntask++].rate = r->rates ? delta(f->sum, b ? b->sum : 0) / r->dt : NAN;
	}
	s->op = it + s->ntask;
	for (i = 0; r->rates && i < r->a->nfl; i++) {
		f = &r->a->fl[i];
		if (!f->op)
			continue;
		b = before(r, f);
		dc = delta(f->count, b ? b->count : 0);
		if (dc <= 0)
			continue;
		s->op[s->nop].f = f;
		s->op[s->nop].rate = dc / r->dt;
		s->op[s->nop++].mean = delta(f->sum, b ? b->sum : 0) / dc;
	}
	if (s->ntask > 1)
		qsort(s->task, s->ntask, sizeof(*s->task), cmp_task);
	if (s->nop > 1)
		qsort(s->op, s->nop, sizeof(*s->op), cmp_op);
}

/* Appends t to b (size, *len bytes used, *len < size), cut at the end. */
static void add(char *b, size_t size, size_t *len, const char *t)
{
	size_t k = strlen(t);

	if (k > size - 1 - *len)
		k = size - 1 - *len;
	memcpy(b + *len, t, k);
	*len += k;
	b[*len] = '\0';
}

/* s's state calls, "state rocksdb get 12.3k/s 1.8us  put 9.1k/s 2.2us ...", wrapped before
 * width columns (width > 0); returns the lines, emitted to o unless it is NULL. */
static int state_lines(const struct shown *s, int width, struct out *o)
{
	char line[1024], item[256], rate[16], mean[16];
	const char *backend = NULL;
	int i, lines = 0;
	size_t len;

	if (!s->nop)
		return 0;
	len = (size_t)snprintf(line, sizeof(line), "%*s%*s ", PID_W + CPU_W, "", CORES_W, "state");
	for (i = 0; i < s->nop; i++) {
		const struct item *it = &s->op[i];
		bool other = !backend || strcmp(backend, it->f->backend);

		backend = it->f->backend;
		fmt_rate(rate, sizeof(rate), it->rate);
		fmt_mean(mean, sizeof(mean), it->mean);
		snprintf(item, sizeof(item), "%s%s%s %s %s", other ? backend : "", other ? " " : "",
			 it->f->name, rate, mean);
		if (width > 0 && len > TEXT_COL && len + 2 + strlen(item) > (size_t)width) {
			put(o, false, line);
			lines++;
			len = (size_t)snprintf(line, sizeof(line), "%*s", TEXT_COL, "");
		}
		if (len > TEXT_COL)
			add(line, sizeof(line), &len, "  ");
		add(line, sizeof(line), &len, item);
	}
	put(o, false, line);
	return lines + 1;
}

/*
 * Task lines for each JVM: with max_lines, the most each can have so that all JVMs' lines fit
 * (a JVM with fewer tasks leaves its share to the next ones cut), so the busiest tasks of every
 * TaskManager show rather than all of the first's.
 */
static void share(struct shown *s, int m, int width, int max_lines)
{
	int i, level, used, fixed = 0, most = 0, avail;

	for (i = 0; i < m; i++) {
		s[i].quota = s[i].ntask;
		fixed += 1 + state_lines(&s[i], width, NULL);
		most = s[i].ntask > most ? s[i].ntask : most;
	}
	if (max_lines <= 0)
		return;
	avail = max_lines - fixed;
	for (level = most; level > 0; level--) {
		for (used = 0, i = 0; i < m; i++)
			used += s[i].ntask < level ? s[i].ntask : level;
		if (used <= avail)
			break;
	}
	for (used = 0, i = 0; i < m; i++) {
		s[i].quota = s[i].ntask < level ? s[i].ntask : level;
		used += s[i].quota;
	}
	for (i = 0; i < m && used < avail; i++)
		if (s[i].quota < s[i].ntask)
			s[i].quota++, used++;
}

/* A JVM's line, its tasks and its state calls. */
static void emit_jvm(const struct shown *s, int width, struct out *o)
{
	const struct row *r = s->r;
	char line[1280], name[1024], cpu[16], cores[16];
	/* Cut: its last line says what was left out, unless it has room for one task only (the
	 * busiest says more than a count). */
	int i, show = s->quota >= s->ntask ? s->ntask : s->quota > 1 ? s->quota - 1 : s->quota;
	double rest = 0;

	if (r->rates)
		fmt_pct(cpu, sizeof(cpu), r->cpu_pct);
	else
		snprintf(cpu, sizeof(cpu), "-");
	fmt_name(r->a, false, name, sizeof(name));
	snprintf(line, sizeof(line), "%*d%*s %s", PID_W, r->a->pid, CPU_W, cpu, name);
	put(o, true, line);
	for (i = 0; i < show; i++) {
		fmt_cores(cores, sizeof(cores), s->task[i].rate);
		snprintf(line, sizeof(line), "%*s%*s %s", PID_W + CPU_W, "", CORES_W, cores,
			 s->task[i].f->name);
		put(o, false, line);
	}
	if (show < s->ntask && s->quota > 1) {
		for (i = show; i < s->ntask; i++)
			rest += s->task[i].rate; /* NAN without rates: shown as "-" */
		fmt_cores(cores, sizeof(cores), rest);
		snprintf(line, sizeof(line), "%*s%*s (%d more)", PID_W + CPU_W, "", CORES_W,
			 cores, s->ntask - show);
		put(o, false, line);
	}
	state_lines(s, width, o);
}

int tasks_lines(const struct row *r, int n, int width, int max_lines, tasks_emit_fn emit,
		void *arg)
{
	struct out o = { emit, arg, max_lines > 0 ? max_lines : -1 };
	struct shown *s;
	struct item *it;
	size_t total = 0;
	int i, m = 0;

	for (i = 0; i < n; i++)
		if (tasks_shows(&r[i]))
			total += r[i].a->nfl, m++;
	s = calloc(m ? m : 1, sizeof(*s));
	it = calloc(total ? total : 1, sizeof(*it));
	if (!s || !it) {
		free(s);
		free(it);
		return -1;
	}
	for (i = 0, m = 0, total = 0; i < n; i++)
		if (tasks_shows(&r[i])) {
			fill(&s[m++], &r[i], it + total);
			total += r[i].a->nfl;
		}
	share(s, m, width, max_lines);
	for (i = 0; i < m; i++)
		emit_jvm(&s[i], width, &o);
	free(s);
	free(it);
	return m;
}
