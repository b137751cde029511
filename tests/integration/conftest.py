"""Shared fixtures for jvmtap's integration tests: run the real binary as root against the real
kernel, make test cgroups, scrape and parse /metrics."""
import errno
import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import uuid

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# JVMTAP_BIN runs the tests against another build of the collector (`make sanitize`: build/asan).
BIN = os.path.abspath(os.environ.get("JVMTAP_BIN") or os.path.join(ROOT, "jvmtap"))
BUILD = os.path.join(ROOT, "build")
CG2 = "/sys/fs/cgroup/unified" if os.path.ismount("/sys/fs/cgroup/unified") else "/sys/fs/cgroup"
CG1_CPU = "/sys/fs/cgroup/cpu"
CG1_CPUACCT = "/sys/fs/cgroup/cpuacct"


def record(line):
    """Appends a measured number to build/measurements.txt (quoted in docs and closing notes)."""
    with open(os.path.join(BUILD, "measurements.txt"), "a") as f:
        f.write(line + "\n")


def crash_file(tmp):
    """The flag every test JVM gets: its crash log (hs_err) goes to the test's temp dir, not the
    working directory (the fault tests truncate hsperfdata under running JVMs)."""
    return "-XX:ErrorFile=%s" % os.path.join(str(tmp), "hs_err_pid%p.log")


def java_major():
    """The feature version of the `java` on PATH (17, 25): the JVM tests run on both."""
    out = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    return re.search(r'version "(\d+)', out).group(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- exposition parsing -------------------------------------------------------------------

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def _unescape(v):
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "\\": "\\", '"': '"'}.get(m.group(1), m.group(0)), v)


