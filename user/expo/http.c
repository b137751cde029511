/* The one place that talks HTTP: libmicrohttpd serving metrics, health and a landing page. */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include "accept.h"
#include "args.h"
#include "auth.h"
#include "config.h"
#include "gzip.h"
#include "http.h"
#include "log.h"
#include "webconfig.h"

/* By format (enum w_format); the request's Accept header chooses (user/parse/accept.c). */
static const char *const content_type[] = {
	[W_TEXT] = "text/plain; version=0.0.4; charset=utf-8",
	[W_OPENMETRICS] = "application/openmetrics-text; version=1.0.0; charset=utf-8",
};
/* One server thread per scrape allowed at once, and one more to answer health checks and the
 * 503s beyond: a bcrypt check or a render on one thread does not stall the others. */
#define POOL_THREADS (cfg.web_max_requests + 1)
#define AUTH_REALM "Basic realm=\"jvmtap\", charset=\"UTF-8\""

static struct MHD_Daemon *daemon_;
static http_render_fn render_fn;
static atomic_bool ready;
static int listen_fd = -1;
static char landing[1024];

/* --web.config.file as last loaded: read by request threads, replaced on reload. */
static pthread_rwlock_t wc_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct web_config wc;

/* The last render of each format, shared by the scrapes of that format that arrive while it
 * runs or within --web.render-interval of its start. */
static pthread_mutex_t page_lock = PTHREAD_MUTEX_INITIALIZER;
static struct page {
	char *plain, *gz;
	size_t plain_len, gz_len;
	double started; /* CLOCK_MONOTONIC seconds; 0: none yet */
} pages[2];
static atomic_uint inflight;
static atomic_ullong rejected[HTTP_REJECT__N];

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

unsigned long long http_rejected(enum http_reject why)
{
	return why < HTTP_REJECT__N ? atomic_load(&rejected[why]) : 0;
}

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
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, AUTH_REALM);
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A copy of the current page of a format (rendering it first unless a fresh one is there);
 * 0 or -errno. */
static int get_page(enum w_format format, bool gz, double arrived, char **body, size_t *len)
{
	double interval = cfg.web_render_interval_ms / 1000.0;
	struct page *pg = &pages[format];
	int err = 0;

	pthread_mutex_lock(&page_lock);
	/* Fresh: started after this request arrived (it waited for that render), or within
	 * the render interval. */
	if (!pg->started || !(pg->started >= arrived ||
			       (interval > 0 && arrived - pg->started < interval))) {
		char *plain;
		size_t n;
		double started = mono();

		err = render_fn(format, &plain, &n);
		if (!err) {
			free(pg->plain);
			free(pg->gz);
			pg->plain = plain;
			pg->plain_len = n;
			pg->gz = NULL;
			pg->started = started;
		}
	}
	if (!err && gz && !pg->gz)
		err = gzip_compress(pg->plain, pg->plain_len, &pg->gz, &pg->gz_len);
	if (!err) {
		const char *src = gz ? pg->gz : pg->plain;

		*len = gz ? pg->gz_len : pg->plain_len;
		*body = malloc(*len ? *len : 1);
		if (*body)
			memcpy(*body, src, *len);
		else
			err = -ENOMEM;
	}
	pthread_mutex_unlock(&page_lock);
	return err;
}

static enum MHD_Result send_metrics(struct MHD_Connection *c)
{
	const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	enum w_format format = accept_format(accept) == ACCEPT_OPENMETRICS ? W_OPENMETRICS : W_TEXT;
	bool gz = accepts_gzip(ae);
	double arrived = mono();
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *body;
	size_t len;
	int err;

	if (atomic_fetch_add(&inflight, 1) >= cfg.web_max_requests) {
		atomic_fetch_sub(&inflight, 1);
		atomic_fetch_add(&rejected[HTTP_REJECT_BUSY], 1);
		return send_text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
				 "too many scrapes at once (--web.max-requests)\n", "text/plain");
	}
	err = get_page(format, gz, arrived, &body, &len);
	atomic_fetch_sub(&inflight, 1);
	if (err) {
		log_warn("scrape failed: %s", strerror(-err));
		return send_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "scrape failed\n", "text/plain");
	}
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type[format]);
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept, Accept-Encoding");
	if (gz)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* The TLS client certificate as client_auth_type wants it (wc_lock held). */
