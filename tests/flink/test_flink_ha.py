"""jvmtap on a Flink cluster with ZooKeeper high availability (tests/flink/flinkbed.py, Flink's own
bin/zookeeper.sh), for each pinned Flink version: two JobManagers whose REST APIs both answer,
the standby with the leader's data. jvmtap exports the cluster and its jobs once, from the
leader, and follows the leadership when the leader is killed. The oracle for who leads is
Flink's own log ("<rest url> was granted leadership")."""
import glob
import os
import re
import signal
import time
import uuid

import pytest

from flinkbed import VERSIONS, Cluster, http_get, it, job_jar, wait_scrape


@pytest.fixture(scope="module", params=VERSIONS)
def habed(request, tmp_path_factory):
    version = request.param
    tmp = tmp_path_factory.mktemp("flink-ha-%s" % version)
    cg = it.Cgroup(it.CG2, "jvmtap-flink-ha-%s" % uuid.uuid4().hex[:8])
    j = it.Jvmtap(("--cgroup.hierarchy=v2", "--flink.poll-interval=1s"))
    cluster = None
    try:
        cluster = Cluster(version, tmp, spawn=cg.spawn, jms=2, ha=True, reporter=False)
        jid = cluster.submit(job_jar(cluster.home, version), "--records", "0", "--rate", "1000")
        cluster.wait_running(jid, checkpoints=1)
        yield dict(version=version, cluster=cluster, jvmtap=j, jid=jid,
                   cid="/" + cg.rel)
    finally:
        if cluster:
            cluster.stop()
        assert j.stop() == 0, "jvmtap exited non-zero:\n%s" % open(j.log.name).read()
        cg.remove()


def leader_port_in_logs(c):
    """The REST port of the JobManager that was granted REST leadership last, from the
    JobManagers' logs (log4j timestamps sort as text)."""
    last = None
    for f in glob.glob(os.path.join(c.logs, "*standalonesession*.log")):
        for line in open(f, errors="replace"):
            m = re.search(r"http://[^ ]+:(\d+) was granted leadership", line)
            if m and (last is None or line[:23] > last[0]):
                last = (line[:23], int(m.group(1)))
    return last[1] if last else None


def jms(samples, cid):
    """{pid: labels} of jvmtap_flink_jobmanager_info in the bed's cgroup."""
    return {int(l["pid"]): l for l, _ in it.select(samples, "jvmtap_flink_jobmanager_info",
                                                     container_id=cid)}


def one_leader(cid, pids):
    """Both JobManagers listed, one leading, one standing by."""
    def cond(s):
        found = jms(s, cid)
        return set(found) == set(pids) and sorted(l["ha"] for l in found.values()) == [
            "leader", "standby"]
    return cond


def test_one_leader_exports_the_cluster_once(habed):
    c, j, cid, jid = habed["cluster"], habed["jvmtap"], habed["cid"], habed["jid"]
    pids = [p.pid for r, p in c.procs if r == "jobmanager"]
    # Both REST APIs list the job: the standby answers with the leader's data.
    for port in c.rest_ports:
        assert jid in http_get("http://127.0.0.1:%d/jobs/overview" % port)
    s = wait_scrape(j, one_leader(cid, pids), 30, "one leader and one standby")
    found = jms(s, cid)
    (leader,) = [pid for pid, l in found.items() if l["ha"] == "leader"]
    want = leader_port_in_logs(c)
    assert want and int(found[leader]["rest_port"]) == want, (found, want)
    # The cluster and the job once, not once per JobManager.
    s = wait_scrape(j, lambda s: it.select(s, "jvmtap_flink_job_info", container_id=cid, job_id=jid),
                 30, "the job")
    assert len(it.select(s, "jvmtap_flink_job_info", container_id=cid, job_id=jid)) == 1
    assert [v for _, v in it.select(s, "jvmtap_flink_taskmanagers", container_id=cid)] == [2]
    assert len(it.select(s, "jvmtap_flink_jobs", container_id=cid, state="running")) == 1
    # The JobManager's own pools are the leader's (a standby's /jobmanager/metrics are too).
    assert len(it.select(s, "jvmtap_flink_buffer_pool_buffers", container_id=cid,
                         component="jobmanager", pool="direct")) == 1
    it.record("flink %s HA: leader pid %d (REST %s, as its log says), standby pid %d; the job "
              "exported once" % (habed["version"], leader, found[leader]["rest_port"],
                                 [p for p in pids if p != leader][0]))


def test_leader_killed_the_standby_takes_over(habed):
    c, j, cid, jid = habed["cluster"], habed["jvmtap"], habed["cid"], habed["jid"]
    pids = [p.pid for r, p in c.procs if r == "jobmanager"]
    s = wait_scrape(j, one_leader(cid, pids), 30, "one leader and one standby")
    found = jms(s, cid)
    (leader,) = [pid for pid, l in found.items() if l["ha"] == "leader"]
    (standby,) = [pid for pid in pids if pid != leader]
    proc = [p for _, p in c.procs if p.pid == leader][0]
    t0 = time.time()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)
    # ZooKeeper ends the dead leader's session after 4 s; the standby is granted leadership,
    # the TaskManagers register with it and the job is recovered from the HA store.
    s = wait_scrape(j, lambda s: jms(s, cid).get(standby, {}).get("ha") == "leader" and
                 it.select(s, "jvmtap_flink_job_info", container_id=cid, job_id=jid), 90,
                 "the standby leading, with the job")
    took = time.time() - t0
    assert leader not in jms(s, cid)
    assert leader_port_in_logs(c) == int(jms(s, cid)[standby]["rest_port"])
    assert len(it.select(s, "jvmtap_flink_job_info", container_id=cid, job_id=jid)) == 1
    it.record("flink %s HA: leader %d killed, jvmtap showed %d leading with the job %.1f s later"
              % (habed["version"], leader, standby, took))
