"""jvmtap top and jvmtap dump end to end: tmux drives the live view against a GC-heavy JVM and a
busy emulated container; dump's JSON is held against /metrics scrapes of the same interval, its
max and p99 pause against the JVM's own -Xlog:gc, its CPU against the cgroup's cpu.stat. The
tasks view against a JVM taken for a Flink TaskManager, its task's CPU against /proc (its state
calls: tests/flink/test_top_flink.py)."""
import json
import math
import os
import re
import subprocess
import threading
import time
import uuid

import pytest

from conftest import (BIN, BUILD, busy, crash_file, parse, record, sanitizer_report, select,
                      terminate, usage_usec_v2)
from test_identity import cid, containerd_state
from test_jvm import Workload, classes, data_dir, workloads  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("data_dir")


def link_ids():
    out = subprocess.run(["bpftool", "-j", "link", "list"], capture_output=True, text=True,
                         check=True).stdout
    return {l["id"] for l in json.loads(out or "[]")}


class Pod:
    """An emulated containerd container: a v2 cgroup named as kubelet names it and its runtime
    state file under a --path.rootfs."""

    def __init__(self, cgroups, rootfs, ns, pod, name):
        self.id = cid()
        self.ns, self.pod, self.name = ns, pod, name
        containerd_state(rootfs, self.id, ns, pod, name)
        self.cg = cgroups("kubepods.slice/kubepods-pod%s.slice/cri-containerd-%s.scope" % (
            uuid.uuid4().hex, self.id))

    @property
    def ident(self):
        return "%s/%s/%s" % (self.ns, self.pod, self.name)


@pytest.fixture
def scene(cgroups, classes, tmp_path, workloads):  # noqa: F811
    """A GC-heavy JVM in pod flink/tm-0 and a busy loop (python, no JVM) in pod batch/spin-0."""
    rootfs = tmp_path / "rootfs"
    tm = Pod(cgroups, rootfs, "flink", "tm-0", "taskmanager")
    spin = Pod(cgroups, rootfs, "batch", "spin-0", "spinner")
    w = Workload(classes, tmp_path, alloc=60.0, sleep=0, threads=2, full=0, cgroup=tm.cg)
    workloads.append(w)
    w.wait_phase("started")
    loop = spin.cg.spawn(busy(60))
    yield {"rootfs": str(rootfs), "tm": tm, "spin": spin, "jvm": w, "loop": loop,
           "pid": w.proc.pid}
    loop.kill()


# ---- tmux ------------------------------------------------------------------------------------

