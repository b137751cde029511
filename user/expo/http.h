/* The one place that talks HTTP: libmicrohttpd serving metrics, health and a landing page. */
#ifndef JVMTAP_HTTP_H
#define JVMTAP_HTTP_H

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>
#include "writer.h"

/* Renders the exposition in a format into a malloc'd buffer; 0 or -errno. http.c compresses and
 * keeps it. */
typedef int (*http_render_fn)(enum w_format format, char **body, size_t *len);

/* 0 if addr has the shape HOST:PORT, :PORT or [V6ADDR]:PORT, else -EINVAL. */
int http_check_address(const char *addr);

/* --web.* */
extern const struct argp http_argp;

/* Binds --web.listen-address and starts serving; 0 or -errno (logged). */
int http_start(http_render_fn render);
void http_stop(void);
/* Re-reads --web.config.file (SIGHUP): a valid file replaces TLS settings and users, restarting
 * the server on the same socket; an invalid one is logged and the running configuration kept.
 * 0 or -errno. */
int http_reload(void);

/* Restarts the server threads on the same socket (after privileges were dropped: capabilities
 * are per thread, and new threads start with the main thread's). */
int http_restart(void);

/* Requests refused, by reason, for jvmtap_http_requests_rejected_total. */
enum http_reject { HTTP_REJECT_AUTH, HTTP_REJECT_CLIENT_CERT, HTTP_REJECT_METHOD,
		   HTTP_REJECT_BUSY, HTTP_REJECT__N };
unsigned long long http_rejected(enum http_reject why);
/* /-/ready answers 200 once the collectors are attached. */
void http_set_ready(bool ready);

#endif
