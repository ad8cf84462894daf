import CEmberPrefetch
import Foundation

/// Grows one tree on binned rows as XGBoost's `QuantileHistMaker` (tree_method hist):
/// gradient histograms per node, sibling subtraction (the child with the smaller hessian sum
/// is built, the other is parent − it), depthwise (level by level, nodes in id order) or
/// lossguide (best loss change first, ties to the older node) growth.
///
/// Depthwise growth keeps each row's node in `pos` and makes one pass over the rows per
/// level, on all cores: a row of a node split at this level moves to its child and, when
/// that child is the one whose histogram is built, is added to it. Reading each row once,
/// in order, replaces a partition and a gather per node. Lossguide growth, which expands
/// one node at a time, keeps rows in one index array with each node a contiguous segment,
/// partitioned stably.
final class XGBoostTreeBuilder<B: FixedWidthInteger & UnsignedInteger> {
    let data: XGBoostBinned<B>
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

    /// The leaf of every row once `grow` returns (its node during depthwise growth).
    var pos: [Int32]
    /// Per-core histogram buffers of level passes (see `partBuffers`).
    private var partBuffers: [UnsafeMutablePointer<Double>] = []
    private var partCapacity = 0
    /// The last level's routes when no histogram needed its pass (see `addLeafValues`).
    var pendingRoutes: [XGBoostRoute]?
    /// Rows listed by a level pass, and their histogram slots.
    var listed: [Int32] = []
    var listedSlot: [Int32] = []
    /// Lossguide: rows grouped by node, and each node's segment.
    var rows: [Int32] = []
    var scratch: [Int32] = []
    var segStart: [Int] = []
    var segCount: [Int] = []

