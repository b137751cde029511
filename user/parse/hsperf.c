/* Pure parser for HotSpot hsperfdata files: every offset read from the file is checked first. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "hsperf.h"

/* Stored big-endian whatever the byte_order field says, so it is checked before we know it. */
#define HSPERF_MAGIC 0xcafec0c0u
#define HSPERF_MAJOR 2

/* Prologue fields (perfMemory.hpp PerfDataPrologue). */
#define P_BYTE_ORDER 4
#define P_MAJOR 5
#define P_ACCESSIBLE 7
#define P_USED 8
#define P_ENTRY_OFFSET 24
#define P_NUM_ENTRIES 28

/* Entry header fields (perfMemory.hpp PerfDataEntry). */
#define E_NAME_OFFSET 4
#define E_VECTOR_LENGTH 8
#define E_DATA_TYPE 12
#define E_DATA_UNITS 14
#define E_DATA_OFFSET 16

#define T_LONG 'J'
#define T_BYTE 'B'
#define U_STRING 5 /* PerfData::U_String */

static const char *const err_names[HSPERF__N] = {
	[HSPERF_OK] = "ok",
	[HSPERF_TRUNCATED] = "truncated",
	[HSPERF_BAD_MAGIC] = "bad_magic",
	[HSPERF_BAD_VERSION] = "bad_version",
	[HSPERF_BAD_ENTRY] = "bad_entry",
	[HSPERF_NOT_READY] = "not_ready",
};

const char *hsperf_err_name(enum hsperf_err e)
{
	if ((unsigned int)e >= HSPERF__N)
		return "unknown";
	return err_names[e];
}

