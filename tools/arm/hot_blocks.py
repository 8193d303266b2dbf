"""Reads the hottest translation blocks that tools/arm/qemu/count_insns.c wrote (blocks=FILE),
disassembles them with llvm-mc and estimates their cycles per iteration with llvm-mca.

  hot_blocks.py BLOCKS [--top N] [--binary ELF] [--mcpu cortex-a72 …]

--binary names the static-pie ELF that ran (octet-run), to print each block's function: qemu-user
maps a static-pie at 0x5500000000. MACs per execution count int8 products: SDOT/UDOT 4 per lane,
SMMLA/UMMLA 32, SMULL/SMLAL by their destination lanes (8h: 8 int8 products, 4s: 4).
"""
import argparse
import bisect
import re
import shutil
import subprocess
import sys

PIE_BASE = 0x5500000000
LLVM = "19"


def tool(name):
    path = shutil.which(f"{name}-{LLVM}") or f"/usr/lib/llvm-{LLVM}/bin/{name}"
    if not shutil.which(path):
        sys.exit(f"hot_blocks.py: {name}-{LLVM} not found (apt-get install llvm-{LLVM})")
    return path


def read_blocks(path):
    """[(vaddr, n, execs, share, words)] in file order (hottest first)."""
    blocks, head = [], None
    for line in open(path):
        parts = line.split()
        if parts[0] == "block":
            head = (int(parts[1], 16), int(parts[3]), int(parts[5]), float(parts[7]))
        elif parts[0] == "words" and head is not None:
            blocks.append((*head, [int(w, 16) for w in parts[1:]]))
            head = None
    return blocks


def disassemble(words):
    """One line of text per instruction word (llvm-mc, every A64 extension the peers use)."""
    hex_bytes = " ".join(f"0x{b:02x}" for w in words for b in w.to_bytes(4, "little"))
    p = subprocess.run([tool("llvm-mc"), "--disassemble", "-triple=aarch64", "-mattr=+dotprod,+i8mm,+fullfp16"],
                       input=hex_bytes, capture_output=True, text=True)
    lines = [l.strip() for l in p.stdout.splitlines() if l.strip() and not l.strip().startswith(".text")]
    if len(lines) == len(words):
        return lines
    if len(words) == 1:  # an encoding llvm-mc does not know (it skips it): keep the word
        return [f".inst 0x{words[0]:08x}"]
    return [line for w in words for line in disassemble([w])]


MAC_RE = re.compile(r"^(sdot|udot|usdot|sudot|smmla|ummla|usmmla|smull2?|smlal2?|umull2?|umlal2?)\s+v\d+\.(\d+)([bhsd])")


def macs(asm):
    """int8 multiply-accumulates of one execution of the block."""
    total = 0
    for line in asm:
        m = MAC_RE.match(line)
        if not m:
            continue
        op, lanes = m.group(1), int(m.group(2))
        if op.endswith("mmla"):
            total += 32
        elif op.endswith("dot"):
            total += 4 * lanes
        else:
            total += lanes
    return total


def mca(asm, mcpu):
    """llvm-mca's cycles per iteration of the block run as a loop (its Total Cycles / iterations)."""
    attrs = "+dotprod" + (",+i8mm" if any(l.startswith(("smmla", "ummla", "usmmla", "usdot", "sudot")) for l in asm) else "")
    body = "\n".join(l for l in asm) + "\n"
    p = subprocess.run([tool("llvm-mca"), "-mtriple=aarch64", f"-mcpu={mcpu}", f"-mattr={attrs}", "-iterations=10000"],
                       input=body, capture_output=True, text=True)
    m = re.search(r"Total Cycles:\s+(\d+)", p.stdout)
    if not m:
        raise RuntimeError(f"llvm-mca failed for {mcpu}: {p.stderr[:500]}")
    return int(m.group(1)) / 10000.0


class Symbols:
    def __init__(self, elf):
        out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True, check=True).stdout
        self.addrs, self.names = [], []
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwW" and parts[2] not in ("$x", "$d"):
                self.addrs.append(int(parts[0], 16))
                self.names.append(parts[2])

    def __call__(self, vaddr):
        i = bisect.bisect_right(self.addrs, vaddr - PIE_BASE) - 1
        return self.names[i] if i >= 0 else "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("blocks")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--binary")
    ap.add_argument("--mcpu", nargs="*", default=[])
    ap.add_argument("--asm", action="store_true", help="print each block's instructions")
    args = ap.parse_args()
    sym = Symbols(args.binary) if args.binary else (lambda v: "")
    for vaddr, n, execs, share, words in read_blocks(args.blocks)[: args.top]:
        asm = disassemble(words)
        k = macs(asm)
        cycles = {c: mca(asm, c) for c in args.mcpu}
        cyc = "  ".join(f"{c} {v:.1f} cyc" + (f" ({v / k:.3f}/MAC)" if k else "") for c, v in cycles.items())
        print(f"{share * 100:6.2f}%  {vaddr:x} {n:3d} insns × {execs:9d}  MACs {k:4d}  {sym(vaddr)}  {cyc}")
        if args.asm:
            for line in asm:
                print(f"        {line}")


if __name__ == "__main__":
    main()
