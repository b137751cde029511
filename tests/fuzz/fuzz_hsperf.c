/* libFuzzer target for hsperf_parse(), hsperf_read_jvm() and the layout re-read: any bytes in, no
 * read outside them, and a re-read of the bytes a layout was learned from gives what they gave. */
// FUZZ-SOURCES: user/parse/hsperf.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hsperf.h"

struct span {
	const uint8_t *buf;
	size_t len;
	unsigned int sum;
};

static int inside(const struct span *sp, const void *p, size_t n)
{
	const uint8_t *b = p;

	return b >= sp->buf && n <= sp->len && (size_t)(b - sp->buf) <= sp->len - n;
}

/* Reads every byte it is handed, so ASan sees any pointer that escaped the buffer. */
static int touch_cb(const char *name, const struct hsperf_value *v, void *arg)
{
	struct span *sp = arg;
	size_t i, n = strlen(name);

	if (!inside(sp, name, n + 1))
		abort();
	for (i = 0; i < n; i++)
		sp->sum += (uint8_t)name[i];
	if (v->kind == HSPERF_STRING) {
		if (!inside(sp, v->s, v->slen) || memchr(v->s, 0, v->slen))
			abort();
		for (i = 0; i < v->slen; i++)
			sp->sum += (uint8_t)v->s[i];
	} else if (v->kind == HSPERF_LONG) {
		sp->sum += (unsigned int)v->l;
	} else {
		abort();
	}
	/* stop early now and then, so that path is fuzzed too */
	return (sp->sum & 0xff) == 0x5a;
}

static void check_str(const char *s, size_t size)
{
	if (strnlen(s, size) == size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct span sp = { data, size, 0 };
	static struct hsperf_layout lay;
	static uint8_t copy[1 << 16];
	struct hsperf_jvm j, learned, again;
	enum hsperf_err e1, e2;
	int i;

	e1 = hsperf_parse(data, size, touch_cb, &sp);
	if ((unsigned int)e1 >= HSPERF__N || !hsperf_err_name(e1))
		abort();
	e2 = hsperf_read_jvm(data, size, &j);
	/* the convenience layer never stops early, so it must agree with a full walk */
	if (e2 != hsperf_parse(data, size, NULL, NULL))
		abort();
	if (e1 != HSPERF_OK && e1 != e2)
		abort();
	if (hsperf_learn_jvm(data, size, &learned, &lay) != e2 || memcmp(&learned, &j, sizeof(j)))
		abort();
	again = learned;
	if (lay.n > 0 && (hsperf_reread_jvm(data, size, &lay, &again) ||
			  memcmp(&again, &learned, sizeof(again))))
		abort();
	/* the same layout over other bytes (a file changed under it): any answer, no stray read */
	if (size <= sizeof(copy)) {
		memcpy(copy, data, size);
		for (i = 32; (size_t)i < size; i += 7)
			copy[i] ^= (uint8_t)i;
		hsperf_reread_jvm(copy, size, &lay, &again);
		hsperf_reread_jvm(copy, size / 2, &lay, &again);
	}

	check_str(j.java_version, sizeof(j.java_version));
	check_str(j.gc_policy, sizeof(j.gc_policy));
	check_str(j.main_class, sizeof(j.main_class));
	if (memchr(j.main_class, ' ', strlen(j.main_class)))
		abort();
	if (j.ncollectors < 0 || j.ncollectors > HSPERF_MAX_COLLECTORS)
		abort();
	for (i = 0; i < HSPERF_MAX_COLLECTORS; i++)
		check_str(j.collector[i].name, sizeof(j.collector[i].name));
	if (j.nspaces < 0 || j.nspaces > HSPERF_MAX_SPACES)
		abort();
	for (i = 0; i < HSPERF_MAX_SPACES; i++) {
		check_str(j.space[i].name, sizeof(j.space[i].name));
		if (i > 0 && i < j.nspaces && j.space[i - 1].gen > j.space[i].gen)
			abort();
	}
	return 0;
}
