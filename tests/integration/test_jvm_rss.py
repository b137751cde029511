"""Each JVM's resident memory and open file descriptors against /proc/PID/status VmRSS,
/proc/PID/smaps_rollup Rss and the entries of /proc/PID/fd, read by the test around the scrape."""
import os
import re
import subprocess
import time

import pytest

from conftest import ROOT, crash_file, record, select

MiB = 1 << 20


@pytest.fixture(scope="module")
def memhog(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("java"))
    subprocess.run(["javac", "-d", out, os.path.join(ROOT, "tests", "integration", "java", "MemHog.java")],
                   check=True)
    return out


def read(path):
    with open(path) as f:
        return f.read()


def wait_for(fn, timeout=10, step=0.2):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() > deadline:
            return v
        time.sleep(step)


def jvm_listed(j, pid):
    return select(j.scrape(), "jvmtap_jvm_info", pid=str(pid))


def status_rss(pid):
    return keyed_colon("/proc/%d/status" % pid, "VmRSS") * 1024


def rollup_rss(pid):
    return keyed_colon("/proc/%d/smaps_rollup" % pid, "Rss") * 1024


def keyed_colon(path, key):
    for line in read(path).splitlines():
        m = re.match(r"^%s:\s+(\d+) kB$" % key, line)
        if m:
            return int(m.group(1))
    raise AssertionError("no %s in %s" % (key, path))


def nfds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def test_jvm_resident_memory_and_fds(jvmtap_factory, tmp_path, memhog):
    """An idle JVM holding 200 extra fds: its RSS lies between /proc/PID/status VmRSS read just
    before and after the scrape (no tolerance: the same counter), and within 2 % or 2 MiB of
    smaps_rollup's Rss (the page-table walk: the same pages counted another way, read apart in
    time); its fds equal the entries of /proc/PID/fd read around the scrape."""
    j = jvmtap_factory()
    p = subprocess.Popen(["java", "-Xmx64m", "-XX:+UseSerialGC", crash_file(tmp_path), "-cp", memhog,
                          "MemHog", "200"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert '"ready"' in p.stdout.readline()
        assert wait_for(lambda: jvm_listed(j, p.pid))
        time.sleep(1.0)  # past the JIT's first burst
        worst = 0
        for _ in range(5):
            rb, fb = status_rss(p.pid), nfds(p.pid)
            s = j.scrape()
            ra, fa, roll = status_rss(p.pid), nfds(p.pid), rollup_rss(p.pid)
            (_, rss), = select(s, "jvmtap_jvm_resident_memory_bytes", pid=str(p.pid))
            (_, fds), = select(s, "jvmtap_jvm_open_fds", pid=str(p.pid))
            assert min(rb, ra) <= rss <= max(rb, ra), (rb, rss, ra)
            assert abs(rss - roll) <= max(0.02 * roll, 2 * MiB), (rss, roll)
            assert min(fb, fa) <= fds <= max(fb, fa), (fb, fds, fa)
            assert fds >= 200
            worst = max(worst, abs(rss - roll))
            time.sleep(0.3)
        record("jvm rss: %.1f MiB (VmRSS), smaps_rollup Rss within %.0f KiB over 5 scrapes; fds %d (ls /proc/PID/fd %d)"
               % (rss / MiB, worst / 1024, fds, fa))
    finally:
        p.kill()
        p.wait()
