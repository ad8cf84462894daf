import CEmberPrefetch
import Foundation

/// Grows one tree on binned rows as XGBoost's `QuantileHistMaker` (tree_method hist):
/// gradient histograms per node, sibling subtraction (the child with the smaller hessian sum
/// is built, the other is parent − it), depthwise (level by level, nodes in id order) or
/// lossguide (best loss change first, ties to the older node) growth.
///
/// Rows live in one index array, each node's rows a contiguous ascending segment. A split
/// partitions its node's segment stably, reading the split feature's column (a level's
/// splits together, cut into one run per core); the built child's rows are then contiguous
/// for its histogram pass. The last level of a depthwise tree is not partitioned: the
/// margin update routes those rows as it reads them.
final class XGBoostTreeBuilder<B: FixedWidthInteger & UnsignedInteger, S: FixedWidthInteger & UnsignedInteger> {
    let data: XGBoostBinned<B, S>
    let n: Int
    let d: Int
    let cuts: XGBoostCuts
    let config: XGBoostConfig
    let calc: XGBoostGain
    /// No missing value anywhere (XGBoost then takes the root sums from feature 0's histogram).
    let isDense: Bool
    var rng: TreeRandom
    /// Histogram length in doubles (a g and an h per slot).
    let histSize: Int
    let cores = ProcessInfo.processInfo.activeProcessorCount

    /// Rows grouped by node: node `i`'s rows are `rows[segStart[i] ..< segStart[i] + segCount[i]]`,
    /// ascending (partitions are stable). A node not reached yet has `segCount` −1.
    let rows: UnsafeMutablePointer<Int32>
    private let leftRows: UnsafeMutablePointer<Int32>
    private let rightRows: UnsafeMutablePointer<Int32>
    var segStart: [Int] = []
    var segCount: [Int] = []
    /// Per-core histogram buffers (see `partBuffers`).
    private var partBuffers: [UnsafeMutablePointer<Double>] = []
    private var partCapacity = 0
    /// The last level's splits, whose rows were not partitioned: `addLeafValues` routes them.
    var pendingRoutes: [Int: XGBoostRoute] = [:]

    init(data: XGBoostBinned<B, S>, cuts: XGBoostCuts, config: XGBoostConfig, isDense: Bool, seed: UInt64) {
        self.data = data
        self.n = data.n
        self.d = data.d
        self.cuts = cuts
        self.config = config
        self.calc = XGBoostGain(config)
        self.isDense = isDense
        self.rng = TreeRandom(xgboostSeed: seed)
        self.histSize = data.slots * 2
        rows = .allocate(capacity: max(n, 1))
        leftRows = .allocate(capacity: max(n, 1))
        rightRows = .allocate(capacity: max(n, 1))
    }

    /// A node waiting to be split.
    struct Entry {
        var node: Int
        var depth: Int
        var G: Double
        var H: Double
        var split: XGBoostSplit
        var hist: [Double]
        var features: [Int]
    }

    /// Row ranges for `count` rows: one per core when large enough.
    func parts(_ count: Int) -> Int {
        count >= XGBoostTuning.parallelMinimum ? max(1, min(cores, count)) : 1
    }

    /// The rows of `segments` (start and count in `rows`) taken in order and cut into one run
    /// of about equal length per core: each core's pieces, as (segment index, range in `rows`).
    func pieces(_ segments: [(start: Int, count: Int)]) -> [[(segment: Int, range: Range<Int>)]] {
        let total = segments.reduce(0) { $0 + $1.count }
        let p = parts(total)
        var out = [[(segment: Int, range: Range<Int>)]](repeating: [], count: p)
        var i = 0, first = 0  // the segment at hand and its first position in the run
        for k in 0..<p {
            let lo = total * k / p, hi = total * (k + 1) / p
            while i < segments.count && first < hi {
                let s = segments[i]
                let a = max(lo, first), b = min(hi, first + s.count)
                if a < b { out[k].append((i, (s.start + a - first)..<(s.start + b - first))) }
                if first + s.count <= hi { first += s.count; i += 1 } else { break }
            }
        }
        return out
    }

