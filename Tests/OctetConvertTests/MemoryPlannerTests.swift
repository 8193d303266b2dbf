import Foundation
import OctetConvert
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Arena planning: correctness on hand-made and random request lists, closeness to the liveness lower
/// bound on CNN-shaped graphs, errors, and the SVG drawing.
@Suite struct MemoryPlannerTests {
    // MARK: helpers

    static func req(_ name: String, _ size: Int, _ first: Int, _ last: Int,
                    inPlaceOf: Int? = nil, aliasOf: Int? = nil, aliasOffset: Int = 0) -> BufferRequest {
        BufferRequest(name: name, size: size, firstUse: first, lastUse: last,
                      inPlaceOf: inPlaceOf, aliasOf: aliasOf, aliasOffset: aliasOffset)
    }

    static func planAndVerify(_ requests: [BufferRequest], alignment: Int = 64,
                              sourceLocation: SourceLocation = #_sourceLocation) throws -> MemoryPlan {
        let plan = try MemoryPlanner.plan(requests, alignment: alignment)
        let issues = MemoryPlanner.verify(plan, requests)
        #expect(issues.isEmpty, "\(issues.prefix(5))", sourceLocation: sourceLocation)
        #expect(plan.arenaSize >= plan.lowerBound, sourceLocation: sourceLocation)
        #expect(plan.arenaSize % alignment == 0, sourceLocation: sourceLocation)
        return plan
    }

    // MARK: hand-made graphs

    @Test func linearChainReachesTheLowerBound() throws {
        // conv → conv → … each output read by the next op only.
        let sizes = [150_528, 802_816, 200_704, 401_408, 100_352, 200_704, 50_176, 1000]
        var rs: [BufferRequest] = []
        for (k, s) in sizes.enumerated() { rs.append(Self.req("t\(k)", s, k, k + 1)) }
        let plan = try Self.planAndVerify(rs)
        let expected = zip(sizes, sizes.dropFirst()).map { $0 + $1 }.max()!
        #expect(plan.lowerBound == expected)
        #expect(plan.arenaSize == plan.lowerBound)
    }

    @Test func residualBlock() throws {
        let s = 56 * 56 * 64
        let rs = [
            Self.req("x", s, 0, 3),          // block input, read by conv1 (op 1) and the add (op 3)
            Self.req("a", s, 1, 2),          // conv1 output
            Self.req("im2col1", 56 * 56 * 576, 1, 1),
            Self.req("b", s, 2, 3),          // conv2 output, dies at the add
            Self.req("im2col2", 56 * 56 * 576, 2, 2),
            Self.req("y", s, 3, 4, inPlaceOf: 3), // add output written over b
        ]
        let plan = try Self.planAndVerify(rs)
        // Peak: x + a + b + im2col2 at op 2.
        #expect(plan.lowerBound == 3 * s + 56 * 56 * 576)
        #expect(plan.arenaSize == plan.lowerBound)
    }

    @Test func concatWithAliasedInputs() throws {
        // Three branches written straight into the concat output; a Reshape of the output.
        let hw = 28 * 28
        let rs = [
            Self.req("in", hw * 192, 0, 3),
            Self.req("br1", hw * 64, 1, 4, aliasOf: 4, aliasOffset: 0),
            Self.req("br2", hw * 128, 2, 4, aliasOf: 4, aliasOffset: hw * 64),
            Self.req("br3", hw * 32, 3, 4, aliasOf: 4, aliasOffset: hw * 192),
            Self.req("cat", hw * 224, 4, 5),
            Self.req("flat", hw * 224, 5, 6, aliasOf: 4),
            Self.req("out", 1000, 6, 7),
        ]
        let plan = try Self.planAndVerify(rs)
        #expect(plan.offsets[1] == plan.offsets[4])
        #expect(plan.offsets[2] == plan.offsets[4] + hw * 64)
        #expect(plan.offsets[3] == plan.offsets[4] + hw * 192)
        #expect(plan.offsets[5] == plan.offsets[4])
        // The group [cat] lives from op 1 to op 6, counted once.
        #expect(plan.lowerBound == hw * 192 + hw * 224)
        #expect(plan.arenaSize == plan.lowerBound)
    }

