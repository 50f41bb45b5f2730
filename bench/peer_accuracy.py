#!/usr/bin/env python3
"""Accuracy of the peers' f32 softmax on the rows of tests/accuracy.rs:
max relative error of any output (>= 1e-35) against float64.

    python3 bench/peer_accuracy.py
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VENV_PY = os.path.join(HERE, ".venv", "bin", "python")
if os.path.exists(VENV_PY) and os.path.realpath(sys.prefix) != os.path.realpath(os.path.join(HERE, ".venv")):
    os.execv(VENV_PY, [VENV_PY] + sys.argv)

import numpy as np  # noqa: E402


def rows(cols, span, n=20000):
    # The sweep of tests/accuracy.rs: golden-ratio steps over [centre - span, centre].
    i = np.arange(n * cols, dtype=np.float64)
    t = np.modf(i * 0.61803398875)[0]
    centres = np.array([0.0, 1.0, -3.7, 40.5, -1234.5, 1e5])
    c = np.repeat(centres[np.arange(n) % 6], cols)
    return (c - t * span).astype(np.float32).reshape(n, cols)


def exact(x):
    x = x.astype(np.float64)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def worst(got, want):
    m = want >= 1e-35
    return float(np.max(np.abs(got.astype(np.float64)[m] - want[m]) / want[m]))


def main():
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper

    node = helper.make_node("Softmax", ["x"], ["y"], axis=-1)
    g = helper.make_graph([node], "s", [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    try:
        import torch
    except Exception:  # pragma: no cover - torch is optional
        torch = None
    print("| library | cols | span | max relative error |")
    print("|---|---|---|---|")
    for cols in (7, 33):
        for span in (15.9, 80.0, 100.0):
            x = rows(cols, span)
            want = exact(x)
            e = np.exp(x - x.max(axis=1, keepdims=True))
            print(f"| numpy (chapter form, f32) | {cols} | {span} | {worst(e / e.sum(axis=1, keepdims=True), want):.2e} |")
            print(f"| onnxruntime | {cols} | {span} | {worst(sess.run(None, {'x': x})[0], want):.2e} |")
            if torch is not None:
                print(f"| pytorch | {cols} | {span} | {worst(torch.softmax(torch.from_numpy(x), 1).numpy(), want):.2e} |")


if __name__ == "__main__":
    main()
