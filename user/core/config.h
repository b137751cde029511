/* What every part shares: filled from the common flags (args.c), the web flags (http.c) and
 * the top and dump flags (top.c, dump.c). A collector's own flags live in its own file. */
#ifndef JVMTAP_CONFIG_H
#define JVMTAP_CONFIG_H

#include <stdbool.h>

enum attach_mode { ATTACH_AUTO, ATTACH_TP_BTF, ATTACH_RAW_TP, ATTACH_TRACEPOINT, ATTACH__N };
enum cgroup_mode { CGROUP_AUTO, CGROUP_V2, CGROUP_V1 };
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

const char *attach_mode_name(enum attach_mode m);

#endif