    /// Splits the rows of every node in `splits` stably by its route (left child's rows
    /// first) on all cores, and records the children's segments. Each core sorts its pieces'
    /// rows into two scratch arrays, branch-free, at the pieces' own positions; then the
    /// pieces are copied back in order.
    func partition(_ splits: [(node: Int, route: XGBoostRoute)]) {
        let view = data.view
        let plan = pieces(splits.map { (segStart[$0.node], segCount[$0.node]) })
        var firstPiece = [0]
        for ps in plan { firstPiece.append(firstPiece[firstPiece.count - 1] + ps.count) }
        var lefts = [Int](repeating: 0, count: firstPiece[plan.count])
        let rp = rows, lp = leftRows, rr = rightRows
        lefts.withUnsafeMutableBufferPointer { lb in
            let counts = lb
            DispatchQueue.concurrentPerform(iterations: plan.count) { part in
                for (j, piece) in plan[part].enumerated() {
                    let route = splits[piece.segment].route
                    let a = piece.range.lowerBound
                    var nl = 0, nr = 0
                    for k in piece.range {
                        let r = rp[k]
                        let left = view.goesLeft(Int(r), route)
                        lp[a &+ nl] = r
                        rr[a &+ nr] = r
                        nl &+= left
                        nr &+= 1 &- left
                    }
                    counts[firstPiece[part] + j] = nl
                }
            }
        }
        // Where each piece's rows go: a node's left rows, piece by piece, then its right rows.
        var leftTotal = [Int](repeating: 0, count: splits.count)
        for (part, ps) in plan.enumerated() { for (j, piece) in ps.enumerated() { leftTotal[piece.segment] += lefts[firstPiece[part] + j] } }
        var leftAt = splits.map { segStart[$0.node] }
        var rightAt = splits.indices.map { leftAt[$0] + leftTotal[$0] }
        var moves: [[(from: Int, left: Int, toLeft: Int, right: Int, toRight: Int)]] = plan.map { _ in [] }
        for (part, ps) in plan.enumerated() {
            for (j, piece) in ps.enumerated() {
                let nl = lefts[firstPiece[part] + j], nr = piece.range.count - nl, s = piece.segment
                moves[part].append((piece.range.lowerBound, nl, leftAt[s], nr, rightAt[s]))
                leftAt[s] += nl
                rightAt[s] += nr
            }
        }
        DispatchQueue.concurrentPerform(iterations: plan.count) { part in
            for m in moves[part] {
                (rp + m.toLeft).update(from: lp + m.from, count: m.left)
                (rp + m.toRight).update(from: rr + m.from, count: m.right)
            }
        }
        for (i, s) in splits.enumerated() {
            let start = segStart[s.node], count = segCount[s.node]
            let l = Int(s.route.left), r = Int(s.route.right)
            let top = max(l, r) + 1
            if segStart.count < top {
                segStart += [Int](repeating: 0, count: top - segStart.count)
                segCount += [Int](repeating: -1, count: top - segCount.count)
            }
            segStart[l] = start; segCount[l] = leftTotal[i]
            segStart[r] = start + leftTotal[i]; segCount[r] = count - leftTotal[i]
        }
    }

    /// The gradient histograms of `nodes`' rows, on all cores: each core adds its pieces into
    /// its own buffer (one histogram a node), and the buffers are summed in order. The root's
    /// rows are read in order; other nodes' rows are scattered, so the bins and gradients of
    /// the row `ahead` places on are prefetched (as XGBoost's row-wise kernel does).
    func histograms(_ nodes: [Int], g: UnsafeBufferPointer<Float>, h: UnsafeBufferPointer<Float>) -> [[Double]] {
        let size = histSize, view = data.view, length = nodes.count * size
        let plan = pieces(nodes.map { (segStart[$0], segCount[$0]) })
        let buffers = partBuffers(plan.count, length)
        let rp = rows, whole = nodes.count == 1 && nodes[0] == 0
        guard let gp = g.baseAddress, let hp = h.baseAddress else { return nodes.map { _ in [Double](repeating: 0, count: size) } }
        DispatchQueue.concurrentPerform(iterations: plan.count) { part in
            let base = buffers[part]
            base.initialize(repeating: 0, count: length)
            for piece in plan[part] {
                let hist = base + piece.segment &* size
                if whole {
                    for r in piece.range { view.add(r, Double(gp[r]), Double(hp[r]), hist) }
                    continue
                }
                let ahead = 10, slots = view.rowSlots, d = view.stored, end = piece.range.upperBound
                for k in piece.range {
                    if k &+ ahead < end {
                        let q = Int(rp[k &+ ahead])
                        ember_prefetch(slots + q &* d)
                        ember_prefetch(slots + (q &* d &+ d &- 1))
                        ember_prefetch(gp + q)
                        ember_prefetch(hp + q)
                    }
                    let r = Int(rp[k])
                    view.add(r, Double(gp[r]), Double(hp[r]), hist)
                }
            }
        }
        let first = buffers[0]
        for q in buffers[1..<plan.count] { for i in 0..<length { first[i] += q[i] } }
        return nodes.indices.map { Array(UnsafeBufferPointer(start: first + $0 * size, count: size)) }
    }

