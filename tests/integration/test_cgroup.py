"""Container memory, CPU quota and throttling and OOM kills (collectors cgroup and oom) against
their oracles: the cgroup files themselves, read by the test just before and just after a scrape
that shows a reading the refresh worker began after the first read (j.scrape_fresh: a value must
lie between the two readings), a real OOM kill at a memory limit (a plain
allocator and a JVM) and a real CFS quota with a busy loop."""
import os
import subprocess
import time

import pytest

from conftest import CG1_CPU, CG2, ROOT, busy, crash_file, record, select

MEM1 = "/sys/fs/cgroup/memory"
MiB = 1 << 20

# Allocates and touches ANON MiB (bytearray * n writes every byte: a calloc'd bytearray would stay
# untouched zero pages), writes FILE MiB to a file (page cache charged to the cgroup), says "r"
# and waits for a line on stdin; then allocates 1 MiB at a time until it is stopped.
ALLOC = r'''
import sys
anon, file, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
keep = [bytearray(b"x") * (anon << 20)]
if file:
    with open(path, "wb") as f:
        for _ in range(file):
            f.write(b"y" * (1 << 20))
print("r", flush=True)
sys.stdin.readline()
while True:
    keep.append(bytearray(b"z") * (1 << 20))
'''


def v2_memory():
    with open(os.path.join(CG2, "cgroup.controllers")) as f:
        return "memory" in f.read().split()


def v2_cpu():
    with open(os.path.join(CG2, "cgroup.controllers")) as f:
        return "cpu" in f.read().split()


def read(path):
    with open(path) as f:
        return f.read()


def keyed(path, key):
    for line in read(path).splitlines():
        k, v = line.split(" ", 1)
        if k == key:
            return int(v)
    raise AssertionError("no %s in %s" % (key, path))


class Container:
    """One test cgroup per hierarchy a container has: v1, the cpu controller's cgroup (the one
    jvmtap's identity walks) and the memory controller's at the same path, as the kubelet makes
    them; v2, one cgroup. Processes start inside every one of them."""

    def __init__(self, cgroups, hier, rel=None, id_=None):
        self.hier = hier
        if hier == "v1":
            self.cpu = cgroups(rel=rel, base=CG1_CPU)
            self.mem = cgroups(rel=self.cpu.rel, base=MEM1)
        else:
            with open(os.path.join(CG2, "cgroup.controllers")) as f:
                have = f.read().split()
            with open(os.path.join(CG2, "cgroup.subtree_control"), "w") as f:
                f.write(" ".join("+" + k for k in ("memory", "cpu") if k in have))
            self.cpu = self.mem = cgroups(rel=rel, base=CG2)
        self.rel = self.cpu.rel
        self.id = id_ or "/" + self.rel

    def spawn(self, argv, **kw):
        procs = [os.path.join(c.path, "cgroup.procs") for c in {id(self.cpu): self.cpu, id(self.mem): self.mem}.values()]

        def enter():
            for p in procs:
                with open(p, "w") as f:
                    f.write("0")
        p = subprocess.Popen(argv, preexec_fn=enter, **kw)
        self.cpu.procs.append(p)
        return p

    def mem_file(self, v1name, v2name):
        return os.path.join(self.mem.path, v1name if self.hier == "v1" else v2name)

    def cpu_file(self, v1name, v2name):
        return os.path.join(self.cpu.path, v1name if self.hier == "v1" else v2name)

    def set_memory_limit(self, nbytes):
        with open(self.mem_file("memory.limit_in_bytes", "memory.max"), "w") as f:
            f.write(str(nbytes))
        if self.hier == "v2":  # no swap here, but a host with swap would page instead of OOM
            with open(os.path.join(self.mem.path, "memory.swap.max"), "w") as f:
                f.write("0")

    def set_cpu_quota(self, quota_us, period_us):
        if self.hier == "v1":
            with open(os.path.join(self.cpu.path, "cpu.cfs_period_us"), "w") as f:
                f.write(str(period_us))
            with open(os.path.join(self.cpu.path, "cpu.cfs_quota_us"), "w") as f:
                f.write(str(quota_us))
        else:
            with open(os.path.join(self.cpu.path, "cpu.max"), "w") as f:
                f.write("%d %d" % (quota_us, period_us))

    def memory(self):
        """usage, working set (usage - inactive_file, floored at 0), rss, cache, as the kubelet
        and cAdvisor compute them, from the files."""
        stat = self.mem_file("memory.stat", "memory.stat")
        usage = int(read(self.mem_file("memory.usage_in_bytes", "memory.current")))
        v1 = self.hier == "v1"
        inactive = keyed(stat, "total_inactive_file" if v1 else "inactive_file")
        return {"usage": usage, "wset": max(usage - inactive, 0),
                "rss": keyed(stat, "total_rss" if v1 else "anon"),
                "cache": keyed(stat, "total_cache" if v1 else "file")}

    def cpu_stat(self):
        f = self.cpu_file("cpu.stat", "cpu.stat")
        t = keyed(f, "throttled_time") / 1e9 if self.hier == "v1" else keyed(f, "throttled_usec") / 1e6
        return {"periods": keyed(f, "nr_periods"), "throttled": keyed(f, "nr_throttled"), "tsec": t}

    def oom_kills(self):
        if self.hier == "v1":
            return keyed(self.mem_file("memory.oom_control", None), "oom_kill")
        return keyed(os.path.join(self.mem.path, "memory.events"), "oom_kill")


