"""jvmtap on a real Flink cluster (tests/flink/flinkbed.py), for each pinned Flink version: the
roles of the real entrypoints and launchers, a truth table of every JVM figure jvmtap exports
against Flink's own PrometheusReporter in the same JVMs, and a TaskManager killed with SIGKILL."""
import os
import signal
import subprocess
import time
import uuid

import pytest

from flinkbed import BUILD, JDK17, VERSIONS, Cluster, it, job_jar

# A paced job: 1000 records/s per subtask keeps both cores mostly free for the collector and the
# reporters, so the readings of one comparison are milliseconds apart.
RATE = 1000


@pytest.fixture(scope="module", params=VERSIONS)
def bed(request, tmp_path_factory):
    version = request.param
    tmp = tmp_path_factory.mktemp("flink-%s" % version)
    # The whole cluster runs in one test cgroup: its exits are counted apart from other JVMs'.
    cg = it.Cgroup(it.CG2, "jvmtap-flink-%s" % uuid.uuid4().hex[:8])
    # v2: the test cgroup is made there (v1 controllers of this hybrid host are not used).
    j = it.Jvmtap(("--cgroup.hierarchy=v2",))  # started first: it sees every JVM the scripts exec, BashJavaUtils too
    cluster = None
    try:
        cluster = Cluster(version, tmp, spawn=cg.spawn)
        jid = cluster.submit(job_jar(cluster.home, version), "--records", "0", "--rate", str(RATE))
        cluster.wait_running(jid, checkpoints=2)
        yield dict(version=version, cluster=cluster, jvmtap=j, jid=jid, cgroup=cg)
    finally:
        if cluster:
            cluster.stop()
        assert j.stop() == 0, "jvmtap exited non-zero:\n%s" % open(j.log.name).read()
        cg.remove()


def info(samples, pid):
    found = it.select(samples, "jvmtap_jvm_info", pid=str(pid))
    assert len(found) == 1, "no jvmtap_jvm_info for pid %d: %r" % (pid, found)
    return found[0][0]


def wait_info(j, pid, timeout=10):
    deadline = time.time() + timeout
    while True:
        s = j.scrape()
        if it.select(s, "jvmtap_jvm_info", pid=str(pid)) or time.time() > deadline:
            return info(s, pid)
        time.sleep(0.3)


def test_roles_of_real_entrypoints_and_launchers(bed):
    c, j = bed["cluster"], bed["jvmtap"]
    s = j.scrape()
    for role, p in c.procs:
        l = info(s, p.pid)
        want = ("StandaloneSessionClusterEntrypoint" if role == "jobmanager" else "TaskManagerRunner")
        assert (l["main_class"], l["flink_role"]) == (want, role), l
        assert l["usdt"] == "true" and l["hsperfdata"] == "true", l
    # Every JVM the scripts and the CLI started, the short-lived ones included, was seen.
    execs = c.java_execs()
    launchers = [pid for pid, cls, _ in execs if cls.endswith(".BashJavaUtils")]
    clients = [pid for pid, cls, _ in execs if cls.endswith(".CliFrontend")]
    assert len(launchers) >= 3, "one BashJavaUtils per script at least: %r" % execs
    assert clients, "flink run started no CliFrontend: %r" % execs
    cid = "/" + bed["cgroup"].rel
    for pid in launchers:
        l = info(s, pid)
        assert (l["main_class"], l["flink_role"]) == ("BashJavaUtils", "launcher"), l
        assert l["container_id"] == cid, "an exited JVM keeps the cgroup it ran in: %r" % l
    for pid in clients:
        assert info(s, pid)["flink_role"] == "client"
    it.record("flink %s: %d JVMs started by the scripts and the CLI (%d BashJavaUtils, %d "
              "CliFrontend), all in jvmtap_jvm_info with their roles"
              % (bed["version"], len(execs), len(launchers), len(clients)))


# ---- the truth table -------------------------------------------------------------------------

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
        add("gc %s time ms" % gc, ta, tb, fl(r, "GarbageCollector_%s_Time" % flink),
            1 + 0.02 * tb, "MXBean truncates to ms; hsperfdata and MXBean time the same pause "
            "with different clocks: 1 ms + 2 %")
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


