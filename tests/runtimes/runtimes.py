"""Real container runtimes, started by the tests: containerd with its CRI plugin driven by crictl
as the kubelet drives it, dockerd and podman. Each runs a JVM image built here (ociimage.py) with
the host's /usr, the JDK at /opt/java/openjdk and the test classes at /app mounted read-only, as
Flink's uid 9999, with the container's own /tmp (so hsperfdata is in the container's root) and
pid namespace. Daemons started here are stopped and their state removed afterwards."""
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid

import ociimage

CACHE = os.environ.get("JVMTAP_CACHE", "/var/cache/jvmtap")
CRICTL = os.path.join(CACHE, "crictl", "v1.34.0", "crictl")
JDK = "/usr/lib/jvm/java-17-openjdk-amd64"
IMAGE = "jvmtap.test/jvm:1"
PAUSE = "jvmtap.test/pause:1"
UID = 9999


def mounts(classes):
    """(container path, host path) of every read-only mount of a JVM container."""
    m = [("/usr", "/usr"), ("/opt/java/openjdk", JDK), ("/app", classes)]
    # Debian's JDK links its conf and security files into /etc/java-17-openjdk
    if os.path.isdir("/etc/java-17-openjdk"):
        m.append(("/etc/java-17-openjdk", "/etc/java-17-openjdk"))
    return m


def java_argv(args):
    return ["/opt/java/openjdk/bin/java", "-XX:ErrorFile=/tmp/hs_err_pid%p.log"] + list(args)


