"""The Python half of tools/arm/bench_qemu.sh (run it through that script).

prepare: converts each timing model for Octet (octet convert), ONNX Runtime (quantize_static QDQ)
         and LiteRT (full-integer .tflite), as tools/bench_peers.py does, into --work (cached).
run:     counts instructions per inference under qemu-aarch64 for every configuration, model and
         runtime, and writes the report (--out).
"""
import argparse
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tools", "arm"))  # mca_loops, hot_blocks

import numpy as np  # noqa: E402

# name: (qemu -cpu, cpuinfo part, Features, what it stands for)
BASE_FEATURES = "fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop"
CONFIGS = {
    "a72": ("cortex-a72", "0xd08", "fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid", "Cortex-A72 (Raspberry Pi 4): NEON, no dotprod"),
    "a76": ("cortex-a76", "0xd0b", BASE_FEATURES + " asimddp", "Cortex-A76 (Pi 5, RK3588 big cores): dotprod"),
    "a55": ("cortex-a76", "0xd05", BASE_FEATURES + " asimddp", "Cortex-A55 (RK3566, RK3588 little cores): dotprod, peers' in-order kernels"),
    "i8mm": ("max,sve=off,sme=off", "0xd49", BASE_FEATURES + " asimddp i8mm", "an i8mm core (Neoverse-N2 cpuinfo; qemu max without SVE/SME)"),
}
RUNTIMES = ["octet", "litert", "ort"]
TIMING_MODELS = ["mobilenet_v1", "mobilenet_v2", "resnet18", "resnet50", "bagnet33"]
CLASSES = ["sdot", "udot", "usdot", "smmla", "ummla", "smlal", "umlal", "smull", "umull", "sadalp"]


def cpuinfo(part, features):
    return "".join(f"processor\t: {i}\nBogoMIPS\t: 50.00\nFeatures\t: {features}\nCPU implementer\t: 0x41\n"
                   f"CPU architecture: 8\nCPU variant\t: 0x1\nCPU part\t: {part}\nCPU revision\t: 0\n\n" for i in range(2))


def files(work, name):
    stem = os.path.join(work, f"timing.{name}")
    return {"octet": stem + ".octet", "ort": stem + ".ort_int8.onnx", "litert": stem + ".int8.tflite"}


def prepare(args):
    import bench_peers
    os.makedirs(args.work, exist_ok=True)
    octet = os.path.join(ROOT, ".build", "release", "octet")
    for name in args.models:
        f = files(args.work, name)
        if all(os.path.exists(p) for p in f.values()):
            continue
        print(f"== prepare {name}", flush=True)
        onnx_path = os.path.join(ROOT, "models", "timing", f"{name}.onnx")
        if not os.path.exists(onnx_path):
            sys.exit(f"missing {onnx_path}: run tools/bench.sh (or tools/export_models.py) first")
        bench_peers.prepare_model("timing", name, onnx_path, args.work, octet, bench_peers.calibration("timing", 32), print)


def count(cmd, env, out):
    """Runs `cmd` (a qemu command with the plugin writing to `out`); returns the windows' counts."""
    if os.path.exists(out):
        os.remove(out)
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}")
    try:
        return parse(out)
    except RuntimeError as e:
        raise RuntimeError(f"{' '.join(cmd)}: {e}:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")


def parse(out):
    """The plugin's windows in `out` (one line each): the one with the fewest instructions."""
    windows = []
    for line in open(out):
        parts = line.split()
        windows.append({parts[i]: int(parts[i + 1]) for i in range(2, len(parts), 2)})
    if not windows:
        raise RuntimeError("no marker window counted")
    return min(windows, key=lambda w: w["insns"])


