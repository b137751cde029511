"""Container identity from real runtimes: containerd through CRI (crictl), Docker and Podman, each
started here, each running a JVM (GcWorkload, uid 9999, its own /tmp and pid namespace, JDK at
/opt/java/openjdk) started after jvmtap. The oracles: what the runtime itself says of the
container (`crictl inspect`/`inspectp`, `docker inspect`, `podman inspect`) for the labels, and
the JVM's own MXBeans (printed by the workload) for the numbers that carry them."""
import json
import os
import subprocess

import pytest

from conftest import it

select, value, record = it.select, it.value, it.record


def labels_of(c):
    return {"container_id": c.info["id"], "namespace": c.info["namespace"],
            "pod": c.info["pod"], "container": c.info["container"]}


def check_jvm_in_container(j, rt, c):
    """The container's identity on jvmtap_container_info and on the JVM's series equals the
    runtime's; GC counts equal the MXBeans' exactly, live threads within 1."""
    done = c.phase("done")
    assert done["pid"] != c.pid, "the JVM should have its own pid namespace"
    ids = labels_of(c)
    pid = str(c.pid)
    s = it.wait_scrape(j, lambda s: select(s, "jvmtap_jvm_info", pid=pid, hsperfdata="true") and
                       select(s, "jvmtap_container_info", container_id=c.id), 20,
                       "the JVM's hsperfdata and the container's info",
                       ("jvmtap_jvm_info", "jvmtap_container_info"))
    (info, _), = select(s, "jvmtap_container_info", container_id=c.id)
    record("%s %s: jvmtap_container_info %r; runtime says %r" % (rt.name, rt.version, info,
                                                                 c.info))
    assert info == dict(ids, image=c.info["image"], runtime=rt.runtime)
    (jvm, _), = select(s, "jvmtap_jvm_info", pid=pid)
    assert {k: jvm[k] for k in ids} == ids, jvm
    assert jvm["main_class"] == "GcWorkload" and jvm["usdt"] == "true"
    assert jvm["hsperfdata"] == "true", "hsperfdata in the container's /tmp was not read"
    # GC pauses: System.gc() ran once, so both collectors count; each collection one pause
    hist = {}
    for l, v in select(s, "jvmtap_jvm_gc_pause_seconds_count", pid=pid):
        assert {k: l[k] for k in ids} == ids, l
        hist[l["gc"]] = hist.get(l["gc"], 0) + v
    mx = {name: n for name, (n, _) in done["gc"].items()}
    record("%s: gc pauses jvmtap %r vs MXBean %r" % (rt.name, hist, mx))
    assert hist == {k: n for k, n in mx.items() if n}, (hist, mx)
    # the heap and threads families carry the labels too
    for l, v in select(s, "jvmtap_jvm_memory_used_bytes", pid=pid, area="heap"):
        assert {k: l[k] for k in ids} == ids and v > 0, l
    live = sum(v for l, v in select(s, "jvmtap_jvm_threads", pid=pid, **ids))
    assert abs(live - done["threads"]) <= 1, (live, done["threads"])
    # CPU of the container, under its labels
    assert value(s, "jvmtap_container_cpu_seconds_total", **ids) > 0


@pytest.mark.parametrize("hierarchy", ["auto", "v2"])
def test_jvm_in_container_has_the_runtimes_identity(jvmtap_factory, runtime, classes, hierarchy):
    """On this hybrid host the default charges CPU to v1's cpu controller; v2 is the unified
    hierarchy, where runc also places every container (cgroupfs driver)."""
    j = jvmtap_factory(*(["--cgroup.hierarchy=v2"] if hierarchy == "v2" else []))
    name = "gcw-%s-%s" % (runtime.name, hierarchy)
    c = runtime.start(name, ["-XX:+UseSerialGC", "-Xmx64m", "-cp", "/app", "GcWorkload",
                             "1.5", "30", "3", "1"], classes)
    try:
        check_jvm_in_container(j, runtime, c)
    finally:
        runtime.remove(c)


def test_container_gone_drops_its_info(jvmtap_factory, runtime, classes):
    """A removed container leaves jvmtap_container_info after the grace period (1 s here)."""
    j = jvmtap_factory("--container.grace-period=1s")
    c = runtime.start("gone-%s" % runtime.name, ["-Xmx16m", "-XX:+UseSerialGC", "-cp", "/app",
                                                 "GcWorkload", "0.1", "30", "0", "0"], classes)
    c.phase("done")
    it.wait_scrape(j, lambda s: select(s, "jvmtap_container_info", container_id=c.id), 20,
                   "the container's info", "jvmtap_container_info")
    runtime.remove(c)
    it.wait_scrape(j, lambda s: not select(s, "jvmtap_container_info", container_id=c.id), 30,
                   "the removed container's info gone", "jvmtap_container_info")


def test_socket_bytes_carry_the_containers_labels(jvmtap_factory, runtime, classes):
    """A JVM in the container (the node's network, to reach a peer on the host) sends 8 MiB to
    the tests' netpeer and reads its 1 MiB reply: its TCP bytes, under the container's labels,
    equal what it moved within 0.1 % (as tests/integration/test_jvm.py)."""
    j = jvmtap_factory()
    port = it.free_port()
    peer = os.path.join(os.path.dirname(it.__file__), "netpeer.py")
    srv = subprocess.Popen(["/usr/bin/python3", peer, "server", str(port), str(it.free_port()),
                            str(it.free_port()), "1", str(1 << 20)], stdout=subprocess.PIPE,
                           text=True)
    c = None
    try:
        assert json.loads(srv.stdout.readline())["ready"]
        c = runtime.start("net-%s" % runtime.name, ["-Xmx32m", "-cp", "/app", "NetClient",
                                                    "127.0.0.1", str(port), str(8 << 20), "30000"],
                          classes, host_net=True)
        done = c.phase("done")
        ids = labels_of(c)
        s = it.wait_scrape(j, lambda s: select(s, "jvmtap_jvm_network_bytes_total", pid=str(c.pid),
                                               direction="receive", protocol="tcp"), 20,
                           "the JVM's TCP bytes", "jvmtap_jvm_network_bytes_total")
        (la, tx), = select(s, "jvmtap_jvm_network_bytes_total", pid=str(c.pid),
                           direction="transmit", protocol="tcp")
        (lb, rx), = select(s, "jvmtap_jvm_network_bytes_total", pid=str(c.pid),
                           direction="receive", protocol="tcp")
        record("%s: jvm in container net: transmit %d vs %d, receive %d vs %d" % (
            runtime.name, tx, done["sent"], rx, done["received"]))
        for l in (la, lb):
            assert {k: l[k] for k in ids} == ids, l
        assert abs(tx - done["sent"]) <= 0.001 * done["sent"]
        assert abs(rx - done["received"]) <= 0.001 * done["received"]
    finally:
        srv.kill()
        srv.wait()
        if c:
            runtime.remove(c)