    init(data: XGBoostBinned<B>, cuts: XGBoostCuts, config: XGBoostConfig, isDense: Bool, seed: UInt64) {
        self.data = data
        self.n = data.n
        self.d = data.d
        self.cuts = cuts
        self.config = config
        self.calc = XGBoostGain(config)
        self.isDense = isDense
        self.rng = TreeRandom(xgboostSeed: seed)
        self.histSize = data.slots * 2
        self.pos = [Int32](repeating: 0, count: n)
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

    /// One pass over all rows. With `routes` (one per node id), every row moves to its
    /// node's child and is listed when that child has a histogram slot; without, a row is
    /// listed when its node has a slot in `slotOf`. Each core takes one row range: it lists
    /// the range's rows (branch-free, into its part of `listed`), then adds them; the
    /// ranges' histograms are summed in order.
    func levelPass(routes: [XGBoostRoute]?, slotOf: [Int32], slots: Int, g: UnsafeBufferPointer<Float>, h: UnsafeBufferPointer<Float>) -> [[Double]] {
        let size = histSize, view = data.view
        if listed.count != n {
            listed = [Int32](repeating: 0, count: n)
            listedSlot = [Int32](repeating: 0, count: n)
        }
        let p = max(1, min(parts(n), n)), length = slots * size
        let buffers = partBuffers(p, length)
        pos.withUnsafeMutableBufferPointer { pp in
        listed.withUnsafeMutableBufferPointer { lp in
        listedSlot.withUnsafeMutableBufferPointer { ls in
            slotOf.withUnsafeBufferPointer { so in
                let pb = pp, lb = lp, sb = ls
                Parallel.forEachRange(n, parts: p) { part, range in
                    let base = buffers[part]
                    base.initialize(repeating: 0, count: length)
                    do {
                        var count = range.lowerBound
                        if let routes {
                            routes.withUnsafeBufferPointer { rt in
                                // In blocks: first every row's child and slot (rows are
                                // independent, so their loads overlap), then the listing,
                                // whose counter waits on one load only.
                                var block = range.lowerBound
                                while block < range.upperBound {
                                    let end = min(range.upperBound, block + 4096)
                                    for r in block..<end {
                                        let route = rt[Int(pb[r])]
                                        let left = view.goesLeft(r, route)
                                        pb[r] = route.child(left)
                                        sb[r] = route.slot(left)
                                    }
                                    for r in block..<end {
                                        let s = sb[r]
                                        lb[count] = Int32(truncatingIfNeeded: r)
                                        sb[count] = s
                                        count &+= 1 &+ (Int(s) >> 63)
                                    }
                                    block = end
                                }
                            }
                        } else if slots == 1 && so.count == 1 {
                            // The root: every row.
                            for r in range { view.add(r, Double(g[r]), Double(h[r]), base) }
                        } else {
                            for r in range {
                                let s = so[Int(pb[r])]
                                lb[count] = Int32(truncatingIfNeeded: r)
                                sb[count] = s
                                count &+= 1 &+ (Int(s) >> 63)
                            }
                        }
                        // Listed rows are scattered: prefetch the bins and gradients of the
                        // row `ahead` places on (as XGBoost's row-wise kernel does).
                        let ahead = 10
                        let bins = view.bins, d = view.d
                        guard let gp = g.baseAddress, let hp = h.baseAddress else { return }
                        for i in range.lowerBound..<count {
                            if i &+ ahead < count {
                                let q = Int(lb[i &+ ahead])
                                ember_prefetch(bins + q &* d)
                                ember_prefetch(bins + (q &* d &+ d &- 1))
                                ember_prefetch(gp + q)
                                ember_prefetch(hp + q)
                            }
                            let r = Int(lb[i])
                            view.add(r, Double(g[r]), Double(h[r]), base + Int(sb[i]) &* size)
                        }
                    }
                }
            }
        }}}
        let first = buffers[0]
        for q in buffers[1..<p] { for i in 0..<length { first[i] += q[i] } }
        return (0..<slots).map { Array(UnsafeBufferPointer(start: first + $0 * size, count: size)) }
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

    deinit { for b in partBuffers { b.deallocate() } }

    /// The histogram of the rows in a lossguide segment.
    func segmentHist(_ start: Int, _ count: Int, g: UnsafeBufferPointer<Float>, h: UnsafeBufferPointer<Float>) -> [Double] {
        let size = histSize, view = data.view
        let partials: [[Double]] = rows.withUnsafeBufferPointer { rp in
            Parallel.mapRanges(count, parts: parts(count)) { range -> [Double] in
                var hist = [Double](repeating: 0, count: size)
                hist.withUnsafeMutableBufferPointer { hb in
                    guard let base = hb.baseAddress else { return }
                    for k in range {
                        let r = Int(rp[start + k])
                        view.add(r, Double(g[r]), Double(h[r]), base)
                    }
                }
                return hist
            }
        }
        guard var out = partials.first else { return [Double](repeating: 0, count: size) }
        for q in partials.dropFirst() { for i in 0..<size { out[i] += q[i] } }
        return out
    }

    /// Splits node `node`'s lossguide segment stably: left rows first. Returns the left count.
    func partition(_ node: Int, _ s: XGBoostSplit) -> Int {
        let start = segStart[node], count = segCount[node]
        let view = data.view
        let route = view.route(feature: s.feature, leftMaxBin: s.leftMaxBin, defaultLeft: s.defaultLeft, left: 0, right: 0)
        var nl = 0, nr = 0
        rows.withUnsafeMutableBufferPointer { rp in
            scratch.withUnsafeMutableBufferPointer { sp in
                for k in start..<(start + count) {
                    let r = rp[k]
                    if view.goesLeft(Int(r), route) == 1 { rp[start + nl] = r; nl += 1 } else { sp[nr] = r; nr += 1 }
                }
                for k in 0..<nr { rp[start + nl + k] = sp[k] }
            }
        }
        return nl
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

    /// Adds every row's leaf value in `tree` (just grown) to its margin `margins[r × k + group]`,
    /// applying the last level's routes on the way.
    func addLeafValues(_ tree: XGBoostTree, to margins: inout [Float], k: Int, group: Int) {
        let view = data.view
        let routes = pendingRoutes ?? []
        pos.withUnsafeBufferPointer { pb in
            tree.value.withUnsafeBufferPointer { vb in
                routes.withUnsafeBufferPointer { rt in
                    margins.withUnsafeMutableBufferPointer { mb in
                        let p = pb, v = vb, m = mb, hasRoutes = !rt.isEmpty
                        _ = Parallel.mapRanges(n, parts: parts(n)) { range -> Int in
                            if hasRoutes {
                                for r in range {
                                    let route = rt[Int(p[r])]
                                    m[r &* k &+ group] += v[Int(route.child(view.goesLeft(r, route)))]
                                }
                            } else {
                                for r in range { m[r &* k &+ group] += v[Int(p[r])] }
                            }
                            return 0
                        }
                    }
                }
            }
        }
    }

    /// Grows a tree for gradients `g`, `h` (one per row); `pos` then holds every row's node
    /// (its leaf, or the node whose `pendingRoutes` entry leads to it).
    func grow(g gArr: [Float], h hArr: [Float]) -> XGBoostTree {
        var tree = XGBoostTree()
        pendingRoutes = nil
        for i in 0..<n { pos[i] = 0 }
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
                let rootHist = levelPass(routes: nil, slotOf: [0], slots: 1, g: g, h: h).first ?? [Double](repeating: 0, count: histSize)
                var G = 0.0, H = 0.0
                if isDense && d > 0 {
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
                        calc.bestSplit(hist: $0, offsets: data.offsets, cuts: cuts, features: features, G: G, H: H, rootGain: rootGain)
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
                        let built = e.split.rH < e.split.lH ? self.segmentHist(self.segStart[r], self.segCount[r], g: g, h: h)
                                                           : self.segmentHist(self.segStart[l], self.segCount[l], g: g, h: h)
                        return children(e, l, r, built: built, features: childFeatures(e))
                    }
                    for node in 0..<tree.count where tree.left[node] < 0 {
                        for k in segStart[node]..<(segStart[node] + segCount[node]) { pos[Int(rows[k])] = Int32(node) }
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
                    // The built child of every split whose children may grow, in batches that
                    // bound the per-core histogram memory; the first pass also moves the rows.
                    let builds = split.filter(\.grows).map { $0.e.split.rH < $0.e.split.lH ? $0.r : $0.l }
                    let perBatch = max(1, XGBoostTuning.passHistogramBytes / max(1, histSize * 8 * parts(n)))
                    var built = [Int: [Double]]()
                    var at = 0
                    repeat {
                        let batch = Array(builds[at..<min(builds.count, at + perBatch)])
                        var slotOf = [Int32](repeating: -1, count: tree.count)
                        for (i, node) in batch.enumerated() { slotOf[node] = Int32(i) }
                        var routes: [XGBoostRoute]? = nil
                        if at == 0 {
                            let view = data.view
                            var rs = (0..<tree.count).map { view.stay($0) }
                            for (e, l, r, _) in split {
                                rs[e.node] = view.route(feature: e.split.feature, leftMaxBin: e.split.leftMaxBin, defaultLeft: e.split.defaultLeft,
                                                        left: l, right: r, slotLeft: Int(slotOf[l]), slotRight: Int(slotOf[r]))
                            }
                            routes = rs
                            if builds.isEmpty {
                                // The last level: `addLeafValues` moves the rows as it reads them.
                                pendingRoutes = rs
                                break
                            }
                        }
                        let hists = levelPass(routes: routes, slotOf: slotOf, slots: batch.count, g: g, h: h)
                        for (i, node) in batch.enumerated() { built[node] = hists[i] }
                        at += batch.count
                    } while at < builds.count
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
    /// segment is partitioned and `childEntries` evaluates the children.
    func growLossguide(_ root: Entry, valid: (Entry) -> Bool, expand: (Entry) -> (Int, Int), childEntries: (Entry, Int, Int) -> [Entry]) {
        if rows.count != n {
            rows = [Int32](repeating: 0, count: n)
            scratch = [Int32](repeating: 0, count: n)
        }
        for i in 0..<n { rows[i] = Int32(i) }
        segStart = [0]; segCount = [n]
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
            let nl = partition(e.node, e.split)
            segStart.append(segStart[e.node]); segCount.append(nl)
            segStart.append(segStart[e.node] + nl); segCount.append(segCount[e.node] - nl)
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
    /// Bins in 16 bits even when 8 hold them (tests compare the two layouts).
    nonisolated(unsafe) static var wideBins = false
}
