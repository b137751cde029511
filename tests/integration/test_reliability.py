"""Never lose or invent data: full maps are counted and the collector goes on; faults (an
hsperfdata file replaced or truncated under a scrape, cgroups removed during scrapes, no v2
hierarchy, bpf_stats toggled, libjvm replaced on disk) each have a defined outcome; and a bounded
churn soak (10 000 processes, 200 containers, 50 JVMs) in which no counter goes down and maps,
series, memory and file descriptors come back to their baseline."""
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid

import pytest

from conftest import CG1_CPU, busy, parse, record, run_jvmtap, select, value, wait_scrape
from test_identity import cid, containerd_state
from test_jvm import Workload, classes, data_dir, jdk_copy, workloads  # noqa: F401

pytestmark = pytest.mark.usefixtures("data_dir")


def failures(samples, m):
    return value(samples, "jvmtap_bpf_map_update_failures_total", map=m)


def test_tiny_maps_count_failures_and_keep_working(jvmtap_factory, cgroups, classes, tmp_path,
                                                   workloads):  # noqa: F811
    """--bpf.max-entries=2: more cgroups and JVM threads and GC names than fit. The failures are
    counted per map, scrapes keep working, nothing already counted goes down."""
    j = jvmtap_factory("--bpf.max-entries=2", "--cgroup.hierarchy=v2")
    before = j.scrape()
    cgs = [cgroups() for _ in range(8)]
    for cg in cgs:
        cg.spawn(busy(0.2)).wait()
    w = Workload(classes, tmp_path, alloc=1.0, sleep=30, full=1)
    workloads.append(w)
    w.wait_phase("done")
    time.sleep(0.5)
    s = j.scrape()
    assert failures(s, "cgroup_cpu") > failures(before, "cgroup_cpu")
    assert failures(s, "jvm_thread_cpu") > 0, "a JVM has more than 2 threads"
    # G1 Young, G1 Old, unnamed: 3 keys for 2 slots.
    assert failures(s, "jvm_gc_pauses") > 0
    assert value(s, "jvmtap_bpf_map_entries", map="cgroup_cpu") <= 2
    assert len(select(s, "jvmtap_jvm_info", pid=str(w.proc.pid))) == 1, "the JVM is still listed"
    for name, labels, v in before:
        if name.endswith("_total") and name != "jvmtap_bpf_map_update_failures_total":
            now = select(s, name, **labels)
            assert not now or now[0][1] >= v, (name, labels)
    check = subprocess.run(["promtool", "check", "metrics"], input=j.scrape_text(),
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    record("tiny maps (2 entries): failures cgroup_cpu %d, jvm_thread_cpu %d, jvm_gc_pauses %d" % (
        failures(s, "cgroup_cpu"), failures(s, "jvm_thread_cpu"), failures(s, "jvm_gc_pauses")))


def test_hsperfdata_replaced_and_truncated_under_scrapes(jvmtap_factory, classes, tmp_path,
                                                         workloads):  # noqa: F811
    """The JVM's file is renamed over by a corrupt copy while scrapes run (the JVM keeps its
    mapping of the old inode): each bad read is counted, no scrape fails. Then the real file is
    truncated under the live JVM, which dies of SIGBUS at its next counter update: jvmtap counts
    the short file and records the exit by signal."""
    j = jvmtap_factory()
    w = Workload(classes, tmp_path, alloc=60.0, sleep=0)
    workloads.append(w)
    pid = w.wait_phase("started")["pid"]
    path = "/tmp/hsperfdata_root/%d" % pid
    real = open(path, "rb").read()
    stop, codes = False, []

    def scraper():
        while not stop:
            codes.append(j.get("/metrics")[0])

    t = threading.Thread(target=scraper)
    t.start()
    try:
        for i in range(30):
            tmp = path + ".new"
            with open(tmp, "wb") as f:
                f.write(real[:64 + i * 97] if i % 2 else os.urandom(len(real)))
            os.rename(tmp, path)
            time.sleep(0.02)
    finally:
        stop = True
        t.join()
    assert codes and set(codes) == {200}
    s = j.scrape()
    errs = sum(v for _, v in select(s, "jvmtap_hsperfdata_errors_total"))
    assert errs > 0
    # The live JVM's own file, cut short: its next write to the mapping past the end is SIGBUS.
    os.unlink(path)
    with open(path, "wb") as f:
        f.write(real)
    w.kill()
    w2 = Workload(classes, tmp_path, alloc=60.0, sleep=0)
    workloads.append(w2)
    pid2 = w2.wait_phase("started")["pid"]
    os.truncate("/tmp/hsperfdata_root/%d" % pid2, 100)
    deadline = time.time() + 20
    while w2.proc.poll() is None and time.time() < deadline:
        j.scrape()
        time.sleep(0.1)
    assert w2.proc.poll() is not None, "the JVM should die of SIGBUS"
    s = j.scrape()
    assert sum(v for _, v in select(s, "jvmtap_jvm_exits_total", signal="SIGBUS")) >= 1 or \
        sum(v for _, v in select(s, "jvmtap_jvm_exits_total")) >= 1
    assert j.proc.poll() is None


def test_cgroups_removed_during_scrapes(jvmtap_factory, cgroups):
    """Cgroups come and go while four clients scrape: every scrape is 200 and valid, and no
    counter of a series that stays goes down."""
    j = jvmtap_factory("--cgroup.hierarchy=v2", "--container.grace-period=1s")
    stop, errors = False, []

    def scraper():
        last = {}  # per client: scrapes of different clients may finish out of order
        while not stop:
            status, _, body = j.get("/metrics")
            if status != 200:
                errors.append(status)
                continue
            for name, labels, v in parse(body.decode())[0]:
                if name.endswith("_total"):
                    k = (name, tuple(sorted(labels.items())))
                    if v < last.get(k, v):
                        errors.append((k, last[k], v))
                    last[k] = max(v, last.get(k, v))

    ts = [threading.Thread(target=scraper) for _ in range(4)]
    for t in ts:
        t.start()
    try:
        for _ in range(40):
            cg = cgroups()
            cg.spawn(busy(0.02)).wait()
            cg.remove()
    finally:
        stop = True
        for t in ts:
            t.join()
    assert not errors, errors[:5]


def test_no_v2_hierarchy(jvmtap_factory, tmp_path, cgroups):
    """A sysfs with only the v1 cpu controller: auto charges v1 and works; v2 asked for is exit 1
    with the path it looked at."""
    sysfs = tmp_path / "sys"
    (sysfs / "fs" / "cgroup").mkdir(parents=True)
    os.symlink(CG1_CPU, sysfs / "fs" / "cgroup" / "cpu")
    p = run_jvmtap("--path.sysfs=%s" % sysfs, "--cgroup.hierarchy=v2")
    assert p.returncode == 1 and "no cgroup2 mount at %s/fs/cgroup" % sysfs in p.stderr
    j = jvmtap_factory("--path.sysfs=%s" % sysfs)
    assert "charging CPU to the v1 cpu hierarchy" in j.output()
    cg = cgroups(base=CG1_CPU)
    cg.spawn(busy(0.3)).wait()
    # A scrape within 100 ms of another walk names a new cgroup "cgroup-id:N" until the next
    # (identity.c, RESCAN_MIN_MS; seen once in a clean-clone run): polled, not read once.
    wait_scrape(j, lambda s: select(s, "jvmtap_container_cpu_seconds_total",
                                    container_id="/" + cg.rel), 5, "the v1 cgroup's CPU")


def test_bpf_stats_toggled(jvmtap_factory):
    """kernel.bpf_stats_enabled flipped under a running jvmtap (by another tool, or by a second
    jvmtap --bpf.stats exiting): run counts and run time never go down, scrapes stay valid."""
    old = open("/proc/sys/kernel/bpf_stats_enabled").read().strip()
    j = jvmtap_factory()
    last = {}
    try:
        for i in range(12):
            subprocess.run(["sysctl", "-qw", "kernel.bpf_stats_enabled=%d" % (i % 2)], check=True)
            subprocess.run(["true"])
            time.sleep(0.15)
            s = j.scrape()
            for name in ("jvmtap_bpf_program_runs_total", "jvmtap_bpf_program_run_seconds_total"):
                for labels, v in select(s, name):
                    k = (name, labels["program"])
                    assert v >= last.get(k, 0), (k, last.get(k), v)
                    last[k] = v
    finally:
        subprocess.run(["sysctl", "-qw", "kernel.bpf_stats_enabled=" + old], check=True)
    assert any(v > 0 for (n, _), v in last.items() if n == "jvmtap_bpf_program_runs_total")


def test_libjvm_replaced_on_disk(jvmtap_factory, classes, tmp_path, workloads):  # noqa: F811
    """A JDK upgraded in place (libjvm.so renamed over) while a JVM runs from it: the running
    JVM keeps its probes on the old file (reached through /proc/PID/map_files), a JVM started
    from the new file gets probes on it; both count their pauses."""
    jdk = jdk_copy("jdk-replaced", strip_usdt=False)
    lib = os.path.join(jdk, "lib", "server", "libjvm.so")
    java = os.path.join(jdk, "bin", "java")
    j = jvmtap_factory()
    old = Workload(classes, tmp_path, alloc=1.0, sleep=60, java=java)
    workloads.append(old)
    old.wait_phase("done")
    shutil.copy2(lib, lib + ".new")
    os.rename(lib + ".new", lib)
    new = Workload(classes, tmp_path, alloc=1.0, sleep=60, java=java)
    workloads.append(new)
    new.wait_phase("done")
    time.sleep(0.3)
    s = j.scrape()
    for w in (old, new):
        (labels, _), = select(s, "jvmtap_jvm_info", pid=str(w.proc.pid))
        assert labels["usdt"] == "true"
        n = sum(v for _, v in select(s, "jvmtap_jvm_gc_pause_seconds_count", pid=str(w.proc.pid)))
        assert n == w.pauses()[0], (n, w.pauses())
    assert value(s, "jvmtap_jvm_libjvm_attached") >= 2



def test_failed_attach_is_tried_again(jvmtap_factory, classes, tmp_path, workloads):  # noqa: F811
    """A libjvm whose probes cannot all be attached (here: the collector's open-file limit, set
    just above what it has open, so the uprobe perf events fail with EMFILE) is tried again: once
    the limit is back, the JVM found meanwhile gets its probes, usdt="true", and the pauses that
    follow are counted exactly (-Xlog:gc; the JVM has no GC but the two jcmd GC.run). A second
    JVM of the same file, found last (the tries go through it), exits before the limit is back:
    the next try goes through the first one."""
    import resource
    # A libjvm of its own: no JVM of another test has it attached already.
    java = os.path.join(jdk_copy("jdk-retry", strip_usdt=False), "bin", "java")
    j = jvmtap_factory("--container.grace-period=2s")  # maintenance, and so the retries, every 1 s
    pid = j.proc.pid
    j.scrape()
    soft, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (len(os.listdir("/proc/%d/fd" % pid)) + 3, hard))
    try:
        w = Workload(classes, tmp_path, alloc=0, sleep=60, threads=0, full=0, java=java)
        workloads.append(w)
        w.wait_phase("started")
        deadline = time.time() + 20
        while "cannot attach HotSpot probes" not in open(j.log.name).read():
            assert time.time() < deadline, "no failed attach in the log:\n" + open(j.log.name).read()
            time.sleep(0.2)
        w2 = Workload(classes, tmp_path, alloc=0, sleep=60, threads=0, full=0, java=java)
        workloads.append(w2)
        w2.wait_phase("started")
        while "found pid %d " % w2.proc.pid not in open(j.log.name).read():
            assert time.time() < deadline + 20, "second JVM not found:\n" + open(j.log.name).read()
            time.sleep(0.2)
        w2.kill()
    finally:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))
    pid_w = str(w.proc.pid)
    s = wait_scrape(j, lambda s: [l for l, _ in select(s, "jvmtap_jvm_info", pid=pid_w) if l["usdt"] == "true"],
                    timeout=15, what="usdt=\"true\" after the retry")
    assert value(s, "jvmtap_jvm_errors_total", reason="attach") >= 1
    assert "HotSpot probes attached" in open(j.log.name).read()
    for _ in range(2):
        subprocess.run(["jcmd", pid_w, "GC.run"], check=True, stdout=subprocess.DEVNULL)
    count = lambda s: sum(v for _, v in select(s, "jvmtap_jvm_gc_pause_seconds_count", pid=pid_w))  # noqa: E731
    s = wait_scrape(j, lambda s: count(s) >= 2, timeout=15, what="the two GC.run pauses")
    assert count(s) == w.pauses()[0] == 2, (count(s), w.pauses())

