// SPDX-License-Identifier: GPL-2.0
/* HotSpot probes: GC pauses, one observation per collection (GCMemoryManager::gc_begin/gc_end
 * uprobes, or on a libjvm without their symbols gc__begin/end split by the
 * mem__pool__gc__begin/end USDT probes of each memory manager: jvm.h), safepoints
 * (hs_private:safepoint__begin/end) and Java thread starts/stops; plus exec notifications that
 * let userspace find new JVMs. Attached once per distinct libjvm file, for every process. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/usdt.bpf.h>
#include "jvmtap/cpu.h"
#include "jvmtap/jvm.h"
#include "shared_maps.bpf.h"
#include "maputil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* LRU: a JVM killed inside a pause leaves its thread's state behind; userspace also deletes the
 * states of exited JVMs. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct jvm_thread_state);
} thread_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4 * JVM_DEFAULT_MAX_JVMS);
	__type(key, struct jvm_gc_key);
	__type(value, struct jvm_hist);
} gc_pauses SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, JVM_DEFAULT_MAX_JVMS);
	__type(key, __u32);
	__type(value, struct jvm_hist);
} safepoints SEC(".maps");

/* Per tgid, for JVMs whose collector runs concurrent cycles (ZGC, Shenandoah): the name of
 * their pauses (jvm.h). LRU: an entry is written at every cycle; userspace also deletes those
 * of exited JVMs. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, JVM_DEFAULT_MAX_JVMS);
	__type(key, __u32);
	__type(value, struct jvm_gc_cycle);
} gc_cycles SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, JVM_DEFAULT_MAX_JVMS);
	__type(key, __u32);
	__type(value, struct jvm_threads);
} threads SEC(".maps");

/* Threads whose start (bit 0) or stop (bit 1) was counted, told apart from a later thread with
 * the same tid by the task's start time. The same libjvm reached through two overlayfs mounts
 * looks like two files to userspace, so one probe hit can run these programs twice; a thread
 * starts and stops once. */
struct thread_seen_val {
	__u64 start_time;
	__u64 bits;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct thread_seen_val);
} thread_seen SEC(".maps");

/* Names longer than comm holds, of live Java threads (jvm.h); removed at thread__stop. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, JVM_MAX_THREAD_NAMES);
	__type(key, __u32);
	__type(value, struct jvm_thread_name);
} thread_names SEC(".maps");

/* The value is too big for the stack: built here, one per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct jvm_thread_name);
} thread_name_buf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

__u64 thread_state_update_failures = 0;
__u64 gc_pauses_update_failures = 0;
__u64 safepoints_update_failures = 0;
__u64 threads_update_failures = 0;
__u64 events_dropped = 0;
/* The current max window (struct jvm_hist); userspace advances it. */
__u32 max_window = 0;

static __always_inline void observe(void *map, void *key, __u64 ns, __u64 *failures)
{
	struct jvm_hist *h, zero = {};
	__u32 slot = log2_slot_of(ns, JVM_HIST_SLOTS), win = max_window, k = win & 1;

	h = lookup_or_init(map, key, &zero, failures);
	if (!h)
		return;
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->sum_ns, ns);
	__sync_fetch_and_add(&h->count, 1);
	h->last_ns = ns;
	/* Racing observers of one key are threads of one JVM in the same pause: rare, and at worst
	 * one of two near-equal maxima is kept. */
	if (h->win[k] != win) {
		h->win[k] = win;
		h->win_max_ns[k] = ns;
	} else if (ns > h->win_max_ns[k]) {
		h->win_max_ns[k] = ns;
	}
}

static __always_inline bool starts_with(const char *b, const char *p, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (b[i] != p[i])
			return false;
	return true;
}

static __always_inline struct jvm_thread_state *state(bool create)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct jvm_thread_state init = {};

	if (!create)
		return bpf_map_lookup_elem(&thread_state, &tid);
	init.tgid = id >> 32;
	return lookup_or_init(&thread_state, &tid, &init, &thread_state_update_failures);
}

SEC("usdt")
int BPF_USDT(gc_begin, int is_full)
{
	struct jvm_thread_state *s = state(true);

	if (!s)
		return 0;
	/* Only the outermost marker of a nest opens a pause. */
	if (s->gc_depth++ == 0) {
		s->gc_start_ns = bpf_ktime_get_ns();
		s->gc_full = !!is_full;
		s->pools_open = 0;
		s->named = 0;
	}
	return 0;
}