def parse(text):
    """Returns (samples, families): samples is a list of (name, {labels}, value); families maps
    a family name to its TYPE."""
    samples, families = [], {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ", 3)
            families[name] = typ
            continue
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        assert m, "unparseable line: %r" % line
        labels = {k: _unescape(v) for k, v in _LABEL.findall(m.group(3) or "")}
        samples.append((m.group(1), labels, float(m.group(4))))
    return samples, families


def select(samples, name, **labels):
    return [(l, v) for n, l, v in samples if n == name and all(l.get(k) == x for k, x in labels.items())]


def value(samples, name, **labels):
    found = select(samples, name, **labels)
    assert len(found) == 1, "%s%s: expected one series, got %r" % (name, labels, found)
    return found[0][1]


# ---- the collector -------------------------------------------------------------------------

# The first line of an ASan, LSan or UBSan report (`make sanitize`). The normal build never prints
# them; a sanitized collector that printed one fails its test even if it kept serving or exited 0.
_SANITIZER = re.compile(r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|LeakSanitizer has encountered"
                        r"|runtime error:|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer")


def sanitizer_report(text):
    """The sanitizer report in a collector's output from its first line on, or None."""
    m = _SANITIZER.search(text or "")
    if not m:
        return None
    return text[text.rfind("\n", 0, m.start()) + 1:]


def terminate(proc):
    """SIGTERM, then SIGKILL after 10 s; a process already gone is left as it is."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Jvmtap:
    def __init__(self, args=(), env=None, wrapper=(), binary=None):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = open(os.path.join(BUILD, "jvmtap-test-%d.log" % self.port), "w+")
        self.proc = subprocess.Popen(
            list(wrapper) + [binary or BIN, "--web.listen-address=127.0.0.1:%d" % self.port] +
            list(args),
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.wait_ready()

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("jvmtap exited %d:\n%s" % (self.proc.returncode, self.output()))
            try:
                if self.get("/-/ready")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("jvmtap not ready in %ds:\n%s" % (timeout, self.output()))

    def get(self, path, headers=None, method="GET"):
        req = urllib.request.Request(self.url + path, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def scrape_text(self):
        status, headers, body = self.get("/metrics", {"Accept-Encoding": "gzip"})
        assert status == 200
        if headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return body.decode()

    def scrape(self):
        return parse(self.scrape_text())[0]

    def refreshes(self, collector, samples=None):
        """How many refreshes of collector's workers succeeded (jvmtap_refreshes_total)."""
        return sum(v for l, v in select(samples or self.scrape(), "jvmtap_refreshes_total",
                                        collector=collector, result="ok"))

    def scrape_fresh(self, collector, timeout=10):
        """A scrape whose reading of collector's refresh worker began after this call: the
        count of refreshes done is read, and the scrape waits for two more (the first may have
        begun before the call). An oracle read just before this call and one just after it
        then bracket what the scrape shows, as they would a read done at scrape."""
        n, deadline = self.refreshes(collector), time.time() + timeout
        while True:
            s = self.scrape()
            if self.refreshes(collector, s) >= n + 2:
                return s
            assert time.time() < deadline, "no two %s refreshes in %ss" % (collector, timeout)
            time.sleep(0.05)

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        terminate(self.proc)
        self.log.close()
        return self.proc.returncode


def wait_scrape(j, cond, timeout=20, what="the awaited series", show="jvmtap_"):
    """The first scrape of j for which cond(samples) holds, polled every 0.5 s (the pollers run
    every second). After timeout seconds the test fails naming what, with the last scrape's
    series whose names start with show (a prefix or a tuple of them)."""
    deadline = time.time() + timeout
    while True:
        s = j.scrape()
        if cond(s):
            return s
        assert time.time() < deadline, "jvmtap never showed %s in %ss; its %s* series were:\n%s" % (
            what, timeout, "*, ".join((show,) if isinstance(show, str) else show),
            "\n".join("%s %r %s" % x for x in s if x[0].startswith(show)))
        time.sleep(0.5)


@pytest.fixture(scope="session", autouse=True)
def tracefs():
    """The classic-tracepoint attach mode needs tracefs; test hosts may boot without it."""
    if not os.path.exists("/sys/kernel/tracing/events"):
        subprocess.run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"], check=True)


@pytest.fixture
def jvmtap_factory():
    started = []

    def start(*args, env=None, wrapper=()):
        j = Jvmtap(args, env=env, wrapper=wrapper)
        started.append(j)
        return j

    yield start
    # All stopped before any is judged: a sanitized collector checks for leaks as it exits.
    done = [(j.stop(), open(j.log.name).read()) for j in started]
    for rc, out in done:
        report = sanitizer_report(out)
        assert not report, "jvmtap (%s) printed a sanitizer report:\n%s" % (BIN, report)
        assert rc == 0, "jvmtap exited %s on SIGTERM:\n%s" % (rc, out)


def run_jvmtap(*args, timeout=20, wrapper=(), **kw):
    """Runs jvmtap to completion (for startup errors); returns CompletedProcess."""
    p = subprocess.run(list(wrapper) + [BIN] + list(args), capture_output=True, text=True,
                       timeout=timeout, **kw)
    report = sanitizer_report(p.stderr)
    assert not report, "jvmtap (%s) printed a sanitizer report:\n%s" % (BIN, report)
    return p


# ---- cgroups ---------------------------------------------------------------------------------

class Cgroup:
    """A cgroup made for a test; processes moved in are killed and the directory removed after.
    Parents of a nested path (kubepods.slice/...) that did not exist are made too; `made` lists
    every directory made here, outermost first, so that only those are removed after."""

    def __init__(self, base, rel):
        self.base, self.rel = base, rel
        self.path = os.path.join(base, rel.lstrip("/"))
        self.made = []
        d = self.path
        while d != base and not os.path.isdir(d):
            self.made.insert(0, d)
            d = os.path.dirname(d)
        if not self.made:
            raise FileExistsError(errno.EEXIST, "test cgroup exists already", self.path)
        for d in self.made:
            os.mkdir(d)
        self.procs = []

    def add(self, pid):
        with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
            f.write(str(pid))

    def spawn(self, argv, **kw):
        """Starts argv already inside this cgroup (moved before exec, so no time is missed)."""
        procfile = os.path.join(self.path, "cgroup.procs")

        def enter():
            with open(procfile, "w") as f:
                f.write("0")
        p = subprocess.Popen(argv, preexec_fn=enter, **kw)
        self.procs.append(p)
        return p

    @property
    def ino(self):
        return os.stat(self.path).st_ino

    def remove(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        # Children first; retry while the kernel finishes reaping.
        for d, _, _ in sorted(os.walk(self.path), key=lambda t: -len(t[0])):
            for _ in range(50):
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.1)


def usage_usec_v2(cg):
    with open(os.path.join(cg.path, "cpu.stat")) as f:
        for line in f:
            k, v = line.split()
            if k == "usage_usec":
                return int(v)
    raise AssertionError("no usage_usec in cpu.stat")


@pytest.fixture
def cgroups():
    made = []

    def make(rel=None, base=CG2):
        cg = Cgroup(base, rel or "jvmtap-test-%s" % uuid.uuid4().hex[:8])
        made.append(cg)
        return cg

    yield make
    # Newest first, each cgroup's own tree, then the parents it made, innermost first: a parent
    # that existed before the test (a real kubepods.slice) is never touched, and one made for
    # several cgroups goes with the first of them, after the others.
    for cg in reversed(made):
        cg.remove()
        for d in reversed(cg.made[:-1]):
            try:
                os.rmdir(d)
            except OSError:
                pass  # gone already (the test removed it), or holds what the test did not make


# Burns that much CPU time (not wall time: on a machine busy with other work, a wall-clock loop
# got 4.0 s of CPU out of 5, below what the tests that use it count on).
BUSY = ["/usr/bin/python3", "-c", "import time\nwhile time.process_time()<%f: pass"]


def busy(seconds):
    argv = list(BUSY)
    argv[-1] = argv[-1] % seconds
    return argv


@pytest.fixture(scope="session")
def helpers():
    """Builds the small C helpers the tests use."""
    out = os.path.join(BUILD, "helpers")
    os.makedirs(out, exist_ok=True)
    built = {}
    for src in os.listdir(os.path.join(ROOT, "tests", "helpers")):
        if src.endswith(".c"):
            exe = os.path.join(out, src[:-2])
            subprocess.run(["cc", "-O2", "-Wall", "-Werror", "-o", exe,
                            os.path.join(ROOT, "tests", "helpers", src)], check=True)
            built[src[:-2]] = exe
    return built


class Prometheus:
    """A real Prometheus scraping target every second, with the rules of rules_file evaluated
    every second (their `for:` durations as written)."""

    def __init__(self, workdir, target, rules_file, name):
        import yaml

        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        with open(rules_file) as f:
            rules = yaml.safe_load(f)
        for g in rules["groups"]:
            g["interval"] = "1s"
        with open(os.path.join(workdir, "jvmtap.rules.yml"), "w") as f:
            yaml.safe_dump(rules, f)
        cfg = {"global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
               "rule_files": ["jvmtap.rules.yml"],
               "scrape_configs": [{"job_name": "jvmtap", "honor_labels": True,
                                   "static_configs": [{"targets": [target]}]}]}
        with open(os.path.join(workdir, "prometheus.yml"), "w") as f:
            yaml.safe_dump(cfg, f)
        self.log = open(os.path.join(BUILD, "prometheus-%s.log" % name), "w+")
        self.proc = subprocess.Popen(
            ["prometheus", "--config.file=%s" % os.path.join(workdir, "prometheus.yml"),
             "--storage.tsdb.path=%s" % os.path.join(workdir, "data"),
             "--web.listen-address=127.0.0.1:%d" % self.port],
            stdout=self.log, stderr=subprocess.STDOUT)

    def api(self, path):
        """The data of an HTTP API answer (None while Prometheus is not up yet)."""
        import json

        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as r:
                body = json.load(r)
        except OSError:
            return None
        assert body["status"] == "success", body
        return body["data"]

    def query(self, q):
        """The instant vector of q now ([] while Prometheus is not up yet)."""
        import urllib.parse

        data = self.api("/api/v1/query?" + urllib.parse.urlencode({"query": q}))
        return data["result"] if data else []

    def alerts(self, name, state="firing"):
        """The alerts named name in that state (with their labels, annotations and value)."""
        data = self.api("/api/v1/alerts")
        return [a for a in (data["alerts"] if data else [])
                if a["labels"]["alertname"] == name and a["state"] == state]

    def stop(self):
        terminate(self.proc)
        self.log.close()