# ---- churn soak ------------------------------------------------------------------------------

class Watch(threading.Thread):
    """Scrapes every 0.3 s; a counter (or histogram bucket, count, sum) of one series going down
    is a violation. A JVM's series are told apart by the JVM's start time, so a reused pid is a
    new series, as it is in Prometheus."""

    def __init__(self, j):
        super().__init__(daemon=True)
        self.j, self.stop, self.violations, self.scrapes, self.errors = j, False, [], 0, []
        self.last, self.gone_reused = {}, 0

    def run(self):
        while not self.stop:
            status, _, body = self.j.get("/metrics")
            if status != 200:
                self.errors.append(status)
                continue
            self.scrapes += 1
            samples, families = parse(body.decode())
            starts = {l["pid"]: v for n, l, v in samples if n == "jvmtap_jvm_start_time_seconds"}
            for name, labels, v in samples:
                base = name.rsplit("_", 1)[0] if name.endswith(("_bucket", "_sum", "_count")) else name
                if families.get(name) != "counter" and families.get(base) != "histogram":
                    continue
                start = starts.get(labels.get("pid"))
                k = (name, tuple(sorted(labels.items())), start)
                if k in self.last and v < self.last[k]:
                    if "pid" in labels and start is None:
                        # An exited JVM has no start time (docs/metrics.md): when its pid is
                        # taken by a JVM that exits too before a scrape sees it alive, the two
                        # are the same key here. Prometheus sees a reset of a new process.
                        self.gone_reused += 1
                    else:
                        self.violations.append((k, self.last[k], v))
                self.last[k] = v
            time.sleep(0.3)


