/* Host checks, collector lifecycle and rendering, shared by the daemon, top and dump. */
#include <argp.h>
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include "families.h"
#include "bpfutil.h"
#include "collector.h"
#include "config.h"
#include "engine.h"
#include "identity.h"
#include "log.h"
#include "privs.h"
#include "self.h"
#include "worker.h"

#define MAINTAIN_INTERVAL 10 /* seconds; shorter when the grace period is */

static const struct collector *const collectors[] = {
	&cpu_collector,
	&jvm_collector, /* after cpu: it asks cpu for per-thread accounting */
	&net_collector, /* after jvm: it labels JVMs' bytes with what jvm found */
	&tasks_collector,
	&cgroup_collector,
	&oom_collector,
	&flink_collector, /* reads the JVM registry for JobManagers */
	&rocksdb_collector, /* after jvm: its libraries are found in the JVMs' maps */
	&self_collector, /* last: its scrape duration covers the others */
};
#define NCOLLECTORS (sizeof(collectors) / sizeof(collectors[0]))

static bool off[NCOLLECTORS];     /* --collector.NAME=off */
static bool is_open[NCOLLECTORS];
static size_t opened;             /* collectors[0..opened) were offered open() */
static bool inited;
static time_t last_maintain;
/* The last render's time and result per collector. */
static double took[NCOLLECTORS];
static int result[NCOLLECTORS];

/* ---- flags: --collector.NAME=on|off, and each collector's own as a child ---- */

#define OPT_COLLECTOR 1600

static error_t parse_opt(int key, char *arg, struct argp_state *st)
{
	size_t i = (size_t)(key - OPT_COLLECTOR);

	if (key < OPT_COLLECTOR || i >= NCOLLECTORS)
		return ARGP_ERR_UNKNOWN;
	if (!arg || !strcmp(arg, "on") || !strcmp(arg, "true"))
		off[i] = false;
	else if (!strcmp(arg, "off") || !strcmp(arg, "false"))
		off[i] = true;
	else
		argp_error(st, "--collector.%s: '%s' is not on or off", collectors[i]->name, arg);
	return 0;
}

const struct argp *engine_argp(void)
{
	static char names[NCOLLECTORS][48], docs[NCOLLECTORS][200];
	static struct argp_option options[NCOLLECTORS + 1];
	static struct argp_child children[NCOLLECTORS + 1];
	static struct argp argp = { options, parse_opt, NULL, NULL, children, NULL, NULL };
	size_t i, n = 0;

	if (options[0].name)
		return &argp;
	for (i = 0; i < NCOLLECTORS; i++) {
		snprintf(names[i], sizeof(names[i]), "collector.%s", collectors[i]->name);
		snprintf(docs[i], sizeof(docs[i]), "%s (default on)",
			 collectors[i]->help ? collectors[i]->help : collectors[i]->name);
		options[i] = (struct argp_option){ names[i], OPT_COLLECTOR + (int)i, "on|off",
						   OPTION_ARG_OPTIONAL, docs[i], 0 };
		if (collectors[i]->argp)
			children[n++] = (struct argp_child){ collectors[i]->argp, 0, NULL, 0 };
	}
	return &argp;
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A one-entry array map is the cheapest question the bpf() syscall can answer. */
static int check_bpf_syscall(void)
{
	union bpf_attr attr = {
		.map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1,
	};
	int fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == ENOSYS)
		log_err("the bpf() system call is not available (kernel built without "
			"CONFIG_BPF_SYSCALL, or blocked by seccomp)");
	else
		log_err("the bpf() system call is refused: %s (seccomp profile, LSM or "
			"kernel.unprivileged_bpf_disabled?)", strerror(errno));
	return -errno;
}

static int check_btf(void)
{
	const char *p = cfg.btf_path ? cfg.btf_path : "/sys/kernel/btf/vmlinux";

	if (access(p, R_OK) == 0)
		return 0;
	if (cfg.btf_path)
		log_err("--btf.path %s: %s", p, strerror(errno));
	else
		log_err("kernel BTF not found at %s (kernel without CONFIG_DEBUG_INFO_BTF): pass "
			"--btf.path=FILE with this kernel's BTF", p);
	return -ENOENT;
}

int engine_init(void)
{
	int err;

	/* A few threads scrape now and then: two heaps, not one per thread, keep RSS flat. */
	mallopt(M_ARENA_MAX, 2);
	if ((err = privs_check_start()) || (err = check_bpf_syscall()) || (err = check_btf()))
		return err;
	if ((err = bpfutil_init()))
		return err;
	inited = true;
	return identity_init(cfg.cgroup_mode);
}

