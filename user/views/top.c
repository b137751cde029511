/* jvmtap top: one row per JVM (or per container) refreshed every --delay, in a terminal through
 * ncurses, or as plain lines with --batch or when stdout is not a terminal. */
#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "args.h"
#include "collector.h"
#include "config.h"
#include "jvm.h"
#include "engine.h"
#include "fmt.h"
#include "log.h"
#include "tasks.h"
#include "top.h"

#define TURN_MS 100
#define NAME_MIN 40   /* below this many columns left for the name, rows take two lines */
#define NLOG 16

/* One numeric column: title, width (with its leading space) and what it sorts by. */
struct column {
	const char *title;
	int width;
	int sort;
};

static const struct column columns[] = {
	{ "PID", 7, COL_PID }, { "CPU%", 5, COL_CPU }, { "APP", 4, COL_APP },
	{ "GC", 4, COL_GC }, { "JIT", 4, COL_JIT }, { "GC/s", 5, COL_GCPS },
	{ "P99", 7, COL_P99 }, { "MAX", 7, COL_MAX }, { "GC%", 5, COL_GCPCT },
	{ "SP%", 4, COL_SPPCT }, { "THR", 5, COL_THREADS }, { "HEAP", 10, COL_HEAP },
	{ "IN/s", 5, COL_RX }, { "OUT/s", 6, COL_TX },
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

static bool top_tasks; /* --tasks: start in the tasks view */

/* ---- shared with dump ------------------------------------------------------------------- */

int top_start(struct writer **w)
{
	int err;

	*w = writer_new();
	if (!*w)
		return -ENOMEM;
	writer_set_limit(*w, 256u << 20);
	if ((err = engine_init()) || (err = engine_open()))
		return err;
	/* Opens the first max-pause window. */
	jvm_window_advance();
	return 0;
}

void top_capture(struct writer *w, struct snapshot *s, bool advance)
{
	engine_lock();
	if (advance)
		jvm_window_advance();
	rows_capture_begin(s, w);
	engine_collect(w);
	rows_capture_end(s, w);
	engine_unlock();
}

void top_stop(struct writer *w)
{
	engine_close();
	writer_free(w);
}

/* The text of column c for row r into b. */
static void cell(const struct row *r, bool containers, int c, char *b, size_t n)
{
	const struct acc *a = r->a;
	char u[16], m[16];

	if (columns[c].sort == COL_PID) {
		snprintf(b, n, "%d", containers ? a->njvms : a->pid);
		return;
	}
	if (columns[c].sort == COL_THREADS) {
		if (a->have_threads)
			snprintf(b, n, "%.0f", a->threads);
		else
			snprintf(b, n, "-");
		return;
	}
	if (columns[c].sort == COL_HEAP) {
		if (!a->have_heap) {
			snprintf(b, n, "-");
			return;
		}
		fmt_bytes(u, sizeof(u), a->heap_used);
		fmt_bytes(m, sizeof(m), a->heap_max);
		snprintf(b, n, "%s/%s", u, m);
		return;
	}
	if (!r->rates) {
		snprintf(b, n, "-");
		return;
	}
	switch (columns[c].sort) {
	case COL_CPU: fmt_pct(b, n, r->cpu_pct); break;
	case COL_APP: fmt_pct(b, n, r->kind_pct[KIND_APP_I]); break;
	case COL_GC: fmt_pct(b, n, r->kind_pct[KIND_GC_I]); break;
	case COL_JIT: fmt_pct(b, n, r->kind_pct[KIND_JIT_I]); break;
	case COL_GCPS: fmt_pct(b, n, r->gc_per_s); break;
	case COL_P99: fmt_secs(b, n, r->gc_p99); break;
	case COL_MAX: fmt_secs(b, n, r->gc_max); break;
	case COL_GCPCT: fmt_pct(b, n, r->gc_pct); break;
	case COL_SPPCT: fmt_pct(b, n, r->sp_pct); break;
	case COL_RX: fmt_bytes(b, n, r->rx_per_s); break;
	case COL_TX: fmt_bytes(b, n, r->tx_per_s); break;
	default: snprintf(b, n, "?");
	}
}

/* The numeric part of a row (or the header when r is NULL), columns[].width wide each. */
static void line_of(const struct row *r, bool containers, char *b, size_t n)
{
	size_t off = 0, c;
	char t[32];

	for (c = 0; c < NCOLUMNS && off < n; c++) {
		if (!r)
			snprintf(t, sizeof(t), "%s", c == 0 && containers ? "JVMS" : columns[c].title);
		else
			cell(r, containers, c, t, sizeof(t));
		off += snprintf(b + off, n - off, "%*s", columns[c].width, t);
	}
}

static void header_of(const struct snapshot *cur, int sort, bool rev, bool tasks, char *b,
		      size_t size)
{
	char ts[32];
	time_t t = (time_t)cur->wall;

	strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
	snprintf(b, size, "jvmtap top  %s  every %.1fs  %zu JVMs  %zu containers  sort %s%s%s", ts,
		 cfg.top_delay_ms / 1000.0, cur->njvm, cur->nctr, rows_col_name(sort),
		 rev ? " reversed" : "", tasks ? "  tasks" : "");
}

static void to_file(void *f, bool jvm, const char *text)
{
	(void)jvm;
	fprintf(f, "%s\n", text);
}

void top_print_batch(FILE *f, const struct snapshot *cur, const struct row *r, int n,
		     bool containers, bool tasks, int sort_col, bool reverse)
{
	char line[2048], name[1024];
	int i;

	header_of(cur, sort_col, reverse, tasks, line, sizeof(line));
	fprintf(f, "%s\n", line);
	if (tasks) {
		fprintf(f, "%s\n", TASKS_HEADER);
		if (tasks_lines(r, n, 0, 0, to_file, f) < 0)
			fprintf(f, "(out of memory)\n");
	} else {
		line_of(NULL, containers, line, sizeof(line));
		fprintf(f, "%s %s\n", line, containers ? "CONTAINER" : "CONTAINER ROLE MAIN");
	}
	for (i = 0; !tasks && i < n; i++) {
		line_of(&r[i], containers, line, sizeof(line));
		fmt_name(r[i].a, containers, name, sizeof(name));
		fprintf(f, "%s %s\n", line, name);
	}
	fprintf(f, "\n");
	fflush(f);
}

/* ---- the interactive view ---------------------------------------------------------------- */

struct ui {
	bool containers, reverse, help, tasks;
	int sort;
	char re_text[256], ns[80], pod[256];
	regex_t re;
	bool have_re;
	char status[320];
	char logs[NLOG][256];
	int nlogs;
};

static struct ui *ui_for_log;

static void keep_log(enum log_level lvl, const char *line)
{
	struct ui *u = ui_for_log;

	if (!u || lvl > LOG_WARN)
		return;
	if (u->nlogs == NLOG) {
		memmove(u->logs[0], u->logs[1], sizeof(u->logs[0]) * (NLOG - 1));
		u->nlogs--;
	}
	snprintf(u->logs[u->nlogs++], sizeof(u->logs[0]), "%s: %s",
		 lvl == LOG_ERROR ? "error" : "warning", line);
	snprintf(u->status, sizeof(u->status), "%s", u->logs[u->nlogs - 1]);
}

static int set_regex(struct ui *u, const char *text)
{
	regex_t r;

	if (!*text) {
		if (u->have_re)
			regfree(&u->re);
		u->have_re = false;
		u->re_text[0] = '\0';
		return 0;
	}
	if (regcomp(&r, text, REG_EXTENDED | REG_NOSUB))
		return -1;
	if (u->have_re)
		regfree(&u->re);
	u->re = r;
	u->have_re = true;
	snprintf(u->re_text, sizeof(u->re_text), "%s", text);
	return 0;
}

static void filter_of(struct ui *u, struct rows_filter *f)
{
	f->ns = u->ns[0] ? u->ns : NULL;
	f->pod = u->pod[0] ? u->pod : NULL;
	f->re = u->have_re ? &u->re : NULL;
}

/* Reads a line at the bottom of the screen (blocking: the collectors catch up after). */
static void prompt(const char *what, char *buf, size_t size)
{
	char tmp[256] = "";

	move(LINES - 1, 0);
	clrtoeol();
	attron(A_BOLD);
	printw("%s: ", what);
	attroff(A_BOLD);
	echo();
	curs_set(1);
	timeout(-1);
	if (getnstr(tmp, sizeof(tmp) - 1) == OK)
		snprintf(buf, size, "%s", tmp);
	noecho();
	curs_set(0);
	timeout(0);
}

/* A line of the tasks view at *y; a JVM's in bold, as the heading of its tasks. */
static void to_screen(void *y, bool jvm, const char *text)
{
	if (jvm)
		attron(A_BOLD);
	mvaddnstr((*(int *)y)++, 0, text, COLS);
	if (jvm)
		attroff(A_BOLD);
}

static void draw(struct ui *u, const struct snapshot *cur, const struct row *r, int n)
{
	char line[2048], name[1024];
	int y = 0, i, numw = 0;
	bool two_lines;
	size_t c;

	for (c = 0; c < NCOLUMNS; c++)
		numw += columns[c].width;
	two_lines = COLS < numw + 1 + NAME_MIN;
	erase();
	header_of(cur, u->sort, u->reverse, u->tasks, line, sizeof(line));
	mvaddnstr(y++, 0, line, COLS);
	snprintf(line, sizeof(line), "%d %s shown%s%s%s%s%s%s  (h: keys)",
		 u->tasks ? tasks_count(r, n) : n,
		 u->containers ? "containers" : "JVMs", u->re_text[0] ? "  filter /" : "",
		 u->re_text, u->ns[0] ? "  namespace " : "", u->ns, u->pod[0] ? "  pod " : "",
		 u->pod);
	mvaddnstr(y++, 0, line, COLS);
	if (u->help) {
		mvaddnstr(y++, 0, "q quit  < > sort column  r reverse  c JVMs/containers  t tasks  "
			  "/ filter (regex)  n namespace  p pod  h hide keys", COLS);
		mvaddnstr(y++, 0, "Keys P C G T M I O N sort by pid, cpu, gc time, threads, heap, "
			  "in, out, name", COLS);
	}
	line_of(NULL, u->containers, line, sizeof(line));
	if (u->tasks)
		snprintf(line, sizeof(line), "%s", TASKS_HEADER);
	else if (!two_lines)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), " %s",
			 u->containers ? "CONTAINER" : "CONTAINER ROLE MAIN");
	attron(A_REVERSE);
	mvaddnstr(y, 0, line, COLS);
	for (i = (int)strlen(line); i < COLS; i++)
		mvaddch(y, i, ' ');
	attroff(A_REVERSE);
	y++;
	if (u->tasks && y < LINES - 1)
		tasks_lines(r, n, COLS, LINES - 1 - y, to_screen, &y);
	for (i = 0; !u->tasks && i < n && y < LINES - 1; i++) {
		line_of(&r[i], u->containers, line, sizeof(line));
		fmt_name(r[i].a, u->containers, name, sizeof(name));
		if (two_lines) {
			mvaddnstr(y++, 0, line, COLS);
			if (y >= LINES - 1)
				break;
			attron(A_DIM);
			mvaddstr(y, 0, "  ");
			addnstr(name, COLS - 2);
			attroff(A_DIM);
			y++;
		} else {
			snprintf(line + strlen(line), sizeof(line) - strlen(line), " %s", name);
			mvaddnstr(y++, 0, line, COLS);
		}
	}
	if (u->status[0])
		mvaddnstr(LINES - 1, 0, u->status, COLS - 1);
	refresh();
}

