/* The JVM collector, as the rest of jvmtap sees it. */
#ifndef JVMTAP_JVM_USER_H
#define JVMTAP_JVM_USER_H

/* Closes the current max-pause window (jvmtap top and dump): from then on the collector also
 * writes jvmtap_jvm_gc_pause_max_seconds, the longest collection of the window just closed. */
void jvm_window_advance(void);

#endif
