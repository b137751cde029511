"""The Flink collector against a hostile JobManager: a JVM with Flink's session entry point as
its main class (so jvmtap takes it for a JobManager) that serves slow, endless, huge, malformed
or overlong answers. Each poll ends within its timeouts and size cap, the failure is counted by
reason, the caps hold, and the collector keeps serving fast with bounded memory. The real
JobManagers of Flink 1.20 and 2.x are in tests/flink/test_flink.py."""
import json
import subprocess
import time

import pytest

from conftest import BIN, crash_file, select, value
from test_jvm import classes, data_dir, jvm_series  # noqa: F401 (fixtures)

MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint"
SANITIZED = "/asan/" in BIN


def refreshes(s):
    return sum(v for _, v in select(s, "jvmtap_refreshes_total", worker="flink_rest"))


@pytest.mark.parametrize("mode,reason", [
    ("slow", "timeout"),        # every answer but /config drips a byte per 100 ms
    ("endless", "too_large"),   # a 200 whose body never ends
    ("malformed", "json"),      # broken JSON
    ("noconfig", "no_endpoint"),  # not even /config answers: no REST endpoint found
    ("many", "http"),           # 10 000 jobs: 64 kept, the rest counted; their details 404
])
def test_hostile_jobmanager(jvmtap_factory, classes, tmp_path, mode, reason):
    # 1 MiB caps the endless answer; the 10 000 jobs (1.1 MB) fit the default 4 MiB.
    cap = () if mode == "many" else ("--flink.max-response=1048576",)
    j = jvmtap_factory("--flink.poll-interval=1s", "--flink.timeout=500ms", *cap)
    p = subprocess.Popen(["java", "-Xmx64m", crash_file(tmp_path), "-cp", classes, MAIN, mode],
                         stdout=subprocess.PIPE, text=True)
    try:
        port = json.loads(p.stdout.readline())["port"]
        deadline = time.time() + 20
        while True:
            s = j.scrape()
            info = jvm_series(s, "jvmtap_jvm_info", p.pid)
            if info and refreshes(s) >= 4:
                break
            assert time.time() < deadline, "no JobManager polled: %r" % info
            time.sleep(0.3)
        assert info[0][0]["flink_role"] == "jobmanager"
        errs = {l["reason"]: v for l, v in select(s, "jvmtap_flink_rest_errors_total")}
        assert errs[reason] > 0, errs
        # Bounded time: a poll is a few requests of at most 500 ms each (discovery tries one
        # port here), and scrapes never wait for it.
        dur = value(s, "jvmtap_refresh_duration_seconds", collector="flink", worker="flink_rest")
        assert dur < 3.0, dur
        t = time.time()
        s = j.scrape()
        assert time.time() - t < 0.5
        # (ASan's shadow memory and quarantine make RSS meaningless under make sanitize)
        if not SANITIZED:
            assert value(s, "process_resident_memory_bytes") < 64 << 20
        (l, _), = select(s, "jvmtap_flink_jobmanager_info", pid=str(p.pid))
        assert l["rest_port"] == ("" if mode == "noconfig" else str(port)), l
        if mode == "many":
            assert len(select(s, "jvmtap_flink_job_info")) == 64
            assert value(s, "jvmtap_flink_rest_dropped_total", what="jobs") >= 10000 - 64
            assert value(s, "jvmtap_flink_jobs", state="running") == 10000
        else:
            assert not select(s, "jvmtap_flink_job_info")
        # Success: every JobManager's /overview was read (in "many" it was; its job details 404).
        assert value(s, "jvmtap_scrape_collector_success", collector="flink") == (mode == "many")
        # The JVM collector is untouched by it.
        assert value(s, "jvmtap_scrape_collector_success", collector="jvm") == 1
    finally:
        p.kill()
        p.wait()
