"""Builds the small local images the runtime tests run: there is no image registry here.

The JVM image is a root filesystem of mount points and the merged-/usr symlinks; the test mounts
the host's /usr (and the JDK) read-only into it. The pause image (for CRI pod sandboxes) holds
one static binary. Both are written as a rootfs tarball (docker/podman import) and as an OCI
image layout archive (ctr images import)."""
import hashlib
import io
import json
import os
import subprocess
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))


def _add_dir(t, name, mode=0o755):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode = tarfile.DIRTYPE, mode
    t.addfile(ti)


def _add_link(t, name, target):
    ti = tarfile.TarInfo(name)
    ti.type, ti.linkname = tarfile.SYMTYPE, target
    t.addfile(ti)


def _add_file(t, name, data, mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mode = len(data), mode
    t.addfile(ti, io.BytesIO(data))


def jvm_rootfs(flink_uid=9999):
    """A tarball of the JVM image's root filesystem (bytes)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for d in ("usr", "etc", "proc", "sys", "dev", "opt", "opt/java", "opt/flink", "run",
                  "var", "home", "home/flink", "root"):
            _add_dir(t, d)
        _add_dir(t, "tmp", 0o1777)
        for link, target in (("bin", "usr/bin"), ("lib", "usr/lib"), ("lib64", "usr/lib64"),
                             ("sbin", "usr/sbin")):
            _add_link(t, link, target)
        _add_file(t, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"
                  b"flink:x:%d:%d:flink:/home/flink:/bin/sh\n" % (flink_uid, flink_uid))
        _add_file(t, "etc/group", b"root:x:0:\nflink:x:%d:\n" % flink_uid)
        _add_file(t, "etc/hosts", b"127.0.0.1 localhost\n")
    return buf.getvalue()


def pause_rootfs(workdir):
    """A tarball holding /pause, a static binary that waits for SIGTERM (bytes)."""
    src, exe = os.path.join(HERE, "pause.c"), os.path.join(workdir, "pause")
    subprocess.run(["gcc", "-static", "-O2", "-o", exe, src], check=True)
    with open(exe, "rb") as f:
        data = f.read()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        _add_file(t, "pause", data, 0o755)
    return buf.getvalue()


def _blob(t, data):
    digest = hashlib.sha256(data).hexdigest()
    _add_file(t, "blobs/sha256/" + digest, data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def oci_archive(path, ref, layer, entrypoint, user=""):
    """Writes an OCI image layout archive of one uncompressed layer, named ref."""
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = {
        "architecture": "amd64", "os": "linux",
        "config": {"Entrypoint": entrypoint, "User": user, "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }
    with tarfile.open(path, "w") as t:
        lay = _blob(t, layer)
        cfg = _blob(t, json.dumps(config).encode())
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": dict(cfg, mediaType="application/vnd.oci.image.config.v1+json"),
            "layers": [dict(lay, mediaType="application/vnd.oci.image.layer.v1.tar")],
        }
        man = _blob(t, json.dumps(manifest).encode())
        index = {
            "schemaVersion": 2,
            "manifests": [dict(man, mediaType="application/vnd.oci.image.manifest.v1+json",
                               annotations={"org.opencontainers.image.ref.name": ref,
                                            "io.containerd.image.name": ref})],
        }
        _add_file(t, "index.json", json.dumps(index).encode())
        _add_file(t, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
