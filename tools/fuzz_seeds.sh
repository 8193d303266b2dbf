#!/usr/bin/env bash
# Builds the fuzz seed corpora from the real models into fuzz/seeds/ (git-ignored):
#   fuzz/seeds/octet-loader/  .octet files converted from the small ONNX fixtures (calibrated
#                             on their own .input.npy), each prefixed with the harness's control
#                             byte 0x00 (checksums repaired, automatic kernels, finite inputs)
#   fuzz/seeds/onnx-import/   the ONNX fixtures, models/lenet5.onnx and, when generated
#                             (tools/gen_conformance.py), every ONNX node conformance model,
#                             also with parameter inputs frozen (tools/fuzz_onnx_seeds.py)
# Seeds larger than the target's -max_len (tools/fuzz.sh) are skipped. The committed seeds in
# Tests/FuzzCorpus/ and Tests/FuzzRegressions/ are used by tools/fuzz.sh directly.
# Reuses what is already there; FUZZ_SEEDS_CLEAN=1 rebuilds. Builds `octet` in .build-fz-plain.
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz/seeds
octet_max=${OCTET_MAX_LEN:-65536}
onnx_max=${ONNX_MAX_LEN:-600000}
[ "${FUZZ_SEEDS_CLEAN:-0}" = 1 ] && rm -rf "$out"
mkdir -p "$out/octet-loader" "$out/onnx-import"
fixtures=Tests/OctetConvertTests/Fixtures/models

size() { stat -c %s "$1"; }

# ONNX seeds.
for f in "$fixtures"/*.onnx models/lenet5.onnx; do
  [ -f "$f" ] && [ "$(size "$f")" -le "$onnx_max" ] && cp "$f" "$out/onnx-import/$(basename "$f")"
done
if [ -d Tests/Conformance/generated ]; then
  for f in Tests/Conformance/generated/*/model.onnx; do
    case_name=$(basename "$(dirname "$f")")
    [ "$(size "$f")" -le "$onnx_max" ] && cp "$f" "$out/onnx-import/conformance_$case_name.onnx"
  done
  python=${PYTHON:-.venv/bin/python}
  if "$python" -c "import onnx" 2>/dev/null; then
    "$python" tools/fuzz_onnx_seeds.py Tests/Conformance/generated "$out/onnx-import" "$onnx_max" >&2
  fi
else
  echo "fuzz_seeds: Tests/Conformance/generated missing (run tools/gen_conformance.py for more ONNX seeds)" >&2
fi

# .octet seeds, converted once.
if ! ls "$out/octet-loader"/*.octet >/dev/null 2>&1; then
  swift build --scratch-path .build-fz-plain --product octet >/dev/null
  octet=.build-fz-plain/debug/octet
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  for f in "$fixtures"/*_tiny*.onnx; do
    name=$(basename "$f" .onnx)
    if "$octet" convert "$f" --calibration "$fixtures/$name.input.npy" --bias-correction off --equalization off \
        -o "$tmp/$name.octet" >/dev/null 2>"$tmp/err"; then
      if [ "$(size "$tmp/$name.octet")" -lt "$octet_max" ]; then
        { printf '\x00'; cat "$tmp/$name.octet"; } > "$out/octet-loader/$name.octet"
      fi
    else
      echo "fuzz_seeds: converting $name failed: $(cat "$tmp/err")" >&2
    fi
  done
fi
echo "fuzz_seeds: $(ls "$out/octet-loader" | wc -l) .octet seeds, $(ls "$out/onnx-import" | wc -l) ONNX seeds in $out"
