"""A real Flink standalone session cluster for the tests, started the way users start it: Flink's
own bin/jobmanager.sh and bin/taskmanager.sh in the foreground (so BashJavaUtils runs first), one
JobManager and two TaskManagers as separate JVMs, with Flink's PrometheusReporter switched on as
the in-process oracle. The Flink homes come from tests/flink/fetch.sh (pinned, cached)."""
import importlib.util
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(ROOT, "build")

# The collector, exposition parser, ports and cgroups of the integration suite
# (tests/integration/conftest.py), as the module `jvmtap_it`, for the tests here and bench/.
if "jvmtap_it" not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        "jvmtap_it", os.path.join(ROOT, "tests", "integration", "conftest.py"))
    sys.modules["jvmtap_it"] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(sys.modules["jvmtap_it"])
import jvmtap_it as it  # noqa: E402
JDK17 = "/usr/lib/jvm/java-17-openjdk-amd64"
# Flink 1.20 and 2.x both support Java 11, 17 (and 21); neither lists Java 25, so both run on 17.
VERSIONS = [l.split()[0] for l in open(os.path.join(HERE, "versions.txt"))
            if l.strip() and not l.startswith("#")]
VERSIONS = sorted(set(VERSIONS), key=VERSIONS.index)


def flink_home(version):
    """fetch.sh's home for version (downloaded on first use; its errors go to stderr)."""
    out = subprocess.run([os.path.join(HERE, "fetch.sh"), version], check=True,
                         stdout=subprocess.PIPE, text=True)
    return out.stdout.strip().splitlines()[-1]


def http_get(url, timeout=5, context=None):
    with urllib.request.urlopen(url, timeout=timeout, context=context) as r:
        return r.read().decode()


def _quiet(fn):
    """fn(), False where it raises OSError (a port not open yet)."""
    try:
        return fn()
    except OSError:
        return False


def wait_scrape(j, cond, timeout, what):
    """The first scrape for which cond(samples) holds (the poller runs every second); on failure,
    the Flink series."""
    return it.wait_scrape(j, cond, timeout, what, show="jvmtap_flink_")


def job_jar(home, version):
    """tests/flink/java/KeyedCount.java compiled against this Flink's lib/ (its API)."""
    out = os.path.join(BUILD, "flink", version)
    jar = os.path.join(out, "keyed-count.jar")
    src = os.path.join(HERE, "java", "KeyedCount.java")
    if os.path.exists(jar) and os.path.getmtime(jar) > os.path.getmtime(src):
        return jar
    classes = os.path.join(out, "classes")
    os.makedirs(classes, exist_ok=True)
    subprocess.run([os.path.join(JDK17, "bin", "javac"), "-d", classes, "-cp",
                    os.path.join(home, "lib", "*"), src], check=True)
    subprocess.run([os.path.join(JDK17, "bin", "jar"), "cf", jar + ".tmp", "-C", classes, "."],
                   check=True)
    os.rename(jar + ".tmp", jar)
    return jar


