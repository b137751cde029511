"""Socket throughput against the bytes the test programs themselves moved: two emulated
containers (own cgroups, own network namespaces joined by a veth pair) exchange TCP over IPv4
and IPv6, and UDP; MSG_PEEK, failed sends and a unix socket stream must add nothing."""
import json
import os
import subprocess
import time
import uuid

import pytest

from conftest import record, select, value

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "netpeer.py")
TOL = 0.001  # 0.1%, as the issue states


def sh(*cmd):
    subprocess.run(cmd, check=True)


@pytest.fixture
def netns_pair():
    tag = uuid.uuid4().hex[:6]
    a, b = "jta" + tag, "jtb" + tag
    sh("ip", "netns", "add", a)
    sh("ip", "netns", "add", b)
    try:
        sh("ip", "link", "add", "va" + tag, "type", "veth", "peer", "name", "vb" + tag)
        sh("ip", "link", "set", "va" + tag, "netns", a)
        sh("ip", "link", "set", "vb" + tag, "netns", b)
        for ns, dev, v4, v6 in ((a, "va" + tag, "10.213.0.1/24", "fd00:213::1/64"),
                                (b, "vb" + tag, "10.213.0.2/24", "fd00:213::2/64")):
            sh("ip", "-n", ns, "addr", "add", v4, "dev", dev)
            sh("ip", "-n", ns, "addr", "add", v6, "dev", dev, "nodad")
            sh("ip", "-n", ns, "link", "set", dev, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        yield a, b
    finally:
        subprocess.run(["ip", "netns", "del", a])
        subprocess.run(["ip", "netns", "del", b])


def net(s, cg, direction, proto):
    found = select(s, "jvmtap_container_network_bytes_total", container_id="/" + cg.rel,
                   direction=direction, protocol=proto)
    return found[0][1] if found else 0.0


def port(s, cg, direction, p):
    found = select(s, "jvmtap_container_tcp_port_bytes_total", container_id="/" + cg.rel,
                   direction=direction, port=str(p))
    return found[0][1] if found else 0.0


def check(got, want, what):
    record("net %s: jvmtap %d vs program %d" % (what, got, want))
    assert abs(got - want) <= TOL * want, "%s: jvmtap %d, program %d" % (what, got, want)


@pytest.mark.parametrize("mode,ports", [("tp_btf", 32), ("tracepoint", 32), ("tp_btf", 0)])
def test_bytes_match_what_programs_sent(jvmtap_factory, cgroups, netns_pair, mode, ports):
    """Each container's bytes against its programs' own counts; with ports, the service port
    series too. --net.max-ports-per-container=0 keeps the container totals exact with no port
    work at all: no port series, no side program, an empty port map of one key."""
    a_ns, b_ns = netns_pair
    j = jvmtap_factory("--cgroup.hierarchy=v2", "--net.attach-mode=" + mode, "--strict",
                       "--net.max-ports-per-container=%d" % ports)
    ca, cb = cgroups(), cgroups()
    srv = cb.spawn(["ip", "netns", "exec", b_ns, "/usr/bin/python3", PEER, "server", "9092",
                    "9093", "9094", "6", str(1 << 20)], stdout=subprocess.PIPE, text=True)
    assert json.loads(srv.stdout.readline())["ready"]
    cli = ca.spawn(["ip", "netns", "exec", a_ns, "/usr/bin/python3", PEER, "client",
                    "10.213.0.2", "fd00:213::2", "9092", "9093", "9094", "6", str(10 << 20),
                    "2000"], stdout=subprocess.PIPE, text=True)
    c = json.loads(cli.stdout.readline())
    sv = json.loads(srv.stdout.readline())
    cli.wait(), srv.wait()
    assert c["tx_tcp"] >= 60 << 20 and sv["peeked"] > 0
    s = j.scrape()
    check(net(s, ca, "transmit", "tcp"), c["tx_tcp"], "client tcp transmit")
    check(net(s, ca, "receive", "tcp"), c["rx_tcp"], "client tcp receive")
    check(net(s, ca, "transmit", "udp"), c["tx_udp"], "client udp transmit")
    check(net(s, cb, "receive", "tcp"), sv["rx_tcp"], "server tcp receive (MSG_PEEK excluded)")
    check(net(s, cb, "transmit", "tcp"), sv["tx_tcp"], "server tcp transmit")
    check(net(s, cb, "receive", "udp"), sv["rx_udp"], "server udp receive")
    if not ports:
        assert not select(s, "jvmtap_container_tcp_port_bytes_total")
        assert not [l for l, _ in select(s, "jvmtap_bpf_program_attached")
                    if l["program"].startswith("net_side")]
        assert select(s, "jvmtap_bpf_program_attached", program="net_send_" + mode) == [
            ({"program": "net_send_" + mode, "mode": mode}, 1.0)]
        assert value(s, "jvmtap_bpf_map_entries", map="net_port_bytes") == 0
        # Nothing writes it: not the 16384 keys it would hold (tcp_side is not tracked).
        assert value(s, "jvmtap_bpf_map_max_entries", map="net_port_bytes") == 1
        return
    # Service ports: the client opened the connections (remote port), the server accepted them
    # (local port); IPv4 on 9092, IPv6 on 9093.
    for p in ("9092", "9093"):
        check(port(s, ca, "transmit", p), c["tx_tcp_by_port"][p], "client port %s" % p)
        check(port(s, cb, "receive", p), sv["rx_tcp_by_port"][p], "server port %s" % p)
    assert not select(s, "jvmtap_container_tcp_port_bytes_total", container_id="/" + ca.rel,
                      port="other")
    # Nothing from the unix socketpair: the only traffic is what the programs counted.
    assert net(s, ca, "receive", "udp") == 0


# n short connections to 40 loopback service ports, both ends in the caller's cgroup: 4 bytes
# each way per connection, so 8 transmitted and 8 received by the cgroup.
PING_PONG = r'''
import socket, sys, threading
ls = []
for i in range(40):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0)); s.listen(512); ls.append(s)
def serve(s):
    while True:
        c, _ = s.accept(); c.recv(16); c.send(b"pong"); c.close()
for s in ls:
    threading.Thread(target=serve, args=(s,), daemon=True).start()
for n in range(int(sys.argv[1])):
    c = socket.create_connection(ls[n % 40].getsockname())
    c.send(b"ping"); c.recv(16); c.close()
'''


def test_port_bound_and_20000_short_connections(jvmtap_factory, cgroups):
    """Loopback churn: 20 000 short connections to 40 service ports. Kernel maps stay bounded
    (keys are service ports, not connections), the per-container port series stay within
    --net.max-ports-per-container (the rest is "other"), and no counter goes backwards."""
    j = jvmtap_factory("--cgroup.hierarchy=v2", "--net.max-ports-per-container=8")
    cg = cgroups()
    p = cg.spawn(["/usr/bin/python3", "-c", PING_PONG, "20000"])
    prev = {}
    while p.poll() is None:
        for labels, v in select(j.scrape(), "jvmtap_container_tcp_port_bytes_total"):
            k = tuple(sorted(labels.items()))
            assert v >= prev.get(k, 0), "%s went down" % (k,)
            prev[k] = v
        time.sleep(0.5)
    assert p.returncode == 0
    s = j.scrape()
    series = select(s, "jvmtap_container_tcp_port_bytes_total", container_id="/" + cg.rel)
    ports = {l["port"] for l, _ in series}
    assert "other" in ports and len(ports - {"other"}) <= 8
    total = sum(v for l, v in series if l["direction"] == "transmit")
    assert total == net(s, cg, "transmit", "tcp") == 20000 * 8  # ping + pong, both sides here
    assert value(s, "jvmtap_bpf_map_entries", map="net_port_bytes") < 200
    assert value(s, "jvmtap_bpf_map_update_failures_total", map="net_port_bytes") == 0


def test_full_port_map_keeps_the_totals(jvmtap_factory, cgroups):
    """A TCP call's bytes go to its service port's key only, and a container's TCP total is
    summed from those keys. With the port map full (--bpf.max-entries=16: 80 keys wanted, 40
    ports both ways) the calls it cannot take go to the per-container map instead: the totals
    stay exact, the port series keep what the map holds, and the misses are counted."""
    j = jvmtap_factory("--cgroup.hierarchy=v2", "--bpf.max-entries=16")
    cg = cgroups()
    n = 2000
    p = cg.spawn(["/usr/bin/python3", "-c", PING_PONG, str(n)])
    assert p.wait(timeout=120) == 0
    s = j.scrape()
    failed = value(s, "jvmtap_bpf_map_update_failures_total", map="net_port_bytes")
    ports = select(s, "jvmtap_container_tcp_port_bytes_total", container_id="/" + cg.rel)
    record("net with a full port map (16 keys): %d port series, %d updates refused, totals "
           "%d / %d bytes" % (len(ports), failed, net(s, cg, "transmit", "tcp"),
                              net(s, cg, "receive", "tcp")))
    assert failed > 0 and value(s, "jvmtap_bpf_map_entries", map="net_port_bytes") <= 16
    assert net(s, cg, "transmit", "tcp") == net(s, cg, "receive", "tcp") == 8 * n
    assert 0 < sum(v for l, v in ports if l["direction"] == "transmit") < 8 * n


@pytest.mark.parametrize("mode", ["fexit", "kprobe"])
def test_unavailable_modes_are_reported(jvmtap_factory, mode):
    """fexit (EPERM here) and kprobes (not built in here) exist for other kernels; forcing them
    here reports the socket programs as not attached, the rest keeps working."""
    from conftest import free_port, run_jvmtap
    r = run_jvmtap("--net.attach-mode=" + mode, "--strict",
                   "--web.listen-address=127.0.0.1:%d" % free_port())
    assert r.returncode == 1 and "net: cannot attach socket programs" in r.stderr
    j = jvmtap_factory("--net.attach-mode=" + mode)
    s = j.scrape()
    assert value(s, "jvmtap_bpf_program_attached", program="net_send", mode=mode) == 0
    assert value(s, "jvmtap_bpf_program_attached", program="cpu_switch", mode="tp_btf") == 1
