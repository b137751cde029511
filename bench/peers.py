"""make bench, step 8: jvmtap next to bpftrace on each of jvmtap's hot paths, in one run and on
the same workloads (issue #17). For each path, rounds alternate between no tracer, jvmtap with
only that path's collector on, and an equivalent bpftrace script (BPFTRACE below):

  cpu  on-CPU time per cgroup at each sched_switch; workload `perf bench sched pipe -l LOOPS`
       with both tasks on one CPU
  gc   the GC pause histogram from HotSpot's gc__begin/gc__end USDT probes; workload
       bench/GcBench.java (G1, -Xmx64m), an idle JVM running beside it so that jvmtap has
       attached libjvm before the measured JVM starts
  net  socket bytes per cgroup from sock:sock_send_length/sock_recv_length; workload one
       loopback iperf3 transfer of a fixed number of bytes

Each tracer side runs the workload twice: once as found (kernel.bpf_stats_enabled normally 0:
the timed run, for the slowdown) and once with bpf_stats on, for run_time_ns / run_cnt of the
tracer's own programs (found through its /proc/PID/fdinfo, so other tracers on the host are not
counted). Prints markdown tables.

    python3 bench/peers.py      # BENCH_PEERS_ROUNDS=5 BENCH_PEERS_PATHS="cpu gc net"
    BENCH_PEERS_BASELINE=/tmp/jvmtap-old python3 bench/peers.py  # + another build, same rounds
    BENCH_PEERS_BASELINE=./jvmtap BENCH_PEERS_BASELINE_ARGS=--net.max-ports-per-container=0 \\
        BENCH_PEERS_PATHS=net python3 bench/peers.py             # + the same build, other flags
    BENCH_PEERS_LOOPS=200000 BENCH_PEERS_PIPE_CPU=1 BENCH_PEERS_GC_ALLOCS=20000000 \\
        BENCH_PEERS_NET_BYTES=4G BENCH_PEERS_NET_LEN=128K \\
        BENCH_PEERS_ARGS="--cgroup.hierarchy=auto" python3 bench/peers.py  # its own choice
"""
import json
import os
import resource
import shutil
import signal
import statistics as st
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# The integration suite's helpers (tests/integration/conftest.py), as loaded by
# tests/flink/flinkbed.py for the Flink tests and bench/flink.py.
sys.path.insert(0, os.path.join(ROOT, "tests", "flink"))
from flinkbed import it  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_PEERS_ROUNDS", "5"))
PATHS = os.environ.get("BENCH_PEERS_PATHS", "cpu gc net").split()
LOOPS = int(os.environ.get("BENCH_PEERS_LOOPS", "200000"))
PIPE_CPU = os.environ.get("BENCH_PEERS_PIPE_CPU", str(os.cpu_count() - 1))  # "": not pinned
GC_ALLOCS = int(os.environ.get("BENCH_PEERS_GC_ALLOCS", "20000000"))
NET_BYTES = os.environ.get("BENCH_PEERS_NET_BYTES", "4G")
NET_LEN = os.environ.get("BENCH_PEERS_NET_LEN", "128K")
ARGS = os.environ.get("BENCH_PEERS_ARGS", "").split()
# BENCH_PEERS_BASELINE: another jvmtap build (the one before a change) as a fourth side, named
# "baseline" in the tables, for before/after ratios in one run; BENCH_PEERS_BASELINE_ARGS: flags
# for that side only (BENCH_PEERS_BASELINE=./jvmtap with them: the same build, other flags).
BASELINE = os.environ.get("BENCH_PEERS_BASELINE", "")
BASELINE_ARGS = os.environ.get("BENCH_PEERS_BASELINE_ARGS", "").split()
SIDES = ("none", "jvmtap", "bpftrace") + (("baseline",) if BASELINE else ())
TRACERS = SIDES[1:]
# The collectors that load BPF programs; each path's jvmtap runs with only its own one on.
BPF_COLLECTORS = ("cpu", "jvm", "net", "tasks", "oom", "rocksdb")
COLLECTOR = {"cpu": "cpu", "gc": "jvm", "net": "net"}
STATS = "/proc/sys/kernel/bpf_stats_enabled"