static __always_inline void record(struct jvm_thread_state *s, __u64 start, __u64 end)
{
	struct jvm_gc_key key = {};

	key.tgid = s->tgid;
	key.full = s->gc_full;
	__builtin_memcpy(key.name, s->gc_name, JVM_GC_NAME_LEN);
	observe(&gc_pauses, &key, end - start, &gc_pauses_update_failures);
}

/* A memory pool event outside a pause: ZGC and Shenandoah time their concurrent cycles with a
 * manager named "... Cycles" (its pools fire on the collector's own thread, never inside a
 * pause); their pauses report through another manager, "... Pauses", that fires no pool
 * events. The begin of a cycle names the pauses that follow as its "... Pauses" manager counts
 * them; the end of a ZGC minor cycle gives them back to the major one (jvm.h). */
static __always_inline void cycle_event(const char *mgr, long mgr_len, bool begin)
{
	struct jvm_gc_cycle c = {};
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, n, i;

	if (mgr_len < 7 || mgr_len > JVM_GC_NAME_LEN - 1)
		return;
	n = (__u32)mgr_len;
	if (bpf_probe_read_user(c.pauses, n & (JVM_GC_NAME_LEN - 1), mgr))
		return;
	/* " Cycles" ends the name; " Pauses" has the same length */
	for (i = 0; i < 7; i++)
		if (c.pauses[(n - 7 + i) & (JVM_GC_NAME_LEN - 1)] != " Cycles"[i])
			return;
	if (begin) {
		for (i = 0; i < 6; i++)
			c.pauses[(n - 6 + i) & (JVM_GC_NAME_LEN - 1)] = "Pauses"[i];
	} else {
		if (n != 16 || !starts_with(c.pauses, "ZGC Minor Cycles", 16))
			return;
		__builtin_memcpy(c.pauses, "ZGC Major Pauses", 16);
	}
	bpf_map_update_elem(&gc_cycles, &tgid, &c, BPF_ANY);
}

/* Fires once per memory pool when a collection starts; the first of a collection names its
 * memory manager ("G1 Young Generation", "PS MarkSweep", ...), a string with a length, not
 * NUL-terminated. The pause's first collection starts with the pause. */
SEC("usdt")
int BPF_USDT(mem_pool_gc_begin, const char *mgr, long mgr_len)
{
	struct jvm_thread_state *s = state(false);
	__u32 n;

	if (!s || !s->gc_depth) {
		cycle_event(mgr, mgr_len, true);
		return 0;
	}
	if (s->pools_open++ == 0) {
		s->seg_start_ns = s->named ? bpf_ktime_get_ns() : s->gc_start_ns;
		/* The name is part of a map key: no bytes of a longer previous name may stay. */
		__builtin_memset(s->gc_name, 0, JVM_GC_NAME_LEN);
		n = mgr_len > 0 && mgr_len < JVM_GC_NAME_LEN - 1 ? (__u32)mgr_len : JVM_GC_NAME_LEN - 1;
		if (mgr_len <= 0 || bpf_probe_read_user(s->gc_name, n & (JVM_GC_NAME_LEN - 1), mgr))
			n = 0;
		s->gc_name[n & (JVM_GC_NAME_LEN - 1)] = '\0';
	}
	return 0;
}

SEC("usdt")
int BPF_USDT(mem_pool_gc_end, const char *mgr, long mgr_len)
{
	struct jvm_thread_state *s = state(false);

	if (!s || !s->gc_depth) {
		cycle_event(mgr, mgr_len, false);
		return 0;
	}
	if (!s->pools_open || --s->pools_open)
		return 0;
	record(s, s->seg_start_ns, bpf_ktime_get_ns());
	s->named = 1;
	return 0;
}

SEC("usdt")
int BPF_USDT(gc_end)
{
	struct jvm_thread_state *s = state(false);

	if (!s || !s->gc_depth || --s->gc_depth)
		return 0;
	if (!s->named) {
		/* No manager reported: ZGC's and Shenandoah's pauses take their cycle's name, others
		 * (JDK 17 G1 Remark and Cleanup) stay unnamed. */
		struct jvm_gc_cycle *c = bpf_map_lookup_elem(&gc_cycles, &s->tgid);

		if (c)
			__builtin_memcpy(s->gc_name, c->pauses, JVM_GC_NAME_LEN);
		else
			__builtin_memset(s->gc_name, 0, JVM_GC_NAME_LEN);
		record(s, s->gc_start_ns, bpf_ktime_get_ns());
	}
	return 0;
}

/* Manager probes (jvm.h). GCMemoryManager::gc_begin(this, ...): the attach cookie is the offset
 * of MemoryManager::_name in the object, which gcprobes.c reads from the constructor. */
