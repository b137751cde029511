#!/usr/bin/env bash
# The sched_switch handler's cost next to an empty tp_btf program on the same switches, for one
# or more jvmtap builds in one run (rounds alternating them):
#   bench/switch.sh [BIN...]            # default ./jvmtap; BENCH_SWITCH_ROUNDS=3, BENCH_LOOPS=200000
#   BENCH_SWITCH_ARGS=--cgroup.hierarchy=v2 bench/switch.sh   # flags for every build
#   BENCH_SWITCH_PIN=1 bench/switch.sh  # the pipe's two tasks on CPU 1: no switches to idle
# Each round: the build and bench/empty.bpf.c attached at once under kernel.bpf_stats_enabled,
# `perf bench sched pipe` (two tasks of one cgroup, ~2 switches per loop), then ns/event of each
# program = its run_time_ns / run_cnt over the run. Prints one line per build: median ns/event of
# cpu_switch, of the empty program, and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
BINS=("${@:-./jvmtap}")
ROUNDS=${BENCH_SWITCH_ROUNDS:-3}
read -r -a ARGS <<<"${BENCH_SWITCH_ARGS:-}"
LOOPS=${BENCH_LOOPS:-200000}
OUT=build/bench
PORT=19771
mkdir -p "$OUT"
ARCH=$(uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
clang -target bpf -g -O2 -D__TARGET_ARCH_"$ARCH" -Ivmlinux/"$ARCH" -c bench/empty.bpf.c -o "$OUT"/empty.bpf.o
cc -O2 -Wall -Werror bench/empty_loader.c -o "$OUT"/empty_loader -lbpf
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
trap 'sysctl -qw kernel.bpf_stats_enabled="$old_stats"' EXIT
prog_stat() { bpftool prog show id "$1" --json | python3 -c 'import json,sys; p=json.load(sys.stdin); print(p.get("run_cnt",0), p.get("run_time_ns",0))'; }
prog_id() { bpftool prog show --json | python3 -c 'import json,sys; print(max(p["id"] for p in json.load(sys.stdin) if p.get("name","").startswith(sys.argv[1])))' "$1"; }

declare -A results
sysctl -qw kernel.bpf_stats_enabled=1
for _ in $(seq "$ROUNDS"); do
	for b in "${BINS[@]}"; do
		"$b" --web.listen-address=127.0.0.1:$PORT "${ARGS[@]}" 2>/dev/null &
		jp=$!
		for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:$PORT/-/ready && break; sleep 0.1; done
		rm -f "$OUT"/empty.id
		"$OUT"/empty_loader "$OUT"/empty.bpf.o >"$OUT"/empty.id &
		ep=$!
		for _ in $(seq 50); do [ -s "$OUT"/empty.id ] && break; sleep 0.1; done
		e=$(cat "$OUT"/empty.id); s=$(prog_id cpu_switch_tp_b)
		read -r e0c e0t < <(prog_stat "$e"); read -r s0c s0t < <(prog_stat "$s")
		${BENCH_SWITCH_PIN:+taskset -c "$BENCH_SWITCH_PIN"} perf bench sched pipe -l "$LOOPS" >/dev/null 2>&1
		read -r e1c e1t < <(prog_stat "$e"); read -r s1c s1t < <(prog_stat "$s")
		kill "$ep" "$jp"; wait "$ep" "$jp" 2>/dev/null || true
		results[$b]+="$(python3 -c "print('%.1f,%.1f' % (($s1t-$s0t)/max($s1c-$s0c,1), ($e1t-$e0t)/max($e1c-$e0c,1)))") "
	done
done
for b in "${BINS[@]}"; do
	python3 - "$b" ${results[$b]} <<'PY'
import statistics, sys
b, runs = sys.argv[1], [tuple(map(float, r.split(","))) for r in sys.argv[2:]]
sw = statistics.median(r[0] for r in runs); em = statistics.median(r[1] for r in runs)
ratio = statistics.median(r[0] / r[1] for r in runs)
print("%s: cpu_switch %.1f ns/event, empty %.1f ns/event, ratio %.2f (rounds: %s)" % (
    b, sw, em, ratio, " ".join("%.0f/%.0f" % r for r in runs)))
PY
done