    /// `parts` histogram buffers of at least `length` doubles each, kept between passes
    /// (fresh pages cost a fault each).
    func partBuffers(_ parts: Int, _ length: Int) -> [UnsafeMutablePointer<Double>] {
        if partBuffers.count < parts || partCapacity < length {
            for b in partBuffers { b.deallocate() }
            partCapacity = max(partCapacity, length, 1)
            partBuffers = (0..<max(parts, partBuffers.count)).map { _ in UnsafeMutablePointer<Double>.allocate(capacity: partCapacity) }
        }
        return partBuffers
    }

    deinit {
        for b in partBuffers { b.deallocate() }
        rows.deallocate()
        leftRows.deallocate()
        rightRows.deallocate()
    }

    /// The route of split `s` of a node to its children `left` and `right`.
    func route(_ s: XGBoostSplit, left: Int, right: Int) -> XGBoostRoute {
        data.view.route(feature: s.feature, leftMaxBin: s.leftMaxBin, defaultLeft: s.defaultLeft, left: left, right: right)
    }

    func sample(_ set: [Int], _ fraction: Double) -> [Int] {
        if fraction >= 1 || set.count <= 1 { return set }
        let keep = max(1, Int(fraction * Double(set.count)))
        var s = set
        for i in 0..<keep {
            let j = i + Int(rng.next() % UInt64(s.count - i))
            s.swapAt(i, j)
        }
        return Array(s[0..<keep]).sorted()
    }

    func entryValid(_ e: Entry, leaves: Int) -> Bool {
        let s = e.split
        if s.loss <= 1e-6 { return false }
        if s.lH == 0 || s.rH == 0 { return false }
        if s.loss < config.gamma { return false }
        if config.maxDepth > 0 && e.depth == config.maxDepth { return false }
        if config.maxLeaves > 0 && leaves == config.maxLeaves { return false }
        return true
    }

    func childMayGrow(_ depth: Int, leaves: Int) -> Bool {
        if config.maxDepth > 0 && depth + 1 >= config.maxDepth { return false }
        if config.maxLeaves > 0 && leaves >= config.maxLeaves { return false }
        return true
    }

    /// Adds every row's leaf value in `tree` (just grown) to its margin `margins[r × k + group]`
    /// on all cores, routing the rows of the last level's unpartitioned splits on the way.
    func addLeafValues(_ tree: XGBoostTree, to margins: inout [Float], k: Int, group: Int) {
        let view = data.view
        var nodes: [Int] = []
        for node in 0..<min(tree.count, segCount.count) where segCount[node] >= 0 && (tree.left[node] < 0 || pendingRoutes[node] != nil) {
            nodes.append(node)
        }
        let routes = nodes.map { pendingRoutes[$0] }
        let plan = pieces(nodes.map { (segStart[$0], segCount[$0]) })
        let rp = rows
        tree.value.withUnsafeBufferPointer { vb in
            margins.withUnsafeMutableBufferPointer { mb in
                let v = vb, m = mb
                DispatchQueue.concurrentPerform(iterations: plan.count) { part in
                    for piece in plan[part] {
                        if let route = routes[piece.segment] {
                            for i in piece.range {
                                let r = Int(rp[i])
                                m[r &* k &+ group] += v[Int(route.child(view.goesLeft(r, route)))]
                            }
                        } else {
                            let value = v[nodes[piece.segment]]
                            for i in piece.range { m[Int(rp[i]) &* k &+ group] += value }
                        }
                    }
                }
            }
        }
    }

