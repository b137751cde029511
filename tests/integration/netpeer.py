"""Test peer for jvmtap's socket accounting: counts every byte its sockets really moved (the
oracle) and prints the totals as JSON.

server PORT4 PORT6 UDPPORT CONNS REPLY   accept CONNS TCP connections (v4 and v6), MSG_PEEK
                                          first, read to EOF, send REPLY bytes back; count UDP
                                          datagrams until b"STOP"
client HOST4 HOST6 PORT4 PORT6 UDPPORT CONNS BYTES DGRAMS
"""
import json
import select
import socket
import sys
import threading


def server(port4, port6, udpport, conns, reply):
    s4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for s, addr in ((s4, ("0.0.0.0", port4)), (s6, ("::", port6))):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(addr)
        s.listen(16)
    u.bind(("0.0.0.0", udpport))
    print(json.dumps({"ready": True}), flush=True)
    out = {"rx_tcp": 0, "tx_tcp": 0, "rx_udp": 0, "peeked": 0, "rx_tcp_by_port": {}}
    done, udp_done = 0, False
    while done < conns or not udp_done:
        r, _, _ = select.select([s4, s6] + ([] if udp_done else [u]), [], [], 30)
        if not r:
            raise SystemExit("server timed out")
        for s in r:
            if s is u:
                data = u.recv(65536)
                out["rx_udp"] += len(data)
                udp_done = data == b"STOP"
                continue
            c, _ = s.accept()
            port = str(s.getsockname()[1])
            out["peeked"] += len(c.recv(100, socket.MSG_PEEK))  # counted by nobody
            while True:
                data = c.recv(1 << 16)
                if not data:
                    break
                out["rx_tcp"] += len(data)
                out["rx_tcp_by_port"][port] = out["rx_tcp_by_port"].get(port, 0) + len(data)
            left = reply
            while left:
                left -= c.send(b"r" * min(left, 1 << 16))
            out["tx_tcp"] += reply
            c.close()
            done += 1
    print(json.dumps(out), flush=True)


def client(host4, host6, port4, port6, udpport, conns, nbytes, dgrams):
    out = {"tx_tcp": 0, "rx_tcp": 0, "tx_udp": 0, "tx_tcp_by_port": {}}
    chunk = b"x" * (1 << 16)
    for i in range(conns):
        fam, addr = (socket.AF_INET, (host4, port4)) if i % 2 == 0 else (socket.AF_INET6, (host6, port6))
        c = socket.socket(fam, socket.SOCK_STREAM)
        c.connect(addr)
        left = nbytes
        while left:
            n = c.send(chunk[:min(left, len(chunk))])
            left -= n
            out["tx_tcp"] += n
        key = str(addr[1])
        out["tx_tcp_by_port"][key] = out["tx_tcp_by_port"].get(key, 0) + nbytes
        c.shutdown(socket.SHUT_WR)
        while True:
            data = c.recv(1 << 16)
            if not data:
                break
            out["rx_tcp"] += len(data)
        # A send on a connection the peer closed fails (EPIPE/ECONNRESET): it counts nothing.
        for _ in range(3):
            try:
                out["tx_tcp"] += c.send(b"late")
            except OSError:
                break
        c.close()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(dgrams):
        out["tx_udp"] += u.sendto(b"d" * 1000, (host4, udpport))
    out["tx_udp"] += u.sendto(b"STOP", (host4, udpport))
    # Unix sockets are not TCP/UDP: a stream over a socketpair adds nothing.
    a, b = socket.socketpair()
    reader = threading.Thread(target=lambda: [None for _ in iter(lambda: b.recv(1 << 16), b"")])
    reader.start()
    a.sendall(b"u" * (1 << 20))
    a.close()
    reader.join()
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(*map(int, sys.argv[2:7]))
    else:
        client(sys.argv[2], sys.argv[3], *map(int, sys.argv[4:10]))
