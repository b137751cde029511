"""OpenMetrics 1.0.0 by content negotiation: a real Prometheus (Debian's 2.42) scrapes jvmtap once
as it negotiates by itself (it asks for OpenMetrics first) and once with the Accept header of a
text-only scraper, each through a recording proxy that shows the request's Accept and the
response's Content-Type; both scrapes are healthy and hold the same series. The pages themselves:
the text page is promtool-clean, the OpenMetrics page parses with prometheus_client's strict
OpenMetrics parser (promtool 2.42 reads the text format only), and both hold the same samples."""
import gzip
import http.server
import json
import shutil
import subprocess
import threading
import time
import urllib.parse
import urllib.request

import pytest

from conftest import Prometheus, parse

PROMETHEUS = shutil.which("prometheus")
try:
    from prometheus_client.openmetrics.parser import text_string_to_metric_families as om_parse
except ImportError:  # python3-prometheus-client (make deps)
    om_parse = None

# What Prometheus 2.42 sends (scrape/scrape.go), and what a text-only scraper sends.
PROM_ACCEPT = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
               "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
TEXT_ACCEPT = "text/plain;version=0.0.4;q=1,*/*;q=0.1"
OM_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8"
TEXT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Proxy:
    """Forwards GETs to jvmtap, keeping every header but Accept when accept is given (then sent
    instead); records each exchange: the Accept received and sent, the answer's headers, the
    page (gunzipped)."""

    def __init__(self, upstream, accept=None):
        self.seen = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "connection")}
                got = self.headers.get("Accept")
                if accept is not None:
                    headers = {k: v for k, v in headers.items() if k.lower() != "accept"}
                    headers["Accept"] = accept
                req = urllib.request.Request(upstream + self.path, headers=headers)
                with urllib.request.urlopen(req, timeout=10) as r:
                    status, rh, body = r.status, dict(r.headers), r.read()
                page = gzip.decompress(body) if rh.get("Content-Encoding") == "gzip" else body
                proxy.seen.append(dict(accept_in=got, accept_out=headers.get("Accept"),
                                       headers=rh, page=page.decode()))
                self.send_response(status)
                for k, v in rh.items():
                    if k.lower() not in ("connection", "date", "transfer-encoding"):
                        self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def api(prom, path, **params):
    url = "%s/api/v1/%s?%s" % (prom.url, path, urllib.parse.urlencode(params))
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            body = json.load(r)
    except OSError:
        return None
    assert body["status"] == "success", body
    return body["data"]


def target(prom):
    data = api(prom, "targets")
    active = data["activeTargets"] if data else []
    return active[0] if active else None


def names(prom):
    return {r["metric"]["__name__"] for r in prom.query('count by (__name__) ({job="jvmtap"})')}


def series_keys(page):
    """(name, labels) of every sample line: the values differ between two renders."""
    samples, _ = parse(page)
    return sorted((n, tuple(sorted(l.items()))) for n, l, _ in samples)


@pytest.mark.skipif(PROMETHEUS is None, reason="prometheus not installed (make deps)")
def test_prometheus_scrapes_openmetrics_and_text(jvmtap_factory, tmp_path):
    j = jvmtap_factory()
    om_proxy, text_proxy = Proxy(j.url), Proxy(j.url, accept=TEXT_ACCEPT)
    rules = tmp_path / "empty.rules.yml"
    rules.write_text("groups: []\n")
    proms = {}
    try:
        for kind, proxy in (("om", om_proxy), ("text", text_proxy)):
            d = tmp_path / kind
            d.mkdir()
            proms[kind] = Prometheus(str(d), "127.0.0.1:%d" % proxy.port, str(rules),
                                     "openmetrics-%s" % kind)
        # Healthy, at least 3 scrapes each, and the build info queryable.
        deadline = time.time() + 60
        while time.time() < deadline:
            ok = all((t := target(p)) and t["health"] == "up" and
                     p.query('jvmtap_build_info{job="jvmtap"}') for p in proms.values())
            if ok and len(om_proxy.seen) >= 3 and len(text_proxy.seen) >= 3:
                break
            time.sleep(1)
        for kind, p in proms.items():
            t = target(p)
            assert t and t["health"] == "up" and t["lastError"] == "", \
                (kind, t, open(p.log.name).read()[-2000:])
            assert p.query('jvmtap_build_info{job="jvmtap"}'), kind
            assert p.query('rate(process_cpu_seconds_total{job="jvmtap"}[5s])'), kind

        # What went over the wire: Prometheus asked for OpenMetrics first and got it, gzipped;
        # the text-only Accept got the text format.
        for s in om_proxy.seen:
            assert s["accept_in"] == PROM_ACCEPT, s["accept_in"]
            assert s["headers"]["Content-Type"] == OM_TYPE
            assert s["headers"].get("Content-Encoding") == "gzip"
            assert s["headers"]["Vary"] == "Accept, Accept-Encoding"
            assert s["page"].endswith("\n# EOF\n")
        for s in text_proxy.seen:
            assert s["accept_in"] == PROM_ACCEPT and s["accept_out"] == TEXT_ACCEPT
            assert s["headers"]["Content-Type"] == TEXT_TYPE
            assert s["headers"].get("Content-Encoding") == "gzip"
            assert "# EOF" not in s["page"] and "# UNIT" not in s["page"]

        # The same series names arrived by both formats.
        om_names, text_names = names(proms["om"]), names(proms["text"])
        assert om_names == text_names, om_names ^ text_names
        assert {"jvmtap_container_cpu_seconds_total", "process_cpu_seconds_total",
                "jvmtap_scrape_collector_duration_seconds"} <= om_names

        # Prometheus read the metadata as OpenMetrics: the counter's family without _total, with
        # its unit; from the text format, the sample name and no unit.
        def meta(p, metric):
            return api(p, "targets/metadata", match_target='{job="jvmtap"}', metric=metric) or []
        om_meta = meta(proms["om"], "process_cpu_seconds")
        assert om_meta and om_meta[0]["type"] == "counter" and om_meta[0]["unit"] == "seconds", om_meta
        assert not meta(proms["om"], "process_cpu_seconds_total")
        text_meta = meta(proms["text"], "process_cpu_seconds_total")
        assert text_meta and text_meta[0]["type"] == "counter" and text_meta[0]["unit"] == "", text_meta
        gauge = meta(proms["om"], "jvmtap_build_info")
        assert gauge and gauge[0]["type"] == "gauge", gauge
    finally:
        for p in proms.values():
            p.stop()
        om_proxy.stop()
        text_proxy.stop()


