#!/usr/bin/env bash
# Builds the runtime as Embedded Swift, from the same sources as the SwiftPM build, into
# static binaries for ARM boards (and x86_64, as a check):
#   .build/arm/<arch>/octet-run      static-pie CLI (Sources/OctetRun, OctetFiles + tools/arm/octet_run_main.c)
#   .build/arm/<arch>/liboctet.a     the C API (octet.h): runtime + kernels, self-contained
#   .build/arm/<arch>/octet.h
#   .build/arm/<arch>/octet-example  tools/arm/octet_example.c linked against liboctet.a
#   .build/arm/<arch>/octet-api-test tools/arm/octet_api_test.c (the C API's checks)
# Usage: tools/arm/build.sh [aarch64] [x86_64]   (default: both). Run from anywhere.
# Needs swiftc (Swift 6.3 toolchain, with its embedded stdlib), gcc, and for aarch64
# gcc-aarch64-linux-gnu + libc6-dev-arm64-cross (tools/setup.sh installs them). The C files
# get the kernel tests' flags (tools/run_kernel_tests.sh): no FP contraction. For aarch64 they
# are compiled by the toolchain's clang (the compiler SwiftPM uses on a board; its NEON code
# for the A72-class kernels executes about 6 % fewer instructions per model than GCC 12's),
# and linked by gcc, which brings the static C library; run_kernel_tests.sh tests both compilers.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
arches=("$@")
((${#arches[@]})) || arches=(aarch64 x86_64)

swiftc="$(command -v swiftc || true)"
[[ -n "$swiftc" ]] || { echo "build.sh: ERROR: swiftc not found (install the Swift 6.3 toolchain)" >&2; exit 1; }
embedded="$(dirname "$(readlink -f "$swiftc")")/../lib/swift/embedded"
clang="$(dirname "$(readlink -f "$swiftc")")/clang"

CFLAGS=(-std=c11 -O2 -Wall -Werror -ffp-contract=off -fPIC -I Sources/OctetKernels/include -I Sources/COctet/include)

build_arch() {
  local arch="$1" triple cc ar sysroot_flags=() ccomp
  case "$arch" in
    aarch64)
      triple=aarch64-none-none-elf cc=aarch64-linux-gnu-gcc ar=aarch64-linux-gnu-ar
      sysroot_flags=(-Xcc -isystem -Xcc /usr/aarch64-linux-gnu/include -Xcc -D__linux__)
      ccomp=("$clang" --target=aarch64-linux-gnu --sysroot=/usr/aarch64-linux-gnu) ;;
    x86_64)
      triple=x86_64-unknown-linux-gnu cc=gcc ar=ar ccomp=(gcc) ;;
    *) echo "build.sh: ERROR: unknown architecture '$arch' (aarch64, x86_64)" >&2; return 1 ;;
  esac
  for tool in "$cc" "$ar" "${ccomp[0]}"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "build.sh: ERROR: $tool not found (run tools/setup.sh)" >&2; return 1; }
  done
  local unicode="$embedded/$triple/libswiftUnicodeDataTables.a"
  [[ -f "$unicode" ]] || { echo "build.sh: ERROR: no Embedded Swift stdlib for $triple in $embedded" >&2; return 1; }

  local out="$root/.build/arm/$arch" work="$root/.build/arm/$arch/obj"
  rm -rf "$work"
  mkdir -p "$work/c" "$work/unicode"
  local t0=$SECONDS

  # C: kernels, platform layer, the C parts of the API.
  local objects=()
  while IFS= read -r f; do
    local o="$work/c/$(echo "${f%.c}" | tr '/' '_').o"
    "${ccomp[@]}" "${CFLAGS[@]}" -c "$f" -o "$o"
    objects+=("$o")
  done < <(find Sources/OctetKernels Sources/COctet -name '*.c' | LC_ALL=C sort)

  # Swift: one Embedded module per SwiftPM target, the C targets through a module map.
  cat > "$work/module.modulemap" <<MAP
module OctetKernels { umbrella "$root/Sources/OctetKernels/include" export * }
module COctet { header "$root/Sources/COctet/include/octet.h" export * }
MAP
  local swift=("$swiftc" -target "$triple" -enable-experimental-feature Embedded -wmo -parse-as-library -O
               -Xcc -fPIC -Xllvm -relocation-model=pic "${sysroot_flags[@]}"
               -Xcc -fmodule-map-file="$work/module.modulemap" -I "$work")
  "${swift[@]}" -module-name OctetRuntime -emit-module -emit-module-path "$work/OctetRuntime.swiftmodule" \
    -c $(find Sources/OctetRuntime -name '*.swift' | LC_ALL=C sort) -o "$work/OctetRuntime.o"
  "${swift[@]}" -module-name OctetCAPI -c Sources/OctetCAPI/*.swift -o "$work/OctetCAPI.o"
  "${swift[@]}" -module-name OctetFiles -emit-module -emit-module-path "$work/OctetFiles.swiftmodule" \
    -c Sources/OctetFiles/*.swift -o "$work/OctetFiles.o"
  "${swift[@]}" -module-name OctetRun -c Sources/OctetRun/*.swift -o "$work/OctetRun.o"

  # liboctet.a: everything a C program needs (the Unicode tables of the Swift stdlib included).
  (cd "$work/unicode" && "$ar" x "$unicode")
  rm -f "$out/liboctet.a"
  "$ar" rcs "$out/liboctet.a" "${objects[@]}" "$work/OctetRuntime.o" "$work/OctetCAPI.o" "$work"/unicode/*.o
  cp Sources/COctet/include/octet.h "$out/octet.h"

  local link=("$cc" -static-pie -Wl,--gc-sections -O2)
  "$cc" "${CFLAGS[@]}" -c tools/arm/octet_run_main.c -o "$work/octet_run_main.o"
  "${link[@]}" -o "$out/octet-run" "$work/octet_run_main.o" "$work/OctetRun.o" "$work/OctetFiles.o" "$out/liboctet.a" -lm -lpthread
  for prog in octet_example octet_api_test; do
    "$cc" "${CFLAGS[@]}" -I "$out" -c "tools/arm/$prog.c" -o "$work/$prog.o"
    "${link[@]}" -o "$out/${prog//_/-}" "$work/$prog.o" "$out/liboctet.a" -lm -lpthread
  done
  echo "== $arch: $(du -b "$out/octet-run" | cut -f1) bytes octet-run, $(du -b "$out/liboctet.a" | cut -f1) bytes liboctet.a ($((SECONDS - t0)) s) in ${out#$root/}"
}

# The architectures build side by side (one core each), each logging to .build/arm/<arch>.log.
mkdir -p .build/arm
pids=()
for arch in "${arches[@]}"; do
  build_arch "$arch" >".build/arm/$arch.log" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!arches[@]}"; do
  if wait "${pids[$i]}"; then
    tail -n 1 ".build/arm/${arches[$i]}.log"
  else
    status=1
    echo "== ${arches[$i]}: FAILED" >&2
    cat ".build/arm/${arches[$i]}.log" >&2
  fi
done
exit $status
