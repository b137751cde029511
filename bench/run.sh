#!/usr/bin/env bash
# make bench: the cost of jvmtap, measured in one run on this machine.
#  1. ns/event of jvmtap's sched_switch program next to an empty tp_btf program on the same
#     events (kernel.bpf_stats_enabled run_time_ns / run_cnt).
#  2. Slowdown of `perf bench sched pipe` (a context-switch storm) with vs. without jvmtap,
#     runs interleaved so drift hits both sides alike.
#  3. Scrape latency and resident memory of the collector.
#  4. CPU per refresh and memory of `jvmtap top --batch`.
#  5-8. A real Flink job with and without jvmtap; scrape cost at node scale; what the RocksDB
#     state probes cost per call; jvmtap next to bpftrace on each hot path.
set -euo pipefail
cd "$(dirname "$0")/.."

LOOPS=${BENCH_LOOPS:-200000}
GC_ALLOCS=${BENCH_GC_ALLOCS:-20000000}
ROUNDS=${BENCH_ROUNDS:-5}
SCRAPES=${BENCH_SCRAPES:-200}
PORT=${BENCH_PORT:-19899}
OUT=build/bench
mkdir -p "$OUT"

ARCH=$(uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
clang -target bpf -g -O2 -D__TARGET_ARCH_"$ARCH" -Ivmlinux/"$ARCH" -c bench/empty.bpf.c -o "$OUT"/empty.bpf.o
cc -O2 -Wall -Werror bench/empty_loader.c -o "$OUT"/empty_loader -lbpf
javac -d "$OUT" bench/GcBench.java bench/Idle.java
gc_bench() { java -XX:+UseG1GC -Xmx64m -cp "$OUT" GcBench "$GC_ALLOCS"; }

old_stats=$(sysctl -n kernel.bpf_stats_enabled)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	sysctl -qw kernel.bpf_stats_enabled="$old_stats"
}
trap cleanup EXIT

start_jvmtap() {
	# shellcheck disable=SC2086 # BENCH_ARGS is a list of flags
	./jvmtap --web.listen-address=127.0.0.1:$PORT ${BENCH_ARGS:-} "$@" 2>>"$OUT"/jvmtap.log &
	JPID=$!
	pids+=("$JPID")
	for _ in $(seq 100); do
		curl -sf -o /dev/null http://127.0.0.1:$PORT/-/ready && return 0
		sleep 0.1
	done
	echo "bench: jvmtap did not become ready" >&2
	exit 1
}
stop_jvmtap() {
	kill "$JPID"
	wait "$JPID" || true
}
pipe_usecs() { perf bench sched pipe -l "$LOOPS" 2>/dev/null | awk '/usecs\/op/ {print $1}'; }
prog_stat() { # id -> "run_cnt run_time_ns"
	bpftool prog show id "$1" --json | python3 -c 'import json,sys; p=json.load(sys.stdin); print(p.get("run_cnt",0), p.get("run_time_ns",0))'
}
prog_id() { # name prefix (kernel keeps 15 chars)
	bpftool prog show --json | python3 -c 'import json,sys; print(max(p["id"] for p in json.load(sys.stdin) if p.get("name","").startswith(sys.argv[1])))' "$1"
}

# ---- 1. ns/event --------------------------------------------------------------------------
sysctl -qw kernel.bpf_stats_enabled=1
start_jvmtap
"$OUT"/empty_loader "$OUT"/empty.bpf.o >"$OUT"/empty.id &
pids+=("$!")
for _ in $(seq 50); do [ -s "$OUT"/empty.id ] && break; sleep 0.1; done
EMPTY=$(cat "$OUT"/empty.id)
SWITCH=$(prog_id cpu_switch_tp_b)
FLUSH=$(prog_id cpu_flush)
read -r e0c e0t < <(prog_stat "$EMPTY"); read -r s0c s0t < <(prog_stat "$SWITCH"); read -r f0c f0t < <(prog_stat "$FLUSH")
t0=$(date +%s.%N)
pipe_usecs >/dev/null
t1=$(date +%s.%N)
read -r e1c e1t < <(prog_stat "$EMPTY"); read -r s1c s1t < <(prog_stat "$SWITCH"); read -r f1c f1t < <(prog_stat "$FLUSH")
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
stop_jvmtap
sysctl -qw kernel.bpf_stats_enabled="$old_stats"

