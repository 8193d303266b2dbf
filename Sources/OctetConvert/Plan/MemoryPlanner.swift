import Foundation

// Static arena planning: every activation tensor and scratch buffer of an int8 graph gets a byte
// offset in one arena. Lifetimes are op indices over the execution order; two buffers that are live
// at the same op never share bytes, except
//   • an alias group (a buffer with `aliasOf`, e.g. a Reshape output or a Concat input written straight
//     into its output), which is planned as one block with the union of its members' lifetimes and the
//     members at fixed offsets inside the root, and
//   • an in-place pair (`inPlaceOf`, e.g. an elementwise op writing over its dying input), which may sit
//     at exactly the same offset at the one op where the input dies and the output is born.
// Blocks are placed greedily (in the spirit of TFLite Micro's GreedyMemoryPlanner: each block goes into
// the first — or the tightest — gap left by the already placed blocks whose lifetimes overlap it).
// Several orders are tried and the smallest arena is kept. The result is reported next to the liveness
// lower bound: the largest number of bytes that are live at one op.

/// One buffer to place in the arena: an activation tensor or an op's scratch buffer.
public struct BufferRequest: Sendable, Equatable {
    /// Tensor or scratch name; errors, `verify` and the SVG name buffers by it.
    public var name: String
    /// Size in bytes (rounded up to the plan's alignment when placed).
    public var size: Int
    /// First op index at which the buffer is live (the op that writes it).
    public var firstUse: Int
    /// Last op index at which the buffer is live (its last reader), inclusive.
    public var lastUse: Int
    /// Index of another request whose storage this one may take over: legal when that request's
    /// `lastUse` equals this one's `firstUse` and this one is not larger (an elementwise op writing over
    /// its dying input). The planner uses the hint only when it makes the arena smaller or equal.
    public var inPlaceOf: Int?
    /// Index of a request this one lives inside (a Reshape output, a Concat input placed in its output):
    /// its offset is always that request's offset plus `aliasOffset`.
    public var aliasOf: Int?
    /// Byte offset inside the aliased buffer (only with `aliasOf`). Member offsets are multiples of the
    /// alignment exactly when their `aliasOffset`s are.
    public var aliasOffset: Int

    public init(name: String, size: Int, firstUse: Int, lastUse: Int,
                inPlaceOf: Int? = nil, aliasOf: Int? = nil, aliasOffset: Int = 0) {
        self.name = name
        self.size = size
        self.firstUse = firstUse
        self.lastUse = lastUse
        self.inPlaceOf = inPlaceOf
        self.aliasOf = aliasOf
        self.aliasOffset = aliasOffset
    }
}

/// Byte offsets of every request in one arena.
public struct MemoryPlan: Sendable, Equatable {
    /// One offset per request, in request order.
    public var offsets: [Int]
    /// Arena size in bytes (a multiple of `alignment`).
    public var arenaSize: Int
    /// The largest number of (aligned) bytes live at one op: no plan can use a smaller arena.
    public var lowerBound: Int
    /// The order and placement rule that produced the plan, e.g. "size/first-fit".
    public var strategy: String
    /// The alignment the plan was made for.
    public var alignment: Int

    public init(offsets: [Int], arenaSize: Int, lowerBound: Int, strategy: String, alignment: Int = 64) {
        self.offsets = offsets
        self.arenaSize = arenaSize
        self.lowerBound = lowerBound
        self.strategy = strategy
        self.alignment = alignment
    }

    /// How much larger than the lower bound the arena is, in percent.
    public var overheadPercent: Double {
        lowerBound > 0 ? Double(arenaSize - lowerBound) / Double(lowerBound) * 100 : 0
    }
}