    /// Grows a tree for gradients `g`, `h` (one per row); the segments then hold every leaf's
    /// rows, or its parent's when that split is in `pendingRoutes`.
    func grow(g gArr: [Float], h hArr: [Float]) -> XGBoostTree {
        var tree = XGBoostTree()
        pendingRoutes = [:]
        for i in 0..<n { rows[i] = Int32(truncatingIfNeeded: i) }
        segStart = [0]
        segCount = [n]
        return gArr.withUnsafeBufferPointer { g in
            hArr.withUnsafeBufferPointer { h in
                let all = Array(0..<d)
                let treeFeatures = sample(all, config.colsampleBytree)
                var levelFeatures: [Int: [Int]] = [:]
                func featuresFor(depth: Int) -> [Int] {
                    let level: [Int]
                    if let l = levelFeatures[depth] { level = l } else { level = sample(treeFeatures, config.colsampleBylevel); levelFeatures[depth] = level }
                    return sample(level, config.colsampleBynode)
                }
                let rootHist = histograms([0], g: g, h: h).first ?? [Double](repeating: 0, count: histSize)
                var G = 0.0, H = 0.0
                if isDense && d > 0 && data.splittable[0] {
                    for i in data.offsets[0]..<(data.offsets[0] + cuts.numBins(0)) { G += rootHist[2 * i]; H += rootHist[2 * i + 1] }
                } else {
                    for i in 0..<n { G += Double(g[i]); H += Double(h[i]) }
                }
                tree.value[0] = config.eta * calc.weight(G, H)
                tree.cover[0] = Float(H)
                var leaves = 1
                func evaluate(_ node: Int, _ depth: Int, _ G: Double, _ H: Double, _ hist: [Double], _ features: [Int]) -> Entry {
                    let rootGain = Float(calc.gain(G, H))
                    let s = hist.withUnsafeBufferPointer {
                        calc.bestSplit(hist: $0, offsets: data.offsets, cuts: cuts, features: features.filter { data.splittable[$0] }, G: G, H: H, rootGain: rootGain)
                    }
                    return Entry(node: node, depth: depth, G: G, H: H, split: s, hist: hist, features: features)
                }
                func expand(_ e: Entry) -> (Int, Int) {
                    let s = e.split
                    leaves += 1
                    return tree.expand(e.node, feature: s.feature, threshold: s.value, defaultLeft: s.defaultLeft,
                                       leftValue: calc.weight(s.lG, s.lH) * config.eta, rightValue: calc.weight(s.rG, s.rH) * config.eta,
                                       gain: s.loss, leftCover: Float(s.lH), rightCover: Float(s.rH))
                }
                /// The children entries of `e` (children `l`, `r`, their features drawn already) from
                /// the built child's histogram; the other child's is the parent's minus it.
                func children(_ e: Entry, _ l: Int, _ r: Int, built: [Double], features: ([Int], [Int])) -> [Entry] {
                    let s = e.split
                    var other = e.hist
                    for i in 0..<other.count { other[i] -= built[i] }
                    let (lh, rh) = s.rH < s.lH ? (other, built) : (built, other)
                    return [evaluate(l, e.depth + 1, s.lG, s.lH, lh, features.0),
                            evaluate(r, e.depth + 1, s.rG, s.rH, rh, features.1)]
                }
                func childFeatures(_ e: Entry) -> ([Int], [Int]) {
                    let left = featuresFor(depth: e.depth + 1)
                    return (left, featuresFor(depth: e.depth + 1))
                }
                let root = evaluate(0, 0, G, H, rootHist, featuresFor(depth: 0))
                if config.lossguide {
                    growLossguide(root, valid: { self.entryValid($0, leaves: leaves) }, expand: expand) { e, l, r in
                        guard self.childMayGrow(e.depth, leaves: leaves) else { return [] }
                        let built = self.histograms([e.split.rH < e.split.lH ? r : l], g: g, h: h)[0]
                        return children(e, l, r, built: built, features: childFeatures(e))
                    }
                    return tree
                }
                var level = [root]
                while !level.isEmpty {
                    var split: [(e: Entry, l: Int, r: Int, grows: Bool)] = []
                    for e in level where entryValid(e, leaves: leaves) {
                        let (l, r) = expand(e)
                        split.append((e, l, r, childMayGrow(e.depth, leaves: leaves)))
                    }
                    if split.isEmpty { break }
                    // Every split's rows move to its children, except on the last level, whose
                    // rows `addLeafValues` routes as it reads them. The built child of every
                    // split whose children may grow then gets its histogram, in batches that
                    // bound the per-core histogram memory.
                    let routed = split.map { (node: $0.e.node, route: route($0.e.split, left: $0.l, right: $0.r)) }
                    let builds = split.filter(\.grows).map { $0.e.split.rH < $0.e.split.lH ? $0.r : $0.l }
                    if builds.isEmpty {
                        for s in routed { pendingRoutes[s.node] = s.route }
                        break
                    }
                    partition(routed)
                    let perBatch = max(1, XGBoostTuning.passHistogramBytes / max(1, histSize * 8 * parts(n)))
                    var built = [Int: [Double]]()
                    for at in stride(from: 0, to: builds.count, by: perBatch) {
                        let batch = Array(builds[at..<min(builds.count, at + perBatch)])
                        for (node, hist) in zip(batch, histograms(batch, g: g, h: h)) { built[node] = hist }
                    }
                    // The children, left then right per split: their features drawn in that
                    // order, then their histograms and best splits on all cores.
                    let growing = split.filter(\.grows)
                    var next = [Entry?](repeating: nil, count: growing.count * 2)
                    let features = growing.map { childFeatures($0.e) }
                    let lock = NSLock()
                    DispatchQueue.concurrentPerform(iterations: growing.count) { i in
                        let (e, l, r, _) = growing[i]
                        let pair = children(e, l, r, built: built[e.split.rH < e.split.lH ? r : l] ?? [], features: features[i])
                        lock.lock(); next[2 * i] = pair[0]; next[2 * i + 1] = pair[1]; lock.unlock()
                    }
                    level = next.compactMap { $0 }
                }
                return tree
            }
        }
    }