static bool client_cert_ok(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	const gnutls_datum_t *certs;
	gnutls_session_t s;
	unsigned n = 0, status = 0;

	if (!wc.tls || wc.client_auth == CLIENT_AUTH_NONE || wc.client_auth == CLIENT_AUTH_REQUEST)
		return true;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	s = ci ? (gnutls_session_t)ci->tls_session : NULL;
	certs = s ? gnutls_certificate_get_peers(s, &n) : NULL;
	if (!certs || !n)
		return wc.client_auth == CLIENT_AUTH_VERIFY_IF_GIVEN;
	if (wc.client_auth == CLIENT_AUTH_REQUIRE_ANY)
		return true;
	return gnutls_certificate_verify_peers2(s, &status) == 0 && status == 0;
}

/* Basic auth when users are configured (wc_lock held). */
static bool authorized(struct MHD_Connection *c)
{
	const char *h;
	char user[256], pass[256];
	bool ok;

	if (!wc.nusers)
		return true;
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (auth_parse_basic(h, user, sizeof(user), pass, sizeof(pass)))
		return false;
	ok = auth_check(&wc, user, pass);
	explicit_bzero(pass, sizeof(pass));
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	bool cert_ok, auth_ok;

	(void)cls, (void)version, (void)upload, (void)state;

	/* Answer at the first call, before any body is read: jvmtap takes no uploads. */
	*upload_size = 0;
	pthread_rwlock_rdlock(&wc_lock);
	cert_ok = client_cert_ok(c);
	auth_ok = cert_ok && authorized(c);
	pthread_rwlock_unlock(&wc_lock);
	if (!cert_ok) {
		atomic_fetch_add(&rejected[HTTP_REJECT_CLIENT_CERT], 1);
		return send_text(c, MHD_HTTP_FORBIDDEN, "a valid client certificate is required\n",
				 "text/plain");
	}
	if (!auth_ok) {
		atomic_fetch_add(&rejected[HTTP_REJECT_AUTH], 1);
		return send_text(c, MHD_HTTP_UNAUTHORIZED, "unauthorized\n", "text/plain");
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		atomic_fetch_add(&rejected[HTTP_REJECT_METHOD], 1);
		return send_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", "text/plain");
	}
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

static const char *priorities(const struct web_config *c)
{
	if (c->min_version == 13)
		return "NORMAL:-VERS-ALL:+VERS-TLS1.3";
	if (c->max_version == 12)
		return "NORMAL:-VERS-ALL:+VERS-TLS1.2";
	return "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
}

/* Starts libmicrohttpd on listen_fd with wc's TLS settings (wc_lock held or not yet shared).
 * poll(), not epoll: libmicrohttpd 0.9.75's MHD_quiesce_daemon() takes the listening socket out
 * of each pool thread's epoll set while those threads may be doing the same (they do at the
 * connection limit), and aborts the process when the second removal fails ("Failed to remove
 * listen FD from epoll set"): a SIGHUP reload, which quiesces to keep the socket, died within
 * 46 to 274 reloads at the limit. With poll() a quiesce only signals the threads. A metrics
 * endpoint's few connections cost poll() nothing that epoll would save. */
static struct MHD_Daemon *start_daemon(void)
{
	unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem tls[5], *t = tls;

	if (wc.tls) {
		flags |= MHD_USE_TLS;
		*t++ = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, wc.cert_pem };
		*t++ = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, wc.key_pem };
		*t++ = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)priorities(&wc) };
		if (wc.ca_pem)
			*t++ = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0, wc.ca_pem };
	}
	*t = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
				/* first, so every later message goes through it */
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_LISTEN_SOCKET, listen_fd,
				MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)POOL_THREADS,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg.web_max_connections,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)cfg.web_max_conn_per_ip,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg.web_timeout_s,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
				MHD_OPTION_ARRAY, tls,
				MHD_OPTION_END);
}