# ---- 1b. USDT handlers during a GC-heavy JVM, from jvmtap's own metrics ------------------------
sysctl -qw kernel.bpf_stats_enabled=1
start_jvmtap
gc_bench >/dev/null
curl -s http://127.0.0.1:$PORT/metrics | grep -E '^jvmtap_bpf_program_run(s|_seconds)_total\{program="(jvm_|cpu_switch)' >"$OUT"/usdt.prom
stop_jvmtap
sysctl -qw kernel.bpf_stats_enabled="$old_stats"

# ---- 1c. socket handlers during a loopback iperf3 run ------------------------------------------
iperf3 -s -1 -p 19898 >/dev/null 2>&1 &
sleep 0.5
sysctl -qw kernel.bpf_stats_enabled=1
start_jvmtap
iperf3 -c 127.0.0.1 -p 19898 -t 3 >/dev/null 2>&1 || true
curl -s http://127.0.0.1:$PORT/metrics | grep -E '^jvmtap_bpf_program_run(s|_seconds)_total\{program="net_' >>"$OUT"/usdt.prom
stop_jvmtap
sysctl -qw kernel.bpf_stats_enabled="$old_stats"
iperf_gbps() { # one 3 s loopback run: receiver Gbit/s
	iperf3 -s -1 -p 19897 >/dev/null 2>&1 &
	sleep 0.3
	iperf3 -c 127.0.0.1 -p 19897 -t 3 -J 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)'
}

# ---- 2. slowdown ----------------------------------------------------------------------------
without=(); with=(); gc_without=(); gc_with=(); ip_without=(); ip_with=()
for _ in $(seq "$ROUNDS"); do
	without+=("$(pipe_usecs)")
	gc_without+=("$(gc_bench)")
	ip_without+=("$(iperf_gbps)")
	start_jvmtap
	with+=("$(pipe_usecs)")
	gc_with+=("$(gc_bench)")
	ip_with+=("$(iperf_gbps)")
	stop_jvmtap
done

# ---- 3. scrape latency and RSS --------------------------------------------------------------
scrape_latencies() { # $SCRAPES sequential scrapes: their times in seconds, one line (for read)
	for _ in $(seq "$SCRAPES"); do
		curl -s -o /dev/null -w '%{time_total} ' http://127.0.0.1:$PORT/metrics
	done
	echo
}
series_now() { curl -s http://127.0.0.1:$PORT/metrics | grep -vc '^#'; }
start_jvmtap
sleep 2
read -r -a lat < <(scrape_latencies)
series=$(series_now)
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/"$JPID"/status)
# The same with idle JVMs: each adds its hsperfdata read and parse, map reads and series.
NJVMS=${BENCH_JVMS:-4}
jpids=()
for _ in $(seq "$NJVMS"); do
	java -Xmx32m -cp "$OUT" Idle >/dev/null &
	jpids+=("$!")
	pids+=("$!")
done
sleep 4
read -r -a lat_j < <(scrape_latencies)
series_j=$(series_now)
for p in "${jpids[@]}"; do kill "$p"; done
stop_jvmtap

python3 - "$e0c" "$e0t" "$e1c" "$e1t" "$s0c" "$s0t" "$s1c" "$s1t" "$f0c" "$f0t" "$f1c" "$f1t" \
	"$t0" "$t1" "${without[*]}" "${with[*]}" "${lat[*]}" "$series" "$rss_kb" "$LOOPS" \
	"${gc_without[*]}" "${gc_with[*]}" "$OUT"/usdt.prom "$GC_ALLOCS" "${lat_j[*]}" "$series_j" \
	"$NJVMS" "${ip_without[*]}" "${ip_with[*]}" <<'EOF'
import statistics as st, sys
a = sys.argv[1:]
n = [int(x) for x in a[:12]]
secs = float(a[13]) - float(a[12])
def per(c0, t0, c1, t1):
    return (c1 - c0), ((t1 - t0) / (c1 - c0) if c1 > c0 else float("nan"))
