/* State access latency of JVMs that use RocksJava (Flink's RocksDB and ForSt state backends),
 * from bpf/rocksdb.bpf.c: uprobes on the JNI functions Flink's state calls, in the library each
 * TaskManager extracts into its own tmp dir at run time. The JVM collector finds the library in
 * a JVM's maps when it is loaded (jvm_watch_jni) and attaches it through the library probe
 * registry; every call then costs two uprobe traps, so a JVM whose call rate passes
 * --rocksdb.max-call-rate has its library's probes detached (docs/performance.md). */
#include <argp.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "args.h"
#include "bpfutil.h"
#include "collector.h"
#include "config.h"
#include "families.h"
#include "identity.h"
#include "jvm.h"
#include "jvmtap/rocksdb.h"
#include "libprobe.h"
#include "log.h"
#include "mapsnap.h"
#include "registry.h"
#include "rocksdb.skel.h"

/* Histogram slots written: 2^9 ns (512 ns) to 2^30 ns (~1.07 s) and +Inf. */
#define FIRST_SLOT 9
#define MAX_SLOT 30
#define MAX_GUARDED 1024 /* JVMs whose call rate is followed at once */

static const char *const op_names[ROCKSDB_OP__N] = { "get", "put", "merge", "delete", "seek",
						      "write" };

/* The exported functions Flink's state calls, with their op; the same under RocksJava's and
 * ForSt's package names. */
#define JNI_FUNCS(X, pkg)                                                                       \
	X(pkg, "RocksDB_get__J_3BIIJ", GET)                                                     \
	X(pkg, "RocksDB_get__JJ_3BIIJ", GET)                                                    \
	X(pkg, "RocksDB_put__JJ_3BII_3BIIJ", PUT)                                               \
	X(pkg, "RocksDB_merge__JJ_3BII_3BIIJ", MERGE)                                           \
	X(pkg, "RocksDB_delete__JJ_3BIIJ", DELETE)                                              \
	X(pkg, "RocksIterator_seek0", SEEK)                                                     \
	X(pkg, "RocksDB_write0", WRITE)
#define RETURN_OF(pkg, f, op) { .name = "Java_" pkg "_" f, .ret = true },
#define ENTRY_OF(pkg, f, op) { .name = "Java_" pkg "_" f, .cookie = ROCKSDB_OP_##op },
#define ONE(pkg, f, op) +1
#define NRETURNS (0 JNI_FUNCS(ONE, ))
#define NPROBES (2 * NRETURNS)
/* Returns are attached first (the table's order): an entry with no return to close it would
 * only be overwritten by the thread's next call, but a return without its entry is ignored. */
#define PROBES(pkg) { JNI_FUNCS(RETURN_OF, pkg) JNI_FUNCS(ENTRY_OF, pkg) }

static const struct libprobe_spec frocksdb_probes[NPROBES] = PROBES("org_rocksdb");
static const struct libprobe_spec forst_probes[NPROBES] = PROBES("org_forstdb");
static struct bpf_program *frocksdb_progs[NPROBES], *forst_progs[NPROBES];

enum backend { BACKEND_ROCKSDB, BACKEND_FORST, BACKEND__N };
static const char *const backend_names[BACKEND__N] = { "rocksdb", "forst" };

/* The file name RocksJava's NativeLibraryLoader extracts on this architecture. */
#if defined(__aarch64__)
#define LIBARCH "linux-aarch64"
#else
#define LIBARCH "linux64"
#endif

static struct libprobe_kind kinds[BACKEND__N] = {
	{ .owner = "rocksdb", .what = "RocksDB JNI", .file = "librocksdbjni-" LIBARCH ".so",
	  .nprobes = NPROBES, .probes = frocksdb_probes, .progs = frocksdb_progs },
	{ .owner = "rocksdb", .what = "ForSt JNI", .file = "libforstjni-" LIBARCH ".so",
	  .nprobes = NPROBES, .probes = forst_probes, .progs = forst_progs },
};
static int kind_index[BACKEND__N] = { -1, -1 };

