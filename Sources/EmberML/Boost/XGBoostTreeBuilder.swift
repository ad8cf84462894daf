import Foundation

/// Grows one tree on binned rows as XGBoost's `QuantileHistMaker` (tree_method hist):
/// gradient histograms per node (in parallel over row ranges for large nodes), sibling
/// subtraction (the child with the smaller hessian sum is built, the other is parent − it),
/// depthwise (level by level, nodes in id order) or lossguide (best loss change first, ties
/// to the older node) growth. Rows stay in one index array, each node a contiguous segment,
/// partitioned stably.
final class XGBoostTreeBuilder<B: FixedWidthInteger & UnsignedInteger> {
    let bins: [B]
    let n: Int
    let d: Int
    let cuts: XGBoostCuts
    let config: XGBoostConfig
    let calc: XGBoostGain
    /// No missing value anywhere (XGBoost then takes the root sums from feature 0's histogram).
    let isDense: Bool
    var rng: TreeRandom

    var rows: [Int32]
    var scratch: [Int32]
    /// Row segment of every node of the tree being grown.
    var segStart: [Int] = []
    var segCount: [Int] = []

    init(bins: [B], n: Int, d: Int, cuts: XGBoostCuts, config: XGBoostConfig, isDense: Bool, seed: UInt64) {
        self.bins = bins
        self.n = n
        self.d = d
        self.cuts = cuts
        self.config = config
        self.calc = XGBoostGain(config)
        self.isDense = isDense
        self.rng = TreeRandom(xgboostSeed: seed)
        self.rows = [Int32](repeating: 0, count: n)
        self.scratch = [Int32](repeating: 0, count: n)
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

    /// The histogram of the rows in a segment (pairs g, h per global bin, in double).
    func buildHist(_ start: Int, _ count: Int, g: UnsafeBufferPointer<Float>, h: UnsafeBufferPointer<Float>) -> [Double] {
        let total = cuts.totalBins * 2
        let parts = count >= 16384 ? ProcessInfo.processInfo.activeProcessorCount : 1
        let partials: [[Double]] = bins.withUnsafeBufferPointer { bp in
            rows.withUnsafeBufferPointer { rp in
                cuts.ptrs.withUnsafeBufferPointer { ptrs in
                    Parallel.mapRanges(count, parts: parts) { range -> [Double] in
                        var hist = [Double](repeating: 0, count: total)
                        hist.withUnsafeMutableBufferPointer { hb in
                            let missing = B.max
                            for k in range {
                                let r = Int(rp[start + k])
                                let gg = Double(g[r]), hh = Double(h[r])
                                let base = r * d
                                for f in 0..<d {
                                    let b = bp[base + f]
                                    if b == missing { continue }
                                    let idx = 2 * (ptrs[f] + Int(b))
                                    hb[idx] += gg
                                    hb[idx + 1] += hh
                                }
                            }
                        }
                        return hist
                    }
                }
            }
        }
        guard var out = partials.first else { return [Double](repeating: 0, count: total) }
        for p in partials.dropFirst() { for i in 0..<total { out[i] += p[i] } }
        return out
    }

    /// Splits node `node`'s segment stably: left rows first. Returns the left count.
    /// Large segments are split in chunks on all cores: each chunk puts its left rows at
    /// its front and its right rows at its back (reversed) in `scratch`, then every chunk
    /// copies its rows to their final places.
    func partition(_ node: Int, _ s: XGBoostSplit) -> Int {
        let start = segStart[node], count = segCount[node]
        let f = s.feature, maxBin = s.leftMaxBin, dl = s.defaultLeft
        let parts = count >= XGBoostTuning.parallelPartitionMinimum ? min(ProcessInfo.processInfo.activeProcessorCount, max(1, count / 2)) : 1
        if parts > 1 {
            var lefts = [Int](repeating: 0, count: parts)
            let dd = d
            bins.withUnsafeBufferPointer { bp in
                rows.withUnsafeMutableBufferPointer { rp in
                    scratch.withUnsafeMutableBufferPointer { sp in
                        lefts.withUnsafeMutableBufferPointer { lp in
                            DispatchQueue.concurrentPerform(iterations: parts) { c in
                                let lo = start + count * c / parts, hi = start + count * (c + 1) / parts
                                var nl = 0, back = hi
                                for k in lo..<hi {
                                    let r = rp[k]
                                    let b = bp[Int(r) * dd + f]
                                    let left = b == B.max ? dl : Int(b) <= maxBin
                                    if left { sp[lo + nl] = r; nl += 1 } else { back -= 1; sp[back] = r }
                                }
                                lp[c] = nl
                            }
                            let totalLeft = lp.reduce(0, +)
                            DispatchQueue.concurrentPerform(iterations: parts) { c in
                                let lo = start + count * c / parts, hi = start + count * (c + 1) / parts
                                var leftAt = start, rightAt = start + totalLeft
                                for c2 in 0..<c {
                                    leftAt += lp[c2]
                                    rightAt += (count * (c2 + 1) / parts - count * c2 / parts) - lp[c2]
                                }
                                let nl = lp[c]
                                for k in 0..<nl { rp[leftAt + k] = sp[lo + k] }
                                // Right rows were stored from the back: read them in reverse.
                                var at = rightAt
                                var k = hi - 1
                                while k >= lo + nl { rp[at] = sp[k]; at += 1; k -= 1 }
                            }
                        }
                    }
                }
            }
            return lefts.reduce(0, +)
        }
        var nl = 0, nr = 0
        bins.withUnsafeBufferPointer { bp in
            rows.withUnsafeMutableBufferPointer { rp in
                scratch.withUnsafeMutableBufferPointer { sp in
                    for k in start..<(start + count) {
                        let r = rp[k]
                        let b = bp[Int(r) * d + f]
                        let left = b == B.max ? dl : Int(b) <= maxBin
                        if left { rp[start + nl] = r; nl += 1 } else { sp[nr] = r; nr += 1 }
                    }
                    for k in 0..<nr { rp[start + nl + k] = sp[k] }
                }
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

    /// Grows a tree for gradients `g`, `h` (one per row); returns it with the row segments
    /// of its nodes (for updating the training margins).
    func grow(g gArr: [Float], h hArr: [Float]) -> XGBoostTree {
        var tree = XGBoostTree()
        for i in 0..<n { rows[i] = Int32(i) }
        segStart = [0]; segCount = [n]
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
                let rootHist = buildHist(0, n, g: g, h: h)
                var G = 0.0, H = 0.0
                if isDense && d > 0 {
                    for i in cuts.ptrs[0]..<cuts.ptrs[1] { G += rootHist[2 * i]; H += rootHist[2 * i + 1] }
                } else {
                    for i in 0..<n { G += Double(g[i]); H += Double(h[i]) }
                }
                tree.value[0] = config.eta * calc.weight(G, H)
                tree.cover[0] = Float(H)
                var leaves = 1
                let rootFeatures = featuresFor(depth: 0)
                func evaluate(_ node: Int, _ depth: Int, _ G: Double, _ H: Double, _ hist: [Double], _ features: [Int]) -> Entry {
                    let rootGain = Float(calc.gain(G, H))
                    let s = hist.withUnsafeBufferPointer { calc.bestSplit(hist: $0, cuts: cuts, features: features, G: G, H: H, rootGain: rootGain) }
                    return Entry(node: node, depth: depth, G: G, H: H, split: s, hist: hist, features: features)
                }
                /// Applies `e`'s split; returns the children entries (evaluated when they may grow).
                func apply(_ e: Entry) -> [Entry] {
                    let s = e.split
                    let (l, r) = tree.expand(e.node, feature: s.feature, threshold: s.value, defaultLeft: s.defaultLeft,
                                             leftValue: calc.weight(s.lG, s.lH) * config.eta, rightValue: calc.weight(s.rG, s.rH) * config.eta,
                                             gain: s.loss, leftCover: Float(s.lH), rightCover: Float(s.rH))
                    leaves += 1
                    let nl = partition(e.node, s)
                    segStart.append(segStart[e.node]); segCount.append(nl)
                    segStart.append(segStart[e.node] + nl); segCount.append(segCount[e.node] - nl)
                    guard childMayGrow(e.depth, leaves: leaves) else { return [] }
                    let buildRight = s.rH < s.lH
                    let built = buildRight ? buildHist(segStart[r], segCount[r], g: g, h: h) : buildHist(segStart[l], segCount[l], g: g, h: h)
                    var other = e.hist
                    for i in 0..<other.count { other[i] -= built[i] }
                    let (lh, rh) = buildRight ? (other, built) : (built, other)
                    return [evaluate(l, e.depth + 1, s.lG, s.lH, lh, featuresFor(depth: e.depth + 1)),
                            evaluate(r, e.depth + 1, s.rG, s.rH, rh, featuresFor(depth: e.depth + 1))]
                }
                let root = evaluate(0, 0, G, H, rootHist, rootFeatures)
                if config.lossguide {
                    var queue = [root]
                    while !queue.isEmpty {
                        var bi = 0
                        for i in 1..<queue.count {
                            let a = queue[i], b = queue[bi]
                            if a.split.loss > b.split.loss || (a.split.loss == b.split.loss && a.node < b.node) { bi = i }
                        }
                        let e = queue.remove(at: bi)
                        guard entryValid(e, leaves: leaves) else { continue }
                        queue.append(contentsOf: apply(e))
                    }
                } else {
                    var level = [root]
                    while !level.isEmpty {
                        var next: [Entry] = []
                        for e in level where entryValid(e, leaves: leaves) { next.append(contentsOf: apply(e)) }
                        level = next
                    }
                }
                return tree
            }
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
    /// Segments of at least this many rows are partitioned on all cores.
    nonisolated(unsafe) static var parallelPartitionMinimum = 1 << 16
}
