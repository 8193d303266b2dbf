#!/usr/bin/env python3
"""Octet vs ONNX Runtime vs LiteRT: latency side by side, interleaved in one run.

    ./tools/bench.sh                       # one command from a fresh clone: venv, models, build, this script
    .venv-bench/bin/python tools/bench_peers.py [--models timing|fashion|all] [--threads 1,2] ...

For every model (the five ImageNet-size timing models in models/timing/, 224², batch 1, and
the ten Fashion-MNIST models in models/):
  1. the same calibration samples go to all three converters: models/calibration_500.npy
     (first --calibration-samples images) for Fashion models; for the timing models those
     Fashion images bilinearly upsampled to 224×224 and repeated to 3 channels (there is no
     ImageNet on this machine; only the speed is measured there, and int8 speed does not
     depend on the ranges);
  2. Octet: `octet convert` (bias correction and equalization off: they change biases and
     weights, not the graph);
     ONNX Runtime: quantize_static QDQ, per-channel int8 weights, uint8 activations
     (tools/peer_runtimes.py); LiteRT: the ONNX weights rebuilt in Keras and converted to a
     full-integer int8 .tflite with float input/output (tools/onnx_to_keras.py), run by
     ai-edge-litert with XNNPACK;
  3. fp32 too: Octet's float reference path (OpenBLAS) vs ORT fp32 vs LiteRT fp32;
  4. timing: --rounds rounds; in each round, for each thread count, every runtime runs one
     block (--warmup untimed + --block timed invocations), so load changes on the machine hit
     all runtimes alike. Octet runs as `octet bench --json` (its own timer around invoke());
     the peers are timed here around their run call with the input already set;
  5. conversion time (--conversion-rounds, 0 skips it): `octet convert` with default options
     (equalization and bias correction in their auto modes) against onnxruntime's
     quant_pre_process + quantize_static on the same calibration images, alternating.

Writes docs/BENCHMARKS.md (table: min and median ms, Octet / best peer, % of the measured int8
roofline, the machine line) and docs/benchmarks.svg (min latency per model per runtime).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

TIMING = ["mobilenet_v1", "mobilenet_v2", "resnet18", "resnet50", "bagnet33"]
FASHION = ["lenet5", "vgg_small", "googlenet_small", "densenet_small", "resnext_small",
           "mobilenet_v1", "mobilenet_v2", "resnet18", "resnet50", "bagnet"]
INT8 = ["octet-int8", "ort-int8", "litert-int8"]
FP32 = ["octet-fp32", "ort-fp32", "litert-fp32"]


def model_list(which):
    timing = [("timing", n, os.path.join(ROOT, "models", "timing", n + ".onnx")) for n in TIMING]
    fashion = [("fashion", n, os.path.join(ROOT, "models", n + ".onnx")) for n in FASHION]
    return {"timing": timing, "fashion": fashion, "all": timing + fashion}[which]


def calibration(kind, count):
    x = np.load(os.path.join(ROOT, "models", "calibration_500.npy"))[:count].astype(np.float32)
    if kind == "fashion":
        return x
    import tensorflow as tf  # bilinear upsampling (the peers' venv has it)
    nhwc = tf.image.resize(np.transpose(x, (0, 2, 3, 1)), (224, 224), method="bilinear").numpy()
    return np.ascontiguousarray(np.repeat(np.transpose(nhwc, (0, 3, 1, 2)), 3, axis=1), dtype=np.float32)


class OctetRunner:
    """`octet bench --json` on one file: each block is one process (load excluded from timing)."""

    def __init__(self, octet, path, threads):
        self.octet, self.path, self.threads = octet, path, threads
        self.last = None

    def block(self, warmup, runs):
        p = subprocess.run([self.octet, "bench", self.path, "--threads", str(self.threads), "--warmup", str(warmup),
                            "--runs", str(runs), "--json", "--peak-rounds", "0"], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"octet bench {self.path}: {p.stderr.strip()}")
        self.last = json.loads(p.stdout)
        return self.last["threads"][0]["samples"]


class PeerBlock:
    """Times a peer runner (tools/peer_runtimes.py) in-process."""

    def __init__(self, runner, x):
        self.runner = runner
        runner.prepare(x)

    def block(self, warmup, runs):
        for _ in range(warmup):
            self.runner.run()
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter_ns()
            self.runner.run()
            samples.append((time.perf_counter_ns() - t0) / 1e6)
        return samples


def prepare_model(kind, name, onnx_path, work, octet, calib, log):
    """Converts one model for every runtime; returns {runtime: file}."""
    import onnx_to_keras
    import peer_runtimes
    files = {"octet-fp32": onnx_path, "ort-fp32": onnx_path}
    stem = os.path.join(work, f"{kind}.{name}")
    np.save(stem + ".calib.npy", calib)
    t0 = time.perf_counter()
    p = subprocess.run([octet, "convert", onnx_path, "--calibration", stem + ".calib.npy", "-o", stem + ".octet",
                        "--bias-correction", "off", "--equalization", "off"], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"octet convert {name}: {p.stderr.strip()}")
    files["octet-int8"] = stem + ".octet"
    log(f"  octet convert {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    peer_runtimes.ort_quantize_qdq(onnx_path, calib, stem + ".ort_int8.onnx")
    files["ort-int8"] = stem + ".ort_int8.onnx"
    log(f"  onnxruntime quantize_static {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    keras_model = onnx_to_keras.build_keras(onnx_path)
    nhwc = np.ascontiguousarray(np.transpose(calib, (0, 2, 3, 1)))
    for runtime, data in (("litert-fp32", None), ("litert-int8", nhwc)):
        path = stem + (".int8.tflite" if data is not None else ".fp32.tflite")
        with open(path, "wb") as f:
            f.write(onnx_to_keras.to_tflite(keras_model, data))
        files[runtime] = path
    log(f"  keras rebuild + tflite convert {time.perf_counter() - t0:.1f} s")
    return files


def conversion_times(onnx_path, work, octet, calib, rounds):
    """Seconds of `octet convert` with default options and of onnxruntime's quantize_static (the
    QDQ configuration above, with quant_pre_process) on the same calibration images, alternating
    for `rounds` rounds: {"octet": [...], "ort": [...]}."""
    import peer_runtimes
    calib_path = os.path.join(work, "conversion.calib.npy")
    np.save(calib_path, calib)
    times = {"octet": [], "ort": []}
    for _ in range(rounds):
        t0 = time.perf_counter()
        subprocess.run([octet, "convert", onnx_path, "--calibration", calib_path, "-o", os.path.join(work, "conversion.octet")],
                       capture_output=True, text=True, check=True)
        times["octet"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        peer_runtimes.ort_quantize_qdq(onnx_path, calib, os.path.join(work, "conversion.ort.onnx"))
        times["ort"].append(time.perf_counter() - t0)
    return times


class OneCPU:
    """Within the block, this thread — and the Octet processes it starts — run on CPU `cpu`
    only (None: no change). The 1-thread cells of every runtime run on the same core, so a
    core that is slower than the others (one vCPU of a shared VM often is) cannot favour one
    runtime by where the scheduler happened to put it."""

    def __init__(self, cpu):
        self.cpu = cpu

    def __enter__(self):
        if self.cpu is not None:
            self.saved = os.sched_getaffinity(0)
            os.sched_setaffinity(0, {self.cpu})

    def __exit__(self, *exc):
        if self.cpu is not None:
            os.sched_setaffinity(0, self.saved)


def make_runner(runtime, path, threads, octet, x):
    import peer_runtimes
    if runtime.startswith("octet"):
        return OctetRunner(octet, path, threads)
    if runtime.startswith("ort"):
        return PeerBlock(peer_runtimes.OrtRunner(path, threads), x)
    return PeerBlock(peer_runtimes.LiteRTRunner(path, threads), x)


def machine_line(octet_json):
    m = octet_json["machine"]
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    return (f"{m['cpu']} ({platform.machine()}), {m['cores']} cores, {' '.join(m['features'])}; "
            f"load average at the end {load}; int8 roofline {m['peakInt8'] / 1e9:.1f} GMAC/s per core "
            f"({m['peakInt8Instruction']}), fp32 {m['peakFloat'] / 1e9:.1f} GMAC/s ({m['peakFloatInstruction']})")


def versions():
    import onnxruntime
    import tensorflow as tf
    from importlib.metadata import version
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return (f"onnxruntime {onnxruntime.__version__}, ai-edge-litert {version('ai-edge-litert')}, "
            f"tensorflow-cpu {tf.__version__} (converter only), {swift}")


def write_svg(path, rows, models, runtimes, threads):
    """Horizontal bars: min latency (log scale) per model, one bar per runtime, at `threads`."""
    import math
    colors = {"octet-int8": "#1f77b4", "ort-int8": "#ff7f0e", "litert-int8": "#2ca02c",
              "octet-fp32": "#aec7e8", "ort-fp32": "#ffbb78", "litert-fp32": "#98df8a"}
    values = [rows.get((m, r, threads), {}).get("min") for m in models for r in runtimes]
    finite = [v for v in values if v]
    if not finite:
        return
    lo, hi = math.floor(math.log10(min(finite))), math.ceil(math.log10(max(finite)))
    bar, gap, left, width = 11, 10, 190, 560
    height = 60 + len(models) * (len(runtimes) * bar + gap) + 40
    x = lambda v: left + width * (math.log10(v) - lo) / max(hi - lo, 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 160}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<text x="{left}" y="20" font-size="14">Minimum latency per inference, {threads} thread(s), log scale (ms)</text>']
    for e in range(lo, hi + 1):
        out.append(f'<line x1="{x(10 ** e):.1f}" y1="30" x2="{x(10 ** e):.1f}" y2="{height - 40}" stroke="#ddd"/>')
        out.append(f'<text x="{x(10 ** e):.1f}" y="{height - 25}" text-anchor="middle">{10 ** e:g}</text>')
    y = 40
    for m in models:
        out.append(f'<text x="{left - 8}" y="{y + len(runtimes) * bar / 2 + 4:.1f}" text-anchor="end">{m[0]}/{m[1]}</text>')
        for r in runtimes:
            v = rows.get((m, r, threads), {}).get("min")
            if v:
                out.append(f'<rect x="{left}" y="{y}" width="{x(v) - left:.1f}" height="{bar - 2}" fill="{colors[r]}"/>')
                out.append(f'<text x="{x(v) + 4:.1f}" y="{y + bar - 3}">{v:.2f}</text>')
            y += bar
        y += gap
    for i, r in enumerate(runtimes):
        out.append(f'<rect x="{left + width + 20}" y="{40 + 16 * i}" width="10" height="10" fill="{colors[r]}"/>')
        out.append(f'<text x="{left + width + 34}" y="{49 + 16 * i}">{r}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", choices=["timing", "fashion", "all"], default="all")
    ap.add_argument("--only", nargs="*", help="model names to keep (e.g. resnet18 mobilenet_v1)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=6, help="interleaved rounds")
    ap.add_argument("--block", type=int, default=5, help="timed invocations per runtime per round (timing models)")
    ap.add_argument("--block-fashion", type=int, default=50, help="timed invocations per block for Fashion models")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--pin-cpu", type=int, default=max(os.sched_getaffinity(0)),
                    help="CPU that runs every runtime's 1-thread blocks (default: the last one; -1: no pinning)")
    ap.add_argument("--calibration-samples", type=int, default=32)
    ap.add_argument("--conversion-rounds", type=int, default=2,
                    help="rounds of timed conversions (Octet default options vs ORT quantize_static); 0 skips them")
    ap.add_argument("--octet", default=os.path.join(ROOT, ".build", "release", "octet"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "BENCHMARKS.md"))
    ap.add_argument("--svg", default=os.path.join(ROOT, "docs", "benchmarks.svg"))
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    models = [m for m in model_list(args.models) if not args.only or m[1] in args.only]
    missing = [m[2] for m in models if not os.path.exists(m[2])]
    if missing:
        sys.exit("missing models (run tools/export_models.py for models/timing/): " + ", ".join(missing))
    if not os.path.exists(args.octet):
        sys.exit("build first: swift build -c release --product octet")
    log = lambda s: print(s, flush=True)

    rows, macs, arena, last_octet, last_octet_file, conversions = {}, {}, {}, None, None, {}
    with tempfile.TemporaryDirectory() as work:
        for model in models:
            kind, name, onnx_path = model
            log(f"== {kind}/{name}")
            calib = calibration(kind, args.calibration_samples)
            files = prepare_model(kind, name, onnx_path, work, args.octet, calib, log)
            x = calib[:1]
            runners = {(r, t): make_runner(r, files[r], t, args.octet, x) for t in threads for r in INT8 + FP32}
            block = args.block if kind == "timing" else args.block_fashion
            samples = {key: [] for key in runners}
            for round_ in range(args.rounds):
                for t in threads:
                    with OneCPU(args.pin_cpu if t == 1 and args.pin_cpu >= 0 else None):
                        for r in INT8 + FP32:
                            samples[(r, t)] += runners[(r, t)].block(args.warmup, block)
                log(f"  round {round_ + 1}/{args.rounds} done")
            octet_int8 = runners[("octet-int8", threads[0])].last
            macs[model] = octet_int8["macs"]
            arena[model] = (octet_int8["arenaBytes"], octet_int8.get("arenaLowerBound"))
            for (r, t), s in samples.items():
                used = runners[(r, t)].last["threads"][0]["used"] if r.startswith("octet") else t
                rows[(model, r, t)] = dict(min=min(s), median=statistics.median(s), runs=len(s), used=used)
                log(f"  {r:12s} threads {t}: min {min(s):9.3f} ms  median {statistics.median(s):9.3f} ms")
            last_octet_file = files["octet-int8"]
            if args.conversion_rounds > 0:
                conversions[model] = conversion_times(onnx_path, work, args.octet, calib, args.conversion_rounds)
                c = conversions[model]
                log(f"  conversion: octet min {min(c['octet']):.2f} s, ort quantize_static min {min(c['ort']):.2f} s")
        # The machine line and the roofline: measured once, at the end, by `octet bench`.
        p = subprocess.run([args.octet, "bench", last_octet_file, "--runs", "1", "--warmup", "0", "--json",
                            "--peak-rounds", "2000"], capture_output=True, text=True, check=True)
        last_octet = json.loads(p.stdout)

    peak = last_octet["machine"]["peakInt8"]
    with open(args.out, "w") as f:
        f.write("# Benchmarks: Octet vs ONNX Runtime vs LiteRT\n\n")
        f.write(f"Machine: {machine_line(last_octet)}.\n\nVersions: {versions()}.\n\n")
        f.write("Reproduce from a fresh clone with one command: `./tools/bench.sh` (creates `.venv-bench` from "
                "`tools/requirements-bench.txt`, exports the timing models, builds Octet in release mode, runs "
                f"`tools/bench_peers.py`). This run: `tools/bench_peers.py --models {args.models} --threads {args.threads} "
                f"--rounds {args.rounds} --block {args.block} --block-fashion {args.block_fashion} --warmup {args.warmup} "
                f"--conversion-rounds {args.conversion_rounds} --pin-cpu {args.pin_cpu}`.\n\n")
        f.write("Method: batch 1, float input and output for every runtime. Each round runs every runtime once per "
                "thread count (a block of warm-up plus timed invocations), rounds interleave, so the runtimes share "
                "the machine's load; min and median are over all timed invocations. "
                + (f"Every runtime's 1-thread blocks run pinned to CPU {args.pin_cpu} (the cores of this kind of VM "
                   "differ in speed); 2-thread blocks may use every core. " if args.pin_cpu >= 0 else "")
                + "Octet int8 = `.octet` from `octet "
                "convert` on the int8 interpreter; ORT int8 = quantize_static QDQ, per-channel int8 weights, uint8 "
                "activations; LiteRT int8 = full-integer int8 `.tflite` (Keras rebuilt from the same ONNX weights) "
                "on ai-edge-litert with XNNPACK. fp32: Octet's float path (AVX-512/AVX2 kernels, OpenBLAS elsewhere), ORT fp32, "
                "LiteRT fp32. Ratio = Octet / best peer (below 1 = Octet faster); for fp32 also Octet / ORT fp32. % roofline = the model's MACs / "
                "min latency / (measured per-core int8 peak × threads used).\n\n")
        for t in threads:
            f.write(f"## {t} thread{'s' if t > 1 else ''}\n\n")
            f.write("| model | GMAC | Octet arena / lower bound (bytes) | Octet int8 min / med ms | ORT int8 | LiteRT int8 "
                    "| Octet / best peer (int8) | Octet % roofline | Octet fp32 | ORT fp32 | LiteRT fp32 | Octet / best peer (fp32) "
                    "| Octet / ORT (fp32) |\n")
            f.write("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
            for model in models:
                def cell(r):
                    v = rows[(model, r, t)]
                    used = f" (on {v['used']} thread)" if v["used"] != t else ""
                    return f"{v['min']:.3f} / {v['median']:.3f}{used}"
                def ratio(group, peers=None):
                    best = min(rows[(model, r, t)]["min"] for r in (peers or group[1:]))
                    return f"{rows[(model, group[0], t)]['min'] / best:.2f}×"
                octet = rows[(model, "octet-int8", t)]
                roof = f"{100 * macs[model] / (octet['min'] / 1e3) / (peak * octet['used']):.1f}%" if peak > 0 else "n/a"
                a, lb = arena[model]
                f.write(f"| {model[0]}/{model[1]} | {macs[model] / 1e9:.3f} | {a} / {lb} | {cell('octet-int8')} | {cell('ort-int8')} | "
                        f"{cell('litert-int8')} | {ratio(INT8)} | {roof} | {cell('octet-fp32')} | {cell('ort-fp32')} | "
                        f"{cell('litert-fp32')} | {ratio(FP32)} | {ratio(FP32, ['ort-fp32'])} |\n")
            f.write("\n")
        if conversions:
            f.write("## Conversion time\n\n")
            f.write(f"Seconds, min / median of {args.conversion_rounds} alternating runs, on the same {args.calibration_samples} "
                    "calibration images as above: `octet convert` with default options (calibration, cross-layer "
                    "equalization and bias correction in their `auto` modes, all cores) against onnxruntime's "
                    "quant_pre_process + quantize_static (QDQ, per-channel, MinMax), each as a whole process step.\n\n")
            f.write("| model | Octet convert (s) | ORT quantize_static (s) | Octet / ORT (min) |\n|---|---|---|---|\n")
            for model, c in conversions.items():
                f.write(f"| {model[0]}/{model[1]} | {min(c['octet']):.2f} / {statistics.median(c['octet']):.2f} | "
                        f"{min(c['ort']):.2f} / {statistics.median(c['ort']):.2f} | {min(c['octet']) / min(c['ort']):.2f}× |\n")
            f.write("\n")
        f.write(f"![minimum latency per model and runtime, 1 thread]({os.path.basename(args.svg)})\n")
    write_svg(args.svg, rows, models, INT8 + FP32, threads[0])
    log(f"wrote {args.out} and {args.svg}")


if __name__ == "__main__":
    main()