def _sock_ready(path, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
            return
        except OSError:
            time.sleep(0.1)
        finally:
            s.close()
    raise AssertionError("%s never answered" % path)


class Daemon:
    """A runtime daemon started here, with its state dirs removed when it stops."""

    state = ()

    def __init__(self, workdir, argv, sock):
        self.workdir = workdir
        self.log = open(os.path.join(workdir, self.name + ".log"), "w")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        _sock_ready(sock)

    def run(self, *argv, check=True, **kw):
        r = subprocess.run(list(argv), capture_output=True, text=True, **kw)
        assert not check or r.returncode == 0, "%s: %s" % (" ".join(argv), r.stderr)
        return r

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        for d in self.state:
            subprocess.run(["umount", "-R", "-l", d], capture_output=True)
            shutil.rmtree(d, ignore_errors=True)

    def output(self):
        return open(self.log.name).read()


class Container:
    """id, host pid, and what the runtime says of it (name, image, namespace, pod)."""

    def __init__(self, rt, cid):
        self.rt, self.id = rt, cid
        self.info = rt.inspect(cid)
        self.pid = self.info["pid"]

    def logs(self):
        return self.rt.logs(self.id)

    def phase(self, name, timeout=60):
        """The GcWorkload JSON line of that phase, from the container's output."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in self.logs().splitlines():
                if line.startswith("{") and '"phase":"%s"' % name in line:
                    return json.loads(line)
            time.sleep(0.2)
        raise AssertionError("container %s never reached %s:\n%s" % (self.id, name, self.logs()))


class Docker(Daemon):
    name, runtime = "docker", "docker"
    state = ("/var/lib/docker", "/run/docker", "/var/run/docker.sock")

    def __init__(self, workdir):
        super().__init__(workdir, ["dockerd", "--iptables=false", "--bridge=none",
                                   "--exec-opt", "native.cgroupdriver=cgroupfs"],
                         "/var/run/docker.sock")
        rootfs = os.path.join(workdir, "rootfs.tar")
        with open(rootfs, "wb") as f:
            f.write(ociimage.jvm_rootfs(UID))
        self.run("docker", "import", rootfs, IMAGE)
        self.version = self.run("docker", "version", "-f", "{{.Server.Version}}").stdout.strip()

    def start(self, name, args, classes, host_net=False):
        v = sum((["-v", "%s:%s:ro" % (h, c)] for c, h in mounts(classes)), [])
        cid = self.run("docker", "run", "-d", "--name", name, "--user", "%d:%d" % (UID, UID),
                       "--network", "host" if host_net else "none", *v, IMAGE,
                       *java_argv(args)).stdout.strip()
        return Container(self, cid)

    def inspect(self, cid):
        d = json.loads(self.run("docker", "inspect", cid).stdout)[0]
        return {"id": d["Id"], "pid": d["State"]["Pid"], "container": d["Name"].lstrip("/"),
                "image": d["Config"]["Image"], "namespace": "", "pod": ""}

    def logs(self, cid):
        r = self.run("docker", "logs", cid, check=False)
        return r.stdout + r.stderr

    def remove(self, c):
        self.run("docker", "rm", "-f", c.id, check=False)


class Podman(Daemon):
    """Podman has no daemon: each command is the runtime. cgroupfs manager (no systemd here),
    runc, and ulimits it need not raise (CAP_SYS_RESOURCE is not in the bounding set)."""
    name, runtime = "podman", "podman"
    state = ("/var/lib/containers", "/run/containers", "/run/libpod")
    base = ["podman", "--cgroup-manager=cgroupfs", "--runtime=runc", "--events-backend=file"]

    def __init__(self, workdir):
        self.workdir = workdir
        self.proc = subprocess.Popen(["true"])
        self.log = open(os.path.join(workdir, "podman.log"), "w")
        rootfs = os.path.join(workdir, "rootfs.tar")
        with open(rootfs, "wb") as f:
            f.write(ociimage.jvm_rootfs(UID))
        self.run(*self.base, "import", rootfs, IMAGE)
        self.version = self.run("podman", "version", "-f", "{{.Client.Version}}").stdout.strip()

    def start(self, name, args, classes, host_net=False):
        v = sum((["-v", "%s:%s:ro" % (h, c)] for c, h in mounts(classes)), [])
        cid = self.run(*self.base, "run", "-d", "--name", name, "--user", "%d:%d" % (UID, UID),
                       "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
                       "--network", "host" if host_net else "none", *v, IMAGE,
                       *java_argv(args)).stdout.strip()
        return Container(self, cid)

    def inspect(self, cid):
        d = json.loads(self.run(*self.base, "inspect", cid).stdout)[0]
        return {"id": d["Id"], "pid": d["State"]["Pid"], "container": d["Name"],
                "image": d["ImageName"], "namespace": "", "pod": ""}

    def logs(self, cid):
        r = self.run(*self.base, "logs", cid, check=False)
        return r.stdout + r.stderr

    def remove(self, c):
        self.run(*self.base, "rm", "-f", c.id, check=False)

    def stop(self):
        self.run(*self.base, "rm", "-a", "-f", check=False)
        super().stop()


class Cri(Daemon):
    """containerd's CRI plugin through crictl: runp a pod sandbox with Kubernetes metadata and a
    cgroup parent as the kubelet's cgroupfs driver names it, then create/start a container in it.
    Pods use the node's network (no CNI here)."""
    name, runtime = "containerd", "containerd"
    state = ("/var/lib/containerd", "/run/containerd")

    def __init__(self, workdir):
        conf = os.path.join(workdir, "containerd.toml")
        with open(conf, "w") as f:
            f.write(CONTAINERD_CONF % {"pause": PAUSE})
        super().__init__(workdir, ["containerd", "--config", conf],
                         "/run/containerd/containerd.sock")
        for ref, layer, entry in ((PAUSE, ociimage.pause_rootfs(workdir), ["/pause"]),
                                  (IMAGE, ociimage.jvm_rootfs(UID), ["/bin/sh"])):
            path = os.path.join(workdir, ref.replace("/", "_") + ".oci.tar")
            ociimage.oci_archive(path, ref, layer, entry)
            self.run("ctr", "-n", "k8s.io", "images", "import", path)
        self.version = self.run("containerd", "--version").stdout.split()[2]
        self.pods = []

    def crictl(self, *args, check=True):
        return self.run(CRICTL, "--runtime-endpoint", "unix:///run/containerd/containerd.sock",
                        "--image-endpoint", "unix:///run/containerd/containerd.sock",
                        "--timeout", "30s", *args, check=check)

    def pod(self, name, namespace, qos="besteffort"):
        uid = str(uuid.uuid4())
        parent = "/kubepods/%s/pod%s" % (qos, uid) if qos != "guaranteed" else "/kubepods/pod" + uid
        cfg = {"metadata": {"name": name, "namespace": namespace, "uid": uid, "attempt": 0},
               "log_directory": os.path.join(self.workdir, "pods", uid),
               "linux": {"cgroup_parent": parent,
                         "security_context": {"namespace_options": {"network": 2}}}}
        path = os.path.join(self.workdir, "pod-%s.json" % uid)
        with open(path, "w") as f:
            json.dump(cfg, f)
        pid = self.crictl("runp", path).stdout.strip()
        self.pods.append(pid)
        return pid, path, uid

    def start(self, name, args, classes, pod=None, env=(), command=None, extra=(),
              host_net=True):
        """A JVM container (java with args), or command; extra: (host dir, read-only) pairs,
        each mounted at its own path. Pods always have the node's network here."""
        if pod is None:
            pod = self.pod("jvm-" + name, "jvmtap-test")
        pid, pod_path, _ = pod
        cfg = {"metadata": {"name": name}, "image": {"image": IMAGE},
               "command": command or java_argv(args), "log_path": name + ".log",
               "envs": [{"key": k, "value": v} for k, v in env],
               "mounts": [{"container_path": c, "host_path": h, "readonly": True}
                          for c, h in mounts(classes)] +
                         [{"container_path": d, "host_path": d, "readonly": ro}
                          for d, ro in extra],
               "linux": {"security_context": {"run_as_user": {"value": UID},
                                              "namespace_options": {"pid": 1}}}}
        path = os.path.join(self.workdir, "ctr-%s.json" % name)
        with open(path, "w") as f:
            json.dump(cfg, f)
        cid = self.crictl("create", pid, path, pod_path).stdout.strip()
        self.crictl("start", cid)
        return Container(self, cid)

    def inspect(self, cid):
        d = json.loads(self.crictl("inspect", cid).stdout)
        st, info = d["status"], d["info"]
        pod = json.loads(self.crictl("inspectp", info["sandboxID"]).stdout)["status"]["metadata"]
        return {"id": st["id"], "pid": info["pid"], "container": st["metadata"]["name"],
                "image": st["image"]["image"], "namespace": pod["namespace"], "pod": pod["name"]}

    def logs(self, cid):
        r = self.crictl("logs", cid, check=False)
        return r.stdout + r.stderr

    def remove(self, c):
        self.crictl("rm", "-f", c.id, check=False)

    def stop(self):
        for p in self.pods:
            self.crictl("stopp", p, check=False)
            self.crictl("rmp", "-f", p, check=False)
        super().stop()


CONTAINERD_CONF = """version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
[grpc]
  address = "/run/containerd/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "%(pause)s"
  disable_apparmor = true
  restrict_oom_score_adj = true
[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = false
"""

RUNTIMES = {"docker": Docker, "podman": Podman, "containerd": Cri}