SEC("uprobe")
int gc_manager_begin(struct pt_regs *ctx)
{
	struct jvm_thread_state *s = state(false);
	char *mgr = (char *)PT_REGS_PARM1(ctx);
	const char *name;

	/* Outside a safepoint: a concurrent cycle (ZGC, Shenandoah) on its own thread. */
	if (!s || !s->sp_depth || s->mgr_depth++)
		return 0;
	s->seg_start_ns = bpf_ktime_get_ns();
	s->mgr = (__u64)mgr;
	/* The VM thread's collections are mostly by one manager: its name is still in gc_name
	 * from the last one (mgr_known), and is read again only for another. */
	if (s->mgr == s->mgr_known)
		return 0;
	s->mgr_known = 0;
	/* The name is part of a map key: no bytes of a longer previous name may stay. */
	__builtin_memset(s->gc_name, 0, JVM_GC_NAME_LEN);
	if (bpf_probe_read_user(&name, sizeof(name), mgr + bpf_get_attach_cookie(ctx)) ||
	    bpf_probe_read_user_str(s->gc_name, JVM_GC_NAME_LEN, name) < 0)
		__builtin_memset(s->gc_name, 0, JVM_GC_NAME_LEN);
	return 0;
}

/* GCMemoryManager::gc_end(this, bool x4, GCCause::Cause, bool, const char *message): the 8th
 * argument, on the stack above the return address, is GarbageCollectionNotificationInfo's
 * gcAction ("end of minor GC", "end of major GC", "end of GC pause"), the same for every
 * collection of one manager. gcprobes.c picks the manager probes on x86-64 only. */
SEC("uprobe")
int gc_manager_end(struct pt_regs *ctx)
{
	struct jvm_thread_state *s = state(false);
	__u64 now = bpf_ktime_get_ns();
	const char *msg = NULL;
	char m[16] = {};

	if (!s || !s->mgr_depth || --s->mgr_depth)
		return 0;
	if (s->mgr != s->mgr_known) {
#if defined(bpf_target_x86)
		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)(PT_REGS_SP(ctx) + 16)))
			msg = NULL;
#endif
		s->mgr_full = msg && !bpf_probe_read_user(m, sizeof(m), msg) &&
			      starts_with(m, "end of major GC", 16);
		/* a name that could not be read is read again next time */
		s->mgr_known = msg && s->gc_name[0] ? s->mgr : 0;
	}
	s->gc_full = s->mgr_full;
	record(s, s->seg_start_ns, now);
	s->named = 1;
	return 0;
}

/* JDK 17 G1's Remark and Cleanup: VM_G1PauseConcurrent::doit(), on the VM thread, reports to
 * no manager (JDK 20 and later count them in "G1 Concurrent GC", and gcprobes.c does not attach
 * these there). One unnamed minor observation unless a manager reported inside. */
SEC("uprobe")
int g1_pause_begin(struct pt_regs *ctx)
{
	struct jvm_thread_state *s = state(false);

	if (s && s->sp_depth && s->conc_depth++ == 0) {
		s->conc_start_ns = bpf_ktime_get_ns();
		s->named = 0;
	}
	return 0;
}

SEC("uretprobe")
int g1_pause_end(struct pt_regs *ctx)
{
	struct jvm_thread_state *s = state(false);

	if (!s || !s->conc_depth || --s->conc_depth || s->named)
		return 0;
	__builtin_memset(s->gc_name, 0, JVM_GC_NAME_LEN);
	s->gc_full = 0;
	s->mgr_known = 0; /* gc_name no longer holds its name */
	record(s, s->conc_start_ns, bpf_ktime_get_ns());
	return 0;
}

