"""A Flink TaskManager in a CRI pod: the Flink test bed's JobManager and one TaskManager on the
host, a second TaskManager started by Flink's own taskmanager.sh inside a pod that containerd's
CRI plugin made (crictl runp/create/start, uid 9999, the node's network as hostNetwork pods
have). The Kubernetes labels on its series come from containerd's state, checked against
`crictl inspect`/`inspectp`; the TaskManager registers with the JobManager."""
import os
import sys
import time

from conftest import ROOT, it
import runtimes

sys.path.insert(0, os.path.join(ROOT, "tests", "flink"))
import flinkbed  # noqa: E402

select = it.select


def java_pid_of(pid, main, timeout=60):
    """The container's process once taskmanager.sh has exec'd the JVM running main."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if main in open("/proc/%d/cmdline" % pid).read():
                return pid
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("pid %d never ran %s" % (pid, main))


def test_taskmanager_in_a_cri_pod(jvmtap_factory, workdir, classes, cri):
    version = flinkbed.VERSIONS[0]
    tmp = os.path.join(workdir, "flink-%s" % version)
    os.makedirs(tmp)
    os.chmod(tmp, 0o755)
    j = jvmtap_factory()
    cluster = flinkbed.Cluster(version, tmp, tms=1, reporter=False)
    try:
        # the pod's TaskManager, as uid 9999, writes its log, io dirs and the java wrapper's log
        for d in (cluster.logs, os.path.join(tmp, "io"), cluster.checkpoints):
            os.chmod(d, 0o777)
        os.chmod(cluster.java_log, 0o666)
        pod = cri.pod("flink-taskmanager-1", "analytics")
        env = {k: v for k, v in cluster.env().items()
               if k in ("FLINK_CONF_DIR", "JAVA_HOME", "FLINK_LOG_DIR")}
        env["PATH"] = "/usr/bin:/bin"
        c = cri.start("taskmanager", (), classes, pod=pod, env=sorted(env.items()),
                      command=[os.path.join(cluster.home, "bin", "taskmanager.sh"),
                               "start-foreground"],
                      extra=[(cluster.home, True), (tmp, False)])
        pid = java_pid_of(c.pid, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner")
        cluster.wait(lambda: cluster.rest("/overview")["taskmanagers"] == 2, 90,
                     "the pod's TaskManager registered")
        ids = {"container_id": c.info["id"], "namespace": "analytics",
               "pod": "flink-taskmanager-1", "container": "taskmanager"}
        assert (c.info["namespace"], c.info["pod"], c.info["container"]) == \
            ("analytics", "flink-taskmanager-1", "taskmanager")
        s = it.wait_scrape(j, lambda s: select(s, "jvmtap_jvm_info", pid=str(pid),
                                               hsperfdata="true"), 30,
                           "the pod TaskManager's hsperfdata", "jvmtap_jvm_info")
        (jvm, _), = select(s, "jvmtap_jvm_info", pid=str(pid))
        it.record("flink %s TaskManager in CRI pod: jvmtap_jvm_info %r; crictl says %r" % (
            version, jvm, c.info))
        assert {k: jvm[k] for k in ids} == ids, jvm
        assert jvm["flink_role"] == "taskmanager" and jvm["usdt"] == "true"
        (info, _), = select(s, "jvmtap_container_info", container_id=c.info["id"])
        assert info == dict(ids, image=runtimes.IMAGE, runtime="containerd")
        # the host TaskManager stays outside any container
        host_tms = [l for l, _ in select(s, "jvmtap_jvm_info", flink_role="taskmanager")
                    if l["pid"] != str(pid)]
        assert len(host_tms) == 1 and host_tms[0]["pod"] == "", host_tms
        heap = select(s, "jvmtap_jvm_memory_used_bytes", pid=str(pid), area="heap", **ids)
        assert heap and heap[0][1] > 0
        # The JobManager's list of TaskManagers names both; each is matched to its JVM here by
        # its RPC address (localhost:port, the JobManager's network namespace) and carries its
        # own pid and container next to the JobManager's labels.
        rest = {t["id"]: t["path"] for t in cluster.rest("/taskmanagers")["taskmanagers"]}
        s = it.wait_scrape(j, lambda s: len([l for l, _ in select(
            s, "jvmtap_flink_taskmanager_info") if l["tm_pid"]]) == 2, 40,
            "both TaskManagers matched to their JVMs", "jvmtap_flink_")
        tms = {l["tm_pid"]: l for l, _ in select(s, "jvmtap_flink_taskmanager_info")}
        it.record("flink %s jvmtap_flink_taskmanager_info: %r" % (version, tms))
        pod_tm = tms[str(pid)]
        assert {k: pod_tm["tm_" + k] for k in ids} == ids, pod_tm
        assert rest[pod_tm["tm_id"]] == pod_tm["tm_path"]
        (host_tm,) = [l for p, l in tms.items() if p != str(pid)]
        assert host_tm["tm_pid"] == host_tms[0]["pid"] and host_tm["tm_pod"] == ""
        assert host_tm["tm_container_id"] == host_tms[0]["container_id"]
        assert rest[host_tm["tm_id"]] == host_tm["tm_path"]
        cri.remove(c)
    finally:
        cluster.stop()
