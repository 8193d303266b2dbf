#!/usr/bin/env python3
"""Classic CNNs on Octet's float path vs onnxruntime.

The onnx wheel ships nine classic ImageNet architectures as "light" models
(onnx/backend/test/data/light/*.onnx: AlexNet, ZFNet-512, VGG-19, GoogLeNet v1 and
BN-Inception (v2), DenseNet-121, SqueezeNet, ShuffleNet, caffe2 ResNet-50), opset 9, every
weight a ConstantOfShape node filling 0.02 (BatchNorm statistics are stored initializers).
For each model this script:

1. replaces every weight (the ConstantOfShape nodes) and every float initializer by seeded
   random values of the same shape, chosen by what reads them so activations stay O(1):
   conv / Gemm weights He-normal (std = sqrt(2 / fan_in)), biases N(0, 0.01²), BatchNorm
   scale U(0.5, 1.5) and bias N(0, 0.1²), the per-channel Mul/Add after DenseNet's and
   BN-Inception's BatchNorm alike; then sets each BatchNorm's mean and variance (> 0) to the
   statistics of its input on the test input (variance times U(0.8, 1.25)), as a trained
   network's running statistics would be, so activations stay O(1) through residual sums
   (one onnxruntime run per level of BatchNorm depth);
2. adds the Softmax input (the logits) as an extra graph output when the model ends in a
   Softmax, so a saturated softmax cannot hide an error;
3. writes the model to models/classic/<name>.onnx (git-ignored; VGG-19 alone is 575 MB),
   with a seeded N(0, 1) input <name>.input.npy of shape [1, 3, 224, 224];
4. runs onnxruntime (CPU, graph optimizations disabled, one thread) and Octet's float path
   (`octet run MODEL --input X --output Y`) on that input, and reports per output the
   relative error max|octet − ort| / max|ort| against the bar 1e-3, beside the same measure
   between onnxruntime with and without its graph optimizations (the float noise floor).

5. converts the model to int8 (`octet convert`, calibrated on --calibration-samples other
   seeded inputs) and runs it (`octet run`), reporting the output SQNR against onnxruntime's
   float output and whether the top-1 class agrees.

Writes docs/CLASSIC_MODELS.md. Exits 1 if any model misses the bar or fails to run.

    swift build --product octet          # or -c release; --octet picks the binary
    .venv/bin/python tools/classic_models.py [--only alexnet vgg19] [--seed 0]
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

BAR = 1e-3
# Short name -> file stem in onnx/backend/test/data/light, and the architecture's name.
MODELS = {
    "alexnet": ("light_bvlc_alexnet", "AlexNet (BVLC)"),
    "zfnet512": ("light_zfnet512", "ZFNet-512"),
    "vgg19": ("light_vgg19", "VGG-19"),
    "inception_v1": ("light_inception_v1", "GoogLeNet (Inception v1)"),
    "inception_v2": ("light_inception_v2", "BN-Inception (Inception v2)"),
    "densenet121": ("light_densenet121", "DenseNet-121"),
    "squeezenet": ("light_squeezenet", "SqueezeNet 1.0"),
    "shufflenet": ("light_shufflenet", "ShuffleNet (caffe2)"),
    "resnet50": ("light_resnet50", "ResNet-50 (caffe2)"),
}


def light_dir() -> str:
    return os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "light")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def final_consumers(graph, name):
    """(op_type, input index, node) of every node reading `name`, looking through Unsqueeze and
    the data input of Reshape (GoogLeNet's classifier weight is reshaped before its Gemm)."""
    readers = []
    for node in graph.node:
        for k, i in enumerate(node.input):
            if i != name:
                continue
            if node.op_type == "Unsqueeze" or (node.op_type == "Reshape" and k == 0):
                readers += final_consumers(graph, node.output[0])
            else:
                readers.append((node.op_type, k, node))
    return readers


def random_weight(rng, graph, name, shape):
    """Seeded values for the constant `name` of `shape`, scaled by the role its readers give it."""
    readers = final_consumers(graph, name)
    roles = {(op, k) for op, k, _ in readers}
    if len(roles) != 1:
        raise SystemExit(f"constant '{name}' {shape}: readers {sorted(roles)}; expected one role")
    op, k = roles.pop()
    node = readers[0][2]
    size = int(np.prod(shape)) if shape else 1
    if (op, k) == ("Conv", 1):  # [O, C/groups, kH, kW]
        fan_in = int(np.prod(shape[1:]))
        return rng.standard_normal(shape, dtype=np.float32) * np.float32(np.sqrt(2.0 / fan_in))
    if (op, k) == ("Gemm", 1):  # B [N, K] with transB, else [K, N] (possibly before a Reshape)
        trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
        fan_in = shape[-1] if trans_b else size // shape[-1]
        return rng.standard_normal(shape, dtype=np.float32) * np.float32(np.sqrt(2.0 / fan_in))
    if (op, k) in {("Conv", 2), ("Gemm", 2)}:
        return rng.standard_normal(shape, dtype=np.float32) * np.float32(0.01)
    if (op, k) in {("BatchNormalization", 1), ("BatchNormalization", 4), ("Mul", 1)}:
        return rng.uniform(0.5, 1.5, size).astype(np.float32).reshape(shape)
    if (op, k) in {("BatchNormalization", 2), ("BatchNormalization", 3), ("Add", 1)}:
        return rng.standard_normal(shape, dtype=np.float32) * np.float32(0.1)
    raise SystemExit(f"constant '{name}' {shape}: no random rule for input {k} of {op}")


def randomize(model: onnx.ModelProto, seed: int) -> tuple[onnx.ModelProto, int, int]:
    """The model with random weights; returns it, the number of tensors and of parameters replaced."""
    rng = np.random.default_rng(seed)
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    replaced, params = 0, 0
    new_inits = []
    # Float initializers (BatchNorm statistics, …) first, in file order.
    for t in graph.initializer:
        if t.data_type != TensorProto.FLOAT:
            new_inits.append(t)  # shapes (int64) stay
            continue
        shape = list(t.dims)
        if not final_consumers(graph, t.name):
            continue  # unused (caffe2's data-queue blob in ResNet-50): dropped
        new_inits.append(numpy_helper.from_array(random_weight(rng, graph, t.name, shape), t.name))
        replaced, params = replaced + 1, params + int(np.prod(shape))
    # Weights: ConstantOfShape(shape initializer) → an initializer of random values.
    kept_nodes = []
    for node in graph.node:
        if node.op_type == "ConstantOfShape" and node.input[0] in inits:
            shape = [int(d) for d in numpy_helper.to_array(inits[node.input[0]])]
            name = node.output[0]
            new_inits.append(numpy_helper.from_array(random_weight(rng, graph, name, shape), name))
            replaced, params = replaced + 1, params + int(np.prod(shape))
        else:
            kept_nodes.append(node)
    used = {i for n in kept_nodes for i in n.input}
    new_inits = [t for t in new_inits if t.name in used]  # drop the ConstantOfShape shape inputs
    del graph.initializer[:]
    graph.initializer.extend(new_inits)
    # IR version 3 (these files) lists every initializer among the graph inputs.
    init_names = {t.name for t in new_inits}
    inputs = [i for i in graph.input if i.name in init_names or i.name not in inits]
    listed = {i.name for i in inputs}
    inputs += [helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)) for t in new_inits if t.name not in listed]
    del graph.input[:]
    graph.input.extend(inputs)
    del graph.node[:]
    graph.node.extend(kept_nodes)
    # Logits as an extra output when the model ends in Softmax.
    last = graph.node[-1]
    declared = {o.name: o for o in graph.output}
    if last.op_type == "Softmax" and last.output[0] in declared:
        logits = onnx.ValueInfoProto()
        logits.CopyFrom(declared[last.output[0]])  # Softmax keeps the shape
        logits.name = last.input[0]
        graph.output.append(logits)
    onnx.checker.check_model(model)
    return model, replaced, params


