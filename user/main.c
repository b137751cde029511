/* jvmtap: serves /metrics until SIGINT/SIGTERM, or runs `jvmtap top` / `jvmtap dump`. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
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

static int render(char **body, size_t *len)
{
	const char *data;
	size_t n;
	int err = 0;

	engine_lock();
	engine_collect(out);
	data = writer_data(out, &n);
	if (writer_failed(out)) {
		err = -ENOMEM;
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

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	enum run_mode mode = args_parse(argc, argv);

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
