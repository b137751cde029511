/* What every mode shares (serve, top, dump): host checks, the collectors' lifecycle, their event
 * loop and one render of all of them. */
#ifndef JVMTAP_ENGINE_H
#define JVMTAP_ENGINE_H

#include "renderlock.h"

#include "writer.h"

/* Privileges, bpf(), BTF, libbpf and container identity; 0, or -errno with one log line. */
int engine_init(void);
/* Loads and attaches every collector, then drops the privileges no longer needed (privs.c,
 * unless --security.keep-privileges); 0 or -errno (logged). With --strict, -ENOENT when any BPF
 * program is not attached. Threads started before it keep their capabilities. */
int engine_open(void);
/* Sleeps up to max_ms, less when a collector has events or asked to run again sooner, or when
 * extra_fd (-1: none; top's terminal) turns readable. */
void engine_wait(int max_ms, int extra_fd);
/* One turn of the loop (after engine_wait()): event queues, and housekeeping when due. */
void engine_turn(void);
/* Writes every collector's families into w (reset first), then each one's duration and
 * success. Call with engine_lock() held. 0, or -errno when a collector or the writer failed:
 * the page is incomplete and must not be served. */
int engine_collect(struct writer *w);
/* --collector.NAME=on|off and every collector's own flags (its children). */
struct argp;
const struct argp *engine_argp(void);
void engine_close(void);

#endif
