/* hsperfdata: finding and reading a JVM's file, and the families written from it. */
#ifndef JVMTAP_JVM_HEAP_H
#define JVMTAP_JVM_HEAP_H

#include <sys/types.h>
#include "hotspot.h"
#include "view.h"
#include "writer.h"

/* The JVM's hsperfdata: 0, -ENOENT (none: e.g. -XX:-UsePerfData), -EAGAIN (not initialised
 * yet), -ENOMEM or -EBADMSG (counted in jvmtap_hsperfdata_errors_total). The file is found by
 * the JVM's pid in its own namespace (its NSpid in /proc/PID/status), kept open and re-read
 * while stat() of its path says it is the same file. */
int jvm_read_hsperf(pid_t pid, struct hsperf_jvm *out);
/* Closes the hsperfdata file kept open for pid (a JVM forgotten). */
void jvm_hsperf_forget(pid_t pid);
void jvm_heap_collect(struct writer *w, const struct jvm_view *views, int n);

#endif