/// A request list the planner cannot place. Every message names the buffer at fault.
public enum MemoryPlanError: Error, CustomStringConvertible, Equatable {
    case invalidAlignment(Int)
    case negativeSize(buffer: String, size: Int)
    case invalidLifetime(buffer: String, firstUse: Int, lastUse: Int)
    case badIndex(buffer: String, field: String, index: Int, count: Int)
    case aliasCycle(buffers: [String])
    case aliasOutOfBounds(buffer: String, target: String, offset: Int, size: Int, targetSize: Int)
    case illegalInPlace(buffer: String, target: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidAlignment(a):
            return "memory plan: alignment must be positive, got \(a)"
        case let .negativeSize(b, s):
            return "memory plan: buffer '\(b)' has a negative size (\(s) bytes)"
        case let .invalidLifetime(b, f, l):
            return "memory plan: buffer '\(b)' has lastUse \(l) before firstUse \(f)"
        case let .badIndex(b, field, i, n):
            return "memory plan: buffer '\(b)' has \(field) \(i), not another request's index (0..<\(n))"
        case let .aliasCycle(bs):
            return "memory plan: alias cycle through buffers " + bs.map { "'\($0)'" }.joined(separator: " → ")
        case let .aliasOutOfBounds(b, t, o, s, ts):
            return "memory plan: buffer '\(b)' (\(s) bytes at alias offset \(o)) does not fit inside '\(t)' (\(ts) bytes)"
        case let .illegalInPlace(b, t, why):
            return "memory plan: buffer '\(b)' cannot take over '\(t)' in place: \(why)"
        }
    }
}

public enum MemoryPlanner {
    /// Plans `requests` into one arena. Sizes are rounded up to `alignment` and block offsets are
    /// multiples of it. Throws `MemoryPlanError` for malformed requests.
    public static func plan(_ requests: [BufferRequest], alignment: Int = 64) throws -> MemoryPlan {
        let problem = try PlanningProblem(requests, alignment: alignment)
        let lowerBound = problem.lowerBound
        var best: (arena: Int, offsets: [Int], name: String)?
        func consider(_ name: String, _ order: [Int], bestFit: Bool) {
            let (offsets, arena) = problem.place(order: order, bestFit: bestFit)
            if best == nil || arena < best!.arena { best = (arena, offsets, name) }
        }
        outer: for (orderName, order) in problem.orders() {
            for bestFit in [false, true] {
                consider("\(orderName)/\(bestFit ? "best-fit" : "first-fit")", order, bestFit: bestFit)
                if best!.arena <= lowerBound { break outer }
            }
        }
        // Still above the bound: a bounded backjumping search at fixed capacities between the bound and
        // the greedy arena (CNN chains with big im2col buffers need offsets that alternate between the
        // bottom and the top of the arena, which no single greedy order finds).
        if let b = best, b.arena > lowerBound {
            for capacity in problem.searchCapacities(below: b.arena) {
                if let offsets = problem.search(capacity: capacity) {
                    let arena = problem.arena(offsets)
                    if arena < best!.arena {
                        let pct = Double(capacity - lowerBound) / Double(max(lowerBound, 1)) * 100
                        best = (arena, offsets, "search/first-use (capacity +\(String(format: "%.0f", pct))%)")
                    }
                    break
                }
            }
        }
        // Then a bounded number of perturbed size orders (deterministic seed).
        if let b = best, b.arena > lowerBound {
            for (k, order) in problem.perturbedOrders().enumerated() {
                consider("size-perturbed#\(k + 1)/first-fit", order, bestFit: false)
                if best!.arena <= lowerBound { break }
            }
        }
        let b = best ?? (0, [], "empty")
        return MemoryPlan(offsets: problem.requestOffsets(blockOffsets: b.offsets), arenaSize: b.arena,
                          lowerBound: lowerBound, strategy: b.name, alignment: problem.alignment)
    }

