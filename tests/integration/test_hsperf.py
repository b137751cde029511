"""hsperfdata metrics against jstat -gc and the workload's own MXBeans; JVMs without the file;
corrupt files; Flink roles."""
import os
import shutil
import subprocess
import time

import pytest

from conftest import ROOT, crash_file, java_major, record, select, value
from test_jvm import DATA, Workload, classes, data_dir, jdk_copy, jvm_series, workloads  # noqa: F401

KB = 1024


def jstat_gc(pid):
    out = subprocess.run(["jstat", "-gc", str(pid)], capture_output=True, text=True, check=True).stdout
    head, vals = out.split("\n")[:2]
    return dict(zip(head.split(), (float(v) if v != "-" else 0.0 for v in vals.split())))


def pool(s, pid, what, name):
    return value(s, "jvmtap_jvm_memory_pool_%s_bytes" % what, pid=str(pid), pool=name)


def near(got, want, tol=0.01, abs_tol=2 * KB):
    return abs(got - want) <= max(tol * want, abs_tol)


@pytest.mark.parametrize("gc", ["-XX:+UseG1GC", "-XX:+UseParallelGC", "-XX:+UseSerialGC"])
def test_pools_match_jstat_and_gc_totals_match_mxbeans(jvmtap_factory, classes, tmp_path, workloads, gc):
    j = jvmtap_factory()
    w = Workload(classes, tmp_path, gc=gc, alloc=2.0, sleep=30, full=1)
    workloads.append(w)
    done = w.wait_phase("done")
    pid = done["pid"]
    time.sleep(1.0)  # allocation stopped: the numbers hold still while both are read
    st = jstat_gc(pid)
    s = j.scrape()
    (info, _), = jvm_series(s, "jvmtap_jvm_info", pid)
    assert info["hsperfdata"] == "true" and info["java_version"].split(".")[0] == java_major()
    assert info["gc_policy"] and info["flink_role"] == "none"
    checks = [("eden", "EU", "EC"), ("old", "OU", "OC"), ("metaspace", "MU", "MC"),
              ("compressed_class_space", "CCSU", "CCSC")]
    for name, u, c in checks:
        for what, col in (("used", u), ("committed", c)):
            got, want = pool(s, pid, what, name), st[col] * KB
            record("hsperf %s %s %s: jvmtap %d vs jstat %d" % (gc, name, what, got, want))
            assert near(got, want), "%s %s: jvmtap %d, jstat %d" % (name, what, got, want)
    assert near(pool(s, pid, "used", "survivor"), (st["S0U"] + st["S1U"]) * KB)
    assert near(pool(s, pid, "committed", "survivor"), (st["S0C"] + st["S1C"]) * KB)
    # Heap max is Runtime.maxMemory() (G1 counters carry +8 bytes of its own rounding).
    heap_max = value(s, "jvmtap_jvm_memory_max_bytes", pid=str(pid), area="heap")
    record("hsperf %s heap max: jvmtap %d vs Runtime.maxMemory %d" % (gc, heap_max, done["maxMemory"]))
    # Parallel's own max moves with the current to-space size (adaptive sizing), which
    # hsperfdata shows only as of the last collection: up to one survivor space apart.
    slack = pool(s, pid, "max", "survivor") if "Parallel" in gc else 64
    assert abs(heap_max - done["maxMemory"]) <= slack, (heap_max, done["maxMemory"], slack)
    heap_used = value(s, "jvmtap_jvm_memory_used_bytes", pid=str(pid), area="heap")
    assert near(heap_used, (st["EU"] + st["OU"] + st["S0U"] + st["S1U"]) * KB)
    # GC totals per collector: counts equal GarbageCollectorMXBean's; seconds are hsperfdata's
    # (what jstat shows as YGCT/FGCT). hsperfdata's timer also spans the end-of-collection
    # bookkeeping where jvmtap's own mem__pool__gc__end probes fire, the MXBean's does not:
    # with probes attached it reads 4-15% more on these sub-ms pauses (0.3% without probes).
    # By name: JDK 20 and later add a third G1 bean, "G1 Concurrent GC" (remark and cleanup).
    young, = [n for n in done["gc"] if "Young" in n or n in ("Copy", "PS Scavenge")]
    old, = [n for n in done["gc"] if "Old" in n or "MarkSweep" in n]
    for name, jcol in ((young, "YGCT"), (old, "FGCT")):
        count, ms = done["gc"][name]
        got_n = value(s, "jvmtap_jvm_gc_collections_total", pid=str(pid), gc=name)
        got_s = value(s, "jvmtap_jvm_gc_collection_seconds_total", pid=str(pid), gc=name)
        record("hsperf %s %s: %d collections %.4fs vs MXBean %d %dms, jstat %s %.3fs" % (
            gc, name, got_n, got_s, count, ms, jcol, st[jcol]))
        assert got_n == count
        assert abs(got_s - st[jcol]) <= 0.0015, (name, got_s, st[jcol])
        assert abs(got_s * 1000 - ms) <= max(0.2 * ms, 2.0), (name, got_s, ms)
    assert value(s, "jvmtap_jvm_safepoints_total", pid=str(pid)) > 0
    assert value(s, "jvmtap_jvm_classes_loaded_total", pid=str(pid)) > 400
    assert value(s, "jvmtap_jvm_threads_peak", pid=str(pid)) >= done["threads"]


