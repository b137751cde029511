/* The one place that talks HTTP: libmicrohttpd serving metrics, health and a landing page. */
#include <errno.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include "config.h"
#include "gzip.h"
#include "http.h"
#include "log.h"

#define CONTENT_TYPE_METRICS "text/plain; version=0.0.4; charset=utf-8"

static struct MHD_Daemon *daemon_;
static http_render_fn render_fn;
static atomic_bool ready;
static int listen_fd = -1;
static char landing[1024];

void http_set_ready(bool r)
{
	atomic_store(&ready, r);
}

/* "host:port", ":port" (all addresses) or "[v6addr]:port". */
static int split_address(const char *addr, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon;

	if (addr[0] == '[') {
		const char *end = strchr(addr, ']');

		if (!end || end[1] != ':' || (size_t)(end - addr - 1) >= hlen)
			return -EINVAL;
		snprintf(host, hlen, "%.*s", (int)(end - addr - 1), addr + 1);
		colon = end + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon || (size_t)(colon - addr) >= hlen || memchr(addr, ':', colon - addr))
			return -EINVAL;
		snprintf(host, hlen, "%.*s", (int)(colon - addr), addr);
	}
	if (!colon[1] || strlen(colon + 1) >= plen || strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return -EINVAL;
	snprintf(port, plen, "%s", colon + 1);
	return 0;
}

int http_check_address(const char *addr)
{
	char host[256], port[16];

	return split_address(addr, host, sizeof(host), port, sizeof(port));
}

/* Binds ourselves so "address in use" is reported as such, not as a generic MHD failure. An
 * empty host listens on IPv6 and IPv4 when the host has IPv6, else on IPv4. */
static int bind_listen(const char *addr)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *res, *ai;
	char host[256], port[16];
	int fd = -1, one = 1, zero = 0, err, gai;

	if (split_address(addr, host, sizeof(host), port, sizeof(port))) {
		log_err("--web.listen-address '%s': expected HOST:PORT, :PORT or [V6ADDR]:PORT", addr);
		return -EINVAL;
	}
	hints.ai_family = host[0] ? AF_UNSPEC : AF_INET6;
	gai = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (gai == EAI_FAMILY || gai == EAI_ADDRFAMILY || gai == EAI_NONAME) {
		hints.ai_family = AF_INET;
		gai = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	}
	if (gai) {
		log_err("--web.listen-address '%s': %s", addr, gai_strerror(gai));
		return -EINVAL;
	}
	err = -EADDRNOTAVAIL;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = -errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6 && !host[0])
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0)
			break;
		err = -errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		log_err("cannot listen on %s: %s", addr, strerror(-err));
		return err;
	}
	return fd;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *text,
				 const char *ctype)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_metrics(struct MHD_Connection *c)
{
	const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	bool gz = accepts_gzip(ae);
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *body;
	size_t len;
	int err;

	err = render_fn(gz, &body, &len);
	if (err) {
		log_warn("scrape failed: %s", strerror(-err));
		return send_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "scrape failed\n", "text/plain");
	}
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE_METRICS);
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (gz)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	(void)cls, (void)version, (void)upload, (void)state;

	/* Answer at the first call, before any body is read: jvmtap takes no uploads. */
	*upload_size = 0;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return send_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", "text/plain");
	if (!strcmp(url, cfg.telemetry_path))
		return send_metrics(c);
	if (!strcmp(url, "/"))
		return send_text(c, MHD_HTTP_OK, landing, "text/html; charset=utf-8");
	if (!strcmp(url, "/-/healthy"))
		return send_text(c, MHD_HTTP_OK, "Healthy\n", "text/plain");
	if (!strcmp(url, "/-/ready"))
		return atomic_load(&ready) ?
			       send_text(c, MHD_HTTP_OK, "Ready\n", "text/plain") :
			       send_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "Not ready\n", "text/plain");
	return send_text(c, MHD_HTTP_NOT_FOUND, "not found\n", "text/plain");
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	log_debug("http: %s", line);
}

int http_start(http_render_fn render)
{
	render_fn = render;
	/* The telemetry path is checked by args.c to be a plain '/'-prefixed path, safe in HTML. */
	snprintf(landing, sizeof(landing),
		 "<!DOCTYPE html>\n<html><head><title>jvmtap</title></head><body>\n"
		 "<h1>jvmtap</h1>\n<p>Zero-instrumentation metrics for JVMs and containers.</p>\n"
		 "<ul><li><a href=\"%s\">Metrics</a></li>\n"
		 "<li><a href=\"/-/healthy\">Health</a></li><li><a href=\"/-/ready\">Readiness</a></li></ul>\n"
		 "</body></html>\n",
		 cfg.telemetry_path);
	listen_fd = bind_listen(cfg.listen_address);
	if (listen_fd < 0)
		return listen_fd;
	daemon_ = MHD_start_daemon(MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
				   on_request, NULL,
				   /* first, so every later message goes through it */
				   MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				   MHD_OPTION_LISTEN_SOCKET, listen_fd,
				   MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg.web_max_connections,
				   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg.web_timeout_s,
				   MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
				   MHD_OPTION_END);
	if (!daemon_) {
		log_err("cannot start the HTTP server on %s", cfg.listen_address);
		close(listen_fd);
		listen_fd = -1;
		return -EIO;
	}
	log_info("serving %s on %s", cfg.telemetry_path, cfg.listen_address);
	return 0;
}

void http_stop(void)
{
	if (daemon_)
		MHD_stop_daemon(daemon_);
	daemon_ = NULL;
	if (listen_fd >= 0)
		close(listen_fd);
	listen_fd = -1;
}
