#!/usr/bin/env bash
# Runs the tests under sanitizers (docs/SECURITY.md#sanitizers):
#
#   tools/sanitize.sh [MODE...] [--kernels | --swift] [--swift-filter REGEX]
#
# MODE (default all):
#   asan       AddressSanitizer (+ LeakSanitizer)
#   ubsan      UndefinedBehaviorSanitizer, every finding fatal (-fno-sanitize-recover)
#   tsan       ThreadSanitizer
#   asan+ubsan both in one build (the cheaper CI form of asan and ubsan)
#   all        asan, ubsan and tsan, one after the other
# For each mode, two parts (--kernels or --swift runs only one):
#   1. the C kernel tests (tools/kernel_tests, native x86 only), built by
#      tools/run_kernel_tests.sh with clang and -g -O1 -fsanitize=… into .build-kernels-MODE/;
#      tsan runs them too (the pool, and the kernels through the pool);
#   2. `swift test` with the sanitizer, scratch path .build-MODE (never the default .build).
#      Swift has no UBSan of its own (`swift build --sanitize undefined` is rejected on Linux):
#      ubsan instruments the C/C++ targets (-Xcc -fsanitize=undefined) and links clang's UBSan
#      runtime. Swift tests: the whole suite for asan, ubsan and asan+ubsan; for tsan the
#      tests that run the thread pool (TSAN_FILTER below). --swift-filter REGEX replaces the
#      filter (swift test --filter) of every mode.
# Every sanitizer report is fatal (halt_on_error), and the Swift runs write reports to
# .build-MODE/sanitizer-reports/ (log_path) — child processes too: the CLI tests run the
# sanitized `octet` binary and some expect it to fail, so a report there would otherwise look
# like an expected failure. Any report file fails the run and is printed.
# Zero-allocation tests skip under asan/tsan (their malloc interposer is compiled out; see
# Sources/_MallocCounter). Exits nonzero if any part fails. Run from anywhere.
# Environment: CLANG (default: clang on PATH, the Swift toolchain's), PYTHON (for
# tools/gen_conformance.py when Tests/Conformance/generated is missing; default .venv/bin/python).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# The threaded tests: the interpreter on 1–4 threads, interpreters sharing a model across
# threads, every kernel path on 1 and 2–3 threads, the float fast path on 2 threads.
TSAN_FILTER='OctetRuntimeTests\.(DeterminismTests|KernelPathTests|RowMergedConvTests|InterpreterTests)|OctetConvertTests\.FloatKernelPathTests|OctetConvertTests\.ConverterTests/sideBySide|OctetRunTests\.(OctetRunTests|CAPITests)'

modes=()
parts=(kernels swift)
swift_filter=""
while (($#)); do
  case "$1" in
    asan | ubsan | tsan | asan+ubsan) modes+=("$1") ;;
    all) modes+=(asan ubsan tsan) ;;
    --kernels) parts=(kernels) ;;
    --swift) parts=(swift) ;;
    --swift-filter)
      swift_filter="${2:?--swift-filter needs a regex}"
      shift
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "sanitize.sh: unknown argument '$1' (modes: asan ubsan tsan asan+ubsan all; --kernels, --swift, --swift-filter REGEX)" >&2
      exit 2
      ;;
  esac
  shift
done
((${#modes[@]})) || modes=(asan ubsan tsan)

CLANG="${CLANG:-$(command -v clang || true)}"
if [[ -z "$CLANG" || ! -x "$CLANG" ]]; then
  echo "sanitize.sh: ERROR: clang not found (the Swift toolchain's, e.g. /opt/swift/usr/bin/clang; set CLANG)" >&2
  exit 1
fi
toolchain="$(cd "$(dirname "$CLANG")/.." && pwd)"  # …/usr
clang_rt="$("$CLANG" -print-resource-dir)/lib/linux"
swift_libs="$toolchain/lib/swift/linux"          # libdispatch, which clang's TSan runtime needs

# Sanitizer runtime options (every report fatal). Swift's crash backtracer is turned off: it
# can hang ~40 s on a crash and adds nothing to a sanitizer report.
export SWIFT_BACKTRACE=enable=no
ubsan_opts="halt_on_error=1:print_stacktrace=1"
asan_opts="halt_on_error=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1"
lsan_opts="suppressions=$root/tools/sanitizers/lsan.supp:print_suppressions=0"
tsan_opts="halt_on_error=1:second_deadlock_stack=1"

status=0
summary=()

note() {  # note LABEL RESULT SECONDS
  summary+=("$(printf '%-28s %-7s %4d s' "$1" "$2" "$3")")
}

# ---- C kernel tests ----------------------------------------------------------------------

kernels() {  # kernels MODE
  local mode="$1" san flags=(-g -O1 -fno-omit-frame-pointer -fuse-ld=lld)
  case "$mode" in
    asan) san=(-fsanitize=address) ;;
    ubsan) san=(-fsanitize=undefined -fno-sanitize-recover=undefined) ;;
    asan+ubsan) san=(-fsanitize=address,undefined -fno-sanitize-recover=undefined) ;;
    tsan) san=(-fsanitize=thread -L"$swift_libs" -ldispatch -lBlocksRuntime -Wl,-rpath,"$swift_libs") ;;
  esac
  local t0=$SECONDS rc=0
  echo "===== $mode: C kernel tests (native, $CLANG)"
  CC="$CLANG" NATIVE_ONLY=1 KERNEL_TESTS_OUT="$root/.build-kernels-${mode/+/-}" NATIVE_CFLAGS="${flags[*]} ${san[*]}" \
    ASAN_OPTIONS="$asan_opts" UBSAN_OPTIONS="$ubsan_opts" TSAN_OPTIONS="$tsan_opts" \
    ./tools/run_kernel_tests.sh || rc=$?
  if ((rc)); then
    status=1
    note "$mode kernels" FAILED $((SECONDS - t0))
  else
    note "$mode kernels" ok $((SECONDS - t0))
  fi
}

