/* A JobManager's REST API, read from outside: where it listens (the sockets the JVM itself
 * listens on, in its own network namespace), a bounded HTTP GET from inside that namespace, and
 * one poll of everything the Flink collector exports. Runs on the collector's worker thread,
 * touching no state of the rest of jvmtap. */
#ifndef JVMTAP_FLINK_REST_H
#define JVMTAP_FLINK_REST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "flinkrest.h"

enum flink_err {
	FLINK_ERR_NO_ENDPOINT, /* no listening socket of the JobManager answered GET /config */
	FLINK_ERR_CONNECT,     /* refused, unreachable, or no namespace to enter */
	FLINK_ERR_TIMEOUT,     /* --flink.timeout passed */
	FLINK_ERR_TOO_LARGE,   /* an answer past --flink.max-response */
	FLINK_ERR_HTTP,        /* not HTTP, or a status other than 200 */
	FLINK_ERR_TLS,         /* the endpoint speaks TLS */
	FLINK_ERR_JSON,        /* not the JSON expected */
	FLINK_ERR__N
};
const char *flink_err_name(enum flink_err e);

struct flink_limits {
	unsigned timeout_ms;  /* per request: connect, send, read */
	size_t max_response;  /* bytes */
	/* TLS for JobManagers whose REST needs it (--flink.rest.ca-file, ...): a
	 * gnutls_certificate_credentials_t, NULL when none is configured; the name the server's
	 * certificate must carry, NULL for the chain alone. */
	void *tls;
	const char *tls_server_name;
};

/* The credentials of the --flink.rest.* flags: the CA that signs the JobManagers' REST
 * certificates, and a client certificate and key for those that require one (both or
 * neither); 0 with *out set, or -errno with the reason in why. */
int flink_tls_open(const char *ca_file, const char *cert_file, const char *key_file, void **out,
		   const char **why);
void flink_tls_close(void *tls);

/* Where a JobManager's REST answers. */
struct flink_endpoint {
	bool found;
	int family;        /* AF_INET, AF_INET6 */
	uint8_t addr[16];  /* to connect to: the bound address, loopback for a wildcard */
	unsigned port;
	bool tls;          /* answered over TLS with the --flink.rest.* credentials */
	char version[32];  /* its flink-version */
	/* From its /jobmanager/config: high availability on (ZooKeeper, Kubernetes), and the
	 * port its RPC service really listens on (the entrypoint writes it there). */
	bool ha;
	unsigned rpc_port;
};

/* Tries the TCP ports pid listens on (its /proc/PID/fd against /proc/PID/net/tcp{,6}), the
 * REST default 8081 first, with GET /config; 0 with ep filled, or -errno. */
int flink_discover(pid_t pid, const struct flink_limits *lim, struct flink_endpoint *ep,
		   uint64_t errors[FLINK_ERR__N]);

/* Everything one poll of a JobManager learnt. */
struct flink_job_state {
	struct flink_job job;
	bool have_detail, have_checkpoints, have_metrics;
	struct flink_job_detail detail;
	struct flink_checkpoints cp;
	double restarts, uptime_ms, downtime_ms; /* -1: unknown */
	/* Per vertex of detail: the lowest currentInputWatermark over its subtasks, for sink
	 * vertices only (ms of event time); NAN when unknown, before the first watermark
	 * (Long.MIN_VALUE) and after the last (Long.MAX_VALUE, end of input). */
	double watermark_ms[FLINK_MAX_VERTICES];
};
#define FLINK_MAX_POLLED_TMS 64 /* TaskManagers whose details are read per poll */
struct flink_tm_state {
	struct flink_tm tm;
	bool have_detail;
	struct flink_tm_detail d;
	/* the TaskManager JVM on this node its RPC path names (sockets.h); pid 0: not here */
	pid_t local_pid;
	uint64_t local_cgroup;
};
struct flink_poll {
	/* With high availability a standby's REST answers with the leader's data: a standby
	 * is not polled (nothing but it being a standby is exported). */
	bool standby;
	bool ok; /* /overview answered */
	struct flink_overview overview;
	/* The JobManager's own buffer pools (Status.JVM.Memory.{Direct,Mapped}.*), -1: unknown. */
	double jm_pools[6]; /* direct count, used, capacity; mapped count, used, capacity */
	int ntms, tms_dropped;
	struct flink_tm_state tms[FLINK_MAX_POLLED_TMS];
	int njobs, jobs_dropped;
	struct flink_job_state jobs[FLINK_MAX_JOBS];
};

/* One poll; 0 when /overview answered (the rest is best effort, errors counted), -ECONNREFUSED
 * when the endpoint could not be reached, -EPROTO for any other failure of /overview. */
int flink_poll(pid_t pid, const struct flink_endpoint *ep, const struct flink_limits *lim,
	       struct flink_poll *out, uint64_t errors[FLINK_ERR__N]);

#endif
