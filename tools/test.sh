#!/usr/bin/env bash
# The test suite: generates the ONNX node conformance cases, then runs `swift test`.
# Assumes tools/setup.sh has run (system packages and .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
echo "== generating ONNX backend node tests"
"$python" tools/gen_conformance.py Tests/Conformance/generated > /dev/null
echo "== swift test"
swift test "$@"
