/* A JobManager's REST API from outside (rest.h). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <gnutls/gnutls.h>
#include "config.h"
#include "httpresp.h"
#include "procfs.h"
#include "readfile.h"
#include "httpget.h"
#include "rest.h"
#include "sockets.h"

#define MAX_LISTEN 32
#define REST_DEFAULT_PORT 8081

const char *flink_err_name(enum flink_err e)
{
	static const char *const names[FLINK_ERR__N] = { "no_endpoint", "connect", "timeout",
							 "too_large", "http", "tls", "json" };

	return e < FLINK_ERR__N ? names[e] : "unknown";
}

static void connect_addr(const struct net_tcp_sock *l, struct flink_endpoint *ep)
{
	static const uint8_t any[16];

	ep->family = l->family;
	ep->port = l->port;
	memcpy(ep->addr, l->addr, 16);
	if (!memcmp(l->addr, any, l->family == AF_INET6 ? 16 : 4)) {
		memset(ep->addr, 0, 16);
		if (l->family == AF_INET6)
			ep->addr[15] = 1; /* ::1 */
		else
			memcpy(ep->addr, (uint8_t[]){ 127, 0, 0, 1 }, 4);
	}
}

/* High availability from the JobManager's own configuration: "high-availability.type"
 * (1.20, 2.x) or "high-availability" (before), anything but NONE; and its RPC port. */
static void ha_config(pid_t pid, const struct flink_limits *lim, struct flink_endpoint *ep,
		      uint64_t errors[FLINK_ERR__N])
{
	char *body, v[64];
	enum flink_err why;
	size_t len;

	if (flink_get(pid, ep, "/jobmanager/config", lim, &body, &len, &why)) {
		errors[why]++;
		return;
	}
	if ((flinkrest_jm_config(body, len, "high-availability.type", v, sizeof(v)) == 0 ||
	     flinkrest_jm_config(body, len, "high-availability", v, sizeof(v)) == 0) &&
	    v[0] && strcasecmp(v, "none"))
		ep->ha = true;
	if (flinkrest_jm_config(body, len, "jobmanager.rpc.port", v, sizeof(v)) == 0)
		ep->rpc_port = (unsigned)strtoul(v, NULL, 10) & 0xffff;
	free(body);
}

/* Whether a JobManager with high availability leads: TaskManagers register with the
 * leader's ResourceManager and standbys forward REST requests to its Dispatcher, all over
 * the leader's RPC port, while a standby accepts nothing there. So: an established socket of
 * the JVM on its RPC port. A leader nobody talks to yet (no TaskManager, no standby asked)
 * reads as a standby until someone does. */
static bool leads(pid_t pid, const struct flink_endpoint *ep)
{
	struct net_tcp_sock *est;
	uint64_t inodes[1024];
	int ni, n, i;
	bool yes = false;

	if (!ep->rpc_port)
		return true; /* cannot tell: export, as without high availability */
	if ((ni = flink_socket_inodes(pid, inodes, 1024)) < 0)
		return true;
	if (!(est = calloc(1024, sizeof(*est))))
		return true;
	n = flink_tcp_sockets(pid, inodes, ni, TCP_STATE_ESTABLISHED, est, 1024);
	for (i = 0; i < n && !yes; i++)
		yes = est[i].port == ep->rpc_port;
	free(est);
	return yes;
}

