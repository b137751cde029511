/* Basic auth: header parsing, bcrypt through crypt_r(), a cache of verified pairs. */
#include <crypt.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include "auth.h"

#define CACHE_SLOTS 64
#define DIGEST 32

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char salt[32];
static unsigned char cache[CACHE_SLOTS][DIGEST];
static unsigned cache_used, cache_next;
static char dummy[64];

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Strict RFC 4648 base64 with padding; out gets NUL-terminated. Returns the length or -1. */
static long b64_decode(const char *in, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;
	int k;

	if (n % 4)
		return -1;
	for (i = 0; i < n; i += 4) {
		int v[4];
		int pad = 0;

		for (k = 0; k < 4; k++) {
			if (in[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
			} else if (pad || (v[k] = b64_value((unsigned char)in[i + k])) < 0) {
				return -1;
			}
		}
		if (o + 3 - pad >= cap)
			return -1;
		out[o++] = (char)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			out[o++] = (char)((v[1] & 15) << 4 | v[2] >> 2);
		if (pad < 1)
			out[o++] = (char)((v[2] & 3) << 6 | v[3]);
	}
	out[o] = '\0';
	return (long)o;
}

int auth_parse_basic(const char *header, char *user, size_t ulen, char *pass, size_t plen)
{
	char buf[1024], *colon;
	const char *p;
	long n;
	size_t len;

	if (!header || strncasecmp(header, "Basic ", 6))
		return -EINVAL;
	for (p = header + 6; *p == ' '; p++)
		;
	len = strcspn(p, " \t");
	if (!len || p[len])
		return -EINVAL;
	n = b64_decode(p, len, buf, sizeof(buf));
	if (n < 0 || memchr(buf, '\0', (size_t)n) || !(colon = strchr(buf, ':')))
		goto bad;
	*colon = '\0';
	if (strlen(buf) >= ulen || strlen(colon + 1) >= plen)
		goto bad;
	strcpy(user, buf);
	strcpy(pass, colon + 1);
	explicit_bzero(buf, sizeof(buf));
	return 0;
bad:
	explicit_bzero(buf, sizeof(buf));
	return -EINVAL;
}

int auth_init(const struct web_config *c)
{
	char setting[64];
	struct crypt_data *cd;
	const char *h;
	unsigned long cost = 4;
	size_t i;

	for (i = 0; c && i < c->nusers; i++) {
		unsigned long k = strtoul(c->users[i].hash + 4, NULL, 10);

		cost = k > cost ? k : cost;
	}
	if (gnutls_rnd(GNUTLS_RND_KEY, salt, sizeof(salt)))
		return -EIO;
	cd = calloc(1, sizeof(*cd));
	if (!cd || !crypt_gensalt_rn("$2b$", cost, NULL, 0, setting, sizeof(setting))) {
		free(cd);
		return -ENOMEM;
	}
	h = crypt_r("jvmtap-no-such-user", setting, cd);
	if (!h || h[0] != '$') {
		free(cd);
		return -EINVAL;
	}
	pthread_mutex_lock(&lock);
	snprintf(dummy, sizeof(dummy), "%s", h);
	memset(cache, 0, sizeof(cache));
	cache_used = cache_next = 0;
	pthread_mutex_unlock(&lock);
	free(cd);
	return 0;
}

void auth_exit(void)
{
	pthread_mutex_lock(&lock);
	explicit_bzero(cache, sizeof(cache));
	cache_used = cache_next = 0;
	pthread_mutex_unlock(&lock);
}

/* SHA-256(salt, user, 0, pass, 0, hash): ties a remembered pair to this process and this hash. */
static int digest_of(const char *user, const char *pass, const char *hash, unsigned char *out)
{
	size_t lu = strlen(user), lp = strlen(pass), lh = strlen(hash), n = sizeof(salt) + lu + lp + lh + 2;
	unsigned char *buf = malloc(n);
	int err;

	if (!buf)
		return -1;
	memcpy(buf, salt, sizeof(salt));
	memcpy(buf + sizeof(salt), user, lu + 1);
	memcpy(buf + sizeof(salt) + lu + 1, pass, lp + 1);
	memcpy(buf + sizeof(salt) + lu + lp + 2, hash, lh);
	err = gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, n, out);
	explicit_bzero(buf, n);
	free(buf);
	return err ? -1 : 0;
}

static bool equal_ct(const char *a, const char *b, size_t n)
{
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return d == 0;
}

bool auth_check(const struct web_config *c, const char *user, const char *pass)
{
	const char *hash = dummy, *out;
	unsigned char dg[DIGEST];
	struct crypt_data *cd;
	bool known = false, ok = false, have_dg;
	size_t i;

	/* Every name is compared, so where a match is does not show in the time. */
	for (i = 0; c && i < c->nusers; i++) {
		size_t a = strlen(c->users[i].name), b = strlen(user);
		bool m = a == b && equal_ct(c->users[i].name, user, a);

		if (m && !known) {
			hash = c->users[i].hash;
			known = true;
		}
	}
	have_dg = known && digest_of(user, pass, hash, dg) == 0;
	if (have_dg) {
		pthread_mutex_lock(&lock);
		for (i = 0; i < cache_used && !ok; i++)
			ok = equal_ct((const char *)cache[i], (const char *)dg, DIGEST);
		pthread_mutex_unlock(&lock);
		if (ok)
			return true;
	}
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return false;
	out = crypt_r(pass, hash, cd);
	ok = known && out && strlen(out) == strlen(hash) && equal_ct(out, hash, strlen(hash));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	if (ok && have_dg) {
		pthread_mutex_lock(&lock);
		memcpy(cache[cache_next], dg, DIGEST);
		cache_next = (cache_next + 1) % CACHE_SLOTS;
		if (cache_used < CACHE_SLOTS)
			cache_used++;
		pthread_mutex_unlock(&lock);
	}
	return ok;
}