    /// Arena size of every base strategy (no early stop, no perturbed orders), in the order `plan`
    /// tries them: for `octet inspect -v` and for tests that compare strategies.
    public static func evaluateStrategies(_ requests: [BufferRequest], alignment: Int = 64) throws
        -> [(strategy: String, arenaSize: Int)] {
        let problem = try PlanningProblem(requests, alignment: alignment)
        var out: [(strategy: String, arenaSize: Int)] = []
        for (orderName, order) in problem.orders() {
            for bestFit in [false, true] {
                let arena = problem.place(order: order, bestFit: bestFit).arena
                out.append(("\(orderName)/\(bestFit ? "best-fit" : "first-fit")", arena))
            }
        }
        return out
    }

    /// Liveness lower bound of `requests` (see `MemoryPlan.lowerBound`).
    public static func lowerBound(_ requests: [BufferRequest], alignment: Int = 64) throws -> Int {
        try PlanningProblem(requests, alignment: alignment).lowerBound
    }

    /// Every way `plan` breaks the rules for `requests`; empty when the plan is sound. Checks: one offset
    /// per request, alias members at their root's offset plus `aliasOffset`, root offsets aligned and
    /// inside the arena, no two groups live at the same op sharing bytes (unless a legal in-place pair at
    /// the same offset at its handover op), arena not below the lower bound.
    public static func verify(_ plan: MemoryPlan, _ requests: [BufferRequest]) -> [String] {
        var issues: [String] = []
        let n = requests.count
        guard plan.offsets.count == n else {
            return ["plan has \(plan.offsets.count) offsets for \(n) requests"]
        }
        let alignment = plan.alignment
        if alignment <= 0 { issues.append("plan alignment \(alignment) is not positive") }
        let a = max(alignment, 1)
        func aligned(_ s: Int) -> Int { (s + a - 1) / a * a }
        func label(_ i: Int) -> String { "'\(requests[i].name)' (#\(i))" }

        // Structure first: nothing below is meaningful for malformed requests.
        for (i, r) in requests.enumerated() {
            if r.size < 0 { issues.append("\(label(i)) has negative size \(r.size)") }
            if r.lastUse < r.firstUse { issues.append("\(label(i)) has lastUse \(r.lastUse) < firstUse \(r.firstUse)") }
            if let t = r.aliasOf, t < 0 || t >= n || t == i { issues.append("\(label(i)) has bad aliasOf \(t)") }
            if let t = r.inPlaceOf, t < 0 || t >= n || t == i { issues.append("\(label(i)) has bad inPlaceOf \(t)") }
        }
        if !issues.isEmpty { return issues }
        var root = [Int](repeating: -1, count: n)
        for i in 0..<n {
            var path: [Int] = [], j = i
            while root[j] < 0, let t = requests[j].aliasOf {
                path.append(j)
                if path.count > n { return issues + ["alias cycle through \(label(i))"] }
                j = t
            }
            let r = root[j] >= 0 ? root[j] : j
            root[j] = r
            for p in path { root[p] = r }
        }

        for (i, r) in requests.enumerated() {
            let off = plan.offsets[i]
            if off < 0 { issues.append("\(label(i)) has negative offset \(off)") }
            if let t = r.aliasOf {
                if plan.offsets[i] != plan.offsets[t] + r.aliasOffset {
                    issues.append("\(label(i)) is at \(off), not at \(label(t))'s offset \(plan.offsets[t]) + \(r.aliasOffset)")
                }
                if r.aliasOffset < 0 || r.aliasOffset + r.size > requests[t].size {
                    issues.append("\(label(i)) does not fit inside \(label(t))")
                }
                if off + r.size > plan.arenaSize { issues.append("\(label(i)) ends past the arena (\(off + r.size) > \(plan.arenaSize))") }
            } else {
                if off % a != 0 { issues.append("\(label(i)) offset \(off) is not a multiple of \(a)") }
                if off + aligned(r.size) > plan.arenaSize {
                    issues.append("\(label(i)) ends past the arena (\(off + aligned(r.size)) > \(plan.arenaSize))")
                }
            }
        }
        if plan.arenaSize < plan.lowerBound {
            issues.append("arena \(plan.arenaSize) is below the lower bound \(plan.lowerBound)")
        }

        // Groups: extent of the root (aligned), union of lifetimes.
        var groupIndex: [Int: Int] = [:]
        var gRoot: [Int] = [], gFirst: [Int] = [], gLast: [Int] = []
        for i in 0..<n {
            let r = root[i]
            if groupIndex[r] == nil { groupIndex[r] = gRoot.count; gRoot.append(r); gFirst.append(.max); gLast.append(.min) }
            let g = groupIndex[r]!
            gFirst[g] = min(gFirst[g], requests[i].firstUse)
            gLast[g] = max(gLast[g], requests[i].lastUse)
        }
        struct PairKey: Hashable { var a: Int; var b: Int }
        var hints: [PairKey: [(i: Int, j: Int)]] = [:]
        for (i, r) in requests.enumerated() {
            if let j = r.inPlaceOf {
                hints[PairKey(a: groupIndex[root[i]]!, b: groupIndex[root[j]]!), default: []].append((i, j))
            }
        }
        let order = (0..<gRoot.count).filter { requests[gRoot[$0]].size > 0 }.sorted { gFirst[$0] < gFirst[$1] }
        for (x, g1) in order.enumerated() {
            for g2 in order[(x + 1)...] {
                if gFirst[g2] > gLast[g1] { break }
                let s1 = plan.offsets[gRoot[g1]], e1 = s1 + aligned(requests[gRoot[g1]].size)
                let s2 = plan.offsets[gRoot[g2]], e2 = s2 + aligned(requests[gRoot[g2]].size)
                let lo = max(s1, s2), hi = min(e1, e2)
                if lo >= hi { continue }
                // Overlap in time and memory: only a legal in-place handover may explain it.
                func explained(_ gb: Int, _ gp: Int) -> Bool {
                    guard gFirst[gb] == gLast[gp] else { return false }
                    for (i, j) in hints[PairKey(a: gb, b: gp)] ?? [] {
                        let oi = plan.offsets[i], oj = plan.offsets[j]
                        if oi == oj, requests[j].lastUse == requests[i].firstUse, requests[i].size <= requests[j].size,
                           lo >= oi, hi <= oi + aligned(requests[i].size) {
                            return true
                        }
                    }
                    return false
                }
                if !(explained(g1, g2) || explained(g2, g1)) {
                    issues.append("\(label(gRoot[g1])) [ops \(gFirst[g1])...\(gLast[g1]), bytes \(s1)..<\(e1)] and "
                                  + "\(label(gRoot[g2])) [ops \(gFirst[g2])...\(gLast[g2]), bytes \(s2)..<\(e2)] overlap")
                }
            }
        }
        return issues
    }
}

