"""deploy/ checked without a cluster: yamllint, Kubernetes schemas (kubernetes-models via node),
promtool check config / check rules / test rules, the DaemonSet's security settings, the
Grafana dashboard, the systemd unit and `make install`."""
import copy
import os
import re
import shutil
import subprocess

import pytest
import yaml

from deployutil import (BIN, DEPLOY, K8S, PROM, ROOT, RULE_TESTS, RULES, UNIT, dashboard,
                        dashboard_exprs, k8s_docs, k8s_kind, metric_names, rule_exprs, rules)

HERE = os.path.dirname(os.path.abspath(__file__))


def run(argv, **kw):
    p = subprocess.run(argv, capture_output=True, text=True, **kw)
    assert p.returncode == 0, "%s exited %d:\n%s%s" % (argv, p.returncode, p.stdout, p.stderr)
    return p


# ---- YAML and schemas ----------------------------------------------------------------------

def test_yamllint():
    run(["yamllint", "-f", "parsable", "-c", os.path.join(DEPLOY, ".yamllint"), DEPLOY])


def test_yamllint_catches_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("---\na: 1\na: 2\n")
    p = subprocess.run(["yamllint", "-c", os.path.join(DEPLOY, ".yamllint"), str(bad)],
                       capture_output=True, text=True)
    assert p.returncode != 0 and "duplication" in p.stdout


def test_manifests_validate_against_kubernetes_schemas():
    files = sorted(f for f in os.listdir(K8S) if f.endswith(".yaml"))
    p = run(["node", os.path.join(HERE, "validate_k8s.mjs")] + [os.path.join(K8S, f) for f in files])
    kinds = {line.split()[2] for line in p.stdout.splitlines() if line.startswith("ok ")}
    assert {"v1/Namespace", "v1/ServiceAccount", "apps/v1/DaemonSet", "v1/Service",
            "monitoring.coreos.com/v1/PodMonitor", "monitoring.coreos.com/v1/PrometheusRule"} <= kinds


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["spec"]["template"]["spec"]["containers"][0]["ports"][0].update(containerPort="x"),
     "containerPort"),
    (lambda d: d["spec"].pop("selector"), "selector"),
    (lambda d: d["spec"]["template"]["spec"]["containers"][0].pop("name"), "name"),
])
def test_schema_validator_rejects_broken_daemonset(tmp_path, mutate, message):
    ds = copy.deepcopy(k8s_kind("DaemonSet"))
    mutate(ds)
    f = tmp_path / "ds.yaml"
    f.write_text(yaml.safe_dump(ds))
    p = subprocess.run(["node", os.path.join(HERE, "validate_k8s.mjs"), str(f)],
                       capture_output=True, text=True)
    assert p.returncode == 1 and "FAIL" in p.stdout and message in p.stdout, p.stdout + p.stderr


def test_kustomization_lists_every_manifest():
    with open(os.path.join(K8S, "kustomization.yaml")) as f:
        k = yaml.safe_load(f)
    assert k["kind"] == "Kustomization"
    present = {f for f in os.listdir(K8S) if f.endswith(".yaml") and f != "kustomization.yaml"}
    assert set(k["resources"]) == present
    # Every object lives in the namespace the kustomization sets.
    for f, d in k8s_docs():
        if d["kind"] not in ("Namespace", "Kustomization"):
            assert d["metadata"]["namespace"] == k["namespace"], f


# ---- the DaemonSet -------------------------------------------------------------------------

def daemonset_container():
    spec = k8s_kind("DaemonSet")["spec"]["template"]["spec"]
    assert len(spec["containers"]) == 1
    return spec, spec["containers"][0]


def test_daemonset_least_privilege():
    spec, c = daemonset_container()
    sc = c["securityContext"]
    assert spec["hostPID"] is True
    assert spec.get("hostNetwork", False) is False
    assert spec["automountServiceAccountToken"] is False
    assert k8s_kind("ServiceAccount")["automountServiceAccountToken"] is False
    assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert sc["privileged"] is False
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["capabilities"]["drop"] == ["ALL"]
    # SYS_ADMIN: the kernel demands it for uprobe perf events (test_live.py shows it).
    assert set(sc["capabilities"]["add"]) == {"BPF", "PERFMON", "SYS_RESOURCE", "SYS_PTRACE",
                                              "DAC_READ_SEARCH", "SYS_ADMIN"}
    # Each added capability is explained in a comment next to it.
    text = open(os.path.join(K8S, "daemonset.yaml")).read()
    for cap in sc["capabilities"]["add"]:
        before = text[:text.index("- " + cap + "\n")].splitlines()[-2]
        assert before.strip().startswith("#"), "no comment above capability %s" % cap


