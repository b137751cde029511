"""Shared helpers of the deploy tests: paths, YAML loading, metric-name extraction."""
import glob
import json
import os
import re

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