// MARK: - Problem

/// The validated request list reduced to blocks (alias groups), with the in-place pairs that can be
/// honoured at block level and the time-overlap graph shared by every strategy.
struct PlanningProblem {
    let alignment: Int
    let requestCount: Int
    /// Per request: its block and its byte offset inside the block.
    var blockOf: [Int] = []
    var rel: [Int] = []
    /// Per block: aligned size of the root, union lifetime.
    var size: [Int] = []
    var first: [Int] = []
    var last: [Int] = []
    /// Per block: partners it may coincide with, `offset(self) == offset(partner) + delta`.
    var inPlace: [[(partner: Int, delta: Int)]] = []
    /// Usable in-place handovers: block `b` is born at `step` when block `p` dies.
    var handovers: [(b: Int, p: Int, step: Int)] = []
    /// Per block: the blocks whose lifetimes overlap it (non-empty blocks only).
    var neighbours: [[Int]] = []
    /// Live bytes at each distinct firstUse step (`steps`, sorted), before in-place savings.
    var steps: [Int] = []
    var live: [Int] = []
    var lowerBound = 0

    init(_ requests: [BufferRequest], alignment: Int) throws {
        guard alignment > 0 else { throw MemoryPlanError.invalidAlignment(alignment) }
        self.alignment = alignment
        let n = requests.count
        requestCount = n
        func aligned(_ s: Int) -> Int { (s + alignment - 1) / alignment * alignment }

        for (i, r) in requests.enumerated() {
            if r.size < 0 { throw MemoryPlanError.negativeSize(buffer: r.name, size: r.size) }
            if r.lastUse < r.firstUse {
                throw MemoryPlanError.invalidLifetime(buffer: r.name, firstUse: r.firstUse, lastUse: r.lastUse)
            }
            if let t = r.aliasOf, t < 0 || t >= n || t == i {
                throw MemoryPlanError.badIndex(buffer: r.name, field: "aliasOf", index: t, count: n)
            }
            if let t = r.inPlaceOf, t < 0 || t >= n || t == i {
                throw MemoryPlanError.badIndex(buffer: r.name, field: "inPlaceOf", index: t, count: n)
            }
        }
        for r in requests {
            if let t = r.aliasOf, r.aliasOffset < 0 || r.aliasOffset + r.size > requests[t].size {
                throw MemoryPlanError.aliasOutOfBounds(buffer: r.name, target: requests[t].name,
                                                       offset: r.aliasOffset, size: r.size, targetSize: requests[t].size)
            }
            if let j = r.inPlaceOf {
                let t = requests[j]
                if t.lastUse != r.firstUse {
                    throw MemoryPlanError.illegalInPlace(
                        buffer: r.name, target: t.name,
                        reason: "'\(t.name)' dies at op \(t.lastUse) but '\(r.name)' is born at op \(r.firstUse)")
                }
                if r.size > t.size {
                    throw MemoryPlanError.illegalInPlace(
                        buffer: r.name, target: t.name, reason: "\(r.size) bytes do not fit in \(t.size) bytes")
                }
            }
        }

        // Alias roots and offsets relative to the root (cycle-checked).
        var root = [Int](repeating: -1, count: n)
        rel = [Int](repeating: 0, count: n)
        for i in 0..<n where root[i] < 0 {
            var path: [Int] = [], onPath = Set<Int>(), j = i
            while root[j] < 0, let t = requests[j].aliasOf {
                if onPath.contains(j) {
                    let start = path.firstIndex(of: j)!
                    throw MemoryPlanError.aliasCycle(buffers: (path[start...] + [j]).map { requests[$0].name })
                }
                path.append(j); onPath.insert(j)
                j = t
            }
            if root[j] < 0 { root[j] = j; rel[j] = 0 }
            for p in path.reversed() {
                let t = requests[p].aliasOf!
                root[p] = root[t]
                rel[p] = rel[t] + requests[p].aliasOffset
            }
        }

        // Blocks.
        var blockOfRoot: [Int: Int] = [:]
        blockOf = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let r = root[i]
            let b: Int
            if let existing = blockOfRoot[r] { b = existing } else {
                b = size.count
                blockOfRoot[r] = b
                size.append(aligned(requests[r].size))
                first.append(.max)
                last.append(.min)
            }
            blockOf[i] = b
            first[b] = min(first[b], requests[i].firstUse)
            last[b] = max(last[b], requests[i].lastUse)
        }
        let nb = size.count
        inPlace = [[(partner: Int, delta: Int)]](repeating: [], count: nb)

