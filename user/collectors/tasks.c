/* OS threads per container: the live count from the kernel's own list of a cgroup's threads
 * (cgroup.threads on v2, tasks on v1), read by a refresh worker (--tasks.refresh-interval,
 * default 1s) so that a scrape does not read a file per cgroup, and threads created from the
 * sched_process_fork programs of bpf/tasks.bpf.c, read at scrape. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "families.h"
#include "args.h"
#include "bpfutil.h"
#include "cgmaps.h"
#include "collector.h"
#include "config.h"
#include "idcopy.h"
#include "identity.h"
#include "jvmtap/cpu.h"
#include "jvmtap/tasks.h"
#include "log.h"
#include "mapsnap.h"
#include "tasks.skel.h"
#include "worker.h"

static struct tasks_bpf *skel;
static struct bpf_link *link_;

/* The last reading of the live counts (struct id_reading): a struct id_sample per cgroup. */
static struct snapshot last = SNAPSHOT_INIT(id_reading_free);
static struct worker *refresher;
static unsigned refresh_ms = 1000;

enum { OPT_REFRESH = 2500 };

static const struct argp_option options[] = {
	{ "tasks.refresh-interval", OPT_REFRESH, "DURATION", 0, "How often every container's thread list is counted; a scrape shows the last count (default 1s)", 0 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *st)
{
	if (key != OPT_REFRESH)
		return ARGP_ERR_UNKNOWN;
	if (flag_millis(arg, 100, 3600000u, &refresh_ms))
		argp_error(st, "--tasks.refresh-interval: '%s' is not a duration in 100ms..1h (1s, 500ms)", arg);
	return 0;
}

static const struct argp argp = { options, parse_opt, NULL, NULL, NULL, NULL, NULL };

static int try_mode(bool btf)
{
	struct bpf_program *p;
	int err;

	skel = tasks_bpf__open_opts(bpfutil_open_opts());
	if (!skel)
		return -errno;
	skel->rodata->hierarchy = identity_hierarchy() == CGROUP_V1 ? CPU_HIER_V1 : CPU_HIER_V2;
	p = btf ? skel->progs.tasks_fork_tp_btf : skel->progs.tasks_fork_raw_tp;
	bpf_program__set_autoload(btf ? skel->progs.tasks_fork_raw_tp : skel->progs.tasks_fork_tp_btf,
				  false);
	err = bpfutil_prepare(skel->obj);
	if (!err)
		err = tasks_bpf__load(skel);
	if (!err) {
		link_ = bpf_program__attach(p);
		err = link_ ? 0 : -errno;
	}
	if (err) {
		tasks_bpf__destroy(skel);
		skel = NULL;
	}
	return err;
}

static int try_one(int m, void *arg)
{
	(void)arg;
	return try_mode(m == 0);
}

static int tasks_refresh(void *arg);

static int tasks_open(void)
{
	static const char *const modes[] = { "tp_btf", "raw_tp" };
	/* The tracepoint attach mode uses raw_tp too (no tracefs needed). */
	struct bpfutil_modes p = {
		.owner = "tasks", .what = "sched_process_fork", .names = modes, .n = 2,
		.forced = cfg.attach_mode == ATTACH_AUTO ? -1 : cfg.attach_mode == ATTACH_TP_BTF ? 0 : 1,
		.try_mode = try_one,
	};
	int got, err;

	if (!(refresher = worker_new("tasks", "cgroup_threads", refresh_ms, tasks_refresh, NULL)))
		return -ENOMEM;
	got = bpfutil_probe(&p);
	err = got < 0 ? got : 0;
	bool btf = got < 0 ? p.forced == 0 : got == 0; /* the mode tried last */

	if (err) {
		log_warn("tasks: cannot attach sched_process_fork (%s): threads created are not counted",
			 strerror(-err));
		bpfutil_track_prog("tasks_fork", btf ? "tp_btf" : "raw_tp", NULL, false);
		return 0;
	}
	bpfutil_track_prog("tasks_fork", btf ? "tp_btf" : "raw_tp",
			   btf ? skel->progs.tasks_fork_tp_btf : skel->progs.tasks_fork_raw_tp, true);
	bpfutil_track_map("tasks_created", skel->maps.tasks_created,
			  &skel->bss->tasks_created_update_failures);
	return 0;
}

struct samples {
	struct id_sample *s;
	size_t n, cap;
	time_t now;
	bool failed; /* out of memory: samples were dropped */
};

static struct id_sample *next_sample(struct samples *ss)
{
	struct id_sample *g;

	if (ss->n == ss->cap) {
		g = realloc(ss->s, (ss->cap ? ss->cap * 2 : 64) * sizeof(*g));
		if (!g) {
			ss->failed = true;
			return NULL;
		}
		ss->s = g;
		ss->cap = ss->cap ? ss->cap * 2 : 64;
	}
	return &ss->s[ss->n];
}

/* One line per thread in the kernel's list. */
static long count_lines(const char *path)
{
	char buf[65536];
	long n = 0;
	size_t r, i;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while ((r = fread(buf, 1, sizeof(buf), f)) > 0)
		for (i = 0; i < r; i++)
			n += buf[i] == '\n';
	fclose(f);
	return n;
}

/* The worker: the cgroups copied under the render lock, their thread lists read without it. */
static int tasks_refresh(void *arg)
{
	struct id_reading *rd = id_reading_new(sizeof(struct id_sample));
	const char *file = identity_hierarchy() == CGROUP_V2 ? "cgroup.threads" : "tasks";
	struct id_sample *s;
	char path[4200];
	size_t i;
	long n;

	(void)arg;
	if (!rd)
		return -ENOMEM;
	s = rd->rows;
	for (i = 0; i < rd->ids.n; i++) {
		const struct id_cgroup *c = &rd->ids.c[i];

		snprintf(path, sizeof(path), "%s/%s", c->dir, file);
		if ((n = count_lines(path)) < 0)
			continue; /* removed meanwhile */
		memcpy(s[rd->n].labels, c->labels, sizeof(c->labels));
		s[rd->n++].value = n;
	}
	snapshot_publish(&last, rd);
	return 0;
}

static int tasks_collect(struct writer *w)
{
	struct samples ss = { .now = time(NULL) };
	const struct id_reading *rd;
	struct mapsnap m = { 0 };
	size_t i, c;
	int err;

	/* identity_emit_sums() sorts: the samples are copied out of the shared reading. */
	w_fam(w, FAM_CONTAINER_THREADS);
	rd = snapshot_hold(&last, NULL);
	for (i = 0; rd && i < rd->n; i++) {
		struct id_sample *s = next_sample(&ss);

		if (!s)
			break;
		*s = ((const struct id_sample *)rd->rows)[i];
		ss.n++;
	}
	identity_emit_sums(w, fam_name(FAM_CONTAINER_THREADS), ss.s, ss.n);
	snapshot_release(&last);

	w_fam(w, FAM_CONTAINER_THREADS_CREATED_TOTAL);
	ss.n = 0;
	if (ss.failed) {
		free(ss.s);
		return -ENOMEM;
	}
	if (skel && (err = mapsnap_read(bpf_map__fd(skel->maps.tasks_created), 0, &m))) {
		free(ss.s);
		return err;
	}
	for (i = 0; skel && i < m.n; i++) {
		struct id_sample *s = next_sample(&ss);

		if (!s || identity_labels(*(const __u64 *)mapsnap_key(&m, i), s->labels, ss.now) !=
				  IDENTITY_OK)
			continue;
		for (s->value = 0, c = 0; c < m.ncpus; c++)
			s->value += *(const __u64 *)mapsnap_val(&m, i, c);
		ss.n++;
	}
	if (skel) {
		identity_emit_sums(w, fam_name(FAM_CONTAINER_THREADS_CREATED_TOTAL), ss.s, ss.n);
		mapsnap_free(&m);
	}
	free(ss.s);
	return ss.failed ? -ENOMEM : 0;
}

/* Drops the counts of cgroups removed past the grace period. */
static void tasks_maintain(time_t now)
{
	if (skel)
		cgmaps_reap(bpf_map__fd(skel->maps.tasks_created), now);
}

static void tasks_close(void)
{
	worker_free(refresher);
	refresher = NULL;
	snapshot_clear(&last);
	bpf_link__destroy(link_);
	link_ = NULL;
	tasks_bpf__destroy(skel);
	skel = NULL;
}

const struct collector tasks_collector = {
	.name = "tasks",
	.help = "threads live and created per container",
	.argp = &argp,
	.open = tasks_open,
	.collect = tasks_collect,
	.maintain = tasks_maintain,
	.close = tasks_close,
};