/* Byte by byte: no alignment assumed and the host's own byte order never matters. */
static uint32_t rd32(const unsigned char *p, int big)
{
	if (big)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* s32 fields widened to 64 bits so that offset + length sums can never overflow. */
static int64_t rds32(const unsigned char *p, int big)
{
	uint32_t u = rd32(p, big);

	return u & 0x80000000u ? (int64_t)u - 0x100000000LL : (int64_t)u;
}

static long long rds64(const unsigned char *p, int big)
{
	uint64_t hi = rd32(p + (big ? 0 : 4), big), lo = rd32(p + (big ? 4 : 0), big);
	uint64_t u = hi << 32 | lo;
	long long l;

	/* memcpy, not a cast: values above LLONG_MAX are negative jlongs, not out-of-range ones */
	memcpy(&l, &u, sizeof(l));
	return l;
}

/*
 * One entry of elen bytes at e, already known to lie inside the buffer. Sets *stop when the
 * callback asks to end the walk.
 */
static enum hsperf_err visit(const unsigned char *b, const unsigned char *e, int64_t elen,
			     int big, hsperf_cb cb, void *arg, int *stop)
{
	int64_t name_off = rds32(e + E_NAME_OFFSET, big);
	int64_t vlen = rds32(e + E_VECTOR_LENGTH, big);
	int64_t data_off = rds32(e + E_DATA_OFFSET, big);
	struct hsperf_value v;
	const unsigned char *nul;

	/* HotSpot puts the name right after the header; one overlapping it is forged. */
	if (name_off < HSPERF_ENTRY_HDR_SIZE || name_off >= elen)
		return HSPERF_BAD_ENTRY;
	if (!memchr(e + name_off, 0, (size_t)(elen - name_off)))
		return HSPERF_BAD_ENTRY;
	if (vlen < 0)
		return HSPERF_BAD_ENTRY;

	memset(&v, 0, sizeof(v));
	if (e[E_DATA_TYPE] == T_LONG && vlen == 0) {
		if (data_off < HSPERF_ENTRY_HDR_SIZE || data_off + 8 > elen)
			return HSPERF_BAD_ENTRY;
		v.kind = HSPERF_LONG;
		v.l = rds64(e + data_off, big);
		v.off = (size_t)(e - b) + (size_t)data_off;
	} else if (e[E_DATA_TYPE] == T_BYTE && e[E_DATA_UNITS] == U_STRING) {
		if (data_off < HSPERF_ENTRY_HDR_SIZE || data_off + vlen > elen)
			return HSPERF_BAD_ENTRY;
		v.kind = HSPERF_STRING;
		v.s = (const char *)e + data_off;
		v.off = (size_t)(e - b) + (size_t)data_off;
		nul = memchr(v.s, 0, (size_t)vlen);
		v.slen = nul ? (size_t)(nul - (const unsigned char *)v.s) : (size_t)vlen;
	} else {
		/* long arrays, other element types: nothing jvmtap reads, so their data is not */
		return HSPERF_OK;
	}
	if (cb && cb((const char *)e + name_off, &v, arg))
		*stop = 1;
	return HSPERF_OK;
}

/* hsperf_parse(), and where the walk ended: the end of the last entry visited. */
static enum hsperf_err walk(const void *buf, size_t len, hsperf_cb cb, void *arg, int64_t *end)
{
	const unsigned char *b = buf;
	int64_t blen, used, off, n, i, elen;
	enum hsperf_err err;
	int big, stop = 0;

	if (!b || len < 4)
		return HSPERF_TRUNCATED;
	if (rd32(b, 1) != HSPERF_MAGIC)
		return HSPERF_BAD_MAGIC;
	if (len < HSPERF_PROLOGUE_SIZE)
		return HSPERF_TRUNCATED;
	if (b[P_BYTE_ORDER] > 1)
		return HSPERF_BAD_MAGIC;
	big = b[P_BYTE_ORDER] == 0;
	/* 2.x only grows by appending; 1.x had another prologue */
	if (b[P_MAJOR] != HSPERF_MAJOR)
		return HSPERF_BAD_VERSION;
	if (!b[P_ACCESSIBLE])
		return HSPERF_NOT_READY;

	/* a file is at most 2 GiB (s32 offsets), so clamping len loses nothing */
	blen = len > INT64_MAX ? INT64_MAX : (int64_t)len;
	used = rds32(b + P_USED, big);
	off = rds32(b + P_ENTRY_OFFSET, big);
	n = rds32(b + P_NUM_ENTRIES, big);
	if (n < 0 || used < 0)
		return HSPERF_BAD_ENTRY;
	if (n == 0)
		return HSPERF_OK;
	if (off < HSPERF_PROLOGUE_SIZE || off > used)
		return HSPERF_BAD_ENTRY;

	/*
	 * Each pass advances at least one header, and off never passes used, so the loop ends
	 * within used / HSPERF_ENTRY_HDR_SIZE passes however large num_entries claims to be.
	 * Crossing `used` is a lie in the file; crossing len (inside used) is a short read.
	 */
	for (i = 0; i < n && off < used; i++) {
		if (off + HSPERF_ENTRY_HDR_SIZE > used)
			return HSPERF_BAD_ENTRY;
		if (off + HSPERF_ENTRY_HDR_SIZE > blen)
			return HSPERF_TRUNCATED;
		elen = rds32(b + off, big);
		if (elen < HSPERF_ENTRY_HDR_SIZE || off + elen > used)
			return HSPERF_BAD_ENTRY;
		if (off + elen > blen)
			return HSPERF_TRUNCATED;
		err = visit(b, b + off, elen, big, cb, arg, &stop);
		if (err || stop)
			return err;
		off += elen;
		*end = off;
	}
	return HSPERF_OK;
}

enum hsperf_err hsperf_parse(const void *buf, size_t len, hsperf_cb cb, void *arg)
{
	int64_t end;

	return walk(buf, len, cb, arg, &end);
}

/* Convenience layer: the counters jvmtap exports, gathered by one hsperf_parse() walk. */

struct jvm_ctx {
	struct hsperf_jvm *out;
	long long cls[4]; /* loaded, sharedLoaded, unloaded, sharedUnloaded */
	unsigned int cls_seen; /* bit i: cls[i] was in the file */
	int have_java_version;
	int space_idx[HSPERF_MAX_SPACES]; /* S of each out->space[], the sort key after gen */
	int space_first[HSPERF_MAX_SPACES]; /* the slot each out->space[] had before the sort */
	struct hsperf_layout *lay; /* NULL: not learning */
};

/* Where a long went, for the layout: a byte offset into the struct, a class count, or a field of
 * a space named by its slot before the sort (made an offset once the spaces are sorted). */
enum { L_FIELD, L_CLS, L_SPACE };

static void note(struct jvm_ctx *c, const struct hsperf_value *v, int kind, size_t dst)
{
	struct hsperf_layout *l = c->lay;

	if (!l || l->n < 0)
		return;
	if (l->n == HSPERF_LAYOUT_MAX || v->off > 0xffffffffu || dst > 0xffff) {
		l->n = -1;
		return;
	}
	l->slot[l->n].off = (unsigned int)v->off;
	l->slot[l->n].kind = (unsigned short)kind;
	l->slot[l->n++].dst = (unsigned short)dst;
}

static void note_field(struct jvm_ctx *c, const struct hsperf_value *v, const long long *field)
{
	note(c, v, L_FIELD, (size_t)((const char *)field - (const char *)c->out));
}

static const struct {
	const char *name;
	size_t off;
} jvm_longs[] = {
	{ "sun.os.hrt.frequency", offsetof(struct hsperf_jvm, hrt_frequency) },
	{ "java.threads.live", offsetof(struct hsperf_jvm, threads_live) },
	{ "java.threads.daemon", offsetof(struct hsperf_jvm, threads_daemon) },
	{ "java.threads.livePeak", offsetof(struct hsperf_jvm, threads_peak) },
	{ "java.threads.started", offsetof(struct hsperf_jvm, threads_started) },
	{ "sun.rt.safepoints", offsetof(struct hsperf_jvm, safepoints) },
	{ "sun.rt.safepointTime", offsetof(struct hsperf_jvm, safepoint_time_ticks) },
	{ "sun.gc.metaspace.used", offsetof(struct hsperf_jvm, metaspace.used) },
	{ "sun.gc.metaspace.capacity", offsetof(struct hsperf_jvm, metaspace.capacity) },
	{ "sun.gc.metaspace.maxCapacity", offsetof(struct hsperf_jvm, metaspace.max) },
	{ "sun.gc.compressedclassspace.used", offsetof(struct hsperf_jvm, ccs.used) },
	{ "sun.gc.compressedclassspace.capacity", offsetof(struct hsperf_jvm, ccs.capacity) },
	{ "sun.gc.compressedclassspace.maxCapacity", offsetof(struct hsperf_jvm, ccs.max) },
};

static const char *const cls_names[4] = {
	"java.cls.loadedClasses",
	"java.cls.sharedLoadedClasses",
	"java.cls.unloadedClasses",
	"java.cls.sharedUnloadedClasses",
};

static const char *after(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) ? NULL : s + n;
}