        // In-place pairs usable at block level: the new buffer is its whole block, the old one sits at an
        // aligned offset of its block, and the two blocks meet at exactly one op (the handover). The old
        // block must be born before that op: a buffer born and dead at one op cannot be handed on, so
        // in-place chains never stack at one op (otherwise the lower bound would credit both links of a
        // chain whose ends may not overlap).
        for (i, r) in requests.enumerated() {
            guard let j = r.inPlaceOf else { continue }
            let bi = blockOf[i], bj = blockOf[j]
            guard bi != bj, size[bi] > 0, rel[i] == 0, aligned(r.size) == size[bi],
                  rel[j] % alignment == 0, first[bi] == last[bj], first[bj] < last[bj] else { continue }
            inPlace[bi].append((bj, rel[j]))
            inPlace[bj].append((bi, -rel[j]))
            handovers.append((bi, bj, first[bi]))
        }

        // Time-overlap graph.
        neighbours = [[Int]](repeating: [], count: nb)
        let byFirst = (0..<nb).filter { size[$0] > 0 }.sorted { (first[$0], $0) < (first[$1], $1) }
        for (x, b) in byFirst.enumerated() {
            for c in byFirst[(x + 1)...] {
                if first[c] > last[b] { break }
                neighbours[b].append(c)
                neighbours[c].append(b)
            }
        }

