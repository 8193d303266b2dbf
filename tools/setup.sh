#!/usr/bin/env bash
# One-time (idempotent) setup of a Debian 12 machine for Octet:
#   1. the Debian packages the build and tests need (apt-get only when one is missing);
#   2. the Python venv .venv in the repository root with tools/requirements.txt
#      (pip only when the requirements changed since the last install).
# Runs as root or through sudo, non-interactively. Safe to run again.
# OCTET_SETUP_FORCE=1 re-runs apt-get and pip even when everything looks installed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
force="${OCTET_SETUP_FORCE:-0}"

# Debian packages:
#   libopenblas-dev, libstb-dev, zlib1g-dev   COpenBLAS / CImage / CZlib system libraries (pkg-config)
#   libgemmlowp-dev               _GemmlowpOracle (the requantization oracle of the Swift tests)
#   protobuf-compiler             tools/gen_onnx_proto.sh
#   dataset-fashion-mnist         Fashion-MNIST images (/usr/share/datasets/fashion-mnist)
#   gcc, libc6-dev                the C kernel tests; static-pie links of tools/arm/build.sh (libc.a)
#   gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, qemu-user
#                                 aarch64 cross build + emulation (tools/run_kernel_tests.sh,
#                                 tools/arm/);
#                                 the libc headers are only a Recommends of the cross gcc
#   python3-venv, pkg-config      `python3 -m venv` for Debian's python3; .pc lookups
packages=(
  libopenblas-dev libgemmlowp-dev libstb-dev zlib1g-dev protobuf-compiler dataset-fashion-mnist
  gcc libc6-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user python3-venv pkg-config
)

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "setup.sh: not root and no sudo: cannot install packages" >&2; exit 1; }
  sudo=(sudo -n)
fi

missing=()
for p in "${packages[@]}"; do
  if [[ "$force" == 1 ]] || ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "== setup: apt-get install ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "== setup: Debian packages already installed (${#packages[@]})"
fi

# Python venv with the tools' requirements.
python="${PYTHON3:-python3}"
venv="$root/.venv"
requirements="$root/tools/requirements.txt"
stamp="$venv/.octet-requirements.sha256"
if [[ -x "$venv/bin/python" ]] && ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
  echo "== setup: .venv is broken (its python does not start); recreating it"
  rm -rf "$venv"
fi
if [[ ! -x "$venv/bin/python" ]]; then
  echo "== setup: creating .venv with $("$python" --version 2>&1) ($(command -v "$python"))"
  "$python" -m venv "$venv"
fi
want_hash="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ "$force" == 1 || ! -f "$stamp" || "$(cat "$stamp")" != "$want_hash" ]]; then
  echo "== setup: pip install -r tools/requirements.txt"
  PIP_NO_INPUT=1 "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements"
  echo "$want_hash" > "$stamp"
else
  echo "== setup: .venv up to date with tools/requirements.txt"
fi
echo "== setup: done"