class Tmux:
    """jvmtap top in a detached 80x24 tmux session; the exit status lands in a file."""

    def __init__(self, args, width=80, height=24):
        self.name = "jvmtap-top-%s" % uuid.uuid4().hex[:6]
        self.rc = os.path.join(BUILD, "%s.rc" % self.name)
        cmd = "%s top %s 2>%s.err; echo $? > %s" % (BIN, " ".join(args), self.rc, self.rc)
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", str(width), "-y",
                        str(height), cmd], check=True, env=dict(os.environ, TERM="xterm"))

    def screen(self):
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name],
                              capture_output=True, text=True).stdout

    def keys(self, *keys):
        subprocess.run(["tmux", "send-keys", "-t", self.name] + list(keys), check=True)

    def wait(self, pred, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            s = self.screen()
            if pred(s):
                return s
            time.sleep(0.2)
        raise AssertionError("screen never matched:\n" + self.screen())

    def exit_status(self, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if os.path.exists(self.rc) and open(self.rc).read().strip():
                return int(open(self.rc).read())
            time.sleep(0.1)
        raise AssertionError("jvmtap top did not exit:\n" + self.screen())

    def kill(self):
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


NUM_COLS = ["PID", "CPU%", "APP", "GC", "JIT", "GC/s", "P99", "MAX", "GC%", "SP%", "THR", "HEAP",
            "IN/s", "OUT/s"]


def screen_rows(screen):
    """{identity text: {column: cell}} from an 80-column screen, where each row takes two lines:
    the numbers, then '  ns/pod/container ROLE main'."""
    lines = screen.splitlines()
    head = next((i for i, l in enumerate(lines)
                 if l.split()[:2] in (["PID", "CPU%"], ["JVMS", "CPU%"])), None)
    rows = {}
    if head is None:
        return rows, []
    for nums, name in zip(lines[head + 1::2], lines[head + 2::2]):
        cells = nums.split()
        if len(cells) != len(NUM_COLS) or not name.startswith("  "):
            break
        rows[name.strip()] = dict(zip(NUM_COLS, cells))
    return rows, [n.strip() for n in lines[head + 2::2] if n.startswith("  ")]


def pct(cell):
    return float(cell) if cell != "-" else math.nan


def test_top_screen_sort_filter_quit(scene):
    tm, spin, pid = scene["tm"], scene["spin"], scene["pid"]
    before = link_ids()
    t = Tmux(["--path.rootfs=%s" % scene["rootfs"], "--cgroup.hierarchy=v2", "--delay=1"])
    try:
        # JVM view: the JVM's row has GC pauses and CPU; the spinner has no JVM, so no row.
        s = t.wait(lambda s: any(k.startswith(tm.ident) and v["GC/s"] not in ("-", "0.0")
                                 for k, v in screen_rows(s)[0].items()), timeout=30)
        rows, _ = screen_rows(s)
        (name, r), = [(k, v) for k, v in rows.items() if k.startswith(tm.ident)]
        assert name == "%s - GcWorkload" % tm.ident
        assert r["PID"] == str(pid)
        assert pct(r["CPU%"]) > 20 and pct(r["APP"]) > 10 and pct(r["GC"]) > 0.5
        assert pct(r["GC/s"]) > 10 and pct(r["GC%"]) > 0.5
        assert r["P99"] != "0" and r["MAX"] != "0" and "/" in r["HEAP"]
        assert int(r["THR"]) >= 6  # main, 2 extra, Reference Handler, Finalizer, Signal Dispatcher...
        assert len(link_ids() - before) >= 5, "top attached its programs"

        # Containers: both pods, each with CPU; only the JVM's has GC.
        t.keys("c")
        s = t.wait(lambda s: {tm.ident, spin.ident} <= set(screen_rows(s)[0]))
        rows, _ = screen_rows(s)
        assert pct(rows[spin.ident]["CPU%"]) > 50 and rows[spin.ident]["GC/s"] == "0.0"
        assert rows[spin.ident]["PID"] == "0" and rows[tm.ident]["PID"] == "1"
        assert pct(rows[tm.ident]["GC/s"]) > 10 and pct(rows[tm.ident]["CPU%"]) > 20

        # Sorting: by name (N) puts batch/ before flink/, r reverses it.
        t.keys("N")
        order = lambda s: [n for n in screen_rows(s)[1] if n in (tm.ident, spin.ident)]  # noqa: E731
        t.wait(lambda s: "sort name" in s and order(s) == [spin.ident, tm.ident])
        t.keys("r")
        t.wait(lambda s: "sort name reversed" in s and order(s) == [tm.ident, spin.ident])
        # < and > walk the columns: from name, > wraps to cpu.
        t.keys(">")
        t.wait(lambda s: "sort cpu reversed" in s)

        # Filters: a regex, then a namespace, both cleared again.
        t.keys("/", "spin", "Enter")
        s = t.wait(lambda s: "filter /spin" in s and list(screen_rows(s)[0]) == [spin.ident])
        t.keys("/", "Enter")
        t.wait(lambda s: "filter" not in s and len(screen_rows(s)[0]) >= 2)
        t.keys("n", "flink", "Enter")
        t.wait(lambda s: "namespace flink" in s and list(screen_rows(s)[0]) == [tm.ident])

        t.keys("q")
        assert t.exit_status() == 0
    finally:
        t.kill()
    # Nothing of top's is left attached.
    assert not (link_ids() - before)


def test_top_batch_is_plain_lines_with_cgroup_cpu(scene):
    """Not a terminal: plain frames. The busy container's CPU% over the frames against its
    cgroup's cpu.stat over the same run (tolerance: 10 points)."""
    spin = scene["spin"]
    u0, t0 = usage_usec_v2(spin.cg), time.monotonic()
    p = subprocess.run([BIN, "top", "-c", "-n", "4", "-d", "0.5", "--sort=name",
                        "--path.rootfs=%s" % scene["rootfs"], "--cgroup.hierarchy=v2"],
                       capture_output=True, text=True, timeout=60)
    u1, t1 = usage_usec_v2(spin.cg), time.monotonic()
    assert p.returncode == 0, p.stderr
    assert "\x1b" not in p.stdout, "no terminal escapes in batch output"
    frames = [f for f in p.stdout.split("\n\n") if f.strip()]
    assert len(frames) == 4
    cpus = []
    for f in frames:
        lines = f.splitlines()
        assert lines[0].startswith("jvmtap top ") and "sort name" in lines[0]
        assert lines[1].split() == ["JVMS"] + NUM_COLS[1:] + ["CONTAINER"]
        names = [l.split()[-1] for l in lines[2:]]
        assert names == sorted(names)
        (line,) = [l for l in lines[2:] if l.endswith(" " + spin.ident)]
        cpus.append(float(line.split()[1]))
    oracle = (u1 - u0) / 1e4 / (t1 - t0)  # percent of one CPU over the whole run
    mean = sum(cpus) / len(cpus)
    record("top -c: busy container CPU%% %.1f vs cpu.stat %.1f" % (mean, oracle))
    assert abs(mean - oracle) < 10, (cpus, oracle)


# ---- dump ------------------------------------------------------------------------------------

class Scraper(threading.Thread):
    """Scrapes a jvmtap every 0.2 s, keeping (time, samples), for values at any instant."""

    def __init__(self, j):
        super().__init__(daemon=True)
        self.j, self.points, self.stop = j, [], False

    def run(self):
        while not self.stop:
            t0 = time.time()
            s = self.j.scrape()
            self.points.append(((t0 + time.time()) / 2, s))
            time.sleep(0.2)

    def at(self, t, f):
        """f(samples) interpolated linearly at wall time t."""
        pts = [(pt, f(s)) for pt, s in self.points]
        for (ta, va), (tb, vb) in zip(pts, pts[1:]):
            if ta <= t <= tb:
                return va + (vb - va) * (t - ta) / (tb - ta)
        raise AssertionError("no scrapes around %f (%f..%f)" % (t, pts[0][0], pts[-1][0]))


def total(name, **labels):
    return lambda s: sum(v for _, v in select(s, name, **labels))


def test_dump_json_matches_metrics(jvmtap_factory, scene):
    """dump --format=json over 4 s against a daemon's /metrics interpolated at the dump's start
    and end. Tolerance: 5% (+ small absolute terms): the two instances' renders are not at the
    same instant and the daemon's values are interpolated between scrapes 0.2 s apart."""
    tm, spin, pid = scene["tm"], scene["spin"], str(scene["pid"])
    args = ["--path.rootfs=%s" % scene["rootfs"], "--cgroup.hierarchy=v2"]
    j = jvmtap_factory(*args)
    sc = Scraper(j)
    sc.start()
    try:
        p = subprocess.run([BIN, "dump", "--duration=4s", "--format=json"] + args,
                           capture_output=True, text=True, timeout=60)
        time.sleep(0.5)
    finally:
        sc.stop = True
        sc.join()
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert 3.9 < d["duration_seconds"] < 4.5
    t0, t1 = d["start_time_seconds"], d["end_time_seconds"]
    (jvm,) = [x for x in d["jvms"] if x["pid"] == int(pid)]
    assert jvm["identity"] == {"container_id": tm.id, "namespace": "flink", "pod": "tm-0",
                               "container": "taskmanager"}
    assert jvm["main_class"] == "GcWorkload" and jvm["flink_role"] == "none"
    iv = jvm["interval"]
    assert iv is not None

    def near(got, want, rel=0.05, abs_=0.0, what=""):
        assert abs(got - want) <= rel * abs(want) + abs_, "%s: dump %r, /metrics %r" % (what, got, want)
        return got

    for kind in ("app", "gc", "jit", "vm"):
        m = total("jvmtap_jvm_cpu_seconds_total", pid=pid, thread_kind=kind)
        near(iv["cpu_seconds"][kind], sc.at(t1, m) - sc.at(t0, m), abs_=0.05, what="cpu " + kind)
        # Totals: the same /proc baseline plus the same scheduler events.
        near(jvm["cpu_seconds_total"][kind], sc.at(t1, m), abs_=0.05, what="cpu total " + kind)
    m = total("jvmtap_jvm_gc_pause_seconds_count", pid=pid)
    n = near(iv["gc_pauses"], sc.at(t1, m) - sc.at(t0, m), abs_=3, what="gc pauses")
    assert n > 40
    m = total("jvmtap_jvm_gc_pause_seconds_sum", pid=pid)
    near(iv["gc_pause_seconds"], sc.at(t1, m) - sc.at(t0, m), abs_=0.005, what="gc seconds")
    m = total("jvmtap_jvm_safepoint_seconds_sum", pid=pid)
    near(iv["safepoint_seconds"], sc.at(t1, m) - sc.at(t0, m), abs_=0.005, what="safepoints")
    assert iv["gc_pause_p99_seconds"] <= iv["gc_pause_max_seconds"]
    assert iv["gc_pause_max_seconds"] * n >= iv["gc_pause_seconds"]  # max >= mean
    # Gauges that do not move: threads and heap max are the same numbers.
    last = sc.points[-1][1]
    assert jvm["java_threads"] == total("jvmtap_jvm_threads", pid=pid)(last)
    assert jvm["heap_max_bytes"] == total("jvmtap_jvm_memory_max_bytes", pid=pid, area="heap")(last)

    conts = {c["container_id"]: c for c in d["containers"]}
    for pod, jvms in ((tm, 1), (spin, 0)):
        c = conts[pod.id]
        assert (c["namespace"], c["pod"], c["container"], c["jvms"]) == (pod.ns, pod.pod, pod.name, jvms)
        m = total("jvmtap_container_cpu_seconds_total", container_id=pod.id)
        near(c["interval"]["cpu_seconds"], sc.at(t1, m) - sc.at(t0, m), abs_=0.05,
             what="container cpu " + pod.pod)
    assert conts[spin.id]["interval"]["cpu_seconds"] > 2  # busy for 4 s
    assert conts[tm.id]["interval"]["gc_pauses"] == iv["gc_pauses"]
    record("dump json vs /metrics over %.1f s: gc pauses %d, container cpu %.2f s" % (
        d["duration_seconds"], n, conts[spin.id]["interval"]["cpu_seconds"]))


def xlog_pauses(path):
    out = []
    for line in open(path):
        if re.search(r"\[gc *\]", line) and " Pause " in line:
            out.append(float(re.search(r"([\d.]+)ms$", line.strip()).group(1)) / 1000)
    return out


def test_dump_max_and_p99_against_gc_log(classes, tmp_path, workloads):  # noqa: F811
    """A JVM lives inside the dump's duration: its pause count is its -Xlog:gc pause lines, the
    max is the longest logged pause (jvmtap's begin-end window is a little wider than the log's:
    -3%..+10% and 0.3 ms), the p99 within the factor of 2 of a log2 bucket of the log's p99."""
    p = subprocess.Popen([BIN, "dump", "--duration=12s", "--format=json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in p.stderr:
        if "dump: collecting" in line:
            break
    w = Workload(classes, tmp_path, gc="-XX:+UseParallelGC", alloc=3.0, sleep=0, threads=0, full=2)
    workloads.append(w)
    w.wait_phase("exit")
    w.proc.wait()
    out, _ = p.communicate(timeout=30)
    assert p.returncode == 0
    d = json.loads(out)
    (jvm,) = [x for x in d["jvms"] if x["pid"] == w.proc.pid]
    logged = sorted(xlog_pauses(w.gclog))
    iv = jvm["interval"]
    assert iv["gc_pauses"] == len(logged) > 20
    mx, p99 = iv["gc_pause_max_seconds"], iv["gc_pause_p99_seconds"]
    assert logged[-1] * 0.97 <= mx <= logged[-1] * 1.10 + 0.0003, (mx, logged[-1])
    true_p99 = logged[math.ceil(0.99 * len(logged)) - 1]
    assert true_p99 / 2 <= p99 <= min(true_p99 * 2, mx), (p99, true_p99)
    record("dump: %d pauses, max %.3f ms (log %.3f ms), p99 %.3f ms (log %.3f ms)" % (
        len(logged), mx * 1e3, logged[-1] * 1e3, p99 * 1e3, true_p99 * 1e3))


def test_dump_prom_is_valid_exposition(scene):
    p = subprocess.run([BIN, "dump", "--duration=1s", "--path.rootfs=%s" % scene["rootfs"],
                        "--cgroup.hierarchy=v2"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    check = subprocess.run(["promtool", "check", "metrics"], input=p.stdout, capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    samples, families = parse(p.stdout)
    assert families["jvmtap_jvm_gc_pause_max_seconds"] == "gauge"
    mx = select(samples, "jvmtap_jvm_gc_pause_max_seconds", pid=str(scene["pid"]))
    assert mx and max(v for _, v in mx) > 0


@pytest.mark.parametrize("args,err", [
    (["top", "--delay=0"], "--delay"),
    (["top", "--sort=heapz"], "--sort"),
    (["top", "--filter=("], "--filter"),
    (["top", "-c", "-t"], "--containers and --tasks"),
    (["top", "--web.listen-address=:1"], "unrecognized option"),
    (["dump", "--format=xml"], "--format"),
    (["dump", "--duration=-1s"], "--duration"),
    (["dump", "extra"], "unexpected argument"),
])
def test_bad_flags_exit_2(args, err):
    p = subprocess.run([BIN] + args, capture_output=True, text=True, timeout=10)
    assert p.returncode == 2 and err in p.stderr, p.stderr


def test_top_without_terminal_support_fails_cleanly(scene):
    """TERM names no terminal ncurses knows: one error line, status 1, nothing left attached."""
    before = link_ids()
    p = subprocess.run(["script", "-qec", "%s top" % BIN, "/dev/null"], capture_output=True,
                       text=True, timeout=60, env=dict(os.environ, TERM="no-such-terminal"))
    assert p.returncode == 1, p.stdout
    assert "cannot use the terminal" in p.stdout
    assert not (link_ids() - before)


# ---- the tasks view --------------------------------------------------------------------------

# Flink's TaskManager entry point by name, so jvmtap takes it for a TaskManager (from the main
# class on its command line), with threads named as Flink names a task's, started on a line on
# stdin: "burn" busy all the time, "Source: numbers -> pace" 1 ms in 10, "Sink: out" asleep
# (both names are too long for comm: known from thread__start only) and a pool thread that
# serves no task, 2 ms in 10.
FAKE_TM = r"""
package org.apache.flink.runtime.taskexecutor;

import java.io.BufferedReader;
import java.io.InputStreamReader;

public class TaskManagerRunner {
    static volatile long sink;

    static void thread(String name, int busyMs, int sleepMs) {
        Thread t = new Thread(() -> {
            for (long x = 0;; x++) {
                long end = System.nanoTime() + busyMs * 1000000L;
                while (System.nanoTime() < end)
                    sink += x;
                if (sleepMs > 0) {
                    try {
                        Thread.sleep(sleepMs);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    public static void main(String[] a) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        System.out.println("ready");
        System.out.flush();
        in.readLine();
        thread("burn (1/1)#0", 10, 0);
        thread("Source: numbers -> pace (1/1)#0", 1, 9);
        thread("Sink: out (1/1)#0", 0, 3600000);
        thread("pool-2-thread-1", 2, 8);
        System.out.println("started");
        System.out.flush();
        in.readLine();
    }
}
"""
TASKS_HEADER = "    PID CPU%  CORES TASK / STATE CALLS"
_PER_S = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}
_SECS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1}
_CALLS = re.compile(r"(?:(\S+) )?(\w+) ([\d.]+)([kMG]?)/s ([\d.]+)(ns|us|ms|s)")


def tasks_view(lines):
    """{pid: {"cpu", "name", "tasks": [(task, cores or None)], "state": {op: (calls/s, mean
    seconds)}, "backend"}} of the lines of one tasks view frame. The layout: a JVM's line has its
    pid in columns 0-6 and its CPU% in 7-11, then its name; its tasks' and state calls' lines
    leave those blank and have the cores (or "state") in 12-18, then the task or the calls (ops
    two spaces apart) from column 20; a wrapped line of calls is blank up to column 20."""
    view, jvm = {}, None
    for l in lines:
        if l.startswith("jvmtap top ") or l == TASKS_HEADER:
            continue
        if l[:7].strip().isdigit():
            jvm = view[int(l[:7])] = {"cpu": l[7:12].strip(), "name": l[13:], "tasks": [],
                                      "state": {}, "backend": None}
        elif l[12:19].strip() == "state" or not l[:20].strip():
            for item in l[20:].split("  "):
                m = _CALLS.fullmatch(item)
                assert m, "not a state call: %r in %r" % (item, l)
                jvm["backend"] = m.group(1) or jvm["backend"]
                jvm["state"][m.group(2)] = (float(m.group(3)) * _PER_S[m.group(4)],
                                            float(m.group(5)) * _SECS[m.group(6)])
        else:
            cores = l[12:19].strip()
            jvm["tasks"].append((l[20:], None if cores == "-" else float(cores)))
    return view


class TopBatch:
    """jvmtap top --batch with its frames read as they come: (monotonic time it arrived, its
    lines, what probe() returned then)."""

    def __init__(self, args, log, probe=lambda: None):
        self.probe, self.frames, self.cond = probe, [], threading.Condition()
        self.err = open(log, "w+")
        self.p = subprocess.Popen([BIN, "top", "--batch"] + list(args), stdout=subprocess.PIPE,
                                  stderr=self.err, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        lines = []
        for line in self.p.stdout:
            if line.strip():
                lines.append(line.rstrip("\n"))
                continue
            t, extra = time.monotonic(), self.probe()
            with self.cond:
                self.frames.append((t, lines, extra))
                self.cond.notify_all()
            lines = []

    def wait(self, pred, after=0, timeout=20):
        """The index of the first frame from `after` on whose tasks view pred holds."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i in range(after, len(self.frames)):
                    if pred(tasks_view(self.frames[i][1])):
                        return i
                after = max(after, len(self.frames))
                left = deadline - time.monotonic()
                if left <= 0 or self.p.poll() is not None:
                    self.err.seek(0)
                    raise AssertionError("top never showed it; its last frame:\n%s\n%s" % (
                        "\n".join(self.frames[-1][1]) if self.frames else "", self.err.read()))
                self.cond.wait(min(left, 1))

    def stop(self):
        terminate(self.p)
        self.err.seek(0)
        out = self.err.read()
        report = sanitizer_report(out)
        assert not report, "jvmtap top printed a sanitizer report:\n" + report
        assert self.p.returncode == 0, "jvmtap top exited %s:\n%s" % (self.p.returncode, out)


def tid_named(pid, comm):
    for tid in os.listdir("/proc/%d/task" % pid):
        if open("/proc/%d/task/%s/comm" % (pid, tid)).read().rstrip("\n") == comm:
            return int(tid)
    raise AssertionError("no thread %r in %d" % (comm, pid))


def thread_cpu(pid, tid):
    """Its user and system time, seconds; None once it is gone."""
    try:
        f = open("/proc/%d/task/%d/stat" % (pid, tid)).read()
    except OSError:
        return None
    fields = f[f.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_top_tasks_view(tmp_path):
    """The tasks view of a JVM jvmtap takes for a TaskManager, with both tops (--batch --tasks,
    and one in tmux) started before it so that thread__start names its task threads. In every
    frame from the first with rates: its three tasks, the pool thread nowhere; by cores, the
    burning one first, the one that sleeps last (in frames of 0.5 s or more: top catches up on
    a late capture with a frame of what time is left, too short to rank a thread that runs 1 ms
    in 10). The burning task's cores times each frame's interval, summed over 5 frames, against
    its thread's /proc stat read as each frame arrived (tolerance 0.15 s + 5 %: /proc's ticks,
    the 2-digit cores and the time jvmtap's 20 Hz flush has not yet charged at either end). In
    tmux: t shows the view and back, and a screen with room for two of its three tasks' lines
    shows one and counts the other two."""
    src = tmp_path / "tm-src"
    src.mkdir()
    (src / "TaskManagerRunner.java").write_text(FAKE_TM)
    classes = str(tmp_path / "tm-classes")
    subprocess.run(["javac", "-d", classes, str(src / "TaskManagerRunner.java")], check=True)
    burn = {}
    probe = lambda: thread_cpu(burn["pid"], burn["tid"]) if burn else None  # noqa: E731
    top = TopBatch(["--tasks", "--delay=1"], str(tmp_path / "top.err"), probe)
    t = Tmux(["--delay=1"])
    jvm = None
    try:
        top.wait(lambda v: True)
        t.wait(lambda s: "PID CPU%" in s)
        jvm = subprocess.Popen(["java", "-Xmx64m", crash_file(tmp_path), "-cp", classes,
                                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert jvm.stdout.readline().strip() == "ready"
        pid = jvm.pid
        # Found at its exec as a TaskManager (no tasks yet): its threads' names are kept now.
        i = top.wait(lambda v: pid in v)
        assert tasks_view(top.frames[i][1])[pid]["name"].endswith(" TM TaskManagerRunner")
        jvm.stdin.write("go\n")
        jvm.stdin.flush()
        assert jvm.stdout.readline().strip() == "started"
        burn.update(pid=pid, tid=tid_named(pid, "burn (1/1)#0"))
        i = top.wait(lambda v: pid in v and len(v[pid]["tasks"]) == 3 and all(
            c is not None for _, c in v[pid]["tasks"]), after=i)
        if top.frames[i][2] is None:  # arrived before the thread was looked up
            i = top.wait(lambda v: True, after=i + 1)
        # Frame i's interval began before the probe's first reading: frames i+1.. are measured.
        j = top.wait(lambda v: True, after=i + 5)
        frames = top.frames[i:j + 1]
        seconds, ranked = 0, 0
        for (t0, _, _), (t1, lines, _) in zip(frames, frames[1:]):
            v = tasks_view(lines)[pid]
            cores = dict(v["tasks"])
            assert sorted(cores) == ["Sink: out", "Source: numbers -> pace", "burn"], v
            assert not v["state"], v
            if t1 - t0 >= 0.5:
                assert [n for n, _ in v["tasks"]] == ["burn", "Source: numbers -> pace",
                                                       "Sink: out"], v
                (_, b), (_, s), (_, k) = v["tasks"]
                assert b > s > k >= 0 and k <= 0.01, v
                ranked += 1
            seconds += cores["burn"] * (t1 - t0)
        assert ranked >= 3, [t for t, _, _ in frames]
        proc = frames[-1][2] - frames[0][2]
        record("top --tasks: burning task %.2f s over %d frames, its thread's /proc %.2f s" % (
            seconds, len(frames) - 1, proc))
        assert abs(seconds - proc) <= 0.15 + 0.05 * proc, (seconds, proc)

        # Interactive: only this JVM (its pid between spaces in the filtered text), t and back.
        t.keys("/", " %d " % pid, "Enter")
        t.wait(lambda s: "filter / %d " % pid in s and len(screen_rows(s)[0]) == 1)
        t.keys("t")
        s = t.wait(lambda s: TASKS_HEADER in s and "sort cpu  tasks" in s and
                   re.search(r"^ {12} *[\d.]+ Sink: out$", s, re.M))
        lines = s.splitlines()
        k = lines.index(TASKS_HEADER)
        assert lines[k + 1].startswith("%7d" % pid), s
        # (in the order of their cores, which a catch-up frame may not rank: tested above)
        assert sorted(l[20:] for l in lines[k + 2:k + 5]) == ["Sink: out",
                                                              "Source: numbers -> pace", "burn"], s
        # 7 lines: header, count, column header, the JVM, two for its tasks, the status line.
        subprocess.run(["tmux", "resize-window", "-t", t.name, "-y", "7"], check=True)
        s = t.wait(lambda s: re.search(r"^ {12} *[\d.]+ \(2 more\)$", s, re.M))
        assert s.splitlines()[3].startswith("%7d" % pid), s
        assert s.splitlines()[4][20:] in ("burn", "Source: numbers -> pace", "Sink: out"), s
        subprocess.run(["tmux", "resize-window", "-t", t.name, "-y", "24"], check=True)
        t.keys("t")
        t.wait(lambda s: "CPU% APP" in s and "tasks" not in s)
        t.keys("q")
        assert t.exit_status() == 0
    finally:
        t.kill()
        if jvm:
            jvm.kill()
            jvm.wait()
        top.stop()
