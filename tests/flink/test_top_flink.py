"""jvmtap top's tasks view of a JVM's RocksDB state calls: RocksCalls (test_rocksdb.py) makes N
of each call while `jvmtap top --batch --tasks` runs. The view's TaskManager tasks are tested in
tests/integration/test_top_tasks.py, whose top driver (TopBatch) and view parser (tasks_view) are
used here."""
import importlib.util
import os
import sys
import time

from flinkbed import ROOT, VERSIONS, it
from test_rocksdb import OPS, Calls


def integration_module(name):
    """tests/integration/<name>.py, imported as its own suite imports it: its `conftest` is that
    suite's (flinkbed's jvmtap_it), not this one's."""
    d = os.path.join(ROOT, "tests", "integration")
    saved = sys.modules.get("conftest")
    sys.modules["conftest"] = it
    sys.path.insert(0, d)
    try:
        spec = importlib.util.spec_from_file_location("jvmtap_it_" + name,
                                                      os.path.join(d, name + ".py"))
        m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(m)
        return m
    finally:
        sys.path.remove(d)
        if saved is None:
            sys.modules.pop("conftest", None)
        else:
            sys.modules["conftest"] = saved


top_it = integration_module("test_top_tasks")


def test_top_state_calls(tmp_path):
    """Every op shown with calls. Each op's calls per second times its frame's interval, summed
    over the frames, is N within 25 %: top's interval runs from one capture's start to the
    next, the test knows only when each frame arrived, which lags its capture's start by that
    capture's own time, and a burst of calls does not cancel that out as test_top.py's steady
    CPU does (0.2 % off on a quiet host, 17 % once with a busy Flink bench beside it: a capture
    took 0.34 s longer than the one before). The mean time of the gets and puts is below the
    program's own timing of the same calls (5 % for the view's two digits): its timer brackets
    the probed call, traps and JNI transition included, so this holds on a loaded host too
    (test_rocksdb.py holds the mean against the unprobed timing, on a quiet one). Not a
    TaskManager: no tasks."""
    version, n = VERSIONS[0], 20000
    calls = Calls(version, "rocksdb", tmp_path, n)
    pid = calls.p.pid
    # Started after it: its library is found as top finds the JVM; the rate guard off.
    top = top_it.TopBatch(["--tasks", "--delay=2", "--rocksdb.max-call-rate=0"],
                          str(tmp_path / "top.err"))
    try:
        i = top.wait(lambda v: True)  # a first frame: the probes are attached
        probed = calls.go()
        done = time.monotonic()
        j = top.wait(lambda v: True, after=i + 1)
        while top.frames[j][0] <= done:  # the frame whose capture came after the last call
            j = top.wait(lambda v: True, after=j + 1)
        got, took, shown = {op: 0.0 for op in OPS}, {op: 0.0 for op in OPS}, set()
        for (t0, _, _), (t1, lines, _) in zip(top.frames[i:j], top.frames[i + 1:j + 1]):
            v = top_it.tasks_view(lines).get(pid)
            if not v:
                continue
            assert v["name"].endswith(" - RocksCalls") and not v["tasks"], v
            for op, (per_s, mean) in v["state"].items():
                assert v["backend"] == "rocksdb" and per_s > 0, v
                got[op] += per_s * (t1 - t0)
                took[op] += mean * per_s * (t1 - t0)
                shown.add(op)
        means = {op: took[op] / got[op] * 1e9 for op in OPS if got[op]}
        it.record("top --tasks: %d calls of each op shown as %r calls; mean ns %r; the "
                  "program's own timing of get/put with probes %r" % (
                      n, {op: round(c) for op, c in got.items()},
                      {op: round(m) for op, m in means.items()}, probed))
        assert shown == set(OPS), (shown, top.frames[j][1])
        for op in OPS:
            assert abs(got[op] - n) <= 0.25 * n, (op, got)
        for op in ("get", "put"):
            assert 0 < means[op] <= 1.05 * probed[op], (op, means[op], probed[op])
    finally:
        calls.stop()
        top.stop()