def test_truth_table_against_flink_reporter(bed):
    c, j = bed["cluster"], bed["jvmtap"]
    table, failed = [], []
    for role, p in c.procs:
        pid = p.pid
        c.reporter(p)  # its first scrape loads the reporter's own classes
        # A full collection first: hsperfdata's metaspace counters are refreshed at the end of
        # a GC pause only (jstat's MU shows the same), the MXBean's are live; after it, both
        # count the same bytes. It also gives the Old Generation a collection to count.
        gc = subprocess.run([os.path.join(JDK17, "bin", "jcmd"), str(pid), "GC.run"],
                            capture_output=True, text=True, timeout=60)
        assert gc.returncode == 0, gc.stdout + gc.stderr
        # A collection between the two jvmtap readings makes heap used jump both ways: read
        # the three again (at most 5 times); every other row is checked as first read.
        for attempt in range(1, 6):
            a = j.scrape()
            r = c.reporter(p)
            b = j.scrape()
            if gc_counts(a, pid) == gc_counts(b, pid):
                break
        rows = rows_for(pid, a, r, b)
        it.record("flink %s %s %d: truth table read in %d attempt(s)" % (bed["version"], role,
                                                                        pid, attempt))
        for x in rows:
            table.append("%-11s %7d  %-40s %14s %14s %14s  %-9s %s" % (
                role, pid, x["what"], fmt(x["a"]), fmt(x["flink"]), fmt(x["b"]),
                "shown" if x["show_only"] else ("ok" if x["ok"] else "FAIL") + " ±" + fmt(x["tol"]),
                x["why"]))
            if not x["ok"]:
                failed.append(table[-1])
    head = ("Flink %s, JDK 17: jvmtap read (a), Flink's PrometheusReporter (flink), jvmtap again (b)\n"
            "%-11s %7s  %-40s %14s %14s %14s  %s\n" % (bed["version"], "role", "pid", "figure",
                                                         "jvmtap (a)", "flink", "jvmtap (b)", "check"))
    text = head + "\n".join(table) + "\n"
    os.makedirs(os.path.join(BUILD, "flink"), exist_ok=True)
    with open(os.path.join(BUILD, "flink", "truth-%s.txt" % bed["version"]), "w") as f:
        f.write(text)
    print("\n" + text)
    assert not failed, "jvmtap differs from Flink's reporter:\n" + "\n".join(failed)


def test_taskmanager_killed_and_replaced(bed):
    c, j = bed["cluster"], bed["jvmtap"]
    cid = "/" + bed["cgroup"].rel

    def kills(s):
        return sum(v for _, v in it.select(s, "jvmtap_jvm_exits_total", reason="signal", code="9",
                                            container_id=cid))

    before = kills(j.scrape())
    role, victim = c.procs[-1]
    assert role == "taskmanager"
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(10)
    deadline = time.time() + 10
    while kills(j.scrape()) < before + 1 and time.time() < deadline:
        time.sleep(0.2)
    assert kills(j.scrape()) == before + 1
    # The JobManager notices the loss (heartbeat timeout or the closed RPC connection).
    c.wait(lambda: c.rest("/overview")["taskmanagers"] == 1, 120, "TaskManager loss")
    new = c.start_taskmanager()
    l = wait_info(j, new.pid)
    assert (l["flink_role"], l["main_class"]) == ("taskmanager", "TaskManagerRunner")
    assert new.pid != victim.pid
    c.wait(lambda: c.rest("/overview")["taskmanagers"] == 2, 90, "replacement TaskManager")
    done = c.rest("/jobs/%s/checkpoints" % bed["jid"])["counts"]["completed"]
    c.wait_running(bed["jid"], checkpoints=done + 1)
    # The killed JVM is still listed (grace period) and the new one is a JVM of its own.
    s = j.scrape()
    assert info(s, victim.pid)["flink_role"] == "taskmanager"
    assert jt(s, "jvmtap_jvm_start_time_seconds", new.pid) > jt(s, "jvmtap_jvm_start_time_seconds",
                                                                c.procs[0][1].pid)
    it.record("flink %s: TaskManager %d killed: exits_total{signal 9} +1; replacement %d seen"
              % (bed["version"], victim.pid, new.pid))
