"""The Flink tests' oracles, read apart from jvmtap's own code: the truth table's rows (jvmtap
before and after Flink's PrometheusReporter in the same JVM), task threads from HotSpot's thread
dump and their CPU time from /proc, a histogram's median bucket, the newest checkpoint on disk and
the last restart in the JobManager's log."""
import datetime
import glob
import os
import re
import subprocess

from flinkbed import JDK17, it


def jt(samples, name, pid, **labels):
    return sum(v for _, v in it.select(samples, name, pid=str(pid), **labels))


def fl(samples, name):
    """A Flink reporter gauge of this JVM (the process's scope: jobmanager_ or taskmanager_)."""
    found = [v for n, _, v in samples if n.endswith("_Status_JVM_" + name)
             and n.split("_", 2)[1] in ("jobmanager", "taskmanager")]
    assert len(found) == 1, "reporter: %s: %r" % (name, found)
    return found[0]


def gc_counts(samples, pid):
    return sorted((l["gc"], v) for l, v in it.select(samples, "jvmtap_jvm_gc_collections_total",
                                                      pid=str(pid)))


# Each row: what, jvmtap's value, Flink's value, and the check. jvmtap is read before (a) and after
# (b) the reporter; counters and monotone gauges must lie in [a, b] widened by the tolerance.
def rows_for(pid, a, r, b):
    out = []

    def add(what, fa, fb, fr, tol, why, show_only=False):
        ok = show_only or (min(fa, fb) - tol <= fr <= max(fa, fb) + tol)
        out.append(dict(what=what, a=fa, b=fb, flink=fr, tol=tol, why=why, ok=ok,
                        show_only=show_only))

    for gc, _ in gc_counts(a, pid):
        flink = gc.replace(" ", "_")
        if not any(n.endswith("GarbageCollector_%s_Count" % flink) for n, _, _ in r):
            continue  # jvmtap's "G1 concurrent cycle pauses" has no MXBean in JDK 17
        add("gc %s collections" % gc,
            jt(a, "jvmtap_jvm_gc_collections_total", pid, gc=gc),
            jt(b, "jvmtap_jvm_gc_collections_total", pid, gc=gc),
            fl(r, "GarbageCollector_%s_Count" % flink), 0,
            "finished collections: exact")
        ta = 1000 * jt(a, "jvmtap_jvm_gc_collection_seconds_total", pid, gc=gc)
        tb = 1000 * jt(b, "jvmtap_jvm_gc_collection_seconds_total", pid, gc=gc)
        n = jt(b, "jvmtap_jvm_gc_collections_total", pid, gc=gc)
        add("gc %s time ms" % gc, ta, tb, fl(r, "GarbageCollector_%s_Time" % flink),
            1 + 0.3 * n + 0.02 * tb, "MXBean truncates to ms; hsperfdata and MXBean time each "
            "pause between different points (seen: up to 0.27 ms per pause on busy cores): "
            "1 ms + 0.3 ms per collection + 2 %")
    for what, m, area, f, why in (
            ("heap used", "jvmtap_jvm_memory_used_bytes", "heap", "Memory_Heap_Used",
             "both from G1's last size update; allocation between readings: 1 % of max"),
            ("heap committed", "jvmtap_jvm_memory_committed_bytes", "heap", "Memory_Heap_Committed",
             "sum of the spaces' capacities vs MemoryMXBean (8 bytes apart per space): 1 KiB"),
            ("heap max", "jvmtap_jvm_memory_max_bytes", "heap", "Memory_Heap_Max",
             "sum of the generations' max vs MemoryMXBean: 1 KiB")):
        va, vb = jt(a, m, pid, area=area), jt(b, m, pid, area=area)
        tol = 0.01 * fl(r, "Memory_Heap_Max") if what == "heap used" else 1024
        add(what, va, vb, fl(r, f), tol, why)
    add("metaspace used", jt(a, "jvmtap_jvm_memory_used_bytes", pid, area="nonheap"),
        jt(b, "jvmtap_jvm_memory_used_bytes", pid, area="nonheap"), fl(r, "Memory_Metaspace_Used"),
        0.01 * fl(r, "Memory_Metaspace_Used"),
        "after a GC (hsperfdata refreshes metaspace at GC end); class space included: 1 %")
    add("non-heap used (Flink: + code cache)",
        jt(a, "jvmtap_jvm_memory_used_bytes", pid, area="nonheap"),
        jt(b, "jvmtap_jvm_memory_used_bytes", pid, area="nonheap"), fl(r, "Memory_NonHeap_Used"),
        0, "differs by definition: Flink's NonHeap adds the code cache pools", show_only=True)
    add("live threads", jt(a, "jvmtap_jvm_threads", pid), jt(b, "jvmtap_jvm_threads", pid),
        fl(r, "Threads_Count"), 2,
        "thread__start/stop vs ThreadMXBean; checkpoint threads come and go: 2")
    add("cpu seconds", jt(a, "jvmtap_jvm_cpu_seconds_total", pid),
        jt(b, "jvmtap_jvm_cpu_seconds_total", pid), fl(r, "CPU_Time") / 1e9,
        0.02 + 0.01 * jt(b, "jvmtap_jvm_cpu_seconds_total", pid),
        "sched_switch vs getProcessCpuTime in clock ticks: 20 ms + 1 %")
    add("classes loaded", jt(a, "jvmtap_jvm_classes_loaded_total", pid),
        jt(b, "jvmtap_jvm_classes_loaded_total", pid), fl(r, "ClassLoader_ClassesLoaded"), 0,
        "hsperfdata counters vs ClassLoadingMXBean: exact")
    add("classes unloaded", jt(a, "jvmtap_jvm_classes_unloaded_total", pid),
        jt(b, "jvmtap_jvm_classes_unloaded_total", pid), fl(r, "ClassLoader_ClassesUnloaded"), 0,
        "exact")
    return out


