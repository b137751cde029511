/* Shared between bpf/jvm.bpf.c and user/jvm.c: HotSpot USDT state and JVM discovery events. */
#ifndef JVMTAP_JVM_H
#define JVMTAP_JVM_H

#define JVM_GC_NAME_LEN 32
#define JVM_HIST_SLOTS 40 /* log2(ns) slots: slot i holds [2^i, 2^(i+1)) ns, up to ~18 min */

enum jvm_event_type { JVM_EV_EXEC = 0, JVM_EV_EXIT = 1 };

/* Ring buffer event. EXEC: a process whose comm became "java" after exec; userspace then waits
 * for it to map libjvm. EXIT: the last thread of a tracked JVM exited; code is the wait status
 * (exit code << 8, or the killing signal in the low 7 bits). */
struct jvm_exec_event {
	__u32 pid;
	__u32 type;
	__u32 code;
	__u32 pad;
};

/* Per-thread state of the GC and safepoint probes, keyed by thread id. A collection is one
 * memory manager's (GarbageCollectorMXBean's) work, one observation as in -Xlog:gc; a pause
 * (one VM operation) may hold several (Parallel's System.gc() scavenges, then compacts).
 * Two ways to see them, chosen per libjvm file (user/collectors/jvm/gcprobes.c):
 * - manager: uprobes on GCMemoryManager::gc_begin/gc_end, which name their manager; a
 *   collection is a pause when it begins on a thread inside a safepoint (concurrent cycles
 *   begin on the collector's own threads). JDK 17 G1's Remark and Cleanup report to no
 *   manager: VM_G1PauseConcurrent::doit's entry and return time them, unnamed.
 * - usdt (a libjvm without those symbols): gc__begin..gc__end bound the pause, and the first
 *   mem__pool__gc__begin of each manager names its collection. */
struct jvm_thread_state {
	__u32 tgid;
	__u32 gc_depth; /* usdt: nested gc__begin markers */
	__u64 gc_start_ns;
	__u64 seg_start_ns; /* start of the current collection */
	__u32 gc_full;
	__u32 pools_open;   /* usdt: mem__pool__gc__begin without its end, in this collection */
	__u32 named;        /* a manager reported in this pause */
	__u32 sp_depth;
	__u64 sp_start_ns;
	__u32 mgr_depth;    /* manager: gc_begin without its gc_end */
	__u32 mgr_full;     /* manager: mgr_known's action is "end of major GC" */
	__u64 mgr;          /* manager: the current collection's GCMemoryManager */
	__u64 mgr_known;    /* manager: the one whose name gc_name holds (0: none) */
	__u32 conc_depth;   /* manager: inside VM_G1PauseConcurrent::doit */
	__u64 conc_start_ns;
	char gc_name[JVM_GC_NAME_LEN]; /* manager of the current collection */
};

struct jvm_gc_key {
	__u32 tgid;
	__u32 full; /* 1 = major: manager, its gc_end message "end of major GC"; usdt, gc__begin's
		     * is_full */
	char name[JVM_GC_NAME_LEN];
};

/* Per JVM: the memory manager a pause in which no manager reports is counted under, from the
 * concurrent collector's cycle manager that began last ("ZGC Minor Cycles" -> "ZGC Minor
 * Pauses", "Shenandoah Cycles" -> "Shenandoah Pauses"); the end of a ZGC minor cycle hands the
 * pauses back to "ZGC Major Pauses", as ZServiceabilityPauseTracer::minor_is_active() does. */
struct jvm_gc_cycle {
	char pauses[JVM_GC_NAME_LEN];
};

struct jvm_hist {
	__u64 slots[JVM_HIST_SLOTS];
	__u64 sum_ns;
	__u64 count;
	__u64 last_ns;
	/* Longest observation per window (jvmtap top and dump): window w keeps its maximum in slot
	 * w & 1, so the window userspace just closed stays readable while the next one fills. */
	__u64 win_max_ns[2];
	__u32 win[2];
};

/* Java threads as ThreadMXBean counts them: HotSpot's hidden threads (compiler, sweeper,
 * service, monitor deflation) fire thread__start too and are counted apart. */
struct jvm_threads {
	__u64 started;
	__u64 stopped;
	__u64 daemon_started;
	__u64 daemon_stopped;
	__u64 hidden_started;
	__u64 hidden_stopped;
};

/* A Java thread's name as thread__start gives it, for names comm (15 bytes) cuts: Flink runs
 * each subtask on a thread named "<task> (<i>/<n>)#<attempt>". Keyed by native tid. */
#define JVM_THREAD_NAME_LEN 128
struct jvm_thread_name {
	__u32 tgid;
	__u32 len; /* bytes in name, at most JVM_THREAD_NAME_LEN - 1 */
	char name[JVM_THREAD_NAME_LEN];
};
#define JVM_MAX_THREAD_NAMES 16384

/* Values of the shared map jvm_tgids: a JVM followed one by one, and a TaskManager, whose
 * long thread names are kept too (only its task threads' names are read). */
#define JVM_TGID_FOLLOW 1
#define JVM_TGID_NAMES 2

#define JVM_DEFAULT_MAX_THREADS 65536
#define JVM_DEFAULT_MAX_JVMS 4096

#endif
