/* The HTTP client of the Flink collector: what rest.c's discovery and polls ask a JobManager. */
#ifndef JVMTAP_HTTPGET_H
#define JVMTAP_HTTPGET_H

#include <stddef.h>
#include <sys/types.h>
#include "rest.h"

/* GET path from the endpoint, from pid's network namespace, under lim's timeout and size
 * limits (and TLS when lim->tls is set); 0 with the body in *body (free() it), else an error
 * (nonzero) and its kind in *why. */
int flink_get(pid_t pid, const struct flink_endpoint *ep, const char *path,
	      const struct flink_limits *lim, char **body, size_t *blen, enum flink_err *why);
/* Credentials that trust nothing, for telling whether a port speaks TLS (the handshake then
 * fails at the certificate); shared, never freed by the caller. */
void *flink_tls_probe(void);

#endif