# ---- Swift tests -------------------------------------------------------------------------

conformance_ready=0
ensure_conformance() {  # the ONNX node cases ConformanceTests reads (tools/test.sh makes them)
  ((conformance_ready)) && return 0
  conformance_ready=1
  [[ -f Tests/Conformance/generated/index.tsv ]] && return 0
  local python="${PYTHON:-.venv/bin/python}"
  echo "== generating ONNX backend node tests (Tests/Conformance/generated is missing)"
  "$python" tools/gen_conformance.py Tests/Conformance/generated >/dev/null
}

swift_tests() {  # swift_tests MODE
  local mode="$1" scratch=".build-${1/+/-}" args filter env_opts=()
  case "$mode" in
    asan) args=(--sanitize address) ;;
    ubsan) args=(-Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined
                 -Xlinker "$clang_rt/libclang_rt.ubsan_standalone-x86_64.so" -Xlinker -rpath -Xlinker "$clang_rt") ;;
    # ASan's runtime carries the UBSan handlers: no extra runtime to link.
    asan+ubsan) args=(--sanitize address -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined) ;;
    tsan) args=(--sanitize thread) ;;
  esac
  filter="$swift_filter"
  [[ -z "$filter" && "$mode" == tsan ]] && filter="$TSAN_FILTER"
  local reports="$root/$scratch/sanitizer-reports"
  local t0=$SECONDS rc=0
  echo "===== $mode: swift build --build-tests --scratch-path $scratch ${args[*]}"
  # (gold's "Cannot export local symbol '__asan_…'" warnings, one per ASan helper, are dropped)
  swift build --build-tests --scratch-path "$scratch" "${args[@]}" 2>&1 |
    { grep -v "Cannot export local symbol" || true; } || rc=$?
  local t1=$SECONDS
  if ((rc)); then
    status=1
    note "$mode swift build" FAILED $((t1 - t0))
    return
  fi
  note "$mode swift build" ok $((t1 - t0))
  [[ -z "$filter" || "$filter" == *ConformanceTests* || "$filter" == *OctetConvertTests* ]] && ensure_conformance
  rm -rf "$reports"
  mkdir -p "$reports"
  env_opts=(
    ASAN_OPTIONS="$asan_opts:log_path=$reports/asan"
    LSAN_OPTIONS="$lsan_opts"
    UBSAN_OPTIONS="$ubsan_opts:log_path=$reports/ubsan"
    TSAN_OPTIONS="$tsan_opts:log_path=$reports/tsan"
  )
  local filter_args=()
  [[ -n "$filter" ]] && filter_args=(--filter "$filter")
  echo "===== $mode: swift test ${filter_args[*]} (sanitizer reports: $scratch/sanitizer-reports/)"
  env "${env_opts[@]}" swift test --skip-build --scratch-path "$scratch" "${args[@]}" "${filter_args[@]}" || rc=$?
  local found
  found="$(find "$reports" -type f | LC_ALL=C sort)"
  if [[ -n "$found" ]]; then
    echo "===== $mode: sanitizer reports:"
    while IFS= read -r f; do
      echo "----- $f"
      cat "$f"
    done <<<"$found"
    rc=1
  fi
  if ((rc)); then
    status=1
    note "$mode swift test" FAILED $((SECONDS - t1))
  else
    note "$mode swift test" ok $((SECONDS - t1))
  fi
}

start=$SECONDS
for mode in "${modes[@]}"; do
  for part in "${parts[@]}"; do
    if [[ "$part" == kernels ]]; then kernels "$mode"; else swift_tests "$mode"; fi
  done
done

echo "===== sanitize.sh summary ($((SECONDS - start)) s)"
printf '  %s\n' "${summary[@]}"
if ((status)); then
  echo "sanitize: FAILED"
else
  echo "sanitize: passed"
fi
exit "$status"
