"""CPU time per cgroup against the kernel's own accounting (cgroup v2 cpu.stat usage_usec, v1
cpuacct.usage), for every sched_switch attach mode this kernel supports."""
import os
import time

import pytest

from conftest import CG1_CPU, CG1_CPUACCT, busy, record, select, usage_usec_v2, value

METRIC = "jvmtap_container_cpu_seconds_total"
TOLERANCE = 0.02  # relative, as the spine issue states


def cpu_of(samples, cg_rel):
    found = select(samples, METRIC, container_id=cg_rel)
    return found[0][1] if found else 0.0


def steal_seconds():
    """Machine-wide irq + softirq + steal time (/proc/stat): bpf_ktime_get_ns() counts the part
    that hits a running task, cpu.stat (like the rq clock) does not."""
    with open("/proc/stat") as f:
        fields = f.readline().split()
    return sum(int(x) for x in fields[6:9]) / os.sysconf("SC_CLK_TCK")


def close(measured, oracle, tol=TOLERANCE, extra=0.0):
    record("cpu: jvmtap %.4f s vs oracle %.4f s (%+.3f%%)" % (
        measured, oracle, 100.0 * (measured - oracle) / oracle))
    return abs(measured - oracle) <= tol * oracle + extra


@pytest.mark.parametrize("mode,clock", [("tp_btf", "rq"), ("tp_btf", "ktime"),
                                        ("raw_tp", "ktime"), ("tracepoint", "ktime")])
def test_exited_busy_loop_total_matches_cpu_stat(jvmtap_factory, cgroups, mode, clock):
    """A process that burns 5 s of CPU and exits: its whole time is in its cgroup's counter.
    Every attach mode and clock source this kernel supports."""
    j = jvmtap_factory("--cgroup.hierarchy=v2", "--bpf.attach-mode=" + mode,
                       "--cpu.clock=" + clock, "--strict")
    assert "attached via %s, %s clock" % (mode, clock) in j.output()
    assert value(j.scrape(), "jvmtap_bpf_program_attached", program="cpu_switch", mode=mode) == 1
    cg = cgroups()
    u0, st0 = usage_usec_v2(cg), steal_seconds()
    cg.spawn(busy(5)).wait()
    u1, st1 = usage_usec_v2(cg), steal_seconds()
    oracle = (u1 - u0) / 1e6
    assert oracle > 4.5
    got = cpu_of(j.scrape(), "/" + cg.rel)
    # The rq clock leaves IRQ and steal time out as cpu.stat does; ktime cannot (the machine's
    # IRQ and steal time during the run bounds the difference).
    extra = st1 - st0 if clock == "ktime" else 0.0
    assert close(got, oracle, extra=extra), "jvmtap %.4fs vs cpu.stat %.4fs (mode %s, steal %.3fs)" % (
        got, oracle, mode, extra)


def test_live_delta_two_cgroups_at_once(jvmtap_factory, cgroups):
    """Two busy cgroups at once, measured while running: the per-CPU flush tick keeps the
    counters current (lag <= 1/flush-hz per CPU = 50 ms at 20 Hz, 1% of the 6 s window)."""
    j = jvmtap_factory("--cgroup.hierarchy=v2")
    a, b = cgroups(), cgroups()
    a.spawn(busy(12))
    b.spawn(busy(12))
    time.sleep(1.0)
    s0, ua0, ub0 = j.scrape(), usage_usec_v2(a), usage_usec_v2(b)
    time.sleep(6.0)
    s1, ua1, ub1 = j.scrape(), usage_usec_v2(a), usage_usec_v2(b)
    for cg, u0, u1 in ((a, ua0, ua1), (b, ub0, ub1)):
        oracle = (u1 - u0) / 1e6
        got = cpu_of(s1, "/" + cg.rel) - cpu_of(s0, "/" + cg.rel)
        assert oracle > 3.0
        assert close(got, oracle), "%s: jvmtap %.4fs vs cpu.stat %.4fs" % (cg.rel, got, oracle)


