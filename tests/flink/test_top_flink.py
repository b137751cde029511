"""jvmtap top's tasks view of a JVM's RocksDB state calls: RocksCalls (test_rocksdb.py) makes N
of each call while `jvmtap top --batch --tasks` runs. The view's TaskManager tasks are tested in
tests/integration/test_top.py, whose top driver (TopBatch) and view parser (tasks_view) are used
here."""
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


top_it = integration_module("test_top")


def test_top_state_calls(tmp_path):
    """Every op shown with calls. Each op's calls per second times its frame's interval (taken
    from when each frame arrived), summed over the frames, is N (tolerance 2 %: the view's
    three digits and the arrival times' jitter; 0.2 % here); the mean time of the gets and
    puts is within test_rocksdb's bound of the program's own timing without probes (50 % +
    400 ns). Not a TaskManager: no tasks."""
    version, n = VERSIONS[0], 20000
    calls = Calls(version, "rocksdb", tmp_path, n)
    pid = calls.p.pid
    # Started after it: its library is found as top finds the JVM; the rate guard off.
    top = top_it.TopBatch(["--tasks", "--delay=1", "--rocksdb.max-call-rate=0"],
                          str(tmp_path / "top.err"))
    try:
        i = top.wait(lambda v: True)  # a first frame: the probes are attached
        calls.go()
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
                  "program's own timing of get/put without probes %r" % (
                      n, {op: round(c) for op, c in got.items()},
                      {op: round(m) for op, m in means.items()}, calls.unprobed))
        assert shown == set(OPS), (shown, top.frames[j][1])
        for op in OPS:
            assert abs(got[op] - n) <= 0.02 * n, (op, got)
        for op in ("get", "put"):
            assert abs(means[op] - calls.unprobed[op]) <= 0.5 * calls.unprobed[op] + 400, \
                (op, means[op], calls.unprobed[op])
    finally:
        calls.stop()
        top.stop()
