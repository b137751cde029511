/* The exposition writer (text 0.0.4 or OpenMetrics 1.0.0): a growable buffer per render with a
 * sticky error. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"
#include "writer.h"

#define W_MIN_CAP	4096
#define W_FAM_MIN	64
/* 2^(i+1) * unit overflows a double for any unit > 0 before this, see w_log2_histogram() */
#define W_LOG2_MAX	2200

/* A family started in this render; its name points into buf, which only grows until reset. */
struct fam_slot {
	uint64_t hash;
	size_t off;
	size_t len;	/* 0: free slot */
};

struct writer {
	char *buf;
	size_t len;
	size_t cap;
	size_t limit;
	int err;
	struct fam_slot *fam;
	size_t fam_cap;	/* power of two */
	size_t fam_used;
	w_sink_fn sink;
	void *sink_arg;
	enum w_format format;
	int in_counter;	/* the last w_family() was a counter (OpenMetrics: no NaN totals) */
};

struct writer *writer_new(void)
{
	return calloc(1, sizeof(struct writer));
}

void writer_free(struct writer *w)
{
	if (!w)
		return;
	free(w->buf);
	free(w->fam);
	free(w);
}

void writer_reset(struct writer *w)
{
	if (!w)
		return;
	w->len = 0;
	if (w->buf)
		w->buf[0] = '\0';
	w->err = 0;
	if (w->fam)
		memset(w->fam, 0, w->fam_cap * sizeof(*w->fam));
	w->fam_used = 0;
}

const char *writer_data(const struct writer *w, size_t *len)
{
	if (!w || w->err || !w->buf) {
		if (len)
			*len = 0;
		return "";
	}
	if (len)
		*len = w->len;
	return w->buf;
}

int writer_failed(const struct writer *w)
{
	if (!w)
		return ENOMEM;
	return w->err;
}

void writer_set_limit(struct writer *w, size_t max_bytes)
{
	if (w)
		w->limit = max_bytes;
}

void writer_set_format(struct writer *w, enum w_format format)
{
	if (w)
		w->format = format == W_OPENMETRICS ? W_OPENMETRICS : W_TEXT;
}

enum w_format writer_format(const struct writer *w)
{
	return w ? w->format : W_TEXT;
}

/* Room for n more bytes plus the terminating NUL; 0 or -1 with w->err set. */
static int reserve(struct writer *w, size_t n)
{
	size_t need, cap;
	char *p;

	if (!w || w->err)
		return -1;
	if (n > SIZE_MAX - 1 - w->len) {
		w->err = ENOMEM;
		return -1;
	}
	need = w->len + n + 1;
	if (need <= w->cap)
		return 0;
	cap = w->cap ? w->cap : W_MIN_CAP;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(w->buf, cap);
	if (!p) {
		w->err = ENOMEM;
		return -1;
	}
	w->buf = p;
	w->cap = cap;
	return 0;
}

/* The limit is checked on what was written, not on reservations, which overestimate escapes. */
static void commit(struct writer *w, char *end)
{
	w->len = (size_t)(end - w->buf);
	w->buf[w->len] = '\0';
	if (w->limit && w->len > w->limit)
		w->err = E2BIG;
}

