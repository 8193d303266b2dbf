#!/usr/bin/env bash
# Builds the fuzz seed corpora from the real models into fuzz/seeds/ (git-ignored):
#   fuzz/seeds/onnx-import/   the ONNX fixtures, models/lenet5.onnx and, when generated
#                             (tools/gen_conformance.py), every ONNX node conformance model,
#                             also with parameter inputs frozen (tools/fuzz_onnx_seeds.py)
#   fuzz/seeds/octet-loader/  .octet files converted from the small ONNX fixtures (calibrated
#                             on their own .input.npy) and from the conformance models (on their
#                             test input), each prefixed with the harness's control byte 0x00
#                             (checksums repaired, automatic kernels, finite inputs)
# Seeds larger than the target's -max_len (OCTET_MAX_LEN, ONNX_MAX_LEN; tools/fuzz.sh) are
# skipped. The committed seeds in Tests/FuzzCorpus/ and Tests/FuzzRegressions/ are used by
# tools/fuzz.sh directly. Reuses seeds already built; FUZZ_SEEDS_CLEAN=1 rebuilds them.
# Builds `octet` in .build-fz-plain; needs .venv (onnx, numpy) for the conformance seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz/seeds
octet_max=${OCTET_MAX_LEN:-65536}
onnx_max=${ONNX_MAX_LEN:-262144}
python=${PYTHON:-.venv/bin/python}
fixtures=Tests/OctetConvertTests/Fixtures/models
[ "${FUZZ_SEEDS_CLEAN:-0}" = 1 ] && rm -rf "$out"
if [ -f "$out/.complete" ]; then
  echo "fuzz_seeds: $(ls "$out/octet-loader" | wc -l) .octet seeds, $(ls "$out/onnx-import" | wc -l) ONNX seeds in $out (reused)"
  exit 0
fi
rm -rf "$out"
mkdir -p "$out/octet-loader" "$out/onnx-import"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
size() { stat -c %s "$1"; }

# ONNX seeds; fixtures also go to the conversion list.
for f in "$fixtures"/*.onnx models/lenet5.onnx; do
  [ -f "$f" ] && [ "$(size "$f")" -le "$onnx_max" ] && cp "$f" "$out/onnx-import/$(basename "$f")"
done
for f in "$fixtures"/*_tiny*.onnx; do
  cp "$f" "$fixtures/$(basename "$f" .onnx).input.npy" "$tmp/"
done
if [ -d Tests/Conformance/generated ]; then
  for f in Tests/Conformance/generated/*/model.onnx; do
    case_name=$(basename "$(dirname "$f")")
    [ "$(size "$f")" -le "$onnx_max" ] && cp "$f" "$out/onnx-import/conformance_$case_name.onnx"
  done
  if "$python" -c "import onnx, numpy" 2>/dev/null; then
    "$python" tools/fuzz_onnx_seeds.py Tests/Conformance/generated "$out/onnx-import" "$onnx_max" "$tmp"
  else
    echo "fuzz_seeds: no onnx/numpy in $python: conformance models are used as generated only" >&2
  fi
else
  echo "fuzz_seeds: Tests/Conformance/generated missing (tools/gen_conformance.py makes more seeds)" >&2
fi

# .octet seeds: every model in $tmp with its .input.npy as calibration (failures are expected:
# not every conformance op converts to int8).
# OCTET_BIN: an already built `octet` (e.g. .build/debug/octet after `swift test`) saves a build.
octet=${OCTET_BIN:-}
if [ -z "$octet" ]; then
  swift build --scratch-path .build-fz-plain --product octet >/dev/null
  octet=.build-fz-plain/debug/octet
fi
for f in "$tmp"/*.onnx; do
  name=$(basename "$f" .onnx)
  if "$octet" convert "$f" --calibration "$tmp/$name.input.npy" --bias-correction off --equalization off \
      -o "$tmp/$name.octet" >/dev/null 2>&1 && [ "$(size "$tmp/$name.octet")" -lt "$octet_max" ]; then
    { printf '\x00'; cat "$tmp/$name.octet"; } > "$out/octet-loader/$name.octet"
  fi
done
touch "$out/.complete"
echo "fuzz_seeds: $(ls "$out/octet-loader" | wc -l) .octet seeds, $(ls "$out/onnx-import" | wc -l) ONNX seeds in $out"
