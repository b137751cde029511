#!/usr/bin/env python3
"""The layers of user/ (docs/architecture.md#source-tree), checked on the built objects: which
object uses a symbol which other object defines (nm). Fails on any cycle between object files,
and on a dependency that goes up the layers:

    parse  <-  bpf, identity, expo, core  <-  collectors  <-  collectors/jvm users  <-  views, main

user/parse/ uses nothing of jvmtap's. A leaf (an object that uses nothing of jvmtap's but other
leaves of its folder, such as the exposition writer and its family table) may be used from any
folder: it cannot close a cycle. Nothing below
user/collectors/ uses a collector, except engine.c, which runs them. Prints `N passed, N failed`."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OBJ = os.path.join(ROOT, "build", "obj")

# What each folder may use, besides itself.
ALLOWED = {
    "user/parse": set(),
    "user/core": {"user/parse", "user/bpf", "user/identity", "user/expo", "user/collectors",
                  "user/collectors/jvm", "user/collectors/flink"},
    "user/bpf": {"user/core"},
    "user/identity": {"user/parse", "user/core"},
    "user/expo": {"user/parse", "user/core"},
    "user/collectors": {"user/parse", "user/core", "user/bpf", "user/identity", "user/expo",
                        "user/collectors/jvm"},
    "user/collectors/jvm": {"user/parse", "user/core", "user/bpf", "user/identity",
                            "user/expo", "user/collectors"},
    "user/collectors/flink": {"user/parse", "user/core", "user/bpf", "user/identity",
                              "user/expo", "user/collectors", "user/collectors/jvm"},
    "user/views": {"user/parse", "user/core", "user/bpf", "user/identity", "user/expo",
                   "user/collectors", "user/collectors/jvm", "user/collectors/flink"},
    "user": {"user/parse", "user/core", "user/bpf", "user/identity", "user/expo",
             "user/collectors", "user/collectors/jvm", "user/collectors/flink", "user/views"},
}


def symbols(path):
    out = subprocess.run(["nm", "--defined-only", "-g", path], capture_output=True, text=True,
                         check=True).stdout
    defined = {l.split()[-1] for l in out.splitlines() if l.strip()}
    out = subprocess.run(["nm", "-u", path], capture_output=True, text=True, check=True).stdout
    used = {l.split()[-1] for l in out.splitlines() if l.strip()}
    return defined, used


def main():
    objs = {}
    for d, _, files in os.walk(OBJ):
        for f in files:
            if f.endswith(".o"):
                p = os.path.join(d, f)
                objs[os.path.relpath(p, OBJ)[:-2] + ".c"] = symbols(p)
    if not objs:
        print("no objects under %s: run make first" % OBJ)
        return 1
    owner = {s: src for src, (defs, _) in objs.items() for s in defs}
    edges = {src: sorted({owner[s] for s in used if s in owner and owner[s] != src})
             for src, (_, used) in objs.items()}
    # Leaves: objects that use nothing of jvmtap's, or only leaves of their own folder (the
    # writer and its family table).
    leaves = {src for src, deps in edges.items() if not deps}
    grown = True
    while grown:
        more = {src for src, deps in edges.items() if src not in leaves and all(
            d in leaves and os.path.dirname(d) == os.path.dirname(src) for d in deps)}
        leaves |= more
        grown = bool(more)
    failed = []
    # The engine runs the collectors (collector.h's table): core -> collectors is its one way up.
    for src, deps in edges.items():
        folder = os.path.dirname(src)
        for d in deps:
            df = os.path.dirname(d)
            if df == folder or df in ALLOWED.get(folder, set()) or (
                    d in leaves and folder != "user/parse"):
                continue
            failed.append("%s uses %s (%s may not use %s)" % (src, d, folder, df))
        if folder == "user/core" and os.path.basename(src) != "engine.c":
            for d in deps:
                if os.path.dirname(d).startswith("user/collectors"):
                    failed.append("%s uses collector %s (only engine.c may)" % (src, d))
    # Cycles: Tarjan's strongly connected components with more than one object.
    index, low, stack, on, comps = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    for c in comps:
        failed.append("cycle: " + " <-> ".join(c))
    for f in failed:
        print("FAIL " + f)
    n = len(objs)
    print("layers: %d objects, %d dependencies, %d leaves" % (
        n, sum(len(d) for d in edges.values()), len(leaves)))
    print("%d passed, %d failed" % (1 if not failed else 0, len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