NAME_OFF = 0x60  # MemoryManager::_name on JDK 17 and 25 (user/parse/hscode.c reads it)


def libjvm():
    java = os.path.realpath(shutil.which("java"))
    return os.path.join(os.path.dirname(os.path.dirname(java)), "lib", "server", "libjvm.so")


# Equivalents of jvmtap's programs, written as a bpftrace user would but without waste: one
# clock read per event, one lookup of the previous stamp. bpftrace 0.17 has no rawtracepoint or
# kfunc probes here, so the classic tracepoints are the only way to the same events.
#  cpu: as bpf/cpu.bpf.c, the time since this CPU's last switch is charged to the task leaving
#       it (current at sched_switch), idle (pid 0) to no one; the stamp is per CPU.
#  gc:  what jvmtap's manager way gives (include/jvmtap/jvm.h) from the same probes: a histogram
#       per JVM, collector (the name MemoryManager::_name points to, at the offset jvmtap
#       reads from the constructor) and gcAction of the collections that begin inside a
#       safepoint, JDK 17 G1's Remark and Cleanup from VM_G1PauseConcurrent::doit, and a
#       safepoint histogram per JVM (jvmtap also counts threads).
#  net: bytes of TCP and UDP over IPv4/IPv6 per cgroup, calls that moved data (ret > 0), peeks
#       left out, as jvmtap's per-cgroup series (it also keeps service ports and JVMs).
BPFTRACE = {
    "cpu": """tracepoint:sched:sched_switch {
  $now = nsecs; $last = @last[cpu];
  if ($last && args->prev_pid) { @cpu[cgroup] = sum($now - $last); }
  @last[cpu] = $now;
}
""",
    "gc": """uprobe:%(lib)s:_ZN15GCMemoryManager8gc_beginEbbb /@sp[tid]/ {
  @b[tid] = nsecs; @n[tid] = str(*(uint64 *)(arg0 + %(name_off)d));
}
uprobe:%(lib)s:_ZN15GCMemoryManager6gc_endEbbbbN7GCCause5CauseEbPKc /@b[tid]/ {
  @pause[pid, @n[tid], str(*(uint64 *)(reg("sp") + 16))] = hist(nsecs - @b[tid]);
  delete(@b[tid]); delete(@n[tid]); @named[tid] = 1;
}
uprobe:%(lib)s:_ZN20VM_G1PauseConcurrent4doitEv /@sp[tid]/ { @c[tid] = nsecs; delete(@named[tid]); }
uretprobe:%(lib)s:_ZN20VM_G1PauseConcurrent4doitEv /@c[tid]/ {
  if (!@named[tid]) { @pause[pid, "unnamed", ""] = hist(nsecs - @c[tid]); }
  delete(@c[tid]);
}
usdt:%(lib)s:hs_private:safepoint__begin { @sp[tid] = nsecs; }
usdt:%(lib)s:hs_private:safepoint__end /@sp[tid]/ {
  @safepoint[pid] = hist(nsecs - @sp[tid]); delete(@sp[tid]);
}
""",
    "net": """tracepoint:sock:sock_send_length
/args->ret > 0 && (args->family == 2 || args->family == 10) &&
 (args->protocol == 6 || args->protocol == 17)/ { @tx[cgroup] = sum(args->ret); }
tracepoint:sock:sock_recv_length
/args->ret > 0 && !(args->flags & 2) && (args->family == 2 || args->family == 10) &&
 (args->protocol == 6 || args->protocol == 17)/ { @rx[cgroup] = sum(args->ret); }
""",
}


def event_prog(path, name, typ):
    """Whether a tracer's program runs on the path's events (the rest: flush tick, exec and exit
    notifications, TCP state changes)."""
    if path == "cpu":
        return name.startswith(("cpu_switch", "sched_switch"))
    if path == "gc":
        return typ == "kprobe"  # uprobes (libbpf's USDT and bpftrace's)
    # bpftrace names a program after its tracepoint, cut to the kernel's 15 characters
    return name.startswith(("net_send", "net_recv", "sock_send_len", "sock_recv_len"))


