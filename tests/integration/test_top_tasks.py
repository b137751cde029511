"""jvmtap top's tasks view (--tasks) against a JVM taken for a Flink TaskManager: its tasks'
CPU against /proc (its state calls: tests/flink/test_top_flink.py, which uses this file's top
driver, TopBatch, and view parser, tasks_view)."""
import os
import re
import subprocess
import threading
import time

import pytest

from conftest import BIN, crash_file, record, sanitizer_report, terminate
from test_jvm import data_dir  # noqa: F401 (fixture)
from test_top import Tmux, screen_rows

pytestmark = pytest.mark.usefixtures("data_dir")


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
