/* CPU time per cgroup: loads bpf/cpu.bpf.c with the best sched_switch attach mode the kernel
 * offers, adds a per-CPU tick that charges long-running tasks, exports
 * jvmtap_container_cpu_seconds_total. */
#include <argp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include "families.h"
#include "args.h"
#include "bpfutil.h"
#include "cgmaps.h"
#include "collector.h"
#include "config.h"
#include "cpu.h"
#include "cpu.skel.h"
#include "identity.h"
#include "jvmtap/cpu.h"
#include "log.h"
#include "mapsnap.h"

enum { FLAG_CLOCK_AUTO, FLAG_CLOCK_RQ, FLAG_CLOCK_KTIME };

static struct {
	unsigned max_cgroups;
	unsigned flush_hz;
	int clock;
} cpu_cfg = { .max_cgroups = 16384, .flush_hz = 20 };

enum { OPT_MAXCG = 1400, OPT_FLUSH, OPT_CLOCK };

static const struct argp_option options[] = {
	{ "cpu.max-cgroups", OPT_MAXCG, "N", 0, "Cgroups tracked in the kernel map (default 16384)", 0 },
	{ "cpu.flush-hz", OPT_FLUSH, "HZ", 0, "Per-CPU tick that charges running tasks (default 20, 0 = off)", 0 },
	{ "cpu.clock", OPT_CLOCK, "C", 0, "auto|rq|ktime: runqueue clock (tp_btf only) or bpf_ktime_get_ns (default auto)", 0 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *st)
{
	static const char *const clock_names[] = { "auto", "rq", "ktime" };

	switch (key) {
	case OPT_MAXCG:
		if (flag_uint(arg, 1, 1u << 24, &cpu_cfg.max_cgroups))
			argp_error(st, "--cpu.max-cgroups: '%s' is not a number in 1..16777216", arg);
		break;
	case OPT_FLUSH:
		if (flag_uint(arg, 0, 1000, &cpu_cfg.flush_hz))
			argp_error(st, "--cpu.flush-hz: '%s' is not a number in 0..1000", arg);
		break;
	case OPT_CLOCK:
		cpu_cfg.clock = flag_pick(arg, clock_names, 3);
		if (cpu_cfg.clock < 0)
			argp_error(st, "--cpu.clock: '%s' is not auto, rq or ktime", arg);
		break;
	case ARGP_KEY_END:
		if (cpu_cfg.clock == FLAG_CLOCK_RQ && cfg.attach_mode != ATTACH_AUTO &&
		    cfg.attach_mode != ATTACH_TP_BTF)
			argp_error(st, "--cpu.clock=rq needs --bpf.attach-mode=tp_btf (or auto)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = { options, parse_opt, NULL, NULL, NULL, NULL, NULL };

static struct cpu_bpf *skel;
static struct bpf_link *switch_link;
static struct bpf_link **flush_links;
static int nflush;

static struct bpf_program *switch_prog(struct cpu_bpf *s, enum attach_mode m)
{
	switch (m) {
	case ATTACH_TP_BTF:
		return s->progs.cpu_switch_tp_btf;
	case ATTACH_RAW_TP:
		return s->progs.cpu_switch_raw_tp;
	default:
		return s->progs.cpu_switch_tracepoint;
	}
}

/* Opens, loads and attaches the skeleton with one sched_switch flavour and clock; 0 or -errno. */
static int try_mode(enum attach_mode m, enum cpu_clock clock)
{
	enum attach_mode k;
	int err;

	if (m == ATTACH_TRACEPOINT && (err = bpfutil_need_tracefs()))
		return err;
	skel = cpu_bpf__open_opts(bpfutil_open_opts());
	if (!skel)
		return -errno;
	skel->rodata->hierarchy = identity_hierarchy() == CGROUP_V1 ? CPU_HIER_V1 : CPU_HIER_V2;
	skel->rodata->clock_source = clock;
	bpf_map__set_max_entries(skel->maps.cgroup_cpu, cpu_cfg.max_cgroups);
	for (k = ATTACH_TP_BTF; k < ATTACH__N; k++)
		bpf_program__set_autoload(switch_prog(skel, k), k == m);
	err = bpfutil_prepare(skel->obj);
	if (!err)
		err = cpu_bpf__load(skel);
	if (!err) {
		switch_link = bpf_program__attach(switch_prog(skel, m));
		err = switch_link ? 0 : -errno;
	}
	if (err) {
		cpu_bpf__destroy(skel);
		skel = NULL;
	}
	return err;
}

static int perf_event_open_cpu(int cpu, unsigned hz)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 1000000000ull / hz, /* cpu-clock periods are nanoseconds */
	};

	return syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Attaches the flush tick on every online CPU; returns the number of CPUs it runs on. */
static int attach_flush(void)
{
	int cpu, fd, ncpus = bpfutil_ncpus(), err = 0;
	struct bpf_link *l;

	if (!cpu_cfg.flush_hz)
		return 0;
	flush_links = calloc(ncpus, sizeof(*flush_links));
	if (!flush_links)
		return 0;
	for (cpu = 0; cpu < ncpus; cpu++) {
		fd = perf_event_open_cpu(cpu, cpu_cfg.flush_hz);
		if (fd < 0) {
			if (errno != ENODEV) /* offline CPU */
				err = -errno;
			continue;
		}
		l = bpf_program__attach_perf_event(skel->progs.cpu_flush, fd);
		if (!l) {
			err = -errno;
			close(fd);
			continue;
		}
		flush_links[nflush++] = l;
	}
	if (err)
		log_warn("cpu: flush tick not attached on every CPU (%s): a task that stays on its "
			 "CPU is charged only when it leaves it",
			 strerror(-err));
	return nflush;
}

static const char *clock_name(enum cpu_clock c)
{
	return c == CPU_CLOCK_RQ ? "rq" : "ktime";
}

/* The prober's modes: tp_btf, raw_tp, tracepoint (enum attach_mode minus one). */
static const char *const modes[] = { "tp_btf", "raw_tp", "tracepoint" };

/* One mode, with the rq clock where it can be had: it is read through a BTF-typed task. */
static int try_clocked(int i, void *arg)
{
	enum attach_mode m = ATTACH_TP_BTF + i;
	enum cpu_clock *clock = arg;
	int err;

	*clock = cpu_cfg.clock != FLAG_CLOCK_KTIME && m == ATTACH_TP_BTF ? CPU_CLOCK_RQ :
									 CPU_CLOCK_KTIME;
	if (cpu_cfg.clock == FLAG_CLOCK_RQ && m != ATTACH_TP_BTF)
		return -EOPNOTSUPP;
	if (cpu_cfg.clock == FLAG_CLOCK_AUTO)
		bpfutil_quiet(true);
	err = try_mode(m, *clock);
	if (err && *clock == CPU_CLOCK_RQ && cpu_cfg.clock == FLAG_CLOCK_AUTO) {
		log_info("cpu: runqueue clock unusable with %s (%s), using bpf_ktime_get_ns",
			 attach_mode_name(m), strerror(-err));
		*clock = CPU_CLOCK_KTIME;
		err = try_mode(m, *clock);
	}
	return err;
}

static int cpu_open(void)
{
	enum cpu_clock clock = CPU_CLOCK_KTIME;
	struct bpfutil_modes p = {
		.owner = "cpu", .what = "sched_switch", .names = modes, .n = 3,
		.forced = cfg.attach_mode == ATTACH_AUTO ? -1 : (int)cfg.attach_mode - ATTACH_TP_BTF,
		.try_mode = try_clocked, .arg = &clock,
	};
	int got = bpfutil_probe(&p), err = got < 0 ? got : 0;
	/* the mode that worked, or the one tried last */
	enum attach_mode m = got >= 0 ? (enum attach_mode)(ATTACH_TP_BTF + got) :
			     p.forced >= 0 ? cfg.attach_mode : ATTACH_TRACEPOINT;

	if (err) {
		log_warn("cpu: cannot attach sched_switch (%s): container CPU time is not collected",
			 strerror(-err));
		bpfutil_track_prog("cpu_switch", attach_mode_name(m), NULL, false);
		bpfutil_track_prog("cpu_flush", "perf_event", NULL, false);
		return 0;
	}
	log_info("cpu: sched_switch attached via %s, %s clock", attach_mode_name(m),
		 clock_name(clock));
	bpfutil_track_prog("cpu_switch", attach_mode_name(m), switch_prog(skel, m), true);
	if (cpu_cfg.flush_hz) /* --cpu.flush-hz=0 turns it off: not a missed attachment */
		bpfutil_track_prog("cpu_flush", "perf_event", skel->progs.cpu_flush,
				   attach_flush() > 0);
	bpfutil_track_map("cgroup_cpu", skel->maps.cgroup_cpu, &skel->bss->cgroup_cpu_update_failures);
	bpfutil_track_map("jvm_thread_cpu", skel->maps.jvm_thread_cpu,
			  &skel->bss->jvm_thread_cpu_update_failures);
	return 0;
}

/* What each cgroup showed at the last scrape, by id. A CPU can move its pending sum into the map
 * after the map was read and before the pending sums are: that scrape misses the sum (never
 * counts it twice), and a scrape that saw it as pending the time before would show more than
 * this one. Each reading is at most the truth and the truth only grows, so showing the larger
 * of the two keeps the counter monotonic and still never above the truth. */
struct shown {
	__u64 id, ns;
};
static struct shown *shown;
static size_t nshown;

static int cmp_shown(const void *a, const void *b)
{
	const struct shown *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* cur[0..n) sorted by id on return, each ns at least what was shown last; cur (malloc'd) is
 * kept, as it is, for the next scrape. */
static void keep_monotonic(struct shown *cur, size_t n)
{
	size_t i, k = 0;

	if (n)
		qsort(cur, n, sizeof(*cur), cmp_shown);
	for (i = 0; i < n; i++) {
		while (k < nshown && shown[k].id < cur[i].id)
			k++;
		if (k < nshown && shown[k].id == cur[i].id && shown[k].ns > cur[i].ns)
			cur[i].ns = shown[k].ns;
	}
	free(shown);
	shown = cur;
	nshown = n;
}

/* Every cgroup in the map with its summed on-CPU ns, plus what each CPU has not moved to the map
 * yet (struct cpu_pending, read after the map), never less than it showed last; cgroups with the
 * same identity (a container's
 * sub-cgroups) are summed into one series. */
static int write_cgroups(struct writer *w, time_t now)
{
	struct id_sample *samples;
	struct cpu_pending *pend;
	struct shown *cur;
	struct mapsnap m;
	size_t i, c, n = 0, ncpu = (size_t)bpfutil_ncpus();
	__u32 zero = 0;
	int err;

	if ((err = mapsnap_read(bpf_map__fd(skel->maps.cgroup_cpu), 0, &m)))
		return err;
	pend = calloc(ncpu, sizeof(*pend));
	cur = calloc(m.n + ncpu + 1, sizeof(*cur));
	samples = calloc(m.n + ncpu + 1, sizeof(*samples));
	if (!pend || !cur || !samples) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < m.n; i++, n++) {
		cur[n].id = ((const struct cpu_key *)mapsnap_key(&m, i))->cgroup_id;
		for (c = 0; c < m.ncpus; c++)
			cur[n].ns += ((const struct cpu_val *)mapsnap_val(&m, i, c))->ns;
	}
	if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.last_ts), &zero, pend))
		for (c = 0; c < ncpu; c++) {
			if (!pend[c].ns)
				continue;
			for (i = 0; i < n && cur[i].id != pend[c].cgroup_id; i++)
				;
			if (i == n)
				cur[n++].id = pend[c].cgroup_id;
			cur[i].ns += pend[c].ns;
		}
	keep_monotonic(cur, n);
	for (i = 0, c = 0; i < n; i++) {
		if (identity_labels(cur[i].id, samples[c].labels, now) != IDENTITY_OK)
			continue;
		samples[c++].value = cur[i].ns / 1e9;
	}
	identity_emit_sums(w, fam_name(FAM_CONTAINER_CPU_SECONDS_TOTAL), samples, c);
out:
	free(samples);
	if (cur != shown) /* not handed to keep_monotonic() */
		free(cur);
	free(pend);
	mapsnap_free(&m);
	return err;
}

bool cpu_accounts_threads(void)
{
	return skel != NULL;
}

void cpu_for_each_thread(cpu_thread_fn fn, void *arg)
{
	struct cpu_thread_val v;
	struct mapsnap m;
	size_t i;

	if (!skel || mapsnap_read(bpf_map__fd(skel->maps.jvm_thread_cpu), 0, &m))
		return;
	for (i = 0; i < m.n; i++) {
		memcpy(&v, mapsnap_val(&m, i, 0), sizeof(v));
		v.comm[sizeof(v.comm) - 1] = '\0';
		fn(*(const __u32 *)mapsnap_key(&m, i), v.tgid, v.ns, v.cgroup_id, v.comm, arg);
	}
	mapsnap_free(&m);
}

void cpu_forget_thread(__u32 tid)
{
	if (skel)
		bpf_map_delete_elem(bpf_map__fd(skel->maps.jvm_thread_cpu), &tid);
}

static int cpu_collect(struct writer *w)
{
	w_fam(w, FAM_CONTAINER_CPU_SECONDS_TOTAL);
	return skel ? write_cgroups(w, time(NULL)) : 0;
}

static void cpu_maintain(time_t now)
{
	if (skel)
		cgmaps_reap(bpf_map__fd(skel->maps.cgroup_cpu), now);
}

static void cpu_close(void)
{
	int i;

	free(shown);
	shown = NULL;
	nshown = 0;
	for (i = 0; i < nflush; i++)
		bpf_link__destroy(flush_links[i]);
	free(flush_links);
	flush_links = NULL;
	nflush = 0;
	bpf_link__destroy(switch_link);
	switch_link = NULL;
	cpu_bpf__destroy(skel);
	skel = NULL;
}

const struct collector cpu_collector = {
	.name = "cpu",
	.help = "CPU time per container (sched_switch), per-thread time of JVMs",
	.argp = &argp,
	.open = cpu_open,
	.collect = cpu_collect,
	.maintain = cpu_maintain,
	.close = cpu_close,
};
