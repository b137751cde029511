/* Shared libbpf plumbing: logging, open options, and the registry behind the jvmtap_bpf_* metrics. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "families.h"
#include "bpfutil.h"
#include "config.h"
#include "jvmtap/cpu.h"
#include "log.h"

#define MAX_TRACKED 64

struct tracked_prog {
	const char *program;
	const char *mode;
	int fd; /* -1 when the program never loaded */
	bool attached;
};

struct tracked_map {
	const char *map;
	int fd;
	__u32 max_entries;
	__u32 key_size;
	enum bpf_map_type type;
	const volatile __u64 *failures;
	long entries; /* at the last bpfutil_count_maps(), -1 before it or when uncountable */
};

static struct tracked_prog progs[MAX_TRACKED];
static struct tracked_map maps[MAX_TRACKED];
static int nprogs, nmaps;
static bool quiet;
static int stats_fd = -1;
static struct bpf_object_open_opts open_opts = { .sz = sizeof(open_opts) };

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	enum log_level lvl;

	if (level == LIBBPF_DEBUG)
		lvl = LOG_DEBUG;
	else
		lvl = quiet ? LOG_DEBUG : LOG_WARN;
	if (lvl > log_max_level)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	log_msg(lvl, "libbpf: %s", line);
	return 0;
}

/* Maps more than one object uses (bpf/shared_maps.bpf.h), made here once so that every object
 * gets the same one whichever collectors load. */
static struct {
	const char *name;
	enum bpf_map_type type;
	__u32 key_size, value_size, max_entries;
	int fd;
} shared[] = {
	{ "jvm_tgids", BPF_MAP_TYPE_HASH, sizeof(__u32), sizeof(__u8), CPU_MAX_JVMS, -1 },
	{ "jvm_tgid_bits", BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), CPU_TGID_BITS_WORDS, -1 },
};
#define NSHARED (sizeof(shared) / sizeof(shared[0]))

static int make_shared(void)
{
	size_t i;
	__u32 n;

	for (i = 0; i < NSHARED; i++) {
		n = shared[i].max_entries;
		/* as bpfutil_prepare(): hash maps only (the bitmap is indexed by pid) */
		if (cfg.bpf_max_entries && n > cfg.bpf_max_entries &&
		    shared[i].type == BPF_MAP_TYPE_HASH)
			n = cfg.bpf_max_entries;
		shared[i].fd = bpf_map_create(shared[i].type, shared[i].name, shared[i].key_size,
					      shared[i].value_size, n, NULL);
		if (shared[i].fd < 0) {
			log_err("cannot create the BPF map %s: %s", shared[i].name, strerror(errno));
			return -errno;
		}
	}
	return 0;
}

int bpfutil_shared_fd(const char *name)
{
	size_t i;

	for (i = 0; i < NSHARED; i++)
		if (!strcmp(shared[i].name, name))
			return shared[i].fd;
	return -1;
}

/* jvm_tgid_bits' bit of tgid to on; one writer (the JVM collector, on the main loop). */
static int set_tgid_bit(__u32 tgid, bool on)
{
	int fd = bpfutil_shared_fd("jvm_tgid_bits");
	__u32 word = tgid >> 6;
	__u64 bits = 0, bit = 1ULL << (tgid & 63);

	if (word >= CPU_TGID_BITS_WORDS)
		return -ERANGE;
	if (fd < 0 || bpf_map_lookup_elem(fd, &word, &bits))
		return -errno;
	bits = on ? bits | bit : bits & ~bit;
	return bpf_map_update_elem(fd, &word, &bits, BPF_ANY) ? -errno : 0;
}

int bpfutil_follow_tgid(__u32 tgid, __u8 how)
{
	int err = bpf_map_update_elem(bpfutil_shared_fd("jvm_tgids"), &tgid, &how, BPF_ANY);

	if (err)
		return -errno;
	if ((err = set_tgid_bit(tgid, true)))
		bpf_map_delete_elem(bpfutil_shared_fd("jvm_tgids"), &tgid);
	return err;
}

void bpfutil_unfollow_tgid(__u32 tgid)
{
	bpf_map_delete_elem(bpfutil_shared_fd("jvm_tgids"), &tgid);
	set_tgid_bit(tgid, false);
}

