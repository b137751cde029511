/* The collector interface: the engine runs the ones in its table (engine.c). A new collector is
 * its own files (bpf/NAME.bpf.c, user/collectors/NAME.c with its flags) and one line there. */
#ifndef JVMTAP_COLLECTOR_H
#define JVMTAP_COLLECTOR_H

#include <argp.h>
#include <time.h>
#include "writer.h"

struct collector {
	const char *name;  /* --collector.NAME=off switches it off */
	const char *help;  /* what it collects, for that flag's help */
	const struct argp *argp; /* its own flags, or NULL */
	/* Load and attach. A program that cannot attach is reported by the collector, not fatal:
	 * return -errno only when the collector cannot work at all. */
	int (*open)(void);
	/* Write this collector's families. Called with the render lock held: formats what tick,
	 * maintain or a refresh worker (worker.h) prepared. 0, or -errno when it could not write
	 * everything (out of memory): the scrape then fails rather than serve a partial page. */
	int (*collect)(struct writer *w);
	/* Called every main-loop turn (~100 ms), render lock held: event queues. */
	void (*tick)(void);
	/* Optional: an fd that turns readable when tick() has events to read (a ring buffer's
	 * epoll fd), or -1; and how soon tick() needs to run again in ms, or -1 for no hurry. The
	 * loop then turns as soon as either says so. Called with the render lock held. */
	int (*wake_fd)(void);
	int (*next_tick_ms)(void);
	/* Periodic housekeeping (e.g. dropping series of removed cgroups), render lock held. */
	void (*maintain)(time_t now);
	void (*close)(void);
};

extern const struct collector cpu_collector;
extern const struct collector jvm_collector;
extern const struct collector net_collector;
extern const struct collector tasks_collector;
extern const struct collector cgroup_collector;
extern const struct collector oom_collector;
extern const struct collector flink_collector;
extern const struct collector rocksdb_collector;
extern const struct collector self_collector;


#endif
