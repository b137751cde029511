"""OS threads per container: the gauge against the process's own /proc/PID/task (in a scrape
showing a count its refresh worker began after the threads changed), the created counter against
the threads the test program started."""
import os
import subprocess
import time

from conftest import select

SCRIPT = r'''
import sys, threading
stops = []
def start(n):
    for _ in range(n):
        e = threading.Event(); t = threading.Thread(target=e.wait); t.start(); stops.append((e, t))
start(10)
print("a", flush=True); sys.stdin.readline()
for e, t in stops[:5]:
    e.set(); t.join()
start(3)
print("b", flush=True); sys.stdin.readline()
for e, t in stops[5:]:
    e.set(); t.join()
'''


def gauge(j, cg, name="jvmtap_container_threads"):
    found = select(j.scrape_fresh("tasks"), name, container_id="/" + cg.rel)
    return found[0][1] if found else None


def test_threads_gauge_and_created(jvmtap_factory, cgroups):
    j = jvmtap_factory("--cgroup.hierarchy=v2")
    cg = cgroups()
    p = cg.spawn(["/usr/bin/python3", "-c", SCRIPT], stdin=subprocess.PIPE,
                 stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "a"
        time.sleep(0.3)
        assert gauge(j, cg) == len(os.listdir("/proc/%d/task" % p.pid)) == 11
        p.stdin.write("\n")
        p.stdin.flush()
        assert p.stdout.readline().strip() == "b"
        time.sleep(0.3)
        assert gauge(j, cg) == len(os.listdir("/proc/%d/task" % p.pid)) == 9
        # The process itself was forked in the test runner's cgroup and then moved: only its
        # 13 threads were created here.
        assert gauge(j, cg, "jvmtap_container_threads_created_total") == 13
    finally:
        p.stdin.write("\n")
        p.stdin.flush()
        p.wait(10)
    assert gauge(j, cg) == 0