static void describe(const struct web_config *c)
{
	if (c->tls)
		log_info("web config: TLS 1.%d-1.%d, client certificates: %s; basic auth: %zu user(s)",
			 c->min_version - 10, c->max_version - 10, client_auth_name(c->client_auth),
			 c->nusers);
	else
		log_info("web config: plain HTTP; basic auth: %zu user(s)", c->nusers);
}

int http_start(http_render_fn render)
{
	int err;

	render_fn = render;
	/* The telemetry path is checked by args.c to be a plain '/'-prefixed path, safe in HTML. */
	snprintf(landing, sizeof(landing),
		 "<!DOCTYPE html>\n<html><head><title>jvmtap</title></head><body>\n"
		 "<h1>jvmtap</h1>\n<p>Zero-instrumentation metrics for JVMs and containers.</p>\n"
		 "<ul><li><a href=\"%s\">Metrics</a></li>\n"
		 "<li><a href=\"/-/healthy\">Health</a></li><li><a href=\"/-/ready\">Readiness</a></li></ul>\n"
		 "</body></html>\n",
		 cfg.telemetry_path);
	if (cfg.web_config_file) {
		if ((err = webconfig_load(cfg.web_config_file, &wc))) {
			log_err("--web.config.file %s: %s", cfg.web_config_file, wc.err);
			webconfig_free(&wc);
			return err;
		}
		if ((err = auth_init(&wc))) {
			log_err("--web.config.file %s: cannot prepare bcrypt: %s", cfg.web_config_file,
				strerror(-err));
			return err;
		}
		if (wc.tls && !MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			log_err("--web.config.file %s: this libmicrohttpd has no TLS support",
				cfg.web_config_file);
			return -ENOTSUP;
		}
		describe(&wc);
	}
	listen_fd = bind_listen(cfg.listen_address);
	if (listen_fd < 0)
		return listen_fd;
	daemon_ = start_daemon();
	if (!daemon_) {
		log_err("cannot start the HTTP server on %s", cfg.listen_address);
		close(listen_fd);
		listen_fd = -1;
		return -EIO;
	}
	log_info("serving %s on %s%s", cfg.telemetry_path, cfg.listen_address,
		 wc.tls ? " (TLS)" : "");
	return 0;
}

/* Stops the server, leaving the listening socket open (connections queue in its backlog). */
static void stop_daemon(void)
{
	if (daemon_) {
		/* Quiesced first so libmicrohttpd leaves closing the socket to us. */
		MHD_quiesce_daemon(daemon_);
		MHD_stop_daemon(daemon_);
	}
	daemon_ = NULL;
}

int http_reload(void)
{
	struct web_config next, old;

	if (!cfg.web_config_file || !daemon_)
		return 0;
	if (webconfig_load(cfg.web_config_file, &next)) {
		log_err("--web.config.file %s: %s; keeping the configuration in use",
			cfg.web_config_file, next.err);
		webconfig_free(&next);
		return -EINVAL;
	}
	/* Connections in flight are closed; those that arrive meanwhile wait in the backlog. */
	stop_daemon();
	pthread_rwlock_wrlock(&wc_lock);
	old = wc;
	wc = next;
	daemon_ = start_daemon();
	if (!daemon_) {
		log_err("--web.config.file %s: the HTTP server does not start with it; keeping the "
			"configuration in use", cfg.web_config_file);
		next = wc;
		wc = old;
		old = next;
		daemon_ = start_daemon();
	}
	/* Under the write lock: request threads read the dummy hash under the read lock. */
	if (auth_init(&wc))
		log_warn("web config: bcrypt dummy hash not renewed");
	pthread_rwlock_unlock(&wc_lock);
	webconfig_free(&old);
	if (!daemon_) {
		log_err("the HTTP server could not be restarted");
		return -EIO;
	}
	describe(&wc);
	return 0;
}

int http_restart(void)
{
	if (!daemon_)
		return 0;
	stop_daemon();
	pthread_rwlock_rdlock(&wc_lock);
	daemon_ = start_daemon();
	pthread_rwlock_unlock(&wc_lock);
	if (!daemon_) {
		log_err("the HTTP server could not be restarted");
		return -EIO;
	}
	return 0;
}

