#!/usr/bin/env bash
# Builds the OctetKernels C test driver (tools/kernel_tests/*.c + Sources/OctetKernels/**/*.c)
# and runs it:
#   1. natively, with the host cc;
#   2. for aarch64 with aarch64-linux-gnu-gcc, under qemu-aarch64 -cpu max (NEON, dotprod,
#      i8mm) and -cpu cortex-a72 (NEON only: the no-dotprod fallback);
#   3. for aarch64 compiled by the Swift toolchain's clang (the compiler of SwiftPM builds and
#      of tools/arm/build.sh; linked by aarch64-linux-gnu-gcc), under the same two CPUs.
# The cross toolchain and qemu are required (tools/setup.sh installs gcc-aarch64-linux-gnu and
# qemu-user); a missing one is an error, not a skip. Exits nonzero if any build or run fails.
# Output goes to .build-kernels/ (git-ignored). Extra arguments are passed to every run of
# the driver (e.g. --filter f32.dwconv, --seed 7, --verbose). Run from anywhere.
# Environment (used by tools/sanitize.sh): CC (native compiler, default cc), NATIVE_CFLAGS
# (extra flags appended to the native build's, e.g. -g -O1 -fsanitize=address), NATIVE_ONLY=1
# (skip the aarch64 builds and runs; the cross tools are then not needed), KERNEL_TESTS_OUT
# (output directory instead of .build-kernels).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${KERNEL_TESTS_OUT:-$root/.build-kernels}"
mkdir -p "$out"

CC_NATIVE="${CC:-cc}"
CC_AARCH64="${CC_AARCH64:-aarch64-linux-gnu-gcc}"
swiftc="$(command -v swiftc || true)"
CLANG_AARCH64="${CLANG_AARCH64:-${swiftc:+$(dirname "$(readlink -f "$swiftc")")/clang}}"
QEMU_AARCH64="${QEMU_AARCH64:-qemu-aarch64}"
AARCH64_SYSROOT="${AARCH64_SYSROOT:-/usr/aarch64-linux-gnu}"
CFLAGS=(-std=c11 -O2 -Wall -Werror -ffp-contract=off -I Sources/OctetKernels/include)
read -r -a native_cflags <<<"${NATIVE_CFLAGS:-}"
native_only="${NATIVE_ONLY:-0}"

missing=()
command -v "$CC_NATIVE" >/dev/null 2>&1 || missing+=("$CC_NATIVE (Debian package: gcc)")
if [[ "$native_only" != 1 ]]; then
  command -v "$CC_AARCH64" >/dev/null 2>&1 || missing+=("$CC_AARCH64 (Debian package: gcc-aarch64-linux-gnu)")
  command -v "$QEMU_AARCH64" >/dev/null 2>&1 || missing+=("$QEMU_AARCH64 (Debian package: qemu-user)")
  [[ -n "$CLANG_AARCH64" && -x "$CLANG_AARCH64" ]] || missing+=("the Swift toolchain's clang (swiftc on PATH, or CLANG_AARCH64)")
  [[ -d "$AARCH64_SYSROOT/lib" ]] || missing+=("$AARCH64_SYSROOT/lib, the aarch64 libc (Debian package: libc6-arm64-cross, pulled in by gcc-aarch64-linux-gnu)")
