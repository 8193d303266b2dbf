import OctetKernels

/// Which kernels an interpreter runs. Every path computes the same bytes (the fast kernels
/// are bit-exact twins of the reference); forcing one is for tests and benchmarks.
public enum KernelPath: Sendable, Equatable {
    /// The fastest kernels this CPU supports, unless the environment names a path.
    case automatic
    /// The scalar reference kernels: the quantization spec itself.
    case reference
    /// A path of the kernel configs: "avx512vnni", "scalar" (portable packed kernels), …
    case named(String)

    /// The path an environment variable asks for (`auto`, empty or unset: `.automatic`):
    /// `OCTET_KERNELS` for the int8 interpreter, `OCTET_FLOAT_KERNELS` for the float path.
    public static func fromEnvironment(_ variable: String = "OCTET_KERNELS") -> KernelPath {
        guard let raw = octk_getenv(variable) else { return .automatic }
        switch String(cString: raw) {
        case "", "auto": return .automatic
        case "reference": return .reference
        case let value: return .named(value)
        }
    }

    /// `.automatic` replaced by what `variable` asks for.
    public func resolvingEnvironment(_ variable: String) -> KernelPath {
        self == .automatic ? KernelPath.fromEnvironment(variable) : self
    }
}

/// The int8 kernels an interpreter resolved its `KernelPath` to: one config per op family,
/// chosen once for this CPU (Sources/OctetKernels/configs/).
public struct KernelSelection: @unchecked Sendable, CustomStringConvertible {  // pointers to static config rows
    let kernels: octk_qs8_kernels
    /// The packed conv kernel for any int8 weights and its layout (nil: the reference conv, unpacked).
    var conv: octk_qs8_conv_config? { kernels.conv?.pointee }

    /// The packed conv kernel for an op whose weights' largest |w| is `weightMagnitude` (as the
    /// verifier measured it): the path's first row exact for such weights — a 7-bit kernel only
    /// when every weight is in [−63, 63] — else `conv`. nil on the reference path.
    func conv(weightMagnitude: Int) -> octk_qs8_conv_config? {
        withUnsafePointer(to: kernels) { octk_qs8_kernels_conv_for_weights($0, Int32(clamping: weightMagnitude))?.pointee }
    }
    /// The packed depthwise kernel (nil: the reference depthwise, unpacked).
    var dwconv: octk_qs8_dwconv_config? { kernels.dwconv?.pointee }
    var add: octk_qs8_add_config { kernels.add.pointee }
    var pooling: octk_qs8_pooling_config { kernels.pooling.pointee }
    var quantize: octk_qs8_quantize_config { kernels.quantize.pointee }
    /// Path name: "avx512vnni", …, "reference".
    public var path: String { String(cString: kernels.path) }
    /// The same, as the static C string of the kernel configs.
    public var pathCString: UnsafePointer<CChar> { kernels.path }
    public var description: String { conv.map { String(cString: $0.name) } ?? "reference kernels" }

    init(_ requested: KernelPath) throws(OctetError) {
        let name: String
        switch requested.resolvingEnvironment("OCTET_KERNELS") {
        case .automatic: name = "auto"
        case .reference: name = "reference"
        case let .named(n): name = n
        }
        var k = octk_qs8_kernels()
        guard octk_qs8_kernels_select(name, &k) == OCTK_SELECT_OK else {
            throw OctetError.kernels("'\(name)' is not a kernel path this CPU can run (paths: \((KernelSelection.availablePaths() + ["reference"]).joined(separator: ", ")))")
        }
        kernels = k
    }

    /// Packed-kernel paths this CPU supports, fastest first (not "reference", which is always there).
    public static func availablePaths() -> [String] {
        (0..<Int(octk_qs8_path_count)).compactMap { i in
            let path = octk_qs8_path(Int32(i)).pointee.path!
            if String(cString: path) == "reference" { return nil }
            var k = octk_qs8_kernels()
            return octk_qs8_kernels_select(path, &k) == OCTK_SELECT_OK ? String(cString: path) : nil
        }
    }
}