def prog_ids(pid):
    """Ids of the BPF programs a process holds open."""
    ids = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)) != "anon_inode:bpf-prog":
                continue
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as f:
                ids.update(int(l.split()[1]) for l in f if l.startswith("prog_id:"))
        except OSError:
            pass
    return ids


def snapshot(ids):
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True,
                         check=True).stdout
    return {p["id"]: (p.get("name", ""), p["type"], p.get("run_time_ns", 0), p.get("run_cnt", 0))
            for p in json.loads(out) if p["id"] in ids}


def set_stats(v):
    with open(STATS, "w") as f:
        f.write(v)


# ---- workloads: each returns the number the slowdown is made of (lower is better) ----------

def sched_pipe():
    """usecs per op of `perf bench sched pipe`, both tasks on one CPU (PIPE_CPU): on two idle
    vCPUs of this VM each op waits for an idle CPU to be woken (60-97 µs/op over the rounds of
    one run); on one CPU an op is two switches and two pipe calls (~6 µs)."""
    pin = ["taskset", "-c", PIPE_CPU] if PIPE_CPU else []
    out = subprocess.run(pin + ["perf", "bench", "sched", "pipe", "-l", str(LOOPS)],
                         capture_output=True, text=True, check=True).stdout
    return float(next(l for l in out.splitlines() if "usecs/op" in l).split()[0])


