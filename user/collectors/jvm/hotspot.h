/* What HotSpot and Flink mean, as pure functions over names and hsperfdata: a JVM's Flink role
 * from its main class, a thread's kind from its name, the MXBean names of its collectors, heap
 * and pool totals as MemoryMXBean counts them, how long to wait for a JVM's hsperfdata file.
 * No I/O, no state: unit-tested on their own. */
#ifndef JVMTAP_HOTSPOT_H
#define JVMTAP_HOTSPOT_H

#include <stddef.h>
#include "hsperf.h"

/* "jobmanager", "taskmanager", "launcher", "client", "sql-client", "sql-gateway",
 * "historyserver" or "none", from the fully qualified main class. */
const char *flink_role_of(const char *main_class_full);

enum thread_kind { KIND_APP, KIND_GC, KIND_JIT, KIND_VM, KIND__N };
/* From the kernel's 15-byte copy of the thread's name. */
enum thread_kind thread_kind_of(const char *comm);
/* "app", "gc", "jit", "vm". */
const char *thread_kind_name(enum thread_kind k);

/* Where the file has no sun.gc.policy.name, the policy its collectors' names tell: "ZGC" or
 * "Shenandoah" (their collectors write none); else h->gc_policy is left as it is. */
void hotspot_gc_policy(struct hsperf_jvm *h);
/* hsperf_learn_jvm() (lay may be NULL) and hotspot_gc_policy(). */
enum hsperf_err hotspot_read(const void *buf, size_t len, struct hsperf_jvm *out,
			     struct hsperf_layout *lay);

/* Heap as MemoryMXBean and Runtime.maxMemory() count it. */
void hotspot_heap(const struct hsperf_jvm *h, long long *used, long long *committed,
		  long long *max);

enum hotspot_pool { POOL_EDEN, POOL_SURVIVOR, POOL_OLD, POOL_METASPACE, POOL_CCS, POOL__N };
/* "eden", "survivor", "old", "metaspace", "compressed_class_space". */
const char *hotspot_pool_name(enum hotspot_pool p);
/* used, committed and max of every pool: a space the collector does not have counts 0 (ZGC has
 * no eden), metaspace and compressed class space -1 when the file does not say. */
void hotspot_pools(const struct hsperf_jvm *h, long long out[POOL__N][3]);

/* Seconds until the next try to learn a JVM's version and GC policy from its hsperfdata, after a
 * try that returned err (jvm_read_hsperf(): 0, -ENOENT no file, -EAGAIN not ready yet,
 * -EBADMSG). *misses counts the tries in a row that found no file: the first
 * HOTSPOT_INFO_FAST_TRIES wait 1 s (HotSpot creates its file as it starts: a JVM found at exec
 * may not have it yet), the next ones twice as long each up to HOTSPOT_INFO_MAX_WAIT s (a JVM
 * run with -XX:-UsePerfData or -XX:+PerfDisableSharedMem, or not a HotSpot JVM, never has one).
 * Any other answer sets *misses to 0 and waits 1 s. */
#define HOTSPOT_INFO_FAST_TRIES 5
#define HOTSPOT_INFO_MAX_WAIT 60
unsigned hotspot_info_retry_s(int err, unsigned *misses);

/* Collector i's name as GarbageCollectorMXBean gives it, so the hsperfdata counts and the USDT
 * pause histogram join on gc; hsperfdata's own name where no MXBean name is known. */
const char *hotspot_collector_name(const struct hsperf_jvm *h, int i);

#endif