def test_daemonset_scheduling_and_resources():
    spec, c = daemonset_container()
    assert spec["priorityClassName"] == "system-node-critical"
    assert {"operator": "Exists"} in spec["tolerations"]
    r = c["resources"]
    assert r["requests"]["cpu"] and r["requests"]["memory"] and r["limits"]["memory"]


def test_daemonset_host_paths_read_only_and_flags():
    spec, c = daemonset_container()
    mounts = {m["name"]: m for m in c["volumeMounts"]}
    vols = {v["name"]: v["hostPath"]["path"] for v in spec["volumes"]}
    assert set(mounts) == set(vols)
    assert all(m.get("readOnly") is True for m in mounts.values())
    by_path = {vols[n]: m["mountPath"] for n, m in mounts.items()}
    assert by_path["/proc"] == "/host/proc" and by_path["/sys"] == "/host/sys"
    # Runtime state dirs land where --path.rootfs=/host makes jvmtap look for them
    # (user/identity/identity.c: run/containerd/..., run/containers/storage/..., var/lib/...).
    for host in ("/run/containerd", "/run/containers/storage",
                 "/var/lib/containers/storage/overlay-containers", "/var/lib/docker/containers"):
        assert by_path[host] == "/host" + host
    args = c["args"]
    for a in ("--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host"):
        assert a in args


def test_daemonset_flags_are_accepted_by_the_binary(tmp_path):
    """jvmtap --help lists every flag the DaemonSet and the systemd unit pass."""
    _, c = daemonset_container()
    help_text = run([BIN, "--help"]).stdout
    for a in c["args"]:
        assert a.split("=")[0] in help_text, a


def test_daemonset_probes_and_ports_match_the_service():
    _, c = daemonset_container()
    assert c["livenessProbe"]["httpGet"]["path"] == "/-/healthy"
    assert c["readinessProbe"]["httpGet"]["path"] == "/-/ready"
    port = c["ports"][0]
    assert port["name"] == "metrics" and port["containerPort"] == 9877
    assert "--web.listen-address=:9877" in c["args"]
    svc = k8s_kind("Service")
    assert svc["spec"]["ports"][0]["targetPort"] == "metrics"
    pm = k8s_kind("PodMonitor")
    assert pm["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"
    labels = k8s_kind("DaemonSet")["spec"]["template"]["metadata"]["labels"]
    for sel in (svc["spec"]["selector"], pm["spec"]["selector"]["matchLabels"]):
        assert sel.items() <= labels.items()


# ---- Prometheus ----------------------------------------------------------------------------

def test_promtool_check_config_static():
    run(["promtool", "check", "config", os.path.join(PROM, "prometheus.yml")])


def test_promtool_check_config_kubernetes(tmp_path):
    """Debian's Prometheus is built without kubernetes_sd: the file is checked with that block
    swapped for file_sd (the relabelling and the rest are checked as written)."""
    with open(os.path.join(PROM, "prometheus-kubernetes.yml")) as f:
        cfg = yaml.safe_load(f)
    job = cfg["scrape_configs"][0]
    assert job["kubernetes_sd_configs"] == [{"role": "pod", "namespaces": {"names": ["jvmtap"]}}]
    job.pop("kubernetes_sd_configs")
    job["file_sd_configs"] = [{"files": [str(tmp_path / "targets.json")]}]
    shutil.copy(RULES, tmp_path / "jvmtap.rules.yml")
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(cfg))
    run(["promtool", "check", "config", str(tmp_path / "prometheus.yml")])


def test_promtool_check_rules():
    run(["promtool", "check", "rules", RULES])


def test_promtool_test_rules():
    p = run(["promtool", "test", "rules", RULE_TESTS])
    assert "SUCCESS" in p.stdout