class Workloads:
    def __init__(self, tmp):
        self.classes = os.path.join(tmp, "classes")
        os.makedirs(self.classes)
        self.iperf_port = None
        self.server = None  # iperf3 -s: its CPU is the workload's too

    def cpu_seconds(self):
        """User + system time of the finished workload processes and of the iperf3 server."""
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = r.ru_utime + r.ru_stime
        if self.server:
            with open("/proc/%d/stat" % self.server.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            t += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return t

    def cpu(self):
        return sched_pipe()

    def gc(self):
        """GcBench's own time for its allocations, ms."""
        out = subprocess.run(["java", "-XX:+UseG1GC", "-Xmx64m", "-cp", self.classes, "GcBench",
                              str(GC_ALLOCS)], capture_output=True, text=True, check=True).stdout
        return float(out.split()[-1])

    def net(self):
        """Seconds the receiver took for the transfer."""
        out = subprocess.run(["iperf3", "-c", "127.0.0.1", "-p", str(self.iperf_port), "-n",
                              NET_BYTES, "-l", NET_LEN, "-J"], capture_output=True, text=True,
                             check=True).stdout
        r = json.loads(out)["end"]["sum_received"]
        self.net_bytes = r["bytes"]
        return r["seconds"]


# ---- tracers ----------------------------------------------------------------------------

class JvmtapSide:
    def __init__(self, path, binary=None, extra=()):
        args = ["--collector.%s=off" % c for c in BPF_COLLECTORS if c != COLLECTOR[path]]
        # The v2 cgroup id, as bpftrace's `cgroup`. On a hybrid host auto takes v2 only while
        # some v2 cgroup is populated (tests make them), else v1, a walk of four pointers.
        self.j = it.Jvmtap(args + ["--collector.flink=off", "--cgroup.hierarchy=v2"] + ARGS +
                           list(extra), binary=binary)
        self.pid = self.j.proc.pid
        if path == "gc":  # libjvm attached through the idle JVM, before the measured one starts
            it.wait_scrape(self.j, lambda s: it.value(s, "jvmtap_jvm_libjvm_attached") == 1, 20,
                           "libjvm attached")
        self.said = self.j.output()

    def stop(self):
        self.j.stop()
        os.unlink(self.j.log.name)  # build/jvmtap-test-PORT.log: what it said is in self.said


class BpftraceSide:
    def __init__(self, path, tmp):
        script = os.path.join(tmp, "%s.bt" % path)
        with open(script, "w") as f:
            f.write(BPFTRACE[path] % {"lib": libjvm(), "name_off": NAME_OFF})
        self.p = subprocess.Popen(["bpftrace", script], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        self.pid = self.p.pid
        # "Attaching N probes..." comes after a warning that it cannot raise RLIMIT_MEMLOCK here
        # (CAP_SYS_RESOURCE is not in the bounding set; the kernel charges maps to memcg).
        said = []
        while not said or "Attaching" not in said[-1]:
            said.append(self.p.stdout.readline())
            assert said[-1], "bpftrace exited: %s" % "".join(said)
        time.sleep(1)  # the probes are attached after that line
        self.said = "".join(said)

    def stop(self):
        self.p.send_signal(signal.SIGINT)  # prints its maps and exits
        try:
            self.said += self.p.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.said += self.p.communicate()[0]


def one_side(path, side, work, tmp, old_stats):
    """(timed value, the CPU time of that run, {prog id: (name, type, ns, runs)} over the
    counted run or None, the tracer's output)."""
    tracer = JvmtapSide(path) if side == "jvmtap" else \
        JvmtapSide(path, BASELINE, BASELINE_ARGS) if side == "baseline" else \
        BpftraceSide(path, tmp) if side == "bpftrace" else None
    runs = None
    try:
        if side != "bpftrace":
            time.sleep(1)  # as bpftrace gets after attaching; jvmtap's first poll done
        c0 = work.__self__.cpu_seconds()
        value = work()
        cpu = work.__self__.cpu_seconds() - c0
        if tracer:
            ids = prog_ids(tracer.pid)
            set_stats("1")
            try:
                s0 = snapshot(ids)
                work()
                s1 = snapshot(ids)
            finally:
                set_stats(old_stats)
            zero = (0, 0, 0, 0)
            runs = {i: (n, t, ns - s0.get(i, zero)[2], c - s0.get(i, zero)[3])
                    for i, (n, t, ns, c) in s1.items()}
    finally:
        if tracer:
            tracer.stop()
    return value, cpu, runs, tracer.said if tracer else ""


def fmt_ns(v):
    return "%.0f ns" % v if abs(v) < 10000 else "%.1f µs" % (v / 1000)


def ratio(a, b):
    """b / a, for "bpftrace / jvmtap"; n/a when either is not above zero (noise)."""
    return "%.2fx" % (b / a) if a > 0 and b > 0 else "n/a"


def main():
    for tool, pkg in (("bpftrace", "bpftrace"), ("bpftool", "bpftool"), ("perf", "linux-perf"),
                      ("iperf3", "iperf3"), ("javac", "openjdk-17-jdk-headless")):
        if not shutil.which(tool):
            sys.exit("bench/peers.py: %s is not installed (apt-get install %s)" % (tool, pkg))
    with open(STATS) as f:
        old_stats = f.read().strip()
    tmp = tempfile.mkdtemp(prefix="jvmtap-peers-")
    work = Workloads(tmp)
    subprocess.run(["javac", "-d", work.classes, os.path.join(HERE, "GcBench.java"),
                    os.path.join(HERE, "Idle.java")], check=True)
    res = {}  # path -> side -> {"values": [...], "runs": [{id: ...}, ...]}
    notes = []
    t_start = time.time()
    load0 = open("/proc/loadavg").read().split()[0]
    try:
        for path in PATHS:
            helpers = []
            try:
                if path == "gc":
                    helpers.append(subprocess.Popen(
                        ["java", "-Xmx16m", "-XX:+UseSerialGC", "-cp", work.classes, "Idle"]))
                    time.sleep(1)
                if path == "net":
                    work.iperf_port = it.free_port()
                    work.server = subprocess.Popen(
                        ["iperf3", "-s", "-p", str(work.iperf_port)], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)
                    helpers.append(work.server)
                    time.sleep(0.5)
                fn = getattr(work, path)
                fn()  # warm-up (page cache, JIT of the JDK's own startup, iperf3's server)
                res[path] = {s: {"values": [], "cpu": [], "runs": []} for s in SIDES}
                for _ in range(ROUNDS):
                    for side in SIDES:
                        value, cpu, runs, said = one_side(path, side, fn, tmp, old_stats)
                        r = res[path][side]
                        r["values"].append(value)
                        r["cpu"].append(cpu)
                        if runs is not None:
                            r["runs"].append(runs)
                        if side == "jvmtap" and said:
                            for line in said.splitlines():
                                if "charging CPU to the" in line or "attached via" in line:
                                    notes.append("%s: %s" % (path, line.split("info: ")[-1]))
            finally:
                for h in helpers:
                    it.terminate(h)
                work.server = None
    finally:
        set_stats(old_stats)
        shutil.rmtree(tmp, ignore_errors=True)
    load = "%s -> %s" % (load0, open("/proc/loadavg").read().split()[0])
    report(res, sorted(set(notes)), old_stats, time.time() - t_start, work, load)


def totals(runs, path, events):
    """Summed over rounds: (ns, runs) of the event programs (events=True) or of the others, and
    the per-name split {name: [ns, runs]}."""
    ns = cnt = 0
    by = {}
    for rr in runs:
        for name, typ, n, c in rr.values():
            if event_prog(path, name, typ) == events:
                ns += n
                cnt += c
                b = by.setdefault(name, [0, 0])
                b[0] += n
                b[1] += c
    return ns, cnt, by


def gc_count(runs):
    """Pauses per counted run (G1 on JDK 17 has no concurrent-cycle manager: every collection is
    a pause): jvmtap's GCMemoryManager::gc_begin and VM_G1PauseConcurrent::doit entries (its
    gc__begin hits on a libjvm without symbols). bpftrace names a program after the first 15
    bytes of its symbol, the same for a function's entry and its other probe: half of those."""
    return [sum(c for name, _, _, c in rr.values()
                if name in ("gc_begin", "gc_manager_begin", "gc_manager_begi",
                            "g1_pause_begin")) +
            sum(c for name, _, _, c in rr.values()
                if name in ("_ZN15GCMemoryMa", "_ZN20VM_G1Pause")) // 2
            for rr in runs]


def report(res, notes, old_stats, secs, work, load):
    print("jvmtap vs bpftrace %s, %d rounds of no tracer / jvmtap / bpftrace, %.0f s, load "
          "average %s" % (subprocess.run(["bpftrace", "--version"], capture_output=True,
                                         text=True).stdout.split()[-1], ROUNDS, secs, load))
    if old_stats != "0":
        print("(kernel.bpf_stats_enabled was %s before the run: the timed runs paid for the "
              "statistics too)" % old_stats)
    for n in notes:
        print("jvmtap, " + n)
    goal = []
    work_name = {"cpu": "%sperf bench sched pipe -l %d, usecs/op" % (
        "taskset -c %s " % PIPE_CPU if PIPE_CPU else "", LOOPS),
                 "net": "iperf3 -n %s -l %s over loopback, s" % (NET_BYTES, NET_LEN)}
    per = [p for p in ("cpu", "net") if p in res]
    if per:
        print()
        print("| hot path: workload (median of the rounds) | side | events per run | BPF ns/event "
              "(bpf_stats) | the side's programs: runs per run at ns per run | workload | "
              "slowdown | wall time added per event | workload CPU (user + sys) | CPU added per "
              "event |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for path in per:
        r = res[path]
        base = st.median(r["none"]["values"])
        cbase = st.median(r["none"]["cpu"])
        unit = LOOPS * 1000.0 if path == "cpu" else 1e9  # workload unit -> ns per run
        row = {}
        for side in SIDES:
            v = st.median(r[side]["values"])
            c = st.median(r[side]["cpu"])
            shown = "%.3f" % v
            if path == "net":
                shown += " (%.2f Gbit/s)" % (work.net_bytes * 8 / v / 1e9)
            if side == "none":
                print("| %s: %s | no tracer | | | | %s | | | %.2f s | |" % (
                    path, work_name[path], shown, c))
                continue
            ns, cnt, _ = totals(r[side]["runs"], path, True)
            _, _, eby = totals(r[side]["runs"], path, True)
            _, _, oby = totals(r[side]["runs"], path, False)
            nrun = len(r[side]["runs"])
            ev = cnt / nrun
            per_ev = ns / cnt if cnt else float("nan")
            added = (v - base) * unit / ev if ev else float("nan")
            cadded = (c - cbase) * 1e9 / ev if ev else float("nan")
            progs = ", ".join("%s %d at %s" % (n, b[1] / nrun, fmt_ns(b[0] / b[1]))
                              for by in (eby, oby) for n, b in sorted(by.items()) if b[1])
            row[side] = (per_ev, added, cadded)
            print("| %s | %s | %.0f | %.1f | %s | %s | %.3fx | %s | %.2f s | %s |" % (
                path, side, ev, per_ev, progs, shown, v / base, fmt_ns(added), c,
                fmt_ns(cadded)))
        goal.append((path, "BPF ns per event") + tuple(row[t][0] for t in TRACERS))
        goal.append((path, "wall time added per event") + tuple(row[t][1] for t in TRACERS))
        goal.append((path, "CPU time added per event") + tuple(row[t][2] for t in TRACERS))
    if "gc" in res:
        r = res["gc"]
        base = st.median(r["none"]["values"])
        print()
        print("| GC pauses: GcBench %d allocs, G1, -Xmx64m (median of the rounds) | pauses per "
              "run | uprobe hits per collection | handler ns per hit | handler "
              "ns per collection | GcBench | slowdown | wall time added per collection | JVM "
              "CPU (user + sys) | CPU added per collection |" % GC_ALLOCS)
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        cbase = st.median(r["none"]["cpu"])
        print("| no tracer | | | | | %.0f ms | | | %.2f s | |" % (base, cbase))
        row, split = {}, []
        for side in TRACERS:
            v = st.median(r[side]["values"])
            c = st.median(r[side]["cpu"])
            ns, hits, by = totals(r[side]["runs"], "gc", True)
            colls = gc_count(r[side]["runs"])
            tot = sum(colls)
            per_c = st.median(colls)
            added = (v - base) * 1e6 / per_c if per_c else float("nan")
            cadded = (c - cbase) * 1e9 / per_c if per_c else float("nan")
            row[side] = (hits / tot if tot else float("nan"), ns / tot if tot else float("nan"),
                         added, cadded)
            print("| %s | %.0f | %.1f | %.0f | %.0f | %.0f ms | %.3fx | %s | %.2f s | %s |" % (
                side, per_c, row[side][0], ns / hits if hits else float("nan"), row[side][1], v,
                v / base, fmt_ns(added), c, fmt_ns(cadded)))
            split.append("%s: %s" % (side, ", ".join(
                "%s %.2f at %s" % (n, b[1] / tot, fmt_ns(b[0] / b[1]))
                for n, b in sorted(by.items()) if b[1])))
        print()
        print("uprobe hits per collection by program, at handler ns per hit: " + "; ".join(split))
        goal.append(("gc", "uprobe hits per collection") + tuple(row[t][0] for t in TRACERS))
        goal.append(("gc", "handler ns per collection") + tuple(row[t][1] for t in TRACERS))
        goal.append(("gc", "wall time added per collection") + tuple(row[t][2] for t in TRACERS))
        goal.append(("gc", "CPU time added per collection") + tuple(row[t][3] for t in TRACERS))
    print()
    print("| hot path | measure | jvmtap | bpftrace | bpftrace / jvmtap (goal ≥ 2x) |" +
          (" baseline | baseline / jvmtap |" if BASELINE else ""))
    print("| --- | --- | --- | --- | --- |" + (" --- | --- |" if BASELINE else ""))
    for path, what, a, b, *base in goal:
        shown = (lambda x: "%.1f" % x) if what.startswith("uprobe") else fmt_ns
        print("| %s | %s | %s | %s | %s |" % (path, what, shown(a), shown(b), ratio(a, b)) +
              "".join(" %s | %s |" % (shown(c), ratio(a, c)) for c in base))
    print()
    print("the rounds, workload values (CPU s):")
    for path in res:
        for side in SIDES:
            r = res[path][side]
            print("  %s %s: %s" % (path, side, " ".join(
                "%.3f (%.2f)" % vc for vc in zip(r["values"], r["cpu"]))))


if __name__ == "__main__":
    main()