static const struct {
	int key, col;
} sort_keys[] = {
	{ 'P', COL_PID }, { 'C', COL_CPU }, { 'G', COL_GCPCT }, { 'T', COL_THREADS },
	{ 'M', COL_HEAP }, { 'I', COL_RX }, { 'O', COL_TX }, { 'N', COL_NAME },
};

/* Returns true to quit. */
static bool on_key(struct ui *u, int ch)
{
	char buf[256];
	size_t i;

	switch (ch) {
	case 'q':
	case 'Q':
		return true;
	case '<':
	case KEY_LEFT:
		u->sort = (u->sort + COL__N - 1) % COL__N;
		break;
	case '>':
	case KEY_RIGHT:
		u->sort = (u->sort + 1) % COL__N;
		break;
	case 'r':
		u->reverse = !u->reverse;
		break;
	case 'c':
		u->containers = !u->containers;
		u->tasks = false;
		break;
	case 't':
		u->tasks = !u->tasks;
		u->containers = false;
		break;
	case 'h':
	case '?':
		u->help = !u->help;
		break;
	case '/':
		snprintf(buf, sizeof(buf), "%s", u->re_text);
		prompt("filter (extended regex, empty: none)", buf, sizeof(buf));
		if (set_regex(u, buf))
			snprintf(u->status, sizeof(u->status), "not a regular expression: %s", buf);
		else
			u->status[0] = '\0';
		break;
	case 'n':
		prompt("namespace (empty: all)", u->ns, sizeof(u->ns));
		break;
	case 'p':
		prompt("pod (empty: all)", u->pod, sizeof(u->pod));
		break;
	default:
		for (i = 0; i < sizeof(sort_keys) / sizeof(sort_keys[0]); i++)
			if (ch == sort_keys[i].key)
				u->sort = sort_keys[i].col;
	}
	return false;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int top_main(volatile sig_atomic_t *exiting)
{
	struct snapshot snaps[2];
	struct ui *u = calloc(1, sizeof(*u));
	struct writer *w = NULL;
	SCREEN *scr = NULL;
	struct rows_filter f;
	struct row *r = NULL;
	bool batch = cfg.top_batch || !isatty(STDOUT_FILENO), curses = false, quit = false;
	unsigned frames = 0;
	int cur = 0, n = 0, ch, ret = 1, i;
	double next;

	memset(snaps, 0, sizeof(snaps));
	if (!u)
		return 1;
	u->sort = rows_col_of(cfg.top_sort);
	u->containers = cfg.top_containers;
	u->tasks = top_tasks;
	snprintf(u->ns, sizeof(u->ns), "%s", cfg.top_namespace ? cfg.top_namespace : "");
	snprintf(u->pod, sizeof(u->pod), "%s", cfg.top_pod ? cfg.top_pod : "");
	if (cfg.top_filter && set_regex(u, cfg.top_filter))
		goto out;
	if (top_start(&w))
		goto out;
	top_capture(w, &snaps[cur], true);
	if (!batch) {
		ui_for_log = u;
		log_set_hook(keep_log);
		/* newterm, not initscr: an unknown terminal is an error to report, not an exit. */
		scr = newterm(NULL, stdout, stdin);
		if (!scr) {
			log_set_hook(NULL);
			log_err("top: cannot use the terminal (TERM=%s); --batch prints plain lines",
				getenv("TERM") ? getenv("TERM") : "");
			goto out;
		}
		set_term(scr);
		curses = true;
		cbreak();
		noecho();
		keypad(stdscr, TRUE);
		curs_set(0);
		timeout(0);
		mvaddstr(0, 0, "jvmtap top: collecting...");
		refresh();
	}
	next = mono_s() + cfg.top_delay_ms / 1000.0;
	while (!*exiting && !quit) {
		if (curses) {
			engine_wait(TURN_MS, STDIN_FILENO);
			ch = getch(); /* does not wait: timeout(0) */
			if (ch != ERR && ch != KEY_RESIZE) {
				quit = on_key(u, ch);
				if (n >= 0 && !quit) {
					free(r);
					filter_of(u, &f);
					n = rows_build(&snaps[!cur], &snaps[cur], u->containers, &f,
						       u->sort, u->reverse, &r);
					if (frames)
						draw(u, &snaps[cur], r, n);
				}
			} else if (ch == KEY_RESIZE && frames) {
				draw(u, &snaps[cur], r, n);
			}
		} else {
			engine_wait(TURN_MS, -1);
		}
		engine_turn();
		if (mono_s() < next)
			continue;
		next += cfg.top_delay_ms / 1000.0;
		cur = !cur;
		rows_free(&snaps[cur]);
		top_capture(w, &snaps[cur], true);
		rows_inherit(&snaps[cur], &snaps[!cur]);
		free(r);
		filter_of(u, &f);
		n = rows_build(&snaps[!cur], &snaps[cur], u->containers, &f, u->sort, u->reverse, &r);
		if (n < 0) {
			log_err("top: out of memory");
			break;
		}
		if (curses)
			draw(u, &snaps[cur], r, n);
		else
			top_print_batch(stdout, &snaps[cur], r, n, u->containers, u->tasks, u->sort,
					u->reverse);
		frames++;
		if (cfg.top_iterations && frames >= cfg.top_iterations)
			break;
	}
	ret = 0;
out:
	if (curses)
		endwin();
	if (scr)
		delscreen(scr);
	log_set_hook(NULL);
	ui_for_log = NULL;
	for (i = 0; i < u->nlogs; i++)
		fprintf(stderr, "jvmtap: %s\n", u->logs[i]);
	free(r);
	rows_free(&snaps[0]);
	rows_free(&snaps[1]);
	if (u->have_re)
		regfree(&u->re);
	free(u);
	top_stop(w);
	return ret;
}

/* ---- its flags ---- */

enum { OPT_TOP_NS = 1200, OPT_TOP_POD };

static const struct argp_option top_options[] = {
	{ "delay", 'd', "SECONDS", 0, "Refresh interval, 0.1..3600 (default 1)", 0 },
	{ "iterations", 'n', "N", 0, "Exit after N refreshes (default 0: until q or a signal)", 0 },
	{ "containers", 'c', NULL, 0, "One row per container instead of per JVM", 0 },
	{ "tasks", 't', NULL, 0, "Start in the tasks view: each Flink TaskManager's tasks by CPU, each JVM's RocksDB state calls", 0 },
	{ "batch", 'b', NULL, 0, "Plain lines, no terminal handling (also when stdout is not a terminal)", 0 },
	{ "sort", 's', "COLUMN", 0, "Sort by this column, largest first (default cpu)", 0 },
	{ "filter", 'f', "REGEX", 0, "Only rows whose namespace/pod/container, pid or main class match", 0 },
	{ "namespace", OPT_TOP_NS, "NS", 0, "Only this Kubernetes namespace", 0 },
	{ "pod", OPT_TOP_POD, "POD", 0, "Only this pod", 0 },
	{ 0 },
};

static error_t parse_top(int key, char *arg, struct argp_state *st)
{
	switch (key) {
	case 'd':
		if (flag_millis(arg, 100, 3600000, &cfg.top_delay_ms))
			argp_error(st, "--delay: '%s' is not a number of seconds in 0.1..3600", arg);
		break;
	case 'n':
		if (flag_uint(arg, 0, UINT_MAX, &cfg.top_iterations))
			argp_error(st, "--iterations: '%s' is not a number", arg);
		break;
	case 'c':
		cfg.top_containers = true;
		break;
	case 't':
		top_tasks = true;
		break;
	case 'b':
		cfg.top_batch = true;
		break;
	case 's':
		if (rows_col_of(arg) < 0)
			argp_error(st, "--sort: '%s' is not one of " TOP_SORT_NAMES, arg);
		cfg.top_sort = arg;
		break;
	case 'f':
		if (rows_check_regex(arg))
			argp_error(st, "--filter: '%s' is not an extended regular expression", arg);
		cfg.top_filter = arg;
		break;
	case OPT_TOP_NS:
		cfg.top_namespace = arg;
		break;
	case OPT_TOP_POD:
		cfg.top_pod = arg;
		break;
	case ARGP_KEY_END:
		if (top_tasks && cfg.top_containers)
			argp_error(st, "--containers and --tasks are two views: give one");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp top_argp = { top_options, parse_top, NULL, NULL, NULL, NULL, NULL };