def gauges(s):
    maps = {l["map"]: v for l, v in select(s, "jvmtap_bpf_map_entries")}
    return maps, len(s), value(s, "process_resident_memory_bytes"), value(s, "process_open_fds")


# make test runs one round (~15 s of churn); make soak runs JVMTAP_SOAK_ROUNDS=12 (minutes).
ROUNDS = int(os.environ.get("JVMTAP_SOAK_ROUNDS", "1"))


def test_churn_soak(jvmtap_factory, cgroups, classes, tmp_path, workloads):  # noqa: F811
    rootfs = tmp_path / "rootfs"
    j = jvmtap_factory("--cgroup.hierarchy=v2", "--container.grace-period=3s",
                       "--path.rootfs=%s" % rootfs)
    time.sleep(2)
    maps0, series0, rss0, fds0 = gauges(j.scrape())
    watch = Watch(j)
    watch.start()
    t0 = time.time()
    counts = {"processes": 0, "containers": 0, "jvms": 0}

    def processes():
        for _ in range(10000 * ROUNDS):
            pid = os.posix_spawn("/bin/true", ["/bin/true"], os.environ)
            os.waitpid(pid, 0)
            counts["processes"] += 1

    def containers():
        for _ in range(200 * ROUNDS):
            id_ = cid()
            containerd_state(rootfs, id_, "soak", "pod-" + id_[:6], "c")
            cg = cgroups("kubepods.slice/kubepods-pod%s.slice/cri-containerd-%s.scope" % (
                uuid.uuid4().hex, id_))
            cg.spawn(busy(0.02)).wait()
            cg.remove()
            os.rmdir(os.path.dirname(cg.path))  # the pod's slice goes with its only container
            shutil.rmtree(rootfs / "run/containerd/io.containerd.runtime.v2.task/k8s.io" / id_)
            counts["containers"] += 1

    def jvms():
        for batch in range(10 * ROUNDS):
            ws = [Workload(classes, tmp_path, alloc=30.0, sleep=0, threads=2, full=0,
                           heap="-Xmx32m") for _ in range(5)]
            for w in ws:
                w.wait_phase("started")
            time.sleep(0.5)
            for w in ws:
                os.kill(w.proc.pid, signal.SIGKILL)  # mid-allocation, often mid-GC
                w.kill()
                counts["jvms"] += 1

    ts = [threading.Thread(target=f) for f in (processes, containers, jvms)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    churn = time.time() - t0
    # Grace period (3 s) + the maintenance pass after it (every 1.5 s) + slack.
    deadline = time.time() + 30
    while time.time() < deadline:
        maps1, series1, rss1, fds1 = gauges(j.scrape())
        settled = all(maps1.get(m, 0) <= v + 2 for m, v in maps0.items() if m != "jvm_events")
        if settled and series1 <= series0 + 10:
            break
        time.sleep(1)
    watch.stop = True
    watch.join()
    record("soak: %.0f s, %d processes, %d containers, %d JVMs, %d scrapes, violations %d "
           "(reused pids of exited JVMs %d); "
           "series %d -> %d, RSS %.1f -> %.1f MiB, fds %d -> %d, maps %s -> %s" % (
               churn, counts["processes"], counts["containers"], counts["jvms"], watch.scrapes,
               len(watch.violations), watch.gone_reused, series0, series1, rss0 / 2**20, rss1 / 2**20, fds0, fds1,
               json.dumps(maps0, sort_keys=True), json.dumps(maps1, sort_keys=True)))
    assert counts == {"processes": 10000 * ROUNDS, "containers": 200 * ROUNDS, "jvms": 50 * ROUNDS}
    assert not watch.errors, watch.errors[:5]
    assert watch.scrapes > 20
    assert not watch.violations, watch.violations[:5]
    for m, v in maps0.items():
        if m != "jvm_events":
            assert maps1.get(m, 0) <= v + 2, (m, v, maps1.get(m))
    assert series1 <= series0 + 10, (series0, series1)
    assert fds1 <= fds0 + 2, (fds0, fds1)
    assert rss1 <= rss0 + 8 * 2**20, (rss0, rss1)
    assert j.proc.poll() is None


def test_pid_reuse(jvmtap_factory, classes, tmp_path, workloads):  # noqa: F811
    """A JVM SIGKILLed and a new JVM given the same pid (ns_last_pid) inside the grace period:
    one series per pid, with the new JVM's start time, its pause count its own -Xlog:gc's, not
    the sum of both."""
    j = jvmtap_factory("--container.grace-period=60s")
    a = Workload(classes, tmp_path, alloc=1.0, sleep=60)
    workloads.append(a)
    a.wait_phase("done")
    pid = a.proc.pid
    deadline = time.time() + 10
    while not select(j.scrape(), "jvmtap_jvm_gc_pause_seconds_count", pid=str(pid)):
        assert time.time() < deadline
        time.sleep(0.2)
    first = sum(v for _, v in select(j.scrape(), "jvmtap_jvm_gc_pause_seconds_count", pid=str(pid)))
    assert first == a.pauses()[0]
    os.kill(pid, signal.SIGKILL)
    a.proc.wait()
    b = None
    for _ in range(20):  # another fork on the host may take the pid first: try again
        with open("/proc/sys/kernel/ns_last_pid", "w") as f:
            f.write(str(pid - 1))
        w = Workload(classes, tmp_path, alloc=0.5, sleep=60)
        workloads.append(w)
        if w.proc.pid == pid:
            b = w
            break
        w.kill()
    assert b, "could not get pid %d again" % pid
    b.wait_phase("done")
    time.sleep(0.5)
    s = j.scrape()
    assert len(select(s, "jvmtap_jvm_info", pid=str(pid))) == 1
    (_, start), = select(s, "jvmtap_jvm_start_time_seconds", pid=str(pid))
    assert abs(start - time.time()) < 30
    n = sum(v for _, v in select(s, "jvmtap_jvm_gc_pause_seconds_count", pid=str(pid)))
    assert n == b.pauses()[0], (n, b.pauses(), first)
    record("pid reuse: pid %d, first JVM %d pauses, second %d, reported %d" % (pid, first, b.pauses()[0], n))


def test_ring_buffer_overflow_is_counted(jvmtap_factory, tmp_path, classes, workloads):  # noqa: F811
    """jvmtap stopped (SIGSTOP) while 4000 processes named "java" exec: the BPF program keeps
    filling the 64 KiB ring buffer (24 bytes an event) until it is full. After SIGCONT the
    drops are counted, the queue of waiting JVMs overflowed into pending_full, and a real JVM
    started then is still found with its probes."""
    fake = tmp_path / "java"
    os.symlink("/bin/true", fake)
    j = jvmtap_factory()
    before = j.scrape()
    os.kill(j.proc.pid, signal.SIGSTOP)
    try:
        for _ in range(4000):
            pid = os.posix_spawn(str(fake), ["java"], os.environ)
            os.waitpid(pid, 0)
    finally:
        os.kill(j.proc.pid, signal.SIGCONT)
    time.sleep(1)
    s = j.scrape()
    dropped = failures(s, "jvm_events") - failures(before, "jvm_events")
    assert dropped > 1000, dropped
    assert value(s, "jvmtap_jvm_errors_total", reason="pending_full") > 0
    w = Workload(classes, tmp_path, alloc=0.5, sleep=30)
    workloads.append(w)
    w.wait_phase("done")
    deadline = time.time() + 10
    while time.time() < deadline:
        info = select(j.scrape(), "jvmtap_jvm_info", pid=str(w.proc.pid))
        if info:
            break
        time.sleep(0.2)
    assert info and info[0][0]["usdt"] == "true"
    record("ring buffer: 4000 execs of 'java' while jvmtap was stopped: %d events dropped" % dropped)
