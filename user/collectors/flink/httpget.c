/* One HTTP GET to a JobManager (httpget.h): a socket made in the JobManager's network
 * namespace, plain TCP or TLS (GnuTLS) under one deadline, the answer read up to the limits and
 * parsed by httpresp.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include "httpget.h"
#include "httpresp.h"
#include "sockets.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* A socket made in pid's network namespace (the caller's thread enters it for the socket()
 * call and comes back): a pod's REST bound to its loopback, or to an address no route from the
 * host reaches, is reached the same way. */
static int socket_in(pid_t pid, int family)
{
	uint64_t netns = flink_netns_of(pid);
	char path[PATH_MAX];
	int target, self, fd, err;
	struct stat b;

	if (!netns || stat("/proc/thread-self/ns/net", &b))
		return -errno;
	if (netns == (uint64_t)b.st_ino) {
		fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	snprintf(path, sizeof(path), "%s/%d/ns/net", cfg.procfs, pid);
	target = open(path, O_RDONLY | O_CLOEXEC);
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (target < 0 || self < 0) {
		err = -errno;
		goto out;
	}
	if (setns(target, CLONE_NEWNET)) {
		err = -errno;
		goto out;
	}
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	err = fd < 0 ? -errno : fd;
	if (setns(self, CLONE_NEWNET)) {
		/* Stuck in another namespace: this thread must not go on. */
		if (fd >= 0)
			close(fd);
		err = -EIO;
	}
out:
	if (target >= 0)
		close(target);
	if (self >= 0)
		close(self);
	return err;
}

static int wait_fd(int fd, short ev, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = ev };
	long long left = deadline - now_ms();
	int r;

	if (left <= 0)
		return -ETIMEDOUT;
	r = poll(&p, 1, (int)left);
	return r > 0 ? 0 : r == 0 ? -ETIMEDOUT : -errno;
}

int flink_tls_open(const char *ca_file, const char *cert_file, const char *key_file, void **out,
		   const char **why)
{
	gnutls_certificate_credentials_t c;
	int r;

	*out = NULL;
	*why = NULL;
	if (!!cert_file != !!key_file) {
		*why = "a client certificate needs its key and a key its certificate";
		return -EINVAL;
	}
	if ((r = gnutls_certificate_allocate_credentials(&c))) {
		*why = gnutls_strerror(r);
		return -ENOMEM;
	}
	if (ca_file && (r = gnutls_certificate_set_x509_trust_file(c, ca_file, GNUTLS_X509_FMT_PEM)) <= 0) {
		*why = r ? gnutls_strerror(r) : "no certificate in the CA file";
		gnutls_certificate_free_credentials(c);
		return -EINVAL;
	}
	if (!ca_file && (r = gnutls_certificate_set_x509_system_trust(c)) < 0) {
		*why = gnutls_strerror(r);
		gnutls_certificate_free_credentials(c);
		return -EINVAL;
	}
	if (cert_file && (r = gnutls_certificate_set_x509_key_file(c, cert_file, key_file,
								   GNUTLS_X509_FMT_PEM)) < 0) {
		*why = gnutls_strerror(r);
		gnutls_certificate_free_credentials(c);
		return -EINVAL;
	}
	*out = c;
	return 0;
}

/* Credentials that trust nothing: a handshake with them shows whether a port speaks TLS
 * (it fails at the certificate) when no --flink.rest.* credentials are given. */
void *flink_tls_probe(void)
{
	static gnutls_certificate_credentials_t none;

	if (!none && gnutls_certificate_allocate_credentials(&none))
		none = NULL;
	return none;
}

void flink_tls_close(void *tls)
{
	if (tls)
		gnutls_certificate_free_credentials(tls);
}

/* One connection: the socket, and the TLS session over it when the endpoint needs one. */
struct conn {
	int fd;
	gnutls_session_t tls;
};

