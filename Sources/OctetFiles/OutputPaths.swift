/// Where a run writes a model's outputs (`octet run` and `octet-run` alike): the first output at
/// `first`; output i > 0 at `<first without .npy>.<sanitised name>.npy`, made unique if two
/// names sanitise alike.
public func outputPaths(first: String, names: [String]) -> [String] {
    let stem = first.lowercased().hasSuffix(".npy") ? String(first.dropLast(4)) : first
    var paths = [first]
    for name in names.dropFirst() {
        let base = "\(stem).\(sanitizedFileComponent(name))"
        var candidate = base + ".npy"
        var n = 2
        while paths.contains(candidate) { candidate = "\(base)_\(n).npy"; n += 1 }
        paths.append(candidate)
    }
    return paths
}

/// `name` as one file-name component: ASCII letters, digits, '-', '_' and '.' kept, anything
/// else '_'; leading dots '_'; at most 200 characters; "output" when empty.
public func sanitizedFileComponent(_ name: String) -> String {
    var bytes = Array(name.unicodeScalars.map { c -> UInt8 in
        let ok = c.isASCII && (("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "-" || c == "_" || c == ".")
        return ok ? UInt8(c.value) : UInt8(ascii: "_")
    }.prefix(200))
    var i = 0
    while i < bytes.count, bytes[i] == UInt8(ascii: ".") { bytes[i] = UInt8(ascii: "_"); i += 1 }
    return bytes.isEmpty ? "output" : String(decoding: bytes, as: UTF8.self)
}
