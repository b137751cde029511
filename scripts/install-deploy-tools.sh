#!/usr/bin/env bash
# Installs the pinned helm and kustomize that `make deploy-test` renders the chart and the
# kustomization with, built from their Go modules (the Go module proxy) into
# $JVMTAP_CACHE/{helm,kustomize}/VERSION/ (default /var/cache/jvmtap, outside the clone: CI
# builds them once per machine, ~4 min each on 2 cores, niced). Does nothing when both are there.
# Needs Go >= 1.24 (Debian 12's golang is 1.19: too old for these modules).
set -euo pipefail
HELM_VERSION=v3.19.5
KUSTOMIZE_VERSION=v5.7.1
# client-go of helm v3.19.5 is v0.34: helm template's default Kubernetes version, as helm's
# own release build sets it (its Makefile's LDFLAGS).
HELM_K8S_MINOR=34
cache=${JVMTAP_CACHE:-/var/cache/jvmtap}
helm=$cache/helm/$HELM_VERSION/helm
kustomize=$cache/kustomize/$KUSTOMIZE_VERSION/kustomize
[ -x "$helm" ] && [ -x "$kustomize" ] && exit 0

go=$(command -v go || true)
[ -z "$go" ] && [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go
if [ -z "$go" ]; then
	echo "install-deploy-tools: no go on PATH (Go >= 1.24 builds helm $HELM_VERSION)" >&2
	exit 1
fi
# module@version dir [ldflags]: the binary appears in dir only once it is fully built.
build() {
	echo "install-deploy-tools: go install $1 (niced)" >&2
	mkdir -p "$2/.tmp"
	nice -n 19 env GOBIN="$2/.tmp" GOFLAGS=-buildvcs=false "$go" install -trimpath \
		-ldflags "-s -w ${3:-}" "$1"
	mv "$2/.tmp"/* "$2"/
	rmdir "$2/.tmp"
}
if [ ! -x "$helm" ]; then
	build helm.sh/helm/v3/cmd/helm@$HELM_VERSION "$(dirname "$helm")" \
		"-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
		 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 \
		 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$HELM_K8S_MINOR \
		 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 \
		 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$HELM_K8S_MINOR"
fi
if [ ! -x "$kustomize" ]; then
	build sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION "$(dirname "$kustomize")"
fi
"$helm" version --short
"$kustomize" version
