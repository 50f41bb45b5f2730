#!/usr/bin/env python3
"""Fails if nn-kernels' kernels are compiled in a user's crate.

Reads the LLVM IR of this crate's `kernels` binary (built by
`check_shims.sh` with `--emit=llvm-ir`, in the dev and release profiles)
and lists every function it defines whose name mentions `nn_kernels`. Each
must be glue, not a kernel: no loop (no cycle in its control-flow graph),
no vector instruction, and at most MAX_INSTRUCTIONS instructions. The
public functions' forwarding shims (a match on the element type and a call
into nn-kernels), the checks of a `Weights` view and the derived `Debug` of
the error pass; any kernel compiled here, as every generic kernel was
before the kernels were compiled once in nn-kernels, loops over its data in
vectors, and fails.

Usage: check_shims.py FILE.ll [FILE.ll ...]
"""
import re
import subprocess
import sys

# Glue is a few dozen instructions at opt-level 0 (argument moves, slice
# casts, the call, building an error); the smallest kernel of the old code
# compiled here was several hundred.
MAX_INSTRUCTIONS = 200


def demangle(names):
    out = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True,
                         text=True, check=True).stdout.split("\n")
    return out[: len(names)]


def functions(path):
    """(symbol, body lines) for each function defined in the file."""
    name, body = None, []
    with open(path) as f:
        for line in f:
            if line.startswith("define "):
                m = re.search(r'@("[^"]+"|[\w.$]+)\(', line)
                name, body = m.group(1).strip('"'), []
            elif name is not None and line.startswith("}"):
                yield name, body
                name = None
            elif name is not None:
                body.append(line.rstrip("\n"))


def inspect(body):
    """Instruction count, whether the control-flow graph has a cycle, and
    whether any instruction works on vectors."""
    blocks, order, current = {}, [], None
    count, vector = 0, False
    for line in body:
        label = re.match(r"^([\w.]+):", line)
        if label:
            current = label.group(1)
            blocks[current] = set()
            order.append(current)
            continue
        text = line.strip()
        if not text or text.startswith(";") or text.startswith("#dbg"):
            continue
        if current is None:
            current = "entry"
            blocks[current] = set()
            order.append(current)
        if not text.startswith("]"):
            count += 1
        vector |= bool(re.search(r"<\d+ x (float|double|i\d+)>", text))
        blocks[current].update(re.findall(r"label %([\w.]+)", text))
    # Depth-first search for a back edge from the entry block.
    state, loop = {}, False

    def visit(b):
        nonlocal loop
        state[b] = 1
        for s in blocks.get(b, ()):
            if state.get(s) == 1:
                loop = True
            elif s not in state:
                visit(s)
        state[b] = 2

    if order:
        visit(order[0])
    return count, loop, vector


def main(paths):
    failed = 0
    for path in paths:
        funcs = [(s, b) for s, b in functions(path) if "nn_kernels" in s]
        names = demangle([s for s, _ in funcs])
        print(f"{path}: {len(funcs)} functions mention nn_kernels")
        for (sym, body), name in zip(funcs, names):
            count, loop, vector = inspect(body)
            ok = count <= MAX_INSTRUCTIONS and not loop and not vector
            failed += not ok
            verdict = "glue" if ok else "KERNEL CODE"
            notes = (", a loop" if loop else "") + (", vectors" if vector else "")
            print(f"  {verdict}: {count} instructions{notes}: {name[:150]}")
    if failed:
        print(f"FAIL: {failed} functions of nn-kernels with loops, vectors or over "
              f"{MAX_INSTRUCTIONS} instructions are compiled in the user's crate")
        return 1
    print("ok: the user's crate compiles no kernel of nn-kernels, only glue")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
