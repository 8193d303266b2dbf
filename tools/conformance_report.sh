#!/usr/bin/env bash
# Regenerates the ONNX node tests and writes docs/CONFORMANCE.md from Octet's float path.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
"$python" tools/gen_conformance.py Tests/Conformance/generated > /dev/null
version="$("$python" -c 'import onnx; print(onnx.__version__)')"
OCTET_CONFORMANCE_MD="$PWD/docs/CONFORMANCE.md" OCTET_ONNX_VERSION="$version" \
    swift test --filter ConformanceTests 2>&1 | grep -E "^conformance:"
echo "wrote docs/CONFORMANCE.md"
