/* Command-line flags (node_exporter-style names) into the global config. */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "version.h"
#include "http.h"
#include "privs.h"
#include "rows.h"

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
	.cpu_max_cgroups = 16384,
	.cpu_flush_hz = 20,
	.net_max_ports = 32,
	.top_delay_ms = 1000,
	.top_sort = "cpu",
	.dump_duration_ms = 10000,
};

const char *argp_program_version = "jvmtap " JVMTAP_VERSION;
static const char doc[] =
	"jvmtap: zero-instrumentation metrics for JVMs and containers, from eBPF.\n\n"
	"USAGE: jvmtap [OPTION...]\n\n"
	"Serves Prometheus metrics (CPU time per container, labelled with the Kubernetes namespace,\n"
	"pod and container) collected by BPF programs; needs root or CAP_BPF+CAP_PERFMON.\n\n"
	"EXAMPLES:\n"
	"  jvmtap                                  # serve on :9877/metrics\n"
	"  jvmtap --web.listen-address=127.0.0.1:9100 --bpf.stats\n"
	"  jvmtap --path.procfs=/host/proc --path.sysfs=/host/sys --path.rootfs=/host\n"
	"  jvmtap --bpf.attach-mode=raw_tp --strict # force one attach mode, fail if it cannot\n"
	"  jvmtap top                              # live view of the host's JVMs ('jvmtap top --help')\n"
	"  jvmtap dump --duration=10s --format=json # collect 10 s, print once ('jvmtap dump --help')\n"
	"\nOPTIONS:";
static const char top_doc[] =
	"jvmtap top: a live view of the JVMs (or, with -c, the containers) on this host, from the "
	"same BPF programs as the daemon, without an HTTP server.\v"
	"Keys: q quit, < > sort column, r reverse, c JVMs/containers, / regex filter, n namespace, "
	"p pod, h help. Sort columns: " TOP_SORT_NAMES ".";
static const char dump_doc[] =
	"jvmtap dump: collects for --duration, then prints the metrics once: Prometheus text, or "
	"JSON with one object per JVM and per container (totals, and their increase over the "
	"duration).";

enum {
	OPT_LISTEN = 1000,
	OPT_TPATH,
	OPT_MAXCONN,
	OPT_TIMEOUT,
	OPT_PROCFS,
	OPT_SYSFS,
	OPT_ROOTFS,
	OPT_BTF,
	OPT_ATTACH,
	OPT_STATS,
	OPT_HIER,
	OPT_GRACE,
	OPT_MAXCG,
	OPT_FLUSH,
	OPT_CLOCK,
	OPT_NETMODE,
	OPT_NETPORTS,
	OPT_STRICT,
	OPT_MAXENT,
	OPT_RUNAS,
	OPT_KEEPPRIV,
	OPT_WEBCONFIG,
	OPT_PERIP,
	OPT_MAXREQ,
	OPT_RENDERINT,
	OPT_TOP_NS,
	OPT_TOP_POD,
	OPT_DUMP_DURATION,
	OPT_DUMP_FORMAT,
};

static const struct argp_option web_options[] = {
	{ "web.listen-address", OPT_LISTEN, "ADDR", 0, "Address to listen on (default :9877; [::1]:9877 for IPv6)", 0 },
	{ "web.telemetry-path", OPT_TPATH, "PATH", 0, "Path of the metrics (default /metrics)", 0 },
	{ "web.max-connections", OPT_MAXCONN, "N", 0, "Concurrent HTTP connections (default 64)", 0 },
	{ "web.timeout", OPT_TIMEOUT, "SECONDS", 0, "Idle HTTP connection timeout (default 10)", 0 },
	{ "web.config.file", OPT_WEBCONFIG, "FILE", 0, "TLS and basic auth (exporter-toolkit format); re-read on SIGHUP", 0 },
	{ "web.max-connections-per-ip", OPT_PERIP, "N", 0, "Concurrent connections from one address (default 32, 0 = no limit)", 0 },
	{ "web.max-requests", OPT_MAXREQ, "N", 0, "Scrapes rendering or waiting at once, 1..64; more get 503 (default 4)", 0 },
	{ "web.render-interval", OPT_RENDERINT, "DURATION", 0, "Serve scrapes within this long of a render from it (default 0: concurrent scrapes share one render)", 0 },
	{ 0 },
};

