#!/usr/bin/env bash
# One command for the benchmark report (docs/BENCHMARKS.md + docs/benchmarks.svg) from a fresh clone:
#   1. tools/setup.sh (Debian packages, .venv);
#   2. .venv-bench with the peers (tools/requirements-bench.txt: onnxruntime, ai-edge-litert,
#      tensorflow-cpu for the TFLite converter), pip only when the requirements changed;
#   3. the ImageNet-size timing models (models/timing/, git-ignored) if missing: exported by
#      tools/export_models.py in .venv-torch (tools/requirements-torch.txt; the PyPI torch wheels
#      pull several GB of CUDA libraries, so this step is slow once);
#   4. a release build of octet; 5. tools/bench_peers.py with any arguments given here.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

./tools/setup.sh

venv() {  # venv DIR REQUIREMENTS
  local dir="$1" req="$2" stamp="$1/.requirements.sha256"
  [[ -x "$dir/bin/python" ]] || python3 -m venv "$dir"
  local want; want="$(cat "$req" tools/requirements.txt | sha256sum | cut -d' ' -f1)"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    "$dir/bin/pip" install --quiet --upgrade pip
    "$dir/bin/pip" install --quiet -r "$req"
    echo "$want" > "$stamp"
  fi
}

venv .venv-bench tools/requirements-bench.txt

timing=(mobilenet_v1 mobilenet_v2 resnet18 resnet50 bagnet33)
for m in "${timing[@]}"; do
  if [[ ! -f "models/timing/$m.onnx" ]]; then
    venv .venv-torch tools/requirements-torch.txt
    .venv-torch/bin/python tools/export_models.py --skip-fixtures
    break
  fi
done

swift build -c release --product octet
.venv-bench/bin/python tools/bench_peers.py "$@"
