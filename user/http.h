/* The one place that talks HTTP: libmicrohttpd serving metrics, health and a landing page. */
#ifndef JVMTAP_HTTP_H
#define JVMTAP_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* Renders the exposition into a malloc'd buffer (gzip-compressed when gzip is set); 0 or -errno. */
typedef int (*http_render_fn)(bool gzip, char **body, size_t *len);

/* 0 if addr has the shape HOST:PORT, :PORT or [V6ADDR]:PORT, else -EINVAL. */
int http_check_address(const char *addr);

/* Binds --web.listen-address and starts serving; 0 or -errno (logged). */
int http_start(http_render_fn render);
void http_stop(void);
/* /-/ready answers 200 once the collectors are attached. */
void http_set_ready(bool ready);

#endif
