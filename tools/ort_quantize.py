#!/usr/bin/env python3
"""onnxruntime's own int8 accuracy on the Fashion-MNIST models: the peer number.

For every models/<name>.onnx (as listed in models/fashion_mnist.json):

  1. (default) onnxruntime.quantization.shape_inference.quant_pre_process:
     symbolic shape inference + ORT basic graph optimisation (this folds each
     BatchNormalization into the preceding Conv), as ORT's docs recommend;
     --no-preprocess skips it.
  2. onnxruntime.quantization.quantize_static with QuantFormat.QDQ,
     per_channel=True, activation_type=QUInt8, weight_type=QInt8 (the U8S8
     configuration ORT fuses to QLinearConv / QGemm on x86), reduce_range=False,
     other options default; calibration data: models/calibration_500.npy (500
     normalised training images) fed through a CalibrationDataReader in batches
     of 50. Once per calibration method: MinMax (ORT's default), Percentile
     (ORT's default 99.999th percentile), Entropy (ORT's defaults -- which make
     it equal to MinMax, see ENTROPY2048_OPTIONS) and Entropy2048 (ORT's entropy
     calibrator with 2048 histogram bins, ranges passed to quantize_static
     through calibration_cache_path). MinMax is also run once on the raw export
     without quant_pre_process, to show what pre-processing changes.
  3. the int8 model is written to models/ort_int8/<name>.<method>.onnx
     (git-ignored) and evaluated with onnxruntime (CPUExecutionProvider, all
     graph optimisations on, so the QDQ pairs run as fused int8 kernels) on
     the 10,000 Fashion-MNIST test images read from the Debian package's IDX
     files.

The float model is evaluated the same way, and its accuracy is checked
against the one recorded by tools/train.py. Results go to
docs/ORT_INT8_ACCURACY.md (and, machine-readable, models/ort_int8/results.json).

    .venv/bin/python tools/ort_quantize.py
    .venv/bin/python tools/ort_quantize.py --only resnet18 --methods MinMax

Needs only numpy, onnx and onnxruntime (tools/requirements.txt).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import platform
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                      create_calibrator, quantize_static)
from onnxruntime.quantization.calibrate import save_tensors_data
from onnxruntime.quantization.shape_inference import quant_pre_process

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist as fm  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS_DIR = os.path.join(ROOT, "models")
METHODS = {"MinMax": CalibrationMethod.MinMax, "Percentile": CalibrationMethod.Percentile,
           "Entropy": CalibrationMethod.Entropy, "Entropy2048": CalibrationMethod.Entropy}
# quantize_static's Entropy calibrator uses a 128-bin histogram and 128 quantized
# bins, so its KL search has a single candidate (the full range) and the result
# equals MinMax. "Entropy2048" runs ORT's own entropy calibrator with 2048
# histogram bins (the TensorRT setting) and hands its ranges to quantize_static
# through calibration_cache_path.
ENTROPY2048_OPTIONS = {"num_bins": 2048, "num_quantized_bins": 128}


class WarningCollector(logging.Handler):
    """Collects the quantizer's logging warnings (instead of printing them)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


class NpyReader(CalibrationDataReader):
    """Feeds the calibration images to the model input in fixed batches."""

    def __init__(self, x: np.ndarray, input_name: str, batch: int = 50):
        self.x, self.name, self.batch = x, input_name, batch
        self.rewind()

    def get_next(self):
        if self.pos >= len(self.x):
            return None
        b = self.x[self.pos:self.pos + self.batch]
        self.pos += self.batch
        return {self.name: b}

    def rewind(self):
        self.pos = 0


def session(path: str, threads: int) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.log_severity_level = 3  # no "Removing initializer ... not used" warnings
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def predict(path: str, x: np.ndarray, threads: int, batch: int = 500) -> np.ndarray:
    sess = session(path, threads)
    name = sess.get_inputs()[0].name
    return np.concatenate([sess.run(None, {name: x[i:i + batch]})[0] for i in range(0, len(x), batch)]).argmax(1)


def op_histogram(path: str) -> dict:
    m = onnx.load(path)
    hist = {}
    for n in m.graph.node:
        hist[n.op_type] = hist.get(n.op_type, 0) + 1
    return hist