class Cluster:
    """One JobManager and `tms` TaskManagers. Every java the scripts start goes through a wrapper
    that logs its pid and arguments before exec'ing the real JDK: the tests' record of which JVMs
    Flink started (pid, main class), independent of jvmtap. `spawn(argv, **kw)` starts a process
    (a test cgroup's spawn puts the whole cluster into that cgroup)."""

    def __init__(self, version, tmp, spawn=subprocess.Popen, tms=2, jdk=JDK17, reporter=True,
                 jms=1, ha=False, tls=False, backend="rocksdb"):
        """jms JobManagers (each its own REST port); ha: ZooKeeper high availability, with
        Flink's own ZooKeeper (bin/zookeeper.sh) started first; tls: REST over TLS that
        requires a client certificate (security.ssl.rest.*), the files in self.tls; backend:
        the state backend (state.backend.type)."""
        self.version, self.tmp, self.spawn_fn = version, str(tmp), spawn
        self.backend = backend
        self.reporter_on, self.ha = reporter, ha
        self.tls, self.ssl_context = None, None
        self.home = flink_home(version)
        self.rest_ports = [it.free_port() for _ in range(jms)]
        self.rest_port, self.rpc_port = self.rest_ports[0], it.free_port()
        self.zk_port = it.free_port() if ha else None
        self.url = "%s://127.0.0.1:%d" % ("https" if tls else "http", self.rest_port)
        self.procs = []  # (role, Popen of the script)
        self.zk = None
        self.java_log = os.path.join(self.tmp, "java-execs.log")
        self._java_wrapper(jdk)
        if tls:
            self._tls_files(jdk)
        self._config()
        if ha:
            self._start_zookeeper()
        for port in self.rest_ports:
            self._start("jobmanager", ["-D", "rest.port=%d" % port])
        self.wait(lambda: self.rest("/overview"), 90, "JobManager REST")
        for _ in range(tms):
            self.start_taskmanager()
        self.wait(lambda: self.rest("/overview")["taskmanagers"] == tms, 90, "%d TaskManagers" % tms)

    # ---- setup ---------------------------------------------------------------------------------

    def _tls_files(self, jdk):
        """The REST server's key and certificate (keytool, CN and SAN localhost/127.0.0.1),
        a client certificate for jvmtap and the CLI (openssl), a truststore with both, and an
        unrelated CA that signs neither."""
        d = os.path.join(self.tmp, "tls")
        os.makedirs(d)
        pw = "jvmtap-test"
        kt = os.path.join(jdk, "bin", "keytool")
        t = self.tls = {n: os.path.join(d, n) for n in (
            "rest.p12", "rest.pem", "trust.p12", "client.pem", "client.key", "other.pem",
            "other.key")}
        t["password"] = pw
        run = lambda *a: subprocess.run(a, check=True, capture_output=True)  # noqa: E731
        run(kt, "-genkeypair", "-alias", "rest", "-keyalg", "RSA", "-keysize", "2048",
            "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "7",
            "-keystore", t["rest.p12"], "-storetype", "PKCS12", "-storepass", pw, "-keypass", pw)
        run(kt, "-exportcert", "-rfc", "-alias", "rest", "-keystore", t["rest.p12"],
            "-storepass", pw, "-file", t["rest.pem"])
        for name in ("client", "other"):
            run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7",
                "-subj", "/CN=jvmtap-" + name, "-keyout", t[name + ".key"], "-out",
                t[name + ".pem"])
        for alias, pem in (("rest", t["rest.pem"]), ("client", t["client.pem"])):
            run(kt, "-importcert", "-noprompt", "-alias", alias, "-file", pem, "-keystore",
                t["trust.p12"], "-storetype", "PKCS12", "-storepass", pw)
        self.ssl_context = ssl.create_default_context(cafile=t["rest.pem"])
        self.ssl_context.load_cert_chain(t["client.pem"], t["client.key"])

    def _java_wrapper(self, jdk):
        self.java_home = os.path.join(self.tmp, "jdk")
        os.makedirs(os.path.join(self.java_home, "bin"))
        for d in os.listdir(jdk):
            if d != "bin":
                os.symlink(os.path.join(jdk, d), os.path.join(self.java_home, d))
        for b in os.listdir(os.path.join(jdk, "bin")):
            if b != "java":
                os.symlink(os.path.join(jdk, "bin", b), os.path.join(self.java_home, "bin", b))
        w = os.path.join(self.java_home, "bin", "java")
        with open(w, "w") as f:
            f.write('#!/bin/sh\necho "$$ $*" >> %s\nexec %s "$@"\n'
                    % (self.java_log, os.path.join(jdk, "bin", "java")))
        os.chmod(w, 0o755)

    def _config(self):
        self.conf = os.path.join(self.tmp, "conf")
        self.logs = os.path.join(self.tmp, "log")
        self.checkpoints = os.path.join(self.tmp, "checkpoints")
        for d in (self.conf, self.logs, self.checkpoints, os.path.join(self.tmp, "io")):
            os.makedirs(d, exist_ok=True)
        dist = open(os.path.join(self.home, "conf", "config.yaml")).read()
        # The module flags flink-dist's own config.yaml gives Java 17 (env.java.opts.all).
        opts = [l.split(":", 1)[1].strip() for l in dist.splitlines() if l.strip().startswith("all:")]
        assert opts, "no env.java.opts.all in %s/conf/config.yaml" % self.home
        for name in os.listdir(os.path.join(self.home, "conf")):
            if name.startswith("log4j"):
                with open(os.path.join(self.home, "conf", name)) as src, \
                        open(os.path.join(self.conf, name), "w") as dst:
                    dst.write(src.read())
        cfg = {
            "env.java.opts.all": opts[0] + " -XX:ErrorFile=%s/hs_err_pid%%p.log" % self.tmp,
            "env.log.dir": self.logs,
            "jobmanager.rpc.address": "localhost",
            "jobmanager.rpc.port": self.rpc_port,
            "jobmanager.bind-host": "localhost",
            # 2 cores, 24 GiB: small JVMs, one slot per TaskManager so parallelism 2 spans both.
            "jobmanager.memory.process.size": "1024m",
            "taskmanager.host": "localhost",
            "taskmanager.bind-host": "localhost",
            "taskmanager.numberOfTaskSlots": 1,
            "taskmanager.memory.process.size": "1280m",
            "rest.address": "localhost",
            "rest.bind-address": "localhost",
            "rest.port": self.rest_port,
            "io.tmp.dirs": os.path.join(self.tmp, "io"),
            "parallelism.default": 2,
            "state.backend.type": self.backend,
            "execution.checkpointing.interval": "3s",
            "state.checkpoints.dir": "file://" + self.checkpoints,
            "restart-strategy.type": "fixed-delay",
            # A TaskManager held down for an alert's minute costs about one attempt a second.
            "restart-strategy.fixed-delay.attempts": 1000,
            "restart-strategy.fixed-delay.delay": "1s",
        }
        if self.ha:
            cfg.update({
                "high-availability.type": "zookeeper",
                "high-availability.zookeeper.quorum": "localhost:%d" % self.zk_port,
                "high-availability.storageDir": "file://" + os.path.join(self.tmp, "ha"),
                "high-availability.cluster-id": "/jvmtap-test",
                # a killed leader's ZooKeeper session (so its leadership) ends 4 s later
                "high-availability.zookeeper.client.session-timeout": 4000,
            })
            with open(os.path.join(self.conf, "zoo.cfg"), "w") as f:
                f.write("tickTime=500\ninitLimit=10\nsyncLimit=5\ndataDir=%s\nclientPort=%d\n"
                        "clientPortAddress=127.0.0.1\n" % (os.path.join(self.tmp, "zk"), self.zk_port))
        if self.tls:
            t = self.tls
            cfg.update({
                "security.ssl.rest.enabled": "true",
                "security.ssl.rest.authentication-enabled": "true",
                "security.ssl.rest.keystore": t["rest.p12"],
                "security.ssl.rest.keystore-password": t["password"],
                "security.ssl.rest.key-password": t["password"],
                "security.ssl.rest.truststore": t["trust.p12"],
                "security.ssl.rest.truststore-password": t["password"],
            })
        if self.reporter_on:  # the in-process oracle; each JVM gets its port on its command line
            cfg["metrics.reporter.prom.factory.class"] = \
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"
            # Flink's own timing of keyed state calls (every 100th), the oracle of
            # jvmtap_flink_state_op_duration_seconds (test_flink.py)
            cfg["state.latency-track.keyed-state-enabled"] = "true"
        with open(os.path.join(self.conf, "config.yaml"), "w") as f:
            for k, v in cfg.items():
                f.write("%s: %s\n" % (k, v))

    def env(self):
        e = dict(os.environ, FLINK_CONF_DIR=self.conf, JAVA_HOME=self.java_home,
                 FLINK_LOG_DIR=self.logs)
        e.pop("FLINK_HOME", None)
        return e

    def _start_zookeeper(self):
        out = open(os.path.join(self.logs, "zookeeper.out"), "w")
        self.zk = self.spawn_fn([os.path.join(self.home, "bin", "zookeeper.sh"), "start-foreground",
                                 "1"], env=self.env(), stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)

        def up():
            with socket.create_connection(("127.0.0.1", self.zk_port), timeout=1) as c:
                c.sendall(b"srvr")
                return b"Mode" in c.recv(4096)
        self.wait(lambda: _quiet(up), 60, "ZooKeeper")

    def _start(self, role, extra=()):
        script = "jobmanager.sh" if role == "jobmanager" else "taskmanager.sh"
        prom_port = it.free_port()
        out = open(os.path.join(self.logs, "%s-%d.out" % (role, len(self.procs))), "w")
        extra = list(extra)
        extra += ["-D", "metrics.reporter.prom.port=%d" % prom_port] if self.reporter_on else []
        p = self.spawn_fn([os.path.join(self.home, "bin", script), "start-foreground"] + extra,
                          env=self.env(), stdout=out, stderr=subprocess.STDOUT,
                          start_new_session=True)
        p.prom_port = prom_port
        self.procs.append((role, p))
        return p

    def start_taskmanager(self):
        return self._start("taskmanager")

    # ---- what Flink says -------------------------------------------------------------------------

    def rest(self, path):
        try:
            return json.loads(http_get(self.url + path, context=self.ssl_context))
        except OSError:
            return None

    @staticmethod
    def wait(cond, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if cond():
                    return
            except (TypeError, KeyError):
                pass
            time.sleep(0.5)
        raise AssertionError("Flink: no %s after %ds" % (what, timeout))

    def java_execs(self):
        """[(pid, main class or '', argv)] of every java the scripts started, from the wrapper."""
        out = []
        if not os.path.exists(self.java_log):
            return out
        for line in open(self.java_log):
            pid, _, args = line.rstrip("\n").partition(" ")
            argv = args.split()
            cls = next((a for a in argv if a.startswith("org.apache.flink.")), "")
            out.append((int(pid), cls, argv))
        return out

    def reporter(self, proc):
        """Samples of Flink's PrometheusReporter in the JVM of proc (flink-console.sh execs
        java in the script's own process, so proc.pid is the JVM's)."""
        return it.parse(http_get("http://127.0.0.1:%d/metrics" % proc.prom_port))[0]

    def submit(self, jar, *args):
        p = self.spawn_fn([os.path.join(self.home, "bin", "flink"), "run", "-d", "-c",
                           "KeyedCount", jar] + list(args), env=self.env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        stdout, stderr = p.communicate(timeout=180)
        assert p.returncode == 0, "flink run failed:\n%s\n%s" % (stdout, stderr[-4000:])
        for word in stdout.split():
            if len(word) == 32 and all(c in "0123456789abcdef" for c in word):
                return word
        raise AssertionError("no job id in: %s" % stdout)

    def wait_finished(self, jid, timeout=600):
        """Waits for a bounded job to end; returns its REST details (state, duration in ms)."""
        self.wait(lambda: self.rest("/jobs/%s" % jid)["state"] in ("FINISHED", "FAILED", "CANCELED"),
                  timeout, "end of job %s" % jid)
        j = self.rest("/jobs/%s" % jid)
        assert j["state"] == "FINISHED", j["state"]
        return j

    def wait_running(self, jid, checkpoints=1, timeout=120):
        def ok():
            j = self.rest("/jobs/%s" % jid)
            c = self.rest("/jobs/%s/checkpoints" % jid)
            return j["state"] == "RUNNING" and c["counts"]["completed"] >= checkpoints
        self.wait(ok, timeout, "running job %s with %d checkpoints" % (jid, checkpoints))

    def stop(self):
        procs = self.procs + ([("zookeeper", self.zk)] if self.zk else [])
        for _, p in reversed(procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for _, p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
