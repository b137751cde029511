/* The shared configuration's defaults (config.h). */
#include "config.h"

struct config cfg = {
	.listen_address = ":9877",
	.telemetry_path = "/metrics",
	.web_max_connections = 1024,
	.web_max_conn_per_ip = 32,
	.web_max_requests = 4,
	.web_timeout_s = 10,
	.procfs = "/proc",
	.sysfs = "/sys",
	.rootfs = "/",
	.attach_mode = ATTACH_AUTO,
	.cgroup_mode = CGROUP_AUTO,
	.grace_period_s = 300,
	.top_delay_ms = 1000,
	.top_sort = "cpu",
	.dump_duration_ms = 10000,
};

const char *attach_mode_name(enum attach_mode m)
{
	static const char *const names[ATTACH__N] = { "auto", "tp_btf", "raw_tp", "tracepoint" };

	return m < ATTACH__N ? names[m] : "?";
}