int engine_open(void)
{
	int err = 0;

	engine_lock();
	for (; opened < NCOLLECTORS; opened++) {
		if (off[opened]) {
			log_info("collector %s: off (--collector.%s=off)", collectors[opened]->name,
				 collectors[opened]->name);
			continue;
		}
		is_open[opened] = true;
		if (!collectors[opened]->open)
			continue;
		err = collectors[opened]->open();
		if (err) {
			log_err("collector %s: %s", collectors[opened]->name, strerror(-err));
			is_open[opened++] = false;
			break;
		}
	}
	engine_unlock();
	if (!err && cfg.strict && bpfutil_missed()) {
		log_err("--strict: %d BPF program(s) not attached", bpfutil_missed());
		err = -ENOENT;
	}
	if (!err && !cfg.keep_privileges)
		err = privs_drop();
	/* Only now: a worker's thread gets the capabilities the daemon keeps, no more. */
	if (!err)
		err = worker_run_all();
	return err;
}

void engine_wait(int max_ms, int extra_fd)
{
	struct pollfd fds[NCOLLECTORS + 1];
	int nfds = 0, ms = max_ms, fd, t;
	size_t i;

	if (extra_fd >= 0)
		fds[nfds++] = (struct pollfd){ .fd = extra_fd, .events = POLLIN };
	engine_lock();
	for (i = 0; i < opened; i++) {
		if (!is_open[i])
			continue;
		if (collectors[i]->wake_fd && (fd = collectors[i]->wake_fd()) >= 0)
			fds[nfds++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (collectors[i]->next_tick_ms && (t = collectors[i]->next_tick_ms()) >= 0 &&
		    t < ms)
			ms = t;
	}
	engine_unlock();
	/* EINTR (a signal) ends the wait early, as it should. */
	poll(fds, nfds, ms);
}

void engine_turn(void)
{
	time_t now, interval = cfg.grace_period_s / 2;
	size_t i;

	interval = interval < 1 ? 1 : interval > MAINTAIN_INTERVAL ? MAINTAIN_INTERVAL : interval;
	engine_lock();
	for (i = 0; i < opened; i++)
		if (is_open[i] && collectors[i]->tick)
			collectors[i]->tick();
	now = time(NULL);
	if (now - last_maintain >= interval) {
		identity_maintain(now);
		for (i = 0; i < opened; i++)
			if (is_open[i] && collectors[i]->maintain)
				collectors[i]->maintain(now);
		/* What churn freed goes back to the kernel, so RSS follows what is tracked now. */
		malloc_trim(0);
		last_maintain = time(NULL);
	}
	engine_unlock();
}

int engine_collect(struct writer *w)
{
	int err = 0;
	double t;
	size_t i;

	self_render_begin();
	writer_reset(w);
	for (i = 0; i < NCOLLECTORS; i++) {
		if (off[i])
			continue;
		t = mono_now();
		result[i] = collectors[i]->collect(w);
		took[i] = mono_now() - t;
		if (result[i] && !err) {
			log_warn("collector %s: %s: the scrape fails", collectors[i]->name,
				 strerror(-result[i]));
			err = result[i];
		}
	}
	w_fam(w, FAM_SCRAPE_COLLECTOR_DURATION_SECONDS);
	for (i = 0; i < NCOLLECTORS; i++) {
		struct label a[] = { { "collector", collectors[i]->name } };

		if (!off[i])
			w_sample(w, fam_name(FAM_SCRAPE_COLLECTOR_DURATION_SECONDS), a, 1, NULL, 0, took[i]);
	}
	w_fam(w, FAM_SCRAPE_COLLECTOR_SUCCESS);
	for (i = 0; i < NCOLLECTORS; i++) {
		struct label a[] = { { "collector", collectors[i]->name } };

		if (!off[i])
			w_sample(w, fam_name(FAM_SCRAPE_COLLECTOR_SUCCESS), a, 1, NULL, 0,
				 !result[i] && worker_all_ok(collectors[i]->name));
	}
	worker_collect(w);
	writer_finish(w);
	return err ? err : writer_failed(w) ? -ENOMEM : 0;
}

void engine_close(void)
{
	/* A refresh may be waiting for the render lock: stop them all before taking it. */
	worker_stop_all();
	engine_lock();
	while (opened--)
		if (is_open[opened] && collectors[opened]->close) {
			collectors[opened]->close();
			is_open[opened] = false;
		}
	opened = 0;
	engine_unlock();
	identity_exit();
	if (inited)
		bpfutil_exit();
	inited = false;
}