        // Live bytes at every birth step (the sum only grows at births, so the maximum is at one).
        steps = Array(Set(byFirst.map { first[$0] })).sorted()
        var delta = [Int](repeating: 0, count: steps.count + 1)
        for b in byFirst {
            delta[stepIndex(first[b])] += size[b]
            delta[upperStepIndex(last[b])] -= size[b]
        }
        live = []
        var running = 0
        for k in 0..<steps.count { running += delta[k]; live.append(running) }

        // In-place savings at handover steps: a newborn block overlaps only a dying block it was handed,
        // and the newborn blocks inside one dying block are disjoint, so each dying block saves at most
        // min(its size, the sizes handed to it). A newborn block with hints into several dying blocks is
        // credited to each, which can only lower the bound (it stays a bound).
        struct Key: Hashable { var step: Int; var p: Int }
        var hosted: [Key: Set<Int>] = [:]
        for h in handovers { hosted[Key(step: h.step, p: h.p), default: []].insert(h.b) }
        var bound = live
        for (key, bs) in hosted {
            let saving = min(size[key.p], bs.reduce(0) { $0 + size[$1] })
            bound[stepIndex(key.step)] -= saving
        }
        lowerBound = max(bound.max() ?? 0, 0)
    }

    /// Index of `step` in `steps` (which contains it).
    func stepIndex(_ step: Int) -> Int {
        var lo = 0, hi = steps.count
        while lo < hi { let m = (lo + hi) / 2; if steps[m] < step { lo = m + 1 } else { hi = m } }
        return lo
    }

    /// Index of the first step after `step`.
    func upperStepIndex(_ step: Int) -> Int {
        var lo = 0, hi = steps.count
        while lo < hi { let m = (lo + hi) / 2; if steps[m] <= step { lo = m + 1 } else { hi = m } }
        return lo
    }

    var placeable: [Int] { (0..<size.count).filter { size[$0] > 0 } }

    /// The base block orders, by name.
    func orders() -> [(String, [Int])] {
        let bs = placeable
        func length(_ b: Int) -> Int { last[b] - first[b] + 1 }
        // Peak live bytes over each block's lifetime ("pressure").
        let pressure: [Int] = (0..<size.count).map { b in
            guard size[b] > 0 else { return 0 }
            var m = 0
            var k = stepIndex(first[b])
            while k < steps.count, steps[k] <= last[b] { m = max(m, live[k]); k += 1 }
            return m
        }
        func sorted(_ key: (Int) -> [Int]) -> [Int] {
            bs.sorted { a, b in
                let ka = key(a), kb = key(b)
                return ka != kb ? ka.lexicographicallyPrecedes(kb) : a < b
            }
        }
        var result: [(String, [Int])] = [
            ("size", sorted { [-size[$0], -length($0), first[$0]] }),
            ("pressure", sorted { [-pressure[$0], -size[$0], first[$0]] }),
            ("area", sorted { [-size[$0] * length($0), -size[$0], first[$0]] }),
            ("lifetime", sorted { [-length($0), -size[$0], first[$0]] }),
            ("first-use", sorted { [first[$0], -size[$0], -length($0)] }),
            ("last-use", sorted { [-last[$0], -size[$0], -length($0)] }),
        ]
        // Orders that coincide place identically: keep the first name only.
        var seen = Set<[Int]>()
        result = result.filter { seen.insert($0.1).inserted }
        return result
    }

    func arena(_ blockOffsets: [Int]) -> Int {
        (0..<size.count).reduce(0) { max($0, blockOffsets[$1] + size[$1]) }
    }

    /// Capacities to try with `search`: the bound, then +1/2/4/8 %, all below `limit`.
    func searchCapacities(below limit: Int) -> [Int] {
        var out: [Int] = []
        for extra in [0.0, 0.01, 0.02, 0.04, 0.08] {
            let c = (Int((Double(lowerBound) * (1 + extra)).rounded(.up)) + alignment - 1) / alignment * alignment
            if c < limit, out.last != c { out.append(c) }
        }
        return out
    }

    /// Places every block inside [0, capacity) in first-use order, trying for each block its legal
    /// in-place slots and then both ends of every gap that fits (tightest gap first). A dead end jumps
    /// back to the latest placed block it overlaps in time (conflict-directed backjumping), so a bad
    /// choice made a few ops earlier is undone without re-enumerating everything in between. Gives up
    /// after a node budget proportional to the number of blocks. Returns block offsets or nil.
    func search(capacity: Int) -> [Int]? {
        let order = placeable.sorted { (first[$0], -last[$0], -size[$0], $0) < (first[$1], -last[$1], -size[$1], $1) }
        let count = order.count
        var off = [Int](repeating: -1, count: size.count)
        for b in 0..<size.count where size[b] == 0 { off[b] = 0 }
        guard count > 0 else { return off }
        var level = [Int](repeating: -1, count: size.count)
        for (k, b) in order.enumerated() { level[b] = k }
        var candidates = [[Int]](repeating: [], count: count)
        var nextCandidate = [Int](repeating: 0, count: count)
        var conflicts = [Set<Int>](repeating: [], count: count)
        let budget = min(10_000 + 100 * count, 100_000)
        var nodes = 0
        var busy: [(start: Int, end: Int)] = []

        func enter(_ k: Int) {
            let b = order[k], sz = size[b]
            var conf = Set<Int>()
            busy.removeAll(keepingCapacity: true)
            for c in neighbours[b] where off[c] >= 0 {
                busy.append((off[c], off[c] + size[c]))
                conf.insert(level[c])
            }
            busy.sort { $0.start < $1.start }
            var gaps: [(start: Int, end: Int)] = []
            var cursor = 0
            for iv in busy {
                if iv.start - cursor >= sz { gaps.append((cursor, iv.start)) }
                cursor = max(cursor, iv.end)
            }
            if capacity - cursor >= sz { gaps.append((cursor, capacity)) }
            gaps.sort { ($0.end - $0.start, $0.start) < ($1.end - $1.start, $1.start) }
            var list: [Int] = []
            for (p, delta) in inPlace[b] where off[p] >= 0 {
                let c = off[p] + delta
                if c >= 0, c + sz <= capacity, !list.contains(c), fitsInPlace(b, at: c, off) { list.append(c) }
            }
            for g in gaps {
                if !list.contains(g.start) { list.append(g.start) }
                let top = g.end - sz
                if top != g.start, !list.contains(top) { list.append(top) }
            }
            candidates[k] = list
            nextCandidate[k] = 0
            conflicts[k] = conf
        }

        var k = 0
        enter(0)
        while k < count {
            let b = order[k]
            if nextCandidate[k] < candidates[k].count {
                off[b] = candidates[k][nextCandidate[k]]
                nextCandidate[k] += 1
                nodes += 1
                if nodes > budget { return nil }
                k += 1
                if k < count { enter(k) }
            } else {
                off[b] = -1
                guard let j = conflicts[k].max() else { return nil }
                for m in j..<k { off[order[m]] = -1 }
                var merged = conflicts[k]
                merged.remove(j)
                conflicts[j].formUnion(merged)
                k = j
            }
        }
        return off
    }

    /// Size-descending orders with multiplicative noise on the sizes (deterministic seed); the number of
    /// restarts shrinks with the problem so planning stays cheap.
    func perturbedOrders() -> [[Int]] {
        let bs = placeable
        guard bs.count > 2 else { return [] }
        let work = max(1, bs.count * bs.count)
        let count = min(48, max(4, 4_000_000 / work))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(bs.count | 1)
        func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) / Double(1 << 53)
        }
        var orders: [[Int]] = []
        for k in 0..<count {
            let spread = 0.1 + 0.5 * Double(k % 4) / 3
            let keys = bs.map { Double(size[$0]) * (1 + spread * (next() * 2 - 1)) }
            let idx = (0..<bs.count).sorted { (keys[$0], -$0) > (keys[$1], -$1) }
            orders.append(idx.map { bs[$0] })
        }
        return orders
    }

    /// Greedy placement of the blocks in `order`. First fit takes the lowest offset that fits (an
    /// in-place slot included); best fit takes a legal in-place slot if there is one, else the smallest
    /// gap that fits, else the top. Returns block offsets and the arena size.
    func place(order: [Int], bestFit: Bool) -> (offsets: [Int], arena: Int) {
        var off = [Int](repeating: -1, count: size.count)
        for b in 0..<size.count where size[b] == 0 { off[b] = 0 }
        var arena = 0
        var busy: [(start: Int, end: Int)] = []
        for b in order {
            let sz = size[b]
            busy.removeAll(keepingCapacity: true)
            for c in neighbours[b] where off[c] >= 0 { busy.append((off[c], off[c] + size[c])) }
            busy.sort { $0.start < $1.start }

            // Gaps between the busy intervals of the blocks live alongside.
            var cursor = 0
            var firstFit: Int? = nil
            var tightest: (offset: Int, gap: Int)? = nil
            for iv in busy {
                if iv.start > cursor {
                    let gap = iv.start - cursor
                    if gap >= sz {
                        if firstFit == nil { firstFit = cursor; if !bestFit { break } }
                        if tightest == nil || gap < tightest!.gap { tightest = (cursor, gap) }
                    }
                }
                cursor = max(cursor, iv.end)
            }
            var chosen = bestFit ? (tightest?.offset ?? cursor) : (firstFit ?? cursor)

            // In-place slots (exact coincidence with a dying partner).
            var inPlaceSlot: Int? = nil
            for (p, delta) in inPlace[b] where off[p] >= 0 {
                let c = off[p] + delta
                guard c >= 0, inPlaceSlot == nil || c < inPlaceSlot!, fitsInPlace(b, at: c, off) else { continue }
                inPlaceSlot = c
            }
            if let s = inPlaceSlot { chosen = bestFit ? s : min(s, chosen) }
            off[b] = chosen
            arena = max(arena, chosen + sz)
        }
        return (off, arena)
    }

    /// True when block `b` at offset `c` overlaps no placed neighbour except in-place partners it
    /// coincides with exactly.
    func fitsInPlace(_ b: Int, at c: Int, _ off: [Int]) -> Bool {
        let end = c + size[b]
        for n in neighbours[b] where off[n] >= 0 && off[n] < end && c < off[n] + size[n] {
            if !inPlace[b].contains(where: { $0.partner == n && off[n] + $0.delta == c }) { return false }
        }
        return true
    }

    func requestOffsets(blockOffsets: [Int]) -> [Int] {
        (0..<requestCount).map { blockOffsets.isEmpty ? 0 : blockOffsets[blockOf[$0]] + rel[$0] }
    }
}
