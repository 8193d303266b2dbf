#!/usr/bin/env python3
"""Generate ONNX backend node conformance cases for the op types Octet supports.

The cases come from the installed ``onnx`` package's own node test generators
(``onnx.backend.test.case.node.<module>``). Importing one of those modules runs
its ``export*`` static methods (via the ``_Exporter`` metaclass), and each of
them calls ``onnx.backend.test.case.node.expect``, which appends ``TestCase``
objects to ``onnx.backend.test.case.node._NodeTestCases``. We import only the
modules for the op types we care about, then keep the cases whose graph uses
only those op types, and write them in the standard backend-test layout::

    OUTDIR/<case_name>/model.onnx
    OUTDIR/<case_name>/test_data_set_0/input_K.pb    (TensorProto)
    OUTDIR/<case_name>/test_data_set_0/output_K.pb   (TensorProto)
    OUTDIR/index.tsv                                 (case_name<TAB>op_type)

Function-expanded variants (``*_expanded``) are kept only when every node of
the expanded graph is itself one of the supported op types (e.g. HardSwish ->
HardSigmoid + Mul). Cases whose inputs/outputs are not plain tensors
(sequences, optionals) are skipped.

Depends only on onnx + numpy.

Usage: python tools/gen_conformance.py OUTDIR
"""
from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import time
from collections import Counter

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

# op type -> module name under onnx.backend.test.case.node
OP_MODULES = {
    "Conv": "conv",
    "ConvTranspose": "convtranspose",
    "Gemm": "gemm",
    "MatMul": "matmul",
    "MaxPool": "maxpool",
    "AveragePool": "averagepool",
    "GlobalAveragePool": "globalaveragepool",
    "GlobalMaxPool": "globalmaxpool",
    "BatchNormalization": "batch_normalization",
    "Add": "add",
    "Mul": "mul",
    "Div": "div",
    "Sub": "sub",
    "Relu": "relu",
    "Clip": "clip",
    "PRelu": "prelu",
    "LeakyRelu": "leakyrelu",
    "Sigmoid": "sigmoid",
    "HardSigmoid": "hardsigmoid",
    "HardSwish": "hardswish",
    "Tanh": "tanh",
    "Softmax": "softmax",
    "Flatten": "flatten",
    "Reshape": "reshape",
    "Transpose": "transpose",
    "Squeeze": "squeeze",
    "Unsqueeze": "unsqueeze",
    "Concat": "concat",
    "Pad": "pad",
    "Slice": "slice",
    "Resize": "resize",
    "Identity": "identity",
    "Dropout": "dropout",
    "LRN": "lrn",
    "Sum": "sum",
    "Constant": "constant",
}
OP_TYPES = set(OP_MODULES)


def collect_cases():
    """Import the selected generator modules and return their TestCases."""
    node_pkg = importlib.import_module("onnx.backend.test.case.node")
    # No op-type filter inside expect(): we filter ourselves afterwards.
    node_pkg._TargetOpType = None
    for mod in sorted(set(OP_MODULES.values())):
        importlib.import_module(f"onnx.backend.test.case.node.{mod}")
    return list(node_pkg._NodeTestCases)


def is_tensor_value(v) -> bool:
    # Scalars such as np.float32(1.0) are 0-d tensors.
    return isinstance(v, (np.ndarray, np.generic, TensorProto))


def to_tensor_proto(value, name: str) -> TensorProto:
    if isinstance(value, TensorProto):
        t = TensorProto()
        t.CopyFrom(value)
        if not t.name:
            t.name = name
        return t
    return numpy_helper.from_array(np.asarray(value), name)


def classify(case) -> str | None:
    """Return the target op type of a case, or None if it should be skipped."""
    nodes = case.model.graph.node
    ops = {n.op_type for n in nodes}
    domains = {n.domain for n in nodes}
    if not domains <= {"", "ai.onnx"}:
        return None
    if not ops <= OP_TYPES:
        return None
    if "_expanded" not in case.name and len(nodes) == 1:
        return nodes[0].op_type
    # Expanded function body: attribute it to the op named in the case
    # (test_<module>_..._expanded), longest matching module name wins.
    stem = case.name[len("test_"):] if case.name.startswith("test_") else case.name
    best = None
    for op, mod in OP_MODULES.items():
        if stem.startswith(mod) and (best is None or len(mod) > len(OP_MODULES[best])):
            best = op
    return best


def write_case(outdir: str, case) -> None:
    case_dir = os.path.join(outdir, case.name)
    os.makedirs(case_dir, exist_ok=True)
    with open(os.path.join(case_dir, "model.onnx"), "wb") as f:
        f.write(case.model.SerializeToString())
    graph = case.model.graph
    for i, (inputs, outputs) in enumerate(case.data_sets):
        ds = os.path.join(case_dir, f"test_data_set_{i}")
        os.makedirs(ds, exist_ok=True)
        for k, value in enumerate(inputs):
            with open(os.path.join(ds, f"input_{k}.pb"), "wb") as f:
                f.write(to_tensor_proto(value, graph.input[k].name).SerializeToString())
        for k, value in enumerate(outputs):
            with open(os.path.join(ds, f"output_{k}.pb"), "wb") as f:
                f.write(to_tensor_proto(value, graph.output[k].name).SerializeToString())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir", help="output directory (replaced if it exists)")
    args = ap.parse_args()

    t0 = time.time()
    cases = collect_cases()

    selected = []
    skipped = Counter()
    for case in cases:
        if case.model is None or not case.data_sets:
            skipped["no model/data"] += 1
            continue
        op = classify(case)
        if op is None:
            skipped["other op types"] += 1
            continue
        if not all(
            is_tensor_value(v) for ins, outs in case.data_sets for v in list(ins) + list(outs)
        ) or not all(vi.type.HasField("tensor_type") for vi in list(case.model.graph.input) + list(case.model.graph.output)):
            skipped["non-tensor values"] += 1
            continue
        selected.append((case, op))

    if os.path.exists(args.outdir):
        shutil.rmtree(args.outdir)
    os.makedirs(args.outdir)

    selected.sort(key=lambda x: x[0].name)
    counts = Counter()
    with open(os.path.join(args.outdir, "index.tsv"), "w") as idx:
        idx.write("case_name\top_type\n")
        for case, op in selected:
            write_case(args.outdir, case)
            idx.write(f"{case.name}\t{op}\n")
            counts[op] += 1

    print(f"onnx {onnx.__version__}: wrote {len(selected)} cases to {args.outdir} "
          f"in {time.time() - t0:.1f}s")
    for op in sorted(OP_TYPES):
        print(f"  {op:20s} {counts.get(op, 0):4d}")
    if skipped:
        print("skipped: " + ", ".join(f"{k}={v}" for k, v in sorted(skipped.items())))
    missing = sorted(op for op in OP_TYPES if counts.get(op, 0) == 0)
    if missing:
        print("WARNING: no cases for " + ", ".join(missing), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
