"""make bench, step 7: scrape cost at node scale. 50 idle JDK 17 JVMs (-Xmx16m, Serial GC) and
200 empty cgroups, then 200 sequential scrapes (one kept-alive connection) of each jvmtap binary
given (the built one by default; BENCH_SCALE_BINS="old new" to compare two builds in the same
run, each started on the same JVMs and cgroups, BENCH_SCALE_ROUNDS rounds alternating them, the
median of the rounds shown): p50/p99 scrape latency and render time
(jvmtap_scrape_duration_seconds), the jvm collector's own time per scrape and per JVM
(jvmtap_scrape_collector_duration_seconds), series. Prints a markdown table.

    python3 bench/scale.py                       # BENCH_SCALE_JVMS=50 BENCH_SCALE_CGROUPS=200
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import http.client
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# The integration suite's helpers (tests/integration/conftest.py), as loaded by
# tests/flink/flinkbed.py for the Flink tests and bench/flink.py.
sys.path.insert(0, os.path.join(ROOT, "tests", "flink"))
from flinkbed import it  # noqa: E402
free_port = it.free_port
NJVMS = int(os.environ.get("BENCH_SCALE_JVMS", "50"))
NCG = int(os.environ.get("BENCH_SCALE_CGROUPS", "200"))
SCRAPES = int(os.environ.get("BENCH_SCALE_SCRAPES", "200"))
ROUNDS = int(os.environ.get("BENCH_SCALE_ROUNDS", "3"))
BINS = os.environ.get("BENCH_SCALE_BINS", os.path.join(ROOT, "jvmtap")).split()
CG_BASE = "/sys/fs/cgroup/cpu/jvmtap-bench-scale"


def get(port, path="/metrics"):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=10) as r:
        return r.read().decode()


def collector_seconds(text, name):
    for line in text.splitlines():
        if line.startswith('jvmtap_scrape_collector_duration_seconds{collector="%s"}' % name):
            return float(line.split()[-1])
    return float("nan")


def measure(binary):
    port = free_port()
    log = tempfile.TemporaryFile()
    p = subprocess.Popen([binary, "--web.listen-address=127.0.0.1:%d" % port], stdout=log,
                         stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 30
        while True:
            try:
                if "jvmtap_jvm_info" in get(port):
                    break
            except OSError:
                pass
            assert time.time() < deadline and p.poll() is None, "jvmtap did not come up"
            time.sleep(0.2)
        time.sleep(3)  # every JVM attached and its hsperfdata learned
        # One kept-alive connection, as Prometheus scrapes: the latency is the server's, not
        # a new connection's; the render time is jvmtap's own jvmtap_scrape_duration_seconds.
        lat, jvm, render = [], [], []
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(SCRAPES):
            t0 = time.perf_counter()
            conn.request("GET", "/metrics")
            text = conn.getresponse().read().decode()
            lat.append(time.perf_counter() - t0)
            jvm.append(collector_seconds(text, "jvm"))
            render.append(next(float(l.split()[-1]) for l in text.splitlines()
                               if l.startswith("jvmtap_scrape_duration_seconds ")))
        conn.close()
        series = sum(1 for l in text.splitlines() if l and not l.startswith("#"))
        colls = {l.split('"')[1]: float(l.split()[-1]) for l in text.splitlines()
                 if l.startswith("jvmtap_scrape_collector_duration_seconds{")}
        jvms = sum(1 for l in text.splitlines() if l.startswith("jvmtap_jvm_info{"))
        lat.sort()
        jvm.sort()
        render.sort()
        return dict(p50=lat[len(lat) // 2], p99=lat[int(len(lat) * 0.99) - 1],
                    r50=render[len(render) // 2], r99=render[int(len(render) * 0.99) - 1],
                    jvm50=jvm[len(jvm) // 2], series=series, jvms=jvms, colls=colls)
    finally:
        p.terminate()
        p.wait()


def main():
    idle = os.path.join(tempfile.mkdtemp(prefix="jvmtap-scale-"), "classes")
    os.makedirs(idle)
    subprocess.run(["javac", "-d", idle, os.path.join(HERE, "Idle.java")], check=True)
    os.makedirs(CG_BASE, exist_ok=True)
    for i in range(NCG):
        os.makedirs(os.path.join(CG_BASE, "c%03d" % i), exist_ok=True)
    jvms = [subprocess.Popen(["java", "-Xmx16m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                              "-cp", idle, "Idle"]) for _ in range(NJVMS)]
    try:
        time.sleep(5 + NJVMS * 0.3)
        # Rounds alternate the binaries; each figure is the median over the rounds.
        runs = {b: [] for b in BINS}
        for _ in range(ROUNDS):
            for b in BINS:
                runs[b].append(measure(b))
        rows = []
        for b in BINS:
            r = dict(runs[b][-1])
            for k in ("p50", "p99", "r50", "r99", "jvm50"):
                r[k] = sorted(x[k] for x in runs[b])[len(runs[b]) // 2]
            rows.append((b, r))
    finally:
        for j in jvms:
            j.kill()
            j.wait()
        for i in range(NCG):
            os.rmdir(os.path.join(CG_BASE, "c%03d" % i))
        os.rmdir(CG_BASE)
        shutil.rmtree(os.path.dirname(idle), ignore_errors=True)
    print("| binary | JVMs | cgroups | series | scrape p50 | scrape p99 | render p50 | render p99 "
          "| jvm collector per scrape | per JVM |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for b, r in rows:
        print("| %s | %d | %d | %d | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.1f µs |" % (
            b, r["jvms"], NCG, r["series"], r["p50"] * 1e3, r["p99"] * 1e3, r["r50"] * 1e3,
            r["r99"] * 1e3, r["jvm50"] * 1e3, r["jvm50"] / max(r["jvms"], 1) * 1e6))
    for b, r in rows:
        print("%s, the last scrape's collectors: %s" % (b, ", ".join(
            "%s %.2f ms" % (k, v * 1e3) for k, v in sorted(r["colls"].items(), key=lambda x: -x[1]))))


if __name__ == "__main__":
    sys.exit(main())