fi
if ((${#missing[@]})); then
  echo "run_kernel_tests.sh: ERROR: missing required tools:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  echo "Install them with ./tools/setup.sh (or apt-get install gcc-aarch64-linux-gnu qemu-user)." >&2
  exit 1
fi

mapfile -t sources < <(find Sources/OctetKernels tools/kernel_tests -name '*.c' | LC_ALL=C sort)
start=$SECONDS
status=0
failures=()

build_clang() {  # build_clang NAME: objects by clang for aarch64, linked by aarch64-linux-gnu-gcc
  local name="$1" objdir="$out/obj_$1" objects=()
  echo "== build $name: $CLANG_AARCH64 --target=aarch64-linux-gnu ${CFLAGS[*]} (${#sources[@]} files), linked by $CC_AARCH64"
  rm -rf "$objdir" "$out/kernel_tests_$name"
  mkdir -p "$objdir"
  for f in "${sources[@]}"; do
    local o="$objdir/$(echo "${f%.c}" | tr '/' '_').o"
    "$CLANG_AARCH64" --target=aarch64-linux-gnu --sysroot="$AARCH64_SYSROOT" "${CFLAGS[@]}" -c "$f" -o "$o" || {
      echo "== build $name: FAILED ($f)"
      return 1
    }
    objects+=("$o")
  done
  "$CC_AARCH64" -o "$out/kernel_tests_$name" "${objects[@]}" -lm || { echo "== build $name: FAILED (link)"; return 1; }
}

build() {  # build NAME COMPILER [EXTRA FLAGS...]
  local name="$1" cc="$2"
  shift 2
  echo "== build $name: $cc ${CFLAGS[*]} $* (${#sources[@]} files)"
  rm -f "$out/kernel_tests_$name"
  if ! "$cc" "${CFLAGS[@]}" "$@" -o "$out/kernel_tests_$name" "${sources[@]}" -lm; then
    echo "== build $name: FAILED"
    return 1
  fi
}

total_passed=0
total_failed=0

run() {  # run LABEL COMMAND...   (adds the driver's closing counts to the totals)
  local label="$1" log="$out/run.log"
  shift
  echo "== run $label: $*"
  local t0=$SECONDS rc=0
  "$@" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
  local last
  last="$(tail -n 1 "$log")"
  if [[ "$last" =~ ^kernels:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    total_passed=$((total_passed + BASH_REMATCH[1]))
    total_failed=$((total_failed + BASH_REMATCH[2]))
  else
    total_failed=$((total_failed + 1))  # crashed before its summary
  fi
  if ((rc == 0)); then
    echo "== run $label: ok ($((SECONDS - t0)) s)"
  else
    echo "== run $label: FAILED (exit $rc)"
    failures+=("run $label")
    status=1
  fi
}

# Both builds in parallel (2 cores); their output is printed in order afterwards.
build native "$CC_NATIVE" "${native_cflags[@]}" >"$out/build_native.log" 2>&1 &
pid_native=$!
ok_native=1 ok_aarch64=0 ok_clang=0
if [[ "$native_only" != 1 ]]; then
  build aarch64 "$CC_AARCH64" >"$out/build_aarch64.log" 2>&1 &
  pid_aarch64=$!
  ok_aarch64=1
fi
wait "$pid_native" || ok_native=0
cat "$out/build_native.log"
if [[ "$native_only" != 1 ]]; then
  build_clang aarch64_clang >"$out/build_aarch64_clang.log" 2>&1 &
  pid_clang=$!
  ok_clang=1
  wait "$pid_aarch64" || ok_aarch64=0
  cat "$out/build_aarch64.log"
  ((ok_aarch64)) || { failures+=("build aarch64"); status=1; total_failed=$((total_failed + 1)); }
fi
((ok_native)) || { failures+=("build native"); status=1; total_failed=$((total_failed + 1)); }

if ((ok_native)); then
  run "native ($(uname -m))" "$out/kernel_tests_native" "$@"
fi
if ((ok_aarch64)); then
  run "aarch64 qemu -cpu max" "$QEMU_AARCH64" -cpu max -L "$AARCH64_SYSROOT" "$out/kernel_tests_aarch64" \
    --expect neon,dotprod,i8mm "$@"
  run "aarch64 qemu -cpu cortex-a72" "$QEMU_AARCH64" -cpu cortex-a72 -L "$AARCH64_SYSROOT" "$out/kernel_tests_aarch64" \
    --expect neon --expect-absent dotprod,i8mm "$@"
fi
if [[ "$native_only" != 1 ]]; then
  wait "$pid_clang" || ok_clang=0
  cat "$out/build_aarch64_clang.log"
  ((ok_clang)) || { failures+=("build aarch64 clang"); status=1; total_failed=$((total_failed + 1)); }
fi
if ((ok_clang)); then
  run "aarch64 (clang) qemu -cpu max" "$QEMU_AARCH64" -cpu max -L "$AARCH64_SYSROOT" "$out/kernel_tests_aarch64_clang" \
    --expect neon,dotprod,i8mm "$@"
  run "aarch64 (clang) qemu -cpu cortex-a72" "$QEMU_AARCH64" -cpu cortex-a72 -L "$AARCH64_SYSROOT" \
    "$out/kernel_tests_aarch64_clang" --expect neon --expect-absent dotprod,i8mm "$@"
fi

if ((status)); then
  echo "== kernel tests FAILED ($((SECONDS - start)) s): ${failures[*]}"
elif [[ "$native_only" == 1 ]]; then
  echo "== kernel tests passed ($((SECONDS - start)) s): native only"
else
  echo "== kernel tests passed ($((SECONDS - start)) s): native; gcc and clang builds under qemu -cpu max and cortex-a72"
fi
# Closing line: the checks of all five runs added up (a failed build or a crashed run counts 1 failure).
echo "kernels: ${total_passed} passed, ${total_failed} failed"
exit "$status"