def run(args):
    arm = os.path.join(ROOT, ".build", "arm", "aarch64", "octet-run")
    if not os.path.exists(arm):
        sys.exit("missing .build/arm/aarch64/octet-run: run tools/arm/build.sh aarch64")
    os.makedirs(os.path.join(args.rootfs, "proc"), exist_ok=True)
    results, seconds = {}, {}
    for config in args.configs:
        cpu, part, features, _ = CONFIGS[config]
        with open(os.path.join(args.rootfs, "proc", "cpuinfo"), "w") as f:
            f.write(cpuinfo(part, features))
        for name in args.models:
            f = files(os.path.join(args.work, "models"), name)
            x = os.path.join(ROOT, "models", "timing", f"{name}.input.npy")
            for runtime in RUNTIMES:
                out = os.path.join(args.work, f"count.{config}.{name}.{runtime}.txt")
                blocks = out[: -len(".txt")] + ".blocks"  # hot blocks, for mca_loops.py
                plugin = ["-plugin", f"{args.plugin},out={out},blocks={blocks}"]
                if runtime == "octet":
                    cmd = ["qemu-aarch64", "-cpu", cpu, *plugin, arm, f["octet"], "--bench", str(args.runs), "--warmup", "1",
                           "--input", x, "--threads", "1"]
                else:
                    cmd = ["qemu-aarch64", "-cpu", cpu, "-L", args.rootfs, *plugin, os.path.join(args.rootfs, "usr/bin/python3.11"),
                           os.path.join(ROOT, "tools", "arm", "peer_invoke.py"), runtime, f[runtime], x, str(args.runs)]
                env = dict(os.environ, PYTHONPATH="/opt/py", OMP_NUM_THREADS="1")
                t0 = time.time()
                inputs = [f[runtime], args.plugin] + ([arm] if runtime == "octet" else [os.path.join(ROOT, "tools", "arm", "peer_invoke.py")])
                if args.reuse and os.path.exists(out) and os.path.exists(blocks) and \
                        all(os.path.getmtime(out) > os.path.getmtime(i) for i in inputs):
                    results[(config, name, runtime)] = parse(out)  # counted before, nothing changed since
                else:
                    results[(config, name, runtime)] = count(cmd, env, out)
                seconds[(config, name, runtime)] = time.time() - t0
                r = results[(config, name, runtime)]
                print(f"  {config:5s} {name:13s} {runtime:7s} {r['insns'] / 1e6:10.1f} M insns "
                      f"({', '.join(f'{c} {r[c] / 1e6:.1f} M' for c in CLASSES if r.get(c))}) {seconds[(config, name, runtime)]:.0f} s", flush=True)
    loops = None
    if all(c in args.configs for c in ("a55", "a72", "a76")) and all(m in args.models for m in ("resnet18", "mobilenet_v2")):
        import mca_loops
        loops = mca_loops.table(args.work)
    write_report(args, results, loops)


