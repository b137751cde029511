/* The JVM collector, as the rest of jvmtap sees it. */
#ifndef JVMTAP_JVM_USER_H
#define JVMTAP_JVM_USER_H

#include <sys/types.h>

/* Closes the current max-pause window (jvmtap top and dump): from then on the collector also
 * writes jvmtap_jvm_gc_pause_max_seconds, the longest collection of the window just closed. */
void jvm_window_advance(void);

/* Library probes in JVMs for another collector: JNI libraries (RocksDB's) are loaded after
 * the JVM starts, so every live JVM's maps are read again at each maintenance until it maps
 * k->file, which is then attached through the library probe registry (libprobe.h) and put
 * when the JVM is forgotten. Call from that collector's open(), after the JVM collector's.
 * The kind's index, or -ENOSPC past JVM_MAX_JNI kinds. */
struct libprobe_kind;
struct libprobe;
int jvm_watch_jni(struct libprobe_kind *k);
/* The file of watched kind `kind` (jvm_watch_jni's index) that JVM pid maps, or NULL. */
struct libprobe *jvm_jni(pid_t pid, int kind);

#endif
