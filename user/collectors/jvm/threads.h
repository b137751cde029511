/* Java threads and CPU by thread kind: baselines taken when a JVM is found, per-thread CPU from
 * the CPU collector folded by kind, exited threads folded into their JVM's totals. */
#ifndef JVMTAP_JVM_THREADS_H
#define JVMTAP_JVM_THREADS_H

#include <stdbool.h>
#include "registry.h"
#include "view.h"

/* CPU the JVM used before jvmtap tracked it, by kind (from /proc). */
void jvm_baseline_cpu(struct jvm *j);
/* The Java thread gauge's baseline, when it can be taken (rate-limited to once a second);
 * threads_fd is the jvm_threads map. */
void jvm_threads_baseline(struct jvm *j, int threads_fd);
/* Live and daemon Java threads and threads started, now; -ENOENT before a baseline. */
int jvm_threads_now(const struct jvm *j, int threads_fd, long long *live, long long *daemon,
		    long long *started);
/* Exited threads' time moves into their JVM's totals (j == NULL: every JVM's). */
void jvm_fold_exited_threads(struct jvm *j);
/* Drops every per-thread entry of a JVM that is forgotten. */
void jvm_forget_threads(struct jvm *j);
/* Adds each view's live threads' CPU, by kind, to its kind_ns. */
void jvm_views_cpu(struct jvm_view *views, int n);

#endif
