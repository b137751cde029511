"""The HTTP exposition as Prometheus and a browser see it, checked with promtool."""
import gzip
import os
import socket
import subprocess
import time

import pytest

from conftest import ROOT, parse

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@pytest.fixture
def j(jvmtap_factory):
    return jvmtap_factory("--web.max-connections=8", "--web.timeout=2")


def test_promtool_check_metrics_clean(j):
    text = j.scrape_text()
    r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                       text=True)
    assert r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(), \
        "promtool: %s %s" % (r.stdout, r.stderr)


def test_every_family_has_help_and_type(j):
    text = j.scrape_text()
    helps = {l.split(" ")[2] for l in text.splitlines() if l.startswith("# HELP ")}
    samples, types = parse(text)
    assert helps == set(types)
    for name, _, _ in samples:
        fam = name
        for suffix in ("_bucket", "_sum", "_count"):
            if name.endswith(suffix) and name[:-len(suffix)] in types:
                fam = name[:-len(suffix)]
        assert fam in types, "%s has no TYPE" % name
    for required in ("jvmtap_build_info", "jvmtap_container_cpu_seconds_total",
                     "jvmtap_bpf_program_attached", "jvmtap_bpf_program_runs_total",
                     "jvmtap_bpf_program_run_seconds_total", "jvmtap_bpf_map_entries",
                     "jvmtap_bpf_map_max_entries", "jvmtap_bpf_map_update_failures_total",
                     "jvmtap_scrape_duration_seconds", "jvmtap_metadata_errors_total",
                     "process_cpu_seconds_total", "process_resident_memory_bytes",
                     "process_open_fds", "process_start_time_seconds"):
        assert required in types, required


def test_content_type_and_gzip(j):
    status, headers, plain = j.get("/metrics")
    assert status == 200 and headers["Content-Type"] == CONTENT_TYPE
    assert "Content-Encoding" not in headers
    status, headers, body = j.get("/metrics", {"Accept-Encoding": "br, gzip;q=0.8"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert headers["Content-Type"] == CONTENT_TYPE
    text = gzip.decompress(body).decode()
    assert text.startswith("# HELP ")
    status, headers, body = j.get("/metrics", {"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in headers and body.startswith(b"# HELP ")


def test_build_info_labels(j):
    samples, _ = parse(j.scrape_text())
    (labels, v), = [(l, v) for n, l, v in samples if n == "jvmtap_build_info"]
    assert v == 1
    assert labels["libbpf_version"].startswith("v1.")
    assert labels["kernel"] == subprocess.check_output(["uname", "-r"], text=True).strip()
    assert labels["version"]


def test_process_metrics_are_ours(j):
    samples, _ = parse(j.scrape_text())
    pid = j.proc.pid
    rss_kb = int([l for l in open("/proc/%d/status" % pid) if l.startswith("VmRSS:")][0].split()[1])
    (rss,) = [v for n, _, v in samples if n == "process_resident_memory_bytes"]
    assert abs(rss - rss_kb * 1024) < 4 << 20
    import os
    nfds = len(os.listdir("/proc/%d/fd" % pid))
    (fds,) = [v for n, _, v in samples if n == "process_open_fds"]
    assert abs(fds - nfds) <= 2


def test_landing_health_ready_and_404(j):
    status, headers, body = j.get("/")
    assert status == 200 and b'href="/metrics"' in body and headers["Content-Type"].startswith("text/html")
    assert j.get("/-/healthy")[0] == 200
    assert j.get("/-/ready")[0] == 200
    assert j.get("/nope")[0] == 404


def test_head_and_methods(j):
    status, headers, body = j.get("/metrics", method="HEAD")
    assert status == 200 and body == b"" and headers["Content-Type"] == CONTENT_TYPE
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        status, headers, _ = j.get("/metrics", method=method)
        assert status == 405, method
        assert headers["Allow"] == "GET, HEAD"


def test_connection_limit_and_idle_timeout(j):
    """--web.max-connections=8, --web.timeout=2: with 8 idle connections held, a scrape waits
    (the limit holds) until the server closes the idle ones (the timeout works), then succeeds."""
    held = [socket.create_connection(("127.0.0.1", j.port), timeout=5) for _ in range(8)]
    time.sleep(0.3)
    t0 = time.time()
    status = j.get("/metrics")[0]
    waited = time.time() - t0
    assert status == 200
    assert 1.0 <= waited <= 6.0, "scrape answered after %.2fs" % waited
    for s in held:
        s.settimeout(1)
        try:
            assert s.recv(1) == b"", "idle connection not closed by the server"
        except ConnectionResetError:
            pass
        s.close()
    t0 = time.time()
    assert j.get("/metrics")[0] == 200
    assert time.time() - t0 < 1.0


def test_oversized_request_rejected(j):
    s = socket.create_connection(("127.0.0.1", j.port), timeout=5)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n")
    reply = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    except (ConnectionResetError, BrokenPipeError):
        pass
    s.close()
    assert not reply.startswith(b"HTTP/1.1 200"), reply[:80]
    assert j.get("/metrics")[0] == 200


def test_golden_pages_pass_promtool():
    """The pages the unit tests' golden files pin (tests/unit/golden/) are clean for promtool
    too: what the writer promises, checked by Prometheus' own linter."""
    golden = os.path.join(ROOT, "tests", "unit", "golden")
    pages = sorted(f for f in os.listdir(golden) if f.endswith(".prom"))
    assert pages
    for f in pages:
        with open(os.path.join(golden, f)) as fp:
            r = subprocess.run(["promtool", "check", "metrics"], stdin=fp, capture_output=True,
                               text=True)
        assert r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(), \
            "%s: %s %s" % (f, r.stdout, r.stderr)
