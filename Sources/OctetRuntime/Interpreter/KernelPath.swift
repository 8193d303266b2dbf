#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OctetKernels

/// Which kernels an interpreter runs. Every path computes the same bytes (the fast kernels
/// are bit-exact twins of the reference); forcing one is for tests and benchmarks.
public enum KernelPath: Sendable, Equatable {
    /// The fastest kernels this CPU supports, unless `OCTET_KERNELS` names a path.
    case automatic
    /// The scalar reference kernels: the quantization spec itself.
    case reference
    /// A path of the kernel registry: "avx512vnni", "scalar" (portable packed kernels), …
    case named(String)

    /// The path `OCTET_KERNELS` asks for (`auto` or unset: `.automatic`).
    static func fromEnvironment() -> KernelPath {
        guard let raw = getenv("OCTET_KERNELS") else { return .automatic }
        let value = String(cString: raw)
        switch value {
        case "", "auto": return .automatic
        case "reference": return .reference
        default: return .named(value)
        }
    }
}

/// The kernels an interpreter resolved its `KernelPath` to.
public struct KernelSelection: @unchecked Sendable, CustomStringConvertible {  // holds a pointer to a static registry entry
    /// The packed indirect-GEMM conv kernel (nil: reference kernels only).
    let igemm: octk_qs8_igemm_entry?
    /// Path name: "reference", or the registry path of the conv kernel.
    public var path: String { igemm.map { String(cString: $0.path) } ?? "reference" }
    public var description: String { igemm.map { String(cString: $0.name) } ?? "reference kernels" }

    init(_ requested: KernelPath) throws {
        var path = requested
        if path == .automatic { path = KernelPath.fromEnvironment() }
        switch path {
        case .reference: igemm = nil
        case .automatic:
            // The portable "scalar" packed path is for testing; without a SIMD path the
            // reference kernels are as fast, so automatic selection skips it.
            let entry = octk_qs8_igemm_select(nil)?.pointee
            igemm = entry.map { String(cString: $0.path) } == "scalar" ? nil : entry
        case let .named(name):
            guard let entry = octk_qs8_igemm_select(name) else {
                throw OctetError.kernels("'\(name)' is not a kernel path this CPU can run (paths: \(KernelSelection.availablePaths().joined(separator: ", ")), reference)")
            }
            igemm = entry.pointee
        }
    }

    /// Registry paths this CPU supports, fastest first.
    public static func availablePaths() -> [String] {
        (0..<Int(octk_qs8_igemm_registry_count)).compactMap { i in
            let path = octk_qs8_igemm_registry_entry(Int32(i)).pointee.path!
            return octk_qs8_igemm_select(path) != nil ? String(cString: path) : nil
        }
    }
}