def match_batchnorm(model: onnx.ModelProto, x: np.ndarray, seed: int) -> int:
    """Sets every BatchNormalization's mean and variance to the statistics its input has on `x`
    (per channel over N, H, W; the variance times a random factor in [0.8, 1.25], floored at 1%
    of the layer's median), as a trained network's running statistics would be. Random
    statistics alone let residual networks grow to logits of 1e5, where the softmax is one-hot.

    A BatchNorm is measured once every BatchNorm upstream of it is set: one onnxruntime session
    with the BatchNorm inputs as extra outputs and the statistics as graph inputs, fed anew on
    each run, one run per level of BatchNorm depth. Returns the number of runs."""
    graph = model.graph
    bn = [n for n in graph.node if n.op_type == "BatchNormalization"]
    if not bn:
        return 0
    # BatchNorms upstream of each value (graph order is topological).
    upstream: dict[str, frozenset] = {}
    needs = {}
    for node in graph.node:
        above = frozenset().union(*(upstream.get(i, frozenset()) for i in node.input))
        if node.op_type == "BatchNormalization":
            needs[node.name or node.output[0]] = above
            above = above | {node.name or node.output[0]}
        for o in node.output:
            upstream[o] = above
    rng = np.random.default_rng(seed)
    index = {t.name: i for i, t in enumerate(graph.initializer)}
    feeds = {}
    for n in bn:
        for name in (n.input[3], n.input[4]):
            feeds[name] = numpy_helper.to_array(graph.initializer[index[name]])
    factors = {n.input[4]: rng.uniform(0.8, 1.25, feeds[n.input[4]].shape) for n in bn}
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    probe.graph.output.extend(helper.make_tensor_value_info(n.input[0], TensorProto.FLOAT, None) for n in bn)
    # The statistics become plain graph inputs (already listed as inputs: IR version 3).
    kept = [t for t in probe.graph.initializer if t.name not in feeds]
    del probe.graph.initializer[:]
    probe.graph.initializer.extend(kept)
    session = ort_session(probe.SerializeToString())
    data = next(i.name for i in graph.input if i.name not in index)
    names = [o.name for o in session.get_outputs()]
    done, runs = set(), 0
    while len(done) < len(bn):
        values = dict(zip(names, session.run(names, {data: x, **feeds})))
        runs += 1
        ready = [n for n in bn if (n.name or n.output[0]) not in done and needs[n.name or n.output[0]] <= done]
        for n in ready:
            v = values[n.input[0]].astype(np.float64)
            axes = tuple(a for a in range(v.ndim) if a != 1)
            mean, var = v.mean(axis=axes), v.var(axis=axes)
            var = np.maximum(var, 0.01 * np.median(var) + 1e-6) * factors[n.input[4]]
            feeds[n.input[3]], feeds[n.input[4]] = mean.astype(np.float32), var.astype(np.float32)
        done |= {n.name or n.output[0] for n in ready}
    for name, value in feeds.items():
        graph.initializer[index[name]].CopyFrom(numpy_helper.from_array(value, name))
    return runs