def write_report(args, results, loops):
    qemu = subprocess.run(["qemu-aarch64", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    w = []
    w.append("# ARM speed: instructions per inference under qemu\n")
    w.append(f"Generated by `tools/arm/bench_qemu.sh` ({qemu}; host {platform.processor() or platform.machine()}). "
             "One thread, batch 1, the 224² timing models; Octet = `octet-run --bench` (static aarch64 build), "
             "LiteRT = ai-edge-litert int8 `.tflite` with XNNPACK, ORT = onnxruntime QDQ (u8 activations, per-channel "
             "s8 weights), the aarch64 wheels of the versions in `tools/requirements-bench.txt`, in an arm64 Debian rootfs. "
             f"Counts are dynamic instructions between the markers around one invoke (after one untimed invoke; min of {args.runs}), "
             "from a TCG plugin (`tools/arm/qemu/count_insns.c`).\n")
    w.append("**Limits.** Instructions are not time: they ignore issue width, latencies, cache misses and memory "
             "bandwidth, and kernels tuned for in-order cores (A55) execute more instructions by design. Thread scaling "
             "and real latency cannot be measured here. The peers choose kernels from the emulated `/proc/cpuinfo` "
             "(its CPU part) and HWCAPs; Octet from HWCAPs only. The peers' windows also hold their Python binding's "
             "call (`interpreter.invoke()`, `session.run()`), not measured apart; Octet's hold `Interpreter.invoke()` only.\n")
    w.append("**Octet's ARM kernels** (`Sources/OctetKernels/arm/`, C with NEON intrinsics, compiled by the Swift "
             "toolchain's clang as `tools/arm/build.sh` does; each bit-exact with its reference twin under qemu, "
             "`tools/run_kernel_tests.sh`): convolutions and fully connected layers run an indirect GEMM, "
             "`octk_qs8_igemm_2x8c16__neon_mlal` (SMULL/SMLAL2 + SADALP) on NEON-only cores, "
             "`octk_qs8_igemm_4x16c4__neondot` (SDOT by lane; the 16-channel loop is inline assembly of XNNPACK's "
             "shape) with dotprod, `octk_qs8_igemm_4x16c8__neoni8mm` (SMMLA) with i8mm; depthwise convolutions "
             "`octk_qs8_dwconv_16c__neon_mul8` (int8 products of tap pairs summed in int16, SADDW into int32) on all "
             "three. Accumulators start at the bias; the binary32 requantization clamps after the conversion "
             "(SQXTN/SQADD/SMAX/SMIN, as XNNPACK's fp32 epilogue). Octet picks kernels by HWCAP only: the same "
             "dotprod kernels run under the A76 and the A55 cpuinfo, where the peers switch to their in-order "
             "variants. No A55-specific Octet variant (chosen by MIDR) exists: on llvm-mca's Cortex-A55 model "
             "Octet's SDOT loop already takes fewer cycles per MAC than XNNPACK's A55 loop (table at the end), and "
             "that model is too rough to tune for; real A55 silicon would decide it.\n")
    skipped = [m for m in TIMING_MODELS if m not in args.models]
    if skipped:
        w.append(f"Not counted in this run: {', '.join(skipped)} (`--models` chose the others).\n")
    for config in args.configs:
        cpu, part, features, what = CONFIGS[config]
        w.append(f"## {config}: `-cpu {cpu}`, cpuinfo part {part} — {what}\n")
        w.append("| model | Octet M insns | LiteRT | ORT | Octet ÷ LiteRT | Octet ÷ ORT | MAC instructions (M): Octet / LiteRT / ORT |")
        w.append("|---|---|---|---|---|---|---|")
        for name in args.models:
            r = {rt: results[(config, name, rt)] for rt in RUNTIMES}
            macs = " / ".join(", ".join(f"{c} {r[rt][c] / 1e6:.1f}" for c in CLASSES if r[rt].get(c)) or "—" for rt in RUNTIMES)
            w.append(f"| {name} | {r['octet']['insns'] / 1e6:.1f} | {r['litert']['insns'] / 1e6:.1f} | {r['ort']['insns'] / 1e6:.1f} | "
                     f"{r['octet']['insns'] / r['litert']['insns']:.3f}× | {r['octet']['insns'] / r['ort']['insns']:.3f}× | {macs} |")
        w.append("")
    if loops:
        w.append("## Inner loops: llvm-mca cycles per MAC\n")
        w.append("The hottest translation block of each kernel family in the counted windows above (`tools/arm/mca_loops.py`: "
                 "the conv loop in ResNet-18, whose 3×3 convs dominate, and the depthwise loop in MobileNetV2), disassembled "
                 "from the instruction words the plugin saw and run through llvm-mca 19 as a loop "
                 "(`-mtriple=aarch64 -mcpu=… -iterations=10000`) on the core model of the configuration that ran it. A MAC "
                 "is one int8 product (SDOT: 16 per instruction, SMMLA 32, SMULL/SMLAL .8h 8). Where qemu split a loop into "
                 "several blocks, the body is joined from them (to its backward branch). llvm-mca assumes every load "
                 "hits L1 and, for cortex-a72, "
                 "uses its Cortex-A57 model. Its in-order Cortex-A55 model misjudges XNNPACK's A55-tuned loads: treat "
                 "that row as rough.\n")
        w.append(loops)
        w.append("")
    with open(args.out, "w") as f:
        f.write("\n".join(w) + "\n")
    print(f"wrote {args.out}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["prepare", "run"])
    ap.add_argument("--work", required=True)
    ap.add_argument("--models", nargs="+", required=True)
    ap.add_argument("--configs", nargs="+", default=list(CONFIGS))
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--reuse", action="store_true", help="keep counts already made for unchanged files")
    ap.add_argument("--plugin")
    ap.add_argument("--rootfs")
    ap.add_argument("--out")
    args = ap.parse_args()
    for c in args.configs:
        if c not in CONFIGS:
            sys.exit(f"unknown configuration '{c}' ({', '.join(CONFIGS)})")
    prepare(args) if args.command == "prepare" else run(args)


if __name__ == "__main__":
    main()