int flink_discover(pid_t pid, const struct flink_limits *lim, struct flink_endpoint *ep,
		   uint64_t errors[FLINK_ERR__N])
{
	uint64_t inodes[512];
	struct net_tcp_sock l[MAX_LISTEN];
	enum flink_err why = FLINK_ERR_NO_ENDPOINT;
	struct flink_limits tls_lim;
	bool saw_tls = false;
	struct flink_endpoint try;
	int ni, nl, i, pass;
	char *body;
	size_t len;

	memset(ep, 0, sizeof(*ep));
	ni = flink_socket_inodes(pid, inodes, 512);
	if (ni < 0)
		return ni;
	nl = flink_tcp_sockets(pid, inodes, ni, TCP_STATE_LISTEN, l, MAX_LISTEN);
	/* 8081 first: the REST default; then the others, each once. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < nl; i++) {
			if ((l[i].port == REST_DEFAULT_PORT) != (pass == 0))
				continue;
			memset(&try, 0, sizeof(try));
			connect_addr(&l[i], &try);
			if (flink_get(pid, &try, "/config", lim, &body, &len, &why)) {
				/* A port that waits for its own protocol (RPC, blob) times out; one that
				 * drops a plain request at once (Flink's REST with TLS closes without a
				 * word) is asked again over TLS: with the --flink.rest.* credentials, or
				 * with none only to tell it is TLS. */
				if (why == FLINK_ERR_TIMEOUT || why == FLINK_ERR_CONNECT)
					continue;
				try.tls = true;
				tls_lim = *lim;
				if (!tls_lim.tls)
					tls_lim.tls = flink_tls_probe();
				if (!tls_lim.tls ||
				    flink_get(pid, &try, "/config", &tls_lim, &body, &len, &why)) {
					saw_tls |= why == FLINK_ERR_TLS;
					continue;
				}
				if (!lim->tls) { /* it answered with no trust: cannot happen */
					free(body);
					saw_tls = true;
					continue;
				}
			}
			if (flinkrest_config(body, len, try.version, sizeof(try.version)) == 0 &&
			    try.version[0]) {
				free(body);
				try.found = true;
				ha_config(pid, lim, &try, errors);
				*ep = try;
				return 0;
			}
			free(body);
		}
	errors[saw_tls || why == FLINK_ERR_TLS ? FLINK_ERR_TLS : FLINK_ERR_NO_ENDPOINT]++;
	return -ENOENT;
}

/* s percent-encoded but for unreserved characters; false when it does not fit or is empty. */
static bool url_encode(const char *s, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = *s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			if (n + 1 >= size)
				return false;
			out[n++] = c;
		} else {
			if (n + 3 >= size)
				return false;
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
	return n > 0;
}

/* GET and parse with fn; counts the failure, 0 or -1. */
#define FETCH(path, call)                                                          \
	({                                                                         \
		char *b_;                                                          \
		size_t l_;                                                         \
		enum flink_err w_;                                                 \
		int r_ = flink_get(pid, ep, path, lim, &b_, &l_, &w_);                   \
		if (r_)                                                            \
			errors[w_]++;                                              \
		else {                                                             \
			const char *json = b_;                                     \
			size_t jlen = l_;                                          \
			r_ = (call);                                               \
			if (r_)                                                    \
				errors[FLINK_ERR_JSON]++;                          \
			free(b_);                                                  \
		}                                                                  \
		r_ ? -1 : 0;                                                       \
	})

static bool is_hex_id(const char *id)
{
	return strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32;
}

/* The sinks' input watermarks (seed 000's sink watermark lag is now minus this), one
 * aggregated request per sink vertex: the lowest over its subtasks, as the slowest subtask
 * holds the sink back. Sources and inner vertices are left out (a request each, and the
 * seed asks only for sinks). */
static void sink_watermarks(pid_t pid, const struct flink_endpoint *ep,
			    const struct flink_limits *lim, struct flink_job_state *s,
			    uint64_t errors[FLINK_ERR__N])
{
	static const char *const ids[] = { "currentInputWatermark" };
	char path[256];
	double v;
	int k;

	for (k = 0; k < FLINK_MAX_VERTICES; k++)
		s->watermark_ms[k] = NAN;
	for (k = 0; s->have_detail && k < s->detail.nvertices; k++) {
		const struct flink_vertex *vx = &s->detail.vertices[k];

		if (vx->sink != 1)
			continue;
		if (!is_hex_id(vx->id)) { /* it goes into the path */
			errors[FLINK_ERR_JSON]++;
			continue;
		}
		snprintf(path, sizeof(path),
			 "/jobs/%s/vertices/%s/subtasks/metrics?get=currentInputWatermark&agg=min",
			 s->job.id, vx->id);
		/* Java's Long.MIN_VALUE and MAX_VALUE print as +-9223372036854775807/8: no
		 * watermark yet, or the end of input. */
		if (!FETCH(path, flinkrest_metrics(json, jlen, ids, 1, "min", &v)) &&
		    v > -9.2e18 && v < 9.2e18)
			s->watermark_ms[k] = v;
	}
}

