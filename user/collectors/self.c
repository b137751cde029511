/* jvmtap's own health: build info, BPF program/map state, identity errors and the standard
 * process_* metrics. Registered last so the scrape duration covers every other collector. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>
#include "bpfutil.h"
#include "collector.h"
#include "config.h"
#include "http.h"
#include "identity.h"
#include "self.h"
#include "version.h"

static struct timespec render_start;

void self_render_begin(void)
{
	clock_gettime(CLOCK_MONOTONIC, &render_start);
}

static long count_fds(void)
{
	struct dirent *d;
	long n = 0;
	DIR *dp = opendir("/proc/self/fd");

	if (!dp)
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
	unsigned long long start;
	long rss, hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	char buf[1024], *p, line[256];
	double btime = 0;
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
	f = fopen("/proc/stat", "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "btime %lf", &btime) == 1)
				break;
		fclose(f);
	}
	*cpu_s = (double)(utime + stime) / hz;
	*start_s = btime + (double)start / hz;
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

	if (uname(&u) == 0)
		build[2].value = u.release;
	w_family(w, "jvmtap_build_info", "gauge", "jvmtap's version, the libbpf it runs with and the kernel.");
	w_sample(w, "jvmtap_build_info", build, 3, NULL, 0, 1);

	bpfutil_collect(w);
	identity_collect(w);

	if (read_stat(&cpu, &start, &rss, &vsz) == 0) {
		w_family(w, "process_cpu_seconds_total", "counter", "User and system CPU time spent by jvmtap.");
		w_sample(w, "process_cpu_seconds_total", NULL, 0, NULL, 0, cpu);
		w_family(w, "process_resident_memory_bytes", "gauge", "Resident memory of jvmtap.");
		w_sample(w, "process_resident_memory_bytes", NULL, 0, NULL, 0, rss);
		w_family(w, "process_virtual_memory_bytes", "gauge", "Virtual memory size of jvmtap.");
		w_sample(w, "process_virtual_memory_bytes", NULL, 0, NULL, 0, vsz);
		w_family(w, "process_start_time_seconds", "gauge",
			 "Start time of jvmtap since the Unix epoch.");
		w_sample(w, "process_start_time_seconds", NULL, 0, NULL, 0, start);
	}
	fds = count_fds();
	if (fds >= 0) {
		w_family(w, "process_open_fds", "gauge", "Open file descriptors of jvmtap.");
		w_sample(w, "process_open_fds", NULL, 0, NULL, 0, fds);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		w_family(w, "process_max_fds", "gauge", "Limit on open file descriptors of jvmtap.");
		w_sample(w, "process_max_fds", NULL, 0, NULL, 0, rl.rlim_cur);
	}

	if (cfg.mode == MODE_SERVE) {
		static const char *const why[HTTP_REJECT__N] = { "unauthorized", "client_certificate",
								   "method", "busy" };
		int k;

		w_family(w, "jvmtap_http_requests_rejected_total", "counter",
			 "HTTP requests refused: unauthorized (401), client_certificate (403), method "
			 "(405), busy (503, --web.max-requests).");
		for (k = 0; k < HTTP_REJECT__N; k++) {
			struct label l[] = { { "reason", why[k] } };

			w_sample(w, "jvmtap_http_requests_rejected_total", l, 1, NULL, 0,
				 (double)http_rejected(k));
		}
	}

	clock_gettime(CLOCK_MONOTONIC, &now);
	w_family(w, "jvmtap_scrape_duration_seconds", "gauge",
		 "Time this scrape took to collect every signal (before compression and sending).");
	w_sample(w, "jvmtap_scrape_duration_seconds", NULL, 0, NULL, 0,
		 (now.tv_sec - render_start.tv_sec) + (now.tv_nsec - render_start.tv_nsec) / 1e9);
	return 0;
}

const struct collector self_collector = {
	.name = "self",
	.help = "jvmtap's own health: build, BPF programs and maps, identity, process_*",
	.collect = self_collect,
};