int bpfutil_init(void)
{
	int err;

	libbpf_set_print(libbpf_print);
	if ((err = make_shared()))
		return err;
	open_opts.btf_custom_path = cfg.btf_path;
	if (cfg.bpf_stats) {
		/* Stats stay on while this fd is open and go off when jvmtap exits. */
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (stats_fd < 0) {
			log_warn("--bpf.stats: cannot enable BPF run-time stats: %s", strerror(errno));
			stats_fd = -1;
		}
	}
	return 0;
}

void bpfutil_exit(void)
{
	size_t i;

	if (stats_fd >= 0)
		close(stats_fd);
	stats_fd = -1;
	for (i = 0; i < NSHARED; i++) {
		if (shared[i].fd >= 0)
			close(shared[i].fd);
		shared[i].fd = -1;
	}
}

const struct bpf_object_open_opts *bpfutil_open_opts(void)
{
	return &open_opts;
}

void bpfutil_quiet(bool q)
{
	quiet = q;
}

int bpfutil_probe(const struct bpfutil_modes *p)
{
	int m, err = -ENOENT;

	for (m = 0; m < p->n; m++) {
		if (p->forced >= 0 && m != p->forced)
			continue;
		bpfutil_quiet(p->forced < 0);
		err = p->try_mode(m, p->arg);
		bpfutil_quiet(false);
		if (!err)
			return m;
		if (p->forced < 0 && m + 1 < p->n)
			log_info("%s: %s via %s unavailable (%s), trying the next mode", p->owner,
				 p->what, p->names[m], strerror(-err));
	}
	return err;
}

void bpfutil_track_prog(const char *program, const char *mode, const struct bpf_program *prog,
			bool attached)
{
	if (nprogs == MAX_TRACKED)
		return;
	progs[nprogs++] = (struct tracked_prog){
		.program = program,
		.mode = mode,
		.fd = prog ? bpf_program__fd(prog) : -1,
		.attached = attached,
	};
}

int bpfutil_prepare(struct bpf_object *obj)
{
	struct bpf_map *m;
	int fd, err;

	bpf_object__for_each_map(m, obj) {
		if ((fd = bpfutil_shared_fd(bpf_map__name(m))) >= 0 &&
		    (err = bpf_map__reuse_fd(m, fd))) {
			log_err("BPF map %s: cannot use the shared one: %s", bpf_map__name(m),
				strerror(-err));
			return err;
		}
	}
	if (!cfg.bpf_max_entries)
		return 0;
	bpf_object__for_each_map(m, obj) {
		enum bpf_map_type t = bpf_map__type(m);

		/* A map reused from another object has its size already. */
		if (bpf_map__fd(m) >= 0 ||
		    (t != BPF_MAP_TYPE_HASH && t != BPF_MAP_TYPE_PERCPU_HASH &&
		     t != BPF_MAP_TYPE_LRU_HASH && t != BPF_MAP_TYPE_LRU_PERCPU_HASH))
			continue;
		if (bpf_map__max_entries(m) > cfg.bpf_max_entries)
			bpf_map__set_max_entries(m, cfg.bpf_max_entries);
	}
	return 0;
}

void bpfutil_track_map(const char *map, const struct bpf_map *m, const volatile __u64 *failures)
{
	if (nmaps == MAX_TRACKED)
		return;
	maps[nmaps++] = (struct tracked_map){
		.map = map,
		.fd = bpf_map__fd(m),
		.max_entries = bpf_map__max_entries(m),
		.key_size = bpf_map__key_size(m),
		.type = bpf_map__type(m),
		.failures = failures,
		.entries = -1,
	};
}

void bpfutil_untrack_all(void)
{
	nprogs = nmaps = 0;
}

int bpfutil_missed(void)
{
	int i, n = 0;

	for (i = 0; i < nprogs; i++)
		n += !progs[i].attached;
	return n;
}

/* Classic tracepoints are found by id under tracefs, which may be unmounted (raw_tp and tp_btf
 * need no tracefs). jvmtap does not mount it: the host's mounts are not ours to change. */
