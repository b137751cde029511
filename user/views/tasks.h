/* jvmtap top's tasks view: for each Flink TaskManager (and any JVM that makes RocksDB or ForSt
 * state calls) among the JVM rows, its tasks by CPU in cores and its state calls per op (calls
 * per second, mean time per call), over the interval of the rows (rows.h). */
#ifndef JVMTAP_TASKS_H
#define JVMTAP_TASKS_H

#include <stdbool.h>
#include "rows.h"

/* The view's column header: the JVM lines use PID and CPU% as the JVM view does. */
#define TASKS_HEADER "    PID CPU%  CORES TASK / STATE CALLS"

/* One line of the view; jvm: a JVM's own line (the others are its tasks and state calls). */
typedef void (*tasks_emit_fn)(void *arg, bool jvm, const char *text);

/* Whether the view shows JVM row r: a TaskManager, or a JVM with Flink figures. */
bool tasks_shows(const struct row *r);
/* How many of r[0..n) it shows. */
int tasks_count(const struct row *r, int n);

/*
 * The view's lines for the JVM rows r[0..n), in their order, to emit: for each JVM shown, its
 * line, its tasks by cores (largest first), then its state ops that had calls in the interval.
 * max_lines > 0: at most that many lines; the tasks are cut evenly between the JVMs, the last
 * line of a JVM cut to two tasks or more then counts those left out and sums their cores.
 * width > 0: state calls wrap at width columns.
 * Returns how many JVMs it showed, -1 when out of memory.
 */
int tasks_lines(const struct row *r, int n, int width, int max_lines, tasks_emit_fn emit,
		void *arg);

#endif
