"""A real Prometheus (Debian's prometheus package) scrapes jvmtap on loopback and can query a
container's CPU rate: the exposition is accepted by the consumer it is made for."""
import json
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from conftest import busy, free_port

PROMETHEUS = shutil.which("prometheus")


def query(port, expr):
    url = "http://127.0.0.1:%d/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": expr}))
    with urllib.request.urlopen(url, timeout=5) as r:
        body = json.load(r)
    assert body["status"] == "success", body
    return body["data"]["result"]


@pytest.mark.skipif(PROMETHEUS is None, reason="prometheus not installed (make deps)")
def test_prometheus_scrapes_and_queries(jvmtap_factory, cgroups, tmp_path):
    j = jvmtap_factory("--cgroup.hierarchy=v2")
    cg = cgroups()
    cg.spawn(busy(20))
    port = free_port()
    cfgfile = tmp_path / "prometheus.yml"
    cfgfile.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n  - job_name: jvmtap\n    static_configs:\n"
        "      - targets: ['127.0.0.1:%d']\n" % j.port)
    subprocess.run(["promtool", "check", "config", str(cfgfile)], check=True, capture_output=True)
    log = open(tmp_path / "prometheus.log", "w")
    p = subprocess.Popen([PROMETHEUS, "--config.file=%s" % cfgfile,
                          "--storage.tsdb.path=%s" % (tmp_path / "data"),
                          "--web.listen-address=127.0.0.1:%d" % port],
                         stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 40
        rate = []
        while time.time() < deadline:
            try:
                up = query(port, 'up{job="jvmtap"}')
                rate = query(port, 'rate(jvmtap_container_cpu_seconds_total{container_id="/%s"}[5s])' % cg.rel)
                if up and up[0]["value"][1] == "1" and rate and \
                        0.9 <= float(rate[0]["value"][1]) <= 1.1:
                    break
            except OSError:
                pass
            time.sleep(1)
        assert up and up[0]["value"][1] == "1", open(tmp_path / "prometheus.log").read()[-2000:]
        assert rate, "no rate for the busy cgroup"
        # One busy thread: once the window is full, the rate is 1 CPU (10%: scrape jitter).
        assert 0.9 <= float(rate[0]["value"][1]) <= 1.1, rate
        samples = query(port, 'scrape_samples_scraped{job="jvmtap"}')
        assert float(samples[0]["value"][1]) > 10
    finally:
        p.terminate()
        p.wait(20)
        log.close()
