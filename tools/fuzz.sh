#!/usr/bin/env bash
# Fuzzes Octet with libFuzzer + AddressSanitizer (debug build in .build-fuzz).
#
#   tools/fuzz.sh <octet-loader|onnx-import|all> [seconds per target, default 60]
#
# Builds the fuzz executables, prepares the seeds (tools/fuzz_seeds.sh), runs each target for
# the given time, prints executions, coverage and features, and exits nonzero if any target
# found a crash, leak, timeout or out-of-memory input. Files (all git-ignored, under fuzz/):
#   fuzz/corpus/<target>/     the growing corpus (kept between runs)
#   fuzz/artifacts/<target>/  crash-*, leak-*, timeout-*, oom-* inputs
#   fuzz/logs/<target>.log    libFuzzer's output
# Replay an artifact in a normal build: swift run --scratch-path .build-fz-plain fuzz-<target> FILE
# Environment: FUZZ_FLAGS (extra libFuzzer flags, e.g. -fork=2), FUZZ_SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-}
seconds=${2:-60}
case "$target" in
  octet-loader|onnx-import) targets=("$target") ;;
  all) targets=(octet-loader onnx-import) ;;
  *) echo "usage: tools/fuzz.sh <octet-loader|onnx-import|all> [seconds]" >&2; exit 2 ;;
esac
export SWIFT_BACKTRACE=enable=no   # a crash otherwise sits ~40 s in the backtracer
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}

max_len() { case "$1" in octet-loader) echo 65536 ;; onnx-import) echo 262144 ;; esac; }

build() {
  # SwiftPM passes --sanitize fuzzer and --sanitize address to swiftc as two -sanitize= flags
  # and the later one wins, so Swift code would lose either coverage or ASan: the combined
  # flag (after SwiftPM's) gives both. -DOCTET_LIBFUZZER drops the replay main.
  local product=$1 attempt
  for attempt in 1 2 3; do
    if swift build -c debug --scratch-path .build-fuzz --product "$product" \
        --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address \
        -Xswiftc -parse-as-library -Xswiftc -DOCTET_LIBFUZZER > fuzz/logs/build-"$product".log 2>&1; then
      return 0
    fi
    # Another process editing the tree makes SwiftPM stop with "modified during the build".
    grep -q "modified during the build" fuzz/logs/build-"$product".log || break
  done
  grep -E "error" fuzz/logs/build-"$product".log | head -20 >&2
  echo "fuzz: building $product failed (fuzz/logs/build-$product.log)" >&2
  return 1
}

mkdir -p fuzz/logs
start=$(date +%s)
if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
  for t in "${targets[@]}"; do build "fuzz-$t"; done
  echo "fuzz: built in $(( $(date +%s) - start )) s"
fi
OCTET_MAX_LEN=$(max_len octet-loader) ONNX_MAX_LEN=$(max_len onnx-import) tools/fuzz_seeds.sh

status=0
for t in "${targets[@]}"; do
  corpus=fuzz/corpus/$t artifacts=fuzz/artifacts/$t log=fuzz/logs/$t.log
  mkdir -p "$corpus" "$artifacts"
  before=$(ls "$artifacts" | wc -l)
  seeds=(fuzz/seeds/"$t")
  for d in Tests/FuzzCorpus/"$t" Tests/FuzzRegressions/"$t"; do [ -d "$d" ] && seeds+=("$d"); done
  echo "fuzz: $t for $seconds s (corpus $corpus, seeds ${seeds[*]})"
  rc=0
  # shellcheck disable=SC2086
  .build-fuzz/debug/fuzz-"$t" -max_total_time="$seconds" -max_len="$(max_len "$t")" \
    -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" ${FUZZ_FLAGS:-} "$corpus" "${seeds[@]}" > "$log" 2>&1 || rc=$?
  inited=$(grep -m1 "INITED" "$log" || true)
  # Status lines: "#N DONE cov: …", or "#N: cov: …" from the parent of a -fork=N run.
  last=$({ grep -E "^#[0-9]+(.*(DONE|pulse|NEW|REDUCE)|: cov:)" "$log" || true; } | tail -1)
  execs=$({ grep "stat::number_of_executed_units" "$log" || true; } | awk '{s += $2} END {print s + 0}')
  rate=$({ grep "stat::average_exec_per_sec" "$log" || true; } | awk '{s += $2} END {print s + 0}')
  if [ "$execs" = 0 ] && [ -n "$last" ]; then  # -fork: no final stats; the last status line counts
    execs=$(echo "$last" | sed -E 's/^#([0-9]+).*/\1/')
    rate=$(( execs / (seconds > 0 ? seconds : 1) ))
  fi
  after=$(ls "$artifacts" | wc -l)
  echo "  ${inited:-no INITED line}"
  echo "  ${last:-no status line}"
  echo "  executions: $execs, $rate exec/s; artifacts: $((after - before)) new, $after total in $artifacts"
  if echo "$inited" | grep -q "cov: 0 "; then echo "  ERROR: no coverage (uninstrumented build)"; status=1; fi
  if [ "$rc" != 0 ] || [ "$after" -gt "$before" ]; then
    grep -E "ERROR: |SUMMARY: |Fatal error|Test unit written" "$log" | head -10 | sed 's/^/  /'
    echo "  FAILED ($t: libFuzzer exit $rc; see $log)"
    status=1
  fi
done
echo "fuzz: done in $(( $(date +%s) - start )) s"
exit $status