def ort_session(model_bytes: bytes, optimize: bool = False):
    """onnxruntime on the CPU, one thread, graph optimizations disabled (or all enabled)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    level = ort.GraphOptimizationLevel
    opts.graph_optimization_level = level.ORT_ENABLE_ALL if optimize else level.ORT_DISABLE_ALL
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(model_bytes, opts, providers=["CPUExecutionProvider"])


def run_ort(path: str, x: np.ndarray, optimize: bool = False) -> tuple[list[str], list[np.ndarray]]:
    with open(path, "rb") as f:
        sess = ort_session(f.read(), optimize)
    names = [o.name for o in sess.get_outputs()]
    return names, sess.run(names, {sess.get_inputs()[0].name: x})


def run_octet(octet: str, path: str, x_path: str, names: list[str], tmp: str) -> tuple[list[np.ndarray], float]:
    out = os.path.join(tmp, "y.npy")
    start = time.perf_counter()
    proc = subprocess.run([octet, "run", path, "--input", x_path, "--output", out, "--top-k", "0"],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip() or proc.stdout.strip())
    # `octet run` writes output 0 to `out`, output i > 0 beside it; its summary names each file.
    files = [line.split(" -> ", 1)[1].strip() for line in proc.stdout.splitlines()
             if line.startswith("output:") and " -> " in line]
    if len(files) != len(names):
        raise RuntimeError(f"octet wrote {len(files)} outputs, onnxruntime has {len(names)}")
    return [np.load(f) for f in files], seconds


def run_int8(octet: str, path: str, x_path: str, calib_path: str, names: list[str], tmp: str) -> tuple[list[np.ndarray], float]:
    """`octet convert` (calibration on `calib_path`, bias correction and equalization off: they
    only move biases and scales and double the conversion time), then `octet run` of the .octet."""
    model = os.path.join(tmp, "model.octet")
    start = time.perf_counter()
    proc = subprocess.run([octet, "convert", path, "--calibration", calib_path, "-o", model, "--bias-correction", "off",
                           "--equalization", "off"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip() or proc.stdout.strip())
    got, _ = run_octet(octet, model, x_path, names, tmp)
    return got, seconds


def sqnr_db(got: np.ndarray, want: np.ndarray) -> float:
    noise = float(np.sum((got.astype(np.float64) - want) ** 2))
    return float("inf") if noise == 0 else 10 * np.log10(float(np.sum(want.astype(np.float64) ** 2)) / noise)


def main() -> int:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="+", choices=sorted(MODELS), help="models to run (default: all nine)")
    ap.add_argument("--seed", type=int, default=0, help="base seed of weights and inputs")
    ap.add_argument("--out-dir", default=os.path.join(root, "models", "classic"))
    ap.add_argument("--octet", default=None, help="octet binary (default: .build/release/octet, else .build/debug/octet)")
    ap.add_argument("--report", default=os.path.join(root, "docs", "CLASSIC_MODELS.md"))
    ap.add_argument("--calibration-samples", type=int, default=4,
                    help="seeded N(0, 1) inputs the int8 conversion calibrates on (default 4)")
    args = ap.parse_args()
    octet = args.octet
    if octet is None:
        for build in ("release", "debug"):
            candidate = os.path.join(root, ".build", build, "octet")
            if os.path.exists(candidate):
                octet = candidate
                break
    if octet is None or not os.path.exists(octet):
        sys.exit("no octet binary: run `swift build --product octet` (or -c release) first, or pass --octet")
    os.makedirs(args.out_dir, exist_ok=True)

    rows, failed = [], False
    for short in args.only or list(MODELS):
        stem, title = MODELS[short]
        seed = args.seed * 1_000_003 + zlib.crc32(short.encode())
        model, tensors, params = randomize(onnx.load(os.path.join(light_dir(), stem + ".onnx")), seed)
        x = np.random.default_rng(seed + 1).standard_normal((1, 3, 224, 224), dtype=np.float32)
        match_batchnorm(model, x, seed + 2)
        path = os.path.join(args.out_dir, short + ".onnx")
        onnx.save(model, path)
        x_path = os.path.join(args.out_dir, short + ".input.npy")
        np.save(x_path, x)
        ops = sorted({n.op_type for n in model.graph.node})
        names, want = run_ort(path, x)
        _, tuned = run_ort(path, x, optimize=True)  # the same runtime, other kernels: the float noise floor
        calib = np.random.default_rng(seed + 3).standard_normal((args.calibration_samples, 3, 224, 224), dtype=np.float32)
        calib_path = os.path.join(args.out_dir, short + ".calibration.npy")
        np.save(calib_path, calib)
        with tempfile.TemporaryDirectory() as tmp:
            try:
                got, seconds = run_octet(octet, path, x_path, names, tmp)
                error = None
            except RuntimeError as e:
                got, seconds, error = [], float("nan"), str(e)
            try:
                got8, convert_seconds = run_int8(octet, path, x_path, calib_path, names, tmp)
                int8_error = None
            except RuntimeError as e:
                got8, convert_seconds, int8_error = [], float("nan"), str(e)
        # int8 against onnxruntime's float output: SQNR and top-1 of the last output (the logits).
        int8_result = None
        if int8_error is None:
            g8, w8 = got8[-1].reshape(want[-1].shape), want[-1]
            int8_result = (names[-1], sqnr_db(g8, w8), int(g8.argmax()) == int(w8.argmax()), convert_seconds)
        failed |= int8_error is not None
        results = []
        for i, (name, w) in enumerate(zip(names, want)):
            noise = float(np.abs(tuned[i] - w).max() / np.abs(w).max())
            if error is not None:
                results.append((name, list(w.shape), float(np.abs(w).max()), float("nan"), noise, False, False))
                continue
            g = got[i]
            ok_shape = g.shape == w.shape
            rel = float(np.abs(g - w).max() / np.abs(w).max()) if ok_shape else float("nan")
            top = ok_shape and int(g.argmax()) == int(w.argmax())
            results.append((name, list(w.shape), float(np.abs(w).max()), rel, noise, top, ok_shape and rel <= BAR))
        ok = error is None and all(r[6] for r in results)
        failed |= not ok
        rows.append((short, title, params, tensors, ops, results, seconds, error, int8_result, int8_error))
        worst = max((r[3] for r in results), default=float("nan"))
        print(f"{short:13s} {params / 1e6:7.1f} M params  rel {worst:.2e}  {'ok' if ok else 'FAIL'}"
              + (f"  ({error})" if error else "")
              + (f"  int8 {int8_result[1]:.1f} dB" if int8_result else f"  int8 FAILED ({int8_error})"), flush=True)

    binary = os.path.relpath(octet, root)
    with open(args.report, "w") as f:
        f.write("# Classic CNNs: Octet float path vs onnxruntime\n\n")
        f.write("The nine classic architectures shipped in the onnx wheel (`onnx/backend/test/data/light`, opset 9, "
                "weights 0.02 everywhere there) with seeded random weights (He-normal conv/Gemm weights, random "
                "BatchNorm scale/bias, BatchNorm mean/variance set to the statistics of each layer's input on the "
                "test input with the variance scaled by U(0.8, 1.25)), written to `models/classic/` (git-ignored) and run on "
                "one seeded N(0, 1) input of shape [1, 3, 224, 224]. Octet runs each file through its importer, passes "
                "and float path via `octet run`; onnxruntime runs it on the CPU with graph optimizations disabled. "
                "Models ending in Softmax also output its input (the logits).\n\n")
        f.write(f"Relative error = max|octet − ort| / max|ort| per output; bar: ≤ {BAR:g}. The column *ort opt vs not* is "
                "the same measure between onnxruntime with all graph optimizations and without (other kernels, fused "
                "BatchNorm): the float rounding noise these weights amplify. The BatchNorm networks sit near 1e-5 there "
                "because a BatchNorm fitted to one input's statistics magnifies its small-variance channels.\n\n")
        f.write("| model | params | ops | output | shape | max abs(ort) | relative error | ort opt vs not | same top-1 | "
                "within bar | `octet run` wall s |\n")
        f.write("|---|---|---|---|---|---|---|---|---|---|---|\n")
        for short, title, params, tensors, ops, results, seconds, error, _, _ in rows:
            for j, (name, shape, ref, rel, noise, top, ok) in enumerate(results):
                lead = (f"| {title} | {params / 1e6:.1f} M | {', '.join(ops)} |" if j == 0 else "| | | |")
                f.write(f"{lead} {name} | {shape} | {ref:.3g} | {rel:.2e} | {noise:.1e} | {'yes' if top else 'no'} | "
                        f"{'yes' if ok else '**no**'} | {seconds:.1f} |\n")
            if error:
                f.write(f"\n**{title}: octet failed:** {error}\n\n")
        f.write("\n## int8\n\n")
        f.write(f"Each model converted by `octet convert` (calibration: {args.calibration_samples} other seeded N(0, 1) inputs, "
                "`--bias-correction off --equalization off`), then run by `octet run` on the test input; compared with "
                "onnxruntime's float output (the logits where the model ends in Softmax). Random weights are no accuracy "
                "benchmark: this shows that every model converts and runs in int8. The BatchNorm networks (BN-Inception, "
                "DenseNet-121, ResNet-50) track float least; they are also the ones whose float outputs move most under "
                "rounding (column *ort opt vs not* above), their BatchNorms fitted to one input's statistics.\n\n")
        f.write("| model | int8 ops in float | output | SQNR vs onnxruntime fp32 (dB) | same top-1 | convert wall s |\n")
        f.write("|---|---|---|---|---|---|\n")
        for short, title, params, tensors, ops, results, seconds, error, int8_result, int8_error in rows:
            fallback = ", ".join(o for o in ("LRN", "Softmax") if o in ops) or "—"
            if int8_result:
                name, db, top, conv_s = int8_result
                f.write(f"| {title} | {fallback} | {name} | {db:.1f} | {'yes' if top else 'no'} | {conv_s:.1f} |\n")
            else:
                f.write(f"| {title} | {fallback} | — | **failed:** {int8_error} | — | — |\n")
        f.write(f"\nMachine: {cpu_model()}, {os.cpu_count()} cores; onnx {onnx.__version__}, onnxruntime "
                f"{__import__('onnxruntime').__version__}, seed {args.seed}, binary `{binary}`; produced by "
                "`.venv/bin/python tools/classic_models.py` (wall time includes process start, ONNX import and "
                "weight packing; it is not a benchmark).\n")
    print(f"wrote {args.report}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
