/* jvmtap: checks the host, opens every collector, serves /metrics until SIGINT/SIGTERM. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include "bpfutil.h"
#include "collector.h"
#include "config.h"
#include "gzip.h"
#include "http.h"
#include "identity.h"
#include "log.h"
#include "self.h"

#define MAINTAIN_INTERVAL 10 /* seconds; shorter when the grace period is */
#define CAP_SYS_ADMIN_BIT 21
#define CAP_PERFMON_BIT 38
#define CAP_BPF_BIT 39

static const struct collector *const collectors[] = {
	&cpu_collector,
	&jvm_collector, /* after cpu: it asks cpu for per-thread accounting */
	&net_collector, /* after jvm: it labels JVMs' bytes with what jvm found */
	&tasks_collector,
	&self_collector, /* last: its scrape duration covers the others */
};
#define NCOLLECTORS (sizeof(collectors) / sizeof(collectors[0]))

static volatile sig_atomic_t exiting;
static pthread_mutex_t render_lock = PTHREAD_MUTEX_INITIALIZER;
static struct writer *out;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

/* Root, or CAP_BPF + CAP_PERFMON (Linux 5.8+), or CAP_SYS_ADMIN (older kernels). */
static int check_privileges(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "CapEff: %llx", &eff) == 1)
				break;
		fclose(f);
	}
	if ((eff >> CAP_SYS_ADMIN_BIT & 1) ||
	    ((eff >> CAP_BPF_BIT & 1) && (eff >> CAP_PERFMON_BIT & 1)))
		return 0;
	log_err("insufficient privileges: run as root or with CAP_BPF and CAP_PERFMON "
		"(effective capabilities: %llx)", eff);
	return -EPERM;
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

static int render(bool gz, char **body, size_t *len)
{
	const char *data;
	size_t n, i;
	int err = 0;

	pthread_mutex_lock(&render_lock);
	self_render_begin();
	writer_reset(out);
	for (i = 0; i < NCOLLECTORS; i++)
		collectors[i]->collect(out);
	data = writer_data(out, &n);
	if (writer_failed(out)) {
		err = -ENOMEM;
	} else if (gz) {
		err = gzip_compress(data, n, body, len);
	} else {
		*body = malloc(n ? n : 1);
		if (*body) {
			memcpy(*body, data, n);
			*len = n;
		} else {
			err = -ENOMEM;
		}
	}
	pthread_mutex_unlock(&render_lock);
	return err;
}

static void maintain(void)
{
	time_t now = time(NULL);
	size_t i;

	pthread_mutex_lock(&render_lock);
	identity_maintain(now);
	for (i = 0; i < NCOLLECTORS; i++)
		if (collectors[i]->maintain)
			collectors[i]->maintain(now);
	pthread_mutex_unlock(&render_lock);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	size_t i, opened = 0;
	time_t last = 0, interval;
	int err, ret = 1;

	args_parse(argc, argv);
	if (cfg.verbose)
		log_max_level = LOG_DEBUG;
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (check_privileges() || check_bpf_syscall() || check_btf())
		return 1;
	out = writer_new();
	/* A runaway number of series fails the scrape (500) instead of exhausting memory. */
	writer_set_limit(out, 256u << 20);
	if (!out || bpfutil_init() || identity_init(cfg.cgroup_mode))
		goto cleanup;
	/* Serve (not ready) before loading, so a taken port fails fast and probes see progress. */
	if (http_start(render))
		goto cleanup;

	pthread_mutex_lock(&render_lock);
	for (i = 0; i < NCOLLECTORS; i++, opened++) {
		if (!collectors[i]->open)
			continue;
		err = collectors[i]->open();
		if (err) {
			log_err("collector %s: %s", collectors[i]->name, strerror(-err));
			pthread_mutex_unlock(&render_lock);
			goto cleanup;
		}
	}
	pthread_mutex_unlock(&render_lock);
	if (cfg.strict && bpfutil_missed()) {
		log_err("--strict: %d BPF program(s) not attached", bpfutil_missed());
		goto cleanup;
	}
	http_set_ready(true);
	log_info("ready");

	interval = cfg.grace_period_s / 2;
	interval = interval < 1 ? 1 : interval > MAINTAIN_INTERVAL ? MAINTAIN_INTERVAL : interval;

	while (!exiting) {
		usleep(100 * 1000);
		pthread_mutex_lock(&render_lock);
		for (i = 0; i < NCOLLECTORS; i++)
			if (collectors[i]->tick)
				collectors[i]->tick();
		pthread_mutex_unlock(&render_lock);
		if (time(NULL) - last >= interval) {
			maintain();
			last = time(NULL);
		}
	}
	log_info("exiting");
	ret = 0;

cleanup:
	http_stop();
	while (opened--)
		if (collectors[opened]->close)
			collectors[opened]->close();
	identity_exit();
	bpfutil_exit();
	writer_free(out);
	return ret;
}