/* Every mode's: where to look and how to attach. */
static const struct argp_option common_options[] = {
	{ "path.procfs", OPT_PROCFS, "DIR", 0, "procfs mount point (default /proc)", 1 },
	{ "path.sysfs", OPT_SYSFS, "DIR", 0, "sysfs mount point (default /sys)", 1 },
	{ "path.rootfs", OPT_ROOTFS, "DIR", 0, "Host root, for container runtime state (default /)", 1 },
	{ "btf.path", OPT_BTF, "FILE", 0, "Kernel BTF when /sys/kernel/btf/vmlinux is missing", 2 },
	{ "bpf.attach-mode", OPT_ATTACH, "MODE", 0, "auto|tp_btf|raw_tp|tracepoint (default auto: first that works)", 2 },
	{ "bpf.stats", OPT_STATS, NULL, 0, "Enable kernel BPF run-time stats while running", 2 },
	{ "strict", OPT_STRICT, NULL, 0, "Exit 1 if any BPF program cannot be attached", 2 },
	{ "bpf.max-entries", OPT_MAXENT, "N", 0, "Cap every BPF hash map at N entries (tests of full maps; default: each map's size)", 2 },
	{ "cgroup.hierarchy", OPT_HIER, "H", 0, "auto|v2|v1: where CPU time is charged (default auto)", 3 },
	{ "container.grace-period", OPT_GRACE, "DURATION", 0, "Keep a removed cgroup's series this long (default 5m)", 3 },
	{ "cpu.max-cgroups", OPT_MAXCG, "N", 0, "Cgroups tracked in the kernel map (default 16384)", 3 },
	{ "cpu.flush-hz", OPT_FLUSH, "HZ", 0, "Per-CPU tick that charges running tasks (default 20, 0 = off)", 3 },
	{ "cpu.clock", OPT_CLOCK, "C", 0, "auto|rq|ktime: runqueue clock (tp_btf only) or bpf_ktime_get_ns (default auto)", 3 },
	{ "net.attach-mode", OPT_NETMODE, "MODE", 0, "auto|tp_btf|tracepoint|fexit|kprobe for socket bytes (default auto)", 3 },
	{ "net.max-ports-per-container", OPT_NETPORTS, "N", 0, "TCP service ports with their own series per container; the rest is port=\"other\" (default 32)", 3 },
	{ "run-as-user", OPT_RUNAS, "USER", 0, "After attaching, switch to this user (name or uid), keeping only the capabilities later attaches need", 4 },
	{ "security.keep-privileges", OPT_KEEPPRIV, NULL, 0, "Do not drop capabilities after attaching (debugging)", 4 },
	{ "verbose", 'v', NULL, 0, "Debug logging, including libbpf's", 4 },
	{ 0 },
};

static const struct argp_option top_options[] = {
	{ "delay", 'd', "SECONDS", 0, "Refresh interval, 0.1..3600 (default 1)", 0 },
	{ "iterations", 'n', "N", 0, "Exit after N refreshes (default 0: until q or a signal)", 0 },
	{ "containers", 'c', NULL, 0, "One row per container instead of per JVM", 0 },
	{ "batch", 'b', NULL, 0, "Plain lines, no terminal handling (also when stdout is not a terminal)", 0 },
	{ "sort", 's', "COLUMN", 0, "Sort by this column, largest first (default cpu)", 0 },
	{ "filter", 'f', "REGEX", 0, "Only rows whose namespace/pod/container, pid or main class match", 0 },
	{ "namespace", OPT_TOP_NS, "NS", 0, "Only this Kubernetes namespace", 0 },
	{ "pod", OPT_TOP_POD, "POD", 0, "Only this pod", 0 },
	{ 0 },
};

static const struct argp_option dump_options[] = {
	{ "duration", OPT_DUMP_DURATION, "DURATION", 0, "How long to collect: 10, 500ms, 10s, 2m (default 10s)", 0 },
	{ "format", OPT_DUMP_FORMAT, "FORMAT", 0, "prom (Prometheus text) or json (default prom)", 0 },
	{ 0 },
};

static const char *const attach_names[ATTACH__N] = { "auto", "tp_btf", "raw_tp", "tracepoint" };

const char *attach_mode_name(enum attach_mode m)
{
	return m < ATTACH__N ? attach_names[m] : "?";
}

static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "300", "30s", "5m", "2h" -> seconds. */
static int parse_duration(const char *s, unsigned *out)
{
	unsigned long v, mul = 1;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		mul = 60, end++;
	else if (*end == 'h')
		mul = 3600, end++;
	if (*end || v > UINT_MAX / mul)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

/* "1", "0.5", "500ms", "10s", "2m" -> milliseconds in [min_ms, max_ms]. */
static int parse_millis(const char *s, unsigned min_ms, unsigned max_ms, unsigned *out)
{
	double v, mul = 1000;
	char *end;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *s == '-' || *s == '+' || !(v >= 0))
		return -EINVAL;
	if (!strcmp(end, "ms"))
		mul = 1, end += 2;
	else if (*end == 's')
		end++;
	else if (*end == 'm')
		mul = 60000, end++;
	if (*end || v * mul < min_ms || v * mul > max_ms)
		return -EINVAL;
	*out = (unsigned)(v * mul + 0.5);
	return 0;
}

