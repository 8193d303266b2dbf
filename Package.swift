// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Octet",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "OctetRuntime", targets: ["OctetRuntime"]),
        .library(name: "OctetConvert", targets: ["OctetConvert"]),
        .executable(name: "octet", targets: ["octet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // C micro-kernels: reference/ is the spec; ISA folders come later. libc only.
        .target(name: "OctetKernels", linkerSettings: [.linkedLibrary("m")]),
        // System libraries (Debian packages), linked without unsafe flags.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CImage", pkgConfig: "stb", providers: [.apt(["libstb-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // gemmlowp's fixed-point functions behind an extern "C" shim: the requantization oracle.
        .target(name: "_GemmlowpOracle", linkerSettings: [.linkedLibrary("pthread")]),
        // Runtime: no Foundation.
        .target(name: "OctetRuntime", dependencies: ["OctetKernels"],
                linkerSettings: [.linkedLibrary("m")]),
        // The C API (octet.h): its header and C parts, and the Swift that implements the rest.
        .target(name: "COctet"),
        .target(name: "OctetCAPI", dependencies: ["OctetRuntime", "COctet"]),
        // .npy codec and output naming without Foundation, shared by the CLI and octet-run.
        .target(name: "OctetFiles"),
        // octet-run's logic (no Foundation); the binary is built as Embedded Swift by tools/arm/build.sh.
        .target(name: "OctetRun", dependencies: ["OctetRuntime", "OctetKernels", "OctetFiles"]),
        // Converter: ONNX import, Graph IR, passes, float reference executor.
        .target(name: "OctetConvert", dependencies: [
            "OctetRuntime", "OctetKernels", "OctetFiles", "COpenBLAS", "CImage", "CZlib",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
        .executableTarget(name: "octet", dependencies: [
            "OctetConvert", "OctetRuntime", "OctetKernels", "OctetFiles",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "_TestSupport", dependencies: ["OctetConvert", "OctetRuntime"]),
        // Fuzzing: harness logic (shared with the regression tests) and one libFuzzer
        // executable per target (tools/fuzz.sh; docs/SECURITY.md#fuzzing).
        .target(name: "OctetFuzzing", dependencies: [
            "OctetRuntime", "OctetConvert", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
        .executableTarget(name: "fuzz-octet-loader", dependencies: ["OctetFuzzing"]),
        .executableTarget(name: "fuzz-onnx-import", dependencies: ["OctetFuzzing"]),
        // Test-only: counts the calling thread's heap allocations (interposes malloc).
        .target(name: "_MallocCounter"),
        .testTarget(name: "OctetKernelsTests", dependencies: ["OctetKernels", "_GemmlowpOracle", "_TestSupport"]),
        .testTarget(name: "OctetConvertTests", dependencies: ["OctetConvert", "_TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "OctetRuntimeTests", dependencies: ["OctetRuntime", "OctetConvert", "_MallocCounter", "_TestSupport"]),
        .testTarget(name: "OctetFuzzingTests", dependencies: ["OctetFuzzing", "OctetConvert"]),
        .testTarget(name: "OctetFilesTests", dependencies: ["OctetFiles"]),
        .testTarget(name: "OctetRunTests", dependencies: ["OctetRun", "OctetCAPI", "COctet", "OctetConvert", "OctetRuntime"]),
        .testTarget(name: "octetCLITests", dependencies: ["_TestSupport", "OctetRuntime", "octet"]),
    ],
    cxxLanguageStandard: .cxx17
)
