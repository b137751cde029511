/* The flag value parsers, the common flags and the parse of argv (args.h). */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "config.h"
#include "privs.h"
#include "version.h"

const char *argp_program_version = "jvmtap " JVMTAP_VERSION;

enum {
	OPT_PROCFS = 1000,
	OPT_SYSFS,
	OPT_ROOTFS,
	OPT_BTF,
	OPT_ATTACH,
	OPT_STATS,
	OPT_HIER,
	OPT_GRACE,
	OPT_STRICT,
	OPT_MAXENT,
	OPT_RUNAS,
	OPT_KEEPPRIV,
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
	{ "run-as-user", OPT_RUNAS, "USER", 0, "After attaching, switch to this user (name or uid), keeping only the capabilities later attaches need", 4 },
	{ "security.keep-privileges", OPT_KEEPPRIV, NULL, 0, "Do not drop capabilities after attaching (debugging)", 4 },
	{ "verbose", 'v', NULL, 0, "Debug logging, including libbpf's", 4 },
	{ 0 },
};

int flag_uint(const char *s, unsigned long min, unsigned long max, unsigned *out)
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

int flag_duration(const char *s, unsigned *out)
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

int flag_millis(const char *s, unsigned min_ms, unsigned max_ms, unsigned *out)
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

int flag_pick(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static error_t parse_common(int key, char *arg, struct argp_state *st)
{
	static const char *const attach_names[ATTACH__N] = { "auto", "tp_btf", "raw_tp",
							     "tracepoint" };
	static const char *const hier_names[] = { "auto", "v2", "v1" };
	int i;

	switch (key) {
	case OPT_MAXENT:
		if (flag_uint(arg, 1, 1u << 24, &cfg.bpf_max_entries))
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
		i = flag_pick(arg, attach_names, ATTACH__N);
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
		i = flag_pick(arg, hier_names, 3);
		if (i < 0)
			argp_error(st, "--cgroup.hierarchy: '%s' is not auto, v2 or v1", arg);
		cfg.cgroup_mode = i;
		break;
	case OPT_GRACE:
		if (flag_duration(arg, &cfg.grace_period_s))
			argp_error(st, "--container.grace-period: '%s' is not a duration like 300, 30s, 5m, 1h", arg);
		break;
	case 'v':
		cfg.verbose = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(st, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (cfg.run_as_user && cfg.keep_privileges)
			argp_error(st, "--run-as-user and --security.keep-privileges exclude each other");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp args_common_argp = { common_options, parse_common, NULL, NULL, NULL, NULL, NULL };

enum run_mode args_parse(int argc, char **argv, const struct argp *serve, const struct argp *top,
			 const struct argp *dump)
{
	static char top_name[] = "jvmtap top", dump_name[] = "jvmtap dump";
	enum run_mode mode = MODE_SERVE;
	const struct argp *p = serve;

	argp_err_exit_status = 2;
	if (argc > 1 && !strcmp(argv[1], "top"))
		mode = MODE_TOP, p = top;
	else if (argc > 1 && !strcmp(argv[1], "dump"))
		mode = MODE_DUMP, p = dump;
	if (mode != MODE_SERVE) {
		argc--;
		argv++;
		argv[0] = mode == MODE_TOP ? top_name : dump_name;
	}
	cfg.mode = mode;
	argp_parse(p, argc, argv, 0, NULL, NULL);
	return mode;
}
