"""Fixtures of the runtime tests: the integration suite's collector and parser (as `jvmtap_it`),
one daemon per runtime for the session, and the test classes compiled once."""
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
if "jvmtap_it" not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        "jvmtap_it", os.path.join(ROOT, "tests", "integration", "conftest.py"))
    sys.modules["jvmtap_it"] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(sys.modules["jvmtap_it"])
import jvmtap_it as it  # noqa: E402
import runtimes  # noqa: E402

tracefs = it.tracefs
jvmtap_factory = it.jvmtap_factory


@pytest.fixture(scope="session")
def workdir():
    d = tempfile.mkdtemp(prefix="jvmtap-rt-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def classes(workdir):
    out = os.path.join(workdir, "classes")
    os.makedirs(out)
    src = os.path.join(ROOT, "tests", "integration", "java")
    subprocess.run(["javac", "-d", out] + [os.path.join(src, f) for f in ("GcWorkload.java",
                                                                         "NetClient.java")],
                   check=True)
    return out


_daemons = {}


def daemon(name, workdir):
    """The runtime's daemon, started at its first use and stopped at the end of the session."""
    if name not in _daemons:
        d = os.path.join(workdir, name)
        os.makedirs(d)
        _daemons[name] = runtimes.RUNTIMES[name](d)
        it.record("runtime %s %s" % (name, _daemons[name].version))
    return _daemons[name]


@pytest.fixture(scope="session", params=sorted(runtimes.RUNTIMES))
def runtime(request, workdir):
    return daemon(request.param, workdir)


@pytest.fixture(scope="session")
def cri(workdir):
    return daemon("containerd", workdir)


@pytest.fixture(scope="session", autouse=True)
def _stop_daemons():
    yield
    for d in _daemons.values():
        d.stop()
