/* Refresh workers: a collector's slow reads (a /proc scan, an HTTP poll) on a thread of their
 * own, off the render lock. A worker calls refresh() at once and then every interval; refresh
 * builds its result without any shared lock and publishes it as an immutable snapshot, which
 * collect() (or tick()) reads. The engine exports every worker's last duration and result. */
#ifndef JVMTAP_WORKER_H
#define JVMTAP_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include "writer.h"

struct worker;

/* refresh returns 0 or -errno (a failed refresh: counted, success 0 until the next one works).
 * The thread starts with worker_run_all() (after the privileges are dropped: a worker never
 * holds more than the daemon keeps). NULL when out of memory. */
struct worker *worker_new(const char *collector, const char *name, unsigned interval_ms,
			  int (*refresh)(void *arg), void *arg);
/* Refresh now instead of at the next interval. */
void worker_kick(struct worker *w);
/* Stops the thread (waiting for a refresh in progress) and frees w; NULL is fine. */
void worker_free(struct worker *w);

/* Stops every worker's thread, waiting for refreshes in progress (one may wait for the render
 * lock: call without it). worker_free() then only frees. */
void worker_stop_all(void);
/* Starts the threads of every worker made so far; 0 or -errno. */
int worker_run_all(void);
/* Every worker of the collector had its last refresh succeed (true with none). */
bool worker_all_ok(const char *collector);
/* jvmtap_refresh_* of every worker. */
void worker_collect(struct writer *w);

/* A value published by one thread and read by others: the reader holds it for as long as it
 * formats it; publishing swaps it in and destroys the previous one outside the lock. */
struct snapshot {
	pthread_mutex_t mu;
	void *cur;
	unsigned long gen; /* publications so far */
	void (*destroy)(void *);
};
#define SNAPSHOT_INIT(destroy_fn) { PTHREAD_MUTEX_INITIALIZER, NULL, 0, destroy_fn }
void snapshot_publish(struct snapshot *s, void *next);
/* The current value (NULL before the first publication), locked until snapshot_release(). */
void *snapshot_hold(struct snapshot *s, unsigned long *gen);
void snapshot_release(struct snapshot *s);
/* Destroys the current value (at close, once no thread publishes). */
void snapshot_clear(struct snapshot *s);

#endif
