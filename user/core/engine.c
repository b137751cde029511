/* Host checks, collector lifecycle and rendering, shared by the daemon, top and dump. */
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
#include "bpfutil.h"
#include "collector.h"
#include "config.h"
#include "engine.h"
#include "identity.h"
#include "log.h"
#include "privs.h"
#include "self.h"

#define MAINTAIN_INTERVAL 10 /* seconds; shorter when the grace period is */

static const struct collector *const collectors[] = {
	&cpu_collector,
	&jvm_collector, /* after cpu: it asks cpu for per-thread accounting */
	&net_collector, /* after jvm: it labels JVMs' bytes with what jvm found */
	&tasks_collector,
	&self_collector, /* last: its scrape duration covers the others */
};
#define NCOLLECTORS (sizeof(collectors) / sizeof(collectors[0]))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static size_t opened;
static bool inited;
static time_t last_maintain;

void engine_lock(void)
{
	pthread_mutex_lock(&lock);
}

void engine_unlock(void)
{
	pthread_mutex_unlock(&lock);
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
		if (!collectors[opened]->open)
			continue;
		err = collectors[opened]->open();
		if (err) {
			log_err("collector %s: %s", collectors[opened]->name, strerror(-err));
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
		if (collectors[i]->tick)
			collectors[i]->tick();
	now = time(NULL);
	if (now - last_maintain >= interval) {
		identity_maintain(now);
		for (i = 0; i < opened; i++)
			if (collectors[i]->maintain)
				collectors[i]->maintain(now);
		/* What churn freed goes back to the kernel, so RSS follows what is tracked now. */
		malloc_trim(0);
		last_maintain = time(NULL);
	}
	engine_unlock();
}

void engine_collect(struct writer *w)
{
	size_t i;

	self_render_begin();
	writer_reset(w);
	for (i = 0; i < NCOLLECTORS; i++)
		collectors[i]->collect(w);
}

void engine_close(void)
{
	engine_lock();
	while (opened--)
		if (collectors[opened]->close)
			collectors[opened]->close();
	opened = 0;
	engine_unlock();
	identity_exit();
	if (inited)
		bpfutil_exit();
	inited = false;
}