static void put(struct writer *w, const char *s, size_t n)
{
	if (reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	commit(w, w->buf + w->len + n);
}

static void puts_(struct writer *w, const char *s)
{
	put(w, s, strlen(s));
}

static void putc_(struct writer *w, char c)
{
	put(w, &c, 1);
}

/* Length of the well-formed UTF-8 sequence at s (Unicode table 3-7), 0 if ill-formed. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		return 0;
	}
	/* Stops at the first bad byte, so a NUL terminator is never read past. */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/*
 * Escape backslash, newline and (in label values) double quote; replace each byte that does not
 * start a well-formed UTF-8 sequence with U+FFFD, since one bad byte makes Prometheus drop the
 * whole scrape.
 */
static void put_escaped(struct writer *w, const char *s, int quote)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k;
	char *o;

	/* Worst case is 3 output bytes per input byte (U+FFFD). */
	if (n > SIZE_MAX / 3) {
		if (w && !w->err)
			w->err = ENOMEM;
		return;
	}
	if (reserve(w, 3 * n))
		return;
	o = w->buf + w->len;
	/* Most values need no escape: copied at once up to the first byte that might. */
	for (k = 0; k < n && p[k] < 0x80 && p[k] != '\\' && p[k] != '"' && p[k] != '\n'; k++)
		;
	memcpy(o, p, k);
	o += k;
	p += k;
	while (*p) {
		if (*p < 0x80) {
			if (*p == '\\' || (*p == '"' && quote)) {
				*o++ = '\\';
				*o++ = (char)*p;
			} else if (*p == '\n') {
				*o++ = '\\';
				*o++ = 'n';
			} else {
				*o++ = (char)*p;
			}
			p++;
			continue;
		}
		k = utf8_len(p);
		if (!k) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
			continue;
		}
		memcpy(o, p, k);
		o += k;
		p += k;
	}
	commit(w, o);
}

static void put_label(struct writer *w, const char *name, const char *value, int *opened)
{
	size_t n;
	char *o;

	if (!name || !*name)
		return;
	n = strlen(name);
	if (reserve(w, n + 3))
		return;
	o = w->buf + w->len;
	*o++ = *opened ? ',' : '{';
	memcpy(o, name, n);
	o += n;
	*o++ = '=';
	*o++ = '"';
	commit(w, o);
	*opened = 1;
	put_escaped(w, value ? value : "", 1);
	putc_(w, '"');
}

#define W_SINK_LABELS 32
#define W_SINK_NAME 256

/* Hands the series to the sink; labels past W_SINK_LABELS and names past W_SINK_NAME are cut. */
static void put_sink(struct writer *w, const char *name, const char *suffix,
		     const struct label *a, size_t na, const struct label *b, size_t nb,
		     const char *le, double value)
{
	struct label l[W_SINK_LABELS + 1];
	char full[W_SINK_NAME];
	size_t i, n = 0;

	snprintf(full, sizeof(full), "%s%s", name, suffix ? suffix : "");
	for (i = 0; a && i < na && n < W_SINK_LABELS; i++)
		if (a[i].name && *a[i].name)
			l[n++] = (struct label){ a[i].name, a[i].value ? a[i].value : "" };
	for (i = 0; b && i < nb && n < W_SINK_LABELS; i++)
		if (b[i].name && *b[i].name)
			l[n++] = (struct label){ b[i].name, b[i].value ? b[i].value : "" };
	if (le)
		l[n++] = (struct label){ "le", le };
	w->sink(w->sink_arg, full, l, n, value);
}

void writer_set_sink(struct writer *w, w_sink_fn fn, void *arg)
{
	if (!w)
		return;
	w->sink = fn;
	w->sink_arg = arg;
}

/* name suffix{a...,b...,le="le"} value\n */
static void put_series(struct writer *w, const char *name, const char *suffix,
		       const struct label *a, size_t na, const struct label *b, size_t nb,
		       const char *le, double value)
{
	char num[W_NUM_MAX];
	int opened = 0;
	size_t i, n;

	if (w && !w->err && w->sink)
		put_sink(w, name, suffix, a, na, b, nb, le, value);
	puts_(w, name);
	if (suffix)
		puts_(w, suffix);
	for (i = 0; a && i < na; i++)
		put_label(w, a[i].name, a[i].value, &opened);
	for (i = 0; b && i < nb; i++)
		put_label(w, b[i].name, b[i].value, &opened);
	if (le)
		put_label(w, "le", le, &opened);
	if (opened)
		putc_(w, '}');
	putc_(w, ' ');
	n = num_format(num, value);
	put(w, num, n);
	putc_(w, '\n');
}

