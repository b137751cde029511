#!/usr/bin/env bash
# The container runtimes tests/runtimes starts: Debian's containerd (CRI plugin built in), runc,
# docker.io and podman, and crictl pinned, built from the Go module proxy into
# $JVMTAP_CACHE/crictl/VERSION (outside the clone) once per machine. Idempotent.
set -euo pipefail
CACHE=${JVMTAP_CACHE:-/var/cache/jvmtap}
CRICTL_VERSION=v1.34.0 # speaks CRI v1, which containerd 1.6 serves
pkgs=(containerd runc docker.io podman conmon)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-runtimes: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
bin=$CACHE/crictl/$CRICTL_VERSION/crictl
if [ ! -x "$bin" ]; then
	echo "install-runtimes: building crictl $CRICTL_VERSION (go install, once per machine)"
	mkdir -p "$(dirname "$bin")"
	GOBIN=$(dirname "$bin") GOFLAGS=-mod=mod nice go install "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION"
fi
"$bin" --version