ec, ens = per(*n[0:4]); sc, sns = per(*n[4:8]); fc, fns = per(*n[8:12])
wo = [float(x) for x in a[14].split()]; wi = [float(x) for x in a[15].split()]
lat = sorted(float(x) * 1000 for x in a[16].split())
print("jvmtap bench (perf bench sched pipe -l %s, %d rounds each side)" % (a[19], len(wo)))
print()
print("| measure | value |")
print("| --- | --- |")
print("| sched_switch events in the run | %d (%.0f/s) |" % (sc, sc / secs))
print("| empty tp_btf program | %.1f ns/event |" % ens)
print("| jvmtap cpu_switch (tp_btf) | %.1f ns/event |" % sns)
print("| jvmtap cpu_switch minus empty | %.1f ns/event |" % (sns - ens))
print("| jvmtap cpu_flush (perf_event) | %.1f ns/run, %d runs (%.1f/s) |" % (fns, fc, fc / secs))
print("| sched pipe without jvmtap, median | %.3f usecs/op |" % st.median(wo))
print("| sched pipe with jvmtap, median | %.3f usecs/op |" % st.median(wi))
print("| slowdown (with / without) | %.3fx |" % (st.median(wi) / st.median(wo)))
print("| scrape latency p50 / p99 (%d scrapes, %s series) | %.2f / %.2f ms |" % (
    len(lat), a[17], st.median(lat), lat[int(0.99 * (len(lat) - 1))]))
print("| collector RSS | %.1f MiB |" % (int(a[18]) / 1024))
latj = sorted(float(x) * 1000 for x in a[24].split())
print("| scrape latency p50 / p99 with %s idle JVMs (%s series) | %.2f / %.2f ms |" % (
    a[26], a[25], st.median(latj), latj[int(0.99 * (len(latj) - 1))]))
print("| scrape cost per JVM (p50 difference / JVMs) | %.3f ms |" % (
    (st.median(latj) - st.median(lat)) / int(a[26])))
gwo = [float(x) for x in a[20].split()]; gwi = [float(x) for x in a[21].split()]
print("| GC-heavy JVM (G1, -Xmx64m, %s allocs) without jvmtap, median | %.0f ms |" % (a[23], st.median(gwo)))
print("| GC-heavy JVM with jvmtap, median | %.0f ms |" % st.median(gwi))
print("| GC-heavy JVM slowdown (with / without) | %.3fx |" % (st.median(gwi) / st.median(gwo)))
iwo = [float(x) for x in a[27].split()]; iwi = [float(x) for x in a[28].split()]
print("| loopback iperf3 TCP without / with jvmtap, median | %.2f / %.2f Gbit/s |" % (st.median(iwo), st.median(iwi)))
print("| iperf3 throughput ratio (with / without) | %.3fx |" % (st.median(iwi) / st.median(iwo)))
import re
runs, secs = {}, {}
for line in open(a[22]):
    m = re.match(r'jvmtap_bpf_program_run(s|_seconds)_total\{program="([^"]+)"\} (\S+)', line)
    if m:
        (runs if m.group(1) == "s" else secs)[m.group(2)] = float(m.group(3))
for p in sorted(runs):
    if runs[p]:
        where = "during iperf3" if p.startswith("net_") else "during the GC-heavy JVM"
        print("| %s %s | %.0f ns/event, %d events |" % (p, where, secs[p] / runs[p] * 1e9, runs[p]))
EOF

# ---- 4. jvmtap top: CPU per refresh and memory, with the same number of idle JVMs ----------
for _ in $(seq "$NJVMS"); do
	java -Xmx32m -cp "$OUT" Idle &
	pids+=("$!")
done
sleep 4
python3 - "$NJVMS" <<'EOF'
import resource, subprocess, sys
def run(frames):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["./jvmtap", "top", "--batch", "--delay=0.5", "-n", str(frames)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime, r1.ru_maxrss
short, _ = run(2)
long_, rss = run(22)
print("| jvmtap top --batch with %s idle JVMs: CPU per refresh (22 vs 2 refreshes) | %.1f ms |" % (
    sys.argv[1], (long_ - short) / 20 * 1000))
print("| jvmtap top: startup CPU (load, attach, first render) | %.0f ms |" % ((short - 2 * (long_ - short) / 20) * 1000))
print("| jvmtap top max RSS | %.1f MiB |" % (rss / 1024))
EOF

# ---- 5. a real Flink job with and without jvmtap (bench/flink.py) ------------------------------
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
python3 bench/flink.py

# ---- 6. scrape cost at node scale: 50 idle JVMs, 200 empty cgroups (bench/scale.py) -----------
python3 bench/scale.py

# ---- 7. what the RocksDB state probes cost per call, next to bpftrace (bench/state.py) --------
python3 bench/state.py

# ---- 8. jvmtap next to bpftrace on each hot path: ns/event, per GC collection, slowdown (bench/peers.py)
python3 bench/peers.py