void http_stop(void)
{
	/* Not quiesced at exit: nothing needs the socket after, and MHD_stop_daemon() alone stops
	 * the threads first and closes it itself (a quiesce raced the threads in epoll mode: see
	 * start_daemon()). */
	if (daemon_) {
		MHD_stop_daemon(daemon_);
		daemon_ = NULL;
		listen_fd = -1;
	}
	if (listen_fd >= 0)
		close(listen_fd);
	listen_fd = -1;
	pthread_rwlock_wrlock(&wc_lock);
	webconfig_free(&wc);
	pthread_rwlock_unlock(&wc_lock);
	auth_exit();
	pthread_mutex_lock(&page_lock);
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		free(pages[i].plain);
		free(pages[i].gz);
	}
	memset(pages, 0, sizeof(pages));
	pthread_mutex_unlock(&page_lock);
}

/* ---- its flags ---- */

enum {
	OPT_LISTEN = 1100,
	OPT_TPATH,
	OPT_MAXCONN,
	OPT_TIMEOUT,
	OPT_WEBCONFIG,
	OPT_PERIP,
	OPT_MAXREQ,
	OPT_RENDERINT,
};

static const struct argp_option web_options[] = {
	{ "web.listen-address", OPT_LISTEN, "ADDR", 0, "Address to listen on (default :9877; [::1]:9877 for IPv6)", 0 },
	{ "web.telemetry-path", OPT_TPATH, "PATH", 0, "Path of the metrics (default /metrics)", 0 },
	{ "web.max-connections", OPT_MAXCONN, "N", 0, "Concurrent HTTP connections (default 64)", 0 },
	{ "web.timeout", OPT_TIMEOUT, "SECONDS", 0, "Idle HTTP connection timeout (default 10)", 0 },
	{ "web.config.file", OPT_WEBCONFIG, "FILE", 0, "TLS and basic auth (exporter-toolkit format); re-read on SIGHUP", 0 },
	{ "web.max-connections-per-ip", OPT_PERIP, "N", 0, "Concurrent connections from one address (default 32, 0 = no limit)", 0 },
	{ "web.max-requests", OPT_MAXREQ, "N", 0, "Scrapes rendering or waiting at once, 1..64; more get 503 (default 4)", 0 },
	{ "web.render-interval", OPT_RENDERINT, "DURATION", 0, "Serve scrapes within this long of a render from it (default 0: concurrent scrapes share one render)", 0 },
	{ 0 },
};

static error_t parse_web(int key, char *arg, struct argp_state *st)
{
	switch (key) {
	case OPT_LISTEN:
		if (http_check_address(arg))
			argp_error(st, "--web.listen-address '%s': expected HOST:PORT, :PORT or [V6ADDR]:PORT", arg);
		cfg.listen_address = arg;
		break;
	case OPT_TPATH:
		if (arg[0] != '/' || !strcmp(arg, "/"))
			argp_error(st, "--web.telemetry-path must start with '/' and not be '/'");
		cfg.telemetry_path = arg;
		break;
	case OPT_MAXCONN:
		if (flag_uint(arg, 1, 65535, &cfg.web_max_connections))
			argp_error(st, "--web.max-connections: '%s' is not a number in 1..65535", arg);
		break;
	case OPT_TIMEOUT:
		if (flag_uint(arg, 1, 3600, &cfg.web_timeout_s))
			argp_error(st, "--web.timeout: '%s' is not a number of seconds in 1..3600", arg);
		break;
	case OPT_WEBCONFIG:
		cfg.web_config_file = arg;
		break;
	case OPT_PERIP:
		if (flag_uint(arg, 0, 65535, &cfg.web_max_conn_per_ip))
			argp_error(st, "--web.max-connections-per-ip: '%s' is not a number in 0..65535", arg);
		break;
	case OPT_MAXREQ:
		if (flag_uint(arg, 1, 64, &cfg.web_max_requests))
			argp_error(st, "--web.max-requests: '%s' is not a number in 1..64", arg);
		break;
	case OPT_RENDERINT:
		if (flag_millis(arg, 0, 3600000, &cfg.web_render_interval_ms))
			argp_error(st, "--web.render-interval: '%s' is not a duration in 0..1h (0, 500ms, 2s)", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp http_argp = { web_options, parse_web, NULL, NULL, NULL, NULL, NULL };
