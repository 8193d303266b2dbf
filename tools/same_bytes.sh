#!/usr/bin/env bash
# Same bytes before and after a change: converts every ONNX model in models/ (and the test
# fixtures) with two octet binaries, checks the .octet files are identical, then runs both
# binaries' int8 interpreters on every kernel path this CPU has, at 1 and 2 threads, on the
# 500 calibration images (fixtures: their own input) and checks every output byte is identical.
#   tools/same_bytes.sh OLD_OCTET NEW_OCTET
# Build OLD_OCTET from the earlier commit in a git worktree (swift build -c release --product octet).
set -euo pipefail
old="$1" new="$2"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
paths="${OCTET_PATHS:-avx512vnni avxvnni avx2 i8mm dotprod neon scalar reference}"  # paths the CPU or OLD lacks are skipped
failures=0 checks=0
check() {  # name, file a, file b
  checks=$((checks + 1))
  if ! cmp -s "$2" "$3"; then echo "DIFFERENT: $1"; failures=$((failures + 1)); fi
}
models=("$root"/models/*.onnx "$root"/Tests/OctetConvertTests/Fixtures/models/*.onnx)
for onnx in "${models[@]}"; do
  name=$(basename "$onnx" .onnx)
  input="${onnx%.onnx}.input.npy"
  [[ -f "$input" ]] || input="$root/models/calibration_500.npy"
  calib="$input"
  for bin in old new; do
    b=${!bin}
    "$b" convert "$onnx" --calibration "$calib" -o "$out/$name.$bin.octet" > "$out/$name.$bin.convert.log" 2>&1 || {
      echo "convert failed ($bin): $name"; tail -3 "$out/$name.$bin.convert.log"; failures=$((failures + 1)); continue 2; }
  done
  check "$name.octet" "$out/$name.old.octet" "$out/$name.new.octet"
  for path in $paths; do
    for threads in 1 2; do
      for bin in old new; do
        b=${!bin}
        OCTET_KERNELS=$path "$b" run "$out/$name.new.octet" --input "$input" --threads "$threads" \
          --output "$out/$name.$bin.$path.$threads.npy" > /dev/null 2>&1 || true
      done
      if [[ ! -f "$out/$name.old.$path.$threads.npy" ]]; then
        continue  # a path this CPU lacks, or one the old binary does not have (the new one must not lack it)
      fi
      check "$name $path ${threads}t" "$out/$name.old.$path.$threads.npy" "$out/$name.new.$path.$threads.npy"
    done
  done
done
echo "same_bytes: $checks checks, $failures different"
[[ $failures -eq 0 ]]