def test_pages_are_valid_in_both_formats(jvmtap_factory, tmp_path):
    j = jvmtap_factory()
    status, th, text = j.get("/metrics", {"Accept": TEXT_ACCEPT})
    status2, oh, om = j.get("/metrics", {"Accept": PROM_ACCEPT})
    assert status == status2 == 200
    assert th["Content-Type"] == TEXT_TYPE and oh["Content-Type"] == OM_TYPE
    text, om = text.decode(), om.decode()

    # promtool lints the text page clean.
    p = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
    assert p.returncode == 0 and not p.stdout.strip() and not p.stderr.strip(), p.stdout + p.stderr
    # promtool 2.42 reads the text format only: OpenMetrics' escaped quote in # HELP is an
    # "invalid escape sequence" to it. Recorded here, so a promtool that learns OpenMetrics shows.
    p = subprocess.run(["promtool", "check", "metrics"], input=om, capture_output=True, text=True)
    (tmp_path / "promtool-om.txt").write_text(p.stdout + p.stderr)

    # The OpenMetrics page passes a strict OpenMetrics parser (# EOF, metadata before samples,
    # suffixes by type, units as name suffixes, no NaN or negative totals, grouping).
    if om_parse is None:
        pytest.skip("python3-prometheus-client not installed (make deps)")
    fams = {f.name: f for f in om_parse(om)}
    assert fams["jvmtap_container_cpu_seconds"].type == "counter"
    assert fams["jvmtap_container_cpu_seconds"].unit == "seconds"
    assert fams["process_resident_memory_bytes"].unit == "bytes"
    assert fams["jvmtap_build_info"].type == "gauge"
    assert all(f.type != "unknown" for f in fams.values()), \
        [f.name for f in fams.values() if f.type == "unknown"]
    # Every counter in docs is a counter, every unit-suffixed family has its unit.
    for f in fams.values():
        for unit in ("seconds", "bytes"):
            if f.name.endswith("_" + unit):
                assert f.unit == unit, f.name
    # Both pages hold the same series, in the same order; only the # lines differ.
    assert series_keys(text) == series_keys(om)
    assert [l for l in om.splitlines() if l.startswith("# UNIT ")]
    assert om.endswith("\n# EOF\n") and om.count("# EOF") == 1


def test_negotiation_gzip_head_and_render_cache(jvmtap_factory):
    # One render per format per 30 s: each format has its own cached page.
    j = jvmtap_factory("--web.render-interval=30s")
    _, h1, t1 = j.get("/metrics")
    _, h2, o1 = j.get("/metrics", {"Accept": "application/openmetrics-text; version=1.0.0"})
    _, h3, t2 = j.get("/metrics", {"Accept": "*/*"})
    _, h4, o2 = j.get("/metrics", {"Accept": PROM_ACCEPT, "Accept-Encoding": "gzip"})
    assert h1["Content-Type"] == h3["Content-Type"] == TEXT_TYPE
    assert h2["Content-Type"] == h4["Content-Type"] == OM_TYPE
    assert t1 == t2 and b"# EOF" not in t1
    assert h4["Content-Encoding"] == "gzip" and gzip.decompress(o2) == o1
    assert o1.endswith(b"\n# EOF\n")
    # q=0 for OpenMetrics, a version we do not speak, a malformed header: text.
    for accept in ("application/openmetrics-text;version=1.0.0;q=0,*/*;q=0.1",
                   "application/openmetrics-text;version=0.0.1", "application/openmetrics-text;q=x"):
        _, h, b = j.get("/metrics", {"Accept": accept})
        assert h["Content-Type"] == TEXT_TYPE and b == t1, accept
    status, h, b = j.get("/metrics", {"Accept": PROM_ACCEPT}, method="HEAD")
    assert status == 200 and h["Content-Type"] == OM_TYPE and b == b""
