#!/usr/bin/env bash
# Whole models bit-exact on ARM: every model in models/, the test fixtures (float fallback ops
# included) and three timing architectures at a reduced input size (MobileNetV2 and ResNet-18 at
# 96², ResNet-50 at 64², full width, made by tools/arm/make_models.py), converted on x86 by
# `octet convert`, then run by
#   - `octet run` (the SwiftPM build, x86): the reference output .npy;
#   - the static x86_64 octet-run (Embedded Swift) at 1 and 2 threads;
#   - the static aarch64 octet-run under qemu-aarch64 -cpu cortex-a72 (NEON), cortex-a76
#     (dotprod) and max (i8mm), at 1 and 2 threads;
# and every output must be byte-identical to the reference. Then the C API checks
# (octet-api-test) and the C example (octet-example, same printed bytes) natively and under
# each qemu CPU. Prints a table; exits 1 on any difference or failure.
# Needs: tools/arm/build.sh run first (.build/arm/{aarch64,x86_64}), `swift build -c release
# --product octet`, .venv (tools/setup.sh), qemu-user. Work files go to .build/arm/check/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
octet=".build/release/octet"
python="${PYTHON:-.venv/bin/python}"
qemu="${QEMU_AARCH64:-qemu-aarch64}"
arm=".build/arm/aarch64"
x86=".build/arm/x86_64"
for f in "$octet" "$arm/octet-run" "$x86/octet-run" "$arm/octet-api-test" "$x86/octet-example"; do
  [[ -x "$f" ]] || { echo "check_models.sh: ERROR: $f missing (swift build -c release --product octet; tools/arm/build.sh)" >&2; exit 1; }
done
command -v "$qemu" >/dev/null || { echo "check_models.sh: ERROR: $qemu missing (Debian package qemu-user)" >&2; exit 1; }
work=".build/arm/check"
rm -rf "$work"
mkdir -p "$work"
start=$SECONDS

# name  onnx  calibration  input
models=()
for onnx in models/*.onnx; do
  name="$(basename "$onnx" .onnx)"
  models+=("$name $onnx models/calibration_500.npy $work/fashion.npy")
done
"$python" -c "import numpy as np; np.save('$work/fashion.npy', np.load('models/calibration_500.npy')[400:404].astype(np.float32))"
# The test fixtures (PyTorch exports, batch-2 inputs): ops_tiny* run the float fallbacks
# (Softmax, bilinear Resize, ConvTranspose, Pad, broadcast binary ops) next to the int8 ops.
for onnx in Tests/OctetConvertTests/Fixtures/models/*.onnx; do
  name="$(basename "$onnx" .onnx)"
  models+=("$name $onnx ${onnx%.onnx}.input.npy ${onnx%.onnx}.input.npy")
done
for spec in mobilenet_v2:96 resnet18:96 resnet50:64; do
  arch="${spec%:*}" size="${spec#*:}"
  [[ -f "$work/calib$size.npy" ]] || {
    "$python" tools/arm/upscaled_inputs.py "$size" 16 0 "$work/calib$size.npy"
    "$python" tools/arm/upscaled_inputs.py "$size" 2 400 "$work/input$size.npy"
  }
  "$python" tools/arm/make_models.py "$work" "$size" "$arch"
  models+=("${arch}_$size $work/${arch}_$size.onnx $work/calib$size.npy $work/input$size.npy")
done

failures=0
row() { printf '%-20s %-22s %s\n' "$@"; }
row model run result
for spec in "${models[@]}"; do
  read -r name onnx calib input <<<"$spec"
  m="$work/$name.octet"
  if ! "$octet" convert "$onnx" --calibration "$calib" -o "$m" >"$work/$name.convert.log" 2>&1; then
    row "$name" convert "FAILED (see $work/$name.convert.log)"
    failures=$((failures + 1))
    continue
  fi
  "$octet" run "$m" --input "$input" --output "$work/$name.ref.npy" --top-k 0 >/dev/null
  runs=("x86_64:1" "x86_64:2" "cortex-a72:1" "cortex-a72:2" "cortex-a76:1" "cortex-a76:2" "max:1" "max:2")
  for r in "${runs[@]}"; do
    cpu="${r%:*}" threads="${r#*:}" out="$work/$name.$cpu.$threads.npy"
    if [[ "$cpu" == x86_64 ]]; then
      cmd=("$x86/octet-run" "$m" --input "$input" --output "$out" --threads "$threads")
    else
      cmd=("$qemu" -cpu "$cpu" "$arm/octet-run" "$m" --input "$input" --output "$out" --threads "$threads")
    fi
    if ! log="$("${cmd[@]}" 2>&1)"; then
      row "$name" "$cpu ${threads}t" "FAILED: $log"
      failures=$((failures + 1))
    elif ! cmp -s "$out" "$work/$name.ref.npy"; then
      row "$name" "$cpu ${threads}t" "DIFFERS from octet run"
      failures=$((failures + 1))
    else
      row "$name" "$cpu ${threads}t ($(sed -n 's/^kernels: \([a-z0-9]*\),.*/\1/p' <<<"$log"))" identical
    fi
  done
done

# The C API: its checks, and the example's printed outputs equal on every CPU.
api_model="$work/resnet18.octet"
"$x86/octet-example" "$api_model" | tail -n +2 >"$work/example.x86_64.txt"
for cpu in x86_64 cortex-a72 cortex-a76 max; do
  if [[ "$cpu" == x86_64 ]]; then pre=("$x86/"); else pre=("$qemu" -cpu "$cpu" "$arm/"); fi
  if log="$("${pre[@]:0:${#pre[@]}-1}" "${pre[-1]}octet-api-test" "$api_model" 2>&1)"; then
    row c-api "$cpu" "$(tail -n 1 <<<"$log")"
  else
    row c-api "$cpu" "FAILED: $log"
    failures=$((failures + 1))
  fi
  "${pre[@]:0:${#pre[@]}-1}" "${pre[-1]}octet-example" "$api_model" 2 | tail -n +2 >"$work/example.$cpu.txt"
  if cmp -s "$work/example.$cpu.txt" "$work/example.x86_64.txt"; then
    row c-example "$cpu 2t" "same outputs as x86_64"
  else
    row c-example "$cpu 2t" "DIFFERS"
    failures=$((failures + 1))
  fi
done

echo "check_models.sh: ${#models[@]} models, $failures failure(s), $((SECONDS - start)) s"
((failures == 0))
