/* How JVMs ended, per container: jvmtap_jvm_exits_total. */
#ifndef JVMTAP_JVM_EXITS_H
#define JVMTAP_JVM_EXITS_H

#include <time.h>
#include <sys/types.h>
#include "writer.h"

/* A JVM of the registry ended with this wait status: marks it gone and counts the exit. */
void jvm_exit_record(pid_t pid, unsigned status);
void jvm_exits_collect(struct writer *w);
/* Counts of containers gone past the grace period go with them. */
void jvm_exits_maintain(time_t now);
void jvm_exits_clear(void);

#endif
