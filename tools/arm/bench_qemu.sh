#!/usr/bin/env bash
# ARM speed without ARM hardware: dynamic instructions per inference, one thread, for Octet
# (octet-run --bench), LiteRT int8 (XNNPACK) and ONNX Runtime int8 (QDQ) under qemu-aarch64,
# counted between the lseek markers around each invoke by a TCG plugin (tools/arm/qemu/), with
# the SDOT / SMMLA / SMLAL counts that show which kernel path ran, and llvm-mca cycles per MAC of
# the hottest inner loops (tools/arm/mca_loops.py). Writes docs/ARM_BENCHMARKS.md.
#   tools/arm/bench_qemu.sh [--models "mobilenet_v1 …"] [--configs "a72 a76 a55 i8mm"] [--runs N] [--reuse]
# (--reuse keeps the counts of an earlier run whose model, binary and plugin have not changed.)
# Configurations: a72 = -cpu cortex-a72 + an A72 /proc/cpuinfo (part 0xd08); a76 = cortex-a76 +
# A76 (0xd0b); a55 = cortex-a76 + A55 (0xd05: the peers pick their in-order kernels); i8mm =
# -cpu max,sve=off,sme=off + a Neoverse-N2 cpuinfo (0xd49). The peers read /proc/cpuinfo through
# qemu's -L prefix (an arm64 Debian rootfs with their aarch64 wheels).
# Everything it fetches or builds is cached in .build/arm/qemu/: Debian's qemu source (for
# qemu-plugin.h), the rootfs (mmdebstrap), the wheels (PyPI), the converted timing models.
# Needs the timing models (tools/bench.sh makes them) and the peers' venv .venv-bench.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
models="mobilenet_v1 mobilenet_v2 resnet18 resnet50 bagnet33"
configs="a72 a76 a55 i8mm"
runs=1
reuse=()
while (($#)); do
  case "$1" in
    --models) models="$2"; shift 2 ;;
    --configs) configs="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --reuse) reuse=(--reuse); shift ;;
    *) echo "bench_qemu.sh: unknown argument '$1'" >&2; exit 64 ;;
  esac
done
q="$root/.build/arm/qemu"
mkdir -p "$q"
py=.venv-bench/bin/python
[[ -x "$py" ]] || { echo "bench_qemu.sh: .venv-bench missing: run tools/bench.sh once" >&2; exit 1; }

# 1. Debian packages: mmdebstrap (rootfs), glib headers (plugin), dpkg-dev (apt-get source),
#    llvm-19 (llvm-mc and llvm-mca for the inner-loop table; the version is pinned: llvm-mca's
#    core models change between releases).
need=()
for p in mmdebstrap libglib2.0-dev dpkg-dev qemu-user llvm-19; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || need+=("$p")
done
if ((${#need[@]})); then
  sudo=(); [[ "$(id -u)" -eq 0 ]] || sudo=(sudo -n)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi

# 2. The plugin, against qemu-plugin.h of the installed qemu-user's source package.
plugin="$q/libcount_insns.so"
if [[ ! -f "$plugin" || tools/arm/qemu/count_insns.c -nt "$plugin" || tools/arm/qemu/insn_classes.h -nt "$plugin" ]]; then
  header="$(find "$q/src" -path '*/include/qemu/qemu-plugin.h' 2>/dev/null | head -n 1 || true)"
  if [[ -z "$header" ]]; then
    version="$(dpkg-query -W -f='${source:Version}' qemu-user)"
    mkdir -p "$q/apt/lists/partial" "$q/src"
    cat >"$q/apt/sources.list" <<LIST
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian bookworm-updates main
deb-src http://deb.debian.org/debian-security bookworm-security main
LIST
    apt_opts=(-o Dir::Etc::SourceList="$q/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$q/apt/lists")
    apt-get "${apt_opts[@]}" -q update >/dev/null
    (cd "$q/src" && apt-get "${apt_opts[@]}" -q source --download-only "qemu=$version" >/dev/null)
    tar -C "$q/src" -xf "$(ls "$q"/src/qemu_*.orig.tar.* | head -n 1)" --wildcards '*/include/qemu/qemu-plugin.h'
    header="$(find "$q/src" -path '*/include/qemu/qemu-plugin.h' | head -n 1)"
  fi
  gcc -O2 -Wall -fPIC -shared -I "$(dirname "$header")" $(pkg-config --cflags glib-2.0) \
    tools/arm/qemu/count_insns.c -o "$plugin"
fi
tools/arm/qemu/insn_classes_test.sh

# 3. The arm64 userland and the peers' aarch64 wheels (same versions as .venv-bench).
rootfs="$q/rootfs"
if [[ ! -x "$rootfs/usr/bin/python3.11" ]]; then
  rm -rf "$rootfs"
  mmdebstrap --quiet --mode=root --variant=extract --architectures=arm64 \
    --include=python3,libstdc++6,libgomp1 bookworm "$rootfs" http://deb.debian.org/debian
fi
if [[ ! -d "$rootfs/opt/py/onnxruntime" ]]; then
  pins=(); for p in numpy onnx onnxruntime ai-edge-litert; do pins+=("$(grep -i "^$p==" tools/requirements-bench.txt tools/requirements.txt | head -n 1 | cut -d: -f2)"); done
  platform=(--only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 --abi abi3 --abi none
            --platform manylinux_2_17_aarch64 --platform manylinux2014_aarch64 --platform manylinux_2_27_aarch64
            --platform manylinux_2_28_aarch64 --platform linux_aarch64 --platform any)
  "$py" -m pip download -q --dest "$q/wheels" "${platform[@]}" "${pins[@]}"
  "$py" -m pip install -q --no-index --find-links "$q/wheels" --target "$rootfs/opt/py" "${platform[@]}" "${pins[@]}"
fi

# 4. The timing models for each runtime (converted on x86, cached).
"$py" tools/arm/bench_qemu.py prepare --work "$q/models" --models $models

# 5. Counts, then the report.
"$py" tools/arm/bench_qemu.py run --work "$q" --models $models --configs $configs --runs "$runs" "${reuse[@]}" \
  --plugin "$plugin" --rootfs "$rootfs" --out docs/ARM_BENCHMARKS.md
