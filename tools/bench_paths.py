#!/usr/bin/env python3
"""Octet's kernel paths side by side on this machine (OCTET_KERNELS=PATH), interleaved.

    .venv/bin/python tools/bench_paths.py [--paths avx512vnni,avxvnni,avx2] [--models timing|fashion|all]
        [--threads 1] [--rounds 5] [--runs 20] [--octet .build/release/octet] [--report FILE]

Each model (timing models: models/timing/, tools/export_models.py; Fashion models: models/)
is converted once (32 calibration samples, bias correction and equalization off); then, for
--rounds rounds, `octet bench --json` runs it on every path in turn (rotating the order), and
the minimum and median latency over all rounds are reported per model, path and thread count,
with each path's minimum relative to the first path's. Every path computes the same bytes
(KernelPathTests), so this compares speed only.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_builds import FASHION, ROOT, TIMING, bench, calibration, cpu_line  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paths", default="avx512vnni,avxvnni,avx2")
    ap.add_argument("--models", choices=["timing", "fashion", "all"], default="timing")
    ap.add_argument("--threads", default="1")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--octet", default=os.path.join(ROOT, ".build", "release", "octet"))
    ap.add_argument("--report", default=None)
    args = ap.parse_args()
    paths = args.paths.split(",")
    models = []
    if args.models in ("timing", "all"):
        models += [(f"{m} (224²)", os.path.join(ROOT, "models", "timing", m + ".onnx"), True) for m in TIMING]
    if args.models in ("fashion", "all"):
        models += [(f"{m} (Fashion)", os.path.join(ROOT, "models", m + ".onnx"), False) for m in FASHION]
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for label, onnx_path, timing in models:
            stem = os.path.basename(onnx_path)[:-5] + ("_224" if timing else "")
            octet_file = os.path.join(tmp, stem + ".octet")
            subprocess.run([args.octet, "convert", onnx_path, "--calibration", calibration(stem, timing, tmp), "-o",
                            octet_file, "--bias-correction", "off", "--equalization", "off"],
                           capture_output=True, text=True, check=True)
            files.append((label, octet_file))
        for r in range(args.rounds):
            for label, octet_file in files:
                order = paths[r % len(paths):] + paths[:r % len(paths)]
                for path in order:
                    os.environ["OCTET_KERNELS"] = path
                    result = bench(args.octet, octet_file, args.threads, args.runs)
                    for entry in result["threads"]:
                        times.setdefault((label, path, entry["requested"]), []).extend(entry["samples"])
    os.environ.pop("OCTET_KERNELS", None)
    cols = " | ".join(f"{p} min | {p} median" for p in paths)
    lines = [f"| model | threads | {cols} | " + " | ".join(f"{p} / {paths[0]} (min)" for p in paths[1:]) + " |",
             "|---|---|" + "---|" * (2 * len(paths) + len(paths) - 1)]
    for label, _ in files:
        for t in [int(v) for v in args.threads.split(",")]:
            mins = [min(times[(label, p, t)]) for p in paths]
            meds = [statistics.median(times[(label, p, t)]) for p in paths]
            cells = " | ".join(f"{m:.3f} | {d:.3f}" for m, d in zip(mins, meds))
            lines.append(f"| {label} | {t} | {cells} | " + " | ".join(f"{m / mins[0]:.2f}" for m in mins[1:]) + " |")
    text = "\n".join(lines + ["", f"Machine: {cpu_line()}; binary {os.path.relpath(args.octet, ROOT)}; "
                                  f"{args.rounds} rounds × {args.runs} runs per path, model and thread count, rotating."])
    print(text)
    if args.report:
        with open(args.report, "w") as f:
            f.write("# Kernel paths side by side\n\nProduced by `tools/bench_paths.py --paths "
                    f"{args.paths} --models {args.models} --threads {args.threads} --rounds {args.rounds} --runs {args.runs}`. "
                    "Latency of one invoke (ms), batch 1; the paths compute the same bytes.\n\n" + text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