/* "<digits>." -> value and the text after the dot; at most 4 digits, so no overflow. */
static const char *index_dot(const char *s, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4 && s[i] >= '0' && s[i] <= '9'; i++)
		*v = *v * 10 + (s[i] - '0');
	return i && s[i] == '.' ? s + i + 1 : NULL;
}

static void copy_str(char *dst, size_t size, const char *s, size_t slen)
{
	size_t n = slen < size - 1 ? slen : size - 1;

	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* field of a collector or space: 0 name, 1 used / invocations, 2 capacity / time, 3 max */
static int field_of(const char *s, const char *const names[4])
{
	int i;

	for (i = 0; i < 4; i++)
		if (names[i] && !strcmp(s, names[i]))
			return i;
	return -1;
}

static void collector_value(struct jvm_ctx *c, const char *rest, const struct hsperf_value *v)
{
	static const char *const names[4] = { "name", "invocations", "time", NULL };
	struct hsperf_jvm *o = c->out;
	int idx, f;

	rest = index_dot(rest, &idx);
	if (!rest || idx >= HSPERF_MAX_COLLECTORS)
		return;
	f = field_of(rest, names);
	if (f < 0 || (f == 0) != (v->kind == HSPERF_STRING))
		return;
	if (f == 0)
		copy_str(o->collector[idx].name, sizeof(o->collector[idx].name), v->s, v->slen);
	else if (f == 1)
		o->collector[idx].invocations = v->l, note_field(c, v, &o->collector[idx].invocations);
	else
		o->collector[idx].time_ticks = v->l, note_field(c, v, &o->collector[idx].time_ticks);
	if (o->ncollectors <= idx)
		o->ncollectors = idx + 1;
}

static void space_value(struct jvm_ctx *c, const char *rest, const struct hsperf_value *v)
{
	static const char *const names[4] = { "name", "used", "capacity", "maxCapacity" };
	struct hsperf_jvm *o = c->out;
	int gen, idx, f, i;

	rest = index_dot(rest, &gen);
	if (rest && gen <= 1 && v->kind == HSPERF_LONG && !strcmp(rest, "maxCapacity")) {
		o->gen_max[gen] = v->l;
		note_field(c, v, &o->gen_max[gen]);
		return;
	}
	if (!rest || !(rest = after(rest, "space.")) || !(rest = index_dot(rest, &idx)))
		return;
	f = field_of(rest, names);
	if (f < 0 || (f == 0) != (v->kind == HSPERF_STRING))
		return;
	for (i = 0; i < o->nspaces; i++)
		if (o->space[i].gen == gen && c->space_idx[i] == idx)
			break;
	if (i == o->nspaces) {
		if (i == HSPERF_MAX_SPACES)
			return;
		o->nspaces++;
		o->space[i].gen = gen;
		c->space_idx[i] = idx;
		c->space_first[i] = i;
	}
	if (f)
		note(c, v, L_SPACE, (size_t)i * 4 + (size_t)f);
	if (f == 0)
		copy_str(o->space[i].name, sizeof(o->space[i].name), v->s, v->slen);
	else if (f == 1)
		o->space[i].used = v->l;
	else if (f == 2)
		o->space[i].capacity = v->l;
	else
		o->space[i].max = v->l;
}

static void string_value(struct jvm_ctx *c, const char *name, const struct hsperf_value *v)
{
	struct hsperf_jvm *o = c->out;
	const char *sp;

	if (!strcmp(name, "java.property.java.version")) {
		copy_str(o->java_version, sizeof(o->java_version), v->s, v->slen);
		c->have_java_version = 1;
	} else if (!strcmp(name, "java.property.java.vm.version")) {
		/* the vm version carries a build suffix: only a stand-in for java.version */
		if (!c->have_java_version)
			copy_str(o->java_version, sizeof(o->java_version), v->s, v->slen);
	} else if (!strcmp(name, "sun.gc.policy.name")) {
		copy_str(o->gc_policy, sizeof(o->gc_policy), v->s, v->slen);
	} else if (!strcmp(name, "sun.rt.javaCommand")) {
		sp = memchr(v->s, ' ', v->slen);
		copy_str(o->main_class, sizeof(o->main_class), v->s,
			 sp ? (size_t)(sp - v->s) : v->slen);
	}
}

static int jvm_cb(const char *name, const struct hsperf_value *v, void *arg)
{
	struct jvm_ctx *c = arg;
	const char *rest;
	size_t i;

	if ((rest = after(name, "sun.gc.collector.")))
		collector_value(c, rest, v);
	else if ((rest = after(name, "sun.gc.generation.")))
		space_value(c, rest, v);
	else if (v->kind == HSPERF_STRING)
		string_value(c, name, v);
	else {
		for (i = 0; i < sizeof(jvm_longs) / sizeof(jvm_longs[0]); i++)
			if (!strcmp(name, jvm_longs[i].name)) {
				memcpy((char *)c->out + jvm_longs[i].off, &v->l, sizeof(v->l));
				note(c, v, L_FIELD, jvm_longs[i].off);
			}
		for (i = 0; i < 4; i++)
			if (!strcmp(name, cls_names[i])) {
				c->cls[i] = v->l;
				c->cls_seen |= 1u << i;
				note(c, v, L_CLS, i);
			}
	}
	return 0;
}

/* jstat -class counts CDS-shared classes in Loaded/Unloaded; so do we, when either is there. */
static long long cls_sum(const long long cls[4], unsigned int seen, int i)
{
	unsigned long long sum = 0;
	long long l;

	if (!(seen >> i & 3))
		return -1;
	/* unsigned: counters from a hostile file must not overflow a signed sum */
	if (seen >> i & 1)
		sum += (unsigned long long)cls[i];
	if (seen >> i & 2)
		sum += (unsigned long long)cls[i + 1];
	memcpy(&l, &sum, sizeof(l));
	return l;
}

static void sort_spaces(struct jvm_ctx *c)
{
	struct hsperf_jvm *o = c->out;
	__typeof__(o->space[0]) t;
	int i, j, k, ti;

	/* file order differs by collector (G1 writes the old generation first); keys are tiny */
	for (i = 1; i < o->nspaces; i++) {
		for (j = i; j > 0; j--) {
			k = j - 1;
			if (o->space[k].gen < o->space[j].gen ||
			    (o->space[k].gen == o->space[j].gen &&
			     c->space_idx[k] <= c->space_idx[j]))
				break;
			t = o->space[k];
			ti = c->space_idx[k];
			o->space[k] = o->space[j];
			o->space[j] = t;
			c->space_idx[k] = c->space_idx[j];
			c->space_idx[j] = ti;
			ti = c->space_first[k];
			c->space_first[k] = c->space_first[j];
			c->space_first[j] = ti;
		}
	}
}

/* The spaces' slots, once sorted: each L_SPACE becomes the L_FIELD of its space's new place. */
static void resolve_spaces(struct jvm_ctx *c)
{
	struct hsperf_layout *l = c->lay;
	struct hsperf_jvm *o = c->out;
	int i, p, first, f;

	for (i = 0; l && i < l->n; i++) {
		if (l->slot[i].kind != L_SPACE)
			continue;
		first = l->slot[i].dst / 4;
		f = l->slot[i].dst % 4;
		for (p = 0; p < o->nspaces && c->space_first[p] != first; p++)
			;
		l->slot[i].kind = L_FIELD;
		l->slot[i].dst = (unsigned short)((f == 1 ? (char *)&o->space[p].used :
						   f == 2 ? (char *)&o->space[p].capacity :
							    (char *)&o->space[p].max) -
						  (char *)o);
	}
}

/* The prologue's own fields, as the layout keeps them; 0 when the file is readable at all. */
static int prologue(const unsigned char *b, size_t len, int *big, long long *used,
		    long long *num, long long *eoff)
{
	if (!b || len < HSPERF_PROLOGUE_SIZE || rd32(b, 1) != HSPERF_MAGIC || b[P_BYTE_ORDER] > 1 ||
	    b[P_MAJOR] != HSPERF_MAJOR || !b[P_ACCESSIBLE])
		return -1;
	*big = b[P_BYTE_ORDER] == 0;
	*used = rds32(b + P_USED, *big);
	*num = rds32(b + P_NUM_ENTRIES, *big);
	*eoff = rds32(b + P_ENTRY_OFFSET, *big);
	return 0;
}

enum hsperf_err hsperf_learn_jvm(const void *buf, size_t len, struct hsperf_jvm *out,
				 struct hsperf_layout *lay)
{
	struct jvm_ctx c = { .out = out, .lay = lay };
	const long long absent = -1;
	enum hsperf_err err;
	int64_t end;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < sizeof(jvm_longs) / sizeof(jvm_longs[0]); i++)
		memcpy((char *)out + jvm_longs[i].off, &absent, sizeof(absent));
	for (i = 0; i < HSPERF_MAX_COLLECTORS; i++)
		out->collector[i].invocations = out->collector[i].time_ticks = -1;
	for (i = 0; i < HSPERF_MAX_SPACES; i++)
		out->space[i].used = out->space[i].capacity = out->space[i].max = -1;
	if (lay)
		memset(lay, 0, sizeof(*lay));

	end = -1;
	err = walk(buf, len, jvm_cb, &c, &end);
	if (lay)
		lay->end = end;

	out->classes_loaded = cls_sum(c.cls, c.cls_seen, 0);
	out->classes_unloaded = cls_sum(c.cls, c.cls_seen, 2);
	sort_spaces(&c);
	if (lay && (err != HSPERF_OK ||
		    prologue(buf, len, &lay->big, &lay->used, &lay->num_entries, &lay->entry_offset)))
		lay->n = 0;
	else if (lay) {
		lay->cls_seen = c.cls_seen;
		resolve_spaces(&c);
	}
	return err;
}

