#!/usr/bin/env python3
"""Two jvmtap builds side by side in one run: scrape latency (200 sequential scrapes after 20 of
warm-up) and RSS with N idle JDK 17 JVMs (-Xmx16m, SerialGC), rounds alternating between the
builds so drift hits both alike. For "no slower than before" claims (docs/performance.md):

    git worktree add /tmp/jvmtap-old <commit> && make -C /tmp/jvmtap-old jvmtap
    bench/compare.py /tmp/jvmtap-old/jvmtap ./jvmtap 10
"""
import os
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# The integration suite's helpers (tests/integration/conftest.py), as loaded by
# tests/flink/flinkbed.py for the Flink tests and bench/flink.py.
sys.path.insert(0, os.path.join(ROOT, "tests", "flink"))
from flinkbed import it  # noqa: E402
free_port = it.free_port


def one_round(binary, lat, rss):
    port = free_port()
    proc = subprocess.Popen([binary, "--web.listen-address=127.0.0.1:%d" % port],
                            stderr=subprocess.DEVNULL)
    base = "http://127.0.0.1:%d" % port
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/-/ready", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(2)
        for _ in range(20):
            urllib.request.urlopen(base + "/metrics").read()
        for _ in range(200):
            t = time.perf_counter()
            body = urllib.request.urlopen(base + "/metrics").read()
            lat.append(time.perf_counter() - t)
        with open("/proc/%d/status" % proc.pid) as f:
            rss.append(int(next(l for l in f if l.startswith("VmRSS")).split()[1]) / 1024)
        return sum(1 for l in body.decode().splitlines() if l and not l.startswith("#"))
    finally:
        proc.terminate()
        proc.wait()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    builds, njvm, rounds = sys.argv[1:3], int(sys.argv[3]) if len(sys.argv) > 3 else 10, 3
    classes = "/var/tmp/jvmtap-compare"
    os.makedirs(classes, exist_ok=True)
    subprocess.run(["javac", "-d", classes, os.path.join(HERE, "Idle.java")], check=True)
    jvms = [subprocess.Popen(["java", "-Xmx16m", "-XX:+UseSerialGC", "-cp", classes, "Idle"])
            for _ in range(njvm)]
    try:
        time.sleep(3)
        lat, rss, series = {b: [] for b in builds}, {b: [] for b in builds}, {}
        for _ in range(rounds):
            for b in builds:
                series[b] = one_round(b, lat[b], rss[b])
        for b in builds:
            v = sorted(lat[b])
            print("%s: %d series, scrape p50 %.2f ms, p99 %.2f ms, RSS %.1f MiB" % (
                b, series[b], 1000 * v[len(v) // 2], 1000 * v[int(len(v) * 0.99)], max(rss[b])))
    finally:
        for j in jvms:
            j.kill()


if __name__ == "__main__":
    main()
