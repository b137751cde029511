"""A JobManager whose REST speaks TLS and requires a client certificate
(security.ssl.rest.enabled, .authentication-enabled), for each pinned Flink version: without
credentials jvmtap reports it (reason="tls") and exports nothing else; with the CA and a client
certificate the REST series come as over plain HTTP; a missing client certificate or a CA that
did not sign the server's is refused, counted, and nothing is exported."""
import time
import uuid

import pytest

from flinkbed import VERSIONS, Cluster, it


@pytest.fixture(scope="module", params=VERSIONS)
def tlsbed(request, tmp_path_factory):
    version = request.param
    tmp = tmp_path_factory.mktemp("flink-tls-%s" % version)
    cg = it.Cgroup(it.CG2, "jvmtap-flink-tls-%s" % uuid.uuid4().hex[:8])
    cluster = None
    try:
        cluster = Cluster(version, tmp, spawn=cg.spawn, tms=1, reporter=False, tls=True)
        yield dict(version=version, cluster=cluster, cid="/" + cg.rel)
    finally:
        if cluster:
            cluster.stop()
        cg.remove()


def run(flags):
    """A jvmtap polling every second with these --flink.rest.* flags (the other collectors off:
    only the REST client is under test)."""
    return it.Jvmtap(["--cgroup.hierarchy=v2", "--flink.poll-interval=1s"] + [
        "--collector.%s=off" % c for c in ("cpu", "net", "tasks")] + flags)


def until(j, cond, timeout):
    deadline = time.time() + timeout
    while True:
        s = j.scrape()
        if cond(s) or time.time() > deadline:
            return s
        time.sleep(0.5)


def tls_errors(s):
    return it.value(s, "jvmtap_flink_rest_errors_total", reason="tls")


def test_tls_jobmanager_with_and_without_credentials(tlsbed):
    c, cid = tlsbed["cluster"], tlsbed["cid"]
    t = c.tls
    # The oracle: Flink's own answer over TLS with the client certificate.
    assert c.rest("/overview")["taskmanagers"] == 1
    js = {
        "none": run([]),
        "good": run(["--flink.rest.ca-file=" + t["rest.pem"],
                     "--flink.rest.cert-file=" + t["client.pem"],
                     "--flink.rest.key-file=" + t["client.key"],
                     "--flink.rest.server-name=localhost"]),
        "no client cert": run(["--flink.rest.ca-file=" + t["rest.pem"]]),
        "wrong CA": run(["--flink.rest.ca-file=" + t["other.pem"],
                         "--flink.rest.cert-file=" + t["client.pem"],
                         "--flink.rest.key-file=" + t["client.key"]]),
        "wrong name": run(["--flink.rest.ca-file=" + t["rest.pem"],
                           "--flink.rest.cert-file=" + t["client.pem"],
                           "--flink.rest.key-file=" + t["client.key"],
                           "--flink.rest.server-name=jobmanager.example"]),
    }
    try:
        s = until(js["good"], lambda s: it.select(s, "jvmtap_flink_taskmanagers",
                                                  container_id=cid), 20)
        assert [v for _, v in it.select(s, "jvmtap_flink_taskmanagers", container_id=cid)] == [1]
        (l, _), = it.select(s, "jvmtap_flink_jobmanager_info", container_id=cid)
        assert int(l["rest_port"]) == c.rest_port and l["flink_version"] == c.version, l
        # Found at the first try: the plain request's quick close sent it to TLS, no error.
        assert tls_errors(s) == 0 and it.value(s, "jvmtap_flink_rest_errors_total",
                                               reason="no_endpoint") == 0
        for name in ("none", "no client cert", "wrong CA", "wrong name"):
            s = until(js[name], lambda s: tls_errors(s) >= 2, 20)
            assert tls_errors(s) >= 2, name
            (l, _), = it.select(s, "jvmtap_flink_jobmanager_info", container_id=cid)
            assert l["rest_port"] == "", (name, l)
            assert not it.select(s, "jvmtap_flink_taskmanagers", container_id=cid), name
        it.record("flink %s TLS REST: served with CA + client certificate; refused and counted "
                  "without credentials, without a client certificate, with a wrong CA and with "
                  "a wrong name" % tlsbed["version"])
    finally:
        for j in js.values():
            assert j.stop() == 0, open(j.log.name).read()
