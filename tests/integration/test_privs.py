"""Least privilege after attach: every thread's CapEff and CapBnd against the documented set
(docs/security.md), NO_NEW_PRIVS, --run-as-user, and that later attaches still work with what is
left (a JVM started after the drop gets its HotSpot probes and its hsperfdata read)."""
import os
import time

from conftest import run_jvmtap, select
from test_jvm import Workload, classes, data_dir, workloads  # noqa: F401 (fixtures)

CAP = {"dac_read_search": 2, "sys_ptrace": 19, "sys_admin": 21, "perfmon": 38, "bpf": 39}
KEPT = sum(1 << b for b in CAP.values())  # 0xc000280004


def status(pid):
    """{thread id: {field: value}} of /proc/PID/task/*/status."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
            out[tid] = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
    return out


def check_threads(pid, eff, uid=0):
    threads = status(pid)
    assert len(threads) >= 2, "the HTTP server's threads are there too"
    for tid, s in threads.items():
        assert int(s["CapEff"], 16) == eff, (tid, s["CapEff"])
        assert int(s["CapPrm"], 16) == eff, (tid, s["CapPrm"])
        assert int(s["CapInh"], 16) == 0 and int(s["CapAmb"], 16) == 0
        assert s["NoNewPrivs"] == "1"
        assert s["Uid"].split() == [str(uid)] * 4
    return threads


def jvm_after_drop(j, classes, tmp_path, workloads):  # noqa: F811
    """A JVM started after the drop: probes attached (usdt), GC pauses seen, hsperfdata read."""
    w = Workload(classes, tmp_path, alloc=1.0, sleep=20)
    workloads.append(w)
    w.wait_phase("done")
    deadline = time.time() + 10
    while time.time() < deadline:
        s = j.scrape()
        info = select(s, "jvmtap_jvm_info", pid=str(w.proc.pid))
        if info and info[0][0]["hsperfdata"] == "true":
            break
        time.sleep(0.2)
    (labels, _), = info
    assert labels["usdt"] == "true" and labels["hsperfdata"] == "true"
    assert sum(v for _, v in select(s, "jvmtap_jvm_gc_pause_seconds_count", pid=str(w.proc.pid))) > 0


def test_root_keeps_only_the_documented_set(jvmtap_factory, classes, tmp_path, workloads):  # noqa: F811
    j = jvmtap_factory()
    threads = check_threads(j.proc.pid, KEPT)
    for s in threads.values():
        assert int(s["CapBnd"], 16) == KEPT, "the bounding set is cut too"
    assert "capabilities kept: dac_read_search, sys_ptrace, sys_admin, perfmon, bpf" in j.output()
    jvm_after_drop(j, classes, tmp_path, workloads)


def test_run_as_user(jvmtap_factory, classes, tmp_path, workloads):  # noqa: F811
    j = jvmtap_factory("--run-as-user=nobody")
    check_threads(j.proc.pid, KEPT, uid=65534)
    jvm_after_drop(j, classes, tmp_path, workloads)


def test_started_with_less_keeps_less(jvmtap_factory):
    """Started without CAP_SYS_ADMIN (a DaemonSet without it): the kept set is what the process
    had of the documented one, nothing is added."""
    wrapper = ["setpriv", "--bounding-set=-sys_admin", "--inh-caps=-all", "--"]
    j = jvmtap_factory(env=None, wrapper=wrapper)
    check_threads(j.proc.pid, KEPT & ~(1 << CAP["sys_admin"]))


def test_keep_privileges(jvmtap_factory):
    j = jvmtap_factory("--security.keep-privileges")
    main = status(j.proc.pid)[str(j.proc.pid)]
    assert int(main["CapEff"], 16) & ~KEPT, "nothing dropped"


def test_bad_user_exits_2():
    p = run_jvmtap("--run-as-user=no-such-user-here")
    assert p.returncode == 2 and "no user 'no-such-user-here'" in p.stderr
    p = run_jvmtap("--run-as-user=nobody", "--security.keep-privileges")
    assert p.returncode == 2
