#!/usr/bin/env python3
"""Small single-purpose ONNX models with onnxruntime reference outputs, for the Swift tests of
ops the classic CNNs use (LRN). Each case NAME is written to
Tests/OctetConvertTests/Fixtures/ops/ (committed, a few KB) as:

    NAME.onnx        the model (opset 13, one float input "x", one output "y")
    NAME.input.npy   seeded float32 input
    NAME.expected.npy  the reference output: onnxruntime CPU (graph optimizations disabled,
                       one thread), or where onnxruntime lacks the case (LRN with an even size)
                       the spec's formula in float64 numpy (`lrn_numpy`, checked against
                       onnxruntime on every odd-size case). onnx.reference's LRN is not used:
                       in onnx 1.23.2 it loops over the batch axis instead of the channels.

Inputs are N(0, 30²) so the normalization is far from the identity (with AlexNet's alpha 1e-4
and bias 1 the divisor is then ~1.1, not ~1.0001). Output is byte-for-byte reproducible:

    .venv/bin/python tools/make_op_fixtures.py
"""
from __future__ import annotations

import argparse
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper


def lrn_numpy(x: np.ndarray, size: int, alpha: float, beta: float, bias: float) -> np.ndarray:
    """ONNX LRN from its definition, in float64: square_sum over channels
    [c - floor((size-1)/2), c + ceil((size-1)/2)] clipped to [0, C)."""
    x64 = x.astype(np.float64)
    channels = x.shape[1]
    square_sum = np.zeros_like(x64)
    for c in range(channels):
        lo, hi = max(0, c - (size - 1) // 2), min(channels - 1, c + size // 2)
        square_sum[:, c] = (x64[:, lo:hi + 1] ** 2).sum(axis=1)
    return (x64 / (bias + alpha / size * square_sum) ** beta).astype(np.float32)


def lrn_model(shape, size, alpha=None, beta=None, bias=None, conv_before=False):
    attrs = {"size": size}
    for key, value in (("alpha", alpha), ("beta", beta), ("bias", bias)):
        if value is not None:
            attrs[key] = value
    nodes, inits, lrn_in = [], [], "x"
    if conv_before:  # Conv → LRN → MaxPool: LRN between two NHWC ops inside Octet
        c = shape[1]
        w = np.random.default_rng(7).standard_normal((c, c, 3, 3)).astype(np.float32) * np.float32(np.sqrt(2 / (9 * c)))
        inits.append(numpy_helper.from_array(w, "w"))
        nodes.append(helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]))
        lrn_in = "c"
    nodes.append(helper.make_node("LRN", [lrn_in], ["n" if conv_before else "y"], name="lrn", **attrs))
    if conv_before:
        nodes.append(helper.make_node("MaxPool", ["n"], ["y"], name="pool", kernel_shape=[2, 2], strides=[2, 2]))
    out_shape = shape[:2] + [d // 2 for d in shape[2:]] if conv_before else shape
    graph = helper.make_graph(nodes, "lrn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_op_fixtures")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


# name -> (model, its 4-D twin for the references when the model is not 4-D).
CASES = {
    # AlexNet / GoogLeNet parameters (size 5, alpha 1e-4, beta 0.75, bias 1), ONNX defaults but size.
    "lrn_alexnet": (lambda: lrn_model([1, 7, 5, 6], 5), None),
    # Even window (asymmetric: one channel before, two after), non-default everything, batch 2.
    "lrn_even_window": (lambda: lrn_model([2, 13, 3, 4], 4, alpha=2e-3, beta=0.6, bias=2.0), None),
    # Window wider than the channel count.
    "lrn_wide_window": (lambda: lrn_model([1, 3, 4, 4], 7, alpha=1e-3, beta=1.0, bias=1.5), None),
    # 3-D input [N, C, L] (Octet views it as [N, C, L, 1]).
    "lrn_rank3": (lambda: lrn_model([1, 6, 10], 3, alpha=1e-3), lambda: lrn_model([1, 6, 10, 1], 3, alpha=1e-3)),
    # Conv → LRN → MaxPool, as in AlexNet's first layers.
    "lrn_after_conv": (lambda: lrn_model([1, 8, 6, 6], 5, conv_before=True), None),
}


def main() -> int:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(root, "Tests", "OctetConvertTests", "Fixtures", "ops"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    opts.intra_op_num_threads = 1
    for seed, (name, (make, make_4d)) in enumerate(sorted(CASES.items())):
        model = make()
        shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
        x = (np.random.default_rng(seed).standard_normal(shape) * 30).astype(np.float32)
        # Both references take 4-D inputs only: a 3-D case runs on its [N, C, L, 1] twin (LRN
        # mixes channels only, so the values are the same).
        ref_model, ref_x = (model, x) if len(shape) == 4 else (make_4d(), x[..., None])
        lrn = next(n for n in model.graph.node if n.op_type == "LRN")
        a = {at.name: helper.get_attribute_value(at) for at in lrn.attribute}
        params = (a["size"], a.get("alpha", 1e-4), a.get("beta", 0.75), a.get("bias", 1.0))
        if a["size"] % 2 == 1:
            sess = ort.InferenceSession(ref_model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
            (y,) = sess.run(["y"], {"x": ref_x})
            source = "onnxruntime"
            if lrn.input[0] == "x":  # the numpy formula must agree wherever onnxruntime runs
                check = lrn_numpy(ref_x, *params)
                assert np.abs(check - y).max() <= 1e-5 * np.abs(y).max(), name
        else:  # onnxruntime's LRN requires an odd size
            assert lrn.input[0] == "x"
            y = lrn_numpy(ref_x, *params)
            source = "numpy"
        y = y.reshape(shape) if len(shape) != 4 else y
        onnx.save(model, os.path.join(args.out, name + ".onnx"))
        np.save(os.path.join(args.out, name + ".input.npy"), x)
        np.save(os.path.join(args.out, name + ".expected.npy"), y.astype(np.float32))
        print(f"{name:18s} {source:15s} x {shape} -> y {list(y.shape)}  max|y| {np.abs(y).max():.3g}  "
              f"max|y - x|/max|x| {np.abs(y - x).max() / np.abs(x).max() if y.shape == x.shape else float('nan'):.3g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
