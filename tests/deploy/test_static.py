"""deploy/ checked without a cluster: yamllint, Kubernetes schemas (kubernetes-models via node),
promtool check config / check rules / test rules, the DaemonSet's security settings, the
Grafana dashboard, the systemd unit and `make install`. The Kubernetes checks run on what is
deployed: the objects `kustomize build deploy/kubernetes` renders and those `helm template`
renders from deploy/helm/jvmtap, and the chart's are the kustomization's plus Helm's labels."""
import copy
import os
import re
import shutil
import subprocess

import pytest
import yaml

from deployutil import (BIN, CHART, DEPLOY, HELM, HELM_LABELS, K8S, NAMESPACE, PROM, RELEASE,
                        ROOT, RULE_TESTS, RULES, UNIT, dashboard, dashboard_exprs, k8s_docs,
                        k8s_kind, kind_of, metric_names, rendered, rule_exprs, rules,
                        strip_helm_labels)

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


# The outputs every Kubernetes check runs on: the kustomization, and the chart with its defaults.
OUTPUTS = ["kustomize", "helm"]
# Where each output's capabilities are explained, one comment above each.
CAPABILITY_SOURCES = {"kustomize": os.path.join(K8S, "daemonset.yaml"),
                      "helm": os.path.join(CHART, "values.yaml")}
# The chart with every value set another way (checked against the schemas as well).
HELM_OPTIONS = ("namespace.create=true", "image.repository=registry.example/jvmtap",
                "image.tag=1.2.3", 'extraArgs=["--collector.net=off","--jvm.scan-interval=60s"]',
                'resources={"requests":{"cpu":"50m","memory":"96Mi"},"limits":{"memory":"512Mi"}}',
                'capabilities.add=["BPF","PERFMON","SYS_PTRACE","DAC_READ_SEARCH"]',
                "webConfig.enabled=true", "webConfig.content=basic_auth_users: {}",
                'webConfig.extraFiles={"tls.crt":"PEM"}', 'podMonitor.labels={"release":"kps"}',
                "podMonitor.scheme=https", 'prometheusRule.labels={"release":"kps"}')


def validate(docs, tmp_path):
    f = tmp_path / "objects.yaml"
    f.write_text(yaml.safe_dump_all(docs))
    p = run(["node", os.path.join(HERE, "validate_k8s.mjs"), str(f)])
    return {line.split()[2] for line in p.stdout.splitlines() if line.startswith("ok ")}


def test_manifests_validate_against_kubernetes_schemas():
    files = sorted(f for f in os.listdir(K8S) if f.endswith(".yaml"))
    p = run(["node", os.path.join(HERE, "validate_k8s.mjs")] + [os.path.join(K8S, f) for f in files])
    kinds = {line.split()[2] for line in p.stdout.splitlines() if line.startswith("ok ")}
    assert {"v1/Namespace", "v1/ServiceAccount", "apps/v1/DaemonSet", "v1/Service",
            "monitoring.coreos.com/v1/PodMonitor", "monitoring.coreos.com/v1/PrometheusRule"} <= kinds


@pytest.mark.parametrize("how", OUTPUTS)
def test_rendered_objects_validate_against_kubernetes_schemas(how, tmp_path):
    kinds = validate(rendered(how), tmp_path)
    want = {"v1/ServiceAccount", "apps/v1/DaemonSet", "v1/Service",
            "monitoring.coreos.com/v1/PodMonitor", "monitoring.coreos.com/v1/PrometheusRule"}
    # The chart leaves the namespace to `helm install --create-namespace` unless asked.
    assert kinds == want | ({"v1/Namespace"} if how == "kustomize" else set())


def test_helm_with_every_option_validates(tmp_path):
    kinds = validate(rendered("helm", HELM_OPTIONS), tmp_path)
    assert {"v1/Namespace", "v1/Secret", "apps/v1/DaemonSet"} <= kinds


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


@pytest.mark.parametrize("how", OUTPUTS)
def test_rendered_objects_live_in_one_namespace(how):
    for d in rendered(how):
        if d["kind"] != "Namespace":
            assert d["metadata"]["namespace"] == NAMESPACE, (d["kind"], d["metadata"])


# ---- the DaemonSet -------------------------------------------------------------------------

def daemonset_container(docs):
    spec = kind_of(docs, "DaemonSet")["spec"]["template"]["spec"]
    assert len(spec["containers"]) == 1
    return spec, spec["containers"][0]


def check_capabilities_explained(caps, source):
    """Each added capability has a comment right above it in the file it is set in."""
    text = open(source).read()
    for cap in caps:
        before = text[:text.index("- " + cap + "\n")].splitlines()[-2]
        assert before.strip().startswith("#"), "no comment above capability %s in %s" % (cap, source)