    /// Lossguide growth: the valid entry with the highest loss change is expanded next; its
    /// rows are partitioned and `childEntries` evaluates the children.
    func growLossguide(_ root: Entry, valid: (Entry) -> Bool, expand: (Entry) -> (Int, Int), childEntries: (Entry, Int, Int) -> [Entry]) {
        var queue = [root]
        while !queue.isEmpty {
            var bi = 0
            for i in 1..<queue.count {
                let a = queue[i], b = queue[bi]
                if a.split.loss > b.split.loss || (a.split.loss == b.split.loss && a.node < b.node) { bi = i }
            }
            let e = queue.remove(at: bi)
            guard valid(e) else { continue }
            let (l, r) = expand(e)
            partition([(e.node, route(e.split, left: l, right: r))])
            queue.append(contentsOf: childEntries(e, l, r))
        }
    }
}

extension TreeRandom {
    /// The seeded generator for subsample / colsample_* (SplitMix64, not XGBoost's mt19937,
    /// so sampled models differ from XGBoost's).
    init(xgboostSeed seed: UInt64) { self.init(state: seed &+ 0x9E37_79B9_7F4A_7C15) }
}

/// Sizes that switch the tree builder to its parallel paths (settable by tests).
enum XGBoostTuning {
    /// Passes over at least this many rows run on all cores.
    nonisolated(unsafe) static var parallelMinimum = 1 << 14
    /// Per-core histogram memory of one depthwise pass; more built nodes take more passes.
    nonisolated(unsafe) static var passHistogramBytes = 64 << 20
    /// The wide layout (16-bit column bins, 32-bit row slots) even when the narrow one holds
    /// the bins (tests compare the two layouts).
    nonisolated(unsafe) static var wideBins = false
}
