/* Refresh workers and snapshots (worker.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "families.h"
#include "log.h"
#include "worker.h"

struct worker {
	const char *collector, *name;
	unsigned interval_ms;
	int (*refresh)(void *arg);
	void *arg;
	pthread_t thread;
	bool running, stop, kicked;
	pthread_mutex_t mu; /* guards the fields below and the flags above */
	pthread_cond_t cv;
	double last_duration, last_success; /* seconds; Unix time of the last success */
	int last_err;
	bool ran;
	uint64_t ok, failed;
	struct worker *next;
};

static pthread_mutex_t list_mu = PTHREAD_MUTEX_INITIALIZER;
static struct worker *workers;

static double now_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct worker *worker_new(const char *collector, const char *name, unsigned interval_ms,
			  int (*refresh)(void *arg), void *arg)
{
	struct worker *w = calloc(1, sizeof(*w));
	pthread_condattr_t ca;

	if (!w)
		return NULL;
	w->collector = collector;
	w->name = name;
	w->interval_ms = interval_ms ? interval_ms : 1;
	w->refresh = refresh;
	w->arg = arg;
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&list_mu);
	w->next = workers;
	workers = w;
	pthread_mutex_unlock(&list_mu);
	return w;
}

static void *loop(void *arg)
{
	struct worker *w = arg;
	struct timespec until;
	double t, end;
	int err;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		w->kicked = false;
		pthread_mutex_unlock(&w->mu);
		t = now_s(CLOCK_MONOTONIC);
		err = w->refresh(w->arg);
		end = now_s(CLOCK_MONOTONIC);
		pthread_mutex_lock(&w->mu);
		w->ran = true;
		w->last_duration = end - t;
		if (err && (w->last_err != err || !w->failed))
			log_warn("%s: %s refresh failed: %s", w->collector, w->name, strerror(-err));
		w->last_err = err;
		if (err) {
			w->failed++;
		} else {
			w->ok++;
			w->last_success = now_s(CLOCK_REALTIME);
		}
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += w->interval_ms / 1000;
		until.tv_nsec += (long)(w->interval_ms % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		while (!w->stop && !w->kicked &&
		       pthread_cond_timedwait(&w->cv, &w->mu, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int worker_run_all(void)
{
	struct worker *w;
	int err = 0;

	pthread_mutex_lock(&list_mu);
	for (w = workers; w && !err; w = w->next) {
		if (w->running)
			continue;
		err = -pthread_create(&w->thread, NULL, loop, w);
		if (err)
			log_err("%s: cannot start the %s worker: %s", w->collector, w->name,
				strerror(-err));
		else
			w->running = true;
	}
	pthread_mutex_unlock(&list_mu);
	return err;
}

static void stop(struct worker *w)
{
	if (!w->running)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	w->running = false;
}

void worker_stop_all(void)
{
	struct worker *w;

	pthread_mutex_lock(&list_mu);
	for (w = workers; w; w = w->next)
		stop(w);
	pthread_mutex_unlock(&list_mu);
}

void worker_kick(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->kicked = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void worker_free(struct worker *w)
{
	struct worker **pp;

	if (!w)
		return;
	pthread_mutex_lock(&list_mu);
	for (pp = &workers; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	pthread_mutex_unlock(&list_mu);
	stop(w);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

bool worker_all_ok(const char *collector)
{
	struct worker *w;
	bool ok = true;

	pthread_mutex_lock(&list_mu);
	for (w = workers; w; w = w->next) {
		if (strcmp(w->collector, collector))
			continue;
		pthread_mutex_lock(&w->mu);
		ok = ok && !(w->ran && w->last_err);
		pthread_mutex_unlock(&w->mu);
	}
	pthread_mutex_unlock(&list_mu);
	return ok;
}

void worker_collect(struct writer *w)
{
	static const enum fam_id fam[] = { FAM_REFRESH_DURATION_SECONDS, FAM_REFRESH_SUCCESS,
					   FAM_REFRESH_LAST_SUCCESS_TIMESTAMP_SECONDS,
					   FAM_REFRESHES_TOTAL };
	struct worker *k;
	size_t f;

	pthread_mutex_lock(&list_mu);
	for (f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		const char *name = fam_name(fam[f]);

		w_fam(w, fam[f]);
		for (k = workers; k; k = k->next) {
			struct label a[] = { { "collector", k->collector }, { "worker", k->name },
					     { "result", "ok" } };

			pthread_mutex_lock(&k->mu);
			if (f == 0 && k->ran)
				w_sample(w, name, a, 2, NULL, 0, k->last_duration);
			else if (f == 1 && k->ran)
				w_sample(w, name, a, 2, NULL, 0, !k->last_err);
			else if (f == 2)
				w_sample(w, name, a, 2, NULL, 0, k->last_success);
			else if (f == 3) {
				w_sample(w, name, a, 3, NULL, 0, k->ok);
				a[2].value = "error";
				w_sample(w, name, a, 3, NULL, 0, k->failed);
			}
			pthread_mutex_unlock(&k->mu);
		}
	}
	pthread_mutex_unlock(&list_mu);
}

void snapshot_publish(struct snapshot *s, void *next)
{
	void *old;

	pthread_mutex_lock(&s->mu);
	old = s->cur;
	s->cur = next;
	s->gen++;
	pthread_mutex_unlock(&s->mu);
	if (old && s->destroy)
		s->destroy(old);
}

void *snapshot_hold(struct snapshot *s, unsigned long *gen)
{
	pthread_mutex_lock(&s->mu);
	if (gen)
		*gen = s->gen;
	return s->cur;
}

void snapshot_release(struct snapshot *s)
{
	pthread_mutex_unlock(&s->mu);
}

void snapshot_clear(struct snapshot *s)
{
	snapshot_publish(s, NULL);
}