static int pick(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static error_t parse_opt(int key, char *arg, struct argp_state *st)
{
	static const char *const hier_names[] = { "auto", "v2", "v1" };
	static const char *const clock_names[] = { "auto", "rq", "ktime" };
	int i;

	switch (key) {
	case OPT_LISTEN:
		if (http_check_address(arg))
			argp_error(st, "--web.listen-address '%s': expected HOST:PORT, :PORT or [V6ADDR]:PORT", arg);
		cfg.listen_address = arg;
		break;
	case OPT_TPATH:
		if (arg[0] != '/' || !strcmp(arg, "/"))
			argp_error(st, "--web.telemetry-path must start with '/' and not be '/'");
		cfg.telemetry_path = arg;
		break;
	case OPT_MAXCONN:
		if (parse_uint(arg, 1, 65535, &cfg.web_max_connections))
			argp_error(st, "--web.max-connections: '%s' is not a number in 1..65535", arg);
		break;
	case OPT_TIMEOUT:
		if (parse_uint(arg, 1, 3600, &cfg.web_timeout_s))
			argp_error(st, "--web.timeout: '%s' is not a number of seconds in 1..3600", arg);
		break;
	case OPT_MAXENT:
		if (parse_uint(arg, 1, 1u << 24, &cfg.bpf_max_entries))
			argp_error(st, "--bpf.max-entries: '%s' is not a number in 1..16777216", arg);
		break;
	case OPT_RUNAS:
		if (privs_check_user(arg))
			argp_error(st, "--run-as-user: no user '%s'", arg);
		cfg.run_as_user = arg;
		break;
	case OPT_KEEPPRIV:
		cfg.keep_privileges = true;
		break;
	case OPT_WEBCONFIG:
		cfg.web_config_file = arg;
		break;
	case OPT_PERIP:
		if (parse_uint(arg, 0, 65535, &cfg.web_max_conn_per_ip))
			argp_error(st, "--web.max-connections-per-ip: '%s' is not a number in 0..65535", arg);
		break;
	case OPT_MAXREQ:
		if (parse_uint(arg, 1, 64, &cfg.web_max_requests))
			argp_error(st, "--web.max-requests: '%s' is not a number in 1..64", arg);
		break;
	case OPT_RENDERINT:
		if (parse_millis(arg, 0, 3600000, &cfg.web_render_interval_ms))
			argp_error(st, "--web.render-interval: '%s' is not a duration in 0..1h (0, 500ms, 2s)", arg);
		break;
	case OPT_PROCFS:
		cfg.procfs = arg;
		break;
	case OPT_SYSFS:
		cfg.sysfs = arg;
		break;
	case OPT_ROOTFS:
		cfg.rootfs = arg;
		break;
	case OPT_BTF:
		cfg.btf_path = arg;
		break;
	case OPT_ATTACH:
		i = pick(arg, attach_names, ATTACH__N);
		if (i < 0)
			argp_error(st, "--bpf.attach-mode: '%s' is not auto, tp_btf, raw_tp or tracepoint", arg);
		cfg.attach_mode = i;
		break;
	case OPT_STATS:
		cfg.bpf_stats = true;
		break;
	case OPT_STRICT:
		cfg.strict = true;
		break;
	case OPT_HIER:
		i = pick(arg, hier_names, 3);
		if (i < 0)
			argp_error(st, "--cgroup.hierarchy: '%s' is not auto, v2 or v1", arg);
		cfg.cgroup_mode = i;
		break;
	case OPT_GRACE:
		if (parse_duration(arg, &cfg.grace_period_s))
			argp_error(st, "--container.grace-period: '%s' is not a duration like 300, 30s, 5m, 1h", arg);
		break;
	case OPT_MAXCG:
		if (parse_uint(arg, 1, 1u << 24, &cfg.cpu_max_cgroups))
			argp_error(st, "--cpu.max-cgroups: '%s' is not a number in 1..16777216", arg);
		break;
	case OPT_FLUSH:
		if (parse_uint(arg, 0, 1000, &cfg.cpu_flush_hz))
			argp_error(st, "--cpu.flush-hz: '%s' is not a number in 0..1000", arg);
		break;
	case OPT_CLOCK:
		i = pick(arg, clock_names, 3);
		if (i < 0)
			argp_error(st, "--cpu.clock: '%s' is not auto, rq or ktime", arg);
		cfg.cpu_clock = i;
		break;
	case OPT_NETMODE: {
		static const char *const net_modes[] = { "auto", "tp_btf", "tracepoint", "fexit",
							  "kprobe" };

		i = pick(arg, net_modes, 5);
		if (i < 0)
			argp_error(st, "--net.attach-mode: '%s' is not auto, tp_btf, tracepoint, fexit or kprobe", arg);
		cfg.net_attach_mode = i;
		break;
	}
	case OPT_NETPORTS:
		if (parse_uint(arg, 0, 256, &cfg.net_max_ports))
			argp_error(st, "--net.max-ports-per-container: '%s' is not a number in 0..256", arg);
		break;
	case 'v':
		cfg.verbose = true;
		break;
	case 'd':
		if (parse_millis(arg, 100, 3600000, &cfg.top_delay_ms))
			argp_error(st, "--delay: '%s' is not a number of seconds in 0.1..3600", arg);
		break;
	case 'n':
		if (parse_uint(arg, 0, UINT_MAX, &cfg.top_iterations))
			argp_error(st, "--iterations: '%s' is not a number", arg);
		break;
	case 'c':
		cfg.top_containers = true;
		break;
	case 'b':
		cfg.top_batch = true;
		break;
	case 's':
		if (rows_col_of(arg) < 0)
			argp_error(st, "--sort: '%s' is not one of " TOP_SORT_NAMES, arg);
		cfg.top_sort = arg;
		break;
	case 'f':
		if (rows_check_regex(arg))
			argp_error(st, "--filter: '%s' is not an extended regular expression", arg);
		cfg.top_filter = arg;
		break;
	case OPT_TOP_NS:
		cfg.top_namespace = arg;
		break;
	case OPT_TOP_POD:
		cfg.top_pod = arg;
		break;
	case OPT_DUMP_DURATION:
		if (parse_millis(arg, 100, 24 * 3600000u, &cfg.dump_duration_ms))
			argp_error(st, "--duration: '%s' is not a duration in 100ms..24h (10, 500ms, 10s, 2m)", arg);
		break;
	case OPT_DUMP_FORMAT:
		if (!strcmp(arg, "prom"))
			cfg.dump_format = DUMP_PROM;
		else if (!strcmp(arg, "json"))
			cfg.dump_format = DUMP_JSON;
		else
			argp_error(st, "--format: '%s' is not prom or json", arg);
		break;
	case ARGP_KEY_ARG:
		argp_error(st, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

enum run_mode args_parse(int argc, char **argv)
{
	static const struct argp common = { common_options, parse_opt, NULL, NULL, NULL, NULL, NULL };
	static const struct argp_child children[] = { { &common, 0, "Collection:", 1 }, { 0 } };
	static const struct argp serve = { web_options, parse_opt, NULL, doc, children, NULL, NULL };
	static const struct argp top = { top_options, parse_opt, NULL, top_doc, children, NULL, NULL };
	static const struct argp dump = { dump_options, parse_opt, NULL, dump_doc, children, NULL, NULL };
	static char top_name[] = "jvmtap top", dump_name[] = "jvmtap dump";
	enum run_mode mode = MODE_SERVE;
	const struct argp *p = &serve;

	argp_err_exit_status = 2;
	if (argc > 1 && !strcmp(argv[1], "top"))
		mode = MODE_TOP, p = &top;
	else if (argc > 1 && !strcmp(argv[1], "dump"))
		mode = MODE_DUMP, p = &dump;
	if (mode != MODE_SERVE) {
		argc--;
		argv++;
		argv[0] = mode == MODE_TOP ? top_name : dump_name;
	}
	cfg.mode = mode;
	argp_parse(p, argc, argv, 0, NULL, NULL);
	if (cfg.run_as_user && cfg.keep_privileges) {
		fprintf(stderr, "jvmtap: --run-as-user and --security.keep-privileges exclude each other\n");
		exit(2);
	}
	if (cfg.cpu_clock == CLOCK_RQ && cfg.attach_mode != ATTACH_AUTO &&
	    cfg.attach_mode != ATTACH_TP_BTF) {
		fprintf(stderr, "jvmtap: --cpu.clock=rq needs --bpf.attach-mode=tp_btf (or auto)\n");
		exit(2);
	}
	return mode;
}