/* Waits for what the TLS session wants next (a read or a write of the socket). */
static int wait_tls(struct conn *c, long long deadline)
{
	return wait_fd(c->fd, gnutls_record_get_direction(c->tls) ? POLLOUT : POLLIN, deadline);
}

/* The handshake, under the request's deadline; the chain is verified against the CA (and
 * the name, when --flink.rest.server-name gives one). */
static int tls_start(struct conn *c, const struct flink_limits *lim, long long deadline)
{
	int r;

	if (gnutls_init(&c->tls, GNUTLS_CLIENT | GNUTLS_NONBLOCK) ||
	    gnutls_set_default_priority(c->tls) ||
	    gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, lim->tls))
		return -ENOMEM;
	if (lim->tls_server_name)
		gnutls_server_name_set(c->tls, GNUTLS_NAME_DNS, lim->tls_server_name,
				       strlen(lim->tls_server_name));
	gnutls_session_set_verify_cert(c->tls, lim->tls_server_name, 0);
	gnutls_transport_set_int(c->tls, c->fd);
	while ((r = gnutls_handshake(c->tls)) < 0) {
		/* -EPROTO: a TLS server that refused us or that we refused (its certificate, an
		 * alert); -EBADMSG: not TLS at all */
		if (r == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR || r == GNUTLS_E_FATAL_ALERT_RECEIVED ||
		    r == GNUTLS_E_CERTIFICATE_ERROR)
			return -EPROTO;
		if (gnutls_error_is_fatal(r))
			return -EBADMSG;
		if ((r = wait_tls(c, deadline)))
			return r;
	}
	return 0;
}

/* send()/recv() on the plain socket or through TLS: bytes moved, 0 at the end of the
 * stream (recv), -EAGAIN to wait for the direction wait_io() waits for, or -errno. */
static ssize_t io_send(struct conn *c, const char *b, size_t n)
{
	ssize_t k;

	if (!c->tls) {
		k = send(c->fd, b, n, MSG_NOSIGNAL);
		return k < 0 ? -errno : k;
	}
	k = gnutls_record_send(c->tls, b, n);
	return k >= 0 ? k : k == GNUTLS_E_AGAIN || k == GNUTLS_E_INTERRUPTED ? -EAGAIN : -EPROTO;
}

static ssize_t io_recv(struct conn *c, char *b, size_t n)
{
	ssize_t k;

	if (!c->tls) {
		k = recv(c->fd, b, n, 0);
		return k < 0 ? -errno : k;
	}
	k = gnutls_record_recv(c->tls, b, n);
	/* A peer that closes without close_notify ends the stream as a plain one would: the
	 * HTTP parser decides whether the answer was whole. */
	if (k == GNUTLS_E_PREMATURE_TERMINATION)
		return 0;
	return k >= 0 ? k : k == GNUTLS_E_AGAIN || k == GNUTLS_E_INTERRUPTED ? -EAGAIN : -EPROTO;
}

static int wait_io(struct conn *c, short plain_ev, long long deadline)
{
	return c->tls ? wait_tls(c, deadline) : wait_fd(c->fd, plain_ev, deadline);
}

