"""Shared helpers of the deploy tests: paths, YAML loading, the rendered Kubernetes objects
(kustomize and the Helm chart), metric-name extraction."""
import functools
import glob
import json
import os
import re
import subprocess

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEPLOY = os.path.join(ROOT, "deploy")
K8S = os.path.join(DEPLOY, "kubernetes")
PROM = os.path.join(DEPLOY, "prometheus")
RULES = os.path.join(PROM, "jvmtap.rules.yml")
RULE_TESTS = os.path.join(PROM, "tests", "jvmtap.rules.test.yml")
DASHBOARD = os.path.join(DEPLOY, "grafana", "jvmtap-dashboard.json")
UNIT = os.path.join(DEPLOY, "systemd", "jvmtap.service")
BIN = os.path.join(ROOT, "jvmtap")
CHART = os.path.join(DEPLOY, "helm", "jvmtap")
TOOLS_SCRIPT = os.path.join(ROOT, "scripts", "install-deploy-tools.sh")
CACHE = os.environ.get("JVMTAP_CACHE", "/var/cache/jvmtap")
# The release and namespace the chart is rendered as, to compare with the kustomization.
RELEASE = NAMESPACE = "jvmtap"
# The labels the chart adds to what the kustomization sets: on every object, its pod template
# and (app.kubernetes.io/instance) in its selectors.
HELM_LABELS = {"helm.sh/chart", "app.kubernetes.io/managed-by", "app.kubernetes.io/instance",
               "app.kubernetes.io/version"}


def _pinned(var):
    """A version pinned in scripts/install-deploy-tools.sh (the one place of the pins)."""
    with open(TOOLS_SCRIPT) as f:
        return re.search(r"^%s=(\S+)$" % var, f.read(), re.M).group(1)


HELM = os.path.join(CACHE, "helm", _pinned("HELM_VERSION"), "helm")
KUSTOMIZE = os.path.join(CACHE, "kustomize", _pinned("KUSTOMIZE_VERSION"), "kustomize")


def _run(argv):
    p = subprocess.run(argv, capture_output=True, text=True)
    assert p.returncode == 0, "%s exited %d:\n%s%s" % (argv, p.returncode, p.stdout, p.stderr)
    return p.stdout


@functools.lru_cache(maxsize=None)
def _rendered_text(how, values=()):
    if how == "kustomize":
        return _run([KUSTOMIZE, "build", K8S])
    argv = [HELM, "template", RELEASE, CHART, "--namespace", NAMESPACE]
    for v in values:
        argv += ["--set-json" if v.split("=", 1)[1][:1] in "[{" else "--set", v]
    return _run(argv)


def rendered(how, values=()):
    """The objects `kustomize build deploy/kubernetes` ("kustomize") or `helm template` of the
    chart ("helm", with --set/--set-json values) render, as fresh dicts."""
    return [d for d in yaml.safe_load_all(_rendered_text(how, tuple(values))) if d is not None]


def kind_of(docs, kind):
    found = [d for d in docs if d["kind"] == kind]
    assert len(found) == 1, "expected one %s, got %d" % (kind, len(found))
    return found[0]


def strip_helm_labels(o, key=None):
    """o without Helm's labels, wherever a label map is (labels, matchLabels, selector)."""
    if isinstance(o, dict):
        return {k: strip_helm_labels(v, k) for k, v in o.items()
                if not (key in ("labels", "matchLabels", "selector") and k in HELM_LABELS)}
    if isinstance(o, list):
        return [strip_helm_labels(v) for v in o]
    return o


def k8s_docs():
    """(file, document) for every document in deploy/kubernetes/*.yaml."""
    out = []
    for f in sorted(glob.glob(os.path.join(K8S, "*.yaml"))):
        with open(f) as fh:
            out += [(f, d) for d in yaml.safe_load_all(fh) if d is not None]
    return out


def k8s_kind(kind):
    found = [d for _, d in k8s_docs() if d["kind"] == kind]
    assert len(found) == 1, "expected one %s, got %d" % (kind, len(found))
    return found[0]


def rules():
    with open(RULES) as f:
        return yaml.safe_load(f)


def dashboard():
    with open(DASHBOARD) as f:
        return json.load(f)


def dashboard_exprs(d=None):
    d = d or dashboard()
    exprs = []

    def walk(panels):
        for p in panels:
            exprs.extend(t["expr"] for t in p.get("targets", []) if "expr" in t)
            walk(p.get("panels", []))
    walk(d["panels"])
    for v in d["templating"]["list"]:
        q = v.get("query")
        if isinstance(q, dict):
            q = q.get("query")
        if v["type"] == "query":
            exprs.append(q)
    return exprs


def rule_exprs():
    return [r["expr"] for g in rules()["groups"] for r in g["rules"]]


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_BRACES = re.compile(r'\{[^{}]*\}')
_IDENT = re.compile(r'(?<![A-Za-z0-9_:$.])([A-Za-z_:][A-Za-z0-9_:]*)')
_RANGE = re.compile(r'\[[^\]]*\]')


def metric_names(expr):
    """Names of the series an expression selects: identifiers that look like jvmtap's or the
    process_* families (PromQL functions, keywords and label names never start so);
    label matchers, strings and range selectors are removed first."""
    e = _STRING.sub('""', expr)
    e = _BRACES.sub("{}", e)
    e = _RANGE.sub("", e)
    names = set(m.group(1) for m in _IDENT.finditer(e))
    return {n for n in names if (n.startswith("jvmtap_") or n.startswith("process_")) and ":" not in n}
