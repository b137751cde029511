/* The collector's configuration, filled from flags by args.c and read by every module. */
#ifndef JVMTAP_CONFIG_H
#define JVMTAP_CONFIG_H

#include <stdbool.h>

enum attach_mode { ATTACH_AUTO, ATTACH_TP_BTF, ATTACH_RAW_TP, ATTACH_TRACEPOINT, ATTACH__N };
enum cgroup_mode { CGROUP_AUTO, CGROUP_V2, CGROUP_V1 };
enum clock_mode { CLOCK_AUTO, CLOCK_RQ, CLOCK_KTIME };
enum run_mode { MODE_SERVE, MODE_TOP, MODE_DUMP };
enum dump_format { DUMP_PROM, DUMP_JSON };

struct config {
	enum run_mode mode;
	const char *listen_address;
	const char *telemetry_path;
	unsigned web_max_connections;
	unsigned web_max_conn_per_ip; /* 0: no limit */
	unsigned web_max_requests;    /* scrapes rendering or waiting at once */
	unsigned web_render_interval_ms;
	unsigned web_timeout_s;
	const char *web_config_file;
	const char *procfs;
	const char *sysfs;
	const char *rootfs;
	const char *btf_path;
	enum attach_mode attach_mode;
	enum cgroup_mode cgroup_mode;
	unsigned grace_period_s;
	unsigned cpu_max_cgroups;
	unsigned cpu_flush_hz;
	enum clock_mode cpu_clock;
	int net_attach_mode; /* 0 auto, else 1 + index in net.c's mode list */
	unsigned net_max_ports;
	bool strict;
	unsigned bpf_max_entries; /* 0: the maps' own sizes */
	bool bpf_stats;
	bool verbose;
	const char *run_as_user;  /* after attaching */
	bool keep_privileges;     /* --security.keep-privileges: no drop at all */

	/* jvmtap top */
	unsigned top_delay_ms;
	unsigned top_iterations; /* 0: until q or a signal */
	bool top_containers;
	bool top_batch;
	const char *top_sort;
	const char *top_filter;    /* extended regex over namespace/pod/container, pid, main class */
	const char *top_namespace; /* exact */
	const char *top_pod;       /* exact */

	/* jvmtap dump */
	unsigned dump_duration_ms;
	enum dump_format dump_format;
};

extern struct config cfg;

/* Parses argv (`jvmtap [FLAGS]`, `jvmtap top [FLAGS]`, `jvmtap dump [FLAGS]`) into cfg; exits 2
 * with usage on a bad flag. */
enum run_mode args_parse(int argc, char **argv);
const char *attach_mode_name(enum attach_mode m);

#endif
