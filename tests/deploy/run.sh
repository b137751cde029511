#!/usr/bin/env bash
# Tests of deploy/ (make deploy-test): YAML lint, Kubernetes schemas, promtool config/rules and
# rule unit tests, dashboard, systemd unit, make install, and a live scrape of ./jvmtap (root).
# Extra arguments go to pytest. Installs the npm validators from package-lock.json if missing, and
# the pinned helm and kustomize (scripts/install-deploy-tools.sh, cached outside the clone).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ ! -d "$here/node_modules/kubernetes-models" ]; then
	echo "deploy-test: npm ci (tests/deploy/node_modules)"
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
"$root/scripts/install-deploy-tools.sh" >/dev/null
cd "$root"
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/deploy "$@"