def test_every_alert_is_tested_firing_and_silent():
    with open(RULE_TESTS) as f:
        t = yaml.safe_load(f)
    fired, silent = set(), set()
    for case in t["tests"]:
        for a in case.get("alert_rule_test", []):
            (fired if a.get("exp_alerts") else silent).add(a["alertname"])
    alerts = {r["alert"] for g in rules()["groups"] for r in g["rules"] if "alert" in r}
    assert alerts == fired, "alerts never asserted to fire: %s" % (alerts - fired)
    assert alerts == silent, "alerts never asserted silent: %s" % (alerts - silent)
    records = {r["record"] for g in rules()["groups"] for r in g["rules"] if "record" in r}
    tested = " ".join(e["expr"] for case in t["tests"] for e in case.get("promql_expr_test", []))
    assert all(r in tested for r in records), [r for r in records if r not in tested]


def test_prometheusrule_equals_rules_file(tmp_path):
    pr = k8s_kind("PrometheusRule")
    assert pr["spec"] == rules()
    f = tmp_path / "spec.yml"
    f.write_text(yaml.safe_dump(pr["spec"]))
    run(["promtool", "check", "rules", str(f)])


def test_rules_and_dashboard_cover_heap_network_exits_and_flink_role():
    """The seed-000 metrics that came with hsperfdata, socket accounting and exit tracking."""
    text = " ".join(rule_exprs() + dashboard_exprs())
    for name in ("jvmtap_jvm_memory_used_bytes", "jvmtap_jvm_memory_max_bytes",
                 "jvmtap_container_network_bytes_total", "jvmtap_jvm_exits_total",
                 "jvmtap_jvm_gc_collection_seconds_total", "flink_role"):
        assert name in text, name
    # TaskManagers are selected by flink_role, not by main class.
    assert "TaskManagerRunner" not in " ".join(rule_exprs())
    variables = {v["name"]: v for v in dashboard()["templating"]["list"]}
    assert "flink_role" in variables["flink_role"]["query"]["query"]
    assert "$flink_role" in variables["pod"]["query"]["query"]


# ---- Grafana ---------------------------------------------------------------------------------

def test_dashboard_structure():
    d = dashboard()
    assert d["uid"] and d["title"] and d["schemaVersion"] >= 30
    ids = []

    def walk(panels):
        for p in panels:
            ids.append(p["id"])
            gp = p["gridPos"]
            assert 0 <= gp["x"] and gp["x"] + gp["w"] <= 24 and gp["h"] > 0
            if p["type"] != "row":
                assert p["targets"], p["title"]
                assert p["datasource"]["uid"] == "${datasource}"
                for t in p["targets"]:
                    assert t["expr"].strip() and t["refId"]
            walk(p.get("panels", []))
    walk(d["panels"])
    assert len(ids) == len(set(ids)), "duplicate panel ids"
    variables = [v["name"] for v in d["templating"]["list"]]
    assert {"datasource", "namespace", "flink_role", "pod"} <= set(variables)
    assert variables.index("flink_role") < variables.index("pod")
    # Rows in the order of seed 000's monitoring tab.
    rows = [p["title"] for p in d["panels"] if p["type"] == "row"]
    assert rows[:7] == ["Job", "CPU", "Heap", "Non-heap", "GC", "Threads", "Network"]
    # The job row: seed 000's job rows in its order, each panel filtered by the job variable.
    job = []
    for p in d["panels"][1:]:
        if p["type"] == "row":
            break
        job.append(p)
    seed = ["作业每秒输入/输出的记录数", "作业每秒输入/输出的数据量", "算子计算总耗时",
            "目的端 Watermark 延时", "Checkpoint 耗时", "Checkpoint 大小", "Checkpoint 次数",
            "崩溃重启次数", "作业无中断持续执行的时间", "作业中断运行时间", "最近一次恢复",
            "堆外直接/映射内存", "注册的 TaskManager 数", "运行中的作业数", "任务槽", "MemorySegment"]
    titles = " | ".join(p["title"] for p in job)
    at = [titles.find(s) for s in seed]
    assert -1 not in at and at == sorted(at), list(zip(seed, at))
    for p in job:
        for t in p["targets"]:
            assert "jvmtap_flink_" in t["expr"], (p["title"], t["expr"])
            assert '$namespace' in t["expr"], t["expr"]
            if "job_name" in t["expr"] or "vertex" in t["expr"] or "checkpoint" in t["expr"]:
                assert '$flink_job' in t["expr"], t["expr"]


