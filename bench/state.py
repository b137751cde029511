"""make bench, part 7: what the RocksDB state probes cost per call, in one run. The program of
tests/flink/java/RocksCalls.java times N puts and N gets of RocksJava from Java (Flink 1.20.5's
FRocksDB, loaded as Flink loads it), in rounds alternating between no tracer, jvmtap's probes
(--rocksdb.max-call-rate=0) and an equivalent bpftrace script (an entry and a return probe on
the same two functions, a latency histogram): ns per call added, from the program's own
timing, and ns per BPF program run from kernel.bpf_stats_enabled. Prints markdown table rows."""
import os
import shutil
import statistics as st
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "flink"))
from flinkbed import VERSIONS, it  # noqa: E402
from test_rocksdb import Calls  # noqa: E402

N = int(os.environ.get("BENCH_STATE_CALLS", "200000"))
ROUNDS = int(os.environ.get("BENCH_STATE_ROUNDS", "3"))
VERSION = VERSIONS[0]
FUNCS = ("Java_org_rocksdb_RocksDB_get__J_3BIIJ", "Java_org_rocksdb_RocksDB_put__JJ_3BII_3BIIJ")


def lib_of(pid):
    for line in open("/proc/%d/maps" % pid):
        if line.rstrip().endswith("/librocksdbjni-linux64.so"):
            return line.split()[-1]
    raise AssertionError("pid %d maps no librocksdbjni-linux64.so" % pid)


def bpftrace_script(lib):
    s = ""
    for f in FUNCS:
        s += "uprobe:%s:%s { @start[tid] = nsecs; }\n" % (lib, f)
        s += "uretprobe:%s:%s /@start[tid]/ { @ns = hist(nsecs - @start[tid]); " \
             "delete(@start[tid]); }\n" % (lib, f)
    return s


def bpf_stats():
    """{(id, name): (run_time_ns, run_cnt)} of every loaded program (bpftool)."""
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True,
                         check=True).stdout
    import json
    return {(p["id"], p.get("name", "")): (p.get("run_time_ns", 0), p.get("run_cnt", 0))
            for p in json.loads(out)}


def one_round(tmp, tracer):
    """{"get": ns, "put": ns} per call as the program timed them, and the BPF programs'
    (ns, runs) during the counted calls."""
    calls = Calls(VERSION, "rocksdb", tmp, N)
    proc = j = None
    try:
        if tracer == "jvmtap":
            j = it.Jvmtap(("--rocksdb.max-call-rate=0", "--container.grace-period=2s"))
            it.wait_scrape(j, lambda s: it.value(s, "jvmtap_flink_state_probes_attached",
                                                 backend="rocksdb") == 1, 20, "the library")
        elif tracer == "bpftrace":
            script = os.path.join(str(tmp), "state.bt")
            with open(script, "w") as f:
                f.write(bpftrace_script(lib_of(calls.p.pid)))
            proc = subprocess.Popen(["bpftrace", script], stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
            # "Attaching N probes..." (after a warning that it cannot raise RLIMIT_MEMLOCK here:
            # CAP_SYS_RESOURCE is not in the bounding set; the kernel charges maps to memcg)
            said = []
            while not said or "Attaching" not in said[-1]:
                said.append(proc.stdout.readline())
                assert said[-1], "bpftrace exited: %s" % "".join(said)
            time.sleep(1)
        s0 = bpf_stats()
        done = calls.go()
        s1 = bpf_stats()
        runs = {}
        for name, (ns, cnt) in s1.items():
            a, b = s0.get(name, (0, 0))
            if cnt - b > 0:
                runs[name] = (ns - a, cnt - b)
        return done, runs
    finally:
        calls.stop()
        if j:
            j.stop()
        if proc:
            proc.terminate()
            proc.wait()


def main():
    if not shutil.which("bpftrace"):
        sys.exit("bench/state.py: bpftrace is not installed (make bench installs it)")
    old = open("/proc/sys/kernel/bpf_stats_enabled").read().strip()
    open("/proc/sys/kernel/bpf_stats_enabled", "w").write("1")
    res = {t: [] for t in ("none", "jvmtap", "bpftrace")}
    progs = {t: {} for t in res}
    try:
        for r in range(ROUNDS):
            for t in res:
                with tempfile.TemporaryDirectory(prefix="bench-state-") as tmp:
                    done, runs = one_round(tmp, t)
                res[t].append(done)
                for (_, name), (ns, cnt) in runs.items():
                    if name.startswith(("rocksdb_", "Java_org_rocksd")):
                        a, b = progs[t].get(t, (0, 0))
                        progs[t][t] = (a + ns, b + cnt)
    finally:
        open("/proc/sys/kernel/bpf_stats_enabled", "w").write(old)
    med = {t: {op: st.median(d[op] for d in v) for op in ("get", "put")} for t, v in res.items()}
    print("| RocksDB state calls (Flink %s FRocksDB, %d puts then %d gets per round, %d rounds "
          "each) timed from Java, median ns per call | get | put |" % (VERSION, N, N, ROUNDS))
    print("| --- | --- | --- |")
    for t in res:
        print("| %s | %.0f | %.0f |" % ({"none": "no tracer", "jvmtap": "jvmtap (no rate guard)",
                                         "bpftrace": "bpftrace, entry+return histogram"}[t],
                                        med[t]["get"], med[t]["put"]))
    for t in ("jvmtap", "bpftrace"):
        added = {op: med[t][op] - med["none"][op] for op in ("get", "put")}
        print("| %s: ns added per call | %.0f | %.0f |" % (t, added["get"], added["put"]))
    for t in ("jvmtap", "bpftrace"):
        ns, cnt = progs[t].get(t, (0, 0))
        print("| %s: BPF handler ns per call, entry + return (bpf_stats), over calls | %.0f | %d |"
              % (t, ns / max(cnt / 2, 1), cnt // 2))


if __name__ == "__main__":
    main()