def fmt(v):
    return "%d" % v if float(v).is_integer() else "%.6g" % v


def latest_checkpoint(c, jid):
    """The id of the newest chk-N folder of the job (Flink keeps the last completed ones)."""
    d = os.path.join(c.checkpoints, jid)
    ids = [int(n[4:]) for n in os.listdir(d) if n.startswith("chk-") and
           os.path.exists(os.path.join(d, n, "_metadata"))]
    return max(ids) if ids else 0


# The oracle's own reading of Flink's thread names (independent of user/parse/flinkthread.c):
# a task thread "<task> (<i>/<n>)#<attempt>", and its helpers named after it.
_TASK_THREAD = re.compile(r"^(?:OutputFlusher for |Source Data Fetcher for |Legacy Source Thread - "
                          r"|System Time Trigger for |Time Trigger for )?(.+) \(\d+/\d+\)(?:#\d+)?$")


def task_threads(pid):
    """{native tid: task} of a TaskManager, from `jcmd PID Thread.print` (HotSpot's own list)."""
    out = subprocess.run([os.path.join(JDK17, "bin", "jcmd"), str(pid), "Thread.print"],
                         capture_output=True, text=True, timeout=60).stdout
    tids = {}
    for line in out.splitlines():
        m = re.match(r'^"(.*)" .* nid=(0x[0-9a-f]+|\d+) ', line)
        if m:
            t = _TASK_THREAD.match(m.group(1))
            if t:
                tids[int(m.group(2), 0)] = t.group(1)
    return tids


def thread_cpu(pid, tids):
    """{task: seconds} summed over tids from /proc/PID/task/TID/stat (utime + stime)."""
    hz = os.sysconf("SC_CLK_TCK")
    out = {}
    for tid, task in tids.items():
        try:
            f = open("/proc/%d/task/%d/stat" % (pid, tid)).read()
        except OSError:
            continue
        fields = f[f.rindex(")") + 2:].split()
        out[task] = out.get(task, 0.0) + (int(fields[11]) + int(fields[12])) / hz
    return out


def state_ops(s, pid, op):
    """(count, {slot upper bound: cumulative count}) of a JVM's state calls of one op."""
    count = it.value(s, "jvmtap_flink_state_op_duration_seconds_count", pid=str(pid), op=op)
    buckets = {float(l["le"]): v for l, v in
               it.select(s, "jvmtap_flink_state_op_duration_seconds_bucket", pid=str(pid), op=op)}
    return count, buckets


def p50_bucket(b0, b1):
    """The (lower, upper) bound in seconds of the bucket that holds the median of the calls
    between two readings of a histogram."""
    les = sorted(b1)
    total = b1[les[-1]] - b0.get(les[-1], 0)
    lo = 0.0
    for le in les:
        if b1[le] - b0.get(le, 0) >= total / 2:
            return lo, le
        lo = le
    return lo, float("inf")


def last_restart_in_log(c, jid):
    """(entered RESTARTING, back to RUNNING) of the job's last restart, from the JobManager's
    log (seconds since the epoch; None when absent)."""
    start = end = None
    for f in sorted(glob.glob(os.path.join(c.logs, "*standalonesession*.log"))):
        for line in open(f, errors="replace"):
            if jid not in line or "switched from state" not in line:
                continue
            t = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            if line.rstrip().endswith("to RESTARTING."):
                start, end = t, None
            elif "from state RESTARTING to RUNNING" in line:
                end = t
    return start, end