    @Test func inPlaceElementwiseChain() throws {
        let s = 4096
        let rs = [
            Self.req("conv", s, 0, 1),
            Self.req("relu", s, 1, 2, inPlaceOf: 0),
            Self.req("scale", s, 2, 3, inPlaceOf: 1),
            Self.req("small", s / 2, 3, 4, inPlaceOf: 2),
        ]
        let plan = try Self.planAndVerify(rs)
        #expect(plan.lowerBound == s)
        #expect(plan.arenaSize == s)
        #expect(Set(plan.offsets).count == 1)
    }

    @Test func twoOutputsCannotBothTakeOverOneInput() throws {
        let s = 1024
        let rs = [
            Self.req("x", s, 0, 1),
            Self.req("y1", s, 1, 2, inPlaceOf: 0),
            Self.req("y2", s, 1, 2, inPlaceOf: 0),
        ]
        let plan = try Self.planAndVerify(rs)
        #expect(plan.lowerBound == 2 * s)
        #expect(plan.arenaSize == 2 * s)
        #expect(plan.offsets[1] != plan.offsets[2])
    }

    @Test func alignmentRoundsSizesAndOffsets() throws {
        let sizes = [1, 63, 64, 65, 100, 0, 129]
        let rs = sizes.enumerated().map { Self.req("t\($0.offset)", $0.element, $0.offset, $0.offset + 1) }
        for alignment in [1, 16, 64, 128] {
            let plan = try Self.planAndVerify(rs, alignment: alignment)
            #expect(plan.alignment == alignment)
            for o in plan.offsets { #expect(o % alignment == 0) }
            let aligned = sizes.map { ($0 + alignment - 1) / alignment * alignment }
            #expect(plan.lowerBound == zip(aligned, aligned.dropFirst()).map { $0 + $1 }.max()!)
            #expect(plan.arenaSize == plan.lowerBound)
        }
        // Two live 1-byte buffers take two aligned slots.
        let two = [Self.req("a", 1, 0, 1), Self.req("b", 1, 1, 1)]
        #expect(try MemoryPlanner.plan(two, alignment: 64).arenaSize == 128)
        #expect(try MemoryPlanner.plan([], alignment: 64).arenaSize == 0)
    }

    @Test func errorsNameTheBuffer() {
        let cases: [([BufferRequest], String)] = [
            ([Self.req("neg", -1, 0, 0)], "neg"),
            ([Self.req("backwards", 8, 3, 2)], "backwards"),
            ([Self.req("a", 8, 0, 1), Self.req("badAlias", 8, 0, 1, aliasOf: 7)], "badAlias"),
            ([Self.req("selfAlias", 8, 0, 1, aliasOf: 0)], "selfAlias"),
            ([Self.req("a", 8, 0, 1), Self.req("badInPlace", 8, 1, 2, inPlaceOf: -1)], "badInPlace"),
            ([Self.req("c1", 8, 0, 1, aliasOf: 1), Self.req("c2", 8, 0, 1, aliasOf: 2),
              Self.req("c3", 8, 0, 1, aliasOf: 0)], "c1"),
            ([Self.req("root", 64, 0, 1), Self.req("tooBig", 65, 0, 1, aliasOf: 0)], "tooBig"),
            ([Self.req("root", 64, 0, 1), Self.req("pastEnd", 32, 0, 1, aliasOf: 0, aliasOffset: 40)], "pastEnd"),
            ([Self.req("root", 64, 0, 1), Self.req("negOff", 8, 0, 1, aliasOf: 0, aliasOffset: -8)], "negOff"),
            ([Self.req("x", 64, 0, 2), Self.req("early", 64, 1, 2, inPlaceOf: 0)], "early"),
            ([Self.req("x", 64, 0, 1), Self.req("bigger", 65, 1, 2, inPlaceOf: 0)], "bigger"),
        ]
        for (requests, name) in cases {
            do {
                _ = try MemoryPlanner.plan(requests)
                Issue.record("expected an error naming \(name)")
            } catch let error as MemoryPlanError {
                #expect(error.description.contains("'\(name)'"), "\(error)")
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        #expect(throws: MemoryPlanError.invalidAlignment(0)) { _ = try MemoryPlanner.plan([], alignment: 0) }
    }

    @Test func verifyReportsViolations() throws {
        let rs = [
            Self.req("a", 100, 0, 2),
            Self.req("b", 100, 1, 3),
            Self.req("v", 50, 1, 2, aliasOf: 0, aliasOffset: 50),
        ]
        let good = try Self.planAndVerify(rs)
        var overlap = good
        overlap.offsets[1] = overlap.offsets[0]
        overlap.offsets[2] = overlap.offsets[0] + 50
        #expect(MemoryPlanner.verify(overlap, rs).contains { $0.contains("overlap") })
        var misaligned = good
        misaligned.offsets[1] += 1
        #expect(!MemoryPlanner.verify(misaligned, rs).isEmpty)
        var badAlias = good
        badAlias.offsets[2] += 64
        #expect(!MemoryPlanner.verify(badAlias, rs).isEmpty)
        var small = good
        small.arenaSize = 64
        #expect(!MemoryPlanner.verify(small, rs).isEmpty)
        var short = good
        short.offsets.removeLast()
        #expect(!MemoryPlanner.verify(short, rs).isEmpty)
    }

    // MARK: randomized

    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
        }
        mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    }

    /// A graph-shaped request list: one output per op (read by the next op, sometimes much later),
    /// scratch buffers, in-place elementwise outputs, reshapes and concats with aliased inputs.
    static func randomGraph(_ rng: inout SplitMix64) -> [BufferRequest] {
        var rs: [BufferRequest] = []
        let ops = rng.int(3...60)
        func size() -> Int {
            rng.chance(0.3) ? rng.int(1...5000) : 64 * rng.int(1...64) * (rng.chance(0.2) ? 16 : 1)
        }
        func life() -> Int { rng.chance(0.75) ? 1 : rng.int(2...12) }
        for op in 0..<ops {
            let kind = rng.int(0...9)
            if kind <= 1 {
                // In-place of something dying here.
                let dying = rs.indices.filter { rs[$0].lastUse == op && rs[$0].size > 0 }
                if let j = dying.isEmpty ? nil : dying[rng.int(0...dying.count - 1)] {
                    let s = rng.chance(0.7) ? rs[j].size : rng.int(0...rs[j].size)
                    rs.append(req("ip\(op)", s, op, op + life(), inPlaceOf: j))
                    continue
                }
            } else if kind == 2 {
                // Reshape / slice of something live here.
                let live = rs.indices.filter { rs[$0].firstUse <= op && rs[$0].lastUse >= op && rs[$0].size > 0 }
                if let t = live.isEmpty ? nil : live[rng.int(0...live.count - 1)] {
                    let s = rng.chance(0.6) ? rs[t].size : rng.int(1...rs[t].size)
                    let o = rng.int(0...(rs[t].size - s))
                    rs.append(req("view\(op)", s, op, op + life(), aliasOf: t, aliasOffset: rng.chance(0.5) ? o / 64 * 64 : o))
                    continue
                }
            } else if kind == 3 {
                // Concat: inputs born earlier, written into the output.
                let parts = (0..<rng.int(2...4)).map { _ in 64 * rng.int(1...32) }
                let cat = rs.count
                rs.append(req("cat\(op)", parts.reduce(0, +), op, op + life()))
                var offset = 0
                for (k, p) in parts.enumerated() {
                    let born = max(0, op - rng.int(0...6))
                    rs.append(req("cat\(op).in\(k)", p, born, op, aliasOf: cat, aliasOffset: offset))
                    offset += p
                }
                continue
            }
            rs.append(req("t\(op)", size(), op, op + life()))
            if rng.chance(0.3) { rs.append(req("scratch\(op)", size(), op, op)) }
        }
        return rs
    }

    /// Free-form intervals with random aliases and in-place hints (not graph-shaped).
    static func randomIntervals(_ rng: inout SplitMix64) -> [BufferRequest] {
        var rs: [BufferRequest] = []
        let n = rng.int(1...50)
        for k in 0..<n {
            let f = rng.int(0...30)
            var r = req("r\(k)", rng.chance(0.1) ? 0 : rng.int(1...20) * rng.int(1...300), f, f + rng.int(0...10))
            if k > 0, rng.chance(0.15) {
                let t = rng.int(0...k - 1)
                if rs[t].size >= 1 {
                    r.size = rng.int(0...rs[t].size)
                    r.aliasOf = t
                    r.aliasOffset = rng.int(0...rs[t].size - r.size)
                }
            } else if k > 0, rng.chance(0.15) {
                let t = rng.int(0...k - 1)
                r.firstUse = rs[t].lastUse
                r.lastUse = r.firstUse + rng.int(0...5)
                r.size = rng.int(0...rs[t].size)
                r.inPlaceOf = t
            }
            rs.append(r)
        }
        return rs
    }

    @Test func randomizedPlansAreSound() throws {
        var rng = SplitMix64(state: 20_240_601)
        var winners: [String: Int] = [:], reachedBest: [String: Int] = [:]
        var atBound = 0, cases = 0
        var worst = 0.0, totalOverhead = 0.0
        for c in 0..<600 {
            let rs = c % 2 == 0 ? Self.randomGraph(&rng) : Self.randomIntervals(&rng)
            let alignment = [1, 16, 64][c % 3]
            let plan = try Self.planAndVerify(rs, alignment: alignment)
            cases += 1
            winners[plan.strategy.hasPrefix("size-perturbed") ? "size-perturbed/first-fit" : plan.strategy, default: 0] += 1
            if plan.arenaSize == plan.lowerBound { atBound += 1 }
            worst = max(worst, plan.overheadPercent)
            totalOverhead += plan.overheadPercent
            // Never worse than giving every block its own slot.
            let total = rs.filter { $0.aliasOf == nil }.map { ($0.size + alignment - 1) / alignment * alignment }.reduce(0, +)
            #expect(plan.arenaSize <= total)
            for (i, r) in rs.enumerated() where r.aliasOf == nil { #expect(plan.offsets[i] % alignment == 0) }
            let all = try MemoryPlanner.evaluateStrategies(rs, alignment: alignment)
            let best = all.map(\.arenaSize).min() ?? 0
            #expect(plan.arenaSize <= best)
            for s in all where s.arenaSize == best { reachedBest[s.strategy, default: 0] += 1 }
        }
        print("memory planner, \(cases) random cases: arena == lower bound in \(atBound), "
              + "mean overhead \(String(format: "%.2f", totalOverhead / Double(cases)))%, worst \(String(format: "%.1f", worst))%")
        print("  winning strategy (first to reach the final arena): "
              + winners.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        print("  strategies reaching the best base arena: "
              + reachedBest.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }

    // MARK: CNN-shaped graphs

    /// Builds the buffer list of an int8 network op by op (NHWC, batch 1, 1 byte per element).
    struct Net {
        var requests: [BufferRequest] = []
        var op = 0

        mutating func input(_ name: String, _ bytes: Int) -> Int {
            requests.append(BufferRequest(name: name, size: bytes, firstUse: 0, lastUse: 0))
            return requests.count - 1
        }

        /// One op: reads `inputs`, writes a `bytes` output, optionally with a scratch buffer.
        mutating func op(_ name: String, _ inputs: [Int], _ bytes: Int, scratch: Int = 0, inPlaceOf: Int? = nil) -> Int {
            op += 1
            for i in inputs { requests[i].lastUse = max(requests[i].lastUse, op) }
            requests.append(BufferRequest(name: name, size: bytes, firstUse: op, lastUse: op, inPlaceOf: inPlaceOf))
            let out = requests.count - 1
            if scratch > 0 { requests.append(BufferRequest(name: name + ".scratch", size: scratch, firstUse: op, lastUse: op)) }
            return out
        }

        /// Conv with im2col scratch for k > 1 (or strided 1×1).
        mutating func conv(_ name: String, _ x: Int, hw: Int, cin: Int, cout: Int, k: Int, stride: Int = 1) -> Int {
            let oh = hw / stride
            let scratch = k > 1 || stride > 1 ? oh * oh * k * k * cin : 0
            return op(name, [x], oh * oh * cout, scratch: scratch)
        }

        /// Depthwise conv with an indirection buffer (one pointer per output pixel and tap).
        mutating func depthwise(_ name: String, _ x: Int, hw: Int, c: Int, stride: Int) -> Int {
            let oh = hw / stride
            return op(name, [x], oh * oh * c, scratch: oh * oh * 9 * 8)
        }

        /// Residual add written over the branch output (which dies here).
        mutating func add(_ name: String, _ skip: Int, _ branch: Int) -> Int {
            op(name, [skip, branch], requests[branch].size, inPlaceOf: branch)
        }

        mutating func alias(_ member: Int, into target: Int, at offset: Int) {
            requests[member].aliasOf = target
            requests[member].aliasOffset = offset
        }

        mutating func finish() { for i in requests.indices { requests[i].lastUse = max(requests[i].lastUse, requests[i].firstUse) } }
    }

    static func resnet(bottleneck: Bool, depths: [Int]? = nil) -> [BufferRequest] {
        var n = Net()
        let x = n.input("input", 224 * 224 * 3)
        var t = n.conv("conv1", x, hw: 224, cin: 3, cout: 64, k: 7, stride: 2)
        t = n.op("maxpool", [t], 56 * 56 * 64)
        var hw = 56, c = 64
        let blocks = depths ?? (bottleneck ? [3, 4, 6, 3] : [2, 2, 2, 2])
        let stages = Array(zip([64, 128, 256, 512], blocks))
        for (s, (width, blocks)) in stages.enumerated() {
            for b in 0..<blocks {
                let stride = (s > 0 && b == 0) ? 2 : 1
                let out = bottleneck ? width * 4 : width
                let name = "layer\(s + 1).\(b)"
                let ohw = hw / stride
                var skip = t
                if stride != 1 || c != out {
                    skip = n.conv(name + ".downsample", t, hw: hw, cin: c, cout: out, k: 1, stride: stride)
                }
                var y: Int
                if bottleneck {
                    y = n.conv(name + ".conv1", t, hw: hw, cin: c, cout: width, k: 1)
                    y = n.conv(name + ".conv2", y, hw: hw, cin: width, cout: width, k: 3, stride: stride)
                    y = n.conv(name + ".conv3", y, hw: ohw, cin: width, cout: out, k: 1)
                } else {
                    y = n.conv(name + ".conv1", t, hw: hw, cin: c, cout: width, k: 3, stride: stride)
                    y = n.conv(name + ".conv2", y, hw: ohw, cin: width, cout: width, k: 3)
                }
                t = n.add(name + ".add", skip, y)
                hw = ohw
                c = out
            }
        }
        t = n.op("avgpool", [t], c)
        t = n.op("fc", [t], 1000)
        n.finish()
        return n.requests
    }

    static func densenet(_ depths: [Int] = [6, 12, 24, 16]) -> [BufferRequest] {
        var n = Net()
        let k = 32
        let x = n.input("input", 224 * 224 * 3)
        var t = n.conv("conv0", x, hw: 224, cin: 3, cout: 64, k: 7, stride: 2)
        t = n.op("pool0", [t], 56 * 56 * 64)
        var hw = 56, c = 64
        for (bi, layers) in depths.enumerated() {
            let area = hw * hw
            var features = t   // the block's growing concat; every piece lives inside the final one
            for l in 0..<layers {
                let name = "block\(bi + 1).layer\(l + 1)"
                let pre = n.op(name + ".bnrelu", [features], c * area)          // pre-activation
                let b = n.conv(name + ".conv1", pre, hw: hw, cin: c, cout: 4 * k, k: 1)
                let new = n.conv(name + ".conv2", b, hw: hw, cin: 4 * k, cout: k, k: 3)
                let cat = n.op(name + ".concat", [features, new], (c + k) * area)
                n.alias(features, into: cat, at: 0)
                n.alias(new, into: cat, at: c * area)
                features = cat
                c += k
            }
            if bi < 3 {
                let pre = n.op("transition\(bi + 1).bnrelu", [features], c * area)
                let conv = n.conv("transition\(bi + 1).conv", pre, hw: hw, cin: c, cout: c / 2, k: 1)
                hw /= 2
                c /= 2
                t = n.op("transition\(bi + 1).pool", [conv], hw * hw * c)
            } else {
                t = n.op("norm5", [features], c * area)
            }
        }
        t = n.op("avgpool", [t], c)
        t = n.op("classifier", [t], 1000)
        n.finish()
        return n.requests
    }

    static func mobilenetV2() -> [BufferRequest] {
        var n = Net()
        let x = n.input("input", 224 * 224 * 3)
        var t = n.conv("conv0", x, hw: 224, cin: 3, cout: 32, k: 3, stride: 2)
        var hw = 112, c = 32
        let settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
        var idx = 0
        for (expand, out, repeats, firstStride) in settings {
            for r in 0..<repeats {
                let stride = r == 0 ? firstStride : 1
                let name = "block\(idx)"
                idx += 1
                var y = t
                if expand != 1 { y = n.conv(name + ".expand", y, hw: hw, cin: c, cout: c * expand, k: 1) }
                y = n.depthwise(name + ".dw", y, hw: hw, c: c * expand, stride: stride)
                let ohw = hw / stride
                y = n.conv(name + ".project", y, hw: ohw, cin: c * expand, cout: out, k: 1)
                t = (stride == 1 && c == out) ? n.add(name + ".add", t, y) : y
                hw = ohw
                c = out
            }
        }
        t = n.conv("conv_last", t, hw: hw, cin: c, cout: 1280, k: 1)
        t = n.op("avgpool", [t], 1280)
        t = n.op("fc", [t], 1000)
        n.finish()
        return n.requests
    }

    static func googlenet() -> [BufferRequest] {
        var n = Net()
        let x = n.input("input", 224 * 224 * 3)
        var t = n.conv("conv1", x, hw: 224, cin: 3, cout: 64, k: 7, stride: 2)
        t = n.op("pool1", [t], 56 * 56 * 64)
        t = n.conv("conv2", t, hw: 56, cin: 64, cout: 64, k: 1)
        t = n.conv("conv3", t, hw: 56, cin: 64, cout: 192, k: 3)
        t = n.op("pool2", [t], 28 * 28 * 192)
        var hw = 28, c = 192
        let modules: [(String, Int, Int, Int, Int, Int, Int, Bool)] = [
            ("3a", 64, 96, 128, 16, 32, 32, false), ("3b", 128, 128, 192, 32, 96, 64, true),
            ("4a", 192, 96, 208, 16, 48, 64, false), ("4b", 160, 112, 224, 24, 64, 64, false),
            ("4c", 128, 128, 256, 24, 64, 64, false), ("4d", 112, 144, 288, 32, 64, 64, false),
            ("4e", 256, 160, 320, 32, 128, 128, true),
            ("5a", 256, 160, 320, 32, 128, 128, false), ("5b", 384, 192, 384, 48, 128, 128, false),
        ]
        for (name, c1, r3, c3, r5, c5, cp, poolAfter) in modules {
            let area = hw * hw
            let b1 = n.conv("inception\(name).1x1", t, hw: hw, cin: c, cout: c1, k: 1)
            let r3t = n.conv("inception\(name).3x3reduce", t, hw: hw, cin: c, cout: r3, k: 1)
            let b3 = n.conv("inception\(name).3x3", r3t, hw: hw, cin: r3, cout: c3, k: 3)
            let r5t = n.conv("inception\(name).5x5reduce", t, hw: hw, cin: c, cout: r5, k: 1)
            let b5 = n.conv("inception\(name).5x5", r5t, hw: hw, cin: r5, cout: c5, k: 5)
            let p = n.op("inception\(name).pool", [t], area * c)
            let bp = n.conv("inception\(name).poolproj", p, hw: hw, cin: c, cout: cp, k: 1)
            let total = c1 + c3 + c5 + cp
            let cat = n.op("inception\(name).concat", [b1, b3, b5, bp], area * total)
            n.alias(b1, into: cat, at: 0)
            n.alias(b3, into: cat, at: area * c1)
            n.alias(b5, into: cat, at: area * (c1 + c3))
            n.alias(bp, into: cat, at: area * (c1 + c3 + c5))
            t = cat
            c = total
            if poolAfter {
                hw /= 2
                t = n.op("pool_after_\(name)", [t], hw * hw * c)
            }
        }
        t = n.op("avgpool", [t], c)
        t = n.op("fc", [t], 1000)
        n.finish()
        return n.requests
    }

    @Test(arguments: ["ResNet-18", "ResNet-50", "ResNet-152", "DenseNet-121", "DenseNet-201", "MobileNetV2", "GoogLeNet"])
    func realisticNetworksStayWithinFivePercent(_ net: String) throws {
        let rs: [BufferRequest]
        switch net {
        case "ResNet-18": rs = Self.resnet(bottleneck: false)
        case "ResNet-50": rs = Self.resnet(bottleneck: true)
        case "ResNet-152": rs = Self.resnet(bottleneck: true, depths: [3, 8, 36, 3])
        case "DenseNet-121": rs = Self.densenet()
        case "DenseNet-201": rs = Self.densenet([6, 12, 48, 32])
        case "MobileNetV2": rs = Self.mobilenetV2()
        default: rs = Self.googlenet()
        }
        let start = Date()
        let plan = try Self.planAndVerify(rs)
        let seconds = Date().timeIntervalSince(start)
        let naive = rs.filter { $0.aliasOf == nil }.map { ($0.size + 63) / 64 * 64 }.reduce(0, +)
        print("\(net): \(rs.count) buffers, arena \(plan.arenaSize) bytes, lower bound \(plan.lowerBound) bytes, "
              + "ratio \(String(format: "%.4f", Double(plan.arenaSize) / Double(plan.lowerBound))), "
              + "strategy \(plan.strategy), one-slot-each \(naive) bytes, planned in \(String(format: "%.3f", seconds)) s")
        #expect(Double(plan.arenaSize) <= 1.05 * Double(plan.lowerBound))
        let all = try MemoryPlanner.evaluateStrategies(rs)
        print("  " + all.map { "\($0.strategy) \(String(format: "%.3f", Double($0.arenaSize) / Double(plan.lowerBound)))" }
            .joined(separator: ", "))
    }

    // MARK: SVG

    final class SVGCounter: NSObject, XMLParserDelegate {
        var bufferRects = 0, titles = 0, text = ""
        var inText = false
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            if elementName == "rect", attributeDict["class"] == "buffer" { bufferRects += 1 }
            if elementName == "title" { titles += 1 }
            inText = elementName == "text"
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { text += string } }
        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            if elementName == "text" { text += "\n"; inText = false }
        }
    }

    @Test func svgIsWellFormedWithOneRectPerBuffer() throws {
        let rs = [
            Self.req("in<put> & \"x\"", 3000, 0, 2),
            Self.req("conv'1", 5000, 1, 3),
            Self.req("a\u{1}b", 100, 1, 1),
            Self.req("view", 2000, 2, 3, aliasOf: 1, aliasOffset: 1024),
            Self.req("relu", 5000, 3, 4, inPlaceOf: 1),
            Self.req("empty", 0, 2, 2),
        ]
        let plan = try Self.planAndVerify(rs)
        let svg = MemoryPlanSVG.render(plan, rs, title: "test <plan> & more")
        let parser = XMLParser(data: Data(svg.utf8))
        let counter = SVGCounter()
        parser.delegate = counter
        #expect(parser.parse(), "\(String(describing: parser.parserError))")
        #expect(counter.bufferRects == rs.count)
        #expect(counter.titles == rs.count)
        let over = String(format: "%.1f", plan.overheadPercent)
        #expect(counter.text.contains("arena \(plan.arenaSize) bytes, lower bound \(plan.lowerBound) bytes (+\(over)%)"))
        #expect(counter.text.contains("test <plan> & more"))
        #expect(svg.contains("stroke-dasharray=\"6 4\""))
        // Deterministic.
        #expect(svg == MemoryPlanSVG.render(plan, rs, title: "test <plan> & more"))

        // A real network draws too.
        let net = Self.resnet(bottleneck: true)
        let netPlan = try MemoryPlanner.plan(net)
        let big = MemoryPlanSVG.render(netPlan, net, title: "ResNet-50 (int8, 224×224, im2col scratch)")
        let c2 = SVGCounter()
        let p2 = XMLParser(data: Data(big.utf8))
        p2.delegate = c2
        #expect(p2.parse())
        #expect(c2.bufferRects == net.count)
        if let dir = ProcessInfo.processInfo.environment["OCTET_PLAN_SVG_DIR"] {
            try big.write(toFile: dir + "/resnet50-plan.svg", atomically: true, encoding: .utf8)
        }
    }
}
