/* `jvmtap top` (live view) and `jvmtap dump` (one-shot output): the daemon's collectors and
 * identity, read through rows.c, without an HTTP server. */
#ifndef JVMTAP_TOP_H
#define JVMTAP_TOP_H

#include <argp.h>
#include <signal.h>
#include <stdio.h>
#include "rows.h"

/* Both return the process exit status: 0, 1 when the collectors cannot start. */
int top_main(volatile sig_atomic_t *exiting);
int dump_main(volatile sig_atomic_t *exiting);

/* Their flags. */
extern const struct argp top_argp, dump_argp;

/* Shared by both: engine up, a writer, and a first snapshot; 0 or -errno. */
struct writer;
int top_start(struct writer **w);
/* Renders everything into w and captures it into s; with advance, closes the max-pause window
 * first (the pause maxima then cover the time since the last advance). */
void top_capture(struct writer *w, struct snapshot *s, bool advance);
void top_stop(struct writer *w);

/* Plain-text table of rows (batch mode, and the tests' view of the screen); with tasks, the
 * tasks view of the JVM rows r (tasks.h). */
void top_print_batch(FILE *f, const struct snapshot *cur, const struct row *r, int n,
		     bool containers, bool tasks, int sort_col, bool reverse);

#endif