@pytest.mark.parametrize("how", OUTPUTS)
def test_daemonset_least_privilege(how):
    docs = rendered(how)
    spec, c = daemonset_container(docs)
    sc = c["securityContext"]
    assert spec["hostPID"] is True
    assert spec.get("hostNetwork", False) is False
    assert spec["automountServiceAccountToken"] is False
    assert kind_of(docs, "ServiceAccount")["automountServiceAccountToken"] is False
    assert spec["serviceAccountName"] == kind_of(docs, "ServiceAccount")["metadata"]["name"]
    assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert sc["privileged"] is False
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["capabilities"]["drop"] == ["ALL"]
    # SYS_ADMIN: the kernel demands it for uprobe perf events (test_live.py shows it).
    assert set(sc["capabilities"]["add"]) == {"BPF", "PERFMON", "SYS_RESOURCE", "SYS_PTRACE",
                                              "DAC_READ_SEARCH", "SYS_ADMIN"}
    check_capabilities_explained(sc["capabilities"]["add"], CAPABILITY_SOURCES[how])


@pytest.mark.parametrize("how", OUTPUTS)
def test_daemonset_scheduling_and_resources(how):
    spec, c = daemonset_container(rendered(how))
    assert spec["priorityClassName"] == "system-node-critical"
    assert {"operator": "Exists"} in spec["tolerations"]
    r = c["resources"]
    assert r["requests"]["cpu"] and r["requests"]["memory"] and r["limits"]["memory"]
    assert c["image"] == "ghcr.io/example/jvmtap:0.1.0"


def check_host_paths(spec, c):
    mounts = {m["name"]: m for m in c["volumeMounts"]}
    vols = {v["name"]: v for v in spec["volumes"]}
    assert set(mounts) == set(vols)
    assert all(m.get("readOnly") is True for m in mounts.values())
    by_path = {vols[n]["hostPath"]["path"]: m["mountPath"] for n, m in mounts.items()
               if "hostPath" in vols[n]}
    assert by_path["/proc"] == "/host/proc" and by_path["/sys"] == "/host/sys"
    # Runtime state dirs land where --path.rootfs=/host makes jvmtap look for them
    # (user/identity/identity.c: run/containerd/..., run/containers/storage/..., var/lib/...).
    for host in ("/run/containerd", "/run/containers/storage",
                 "/var/lib/containers/storage/overlay-containers", "/var/lib/docker/containers"):
        assert by_path[host] == "/host" + host
    args = c["args"]
    for a in ("--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host"):
        assert a in args


@pytest.mark.parametrize("how", OUTPUTS)
def test_daemonset_host_paths_read_only_and_flags(how):
    spec, c = daemonset_container(rendered(how))
    assert all("hostPath" in v for v in spec["volumes"])
    check_host_paths(spec, c)


def check_flags_accepted(args):
    """jvmtap --help lists every flag passed."""
    help_text = run([BIN, "--help"]).stdout
    for a in args:
        assert a.split("=")[0] in help_text, a


@pytest.mark.parametrize("how", OUTPUTS)
def test_daemonset_flags_are_accepted_by_the_binary(how):
    _, c = daemonset_container(rendered(how))
    check_flags_accepted(c["args"])