def hierarchies():
    return [pytest.param("v1"),
            pytest.param("v2", marks=pytest.mark.skipif(
                not v2_memory(), reason="no memory controller in the v2 hierarchy here (hybrid "
                "host: it is bound to v1)"))]


def one(samples, name, c, **labels):
    found = select(samples, name, container_id=c.id, **labels)
    assert len(found) <= 1, found
    return found[0][1] if found else None


FAMS = {"usage": "jvmtap_container_memory_usage_bytes",
        "wset": "jvmtap_container_memory_working_set_bytes",
        "rss": "jvmtap_container_memory_rss_bytes",
        "cache": "jvmtap_container_memory_cache_bytes"}


def no_file_errors(s):
    errs = [(l, v) for l, v in select(s, "jvmtap_cgroup_file_errors_total") if v]
    assert not errs, errs
    assert select(s, "jvmtap_cgroup_file_errors_total")


@pytest.mark.parametrize("hier", hierarchies())
def test_memory_and_quota_between_file_reads(jvmtap_factory, cgroups, tmp_path, hier):
    """A process with 48 MiB of its own and 16 MiB of page cache, idle: each memory gauge lies
    between the files read just before and just after the scrape (no tolerance: the same files),
    the limit and quota are the values written, and a container with neither has no limit or
    quota series."""
    j = jvmtap_factory("--cgroup.hierarchy=" + hier)
    c = Container(cgroups, hier)
    free = Container(cgroups, hier)
    c.set_memory_limit(256 * MiB)
    c.set_cpu_quota(50000, 100000)
    p = c.spawn(["/usr/bin/python3", "-c", ALLOC, "48", "16", str(tmp_path / "cache")],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    q = free.spawn(busy(0.2))
    assert p.stdout.readline().strip() == "r"
    q.wait(10)
    for _ in range(3):
        before = c.memory()
        s = j.scrape_fresh("cgroup")
        after = c.memory()
        for k, fam in FAMS.items():
            v = one(s, fam, c)
            assert v is not None, (fam, s and None)
            assert min(before[k], after[k]) <= v <= max(before[k], after[k]), (k, before, v, after)
        record("cgroup %s memory: usage %.1f MiB, working set %.1f, rss %.1f, cache %.1f" % (
            hier, after["usage"] / MiB, after["wset"] / MiB, after["rss"] / MiB, after["cache"] / MiB))
    # The figures are those of the process: 48 MiB of anon memory, 16 MiB of file pages.
    assert 48 * MiB <= one(s, FAMS["rss"], c) <= 80 * MiB
    assert 16 * MiB <= one(s, FAMS["cache"], c) <= 24 * MiB
    assert one(s, "jvmtap_container_memory_limit_bytes", c) == 256 * MiB
    assert one(s, "jvmtap_container_cpu_quota_seconds", c) == 0.05
    assert one(s, "jvmtap_container_cpu_period_seconds", c) == 0.1
    assert one(s, "jvmtap_container_oom_kills_total", c) == 0
    # No limit, no quota: absent, not a huge number or -1.
    assert one(s, "jvmtap_container_memory_limit_bytes", free) is None
    assert one(s, "jvmtap_container_cpu_quota_seconds", free) is None
    assert one(s, "jvmtap_container_cpu_period_seconds", free) == 0.1
    assert one(s, FAMS["usage"], free) is not None
    no_file_errors(s)
    p.stdin.close()
    p.kill()
    p.wait()


@pytest.mark.parametrize("hier", [pytest.param("v1"), pytest.param("v2", marks=pytest.mark.skipif(
    not v2_cpu(), reason="no cpu controller in the v2 hierarchy here"))])
def test_cpu_throttling_between_file_reads(jvmtap_factory, cgroups, hier):
    """A busy loop under a quota of 0.1 CPU (10 ms per 100 ms): throttled in nearly every
    period; periods, throttled periods and throttled seconds lie between the cpu.stat readings
    around each scrape, taken while the loop runs."""
    j = jvmtap_factory("--cgroup.hierarchy=" + hier)
    c = Container(cgroups, hier)
    c.set_cpu_quota(10000, 100000)
    p = c.spawn(busy(30.0))  # killed after the readings
    time.sleep(1.0)
    names = {"periods": "jvmtap_container_cpu_cfs_periods_total",
             "throttled": "jvmtap_container_cpu_cfs_throttled_periods_total",
             "tsec": "jvmtap_container_cpu_cfs_throttled_seconds_total"}
    first = None
    for _ in range(4):
        before = c.cpu_stat()
        s = j.scrape_fresh("cgroup")
        after = c.cpu_stat()
        for k, fam in names.items():
            v = one(s, fam, c)
            assert v is not None, fam
            # throttled seconds are ns or us in the file: the same division, 1e-9 for rounding
            assert before[k] - 1e-9 <= v <= after[k] + 1e-9, (k, before, v, after)
        first = first or after
        time.sleep(0.4)
    p.kill()
    p.wait(10)
    assert after["throttled"] - first["throttled"] >= 5, (first, after)
    # 22 or 23 of 23 here when idle, 21 of 23 beside other tests: at least half leaves room for
    # a loaded machine, where the loop may not use up its 10 ms in every period
    assert after["throttled"] >= 0.5 * after["periods"], after
    record("cgroup %s throttling: %d of %d periods throttled, %.3f s throttled, busy loop at quota 0.1 CPU"
           % (hier, after["throttled"], after["periods"], after["tsec"]))
    assert one(s, "jvmtap_container_cpu_quota_seconds", c) == 0.01
    no_file_errors(s)


def wait_for(fn, timeout=10, step=0.2):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() > deadline:
            return v
        time.sleep(step)


def victims(j, c, jvm):
    return one(j.scrape(), "jvmtap_container_oom_victims_total", c, jvm=jvm)


@pytest.mark.parametrize("hier", hierarchies())
def test_oom_kill_counted_once_in_its_container(jvmtap_factory, cgroups, tmp_path, hier):
    """A plain allocator at a 64 MiB limit is OOM-killed: the kill is counted once, in its own
    container (kernel count and BPF victims agree), not in a sibling; the log names its pid."""
    j = jvmtap_factory("--cgroup.hierarchy=" + hier)
    c = Container(cgroups, hier)
    other = Container(cgroups, hier)
    c.set_memory_limit(64 * MiB)
    other.set_memory_limit(64 * MiB)
    p = c.spawn(["/usr/bin/python3", "-c", ALLOC, "8", "0", ""], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, text=True)
    q = other.spawn(["/usr/bin/python3", "-c", ALLOC, "8", "0", ""], stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "r" and q.stdout.readline().strip() == "r"

    def both_seen():
        # new cgroups are found by the next walk (at most once a second during scrapes) and
        # read by the next refresh (every second)
        s = j.scrape()
        return s if None not in (one(s, "jvmtap_container_oom_kills_total", x)
                                 for x in (c, other)) else None
    s = wait_for(both_seen)
    assert s, "jvmtap never showed the two new containers"
    assert one(s, "jvmtap_container_oom_kills_total", c) == 0
    assert one(s, "jvmtap_container_oom_victims_total", c, jvm="false") is None
    p.stdin.write("\n")
    p.stdin.flush()
    assert p.wait(30) == -9
    assert wait_for(lambda: victims(j, c, "false"))
    time.sleep(1.5)  # a second count would show by now
    s = j.scrape_fresh("cgroup")
    assert c.oom_kills() == 1
    assert one(s, "jvmtap_container_oom_kills_total", c) == 1
    assert one(s, "jvmtap_container_oom_victims_total", c, jvm="false") == 1
    assert one(s, "jvmtap_container_oom_victims_total", c, jvm="true") is None
    assert one(s, "jvmtap_container_oom_kills_total", other) == 0
    assert one(s, "jvmtap_container_oom_victims_total", other, jvm="false") is None
    assert q.poll() is None
    log = j.output()
    lines = [l for l in log.splitlines() if "oom: the kernel killed" in l]
    assert len(lines) == 1, lines
    assert "pid %d (tgid %d, python3) in container_id=%s " % (p.pid, p.pid, c.id) in lines[0], lines
    record("cgroup %s oom: allocator pid %d killed at 64 MiB, counted 1 (kernel) and 1 victim (BPF): %s"
           % (hier, p.pid, lines[0].split("info: ")[-1]))
    no_file_errors(s)
    q.kill()
    q.wait()


@pytest.mark.parametrize("hier", hierarchies())
def test_container_with_a_sub_cgroup_is_one_series(jvmtap_factory, cgroups, tmp_path, hier):
    """An emulated containerd container (kubelet's cgroupfs-driver path, its runtime state file
    under --path.rootfs) whose process runs in a sub-cgroup of the container's: one series per
    family with the Kubernetes labels, holding the container cgroup's own (hierarchical) files;
    the OOM kill in the sub-cgroup counts once for the container, although v1 counts it only in
    the sub-cgroup's memory.oom_control."""
    import json
    import uuid

    cid = uuid.uuid4().hex + uuid.uuid4().hex
    state = tmp_path / ("run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/config.json" % cid)
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"ociVersion": "1.1.0", "annotations": {
        "io.kubernetes.cri.container-type": "container",
        "io.kubernetes.cri.sandbox-name": "etl-worker-0",
        "io.kubernetes.cri.sandbox-namespace": "etl",
        "io.kubernetes.cri.container-name": "worker"}}))
    j = jvmtap_factory("--cgroup.hierarchy=" + hier, "--path.rootfs=%s" % tmp_path)
    rel = "kubepods/besteffort/pod%s/%s" % (uuid.uuid4(), cid)
    c = Container(cgroups, hier, rel=rel, id_=cid)
    sub = Container(cgroups, hier, rel=rel + "/sub", id_=cid)
    c.set_memory_limit(64 * MiB)
    p = sub.spawn(["/usr/bin/python3", "-c", ALLOC, "16", "16", str(tmp_path / "cache")],
                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "r"
    before = c.memory()
    s = j.scrape_fresh("cgroup")
    after = c.memory()
    for k, fam in FAMS.items():
        found = select(s, fam, container_id=cid)
        assert len(found) == 1, found
        labels, v = found[0]
        assert labels == {"container_id": cid, "namespace": "etl", "pod": "etl-worker-0",
                          "container": "worker"}
        assert min(before[k], after[k]) <= v <= max(before[k], after[k]), (k, before, v, after)
    # the sub-cgroup's pages are in the container's figures
    assert one(s, FAMS["rss"], c) >= 16 * MiB and one(s, FAMS["cache"], c) >= 16 * MiB
    assert one(s, "jvmtap_container_memory_limit_bytes", c) == 64 * MiB
    p.stdin.write("\n")
    p.stdin.flush()
    assert p.wait(30) == -9
    assert wait_for(lambda: victims(j, c, "false"))
    time.sleep(1.5)
    s = j.scrape_fresh("cgroup")
    assert sub.oom_kills() == 1
    assert c.oom_kills() == (0 if hier == "v1" else 1)
    assert one(s, "jvmtap_container_oom_kills_total", c) == 1
    assert one(s, "jvmtap_container_oom_victims_total", c, jvm="false") == 1
    no_file_errors(s)


@pytest.fixture(scope="module")
def memhog(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("java"))
    subprocess.run(["javac", "-d", out, os.path.join(ROOT, "tests", "integration", "java", "MemHog.java")],
                   check=True)
    return out


def jvm_listed(j, pid):
    return select(j.scrape(), "jvmtap_jvm_info", pid=str(pid))


@pytest.mark.parametrize("hier", hierarchies())
def test_jvm_oom_killed_is_named_a_jvm(jvmtap_factory, cgroups, tmp_path, memhog, hier):
    """A JVM with -Xmx512m in a 160 MiB container fills its heap: the kernel kills it (not an
    OutOfMemoryError), counted once as a JVM victim, its pid in the log, and its exit as
    signal 9."""
    j = jvmtap_factory("--cgroup.hierarchy=" + hier)
    c = Container(cgroups, hier)
    c.set_memory_limit(160 * MiB)
    p = c.spawn(["java", "-Xmx512m", "-Xms16m", "-XX:+UseSerialGC", crash_file(tmp_path), "-cp", memhog,
                 "MemHog", "0"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert '"ready"' in p.stdout.readline()
    assert wait_for(lambda: jvm_listed(j, p.pid))
    p.stdin.write("\n")
    p.stdin.flush()
    assert p.wait(60) == -9
    assert wait_for(lambda: victims(j, c, "true"))
    time.sleep(1.5)
    s = j.scrape_fresh("cgroup")
    assert c.oom_kills() == 1
    assert one(s, "jvmtap_container_oom_kills_total", c) == 1
    assert one(s, "jvmtap_container_oom_victims_total", c, jvm="true") == 1
    assert one(s, "jvmtap_container_oom_victims_total", c, jvm="false") is None
    assert one(s, "jvmtap_jvm_exits_total", c, reason="signal", code="9") == 1
    lines = [l for l in j.output().splitlines() if "oom: the kernel killed" in l]
    assert len(lines) == 1, lines
    assert "(tgid %d, java, a JVM) in container_id=%s " % (p.pid, c.id) in lines[0], lines
    record("cgroup %s oom: JVM pid %d (-Xmx512m) killed at 160 MiB, 1 JVM victim: %s"
           % (hier, p.pid, lines[0].split("info: ")[-1]))


@pytest.mark.skipif(v2_memory(), reason="the v2 hierarchy has a memory controller here")
def test_v2_cgroup_without_controllers_has_no_series_and_no_errors(jvmtap_factory, cgroups):
    """This host's v2 hierarchy has no memory or cpu controller: its cgroups have no memory.*
    or cpu.max files and a cpu.stat without nr_periods. Nothing is made up and nothing counted as
    an error; the cgroup is still there for the families that have a source (threads)."""
    j = jvmtap_factory("--cgroup.hierarchy=v2")
    cg = cgroups(base=CG2)
    p = cg.spawn(["/usr/bin/python3", "-c", "import time; time.sleep(30)"])
    time.sleep(0.5)
    s = j.scrape_fresh("tasks")
    assert select(s, "jvmtap_container_threads", container_id="/" + cg.rel)
    for fam in list(FAMS.values()) + ["jvmtap_container_memory_limit_bytes",
                                      "jvmtap_container_cpu_quota_seconds",
                                      "jvmtap_container_cpu_period_seconds",
                                      "jvmtap_container_cpu_cfs_periods_total",
                                      "jvmtap_container_cpu_cfs_throttled_periods_total",
                                      "jvmtap_container_cpu_cfs_throttled_seconds_total",
                                      "jvmtap_container_oom_kills_total"]:
        assert not select(s, fam, container_id="/" + cg.rel), fam
    no_file_errors(s)
    assert select(s, "jvmtap_scrape_collector_success", collector="cgroup")[0][1] == 1
    p.kill()
    p.wait()
