#!/usr/bin/env python3
"""Checks the library's module graph and file sizes (run by .ci/run).

- No import cycle between files of src/: each `use crate::..`, `use
  super::..` and each inline `crate::a::b` path is an edge from the file to
  the file of the module it names (the deepest one that exists); a cycle is
  a strongly connected component of two or more files. `mod` declarations
  and references a file makes to its own module (`use super::*` in a child)
  are not edges of the kind that matters here: a parent may name its
  children, and a child its parent.
- No Rust file of the repository over MAX_LINES lines.

Usage: .ci/module_graph.py [--print] [--root DIR]   (--print lists every
edge; --root checks another checkout)
"""
import os
import re
import subprocess
import sys

MAX_LINES = 500
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
if "--root" in sys.argv:
    ROOT = sys.argv[sys.argv.index("--root") + 1]


def module_of(path):
    """src/a/b.rs -> ('a', 'b'); src/a/mod.rs -> ('a',); src/lib.rs -> ()."""
    rel = os.path.relpath(path, os.path.join(ROOT, "src"))[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib"):
        rel = rel[:-1]
    return tuple(rel)


def strip(text):
    """The code without comments and string literals."""
    text = re.sub(r'"(\\.|[^"\\])*"', '""', text)
    return re.sub(r"//[^\n]*", "", text)


def expand(tree):
    """A use tree (`a::{b, c::{d}}`) as flat paths."""
    tree = tree.strip()
    i = tree.find("{")
    if i < 0:
        return [tree.split(" as ")[0].strip()]
    prefix, inner = tree[:i], tree[i + 1 : tree.rfind("}")]
    parts, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    parts.append(cur)
    return [prefix + p for part in parts if part.strip() for p in expand(part)]


def resolve(here, path, modules):
    """The module a path from module `here` names: the deepest existing one."""
    segs = [s for s in path.split("::") if s]
    if not segs:
        return None
    if segs[0] == "crate":
        base, segs = (), segs[1:]
    elif segs[0] == "super":
        base = here
        while segs and segs[0] == "super":
            base, segs = base[:-1], segs[1:]
    elif segs[0] == "self":
        base, segs = here, segs[1:]
    else:
        return None
    best = base
    for i in range(len(segs)):
        cand = base + tuple(segs[: i + 1])
        if cand in modules:
            best = cand
    return best


def main():
    files = subprocess.run(["git", "ls-files", "src"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.split()
    files = [os.path.join(ROOT, f) for f in files if f.endswith(".rs")]
    modules = {module_of(f): f for f in files}
    edges = set()
    for f in files:
        here = module_of(f)
        # A file's own module for `super`: a mod.rs's super is its parent.
        code = strip(open(f).read())
        paths = []
        for m in re.finditer(r"\buse\s+([^;]+);", code):
            paths += expand(m.group(1))
        paths += re.findall(r"(?<![\w$])((?:crate|super)(?:::\w+)+)", code)
        for p in paths:
            target = resolve(here, p, modules)
            if target is None or target == here:
                continue
            # A child naming its parent, or a parent its child, is allowed.
            if here[: len(target)] == target:
                continue
            edges.add((here, target))
    if "--print" in sys.argv:
        for a, b in sorted(edges):
            print("::".join(a) or "crate", "->", "::".join(b) or "crate")
    # Strongly connected components (Tarjan).
    graph = {m: [b for a, b in edges if a == m] for m in modules}
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
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
                sccs.append(comp)

    sys.setrecursionlimit(10000)
    for v in modules:
        if v not in index:
            visit(v)
    failed = False
    for comp in sccs:
        failed = True
        print("import cycle:", ", ".join(os.path.relpath(modules[m], ROOT) for m in comp))
    rs = subprocess.run(["git", "ls-files", "*.rs"], cwd=ROOT, capture_output=True,
                        text=True, check=True).stdout.split()
    for f in rs:
        n = sum(1 for _ in open(os.path.join(ROOT, f)))
        if n > MAX_LINES:
            failed = True
            print(f"{f}: {n} lines (at most {MAX_LINES})")
    if failed:
        return 1
    print(f"module graph: {len(modules)} files of src/, {len(edges)} imports, no cycle; "
          f"no Rust file over {MAX_LINES} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