def test_dashboard_and_rules_name_metrics():
    """The extraction the live test relies on finds names in every expression."""
    for e in rule_exprs() + dashboard_exprs():
        assert metric_names(e), e
    assert metric_names('sum by (pod) (rate(jvmtap_jvm_gc_pause_seconds_sum{gc="x",a=~"y|z"}[5m]))') \
        == {"jvmtap_jvm_gc_pause_seconds_sum"}


# ---- systemd, Dockerfile, make install ----------------------------------------------------------

def unit_settings():
    out = {}
    for line in open(UNIT):
        line = line.strip()
        if line and not line.startswith(("#", "[")):
            k, v = line.split("=", 1)
            out.setdefault(k, []).append(v)
    return out


def test_systemd_unit_hardening():
    s = unit_settings()
    assert set(s["CapabilityBoundingSet"][0].split()) == {
        "CAP_BPF", "CAP_PERFMON", "CAP_SYS_PTRACE", "CAP_DAC_READ_SEARCH", "CAP_SYS_RESOURCE",
        "CAP_SYS_ADMIN"}
    assert s["NoNewPrivileges"] == ["yes"] and s["ProtectSystem"] == ["strict"]
    filt = " ".join(s["SystemCallFilter"]).split()
    assert "bpf" in filt and "perf_event_open" in filt
    assert not any(f.startswith("~") for f in filt)
    # /proc of other processes must stay visible.
    assert s.get("ProtectProc", ["default"]) == ["default"]
    assert s.get("ProcSubset", ["all"]) == ["all"]
    exe = s["ExecStart"][0].split()
    assert exe[0] == "/usr/local/sbin/jvmtap"
    help_text = run([BIN, "--help"]).stdout
    for a in exe[1:]:
        if a.startswith("--"):
            assert a.split("=")[0] in help_text


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze")
def test_systemd_analyze_verify(tmp_path):
    unit = tmp_path / "jvmtap.service"
    unit.write_text(open(UNIT).read().replace("/usr/local/sbin/jvmtap", BIN))
    p = run(["systemd-analyze", "verify", str(unit)])
    assert "jvmtap.service" not in p.stderr, p.stderr


def test_make_install(tmp_path):
    # -o: install the ./jvmtap under test, never rebuild it here.
    run(["make", "-s", "-o", "jvmtap", "install", "DESTDIR=%s" % tmp_path], cwd=ROOT)
    b = tmp_path / "usr/local/sbin/jvmtap"
    u = tmp_path / "etc/systemd/system/jvmtap.service"
    assert os.access(b, os.X_OK) and u.read_text() == open(UNIT).read()
    assert oct(u.stat().st_mode & 0o777) == "0o644"


def test_dockerfile():
    text = open(os.path.join(DEPLOY, "Dockerfile")).read()
    froms = re.findall(r"^FROM (\S+)(?: AS (\S+))?", text, re.M)
    assert len(froms) == 2, "multi-stage: build and runtime"
    for image, _ in froms:
        assert image.startswith("debian:12") and ":latest" not in image
    assert "DEBIAN_FRONTEND=noninteractive" in text and "make " in text
    assert re.search(r"^COPY --from=build \S*jvmtap /usr/local/sbin/jvmtap$", text, re.M)
    # The runtime stage installs the packages of every library ./jvmtap links.
    runtime = text[text.index("AS runtime"):]
    libs = run(["ldd", BIN]).stdout
    for so, pkg in (("libbpf.so", "libbpf1"), ("libelf.so", "libelf1"), ("libz.so", "zlib1g"),
                    ("libmicrohttpd.so", "libmicrohttpd12"), ("libjson-c.so", "libjson-c5")):
        if so in libs:
            assert pkg in runtime, pkg
    assert re.search(r'^ENTRYPOINT \["/usr/local/sbin/jvmtap"\]', text, re.M)