int flink_get(pid_t pid, const struct flink_endpoint *ep, const char *path,
	      const struct flink_limits *lim, char **body, size_t *blen, enum flink_err *why)
{
	long long deadline = now_ms() + lim->timeout_ms;
	struct sockaddr_storage sa = { 0 };
	char req[1024], host[64], *buf = NULL, *nb;
	size_t len = 0, cap = 0, sent = 0, n;
	struct httpresp r;
	enum httpresp_err e = HTTPRESP_INCOMPLETE;
	socklen_t salen;
	bool eof = false;
	struct conn c = { -1, NULL };
	int fd, err = 0, soerr;
	ssize_t k;

	if (ep->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(ep->port);
		memcpy(&s6->sin6_addr, ep->addr, 16);
		salen = sizeof(*s6);
		inet_ntop(AF_INET6, ep->addr, host + 1, sizeof(host) - 2);
		host[0] = '[';
		strcat(host, "]");
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(ep->port);
		memcpy(&s4->sin_addr, ep->addr, 4);
		salen = sizeof(*s4);
		inet_ntop(AF_INET, ep->addr, host, sizeof(host));
	}
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: %s:%u\r\nAccept: application/json\r\n"
		     "User-Agent: jvmtap\r\nConnection: close\r\n\r\n",
		     path, host, ep->port);
	if (n >= sizeof(req)) {
		*why = FLINK_ERR_HTTP;
		return -EINVAL;
	}
	fd = socket_in(pid, ep->family);
	if (fd < 0) {
		*why = FLINK_ERR_CONNECT;
		return fd;
	}
	c.fd = fd;
	if (connect(fd, (struct sockaddr *)&sa, salen) && errno != EINPROGRESS) {
		err = -errno;
		*why = FLINK_ERR_CONNECT;
		goto out;
	}
	if ((err = wait_fd(fd, POLLOUT, deadline))) {
		*why = err == -ETIMEDOUT ? FLINK_ERR_TIMEOUT : FLINK_ERR_CONNECT;
		goto out;
	}
	salen = sizeof(soerr);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &salen) || soerr) {
		err = -(soerr ? soerr : errno);
		*why = FLINK_ERR_CONNECT;
		goto out;
	}
	if (ep->tls && (err = tls_start(&c, lim, deadline))) {
		*why = err == -ETIMEDOUT ? FLINK_ERR_TIMEOUT : err == -EPROTO ? FLINK_ERR_TLS :
		       FLINK_ERR_HTTP;
		goto out;
	}
	while (sent < n) {
		k = io_send(&c, req + sent, n - sent);
		if (k > 0) {
			sent += k;
			continue;
		}
		if (k < 0 && k != -EAGAIN) {
			err = (int)k;
			*why = c.tls ? FLINK_ERR_TLS : FLINK_ERR_CONNECT;
			goto out;
		}
		if ((err = wait_io(&c, POLLOUT, deadline))) {
			*why = FLINK_ERR_TIMEOUT;
			goto out;
		}
	}
	while (!eof) {
		if (len == cap) {
			if (cap >= lim->max_response) {
				err = -EFBIG;
				*why = FLINK_ERR_TOO_LARGE;
				goto out;
			}
			cap = cap ? cap * 2 : 16384;
			if (cap > lim->max_response)
				cap = lim->max_response;
			if (!(nb = realloc(buf, cap + 1))) {
				err = -ENOMEM;
				*why = FLINK_ERR_HTTP;
				goto out;
			}
			buf = nb;
		}
		k = io_recv(&c, buf + len, cap - len);
		if (k == -EAGAIN) {
			if ((err = wait_io(&c, POLLIN, deadline))) {
				*why = FLINK_ERR_TIMEOUT;
				goto out;
			}
			continue;
		}
		if (k < 0) {
			err = (int)k;
			*why = c.tls ? FLINK_ERR_TLS : FLINK_ERR_CONNECT;
			goto out;
		}
		if (k == 0)
			eof = true;
		len += k;
		/* A TLS server answers a plain request with an alert record (0x15 0x03). */
		if (!c.tls && len >= 2 && (unsigned char)buf[0] == 0x15 && buf[1] == 0x03) {
			err = -EPROTO;
			*why = FLINK_ERR_TLS;
			goto out;
		}
		e = httpresp_parse(buf, len, eof, &r);
		if (e != HTTPRESP_INCOMPLETE)
			break;
	}
	if (e != HTTPRESP_OK || r.status != 200) {
		err = -EPROTO;
		*why = FLINK_ERR_HTTP;
		goto out;
	}
	memmove(buf, r.body, r.body_len);
	buf[r.body_len] = '\0';
	*body = buf;
	*blen = r.body_len;
	buf = NULL;
out:
	if (c.tls)
		gnutls_deinit(c.tls);
	close(fd);
	free(buf);
	return err;
}