int flink_poll(pid_t pid, const struct flink_endpoint *ep, const struct flink_limits *lim,
	       struct flink_poll *out, uint64_t errors[FLINK_ERR__N])
{
	static const char *const job_metrics[] = { "numRestarts", "uptime", "downtime" };
	static const char *const jm_metrics[] = {
		"Status.JVM.Memory.Direct.Count", "Status.JVM.Memory.Direct.MemoryUsed",
		"Status.JVM.Memory.Direct.TotalCapacity", "Status.JVM.Memory.Mapped.Count",
		"Status.JVM.Memory.Mapped.MemoryUsed", "Status.JVM.Memory.Mapped.TotalCapacity",
	};
	struct flink_tm tms[FLINK_MAX_POLLED_TMS];
	struct flink_job jobs[FLINK_MAX_JOBS];
	char enc[3 * sizeof(tms[0].id)];
	char path[256];
	double v[3];
	int i;

	uint64_t connect_errors = errors[FLINK_ERR_CONNECT];

	memset(out, 0, sizeof(*out));
	if (ep->ha && !leads(pid, ep)) {
		out->standby = true;
		return 0;
	}
	if (FETCH("/overview", flinkrest_overview(json, jlen, &out->overview)))
		/* Nobody there any more (a restart on another port): look for it again. */
		return errors[FLINK_ERR_CONNECT] != connect_errors ? -ECONNREFUSED : -EPROTO;
	out->ok = true;
	for (i = 0; i < 6; i++)
		out->jm_pools[i] = -1;
	FETCH("/jobmanager/metrics?get=Status.JVM.Memory.Direct.Count,Status.JVM.Memory.Direct."
	      "MemoryUsed,Status.JVM.Memory.Direct.TotalCapacity,Status.JVM.Memory.Mapped.Count,"
	      "Status.JVM.Memory.Mapped.MemoryUsed,Status.JVM.Memory.Mapped.TotalCapacity",
	      flinkrest_metrics(json, jlen, jm_metrics, 6, NULL, out->jm_pools));
	if (!FETCH("/taskmanagers", flinkrest_taskmanagers(json, jlen, tms, FLINK_MAX_POLLED_TMS,
							    &out->ntms, &out->tms_dropped)))
		for (i = 0; i < out->ntms; i++) {
			struct flink_tm_state *t = &out->tms[i];

			t->tm = tms[i];
			/* "localhost:41233-3e38f6": percent-encoded into the path */
			if (!url_encode(t->tm.id, enc, sizeof(enc))) {
				errors[FLINK_ERR_JSON]++;
				continue;
			}
			snprintf(path, sizeof(path), "/taskmanagers/%s", enc);
			t->have_detail = !FETCH(path, flinkrest_taskmanager(json, jlen, &t->d));
		}
	if (FETCH("/jobs/overview",
		  flinkrest_jobs(json, jlen, jobs, FLINK_MAX_JOBS, &out->njobs, &out->jobs_dropped)))
		return 0;
	for (i = 0; i < out->njobs; i++) {
		struct flink_job_state *s = &out->jobs[i];

		s->job = jobs[i];
		/* The id goes into request paths: 32 hex digits, nothing else. */
		if (!is_hex_id(s->job.id)) {
			errors[FLINK_ERR_JSON]++;
			s->job.id[0] = '\0';
			continue;
		}
		s->restarts = s->uptime_ms = s->downtime_ms = -1;
		snprintf(path, sizeof(path), "/jobs/%s", s->job.id);
		s->have_detail = !FETCH(path, flinkrest_job(json, jlen, &s->detail));
		snprintf(path, sizeof(path), "/jobs/%s/checkpoints", s->job.id);
		s->have_checkpoints = !FETCH(path, flinkrest_checkpoints(json, jlen, &s->cp));
		sink_watermarks(pid, ep, lim, s, errors);
		snprintf(path, sizeof(path), "/jobs/%s/metrics?get=numRestarts,uptime,downtime",
			 s->job.id);
		if (!FETCH(path, flinkrest_metrics(json, jlen, job_metrics, 3, NULL, v))) {
			s->have_metrics = true;
			s->restarts = v[0];
			s->uptime_ms = v[1];
			s->downtime_ms = v[2];
		}
	}
	return 0;
}