SEC("usdt")
int BPF_USDT(safepoint_begin)
{
	struct jvm_thread_state *s = state(true);

	if (s && s->sp_depth++ == 0)
		s->sp_start_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("usdt")
int BPF_USDT(safepoint_end)
{
	struct jvm_thread_state *s = state(false);
	__u32 tgid;

	if (!s || !s->sp_depth || --s->sp_depth)
		return 0;
	tgid = s->tgid;
	observe(&safepoints, &tgid, bpf_ktime_get_ns() - s->sp_start_ns,
		&safepoints_update_failures);
	return 0;
}

/* HotSpot threads that ThreadMXBean does not count (is_hidden_from_external_view). */
static __always_inline bool hidden_thread(const char *name, long len)
{
	char b[32] = {};
	__u32 n = len < 31 ? (__u32)len : 31;

	if (bpf_probe_read_user(b, n & 31, name))
		return false;
	if ((b[0] == 'C' && (b[1] == '1' || b[1] == '2') && b[2] == ' ' && b[3] == 'C') || /* Cn CompilerThread */
	    (b[0] == 'J' && b[1] == 'V' && b[2] == 'M' && b[3] == 'C' && b[4] == 'I'))   /* JVMCI* */
		return true;
	return starts_with(b, "Sweeper thread", 14) || starts_with(b, "Service Thread", 14) ||
	       starts_with(b, "Monitor Deflatio", 16);
}

/* Keeps the full name of a TaskManager's thread that comm may cut (15 bytes or more), for CPU
 * per task. It stays after the thread stops: userspace charges the thread's last CPU time to
 * its task when it folds the exited thread, and deletes the name then (a task thread of a
 * short job may start and stop between two scrapes). */
static __always_inline void name_thread(__u32 tgid, __u32 ntid, const char *name, long len)
{
	struct jvm_thread_name *v;
	__u32 zero = 0, n;
	__u8 *follow;

	if (len < 15 || !(follow = bpf_map_lookup_elem(&jvm_tgids, &tgid)) ||
	    *follow != JVM_TGID_NAMES || !(v = bpf_map_lookup_elem(&thread_name_buf, &zero)))
		return;
	n = len < JVM_THREAD_NAME_LEN - 1 ? (__u32)len : JVM_THREAD_NAME_LEN - 1;
	__builtin_memset(v->name, 0, sizeof(v->name));
	if (bpf_probe_read_user(v->name, n & (JVM_THREAD_NAME_LEN - 1), name))
		return;
	v->tgid = tgid;
	v->len = n;
	bpf_map_update_elem(&thread_names, &ntid, v, BPF_ANY);
}

static __always_inline int thread_event(const char *name, long len, long native_tid, int daemon,
					bool start)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct thread_seen_val *seen, first = { .bits = start ? 1 : 2 };
	struct jvm_threads *t, zero = {};

	first.start_time = BPF_CORE_READ(task, start_time);
	seen = bpf_map_lookup_elem(&thread_seen, &tid);
	if (seen && seen->start_time == first.start_time) {
		if (seen->bits & first.bits)
			return 0;
		seen->bits |= first.bits;
	} else {
		bpf_map_update_elem(&thread_seen, &tid, &first, BPF_ANY);
	}

	if (start)
		name_thread(tgid, native_tid > 0 ? (__u32)native_tid : tid, name, len);
	t = lookup_or_init(&threads, &tgid, &zero, &threads_update_failures);
	if (!t)
		return 0;
	if (hidden_thread(name, len))
		__sync_fetch_and_add(start ? &t->hidden_started : &t->hidden_stopped, 1);
	else if (daemon)
		__sync_fetch_and_add(start ? &t->daemon_started : &t->daemon_stopped, 1);
	else
		__sync_fetch_and_add(start ? &t->started : &t->stopped, 1);
	return 0;
}

SEC("usdt")
int BPF_USDT(thread_start, const char *name, long len, long java_tid, long native_tid, int daemon)
{
	return thread_event(name, len, native_tid, daemon, true);
}

SEC("usdt")
int BPF_USDT(thread_stop, const char *name, long len, long java_tid, long native_tid, int daemon)
{
	return thread_event(name, len, native_tid, daemon, false);
}

/* After exec, comm is the new program's name: "java" launches nearly every JVM (Flink's
 * scripts included). Others are found by userspace's periodic /proc scan. */
SEC("raw_tp/sched_process_exec")
int jvm_exec(void *ctx)
{
	struct jvm_exec_event *e;
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	if (comm[0] != 'j' || comm[1] != 'a' || comm[2] != 'v' || comm[3] != 'a' || comm[4])
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&events_dropped, 1);
		return 0;
	}
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->type = JVM_EV_EXEC;
	e->code = 0;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* The last thread of a tracked JVM leaves: how it ended. Its exit_code is the process's wait
 * status (exit_group() sets it for every thread; a fatal signal's number otherwise). */
SEC("raw_tp/sched_process_exit")
int jvm_exit(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct jvm_exec_event *e;

	if (!jvm_followed(tgid)) /* every thread exit on the host: the bitmap, not the hash */
		return 0;
	/* live is decremented before this tracepoint: 0 means this is the last thread. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&events_dropped, 1);
		return 0;
	}
	e->pid = tgid;
	e->type = JVM_EV_EXIT;
	e->code = BPF_CORE_READ(task, exit_code);
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
