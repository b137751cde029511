"""make bench, part 6: a real Flink job with and without jvmtap, alternating rounds in one run.
One JobManager and two TaskManagers (tests/flink/flinkbed.py, no reporter), the bounded keyed
count of tests/flink/java/KeyedCount.java on RocksDB with checkpoints every 3 s, unpaced: records
per second from Flink's own job duration (REST /jobs/:jid, records / duration), and the
TaskManagers' CPU per million records from their /proc/PID/stat; a third side probes every
RocksDB state call (no rate guard). Prints markdown table rows."""
import os
import statistics as st
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "flink"))
from flinkbed import Cluster, it, job_jar  # noqa: E402

VERSION = os.environ.get("BENCH_FLINK_VERSION", "1.20.5")
RECORDS = int(os.environ.get("BENCH_FLINK_RECORDS", "3000000"))
ROUNDS = int(os.environ.get("BENCH_FLINK_ROUNDS", "4"))
# Paced rounds: the job at a fixed rate well under what the machine does, so the TaskManagers'
# CPU per record is not also a measure of who won the two cores.
PACED_RECORDS = int(os.environ.get("BENCH_FLINK_PACED_RECORDS", "1500000"))
RATE = int(os.environ.get("BENCH_FLINK_RATE", "30000"))  # per subtask, 2 subtasks
TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / TCK  # utime + stime


def bpf_seconds(j):
    """{program: (run seconds, runs)} from jvmtap's own metrics."""
    s = j.scrape()
    runs = {l["program"]: v for l, v in it.select(s, "jvmtap_bpf_program_runs_total")}
    return {l["program"]: (v, runs.get(l["program"], 0))
            for l, v in it.select(s, "jvmtap_bpf_program_run_seconds_total")}


def one_round(c, jar, records=RECORDS, rate=0):
    """(records/s by Flink's job duration, TaskManagers' CPU seconds per million records)."""
    tms = [p.pid for role, p in c.procs if role == "taskmanager"]
    cpu0 = sum(cpu_seconds(p) for p in tms)
    jid = c.submit(jar, "--records", str(records), "--rate", str(rate))
    j = c.wait_finished(jid)
    cpu1 = sum(cpu_seconds(p) for p in tms)
    return records / (j["duration"] / 1000.0), (cpu1 - cpu0) / (records / 1e6)


# jvmtap's flags per side; None: without jvmtap. "unguarded": every RocksDB state call probed
# for the whole job (by default the rate guard detaches the probes of a TaskManager making more
# than 10 000 calls/s within two seconds).
SIDES = {False: None, True: (), "unguarded": ("--rocksdb.max-call-rate=0",)}


def alternate(c, jar, sides=(False, True), **kw):
    """ROUNDS rounds of each side, alternating: {side: [...]}."""
    res = {side: [] for side in sides}
    for _ in range(ROUNDS):
        for side in sides:
            j = it.Jvmtap(SIDES[side]) if SIDES[side] is not None else None
            res[side].append(one_round(c, jar, **kw))
            if j:
                j.stop()
    return res


def main():
    tmp = tempfile.mkdtemp(prefix="jvmtap-bench-flink-")
    c = Cluster(VERSION, tmp, reporter=False)
    try:
        jar = job_jar(c.home, VERSION)
        one_round(c, jar)  # warm-up: JIT, RocksDB library extraction, class loading
        res = alternate(c, jar, sides=(False, True, "unguarded"))
        paced = alternate(c, jar, records=PACED_RECORDS, rate=RATE)
        # One more round with the kernel's BPF statistics on: what jvmtap's handlers cost
        # during the job, program by program (bpf_stats adds its own timing cost to each run).
        j = it.Jvmtap(("--bpf.stats",))
        before = bpf_seconds(j)
        t0 = time.time()
        one_round(c, jar)
        after = bpf_seconds(j)
        wall = time.time() - t0
        j.stop()
    finally:
        c.stop()
    spent = {k: v - before.get(k, (0, 0))[0] for k, (v, _) in after.items()}
    runs = {k: n - before.get(k, (0, 0))[1] for k, (_, n) in after.items()}
    wo, wi = [r for r, _ in res[False]], [r for r, _ in res[True]]
    cwo, cwi = [x for _, x in res[False]], [x for _, x in res[True]]
    print("| Flink %s bounded keyed count (%d records, RocksDB, parallelism 2), %d rounds each side: "
          "records/s without / with jvmtap, median | %.0f / %.0f |" % (VERSION, RECORDS, ROUNDS,
                                                                     st.median(wo), st.median(wi)))
    print("| Flink throughput ratio (with / without) | %.3fx |" % (st.median(wi) / st.median(wo)))
    print("| Flink TaskManagers' CPU per million records without / with jvmtap, median | %.2f / %.2f s |"
          % (st.median(cwo), st.median(cwi)))
    wu, cwu = [r for r, _ in res["unguarded"]], [x for _, x in res["unguarded"]]
    print("| Flink with every RocksDB state call probed (--rocksdb.max-call-rate=0): records/s, "
          "ratio to without, CPU per million records, median | %.0f, %.3fx, %.2f s |" % (
              st.median(wu), st.median(wu) / st.median(wo), st.median(cwu)))
    pwo, pwi = [x for _, x in paced[False]], [x for _, x in paced[True]]
    print("| Flink paced at %d records/s per subtask (%d records), %d rounds each side: TaskManagers' "
          "CPU per million records without / with jvmtap, median | %.3f / %.3f s |" % (
              RATE, PACED_RECORDS, ROUNDS, st.median(pwo), st.median(pwi)))
    print("| Flink paced: CPU ratio (with / without) | %.3fx (rounds without: %s; with: %s) |" % (
        st.median(pwi) / st.median(pwo), " ".join("%.3f" % x for x in pwo),
        " ".join("%.3f" % x for x in pwi)))
    usdt = sum(n for k, n in runs.items() if k.startswith("jvm_") and k not in ("jvm_exec", "jvm_exit"))
    print("| Flink job with --bpf.stats: uprobe hits (HotSpot USDT programs) | %.0f per s |" % (usdt / wall))
    top = sorted(((v, k) for k, v in spent.items() if v > 0), reverse=True)
    print("| Flink job with --bpf.stats: jvmtap's BPF handlers, all programs | %.1f ms per s of job "
          "(%.2f %% of one CPU) |" % (1000 * sum(spent.values()) / wall, 100 * sum(spent.values()) / wall))
    for v, k in top[:6]:
        print("| ... %s | %.1f ms per s, %.0f events/s, %.0f ns/event |" % (
            k, 1000 * v / wall, runs[k] / wall, 1e9 * v / runs[k] if runs[k] else 0))
    print("| Flink rounds, records/s without: %s; with: %s; unguarded: %s | |" % (
        " ".join("%.0f" % x for x in wo), " ".join("%.0f" % x for x in wi),
        " ".join("%.0f" % x for x in wu)))


if __name__ == "__main__":
    main()
