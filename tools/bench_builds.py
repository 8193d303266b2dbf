#!/usr/bin/env python3
"""Two octet builds side by side: is the new one slower than the old anywhere?

    .venv/bin/python tools/bench_builds.py OLD_OCTET NEW_OCTET [--models timing|fashion|all]
        [--threads 1,2] [--rounds 5] [--runs 20] [--report docs/BENCH_BUILDS.md]

Each model (the five 224² timing models in models/timing/, exported by tools/export_models.py,
and the ten Fashion-MNIST models in models/) is converted once by NEW_OCTET (calibration on 32
samples, bias correction and equalization off) into one .octet file that both builds run. Then,
for --rounds rounds, each build runs `octet bench --json` on it (--warmup 3, --runs N, every
thread count), alternating which build goes first, so load changes hit both alike. Reports the
minimum and median latency over all rounds per build, model and thread count, the new/old ratio
of minima, and the CPU features the kernels used. A build whose file format differs from the
other's cannot run the same file: build OLD_OCTET from a commit with the same format version.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMING = ["mobilenet_v1", "mobilenet_v2", "resnet18", "resnet50", "bagnet33"]
FASHION = ["lenet5", "mobilenet_v1", "mobilenet_v2", "resnet18", "resnet50", "bagnet", "densenet_small",
           "googlenet_small", "resnext_small", "vgg_small"]


def cpu_line() -> str:
    model, flags = platform.processor(), set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and not model:
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    wanted = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512vbmi", "avx_vnni"]
    return f"{model}, {os.cpu_count()} cores, features: {' '.join(f for f in wanted if f in flags)}"


def calibration(name: str, timing: bool, tmp: str) -> str:
    x = np.load(os.path.join(ROOT, "models", "calibration_500.npy"))[:32]
    if timing:  # Fashion images upsampled to 224² and repeated to 3 channels: only speed is measured
        idx = (np.arange(224) * 28 // 224)
        x = np.repeat(x[:, :, idx][:, :, :, idx], 3, axis=1).astype(np.float32)
    path = os.path.join(tmp, f"{name}.calibration.npy")
    np.save(path, x)
    return path


def bench(octet: str, model: str, threads: str, runs: int) -> dict:
    out = subprocess.run([octet, "bench", model, "--threads", threads, "--warmup", "3", "--runs", str(runs), "--json",
                          "--peak-rounds", "0"], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--models", choices=["timing", "fashion", "all"], default="all")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--report", default=None, help="write the table (Markdown) here too")
    args = ap.parse_args()
    models = []
    if args.models in ("timing", "all"):
        models += [(f"{m} (224²)", os.path.join(ROOT, "models", "timing", m + ".onnx"), True) for m in TIMING]
    if args.models in ("fashion", "all"):
        models += [(f"{m} (Fashion)", os.path.join(ROOT, "models", m + ".onnx"), False) for m in FASHION]
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for label, onnx_path, timing in models:
            if not os.path.exists(onnx_path):
                sys.exit(f"missing {onnx_path} (timing models: tools/export_models.py --skip-fixtures)")
            stem = os.path.basename(onnx_path)[:-5] + ("_224" if timing else "")
            octet_file = os.path.join(tmp, stem + ".octet")
            subprocess.run([args.new, "convert", onnx_path, "--calibration", calibration(stem, timing, tmp), "-o",
                            octet_file, "--bias-correction", "off", "--equalization", "off"],
                           capture_output=True, text=True, check=True)
            files.append((label, octet_file))
        times = {}  # (label, build, threads) -> latencies
        kernels = {}
        for r in range(args.rounds):
            for label, octet_file in files:
                order = [("old", args.old), ("new", args.new)]
                if r % 2:
                    order.reverse()
                for build, binary in order:
                    result = bench(binary, octet_file, args.threads, args.runs)
                    for entry in result["threads"]:
                        times.setdefault((label, build, entry["requested"]), []).extend(entry["samples"])
                    kernels[build] = result.get("runtime", "?")
        header = "| model | threads | old min ms | new min ms | new / old (min) | old median | new median | new / old (median) |"
        lines += [header, "|---|---|---|---|---|---|---|---|"]
        for label, _ in files:
            for t in [int(v) for v in args.threads.split(",")]:
                old, new = times[(label, "old", t)], times[(label, "new", t)]
                lines.append(f"| {label} | {t} | {min(old):.3f} | {min(new):.3f} | {min(new) / min(old):.2f} | "
                             f"{statistics.median(old):.3f} | {statistics.median(new):.3f} | "
                             f"{statistics.median(new) / statistics.median(old):.2f} |")
    machine = (f"Machine: {cpu_line()}; runtime old: {kernels.get('old')}, new: {kernels.get('new')}; "
               f"{args.rounds} rounds × {args.runs} runs per build, model and thread count, alternating.")
    text = "\n".join(lines + ["", machine])
    print(text)
    if args.report:
        with open(args.report, "w") as f:
            f.write(f"# Two octet builds side by side\n\nOLD `{args.old}`, NEW `{args.new}`; produced by "
                    f"`tools/bench_builds.py OLD NEW --models {args.models} --threads {args.threads} --rounds {args.rounds} "
                    f"--runs {args.runs}`. Latency of one invoke (ms), batch 1, minima and medians over all rounds.\n\n")
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
