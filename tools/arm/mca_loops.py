"""Cycles per MAC of the inner loops that ran, Octet against XNNPACK (LiteRT), by llvm-mca.

For each (configuration, model) pair below it takes, from the hot-block dumps of
tools/arm/bench_qemu.sh (count_insns.c blocks=FILE), each runtime's hottest translation block
of a kernel family: the conv GEMM loop (a block with SDOT/UDOT/SMMLA or SADALP/SADDLP) in
ResNet-18, whose 3×3 convs dominate, and the depthwise loop (SMULL/SMLAL products widened by
SADDW) in MobileNetV2. It runs llvm-mca on each block as a loop on the configuration's core model and
prints a Markdown table: instructions, MACs, cycles per iteration and per MAC. Where qemu split
a loop body into two translation blocks, the body is put together from the dumped blocks.

  mca_loops.py --work .build/arm/qemu  (prints the table; bench_qemu.sh puts it in the report)
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hot_blocks  # noqa: E402

# (configuration whose run ran the kernels, llvm-mca core model, what it stands for)
CORES = [
    ("a55", "cortex-a55", "Cortex-A55 (in-order; peers' A55 kernels)"),
    ("a72", "cortex-a72", "Cortex-A72 (llvm-mca's A57 model)"),
    ("a76", "neoverse-n1", "Cortex-A76 class (Neoverse-N1 model)"),
]
FAMILIES = [("conv (igemm/gemm)", "resnet18", "gemm"), ("depthwise 3×3", "mobilenet_v2", "dw")]
RUNTIMES = [("octet", "Octet"), ("litert", "XNNPACK (LiteRT)")]
GEMM_OPS = ("sdot", "udot", "usdot", "sudot", "smmla", "ummla", "usmmla", "sadalp", "uadalp", "saddlp", "uaddlp")
DW_OPS = ("saddw", "saddw2", "uaddw", "uaddw2")  # per-channel int16 products widened into int32


def family(asm):
    """"gemm" (dot products, matrix multiplies, pairwise-accumulated products), "dw" (products
    widened per channel: the depthwise kernels) or None."""
    ops = {line.split()[0] for line in asm}
    if ops & set(GEMM_OPS):
        return "gemm"
    if ops & set(DW_OPS):
        return "dw"
    return None


BRANCH_RE = re.compile(r"^(b\.\w+|b|cbn?z|tbn?z)\s.*#(-?\d+)$")


def loop_body(blocks, block):
    """The instruction words of the loop `block` belongs to. qemu splits a loop body into several
    translation blocks where a branch lands inside it, so from `block` the hottest successor
    (fall-through or branch target, among the dumped blocks) is followed until the walk comes
    back to `block`; the blocks on the way, in order, are the body. The block alone when the
    walk leaves the dumped blocks or takes more than 8 steps."""
    execs = {b[0]: b for b in blocks}
    body, at = [], block
    for _ in range(8):
        vaddr, n, _, _, words = at
        body += words
        last = hot_blocks.disassemble(words[-1:])[0]
        m = BRANCH_RE.match(last)
        succ = [] if m and m.group(1) == "b" else [vaddr + 4 * n]
        if m:
            succ.append(vaddr + 4 * (n - 1) + int(m.group(2)))
        found = [execs[a] for a in succ if a in execs]
        if not found:
            return block[4]
        at = max(found, key=lambda b: b[2])
        if at[0] == block[0]:
            return body
    return block[4]


def hottest(path, fam):
    """(block, loop asm) of the hottest block of family `fam` in the dump `path` (None if none)."""
    blocks = hot_blocks.read_blocks(path)
    for block in blocks:
        asm = hot_blocks.disassemble(block[4])
        if hot_blocks.macs(asm) and family(asm) == fam:
            return block, hot_blocks.disassemble(loop_body(blocks, block))
    return None


def table(work):
    """The Markdown table for the dumps in `work` (bench_qemu.sh's cache)."""
    rows = ["| core model | loop | Octet | XNNPACK (LiteRT) | Octet ÷ XNNPACK cycles/MAC |", "|---|---|---|---|---|"]
    for config, mcpu, what in CORES:
        for fam_name, model, fam in FAMILIES:
            cells, per_mac = [], {}
            for runtime, _ in RUNTIMES:
                path = os.path.join(work, f"count.{config}.{model}.{runtime}.blocks")
                if not os.path.exists(path):
                    raise FileNotFoundError(f"mca_loops.py: missing {path} (run tools/arm/bench_qemu.sh)")
                found = hottest(path, fam)
                if found is None:
                    cells.append("—")
                    continue
                (_, _, _, share, _), asm = found
                n, k = len(asm), hot_blocks.macs(asm)
                cycles = hot_blocks.mca(asm, mcpu)
                per_mac[runtime] = cycles / k
                cells.append(f"{n} insns, {k} MACs (block: {share * 100:.0f} % of the model's insns): "
                             f"{cycles:.1f} cyc, **{cycles / k:.4f}**/MAC")
            ratio = f"{per_mac['octet'] / per_mac['litert']:.2f}×" if len(per_mac) == 2 else "—"
            rows.append(f"| {what} (`{mcpu}`) | {fam_name}, {model} | {cells[0]} | {cells[1]} | {ratio} |")
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True, help="bench_qemu.sh's cache (.build/arm/qemu)")
    print(table(ap.parse_args().work))


if __name__ == "__main__":
    main()
