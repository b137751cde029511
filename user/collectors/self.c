/* jvmtap's own health: build info, BPF program/map state, identity errors and the standard
 * process_* metrics. Registered last so the scrape duration covers every other collector. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>
#include "families.h"
#include "bpfutil.h"
#include "collector.h"
#include "config.h"
#include "http.h"
#include "identity.h"
#include "readfile.h"
#include "self.h"
#include "version.h"
#include "worker.h"

static struct timespec render_start;

void self_render_begin(void)
{
	clock_gettime(CLOCK_MONOTONIC, &render_start);
}

static long count_fds(void)
{
	struct dirent *d;
	struct stat st;
	long n = 0;
	DIR *dp;

	/* the count itself since Linux 6.2, no listing */
	if (!stat("/proc/self/fd", &st) && st.st_size > 0)
		return st.st_size;
	if (!(dp = opendir("/proc/self/fd")))
		return -1;
	while ((d = readdir(dp)))
		n += d->d_name[0] != '.';
	closedir(dp);
	return n - 1; /* the directory stream's own fd */
}

/* Fields 14, 15 (utime, stime), 22 (starttime) and 24 (rss) of /proc/self/stat. */
static int read_stat(double *cpu_s, double *start_s, double *rss_bytes, double *vsize)
{
	unsigned long utime, stime, vsz;
	unsigned long long start, btime = 0;
	long rss, hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	char buf[1024], *p;
	FILE *f;
	size_t n;

	f = fopen("/proc/self/stat", "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	if (!p || sscanf(p + 2,
			 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d "
			 "%*d %llu %lu %ld",
			 &utime, &stime, &start, &vsz, &rss) != 5)
		return -1;
	read_boot_time(&btime); /* 0 when unreadable */
	*cpu_s = (double)(utime + stime) / hz;
	*start_s = (double)btime + (double)start / hz;
	*rss_bytes = (double)rss * page;
	*vsize = vsz;
	return 0;
}

static int self_collect(struct writer *w)
{
	struct label build[] = { { "version", JVMTAP_VERSION },
				 { "libbpf_version", libbpf_version_string() },
				 { "kernel", "" } };
	double cpu, start, rss, vsz;
	struct timespec now;
	struct utsname u;
	struct rlimit rl;
	long fds;
	int ret;

	if (uname(&u) == 0)
		build[2].value = u.release;
	w_fam(w, FAM_BUILD_INFO);
	w_sample(w, fam_name(FAM_BUILD_INFO), build, 3, NULL, 0, 1);

	bpfutil_collect(w);
	ret = identity_collect(w);

	if (read_stat(&cpu, &start, &rss, &vsz) == 0) {
		w_fam(w, FAM_PROCESS_CPU_SECONDS_TOTAL);
		w_sample(w, fam_name(FAM_PROCESS_CPU_SECONDS_TOTAL), NULL, 0, NULL, 0, cpu);
		w_fam(w, FAM_PROCESS_RESIDENT_MEMORY_BYTES);
		w_sample(w, fam_name(FAM_PROCESS_RESIDENT_MEMORY_BYTES), NULL, 0, NULL, 0, rss);
		w_fam(w, FAM_PROCESS_VIRTUAL_MEMORY_BYTES);
		w_sample(w, fam_name(FAM_PROCESS_VIRTUAL_MEMORY_BYTES), NULL, 0, NULL, 0, vsz);
		w_fam(w, FAM_PROCESS_START_TIME_SECONDS);
		w_sample(w, fam_name(FAM_PROCESS_START_TIME_SECONDS), NULL, 0, NULL, 0, start);
	}
	fds = count_fds();
	if (fds >= 0) {
		w_fam(w, FAM_PROCESS_OPEN_FDS);
		w_sample(w, fam_name(FAM_PROCESS_OPEN_FDS), NULL, 0, NULL, 0, fds);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		w_fam(w, FAM_PROCESS_MAX_FDS);
		w_sample(w, fam_name(FAM_PROCESS_MAX_FDS), NULL, 0, NULL, 0, rl.rlim_cur);
	}

	if (cfg.mode == MODE_SERVE) {
		static const char *const why[HTTP_REJECT__N] = { "unauthorized", "client_certificate",
								   "method", "busy" };
		int k;

		w_fam(w, FAM_HTTP_REQUESTS_REJECTED_TOTAL);
		for (k = 0; k < HTTP_REJECT__N; k++) {
			struct label l[] = { { "reason", why[k] } };

			w_sample(w, fam_name(FAM_HTTP_REQUESTS_REJECTED_TOTAL), l, 1, NULL, 0,
				 (double)http_rejected(k));
		}
	}

	clock_gettime(CLOCK_MONOTONIC, &now);
	w_fam(w, FAM_SCRAPE_DURATION_SECONDS);
	w_sample(w, fam_name(FAM_SCRAPE_DURATION_SECONDS), NULL, 0, NULL, 0,
		 (now.tv_sec - render_start.tv_sec) + (now.tv_nsec - render_start.tv_nsec) / 1e9);
	return ret;
}

/* jvmtap_bpf_map_entries walks every map's keys (thousands in the thread map of a busy node):
 * counted every 2 s on a worker, not at each scrape. */
static struct worker *counter;

static int count_maps(void *arg)
{
	(void)arg;
	bpfutil_count_maps();
	return 0;
}

static int self_open(void)
{
	bpfutil_count_maps(); /* the first scrapes too have a count (self opens last) */
	counter = worker_new("self", "bpf_map_entries", 2000, count_maps, NULL);
	return counter ? 0 : -ENOMEM;
}

static void self_close(void)
{
	worker_free(counter);
	counter = NULL;
}

const struct collector self_collector = {
	.name = "self",
	.help = "jvmtap's own health: build, BPF programs and maps, identity, process_*",
	.open = self_open,
	.collect = self_collect,
	.close = self_close,
};
