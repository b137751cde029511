"""Container identity end to end: emulated containers (real cgroups named as each runtime names
them, runtime state files under a temp --path.rootfs) get their Kubernetes labels."""
import json
import os
import subprocess
import time
import uuid

import pytest

from conftest import CG1_CPU, busy, select, value

METRIC = "jvmtap_container_cpu_seconds_total"


def cid():
    return uuid.uuid4().hex + uuid.uuid4().hex  # 64 hex chars


def write(rootfs, rel, obj):
    path = os.path.join(str(rootfs), rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(obj if isinstance(obj, str) else json.dumps(obj))


def containerd_state(rootfs, id_, ns, pod, name, kind="container"):
    write(rootfs, "run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/config.json" % id_, {
        "ociVersion": "1.1.0", "process": {"args": ["/pause"]},
        "annotations": {"io.kubernetes.cri.container-type": kind,
                        "io.kubernetes.cri.sandbox-name": pod,
                        "io.kubernetes.cri.sandbox-namespace": ns,
                        "io.kubernetes.cri.container-name": name}})


def wait_series(j, timeout=10, **labels):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = select(j.scrape(), METRIC, **labels)
        if found:
            return found
        time.sleep(0.3)
    return []


@pytest.fixture
def pod_uid():
    return str(uuid.uuid4())


def test_containerd_systemd_driver_v2(jvmtap_factory, cgroups, tmp_path, pod_uid):
    id_, sandbox = cid(), cid()
    slice_ = "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice" % pod_uid.replace("-", "_")
    containerd_state(tmp_path, id_, "flink", "flink-taskmanager-0", "taskmanager")
    containerd_state(tmp_path, sandbox, "flink", "flink-taskmanager-0", "", kind="sandbox")
    j = jvmtap_factory("--cgroup.hierarchy=v2", "--path.rootfs=%s" % tmp_path)
    cg = cgroups("%s/cri-containerd-%s.scope" % (slice_, id_))
    pause = cgroups("%s/cri-containerd-%s.scope" % (slice_, sandbox))
    cg.spawn(busy(0.5)).wait()
    pause.spawn(busy(0.3)).wait()
    (labels, v), = wait_series(j, container_id=id_)
    assert labels == {"container_id": id_, "namespace": "flink", "pod": "flink-taskmanager-0",
                      "container": "taskmanager"}
    assert v >= 0.4
    assert not select(j.scrape(), METRIC, container_id=sandbox), "pause containers are not workloads"


def test_containerd_cgroupfs_driver_v1(jvmtap_factory, cgroups, tmp_path, pod_uid):
    id_ = cid()
    containerd_state(tmp_path, id_, "default", "jobmanager-7f9c", "jobmanager")
    j = jvmtap_factory("--cgroup.hierarchy=v1", "--path.rootfs=%s" % tmp_path)
    cg = cgroups("kubepods/besteffort/pod%s/%s" % (pod_uid, id_), base=CG1_CPU)
    cg.spawn(busy(0.5)).wait()
    (labels, _), = wait_series(j, container_id=id_)
    assert labels["pod"] == "jobmanager-7f9c" and labels["namespace"] == "default"
    assert labels["container"] == "jobmanager"


def test_crio_and_docker(jvmtap_factory, cgroups, tmp_path, pod_uid):
    crio, conmon, docker = cid(), cid(), cid()
    write(tmp_path, "var/lib/containers/storage/overlay-containers/%s/userdata/config.json" % crio,
          {"annotations": {"io.kubernetes.pod.name": "tm-1", "io.kubernetes.pod.namespace": "streaming",
                           "io.kubernetes.container.name": "flink-main-container",
                           "io.kubernetes.cri-o.ContainerType": "container"}})
    write(tmp_path, "var/lib/docker/containers/%s/config.v2.json" % docker,
          {"Config": {"Labels": {"io.kubernetes.pod.name": "web-0",
                                 "io.kubernetes.pod.namespace": "shop",
                                 "io.kubernetes.container.name": "app",
                                 "io.kubernetes.docker.type": "container"}}})
    j = jvmtap_factory("--cgroup.hierarchy=v2", "--path.rootfs=%s" % tmp_path)
    base = "kubepods.slice/kubepods-pod%s.slice" % pod_uid.replace("-", "_")
    for name in ("crio-%s.scope" % crio, "crio-conmon-%s.scope" % conmon, "docker-%s.scope" % docker):
        cgroups("%s/%s" % (base, name)).spawn(busy(0.3)).wait()
    (l1, _), = wait_series(j, container_id=crio)
    assert (l1["namespace"], l1["pod"], l1["container"]) == ("streaming", "tm-1", "flink-main-container")
    (l2, _), = wait_series(j, container_id=docker)
    assert (l2["namespace"], l2["pod"], l2["container"]) == ("shop", "web-0", "app")
    assert not select(j.scrape(), METRIC, container_id=conmon)


def test_plain_cgroup_is_labelled_by_path(jvmtap_factory, cgroups):
    j = jvmtap_factory("--cgroup.hierarchy=v2")
    cg = cgroups("jvmtap-test-%s.slice/flink-host.service" % uuid.uuid4().hex[:6])
    cg.spawn(busy(0.3)).wait()
    (labels, _), = wait_series(j, container_id="/" + cg.rel)
    assert labels["namespace"] == labels["pod"] == labels["container"] == ""


def test_cgroup_made_just_after_a_walk_has_its_path_at_the_next_scrape(jvmtap_factory, cgroups):
    """A cgroup created right after a walk (the one the previous scrape triggered) and scraped
    within the same second: its first series already carries its path, never `cgroup-id:N`
    (seen in CI as a client's bytes missing from its container in test_net)."""
    j = jvmtap_factory("--cgroup.hierarchy=v2")
    for _ in range(8):
        cg = cgroups()
        cg.spawn(busy(0.15)).wait()
        s = j.scrape()
        assert select(s, METRIC, container_id="/" + cg.rel), [
            l["container_id"] for l, _ in select(s, METRIC) if "cgroup-id:" in l["container_id"]]

def test_bad_state_files_are_counted_and_escaped(jvmtap_factory, cgroups, tmp_path, pod_uid):
    broken, missing, hostile = cid(), cid(), cid()
    write(tmp_path, "run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/config.json" % broken,
          '{"annotations": {"io.kubernetes.cri.sandbox-name": ')
    containerd_state(tmp_path, hostile, "ns", 'evil"pod\\', 'x\ny')
    j = jvmtap_factory("--cgroup.hierarchy=v2", "--path.rootfs=%s" % tmp_path,
                       "--container.grace-period=2s")
    s0 = j.scrape()
    m0 = value(s0, "jvmtap_metadata_errors_total", reason="malformed")
    x0 = value(s0, "jvmtap_metadata_errors_total", reason="missing")
    base = "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod%s.slice" % pod_uid.replace("-", "_")
    cgs = [cgroups("%s/cri-containerd-%s.scope" % (base, i)) for i in (broken, missing, hostile)]
    procs = [cg.spawn(busy(10)) for cg in cgs]
    (lb, _), = wait_series(j, container_id=broken)
    assert lb["pod"] == "" and lb["namespace"] == ""
    assert value(j.scrape(), "jvmtap_metadata_errors_total", reason="malformed") == m0 + 1
    (lh, _), = wait_series(j, container_id=hostile)
    assert lh["pod"] == 'evil"pod\\' and lh["container"] == "x\ny"
    text = j.scrape_text()
    r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    # A missing state file is retried (it may appear late), then counted once.
    deadline = time.time() + 20
    while time.time() < deadline:
        if value(j.scrape(), "jvmtap_metadata_errors_total", reason="missing") == x0 + 1:
            break
        time.sleep(0.5)
    assert value(j.scrape(), "jvmtap_metadata_errors_total", reason="missing") == x0 + 1
    for p in procs:
        p.kill()
    assert j.proc.poll() is None