enum hsperf_err hsperf_read_jvm(const void *buf, size_t len, struct hsperf_jvm *out)
{
	return hsperf_learn_jvm(buf, len, out, NULL);
}

int hsperf_reread_jvm(const void *buf, size_t len, const struct hsperf_layout *lay,
		      struct hsperf_jvm *out)
{
	const unsigned char *b = buf;
	long long used, num, eoff, cls[4] = { 0 }, l;
	int big, i;

	if (!lay || lay->n <= 0 || prologue(b, len, &big, &used, &num, &eoff) || big != lay->big ||
	    used != lay->used || num != lay->num_entries || eoff != lay->entry_offset ||
	    lay->end < 0 || (unsigned long long)lay->end > len)
		return 1;
	/* every slot is inside the entries the learning walk visited, and len covers them all */
	for (i = 0; i < lay->n; i++) {
		l = rds64(b + lay->slot[i].off, big);
		if (lay->slot[i].kind == L_CLS)
			cls[lay->slot[i].dst] = l;
		else
			memcpy((char *)out + lay->slot[i].dst, &l, sizeof(l));
	}
	if (lay->cls_seen) {
		out->classes_loaded = cls_sum(cls, lay->cls_seen, 0);
		out->classes_unloaded = cls_sum(cls, lay->cls_seen, 2);
	}
	return 0;
}