@pytest.mark.parametrize("flag", ["-XX:-UsePerfData", "-XX:+PerfDisableSharedMem"])
def test_no_hsperfdata_keeps_usdt_metrics(jvmtap_factory, classes, tmp_path, workloads, flag):
    j = jvmtap_factory()
    # A first JVM gets the probes attached; the second is then seen from its first thread on.
    warm = Workload(classes, tmp_path, alloc=0.1, sleep=30)
    workloads.append(warm)
    warm.wait_phase("done")
    w = Workload(classes, tmp_path, gc=flag, alloc=1.0, sleep=30)
    workloads.append(w)
    pid = w.wait_phase("done")["pid"]
    time.sleep(0.5)
    s = j.scrape()
    (info, _), = jvm_series(s, "jvmtap_jvm_info", pid)
    assert info["hsperfdata"] == "false" and info["usdt"] == "true"
    assert sum(v for _, v in jvm_series(s, "jvmtap_jvm_gc_pause_seconds_count", pid)) > 0
    assert not jvm_series(s, "jvmtap_jvm_memory_used_bytes", pid)
    # Started after jvmtap with probes in place: threads still known without hsperfdata.
    (_, nd), = jvm_series(s, "jvmtap_jvm_threads", pid, daemon="false")
    (_, d), = jvm_series(s, "jvmtap_jvm_threads", pid, daemon="true")
    done = w.phases["done"]
    assert abs(nd + d - done["threads"]) <= 1 and abs(d - done["daemon"]) <= 1


def test_corrupt_hsperfdata_is_counted(jvmtap_factory, classes, tmp_path, workloads):
    """A JVM that writes no file (PerfDisableSharedMem) gets a hostile one in its place."""
    j = jvmtap_factory()
    w = Workload(classes, tmp_path, gc="-XX:+PerfDisableSharedMem", alloc=0.3, sleep=60)
    workloads.append(w)
    pid = w.wait_phase("done")["pid"]
    d = "/tmp/hsperfdata_root"
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, str(pid))
    real = open(os.path.join(ROOT, "tests", "unit", "data", "hsperfdata_g1.bin"), "rb").read()
    cases = {"truncated": real[:200], "bad_magic": b"\x00" * 4096,
             "bad_entry": real[:32] + os.urandom(len(real) - 32)}
    try:
        for reason, data in cases.items():
            before = value(j.scrape(), "jvmtap_hsperfdata_errors_total", reason=reason)
            with open(path, "wb") as f:
                f.write(data)
            s = j.scrape()
            assert value(s, "jvmtap_hsperfdata_errors_total", reason=reason) > before, reason
            (info, _), = jvm_series(s, "jvmtap_jvm_info", pid)
            assert info["hsperfdata"] == "false"
        with open(path, "wb") as f:
            f.write(os.urandom(32768))
        j.scrape()
        assert j.proc.poll() is None
    finally:
        os.unlink(path)


def test_private_tmp_and_unknown_user(jvmtap_factory, classes, tmp_path, workloads, cgroups):
    jdk = jdk_copy("jdk-copy", strip_usdt=False)
    os.chmod(DATA, 0o1777)  # the unknown user writes its -Xlog:gc file there
    j = jvmtap_factory()
    # The container's own /etc/passwd names uid 54321 "flinkuser"; the host has no such user.
    passwd = os.path.join(DATA, "passwd")
    with open("/etc/passwd") as src, open(passwd, "w") as dst:
        dst.write(src.read() + "flinkuser:x:54321:54321::/tmp:/bin/sh\n")
    wrapper = ["unshare", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc", "sh", "-c",
               'mount -t tmpfs -o mode=1777 tmpfs /tmp && mount --bind %s /etc/passwd && '
               'exec setpriv --reuid=54321 --regid=54321 --clear-groups "$0" "$@"' % passwd]
    w = Workload(classes, tmp_path, alloc=1.0, sleep=30, java=os.path.join(jdk, "bin", "java"),
                 wrapper=wrapper)
    workloads.append(w)
    w.wait_phase("done")
    # The JVM is unshare's child (pid 1 of its namespace): its host pid.
    host_pid = int(open("/proc/%d/task/%d/children" % (w.proc.pid, w.proc.pid)).read().split()[0])
    deadline = time.time() + 5
    while time.time() < deadline:
        infos = jvm_series(j.scrape(), "jvmtap_jvm_info", host_pid)
        if infos and infos[0][0]["hsperfdata"] == "true":
            break
        time.sleep(0.3)
    (info, _), = infos
    assert info["hsperfdata"] == "true", "hsperfdata_<unknown user> in a private /tmp"
    s = j.scrape()
    assert value(s, "jvmtap_jvm_memory_used_bytes", pid=info["pid"], area="heap") > 0
    assert os.path.exists("/proc/%d/root/tmp/hsperfdata_flinkuser/1" % host_pid)
    assert not os.path.exists("/tmp/hsperfdata_flinkuser")


def test_flink_role_from_main_class(jvmtap_factory, classes, tmp_path):
    j = jvmtap_factory()
    p = subprocess.Popen(["java", "-Xmx32m", crash_file(tmp_path), "-cp", classes,
                          "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", "30"],
                         stdout=subprocess.PIPE, text=True)
    try:
        p.stdout.readline()
        deadline = time.time() + 5
        while not jvm_series(j.scrape(), "jvmtap_jvm_info", p.pid) and time.time() < deadline:
            time.sleep(0.2)
        (info, _), = jvm_series(j.scrape(), "jvmtap_jvm_info", p.pid)
        assert info["flink_role"] == "taskmanager" and info["main_class"] == "TaskManagerRunner"
    finally:
        p.kill()
        p.wait()