static uint64_t fam_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct fam_slot *fam_find(struct writer *w, const char *name, size_t n, uint64_t h)
{
	size_t mask = w->fam_cap - 1, i;

	for (i = h & mask;; i = (i + 1) & mask) {
		struct fam_slot *s = &w->fam[i];

		if (!s->len)
			return s;
		if (s->hash == h && s->len == n && !memcmp(w->buf + s->off, name, n))
			return s;
	}
}

/* Keep the table at most half full, so probing stays short and always finds a free slot. */
static int fam_grow(struct writer *w)
{
	struct fam_slot *old = w->fam, *s;
	size_t old_cap = w->fam_cap, cap, i;

	if (old && (w->fam_used + 1) * 2 <= old_cap)
		return 0;
	cap = old_cap ? old_cap * 2 : W_FAM_MIN;
	if (cap > SIZE_MAX / sizeof(*s) || !(s = calloc(cap, sizeof(*s)))) {
		w->err = ENOMEM;
		return -1;
	}
	w->fam = s;
	w->fam_cap = cap;
	for (i = 0; i < old_cap; i++) {
		if (old[i].len)
			*fam_find(w, w->buf + old[i].off, old[i].len, old[i].hash) = old[i];
	}
	free(old);
	return 0;
}

static int valid_type(const char *t)
{
	return t && (!strcmp(t, "counter") || !strcmp(t, "gauge") || !strcmp(t, "histogram") ||
		     !strcmp(t, "untyped"));
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n > k && !memcmp(s + n - k, suffix, k);
}

/* The OpenMetrics units jvmtap's names end in, and the base units the spec lists. */
static const char *const om_units[] = { "seconds", "bytes", "ratio", "celsius", "meters",
					"grams", "joules", "volts", "amperes" };

/* The unit a family name ends in ("_seconds" -> "seconds"), or NULL. */
static const char *om_unit(const char *name, size_t n)
{
	size_t i, k;

	for (i = 0; i < sizeof(om_units) / sizeof(om_units[0]); i++) {
		k = strlen(om_units[i]);
		if (n > k + 1 && name[n - k - 1] == '_' && !memcmp(name + n - k, om_units[i], k))
			return om_units[i];
	}
	return NULL;
}

void w_family(struct writer *w, const char *name, const char *type, const char *help)
{
	struct fam_slot *slot = NULL;
	const char *unit = NULL;
	size_t n, off = 0;
	uint64_t h;
	int om;

	if (!w || w->err || !name)
		return;
	om = w->format == W_OPENMETRICS;
	type = valid_type(type) ? type : "untyped";
	n = strlen(name);
	w->in_counter = !strcmp(type, "counter");
	if (om) {
		/* The family of samples name_total is "name"; anything else cannot be a counter. */
		if (w->in_counter && ends_with(name, n, "_total"))
			n -= strlen("_total");
		else if (w->in_counter || !strcmp(type, "untyped"))
			type = "unknown";
		if (strcmp(type, "unknown"))
			unit = om_unit(name, n);
	}
	/* Families are told apart by the name written, so an OpenMetrics counter is one family
	 * whether it is started as x_total or as x. */
	h = fam_hash(name, n);
	if (n) {
		if (fam_grow(w))
			return;
		slot = fam_find(w, name, n, h);
		if (slot->len)
			return;
	}
	if (help && *help) {
		put(w, "# HELP ", 7);
		off = w->len;
		put(w, name, n);
		putc_(w, ' ');
		/* OpenMetrics' escaped-string has no bare double quote. */
		put_escaped(w, help, om);
		putc_(w, '\n');
	}
	put(w, "# TYPE ", 7);
	if (!(help && *help))
		off = w->len;
	put(w, name, n);
	putc_(w, ' ');
	puts_(w, type);
	putc_(w, '\n');
	if (unit) {
		put(w, "# UNIT ", 7);
		put(w, name, n);
		putc_(w, ' ');
		puts_(w, unit);
		putc_(w, '\n');
	}
	if (w->err || !slot)
		return;
	slot->hash = h;
	slot->off = off;
	slot->len = n;
	w->fam_used++;
}

