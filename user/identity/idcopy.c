/* Copies of the identity walk's cgroups (idcopy.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "idcopy.h"
#include "renderlock.h"

struct ctx {
	struct id_copy *out;
	size_t cap;
	time_t now;
	int err;
};

static void add(uint64_t id, const char *dir, void *arg)
{
	struct ctx *x = arg;
	struct label l[IDENTITY_NLABELS];
	size_t len[IDENTITY_NLABELS], dlen = strlen(dir), rootlen = strlen(identity_root()), total;
	struct id_cgroup *c;
	const char *p;
	char *m;
	int i;

	if (x->err || identity_labels(id, l, x->now) != IDENTITY_OK)
		return;
	if (x->out->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 64;
		struct id_cgroup *g = realloc(x->out->c, cap * sizeof(*g));

		if (!g) {
			x->err = -ENOMEM;
			return;
		}
		x->out->c = g;
		x->cap = cap;
	}
	total = dlen + 1;
	for (i = 0; i < IDENTITY_NLABELS; i++)
		total += (len[i] = strlen(l[i].value)) + 1;
	if (!(m = malloc(total))) {
		x->err = -ENOMEM;
		return;
	}
	c = &x->out->c[x->out->n++];
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->mem = m;
	memcpy(m, dir, dlen + 1);
	c->dir = m;
	c->rel = dlen > rootlen ? m + rootlen : "/";
	for (p = c->rel + 1; *p; p++)
		c->depth += *p == '/';
	m += dlen + 1;
	for (i = 0; i < IDENTITY_NLABELS; i++) {
		memcpy(m, l[i].value, len[i] + 1);
		c->labels[i] = (struct label){ l[i].name, m };
		m += len[i] + 1;
	}
}

int identity_copy(struct id_copy *out, time_t now)
{
	struct ctx x = { .out = out, .now = now };

	out->c = NULL;
	out->n = 0;
	identity_for_each(add, &x);
	return x.err;
}

void identity_copy_free(struct id_copy *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		free(c->c[i].mem);
	free(c->c);
	c->c = NULL;
	c->n = 0;
}

struct id_reading *id_reading_new(size_t row_size)
{
	struct id_reading *rd = calloc(1, sizeof(*rd));
	int err;

	if (!rd)
		return NULL;
	engine_lock();
	err = identity_copy(&rd->ids, time(NULL));
	engine_unlock();
	if (err || (rd->ids.n && !(rd->rows = calloc(rd->ids.n, row_size)))) {
		id_reading_free(rd);
		return NULL;
	}
	return rd;
}

void id_reading_free(void *p)
{
	struct id_reading *rd = p;

	if (!rd)
		return;
	identity_copy_free(&rd->ids);
	free(rd->rows);
	free(rd);
}
