/// Constants of the `.octet` container (docs/FORMAT.md is the prose version).
///
/// ```
/// header     64 B   magic "OCTETMDL", version, section count, file size, header CRC-32
/// sections   32 B each: kind, flags, offset, length, CRC-32   (right after the header)
/// section    payloads, each at a 64-byte aligned offset, zero padded
/// ```
public enum OctetFormat {
    public static let magic: [UInt8] = Array("OCTETMDL".utf8)
    /// 2 (2026-12-07): binary32 requantization scales (DESIGN.md §2). Version 1 held gemmlowp
    /// fixed-point multiplier/shift pairs, which no kernel runs any more.
    public static let versionMajor: UInt16 = 2
    public static let versionMinor: UInt16 = 0
    public static let headerSize = 64
    public static let sectionEntrySize = 32
    public static let alignment = 64
    public static let maxRank = 6
    public static let tensorRecordSize = 80
    /// Limits that keep every size computation far from overflow.
    public static let maxTensors = 1 << 20
    public static let maxOps = 1 << 20
    public static let maxOperands = 64
    public static let maxParams = 256
    public static let maxDimension = 1 << 30
    public static let maxTensorBytes = 1 << 40
    /// Bytes after every arena tensor that belong to no other tensor live at the same time:
    /// kernels may read up to 15 bytes past a tensor they read (never using them), and those
    /// bytes must not be written by another thread in the same op. The planner reserves them and
    /// the verifier checks them.
    public static let tensorReadSlack = 16

    public enum Section: UInt32, CaseIterable, Sendable {
        case strings = 1, tensors = 2, ops = 3, constants = 4, graph = 5, plan = 6, metadata = 7

        public var name: String {
            switch self {
            case .strings: return "strings"
            case .tensors: return "tensors"
            case .ops: return "ops"
            case .constants: return "constants"
            case .graph: return "graph"
            case .plan: return "plan"
            case .metadata: return "metadata"
            }
        }
    }
}
