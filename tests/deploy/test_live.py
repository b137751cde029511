"""deploy/ against the real binary, as root: one module-wide setup (about 25 s) runs

- an emulated containerd container (a cgroup named as kubelet names it plus its runtime state
  file under a temporary root) with a busy process and a JVM (GcWorkload) inside it;
- ./jvmtap on loopback, as tests/integration does;
- a real Prometheus (Debian package) scraping it every second with deploy's rules;
- a DaemonSet-shaped ./jvmtap: in its own mount namespace, with the host's /proc and /sys and
  the runtime state dir bind-mounted read-only under one directory, started with the
  DaemonSet's --path.* flags (that directory in place of /host) and only the DaemonSet's
  capabilities (uid 0, bounding set limited with setpriv); the JVM runs as nobody.

and the tests check that every metric the rules and the dashboard use is in the live scrape,
that PromQL over Prometheus's HTTP API returns what deploy/ expects, and that the
DaemonSet-shaped run labels the container as the plain run does."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

from deployutil import BIN, ROOT, RULES, dashboard_exprs, k8s_kind, metric_names, rule_exprs

sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import conftest as it  # noqa: E402  (the integration tests' helpers, not their fixtures)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (BPF, cgroups, mounts)")

JAVA_SRC = os.path.join(ROOT, "tests", "integration", "java", "GcWorkload.java")
EXITER_SRC = os.path.join(ROOT, "tests", "integration", "java", "Exiter.java")
# Loopback TCP ping-pong inside the container: jvmtap_container_network_bytes_total.
NET_SCRIPT = r"""
import socket, threading, time
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(16)
def serve():
    while True:
        c, _ = ls.accept(); c.recv(4096); c.send(b"x" * 2048); c.close()
threading.Thread(target=serve, daemon=True).start()
for n in range(%d):
    c = socket.create_connection(ls.getsockname()); c.send(b"y" * 1024); c.recv(4096); c.close()
    time.sleep(0.1)
