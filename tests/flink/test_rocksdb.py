"""jvmtap_flink_state_op_duration_seconds on the RocksDB and ForSt JNI libraries of each pinned
Flink's flink-dist, loaded as Flink's state backends load them (extracted into a directory
under the name the collector looks for): every call of a program that makes a known number of
each (tests/flink/java/RocksCalls.java) counted exactly, its time against the program's own
timing of the same calls without probes, a JVM that never loads the library left alone, and
the rate guard, and a real TaskManager on the hashmap backend. The whole RocksDB cluster's state
calls are checked in test_flink.py."""
import os
import subprocess
import time

import pytest

from flinkbed import BUILD, HERE, JDK17, VERSIONS, Cluster, flink_home, it, job_jar

OPS = ("get", "put", "merge", "delete", "seek", "write")
# (version, backend): 2.x ships ForSt's library next to FRocksDB's
CASES = [(v, "rocksdb") for v in VERSIONS] + [(v, "forst") for v in VERSIONS
                                               if not v.startswith("1.")]


def calls_jar(version, backend):
    """RocksCalls.java compiled against this Flink's flink-dist; for ForSt, with RocksJava's
    package renamed to ForSt's."""
    out = os.path.join(BUILD, "flink", version, "rocks-calls-" + backend)
    src = os.path.join(HERE, "java", "RocksCalls.java")
    stamp = os.path.join(out, "RocksCalls.class")
    if os.path.exists(stamp) and os.path.getmtime(stamp) > os.path.getmtime(src):
        return out
    os.makedirs(out, exist_ok=True)
    text = open(src).read()
    if backend == "forst":
        text = text.replace("org.rocksdb.", "org.forstdb.")
    with open(os.path.join(out, "RocksCalls.java"), "w") as f:
        f.write(text)
    subprocess.run([os.path.join(JDK17, "bin", "javac"), "-d", out, "-cp",
                    os.path.join(flink_home(version), "lib", "*"),
                    os.path.join(out, "RocksCalls.java")], check=True)
    return out


