"""Startup: flags, privilege and kernel checks give one clear line and the documented exit code."""
import errno
import socket

import pytest

from conftest import free_port, run_jvmtap, select, value


@pytest.mark.parametrize("args", [
    ["--no-such-flag"],
    ["--bpf.attach-mode=kprobe"],
    ["--cgroup.hierarchy=v3"],
    ["--container.grace-period=5x"],
    ["--container.grace-period=-1"],
    ["--cpu.max-cgroups=0"],
    ["--cpu.max-cgroups=12abc"],
    ["--web.telemetry-path=metrics"],
    ["--web.max-connections=99999999999"],
    ["--collector.nosuch=off"],
    ["--collector.net=maybe"],
    ["--jvm.scan-interval=0"],
    ["--cpu.clock=rq", "--bpf.attach-mode=raw_tp"],
    ["--flink.rest.ca-file=/nonexistent/ca.pem"],
    ["--flink.rest.cert-file=/etc/hostname"],
    ["--flink.rest.key-file=/etc/hostname"],
    ["--flink.rest.server-name="],
    ["positional"],
])
def test_bad_flags_exit_2_with_usage(args):
    r = run_jvmtap(*args)
    assert r.returncode == 2, r
    assert "Usage: jvmtap" in r.stderr or "Try `jvmtap --help'" in r.stderr or "--help" in r.stderr
    assert r.stderr.count("\n") <= 3


def test_tls_files_that_are_not_pem_exit_1_naming_them(tmp_path):
    """Readable but not certificates: found when the Flink collector loads them, one line that
    names the files, exit 1 (an environment jvmtap cannot work in)."""
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate\n")
    r = run_jvmtap("--flink.rest.ca-file=%s" % bad, "--web.listen-address=127.0.0.1:%d" % free_port())
    assert r.returncode == 1, r
    assert "--flink.rest.ca-file=%s" % bad in r.stderr, r.stderr


def test_help_has_usage_and_examples():
    r = run_jvmtap("--help")
    assert r.returncode == 0
    assert "USAGE" in r.stdout and "EXAMPLES" in r.stdout and "--web.listen-address" in r.stdout