int bpfutil_need_tracefs(void)
{
	if (access("/sys/kernel/tracing/events", F_OK) == 0 ||
	    access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return 0;
	log_warn("classic tracepoints need tracefs, which is not mounted (mount -t tracefs nodev "
		 "/sys/kernel/tracing)");
	return -ENOENT;
}

int bpfutil_ncpus(void)
{
	static int n;

	if (!n) {
		n = libbpf_num_possible_cpus();
		if (n <= 0)
			n = 1;
	}
	return n;
}

/* Hash maps have no entry count in the kernel's info: walk the keys. */
static long count_entries(const struct tracked_map *m)
{
	unsigned char key[256], next[256];
	void *prev = NULL;
	long n = 0;

	if (m->key_size > sizeof(key))
		return -1;
	while (bpf_map_get_next_key(m->fd, prev, next) == 0) {
		memcpy(key, next, m->key_size);
		prev = key;
		if (++n > (long)m->max_entries)
			break; /* keys deleted under us restart the walk: stop at the bound */
	}
	return n;
}

void bpfutil_count_maps(void)
{
	int i;

	for (i = 0; i < nmaps; i++)
		__atomic_store_n(&maps[i].entries,
				 maps[i].type == BPF_MAP_TYPE_RINGBUF ? -1 : count_entries(&maps[i]),
				 __ATOMIC_RELAXED);
}

void bpfutil_collect(struct writer *w)
{
	struct bpf_prog_info info[MAX_TRACKED];
	bool have[MAX_TRACKED];
	__u32 len;
	int i;

	w_fam(w, FAM_BPF_PROGRAM_ATTACHED);
	for (i = 0; i < nprogs; i++) {
		struct label l[] = { { "program", progs[i].program }, { "mode", progs[i].mode } };

		w_sample(w, fam_name(FAM_BPF_PROGRAM_ATTACHED), l, 2, NULL, 0, progs[i].attached);
	}
	/* One info read per program serves both counters. */
	for (i = 0; i < nprogs; i++) {
		memset(&info[i], 0, sizeof(info[i]));
		len = sizeof(info[i]);
		have[i] = progs[i].fd >= 0 && bpf_obj_get_info_by_fd(progs[i].fd, &info[i], &len) == 0;
	}
	w_fam(w, FAM_BPF_PROGRAM_RUNS_TOTAL);
	for (i = 0; i < nprogs; i++) {
		struct label l[] = { { "program", progs[i].program } };

		if (have[i])
			w_sample(w, fam_name(FAM_BPF_PROGRAM_RUNS_TOTAL), l, 1, NULL, 0, info[i].run_cnt);
	}
	w_fam(w, FAM_BPF_PROGRAM_RUN_SECONDS_TOTAL);
	for (i = 0; i < nprogs; i++) {
		struct label l[] = { { "program", progs[i].program } };

		if (have[i])
			w_sample(w, fam_name(FAM_BPF_PROGRAM_RUN_SECONDS_TOTAL), l, 1, NULL, 0,
				 info[i].run_time_ns / 1e9);
	}
	w_fam(w, FAM_BPF_MAP_ENTRIES);
	for (i = 0; i < nmaps; i++) {
		struct label l[] = { { "map", maps[i].map } };
		long n = __atomic_load_n(&maps[i].entries, __ATOMIC_RELAXED);

		if (n >= 0)
			w_sample(w, fam_name(FAM_BPF_MAP_ENTRIES), l, 1, NULL, 0, n);
	}
	w_fam(w, FAM_BPF_MAP_MAX_ENTRIES);
	for (i = 0; i < nmaps; i++) {
		struct label l[] = { { "map", maps[i].map } };

		w_sample(w, fam_name(FAM_BPF_MAP_MAX_ENTRIES), l, 1, NULL, 0, maps[i].max_entries);
	}
	w_fam(w, FAM_BPF_MAP_UPDATE_FAILURES_TOTAL);
	for (i = 0; i < nmaps; i++) {
		struct label l[] = { { "map", maps[i].map } };

		w_sample(w, fam_name(FAM_BPF_MAP_UPDATE_FAILURES_TOTAL), l, 1, NULL, 0,
			 maps[i].failures ? *maps[i].failures : 0);
	}
}
