/* jvmtap: serves /metrics until SIGINT/SIGTERM, or runs `jvmtap top` / `jvmtap dump`. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include "args.h"
#include "config.h"
#include "engine.h"
#include "http.h"
#include "log.h"
#include "top.h"

static volatile sig_atomic_t exiting, reload;
static struct writer *out;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		exiting = 1;
}

/* Connections are file descriptors: up to the hard limit, as --web.max-connections needs. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int render(enum w_format format, char **body, size_t *len)
{
	const char *data;
	size_t n;
	int err = 0;

	engine_lock();
	writer_set_format(out, format);
	err = engine_collect(out);
	data = writer_data(out, &n);
	if (err) {
		/* a partial page is never served */
	} else if ((*body = malloc(n ? n : 1))) {
		memcpy(*body, data, n);
		*len = n;
	} else {
		err = -ENOMEM;
	}
	engine_unlock();
	return err;
}

static int serve(void)
{
	int ret = 1;

	raise_fd_limit();
	out = writer_new();
	/* A runaway number of series fails the scrape (500) instead of exhausting memory. */
	writer_set_limit(out, 256u << 20);
	if (!out || engine_init())
		goto cleanup;
	/* Serve (not ready) before loading, so a taken port fails fast and probes see progress. */
	if (http_start(render))
		goto cleanup;
	if (engine_open() || http_restart())
		goto cleanup;
	http_set_ready(true);
	log_info("ready");
	while (!exiting) {
		engine_wait(100, -1);
		engine_turn();
		if (reload) {
			reload = 0;
			log_info("SIGHUP: re-reading --web.config.file");
			http_reload();
		}
	}
	log_info("exiting");
	ret = 0;
cleanup:
	http_stop();
	engine_close();
	writer_free(out);
	return ret;
}

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
	"  jvmtap --collector.net=off              # everything but socket bytes\n"
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

/* Each mode: its own flags, then every mode's, then the collectors'. */
static enum run_mode parse_args(int argc, char **argv)
{
	static struct argp_child serve_children[4], top_children[4], dump_children[4];
	static struct argp serve = { NULL, NULL, NULL, doc, serve_children, NULL, NULL };
	static struct argp top = { NULL, NULL, NULL, top_doc, top_children, NULL, NULL };
	static struct argp dump = { NULL, NULL, NULL, dump_doc, dump_children, NULL, NULL };
	const struct argp *own[3] = { &http_argp, &top_argp, &dump_argp };
	struct argp_child *ch[3] = { serve_children, top_children, dump_children };
	int i;

	for (i = 0; i < 3; i++) {
		ch[i][0] = (struct argp_child){ own[i], 0, NULL, 0 };
		ch[i][1] = (struct argp_child){ &args_common_argp, 0, "Collection:", 1 };
		ch[i][2] = (struct argp_child){ engine_argp(), 0, "Collectors:", 2 };
	}
	return args_parse(argc, argv, &serve, &top, &dump);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	enum run_mode mode = parse_args(argc, argv);

	if (cfg.verbose)
		log_max_level = LOG_DEBUG;
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (mode == MODE_SERVE)
		sigaction(SIGHUP, &sa, NULL);
	if (mode == MODE_TOP)
		return top_main(&exiting);
	if (mode == MODE_DUMP)
		return dump_main(&exiting);
	return serve();
}