@pytest.mark.parametrize("how", OUTPUTS)
def test_daemonset_probes_and_ports_match_the_service(how):
    docs = rendered(how)
    _, c = daemonset_container(docs)
    assert c["livenessProbe"]["httpGet"]["path"] == "/-/healthy"
    assert c["readinessProbe"]["httpGet"]["path"] == "/-/ready"
    port = c["ports"][0]
    assert port["name"] == "metrics" and port["containerPort"] == 9877
    assert "--web.listen-address=:9877" in c["args"]
    svc = kind_of(docs, "Service")
    assert svc["spec"]["ports"][0]["targetPort"] == "metrics"
    pm = kind_of(docs, "PodMonitor")
    assert pm["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"
    ds = kind_of(docs, "DaemonSet")
    labels = ds["spec"]["template"]["metadata"]["labels"]
    for sel in (svc["spec"]["selector"], pm["spec"]["selector"]["matchLabels"],
                ds["spec"]["selector"]["matchLabels"]):
        assert sel.items() <= labels.items()


# ---- the Helm chart ------------------------------------------------------------------------

def normalize_exprs(o):
    """PromQL expressions with each run of whitespace as one space: kustomize 5.7's YAML writer
    adds a blank line inside the two folded (>-) exprs that have more-indented lines."""
    if isinstance(o, dict):
        return {k: " ".join(v.split()) if k == "expr" else normalize_exprs(v) for k, v in o.items()}
    if isinstance(o, list):
        return [normalize_exprs(v) for v in o]
    return o


def test_helm_lint():
    run([HELM, "lint", "--strict", CHART])
    args = []
    for v in HELM_OPTIONS:
        args += ["--set-json" if v.split("=", 1)[1][:1] in "[{" else "--set", v]
    run([HELM, "lint", "--strict", CHART, "--namespace", NAMESPACE] + args)


@pytest.mark.parametrize("values", [(), ("namespace.create=true",)])
def test_helm_renders_the_kustomization(values):
    """With its defaults, release and namespace jvmtap, the chart renders the kustomization's
    objects, equal but for Helm's labels (HELM_LABELS) and without the Namespace, which
    namespace.create=true renders too."""
    kust = {d["kind"]: d for d in rendered("kustomize")}
    helm = {d["kind"]: d for d in rendered("helm", values)}
    if not values:
        kust.pop("Namespace")
    assert sorted(helm) == sorted(kust)
    for kind, d in helm.items():
        labels = d["metadata"]["labels"]
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
        assert labels["app.kubernetes.io/instance"] == RELEASE
        assert set(labels) - set(kust[kind]["metadata"]["labels"]) == HELM_LABELS, kind
        assert normalize_exprs(strip_helm_labels(d)) == normalize_exprs(kust[kind]), kind
    # The selectors differ from the kustomization's by the release only.
    ds = helm["DaemonSet"]["spec"]["selector"]["matchLabels"]
    assert ds == {"app.kubernetes.io/name": "jvmtap", "app.kubernetes.io/instance": RELEASE}


def test_helm_prometheusrule_is_the_rules_file():
    """Read from deploy/prometheus/jvmtap.rules.yml at template time (.Files.Get of a link to
    it), not a copy: the same groups, to the character."""
    link = os.path.join(CHART, "files", "jvmtap.rules.yml")
    assert os.path.islink(link) and os.path.realpath(link) == os.path.realpath(RULES)
    assert kind_of(rendered("helm"), "PrometheusRule")["spec"] == rules()
    tpl = open(os.path.join(CHART, "templates", "prometheusrule.yaml")).read()
    assert '.Files.Get "files/jvmtap.rules.yml"' in tpl and "alert:" not in tpl


def test_helm_values():
    docs = rendered("helm", HELM_OPTIONS)
    spec, c = daemonset_container(docs)
    assert c["image"] == "registry.example/jvmtap:1.2.3"
    assert c["resources"] == {"requests": {"cpu": "50m", "memory": "96Mi"},
                              "limits": {"memory": "512Mi"}}
    assert c["securityContext"]["capabilities"] == {
        "drop": ["ALL"], "add": ["BPF", "PERFMON", "SYS_PTRACE", "DAC_READ_SEARCH"]}
    # extra args after the chart's own, and the web config file from the Secret
    assert c["args"][-2:] == ["--collector.net=off", "--jvm.scan-interval=60s"]
    assert "--web.config.file=/etc/jvmtap/web-config/web-config.yml" in c["args"]
    check_flags_accepted(c["args"])
    check_host_paths(spec, c)
    secret = kind_of(docs, "Secret")
    assert secret["metadata"]["name"] == "jvmtap-web-config"
    assert secret["stringData"] == {"web-config.yml": "basic_auth_users: {}\n", "tls.crt": "PEM\n"}
    vol = [v for v in spec["volumes"] if v["name"] == "web-config"]
    assert vol == [{"name": "web-config", "secret": {"secretName": "jvmtap-web-config"}}]
    # the kubelet cannot pass TLS client certificates or basic auth: TCP probes
    assert c["livenessProbe"]["tcpSocket"]["port"] == "metrics"
    assert c["readinessProbe"]["tcpSocket"]["port"] == "metrics"
    pm = kind_of(docs, "PodMonitor")
    assert pm["metadata"]["labels"]["release"] == "kps"
    assert pm["spec"]["podMetricsEndpoints"][0]["scheme"] == "https"
    assert kind_of(docs, "PrometheusRule")["metadata"]["labels"]["release"] == "kps"
    ns = kind_of(docs, "Namespace")
    assert ns["metadata"]["name"] == NAMESPACE
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "privileged"
    # A Secret of one's own: mounted, not made.
    docs = rendered("helm", ("webConfig.enabled=true", "webConfig.existingSecret=mine",
                             "webConfig.key=config.yml"))
    spec, c = daemonset_container(docs)
    assert not [d for d in docs if d["kind"] == "Secret"]
    assert {"name": "web-config", "secret": {"secretName": "mine"}} in spec["volumes"]
    assert "--web.config.file=/etc/jvmtap/web-config/config.yml" in c["args"]
    # Neither: an error, not a pod that cannot start.
    p = subprocess.run([HELM, "template", RELEASE, CHART, "--set", "webConfig.enabled=true"],
                       capture_output=True, text=True)
    assert p.returncode != 0 and "webConfig.existingSecret or webConfig.content" in p.stderr


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
    assert normalize_exprs(kind_of(rendered("kustomize"), "PrometheusRule")["spec"]) == \
        normalize_exprs(rules())
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
    assert rows[:8] == ["Job", "CPU", "Container memory", "Heap", "Non-heap", "GC", "Threads",
                        "Network"]
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