def optimized_op_types(path: str, threads: int) -> list[str]:
    """Op types of the graph onnxruntime actually runs (after its fusions)."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        so = ort.SessionOptions()
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.intra_op_num_threads = threads
        so.log_severity_level = 3  # no "hardware specific optimizations" warning
        so.optimized_model_filepath = os.path.join(tmp, "opt.onnx")
        ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
        m = onnx.load(so.optimized_model_filepath)
    return sorted({n.op_type for n in m.graph.node})


def quantize(model_in: str, dst: str, calib: np.ndarray, input_name: str, method: str,
             workdir: str, name: str) -> None:
    cache = None
    if method == "Entropy2048":
        cache = os.path.join(workdir, f"{name}.entropy2048.calib.json")
        if os.path.exists(cache):
            os.remove(cache)
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            calibrator = create_calibrator(model_in, augmented_model_path=os.path.join(tmp, "augmented.onnx"),
                                           calibrate_method=CalibrationMethod.Entropy,
                                           extra_options=ENTROPY2048_OPTIONS)
            calibrator.collect_data(NpyReader(calib, input_name))
            save_tensors_data(calibrator.compute_data(), cache)
            del calibrator
    quantize_static(
        model_in, dst, NpyReader(calib, input_name),
        quant_format=QuantFormat.QDQ, per_channel=True, reduce_range=False,
        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
        calibrate_method=METHODS[method], calibration_cache_path=cache)


def main() -> int:
    ap = argparse.ArgumentParser(description="Quantize the Fashion-MNIST models with onnxruntime and "
                                             "record its int8 test accuracy.")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="only these models")
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS),
                    help="calibration methods (default: all three)")
    ap.add_argument("--no-preprocess", action="store_true", help="skip quant_pre_process")
    ap.add_argument("--out", default=os.path.join(MODELS_DIR, "ort_int8"), help="int8 model dir (git-ignored)")
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "ORT_INT8_ACCURACY.md"),
                    help="markdown report to write ('' to skip)")
    ap.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads (default 1)")
    args = ap.parse_args()

    with open(os.path.join(MODELS_DIR, "fashion_mnist.json")) as f:
        meta = json.load(f)
    recorded = meta["models"]
    names = [n for n in recorded if not args.only or n in args.only]
    if args.only and len(names) != len(args.only):
        ap.error(f"unknown model(s): {sorted(set(args.only) - set(names))}")
    os.makedirs(args.out, exist_ok=True)

    calib = np.load(os.path.join(MODELS_DIR, meta["calibration"]))
    xte, yte = fm.load("test")
    print(f"onnxruntime {ort.__version__}, onnx {onnx.__version__}, numpy {np.__version__}; "
          f"calibration {calib.shape}, test {xte.shape}", flush=True)

    results = {}
    t_all = time.time()
    for name in names:
        src = os.path.join(MODELS_DIR, f"{name}.onnx")
        pred_f = predict(src, xte, args.threads)
        acc_f = float((pred_f == yte).mean())
        if acc_f != recorded[name]["ort_acc"]:
            print(f"WARNING: {name}: float accuracy {acc_f} != recorded {recorded[name]['ort_acc']}")
        r = {"float_acc": acc_f, "recorded_float_acc": recorded[name]["ort_acc"],
             "preprocessed": not args.no_preprocess, "methods": {}}
        model_in = src
        if not args.no_preprocess:
            model_in = os.path.join(args.out, f"{name}.pre.onnx")
            quant_pre_process(src, model_in)
        input_name = onnx.load(model_in).graph.input[0].name
        print(f"{name}: float {acc_f:.4f}", flush=True)
        for method in args.methods:
            dst = os.path.join(args.out, f"{name}.{method.lower()}.onnx")
            t0 = time.time()
            collector = WarningCollector()
            root = logging.getLogger()
            root.addHandler(collector)
            try:
                # the calibrators print progress to stdout; keep the log readable
                with contextlib.redirect_stdout(io.StringIO()):
                    quantize(model_in, dst, calib, input_name, method, args.out, name)
            except Exception as e:  # record and go on
                msg = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
                print(f"  {method}: FAILED {msg}", flush=True)
                r["methods"][method] = {"error": msg}
                continue
            finally:
                root.removeHandler(collector)
            t_q = time.time() - t0
            if collector.messages:
                r.setdefault("warnings", sorted(set(collector.messages)))
            pred_q = predict(dst, xte, args.threads)
            acc_q = float((pred_q == yte).mean())
            agree = float((pred_q == pred_f).mean())
            r["methods"][method] = {"acc": acc_q, "agreement": agree, "quantize_seconds": round(t_q, 1),
                                    "bytes": os.path.getsize(dst), "warnings": len(collector.messages)}
            if method == args.methods[0]:
                r["qdq_ops"] = op_histogram(dst)
                r["ort_kernels"] = optimized_op_types(dst, args.threads)
            print(f"  {method:11s} int8 {acc_q:.4f} (agreement with float {agree:.4f}, "
                  f"quantized in {t_q:.1f} s{f', {len(collector.messages)} quantizer warnings' if collector.messages else ''})",
                  flush=True)
        if not args.no_preprocess and "MinMax" in args.methods:
            # the same MinMax quantization of the raw export, to show what pre-processing changes
            dst = os.path.join(args.out, f"{name}.minmax_noprep.onnx")
            collector = WarningCollector()
            logging.getLogger().addHandler(collector)
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    quantize(src, dst, calib, input_name, "MinMax", args.out, name)
                pred_q = predict(dst, xte, args.threads)
                r["minmax_no_preprocess"] = {"acc": float((pred_q == yte).mean()),
                                             "agreement": float((pred_q == pred_f).mean()),
                                             "ort_kernels": optimized_op_types(dst, args.threads),
                                             "warnings": len(collector.messages)}
                print(f"  MinMax without quant_pre_process: int8 {r['minmax_no_preprocess']['acc']:.4f} "
                      f"(agreement {r['minmax_no_preprocess']['agreement']:.4f})", flush=True)
            except Exception as e:
                r["minmax_no_preprocess"] = {"error": f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"}
                print(f"  MinMax without quant_pre_process: FAILED {r['minmax_no_preprocess']['error']}")
            finally:
                logging.getLogger().removeHandler(collector)
        results[name] = r

    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    if args.doc:
        write_doc(args, results, time.time() - t_all)
        print(f"wrote {os.path.relpath(args.doc, ROOT)}")
    return 0


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            info = f.read()
        model = next((l.split(":", 1)[1].strip() for l in info.splitlines() if l.startswith("model name")), "?")
        flags = next((l.split(":", 1)[1].split() for l in info.splitlines() if l.startswith("flags")), [])
        isa = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx_vnni") if f in flags]
        return f"{model} ({', '.join(isa) or 'no AVX2'})"
    except OSError:
        return platform.processor() or "?"


def write_doc(args, results: dict, seconds: float) -> None:
    methods = args.methods
    labels = {"MinMax": "MinMax", "Percentile": "Percentile", "Entropy": "Entropy",
              "Entropy2048": "Entropy, 2048 bins"}

    def pct(v):
        return f"{100 * v:.2f}%"

    def cell(r, m, key):
        e = r["methods"].get(m, {})
        return pct(e[key]) if key in e else ("failed" if "error" in e else "-")

    first = methods[0]
    L = ["# onnxruntime int8 accuracy on the Fashion-MNIST models\n\n",
         "The peer number Octet's converter has to beat: top-1 accuracy on the 10,000 Fashion-MNIST test "
         "images of each float model in `models/` and of onnxruntime's own static int8 quantization of it "
         "(`onnxruntime.quantization.quantize_static`, QDQ, per-channel int8 weights, uint8 activations, "
         "calibrated on `models/calibration_500.npy`). Produced by `tools/ort_quantize.py` (command at the "
         "end).\n\n",
         "| model | float top-1 | " + " | ".join(f"ORT int8 top-1 ({labels[m]})" for m in methods)
         + f" | agreement with float top-1 ({labels[first]}) |\n",
         "|---|---:|" + "---:|" * len(methods) + "---:|\n"]
    for name, r in results.items():
        cells = [pct(r["float_acc"])] + [cell(r, m, "acc") for m in methods] + [cell(r, first, "agreement")]
        L.append(f"| `{name}` | " + " | ".join(cells) + " |\n")
    L.append("\n*float top-1*: the committed float model run by onnxruntime (it equals the accuracy recorded "
             "in `models/README.md`; the script warns otherwise). *agreement*: fraction of the 10,000 test "
             "images on which the int8 model's top-1 class equals the float model's.\n")

    L.append("\n### Agreement with the float model per calibration method\n\n")
    extra = any("minmax_no_preprocess" in r for r in results.values())
    L.append("| model | " + " | ".join(f"agreement ({labels[m]})" for m in methods)
             + (" | int8 top-1 (MinMax, no pre-processing) | agreement (MinMax, no pre-processing)" if extra else "")
             + " |\n")
    L.append("|---|" + "---:|" * (len(methods) + (2 if extra else 0)) + "\n")
    for name, r in results.items():
        cells = [cell(r, m, "agreement") for m in methods]
        if extra:
            e = r.get("minmax_no_preprocess", {})
            cells += [pct(e["acc"]) if "acc" in e else "-", pct(e["agreement"]) if "agreement" in e else "-"]
        L.append(f"| `{name}` | " + " | ".join(cells) + " |\n")

    L.append(f"\n### What onnxruntime runs ({labels[first]} int8 models)\n\n")
    L.append("Op types of each int8 model after onnxruntime's graph optimisations (`ORT_ENABLE_ALL`, "
             "`CPUExecutionProvider`), i.e. the kernels actually executed; `QLinear*`/`QGemm` are int8 "
             "kernels, anything else between `DequantizeLinear` and `QuantizeLinear` runs in float.\n\n")
    L.append("| model | kernels |\n|---|---|\n")
    for name, r in results.items():
        L.append(f"| `{name}` | {', '.join(r.get('ort_kernels', []))} |\n")

    notes = []
    for name, r in results.items():
        if r.get("warnings"):
            w = r["warnings"]
            notes.append(f"* `{name}`: the quantizer logged {len(w)} distinct warning(s), e.g. \"{w[0]}\".")
    failures = [(n, m, e["error"]) for n, r in results.items() for m, e in r["methods"].items() if "error" in e]
    notes += [f"* `{n}` {m}: quantization failed: {err}" for n, m, err in failures]
    L.append("\n## Notes\n\n")
    L.append("* ORT's `Entropy` method as reached through `quantize_static` builds 128-bin histograms and "
             "searches 128 quantized bins, so the KL search has a single candidate (the full range): its "
             "ranges, and hence its accuracies, equal MinMax's. The *Entropy, 2048 bins* column runs ORT's "
             "own entropy calibrator (`create_calibrator(..., CalibrationMethod.Entropy, extra_options="
             f"{ENTROPY2048_OPTIONS})`) and passes the ranges to `quantize_static` through "
             "`calibration_cache_path`.\n")
    L.append("* Percentile uses ORT's default 99.999th percentile (2048-bin histograms, symmetric).\n")
    if any("BatchNormalization" in r.get("ort_kernels", []) for r in results.values()):
        L.append("* BatchNormalization nodes that do not follow a Conv (DenseNet's pre-activation BN after "
                 "Concat / pooling) are not folded by `quant_pre_process`. `quantize_static` then quantizes "
                 "their scale and bias like a weight: the per-channel axis 1 is out of range for the rank-1 BN "
                 "parameters (the warnings below), so the scale falls back to a single per-tensor int8 scale, "
                 "and the BN itself runs in float between `DequantizeLinear` and `QuantizeLinear`.\n")
    if any("Shape" in r.get("ort_kernels", []) for r in results.values()):
        L.append("* BagNet's shortcut crop is exported as shape arithmetic (`Shape`, `Sub`, `Neg`, ... feeding "
                 "`Slice`, as the original BagNet code's `residual[:, :, :-diff, :-diff]` exports); onnxruntime "
                 "runs that part on int64 shapes, and the `Slice` on the quantized tensor.\n")
    L += [n + "\n" for n in notes]

    L.append("\n## Configuration\n\n")
    L.append(
        "* Pre-processing: `onnxruntime.quantization.shape_inference.quant_pre_process` "
        + ("**used**, default options (symbolic shape inference, ONNX shape inference and ORT basic graph "
           "optimisation, which folds each BatchNormalization that follows a Conv into the Conv). The second "
           "table also gives MinMax on the raw export without pre-processing.\n"
           if not args.no_preprocess else "**not used** (`--no-preprocess`).\n")
        + "* `quantize_static(model, out, reader, quant_format=QuantFormat.QDQ, per_channel=True, "
        "reduce_range=False, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, "
        "calibrate_method=...)`, other arguments default (asymmetric uint8 activations, symmetric "
        "per-channel int8 weights, no `extra_options`). U8S8 QDQ is the configuration onnxruntime fuses "
        "into `QLinearConv`/`QGemm` on x86.\n"
        "* Calibration data: `models/calibration_500.npy` (500 normalised training images, see "
        "`models/README.md`), fed by a `CalibrationDataReader` in batches of 50.\n"
        "* Evaluation: onnxruntime `CPUExecutionProvider`, `ORT_ENABLE_ALL` graph optimisations (QDQ "
        f"groups fused into int8 kernels), {args.threads} intra-op thread(s), batches of 500; test images "
        "from `/usr/share/datasets/fashion-mnist/t10k-{images-idx3,labels-idx1}-ubyte.gz`, normalised "
        "`(x / 255 - 0.2860) / 0.3530` (`tools/fashion_mnist.py`).\n"
        f"* Versions: onnxruntime {ort.__version__}, onnx {onnx.__version__}, numpy {np.__version__}, "
        f"Python {platform.python_version()}; CPU: {cpu_name()}.\n")
    L.append(f"* Time for the whole run: {seconds / 60:.1f} min on a shared 2-core machine (Entropy with "
             "2048 bins is by far the slowest part).\n")
    L.append("\n## Command\n\n")
    L.append("From the repository root (int8 models go to `models/ort_int8/`, git-ignored, with "
             "`results.json`; needs only `tools/requirements.txt`):\n\n")
    cmd = ".venv/bin/python tools/ort_quantize.py"
    if args.no_preprocess:
        cmd += " --no-preprocess"
    if args.only:
        cmd += " --only " + " ".join(args.only)
    if methods != list(METHODS):
        cmd += " --methods " + " ".join(methods)
    if args.threads != 1:
        cmd += f" --threads {args.threads}"
    L.append(f"    {cmd}\n")
    with open(args.doc, "w") as f:
        f.write("".join(L))


if __name__ == "__main__":
    sys.exit(main())