def test_not_root():
    r = run_jvmtap(wrapper=["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            "--inh-caps=-all", "--bounding-set=-all"])
    assert r.returncode == 1
    assert "run as root or with CAP_BPF and CAP_PERFMON" in r.stderr
    assert r.stderr.count("\n") == 1


def test_no_kernel_btf():
    # A private mount namespace hides /sys/kernel/btf behind an empty tmpfs.
    r = run_jvmtap(wrapper=["unshare", "-m", "sh", "-c",
                            'mount -t tmpfs none /sys/kernel/btf && exec "$0" "$@"'])
    assert r.returncode == 1
    assert "kernel BTF not found at /sys/kernel/btf/vmlinux" in r.stderr
    assert "--btf.path" in r.stderr


def test_btf_path_missing_file():
    r = run_jvmtap("--btf.path=/nonexistent/vmlinux.btf")
    assert r.returncode == 1 and "--btf.path /nonexistent/vmlinux.btf" in r.stderr


def test_btf_path_given_is_used(jvmtap_factory):
    j = jvmtap_factory("--btf.path=/sys/kernel/btf/vmlinux", "--strict")
    assert value(j.scrape(), "jvmtap_bpf_program_attached", program="cpu_switch", mode="tp_btf") == 1


def test_bpf_syscall_unavailable(helpers):
    r = run_jvmtap(wrapper=[helpers["deny_syscall"], "bpf", str(errno.ENOSYS)])
    assert r.returncode == 1
    assert "bpf() system call is not available" in r.stderr


def test_bpf_syscall_refused(helpers):
    r = run_jvmtap(wrapper=[helpers["deny_syscall"], "bpf", str(errno.EPERM)])
    assert r.returncode == 1
    assert "bpf() system call is refused" in r.stderr


def test_listen_address_in_use():
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run_jvmtap("--web.listen-address=127.0.0.1:%d" % port)
    assert r.returncode == 1
    assert "cannot listen on 127.0.0.1:%d: Address already in use" % port in r.stderr


@pytest.mark.parametrize("addr,code", [("nonsense", 2), ("1.2.3.4", 2), ("[::1", 2), (":port", 2),
                                       ("300.1.1.1:80", 1), ("no-such-host.invalid:80", 1)])
def test_bad_listen_address(addr, code):
    """Malformed: a flag error (2). Well-formed but not resolvable here: startup error (1)."""
    r = run_jvmtap("--web.listen-address=" + addr)
    assert r.returncode == code and "--web.listen-address" in r.stderr, r.stderr


def test_ipv6_listen():
    import subprocess, time, urllib.request
    from conftest import BIN
    port = free_port()
    p = subprocess.Popen([BIN, "--web.listen-address=[::1]:%d" % port], stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen("http://[::1]:%d/-/ready" % port, timeout=1) as resp:
                    assert resp.status == 200
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("no answer on [::1]")
    finally:
        p.terminate()
        assert p.wait(10) == 0


def test_perf_events_refused_keeps_serving_and_strict_fails(jvmtap_factory, helpers):
    """A program that cannot attach is reported as 0 and the rest keeps working; --strict
    turns that into exit 1."""
    deny = [helpers["deny_syscall"], "perf_event_open", str(errno.EACCES)]
    r = run_jvmtap("--strict", "--web.listen-address=127.0.0.1:%d" % free_port(), wrapper=deny)
    assert r.returncode == 1
    assert "--strict: 1 BPF program(s) not attached" in r.stderr
    assert "cpu: flush tick not attached" in r.stderr


def test_perf_events_refused_reports_zero(helpers, tmp_path):
    import subprocess, time
    from conftest import BIN, parse
    import urllib.request
    port = free_port()
    deny = [helpers["deny_syscall"], "perf_event_open", str(errno.EACCES)]
    p = subprocess.Popen(deny + [BIN, "--web.listen-address=127.0.0.1:%d" % port],
                         stderr=subprocess.PIPE, text=True)
    try:
        text = None
        for _ in range(100):
            try:
                if urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % port, timeout=1).status == 200:
                    text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port).read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        assert text, "not ready"
        s, _ = parse(text)
        assert value(s, "jvmtap_bpf_program_attached", program="cpu_flush", mode="perf_event") == 0
        assert value(s, "jvmtap_bpf_program_attached", program="cpu_switch", mode="tp_btf") == 1
    finally:
        p.terminate()
        assert p.wait(10) == 0
    assert p.stderr.read().count("flush tick not attached") == 1


def test_a_collector_switched_off_writes_nothing_and_loads_nothing(jvmtap_factory):
    """--collector.NAME=off: its families and BPF programs are gone, the others are timed and
    successful (jvmtap_scrape_collector_*, as node_exporter has them)."""
    j = jvmtap_factory("--collector.net=off", "--collector.tasks=off", "--strict")
    text = j.scrape_text()
    s = j.scrape()
    assert "jvmtap_container_network_bytes_total" not in text
    assert "jvmtap_container_threads" not in text
    assert not [l for l, _ in select(s, "jvmtap_bpf_program_attached")
                if l["program"].startswith(("net_", "tasks_"))]
    assert "collector net: off (--collector.net=off)" in j.output()
    for c in ("cpu", "jvm", "self"):
        assert value(s, "jvmtap_scrape_collector_success", collector=c) == 1
        assert 0 <= value(s, "jvmtap_scrape_collector_duration_seconds", collector=c) < 1
    for c in ("net", "tasks"):
        assert not select(s, "jvmtap_scrape_collector_success", collector=c)
    assert "jvmtap_container_cpu_seconds_total" in text