class Calls:
    """A running RocksCalls: ready() once its unprobed timing is done, go() for the counted
    calls."""

    def __init__(self, version, backend, tmp, n):
        d = os.path.join(str(tmp), "rocks-%s-%d" % (backend, n))
        os.makedirs(d)
        cp = "%s:%s" % (calls_jar(version, backend), os.path.join(flink_home(version), "lib", "*"))
        self.p = subprocess.Popen([os.path.join(JDK17, "bin", "java"), "-Xmx256m",
                                   "-XX:ErrorFile=%s/hs_err_pid%%p.log" % tmp, "-cp", cp,
                                   "RocksCalls", d, str(n)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.unprobed = self._line("ready")

    def _line(self, word):
        line = self.p.stdout.readline().split()
        assert line and line[0] == word, "RocksCalls said %r, not %s" % (line, word)
        return {"get": int(line[1]), "put": int(line[2])}

    def go(self):
        self.p.stdin.write("go\n")
        self.p.stdin.flush()
        return self._line("done")

    def stop(self):
        if self.p.poll() is None:
            try:
                self.p.stdin.write("x\n")
                self.p.stdin.flush()
            except BrokenPipeError:
                pass
            try:
                self.p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def ops(samples, pid):
    """{op: (count, sum seconds)} of one JVM."""
    out = {}
    for l, v in it.select(samples, "jvmtap_flink_state_op_duration_seconds_count", pid=str(pid)):
        s = it.value(samples, "jvmtap_flink_state_op_duration_seconds_sum", pid=str(pid),
                     op=l["op"])
        out[l["op"]] = (v, s)
    return out


def attached(j, backend, want, timeout=20):
    return it.wait_scrape(
        j, lambda s: it.value(s, "jvmtap_flink_state_probes_attached", backend=backend) == want,
        timeout, "%d %s libraries attached" % (want, backend))


@pytest.mark.parametrize("version,backend", CASES)
def test_state_calls_counted_exactly(version, backend, tmp_path, jvmtap_factory):
    """N of each call, counted exactly per op. Its time: the program timed N puts and N gets
    before jvmtap ran (no probes); jvmtap's mean for the same calls with probes, the traps'
    measured cost taken off, is within 50 % + 400 ns of that: the program's timing also holds
    the JNI transition (~0.1 us); the traps' cost taken off is a median whose runs spread
    0.75-1.03 us here, and a trap leaves caches colder for the call it brackets. A
    JVM that never loads the library has no series and no probes."""
    n = 20000
    calls = Calls(version, backend, tmp_path, n)
    idle = Calls(version, backend, tmp_path, 0)
    try:
        # started after both (found by its first scan), a maintenance a second
        j = jvmtap_factory("--container.grace-period=2s", "--rocksdb.max-call-rate=0")
        before = ops(attached(j, backend, 1), calls.p.pid)
        probed = calls.go()
        want = {op: n + before.get(op, (0, 0))[0] for op in OPS}
        s = it.wait_scrape(j, lambda s: {o: c for o, (c, _) in ops(s, calls.p.pid).items()}
                           == want, 10, "%d calls of each op" % n)
        got = ops(s, calls.p.pid)
        means = {op: got[op][1] / got[op][0] * 1e9 for op in OPS}
        it.record("flink %s %s: %d calls of each op counted %r; mean ns inside the library %r; "
                  "the program's own timing of get/put without probes %r, with probes %r; "
                  "probe overhead taken off %.0f ns" % (
                      version, backend, n, {o: c for o, (c, _) in got.items()},
                      {o: round(m) for o, m in means.items()}, calls.unprobed, probed,
                      it.value(s, "jvmtap_flink_state_probe_overhead_seconds") * 1e9))
        for op in ("get", "put"):
            assert abs(means[op] - calls.unprobed[op]) <= 0.5 * calls.unprobed[op] + 400, \
                (op, means[op], calls.unprobed[op])
        assert not it.select(s, "jvmtap_flink_state_op_duration_seconds_count",
                             pid=str(idle.p.pid))
        assert it.value(s, "jvmtap_flink_state_probes_attached", backend=backend) == 1
    finally:
        calls.stop()
        idle.stop()


def test_rate_guard_detaches(tmp_path, jvmtap_factory):
    """A JVM making more state calls per second than --rocksdb.max-call-rate has its probes
    detached once its budget of one second's calls runs out: counted once, its
    library no longer attached, its calls after that not counted, its series kept."""
    version, n = VERSIONS[0], 300000  # ~5 s of calls
    calls = Calls(version, "rocksdb", tmp_path, n)
    try:
        j = jvmtap_factory("--rocksdb.max-call-rate=1000")
        attached(j, "rocksdb", 1)
        calls.go()
        s = attached(j, "rocksdb", 0, timeout=5)
        got = ops(s, calls.p.pid)
        it.record("flink %s: rate guard at 1000 calls/s: detached after %r of %d calls of each "
                  "op" % (version, {o: c for o, (c, _) in got.items()}, n))
        assert it.value(s, "jvmtap_flink_state_probes_detached_total") == 1
        assert got and sum(c for c, _ in got.values()) < len(OPS) * n
        assert "more than --rocksdb.max-call-rate=1000 per second allows" in j.output()
    finally:
        calls.stop()



def test_rate_guard_tries_again(tmp_path, jvmtap_factory):
    """--rocksdb.guard-retry: a tripped JVM's probes come back after the wait, doubled at each
    trip. While the calls go on (600 000 of each op, 2-3 s unprobed) they trip again at once;
    once the calls have stopped they come back and stay, and nothing of the calls made while
    detached is counted."""
    version, n = VERSIONS[0], 600000
    calls = Calls(version, "rocksdb", tmp_path, n)
    try:
        # Maintenance, where the probes come back, every second with a 2 s grace period.
        j = jvmtap_factory("--rocksdb.max-call-rate=1000", "--rocksdb.guard-retry=1s",
                           "--container.grace-period=2s")
        attached(j, "rocksdb", 1)
        calls.go()
        # Trips at 0 s and after waits of 1, 2, 4 ... s: the last wait is at most 8 s.
        s = attached(j, "rocksdb", 1, timeout=20)
        trips = it.value(s, "jvmtap_flink_state_probes_detached_total")
        got = ops(s, calls.p.pid)
        it.record("flink %s: rate guard at 1000 calls/s, retry 1 s: %d trips during %d calls of "
                  "each op, %r counted" % (version, trips, n, {o: c for o, (c, _) in got.items()}))
        assert trips >= 2, j.output()
        assert sum(c for c, _ in got.values()) < len(OPS) * n
        assert "attached again in 1 s" in j.output() and "attached again in 2 s" in j.output()
        time.sleep(3)  # no calls: no trip
        s = j.scrape()
        assert it.value(s, "jvmtap_flink_state_probes_attached", backend="rocksdb") == 1
        assert it.value(s, "jvmtap_flink_state_probes_detached_total") == trips
    finally:
        calls.stop()

@pytest.mark.parametrize("version", VERSIONS)
def test_hashmap_taskmanagers_have_no_probes(version, tmp_path, jvmtap_factory):
    """Real TaskManagers on the hashmap backend running the keyed count: they never map
    RocksDB's library, so jvmtap attaches nothing to them (no traps) and shows no state series,
    while their tasks' CPU is there."""
    j = jvmtap_factory()
    c = Cluster(version, tmp_path, reporter=False, backend="hashmap")
    try:
        jid = c.submit(job_jar(c.home, version), "--records", "100000")
        c.wait_finished(jid)
        tms = [p.pid for role, p in c.procs if role == "taskmanager"]
        s = it.wait_scrape(j, lambda s: all(it.select(s, "jvmtap_flink_task_cpu_seconds_total",
                                                      pid=str(tm)) for tm in tms), 20,
                           "the TaskManagers' tasks")
        mapped = ["librocksdbjni" in open("/proc/%d/maps" % tm).read() for tm in tms]
        it.record("flink %s hashmap TaskManagers: RocksDB library mapped %r; state series: %d; "
                  "RocksDB libraries attached: %d" % (
                      version, mapped,
                      len(it.select(s, "jvmtap_flink_state_op_duration_seconds_count")),
                      it.value(s, "jvmtap_flink_state_probes_attached", backend="rocksdb")))
        assert not any(mapped)
        for tm in tms:
            assert not it.select(s, "jvmtap_flink_state_op_duration_seconds_count", pid=str(tm))
        assert it.value(s, "jvmtap_flink_state_probes_attached", backend="rocksdb") == 0
    finally:
        c.stop()