void writer_finish(struct writer *w)
{
	if (w && !w->err && w->format == W_OPENMETRICS)
		put(w, "# EOF\n", 6);
}

void w_sample(struct writer *w, const char *name, const struct label *a, size_t na,
	      const struct label *b, size_t nb, double value)
{
	if (!w || w->err || !name)
		return;
	/* A Total is non-NaN and never negative in OpenMetrics (a scraper may refuse the page). */
	if (w->format == W_OPENMETRICS && w->in_counter && (isnan(value) || value < 0) &&
	    ends_with(name, strlen(name), "_total"))
		return;
	put_series(w, name, NULL, a, na, b, nb, NULL, value);
}

static void put_bucket(struct writer *w, const char *name, const struct label *a, size_t na,
		       const struct label *b, size_t nb, double le, uint64_t cum)
{
	char num[W_NUM_MAX];

	num_format(num, le);
	put_series(w, name, "_bucket", a, na, b, nb, num, (double)cum);
}

static void put_tail(struct writer *w, const char *name, const struct label *a, size_t na,
		     const struct label *b, size_t nb, uint64_t total, double sum)
{
	put_series(w, name, "_bucket", a, na, b, nb, "+Inf", (double)total);
	put_series(w, name, "_sum", a, na, b, nb, NULL, sum);
	put_series(w, name, "_count", a, na, b, nb, NULL, (double)total);
}

void w_histogram(struct writer *w, const char *name, const struct label *a, size_t na,
		 const struct label *b, size_t nb, const double *bounds, const uint64_t *counts,
		 size_t nbounds, double sum)
{
	double prev = -INFINITY;
	uint64_t cum = 0;
	size_t i;

	if (!w || w->err || !name || !counts || (nbounds && !bounds))
		return;
	if (w->format == W_OPENMETRICS && !(sum >= 0))
		return;	/* a NaN or negative _sum is not a histogram OpenMetrics accepts */
	for (i = 0; i < nbounds; i++) {
		cum += counts[i];
		/* A repeated or non-finite le would make Prometheus reject the scrape. */
		if (!isfinite(bounds[i]) || !(bounds[i] > prev))
			continue;
		prev = bounds[i];
		put_bucket(w, name, a, na, b, nb, bounds[i], cum);
	}
	put_tail(w, name, a, na, b, nb, cum + counts[nbounds], sum);
}

void w_log2_histogram(struct writer *w, const char *name, const struct label *a, size_t na,
		      const struct label *b, size_t nb, const uint64_t *slots, size_t nslots,
		      unsigned first_slot, unsigned max_slot, double unit, double sum)
{
	uint64_t cum = 0, total = 0, i;
	double le;

	if (!w || w->err || !name || (nslots && !slots))
		return;
	if (w->format == W_OPENMETRICS && !(sum >= 0))
		return;
	for (i = 0; i < nslots; i++) {
		total += slots[i];
		if (i < first_slot)
			cum += slots[i];
	}
	/* A bad unit has no meaningful bounds; everything still shows in +Inf, _sum and _count. */
	if (isfinite(unit) && unit > 0) {
		/* Bounded so a huge max_slot cannot spin or wrap the exponent. */
		for (i = first_slot; i <= max_slot && i < W_LOG2_MAX; i++) {
			le = ldexp(unit, (int)(i + 1));
			if (!isfinite(le))
				break;
			if (i < nslots)
				cum += slots[i];
			put_bucket(w, name, a, na, b, nb, le, cum);
		}
	}
	put_tail(w, name, a, na, b, nb, total, sum);
}

int w_valid_metric_name(const char *s)
{
	size_t i;

	if (!s || !*s)
		return 0;
	for (i = 0; s[i]; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
		      (i && c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

int w_valid_label_name(const char *s)
{
	size_t i;

	if (!s || !*s || (s[0] == '_' && s[1] == '_'))
		return 0;
	for (i = 0; s[i]; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		      (i && c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

void w_fam(struct writer *w, enum fam_id id)
{
	if (id < FAM__N)
		w_family(w, families[id].name, families[id].type, families[id].help);
}
