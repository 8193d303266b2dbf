#!/usr/bin/env bash
# Regenerates Sources/OctetConvert/ONNX/onnx.pb.swift from the official onnx.proto shipped in
# the `onnx` PyPI wheel. Needs: protobuf-compiler (apt), python3 with `onnx` (pip), network-free
# swift-protobuf from the package mirror. Run from the repository root.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
proto_dir="$("$python" -c 'import onnx, os; print(os.path.dirname(onnx.__file__))')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A throwaway package that only builds swift-protobuf's code generator.
cat > "$work/Package.swift" <<'PKG'
// swift-tools-version: 5.9
import PackageDescription
let package = Package(name: "gen", dependencies: [
    .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0")], targets: [])
PKG
swift build -c release --package-path "$work" --product protoc-gen-swift
bin="$(swift build -c release --package-path "$work" --show-bin-path)"
protoc --plugin=protoc-gen-swift="$bin/protoc-gen-swift" --swift_out="$work" \
    --swift_opt=Visibility=Public -I "$proto_dir" "$proto_dir/onnx.proto"
cp "$work/onnx.pb.swift" "$root/Sources/OctetConvert/ONNX/onnx.pb.swift"
echo "wrote Sources/OctetConvert/ONNX/onnx.pb.swift"
