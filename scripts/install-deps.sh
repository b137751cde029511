#!/usr/bin/env bash
# Installs every build, run and test dependency of jvmtap on Debian 12; does nothing when all are there.
set -euo pipefail

pkgs=(
	make gcc clang llvm pkg-config          # build (llvm: llvm-strip)
	libbpf-dev bpftool libelf-dev zlib1g-dev libmicrohttpd-dev libjson-c-dev libncurses-dev
	libyaml-dev libcrypt-dev libgnutls28-dev libcap-ng-dev  # web config, bcrypt, mTLS, capabilities
	libcmocka-dev libclang-rt-14-dev        # unit tests, fuzzing runtime
	python3 python3-pytest curl iproute2 tmux openssl # integration tests (tmux: jvmtap top; openssl: TLS)
	prometheus                              # promtool check metrics
	python3-prometheus-client               # its strict OpenMetrics parser (test_openmetrics)
	openjdk-17-jdk-headless                 # test JVMs (Temurin 25 is on the machine already)
	python3-pip unzip                       # tests/flink/fetch.sh: Flink from PyPI
	linux-perf iperf3                       # make bench: perf bench sched pipe, iperf3
	yamllint nodejs                         # make deploy-test: YAML lint, Kubernetes schemas (npm)
)
# Debian's nodejs has npm in a separate package; NodeSource's nodejs ships it (and conflicts).
command -v npm >/dev/null || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages (${missing[*]}); run as root" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