def test_v1_cpu_hierarchy_matches_cpuacct(jvmtap_factory, cgroups):
    """Pure-v1 path: time charged to the task's v1 `cpu` cgroup (CO-RE read of task->cgroups);
    oracle: cpuacct.usage of a same-named cpuacct cgroup holding the same process."""
    j = jvmtap_factory("--cgroup.hierarchy=v1", "--strict")
    cg = cgroups(base=CG1_CPU)
    acct = cgroups(rel=cg.rel, base=CG1_CPUACCT)
    path = os.path.join(acct.path, "cpuacct.usage")
    u0 = int(open(path).read())
    p = cg.spawn(busy(5))
    acct.add(p.pid)  # the few ms before this line are not in cpuacct: well inside 2%
    p.wait()
    oracle = (int(open(path).read()) - u0) / 1e9
    got = cpu_of(j.scrape(), "/" + cg.rel)
    assert oracle > 4.5
    assert close(got, oracle), "jvmtap %.4fs vs cpuacct %.4fs" % (got, oracle)


def test_counter_survives_exit_and_series_leaves_after_grace(jvmtap_factory, cgroups):
    j = jvmtap_factory("--cgroup.hierarchy=v2", "--container.grace-period=2s")
    cg = cgroups()
    cg.spawn(busy(1)).wait()
    rel = "/" + cg.rel
    first = cpu_of(j.scrape(), rel)
    assert first > 0.9
    time.sleep(1.5)
    assert cpu_of(j.scrape(), rel) == first, "an exited process's time must stay"
    cg.remove()
    # Still there inside the grace period ...
    assert select(j.scrape(), METRIC, container_id=rel)
    # ... and gone after it (maintenance runs every grace/2 s).
    deadline = time.time() + 15
    while time.time() < deadline and select(j.scrape(), METRIC, container_id=rel):
        time.sleep(0.5)
    assert not select(j.scrape(), METRIC, container_id=rel)


def test_counters_never_decrease(jvmtap_factory, cgroups):
    j = jvmtap_factory("--cgroup.hierarchy=v2")
    cg = cgroups()
    cg.spawn(busy(3))
    prev = {}
    for _ in range(12):
        for labels, v in select(j.scrape(), METRIC):
            key = tuple(sorted(labels.items()))
            assert v >= prev.get(key, 0), "%s went from %s to %s" % (key, prev[key], v)
            prev[key] = v
        time.sleep(0.25)


def test_auto_mode_prefers_tp_btf(jvmtap_factory):
    j = jvmtap_factory()
    s = j.scrape()
    assert value(s, "jvmtap_bpf_program_attached", program="cpu_switch", mode="tp_btf") == 1
    assert value(s, "jvmtap_bpf_program_attached", program="cpu_flush", mode="perf_event") == 1
    assert value(s, "jvmtap_bpf_map_max_entries", map="cgroup_cpu") == 16384
    # counted every 2 s by the self collector's worker. A CPU charging one cgroup all along keeps
    # its time in its per-CPU pending sum, not in the map: the count may be 0 on an idle host.
    s = j.scrape_fresh("self")
    assert value(s, "jvmtap_bpf_map_entries", map="cgroup_cpu") >= 0
    assert value(s, "jvmtap_container_cpu_seconds_total", container_id="/") > 0


def test_auto_hierarchy_follows_where_processes_live(jvmtap_factory, cgroups):
    """auto: v1 when the v2 tree has no populated child cgroup (this host's hybrid layout),
    v2 as soon as one holds a process."""
    import os
    from conftest import CG2
    populated = [d for d, _, f in os.walk(CG2) if d != CG2 and "cgroup.procs" in f
                 and open(os.path.join(d, "cgroup.procs")).read().strip()]
    if not populated:
        j = jvmtap_factory()
        assert "charging CPU to the v1 cpu hierarchy" in j.output()
    cg = cgroups()
    cg.spawn(["sleep", "30"])
    j = jvmtap_factory()
    assert "charging CPU to the v2 hierarchy" in j.output()