/* The longest a tripped JVM's probes stay detached before the guard looks again. */
#define GUARD_RETRY_MAX_S 3600

static struct {
	unsigned max_rate; /* calls per second per JVM; 0: no limit */
	unsigned retry_s;  /* detached for this long after a first trip, doubled at each next */
} rdb_cfg = { .max_rate = 10000, .retry_s = 300 };

enum { OPT_MAXRATE = 2300, OPT_RETRY };

static const struct argp_option options[] = {
	{ "rocksdb.max-call-rate", OPT_MAXRATE, "N", 0, "State calls per second above which a JVM's RocksDB probes are detached, since each call costs two uprobe traps; 0: never (default 10000)", 0 },
	{ "rocksdb.guard-retry", OPT_RETRY, "DURATION", 0, "How long a JVM's probes stay detached after the rate guard trips, doubled at each later trip up to 1h; 0: for good (default 5m)", 0 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *st)
{
	switch (key) {
	case OPT_MAXRATE:
		if (flag_uint(arg, 0, 100000000, &rdb_cfg.max_rate))
			argp_error(st, "--rocksdb.max-call-rate: '%s' is not a number in 0..100000000", arg);
		break;
	case OPT_RETRY:
		if (flag_duration(arg, &rdb_cfg.retry_s))
			argp_error(st, "--rocksdb.guard-retry: '%s' is not a duration like 0, 30s, 5m, 1h", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = { options, parse_opt, NULL, NULL, NULL, NULL, NULL };

static struct rocksdb_bpf *skel;

/* The rate guard's view of each JVM with calls: its calls at the last look. */
static struct guarded {
	__u32 tgid;
	unsigned long long start; /* tells a reused pid apart */
	__u64 calls;
	struct timespec at;
	double tokens; /* calls it may still make before the guard trips */
	unsigned trips; /* times the guard tripped for it: the next wait is retry_s << trips */
} guarded[MAX_GUARDED];
static int nguarded;
static uint64_t detached_total;

/* A key's histogram summed over the CPUs. */
static void sum_cpus(const struct mapsnap *m, size_t i, struct rocksdb_hist *h)
{
	size_t c, s;

	memset(h, 0, sizeof(*h));
	for (c = 0; c < m->ncpus; c++) {
		const struct rocksdb_hist *p = mapsnap_val(m, i, c);

		for (s = 0; s < JVM_HIST_SLOTS; s++)
			h->slots[s] += p->slots[s];
		h->sum_ns += p->sum_ns;
		h->count += p->count;
	}
}

/* The calibration's target: a function of jvmtap's own, probed as the JNI ones are. It starts
 * with push %rbp, as every probed JNI function of Flink 1.20.5's and 2.3.0's libraries does
 * (objdump): the kernel emulates that instruction at the trap, while most others are stepped
 * out of line at several times the cost, which would then be taken off every call. */
#if defined(__x86_64__)
__asm__(".text\n"
	".globl jvmtap_rocksdb_calibrate\n"
	".type jvmtap_rocksdb_calibrate, @function\n"
	"jvmtap_rocksdb_calibrate:\n"
	"\tpush %rbp\n"
	"\tmov %rsp, %rbp\n"
	"\tlea 1(%rdi), %eax\n"
	"\tpop %rbp\n"
	"\tret\n"
	".size jvmtap_rocksdb_calibrate, .-jvmtap_rocksdb_calibrate\n");
int jvmtap_rocksdb_calibrate(int x);
#else
__attribute__((noinline, used)) int jvmtap_rocksdb_calibrate(int x)
{
	__asm__ volatile("" ::: "memory");
	return x + 1;
}
#endif

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

#define CAL_ROUNDS 15
#define CAL_CALLS 200

/* What the two traps add between the handlers' clocks, on this host: the median of 15 rounds'
 * mean over 200 calls of an empty function (a round that an interrupt lengthened is an outlier
 * the median drops). 0 when it cannot be measured: observations are then taken as they are. */
static __u64 calibrate(void)
{
	LIBBPF_OPTS(bpf_uprobe_opts, in, .func_name = "jvmtap_rocksdb_calibrate",
		    .bpf_cookie = ROCKSDB_OP_CALIBRATE);
	LIBBPF_OPTS(bpf_uprobe_opts, out, .func_name = "jvmtap_rocksdb_calibrate", .retprobe = true);
	struct bpf_link *lin, *lout = NULL;
	__u64 rounds[CAL_ROUNDS];
	int r, i, n = 0, x = 0;

	lout = bpf_program__attach_uprobe_opts(skel->progs.rocksdb_return, getpid(), "/proc/self/exe",
					       0, &out);
	lin = lout ? bpf_program__attach_uprobe_opts(skel->progs.rocksdb_enter, getpid(),
						     "/proc/self/exe", 0, &in)
		   : NULL;
	for (r = 0; lin && r < CAL_ROUNDS; r++) {
		__u64 sum0 = skel->bss->calibrate_sum_ns, n0 = skel->bss->calibrate_count;

		for (i = 0; i < CAL_CALLS; i++)
			x = jvmtap_rocksdb_calibrate(x);
		if (skel->bss->calibrate_count - n0 == CAL_CALLS)
			rounds[n++] = (skel->bss->calibrate_sum_ns - sum0) / CAL_CALLS;
	}
	bpf_link__destroy(lin);
	bpf_link__destroy(lout);
	if (n < CAL_ROUNDS) {
		log_warn("rocksdb: cannot measure the probes' own cost (%s): state call times include "
			 "it", lin ? "calls were missed" : strerror(errno));
		return 0;
	}
	qsort(rounds, n, sizeof(rounds[0]), cmp_u64);
	return rounds[n / 2];
}

static int rocksdb_open(void)
{
	int err, b, i;

	skel = rocksdb_bpf__open_opts(bpfutil_open_opts());
	if (!skel)
		return -errno;
	err = bpfutil_prepare(skel->obj);
	if (!err)
		err = rocksdb_bpf__load(skel);
	if (err) {
		log_warn("rocksdb: cannot load the state probes (%s): state latency is not measured",
			 strerror(-err));
		bpfutil_track_prog("rocksdb_enter", "uprobe", NULL, false);
		rocksdb_bpf__destroy(skel);
		skel = NULL;
		return 0;
	}
	skel->bss->overhead_ns = calibrate();
	log_info("rocksdb: the state probes add %llu ns to each call's measured time; taken off",
		 (unsigned long long)skel->bss->overhead_ns);
	for (i = 0; i < NPROBES; i++)
		frocksdb_progs[i] = forst_progs[i] =
			i < NRETURNS ? skel->progs.rocksdb_return : skel->progs.rocksdb_enter;
	for (b = 0; b < BACKEND__N; b++) {
		kind_index[b] = jvm_watch_jni(&kinds[b]);
		if (kind_index[b] < 0)
			log_warn("rocksdb: cannot watch for %s: %s", kinds[b].file,
				 strerror(-kind_index[b]));
	}
	bpfutil_track_prog("rocksdb_enter", "uprobe", skel->progs.rocksdb_enter, true);
	bpfutil_track_prog("rocksdb_return", "uprobe", skel->progs.rocksdb_return, true);
	bpfutil_track_map("rocksdb_calls", skel->maps.rocksdb_calls,
			  &skel->bss->rocksdb_calls_update_failures);
	/* LRU: an evicted call in flight is one call not observed */
	bpfutil_track_map("rocksdb_inflight", skel->maps.rocksdb_inflight, NULL);
	return 0;
}

static struct guarded *guard_of(__u32 tgid, unsigned long long start)
{
	int i;

	for (i = 0; i < nguarded; i++)
		if (guarded[i].tgid == tgid) {
			if (guarded[i].start != start) /* a reused pid: a new JVM */
				memset(&guarded[i], 0, sizeof(guarded[i]));
			guarded[i].tgid = tgid;
			guarded[i].start = start;
			return &guarded[i];
		}
	if (nguarded == MAX_GUARDED)
		return NULL;
	guarded[nguarded] = (struct guarded){ .tgid = tgid, .start = start };
	return &guarded[nguarded++];
}

/* Seconds a JVM's probes stay detached after its trip number trips (from 0); 0: for good. The
 * doubling stops at GUARD_RETRY_MAX_S, or at the first wait when that is set longer. */
static unsigned retry_after(unsigned trips)
{
	unsigned long long s = (unsigned long long)rdb_cfg.retry_s << (trips < 20 ? trips : 20);
	unsigned cap = rdb_cfg.retry_s > GUARD_RETRY_MAX_S ? rdb_cfg.retry_s : GUARD_RETRY_MAX_S;

	return s < cap ? (unsigned)s : cap;
}

/* Each JVM's calls since the last look against its budget; over it, its libraries' probes are
 * detached for a while (retry_after). Keys of JVMs no longer known are deleted. */
static void guard(void)
{
	struct mapsnap m;
	struct timespec ts;
	struct jvm_ref r;
	__u64 calls[MAX_GUARDED] = { 0 };
	char *stale = NULL;
	size_t i, nstale = 0;
	int g, b;

	if (!skel || mapsnap_read(bpf_map__fd(skel->maps.rocksdb_calls), 0, &m))
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (i = 0; i < m.n; i++) {
		const struct rocksdb_key *k = mapsnap_key(&m, i);
		struct rocksdb_hist h;
		struct guarded *gd;

		if (jvm_lookup(k->tgid, &r)) { /* forgotten, after the grace period */
			if (stale || (stale = malloc(m.n * m.ksize)))
				memcpy(stale + nstale++ * m.ksize, k, m.ksize);
			continue;
		}
		if (r.gone)
			continue;
		sum_cpus(&m, i, &h);
		if ((gd = guard_of(k->tgid, r.start)))
			calls[gd - guarded] += h.count;
	}
	if (nstale)
		map_delete_keys(bpf_map__fd(skel->maps.rocksdb_calls), stale, nstale, m.ksize);
	free(stale);
	mapsnap_free(&m);

	for (g = 0; g < nguarded; g++) {
		struct guarded *gd = &guarded[g];
		double dt = (ts.tv_sec - gd->at.tv_sec) + (ts.tv_nsec - gd->at.tv_nsec) / 1e9;
		char why[160];
		bool tripped = false;

		if (jvm_lookup(gd->tgid, &r) || r.start != gd->start) {
			guarded[g--] = guarded[--nguarded];
			continue;
		}
		/* A bucket of one second's calls, refilled at the limit's rate: a burst within
		 * it passes, a sustained rate above it empties the bucket within the second. */
		if (!gd->at.tv_sec)
			gd->tokens = rdb_cfg.max_rate;
		else if (calls[g] >= gd->calls)
			gd->tokens = fmin(rdb_cfg.max_rate, gd->tokens + rdb_cfg.max_rate * dt) -
				     (double)(calls[g] - gd->calls);
		if (gd->at.tv_sec && rdb_cfg.max_rate && gd->tokens < 0) {
			snprintf(why, sizeof(why),
				 "pid %u made %.0f state calls in %.2f s, more than "
				 "--rocksdb.max-call-rate=%u per second allows",
				 gd->tgid, (double)(calls[g] - gd->calls), dt, rdb_cfg.max_rate);
			for (b = 0; b < BACKEND__N; b++)
				tripped |= libprobe_detach(jvm_jni(gd->tgid, kind_index[b]), why,
							   retry_after(gd->trips));
			/* A full budget for when they are attached again: no calls come while
			 * they are away. Calls still in flight as they go find nothing to detach,
			 * and are no trip. */
			gd->tokens = rdb_cfg.max_rate;
			if (tripped) {
				gd->trips++;
				detached_total++;
			}
		}
		gd->calls = calls[g];
		gd->at = ts;
	}
}

/* Every main-loop turn (~100 ms) while a library is attached: a TaskManager making 300 000
 * calls/s runs at half speed until its probes go (bench/flink.py), so they go within ~0.2 s. */
static void rocksdb_tick(void)
{
	if (libprobe_count(&kinds[BACKEND_ROCKSDB]) + libprobe_count(&kinds[BACKEND_FORST]))
		guard();
}

/* With no library attached, the tick does not look: forgotten JVMs' keys go here. */
static void rocksdb_maintain(time_t now)
{
	(void)now;
	guard();
}

/* The backend of a JVM's calls: the library it maps (RocksDB when it maps both). */
static int backend_of(__u32 tgid)
{
	return !jvm_jni(tgid, kind_index[BACKEND_ROCKSDB]) &&
			       jvm_jni(tgid, kind_index[BACKEND_FORST])
		       ? BACKEND_FORST
		       : BACKEND_ROCKSDB;
}

static int rocksdb_collect(struct writer *w)
{
	struct label id[IDENTITY_NLABELS];
	struct mapsnap m;
	struct jvm_ref r;
	time_t now = time(NULL);
	size_t i;
	int err, b;

	w_fam(w, FAM_FLINK_STATE_OP_DURATION_SECONDS);
	if (skel) {
		if ((err = mapsnap_read(bpf_map__fd(skel->maps.rocksdb_calls), 0, &m)))
			return err;
		for (i = 0; i < m.n; i++) {
			const struct rocksdb_key *k = mapsnap_key(&m, i);
			struct rocksdb_hist h;
			char pid[16];

			if (k->op >= ROCKSDB_OP__N || jvm_lookup(k->tgid, &r) ||
			    identity_labels(r.cgroup_id, id, now) != IDENTITY_OK)
				continue;
			sum_cpus(&m, i, &h);
			snprintf(pid, sizeof(pid), "%u", k->tgid);
			struct label a[] = { { "pid", pid },
					     { "backend", backend_names[backend_of(k->tgid)] },
					     { "op", op_names[k->op] } };
			w_log2_histogram(w, fam_name(FAM_FLINK_STATE_OP_DURATION_SECONDS), a, 3, id,
					 IDENTITY_NLABELS, (const uint64_t *)h.slots, JVM_HIST_SLOTS, FIRST_SLOT,
					 MAX_SLOT, 1e-9, h.sum_ns / 1e9);
		}
		mapsnap_free(&m);
	}
	w_fam(w, FAM_FLINK_STATE_PROBE_OVERHEAD_SECONDS);
	w_sample(w, fam_name(FAM_FLINK_STATE_PROBE_OVERHEAD_SECONDS), NULL, 0, NULL, 0,
		 skel ? skel->bss->overhead_ns / 1e9 : 0);
	w_fam(w, FAM_FLINK_STATE_PROBES_ATTACHED);
	for (b = 0; b < BACKEND__N; b++) {
		struct label a[] = { { "backend", backend_names[b] } };

		w_sample(w, fam_name(FAM_FLINK_STATE_PROBES_ATTACHED), a, 1, NULL, 0,
			 libprobe_count(&kinds[b]));
	}
	w_fam(w, FAM_FLINK_STATE_PROBES_DETACHED_TOTAL);
	w_sample(w, fam_name(FAM_FLINK_STATE_PROBES_DETACHED_TOTAL), NULL, 0, NULL, 0,
		 (double)detached_total);
	return 0;
}

static void rocksdb_close(void)
{
	rocksdb_bpf__destroy(skel);
	skel = NULL;
	nguarded = 0;
}

const struct collector rocksdb_collector = {
	.name = "rocksdb",
	.help = "RocksDB/ForSt state call latency in JVMs (Flink's state backends), by uprobes",
	.argp = &argp,
	.open = rocksdb_open,
	.collect = rocksdb_collect,
	.tick = rocksdb_tick,
	.maintain = rocksdb_maintain,
	.close = rocksdb_close,
};