"""
NS, POD, CONTAINER = "flink", "flink-taskmanager-0", "taskmanager"


def daemonset_caps():
    """setpriv's --bounding-set argument for the DaemonSet's capabilities."""
    c = k8s_kind("DaemonSet")["spec"]["template"]["spec"]["containers"][0]
    return "-all," + ",".join("+" + cap.lower() for cap in c["securityContext"]["capabilities"]["add"])


def wait_for(fn, timeout, what):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(0.3)
    raise AssertionError("timed out after %ss waiting for %s (last: %r)" % (timeout, what, last))


class WrappedJvmtap(it.Jvmtap):
    """Jvmtap started through a wrapper command (the DaemonSet-shaped run)."""

    def __init__(self, wrapper, args):
        self.port = it.free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = open(os.path.join(it.BUILD, "jvmtap-deploy-%d.log" % self.port), "w+")
        self.proc = subprocess.Popen(list(wrapper) + [BIN, "--web.listen-address=127.0.0.1:%d" % self.port]
                                     + list(args), stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_ready()


MOUNT_SCRIPT = r"""
set -e
h=$1; state=$2; caps=$3; shift 3
mount -t tmpfs -o size=1m,mode=0755 jvmtap-host "$h"
mkdir -p "$h/proc" "$h/sys" "$h/run/containerd"
mount --rbind /proc "$h/proc";  mount -o remount,bind,ro "$h/proc"
mount --rbind /sys "$h/sys";    mount -o remount,bind,ro "$h/sys"
mount --bind "$state/run/containerd" "$h/run/containerd"
mount -o remount,bind,ro "$h/run/containerd"
mount -o remount,ro "$h"
# From here on only the DaemonSet's capabilities (uid 0, bounding set = the added ones).
exec setpriv --bounding-set="$caps" --inh-caps=-all "$@"
"""


@pytest.fixture(scope="module")
def env():
    os.makedirs(it.BUILD, exist_ok=True)
    work = tempfile.mkdtemp(prefix="deploy-test-", dir=it.BUILD)  # not /tmp: JVMs' hsperfdata
    os.chmod(work, 0o755)  # the JVM runs as nobody
    classes = os.path.join(work, "java")
    javac = subprocess.Popen(["javac", "-d", classes, JAVA_SRC, EXITER_SRC])
    state = os.path.join(work, "state")
    hostdir = os.path.join(work, "host")
    os.makedirs(hostdir)
    id_ = uuid.uuid4().hex + uuid.uuid4().hex
    pod_uid = str(uuid.uuid4()).replace("-", "_")
    path = os.path.join(state, "run/containerd/io.containerd.runtime.v2.task/k8s.io", id_, "config.json")
    os.makedirs(os.path.dirname(path))
    with open(path, "w") as f:
        json.dump({"ociVersion": "1.1.0", "process": {"args": ["java"]},
                   "annotations": {"io.kubernetes.cri.container-type": "container",
                                   "io.kubernetes.cri.sandbox-name": POD,
                                   "io.kubernetes.cri.sandbox-namespace": NS,
                                   "io.kubernetes.cri.container-name": CONTAINER}}, f)
    top = "kubepods.slice"
    cg = it.Cgroup(it.CG2, "%s/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/cri-containerd-%s.scope"
                   % (top, pod_uid, id_))
    # JVMs that exit (jvmtap_jvm_exits_total) run outside the Kubernetes container, so that
    # no JVM alert (restart, crash) fires for it.
    exit_cg = it.Cgroup(it.CG2, "jvmtap-deploy-test-exits-%s" % uuid.uuid4().hex[:12])
    started = []
    prom = None
    try:
        plain = it.Jvmtap(["--cgroup.hierarchy=v2", "--path.rootfs=%s" % state])
        started.append(plain)
        ds = WrappedJvmtap(["unshare", "--mount", "--propagation", "private", "--",
                            "/bin/sh", "-c", MOUNT_SCRIPT, "sh", hostdir, state, daemonset_caps()],
                           ["--cgroup.hierarchy=v2", "--path.procfs=%s/proc" % hostdir,
                            "--path.sysfs=%s/sys" % hostdir, "--path.rootfs=%s" % hostdir])
        started.append(ds)
        prom = it.Prometheus(work, "127.0.0.1:%d" % plain.port, RULES, "deploy-test")
        assert javac.wait() == 0
        busy = cg.spawn(it.busy(20))
        net = cg.spawn(["/usr/bin/python3", "-c", NET_SCRIPT % 600])
        # Exits with code 0 after 3 s (long enough for jvmtap to discover it).
        exiter = exit_cg.spawn(["java", "-Xmx32m", "-cp", classes, "Exiter", "0", "3000"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The JVM runs as nobody: its /proc/PID/root, map_files and /tmp/hsperfdata_nobody
        # (0700) need SYS_PTRACE and DAC_READ_SEARCH in the capability-limited run.
        jvm = cg.spawn(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "java", "-XX:+UseG1GC", "-Xmx64m", "-cp", classes, "GcWorkload", "10", "12", "2", "1"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        yield {"plain": plain, "ds": ds, "prom": prom, "jvm": jvm, "busy": busy, "id": id_,
               "net": net, "exiter": exiter}
    finally:
        if prom:
            prom.stop()
        for j in started:
            rc = j.stop()
            assert rc == 0, "jvmtap exited %s on SIGTERM:\n%s" % (rc, open(j.log.name).read())
        cg.remove()
        exit_cg.remove()
        for d, _, _ in sorted(os.walk(os.path.join(it.CG2, top)), key=lambda t: -len(t[0])):
            try:
                os.rmdir(d)
            except OSError:
                pass
        shutil.rmtree(work, ignore_errors=True)


def jvm_ready(j, pid):
    """The scrape once the JVM has had GC pauses and safepoints, else None."""
    samples = j.scrape()
    pid = str(pid)
    have = {n for n, l, v in samples if l.get("pid") == pid}
    if {"jvmtap_jvm_gc_pause_seconds_count", "jvmtap_jvm_safepoint_seconds_count",
            "jvmtap_jvm_gc_last_pause_seconds"} <= have:
        return samples
    return None


def test_every_metric_used_by_rules_and_dashboard_is_exported(env):
    wait_for(lambda: jvm_ready(env["plain"], env["jvm"].pid), 20, "GC series of the JVM")
    used = set()
    for e in rule_exprs() + dashboard_exprs():
        used |= metric_names(e)
    assert len(used) >= 10, used
    # The Flink REST families need a real JobManager: tests/flink checks those on its cluster.
    used = {n for n in used if not n.startswith("jvmtap_flink_")}
    assert {"jvmtap_jvm_memory_used_bytes", "jvmtap_jvm_memory_max_bytes",
            "jvmtap_container_network_bytes_total", "jvmtap_jvm_exits_total",
            "jvmtap_jvm_gc_collection_seconds_total"} <= used
    # The container memory, quota and OOM families need the memory and cpu controllers in the
    # hierarchy the test container lives in (v2 here, which on this hybrid host has neither):
    # their families must be on the page (HELP/TYPE), their samples are checked by
    # tests/integration/test_cgroup.py on v1. The OOM victims counter has samples only after a
    # kill.
    cgroup_fams = {n for n in used if n.startswith(("jvmtap_container_memory_",
                                                    "jvmtap_container_cpu_cfs_",
                                                    "jvmtap_container_cpu_quota_",
                                                    "jvmtap_container_cpu_period_",
                                                    "jvmtap_container_oom_"))}
    assert "jvmtap_container_memory_working_set_bytes" in cgroup_fams, cgroup_fams
    # hsperfdata is read at scrapes, the exit needs the Exiter JVM to end (3 s), the network
    # bytes the ping-pong: wait until every family has samples, then report what is missing.
    missing = []

    def all_there():
        samples, families = it.parse(env["plain"].scrape_text())
        exported = {n for n, _, _ in samples} | (cgroup_fams & set(families))
        missing[:] = sorted(used - exported)
        return not missing
    try:
        wait_for(all_there, 20, "every family deploy/ uses")
    except AssertionError:
        pass
    assert not missing, "deploy/ uses metrics jvmtap does not export: %s" % missing


def test_jvm_series_carry_the_container_labels(env):
    samples = wait_for(lambda: jvm_ready(env["plain"], env["jvm"].pid), 20, "GC series of the JVM")
    labels = it.select(samples, "jvmtap_jvm_info", pid=str(env["jvm"].pid))[0][0]
    assert (labels["namespace"], labels["pod"], labels["container"], labels["main_class"]) == \
        (NS, POD, CONTAINER, "GcWorkload")


def test_prometheus_scrapes_and_evaluates_rules(env):
    prom, pid = env["prom"], str(env["jvm"].pid)
    wait_for(lambda: jvm_ready(env["plain"], env["jvm"].pid), 20, "GC series of the JVM")
    sel = 'namespace="%s",pod="%s"' % (NS, POD)
    # CPU rate > 0 for the busy container (about 1 CPU busy + the JVM).
    r = wait_for(lambda: prom.query('rate(jvmtap_container_cpu_seconds_total{container_id="%s"}[5s]) > 0.2'
                                    % env["id"]), 15, "CPU rate of the busy container")
    assert r[0]["metric"]["pod"] == POD
    # A GC pause quantile for the JVM.
    q = 'histogram_quantile(0.99, sum by (le) (rate(jvmtap_jvm_gc_pause_seconds_bucket{pid="%s"}[30s]))) > 0' % pid
    r = wait_for(lambda: prom.query(q), 15, "GC pause p99")
    assert 0 < float(r[0]["value"][1]) < 1
    # Recording rules evaluated over the real series.
    for rec in ("namespace_pod_container:jvmtap_container_cpu_usage:rate1m",
                "namespace_pod_thread_kind:jvmtap_jvm_cpu_usage:rate1m",
                "namespace_pod_action:jvmtap_jvm_gc_collections:rate1m",
                "namespace_pod_action:jvmtap_jvm_gc_pause_seconds:p99_5m",
                "namespace_pod:jvmtap_jvm_threads:sum",
                "pid:jvmtap_jvm_heap_usage:ratio",
                "namespace_pod_container_direction:jvmtap_container_network_bytes:rate1m",
                "namespace_pod_gc:jvmtap_jvm_gc_collection_time:rate1m"):
        r = wait_for(lambda: prom.query("%s{%s} > 0" % (rec, sel)), 15, rec)
        assert r
    # Heap usage per Flink role: GcWorkload has flink_role="none".
    r = wait_for(lambda: prom.query('namespace_flink_role:jvmtap_jvm_heap_usage:ratio{namespace="%s"} > 0'
                                    % NS), 15, "heap usage per Flink role")
    assert r[0]["metric"]["flink_role"] == "none" and float(r[0]["value"][1]) < 1
    # No alert fires for this healthy setup except possibly none at all.
    alerts = prom.query('ALERTS{alertstate="firing"}')
    assert not alerts, alerts


def test_daemonset_shaped_run_reports_the_same_labels(env):
    def cpu_labels(j):
        return [l for l, v in it.select(j.scrape(), "jvmtap_container_cpu_seconds_total",
                                        container_id=env["id"]) if v > 0]
    plain = wait_for(lambda: cpu_labels(env["plain"]), 15, "container series (plain run)")
    ds = wait_for(lambda: cpu_labels(env["ds"]), 15, "container series (DaemonSet-shaped run)")
    assert plain == ds == [{"container_id": env["id"], "namespace": NS, "pod": POD, "container": CONTAINER}]
    pid = str(env["jvm"].pid)
    info = lambda j: [l for l, _ in it.select(j.scrape(), "jvmtap_jvm_info", pid=pid)]  # noqa: E731
    # An attach that failed is tried again at a maintenance (every 10 s here): usdt="true" may
    # take one. Once there, both runs must show the same.
    attached = lambda j: [l for l in info(j) if l["usdt"] == "true"]  # noqa: E731
    logs = lambda: "plain log:\n%s\nDaemonSet-shaped log:\n%s" % (  # noqa: E731
        open(env["plain"].log.name).read(), open(env["ds"].log.name).read())
    try:
        p = wait_for(lambda: attached(env["plain"]), 30, "jvm_info usdt=true (plain)")
        d = wait_for(lambda: attached(env["ds"]), 30, "jvm_info usdt=true (DaemonSet-shaped)")
    except AssertionError as e:
        raise AssertionError("%s\n%s" % (e, logs()))
    keys = ("pid", "main_class", "usdt", "container_id", "namespace", "pod", "container")
    assert [{k: l[k] for k in keys} for l in p] == [{k: l[k] for k in keys} for l in d], logs()
    # Binaries with the hsperfdata reader: the file of a JVM owned by nobody was read.
    if "hsperfdata" in p[0]:
        wait_for(lambda: [l for l in info(env["ds"]) if l["hsperfdata"] == "true"], 10,
                 "hsperfdata read with the DaemonSet's capabilities")
    # The GC probes fired in the capability-limited run too.
    wait_for(lambda: jvm_ready(env["ds"], env["jvm"].pid), 15, "GC series (DaemonSet-shaped)")


def test_sys_admin_is_what_the_kernel_demands_for_usdt(env):
    """The DaemonSet adds SYS_ADMIN because uprobe perf events are refused without it: a run
    with the DaemonSet's capabilities minus SYS_ADMIN still serves CPU metrics but attaches no
    USDT probes. Skipped on a kernel that allows them without SYS_ADMIN (then the DaemonSet
    could drop it)."""
    caps = daemonset_caps()
    assert ",+sys_admin" in caps
    j = WrappedJvmtap(["setpriv", "--bounding-set=" + caps.replace(",+sys_admin", ""), "--inh-caps=-all"],
                      ["--cgroup.hierarchy=v2"])
    try:
        pid = str(env["jvm"].pid)
        labels = wait_for(lambda: it.select(j.scrape(), "jvmtap_jvm_info", pid=pid), 15, "jvm_info")[0][0]
        assert wait_for(lambda: it.select(j.scrape(), "jvmtap_container_cpu_seconds_total",
                                          container_id=env["id"]), 15, "CPU series without SYS_ADMIN")
        it.record("deploy: USDT with the DaemonSet's capabilities minus SYS_ADMIN, kernel %s: usdt=%s"
                  % (os.uname().release, labels["usdt"]))
        if labels["usdt"] == "true":
            pytest.skip("this kernel attaches uprobes without CAP_SYS_ADMIN")
        assert "Permission denied" in j.output()
    finally:
        assert j.stop() == 0
