import OctetKernels

/// The instruction-set extensions kernel dispatch can use on this CPU.
public struct CPUFeatures: OptionSet, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let avx2 = CPUFeatures(rawValue: UInt32(OCTK_CPU_X86_AVX2))
    public static let fma = CPUFeatures(rawValue: UInt32(OCTK_CPU_X86_FMA))
    public static let avx512f = CPUFeatures(rawValue: UInt32(OCTK_CPU_X86_AVX512F))
    public static let avx512bw = CPUFeatures(rawValue: UInt32(OCTK_CPU_X86_AVX512BW))
    public static let avx512vnni = CPUFeatures(rawValue: UInt32(OCTK_CPU_X86_AVX512VNNI))
    public static let avxvnni = CPUFeatures(rawValue: UInt32(OCTK_CPU_X86_AVXVNNI))
    public static let avx512vl = CPUFeatures(rawValue: UInt32(OCTK_CPU_X86_AVX512VL))
    public static let avx512vbmi = CPUFeatures(rawValue: UInt32(OCTK_CPU_X86_AVX512VBMI))
    public static let neon = CPUFeatures(rawValue: UInt32(OCTK_CPU_ARM_NEON))
    public static let dotprod = CPUFeatures(rawValue: UInt32(OCTK_CPU_ARM_DOTPROD))
    public static let i8mm = CPUFeatures(rawValue: UInt32(OCTK_CPU_ARM_I8MM))

    /// Detected once from the CPU (cpuid on x86, HWCAP on aarch64 Linux).
    public static let current = CPUFeatures(rawValue: octk_cpu_features())

    public var description: String {
        let names: [(CPUFeatures, String)] = [(.avx2, "avx2"), (.fma, "fma"), (.avx512f, "avx512f"), (.avx512bw, "avx512bw"), (.avx512vl, "avx512vl"), (.avx512vbmi, "avx512vbmi"),
                                              (.avx512vnni, "avx512vnni"), (.avxvnni, "avxvnni"), (.neon, "neon"), (.dotprod, "dotprod"), (.i8mm, "i8mm")]
        let present = names.filter { contains($0.0) }.map { $0.1 }
        return present.isEmpty ? "baseline" : present.joined(separator: " ")
    }
}
