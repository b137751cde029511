/* The Flink collector: for each JobManager on the node (a JVM whose flink_role is
 * "jobmanager"), its REST API read from outside on a worker thread (rest.c), and the job,
 * checkpoint and cluster families written from the last poll. No job, reporter or flag of
 * Flink's changes. */
#include <argp.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "args.h"
#include "collector.h"
#include "config.h"
#include "families.h"
#include "identity.h"
#include "log.h"
#include "registry.h"
#include "rest.h"
#include "series.h"
#include "sockets.h"
#include "worker.h"

#define MAX_JM 16 /* JobManagers per node */
#define MAX_LOCAL_TM 64 /* TaskManagers per node matched to a JobManager's list */

static struct {
	bool off;
	unsigned interval_ms;
	struct flink_limits lim;
	const char *ca_file, *cert_file, *key_file;
} fcfg = { .interval_ms = 15000, .lim = { .timeout_ms = 2000, .max_response = 4u << 20 } };

enum { OPT_REST = 1800, OPT_INTERVAL, OPT_TIMEOUT, OPT_MAXRESP, OPT_CA, OPT_CERT, OPT_KEY, OPT_NAME };

static const struct argp_option options[] = {
	{ "flink.rest", OPT_REST, "on|off", 0, "Read each JobManager's REST API for job metrics (default on)", 0 },
	{ "flink.poll-interval", OPT_INTERVAL, "DURATION", 0, "How often every JobManager is polled (default 15s)", 0 },
	{ "flink.timeout", OPT_TIMEOUT, "DURATION", 0, "Per REST request: connect, send and read (default 2s)", 0 },
	{ "flink.max-response", OPT_MAXRESP, "BYTES", 0, "Largest REST answer read (default 4194304)", 0 },
	{ "flink.rest.ca-file", OPT_CA, "FILE", 0, "PEM CA certificates for JobManagers whose REST speaks TLS (security.ssl.rest.enabled); without it, TLS endpoints are only counted", 0 },
	{ "flink.rest.cert-file", OPT_CERT, "FILE", 0, "PEM client certificate for REST that requires one (security.ssl.rest.authentication-enabled)", 0 },
	{ "flink.rest.key-file", OPT_KEY, "FILE", 0, "PEM key of --flink.rest.cert-file", 0 },
	{ "flink.rest.server-name", OPT_NAME, "NAME", 0, "Name the JobManagers' certificates must carry (default: the chain is verified, not the name)", 0 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *st)
{
	unsigned v;

	switch (key) {
	case OPT_REST:
		if (strcmp(arg, "on") && strcmp(arg, "off"))
			argp_error(st, "--flink.rest: '%s' is not on or off", arg);
		fcfg.off = !strcmp(arg, "off");
		break;
	case OPT_INTERVAL:
		if (flag_millis(arg, 1000, 3600000, &fcfg.interval_ms))
			argp_error(st, "--flink.poll-interval: '%s' is not a duration in 1s..1h", arg);
		break;
	case OPT_TIMEOUT:
		if (flag_millis(arg, 10, 60000, &fcfg.lim.timeout_ms))
			argp_error(st, "--flink.timeout: '%s' is not a duration in 10ms..60s", arg);
		break;
	case OPT_CA:
	case OPT_CERT:
	case OPT_KEY:
		if (access(arg, R_OK))
			argp_error(st, "--flink.rest.%s: %s: %s",
				   key == OPT_CA ? "ca-file" : key == OPT_CERT ? "cert-file" : "key-file",
				   arg, strerror(errno));
		*(key == OPT_CA ? &fcfg.ca_file : key == OPT_CERT ? &fcfg.cert_file : &fcfg.key_file) = arg;
		break;
	case ARGP_KEY_END:
		if (!fcfg.cert_file != !fcfg.key_file)
			argp_error(st, "--flink.rest.cert-file and --flink.rest.key-file go together");
		break;
	case OPT_NAME:
		if (!*arg)
			argp_error(st, "--flink.rest.server-name: empty");
		fcfg.lim.tls_server_name = arg;
		break;
	case OPT_MAXRESP:
		if (flag_uint(arg, 4096, 1u << 30, &v))
			argp_error(st, "--flink.max-response: '%s' is not a number in 4096..2^30", arg);
		fcfg.lim.max_response = v;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = { options, parse_opt, NULL, NULL, NULL, NULL, NULL };

/* The JobManagers to poll, as tick() last saw them in the JVM registry. */
struct targets {
	int n, ntm;
	struct jvm_ref jm[MAX_JM];
	struct jvm_ref tm[MAX_LOCAL_TM]; /* the node's TaskManagers, for their pods */
};
struct results {
	int n;
	uint64_t errors[FLINK_ERR__N];
	uint64_t dropped_jobs, dropped_vertices, dropped_tms;
	struct jm_result r[]; /* n of them: about 1 MiB each at the caps, so only those polled */
};

static struct snapshot targets_snap = SNAPSHOT_INIT(free);
static struct snapshot results_snap = SNAPSHOT_INIT(free);
static struct worker *poller;
static time_t last_targets;
/* The worker's own state: endpoints found so far and the error counters. */
static struct jm_result *known; /* [MAX_JM], by (pid, start) */
static uint64_t errors[FLINK_ERR__N], dropped_jobs, dropped_vertices, dropped_tms;

static struct jm_result *known_of(const struct jvm_ref *jm)
{
	int i, free_slot = -1;

	for (i = 0; i < MAX_JM; i++) {
		if (known[i].jm.pid == jm->pid && known[i].jm.start == jm->start)
			return &known[i];
		if (!known[i].jm.pid && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return NULL;
	memset(&known[free_slot], 0, sizeof(known[free_slot]));
	known[free_slot].jm = *jm;
	return &known[free_slot];
}

/* The node's TaskManagers of t: where each listens and talks from, into local; how many read. */
static int read_local_tms(const struct targets *t, struct flink_local_tm *local)
{
	int i, n;

	for (i = n = 0; i < t->ntm; i++) {
		local[n].pid = t->tm[i].pid;
		local[n].cgroup_id = t->tm[i].cgroup_id;
		if (flink_local_tm_read(&local[n]) == 0)
			n++;
	}
	return n;
}

static int poll_all(void *arg)
{
	static struct flink_local_tm local[MAX_LOCAL_TM]; /* the worker's alone */
	struct targets *t, tcopy;
	struct results *res;
	int i, k, ok = 0, nlocal = -1; /* -1: not read yet this poll */

	(void)arg;
	t = snapshot_hold(&targets_snap, NULL);
	memset(&tcopy, 0, sizeof(tcopy));
	if (t)
		tcopy = *t;
	snapshot_release(&targets_snap);
	/* JobManagers no longer listed are forgotten. */
	for (k = 0; k < MAX_JM; k++) {
		for (i = 0; i < tcopy.n && known[k].jm.pid; i++)
			if (known[k].jm.pid == tcopy.jm[i].pid && known[k].jm.start == tcopy.jm[i].start)
				break;
		if (known[k].jm.pid && i == tcopy.n)
			memset(&known[k], 0, sizeof(known[k]));
	}
	if (!(res = calloc(1, sizeof(*res) + tcopy.n * sizeof(res->r[0]))))
		return -ENOMEM;
	for (i = 0; i < tcopy.n; i++) {
		struct jm_result *r = known_of(&tcopy.jm[i]);

		if (!r)
			continue;
		r->jm = tcopy.jm[i];
		if (!r->ep.found)
			flink_discover(r->jm.pid, &fcfg.lim, &r->ep, errors);
		if (r->ep.found &&
		    flink_poll(r->jm.pid, &r->ep, &fcfg.lim, &r->poll, errors) == -ECONNREFUSED)
			r->ep.found = false; /* gone from where it answered: look again next time */
		if (r->poll.standby)
			ok++;
		if (r->poll.ok) {
			uint64_t jm_ns = flink_netns_of(r->jm.pid);

			/* Their fds and TCP tables are read once per poll, and only when a
			 * JobManager lists TaskManagers to match them to. */
			if (r->poll.ntms && nlocal < 0)
				nlocal = read_local_tms(&tcopy, local);
			for (k = 0; k < r->poll.ntms; k++) {
				struct flink_tm_state *tm = &r->poll.tms[k];
				int m = flink_match_tm(tm->tm.path, local, nlocal, jm_ns);

				tm->local_pid = m >= 0 ? local[m].pid : 0;
				tm->local_cgroup = m >= 0 ? local[m].cgroup_id : 0;
			}
			dropped_jobs += r->poll.jobs_dropped;
			dropped_tms += r->poll.tms_dropped;
			for (k = 0; k < r->poll.njobs; k++)
				dropped_vertices += r->poll.jobs[k].detail.dropped;
			ok++;
		}
		res->r[res->n++] = *r;
	}
	memcpy(res->errors, errors, sizeof(errors));
	res->dropped_jobs = dropped_jobs;
	res->dropped_vertices = dropped_vertices;
	res->dropped_tms = dropped_tms;
	snapshot_publish(&results_snap, res);
	/* A refresh fails when a JobManager could not be read at all. */
	return ok == tcopy.n ? 0 : -EHOSTUNREACH;
}

static int flink_open(void)
{
	if (fcfg.off) {
		log_info("flink: --flink.rest=off: JobManagers' REST APIs are not read");
		return 0;
	}
	if (fcfg.ca_file || fcfg.cert_file || fcfg.key_file) {
		const char *why;
		int r = flink_tls_open(fcfg.ca_file, fcfg.cert_file, fcfg.key_file, &fcfg.lim.tls, &why);

		if (r) {
			log_err("flink: TLS credentials (--flink.rest.ca-file=%s --flink.rest.cert-file=%s "
				"--flink.rest.key-file=%s): %s", fcfg.ca_file ? fcfg.ca_file : "",
				fcfg.cert_file ? fcfg.cert_file : "", fcfg.key_file ? fcfg.key_file : "", why);
			return r;
		}
	}
	known = calloc(MAX_JM, sizeof(*known));
	if (!known)
		return -ENOMEM;
	poller = worker_new("flink", "flink_rest", fcfg.interval_ms, poll_all, NULL);
	return poller ? 0 : -ENOMEM;
}

/* The JobManagers of the registry, handed to the worker when they change (and a new one is
 * polled at once). */
static void flink_tick(void)
{
	struct jvm_ref all[256];
	struct targets *t, *old;
	time_t now = time(NULL);
	int i, n, changed;

	if (!poller || now == last_targets)
		return;
	last_targets = now;
	if (!(t = calloc(1, sizeof(*t))))
		return;
	n = jvm_refs(all, 256);
	for (i = 0; i < n; i++) {
		if (all[i].gone)
			continue;
		if (!strcmp(all[i].flink_role, "jobmanager") && t->n < MAX_JM)
			t->jm[t->n++] = all[i];
		else if (!strcmp(all[i].flink_role, "taskmanager") && t->ntm < MAX_LOCAL_TM)
			t->tm[t->ntm++] = all[i];
	}
	old = snapshot_hold(&targets_snap, NULL);
	changed = !old || old->n != t->n || old->ntm != t->ntm ||
		  memcmp(old->jm, t->jm, t->n * sizeof(t->jm[0])) ||
		  memcmp(old->tm, t->tm, t->ntm * sizeof(t->tm[0]));
	snapshot_release(&targets_snap);
	if (!changed) {
		free(t);
		return;
	}
	snapshot_publish(&targets_snap, t);
	worker_kick(poller);
}

static int flink_collect(struct writer *w)
{
	static const enum fam_id fams[] = {
		FAM_FLINK_JOBMANAGER_INFO, FAM_FLINK_TASKMANAGERS, FAM_FLINK_TASKMANAGER_INFO,
		FAM_FLINK_TASK_SLOTS,
		FAM_FLINK_TASK_SLOTS_AVAILABLE, FAM_FLINK_BUFFER_POOL_BUFFERS,
		FAM_FLINK_BUFFER_POOL_USED_BYTES, FAM_FLINK_BUFFER_POOL_CAPACITY_BYTES,
		FAM_FLINK_NETWORK_MEMORY_SEGMENTS, FAM_FLINK_NETWORK_MEMORY_SEGMENTS_MAX,
		FAM_FLINK_JOBS, FAM_FLINK_JOB_INFO,
		FAM_FLINK_JOB_START_TIME_SECONDS, FAM_FLINK_JOB_UPTIME_SECONDS,
		FAM_FLINK_JOB_DOWNTIME_SECONDS, FAM_FLINK_JOB_LAST_RESTART_DURATION_SECONDS,
		FAM_FLINK_JOB_RESTARTS_TOTAL,
		FAM_FLINK_CHECKPOINTS_TOTAL, FAM_FLINK_CHECKPOINTS_IN_PROGRESS,
		FAM_FLINK_CHECKPOINTS_RESTORED_TOTAL, FAM_FLINK_LAST_CHECKPOINT_DURATION_SECONDS,
		FAM_FLINK_LAST_CHECKPOINT_SIZE_BYTES,
		FAM_FLINK_LAST_CHECKPOINT_COMPLETION_TIMESTAMP_SECONDS,
		FAM_FLINK_LAST_RESTORE_TIMESTAMP_SECONDS, FAM_FLINK_VERTEX_RECORDS_TOTAL,
		FAM_FLINK_VERTEX_BYTES_TOTAL, FAM_FLINK_VERTEX_TIME_SECONDS_TOTAL,
		FAM_FLINK_VERTEX_INPUT_WATERMARK_TIMESTAMP_SECONDS,
	};
	struct label id[MAX_JM][IDENTITY_NLABELS];
	bool ok[MAX_JM];
	time_t now = time(NULL);
	struct results *r;
	size_t f;
	int i, k;

	if (!poller)
		return 0;
	r = snapshot_hold(&results_snap, NULL);
	for (i = 0; r && i < r->n; i++)
		ok[i] = identity_labels(r->r[i].jm.cgroup_id, id[i], now) == IDENTITY_OK;
	for (f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
		w_fam(w, fams[f]);
		for (i = 0; r && i < r->n; i++)
			if (ok[i])
				flink_write_jm(w, fams[f], &r->r[i], id[i]);
	}
	w_fam(w, FAM_FLINK_REST_ERRORS_TOTAL);
	for (k = 0; k < FLINK_ERR__N; k++) {
		struct label a[] = { { "reason", flink_err_name(k) } };

		w_sample(w, fam_name(FAM_FLINK_REST_ERRORS_TOTAL), a, 1, NULL, 0, r ? r->errors[k] : 0);
	}
	w_fam(w, FAM_FLINK_REST_DROPPED_TOTAL);
	{
		struct label a[] = { { "what", "jobs" } }, b[] = { { "what", "vertices" } },
			     c[] = { { "what", "taskmanagers" } };

		w_sample(w, fam_name(FAM_FLINK_REST_DROPPED_TOTAL), a, 1, NULL, 0, r ? r->dropped_jobs : 0);
		w_sample(w, fam_name(FAM_FLINK_REST_DROPPED_TOTAL), c, 1, NULL, 0, r ? r->dropped_tms : 0);
		w_sample(w, fam_name(FAM_FLINK_REST_DROPPED_TOTAL), b, 1, NULL, 0,
			 r ? r->dropped_vertices : 0);
	}
	snapshot_release(&results_snap);
	return 0;
}

static void flink_close(void)
{
	worker_free(poller);
	poller = NULL;
	snapshot_clear(&results_snap);
	snapshot_clear(&targets_snap);
	free(known);
	known = NULL;
	flink_tls_close(fcfg.lim.tls);
	fcfg.lim.tls = NULL;
}

const struct collector flink_collector = {
	.name = "flink",
	.help = "Flink jobs, checkpoints and clusters from each JobManager's REST API",
	.argp = &argp,
	.open = flink_open,
	.tick = flink_tick,
	.collect = flink_collect,
	.close = flink_close,
};
