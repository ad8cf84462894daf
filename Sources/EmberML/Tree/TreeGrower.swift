import Foundation

/// Spark's tree impurities.
enum TreeImpurity {
    case gini, entropy, variance

    static func named(_ s: String) -> TreeImpurity {
        switch s.lowercased() {
        case "entropy": return .entropy
        case "variance": return .variance
        default: return .gini
        }
    }

    /// Spark's `Gini/Entropy/Variance.calculate` over the impurity stats at `s`.
    @inline(__always)
    func calculate(_ s: UnsafePointer<Double>, _ k: Int) -> Double {
        switch self {
        case .variance:
            let count = s[0]
            if count == 0 { return 0 }
            return (s[2] - (s[1] * s[1]) / count) / count
        case .gini:
            var total = 0.0
            for c in 0..<k { total += s[c] }
            if total == 0 { return 0 }
            var imp = 1.0
            for c in 0..<k { let f = s[c] / total; imp -= f * f }
            return imp
        case .entropy:
            var total = 0.0
            for c in 0..<k { total += s[c] }
            if total == 0 { return 0 }
            var imp = 0.0
            for c in 0..<k where s[c] != 0 { let f = s[c] / total; imp -= f * (Foundation.log(f) / Foundation.log(2.0)) }
            return imp
        }
    }
}

/// What one tree is grown with (Spark's `Strategy` plus `DecisionTreeMetadata` limits).
struct TreeStrategy {
    /// 0 for regression.
    var numClasses: Int
    var impurity: TreeImpurity
    var maxDepth: Int
    var minInstancesPerNode: Int
    var minWeightPerNode: Double
    var minInfoGain: Double
    var numFeaturesPerNode: Int
    /// Build histograms of large nodes over row ranges in parallel.
    var parallelRows: Bool

    /// Impurity stats per bin (class weights, or weight/sum/sum of squares), without the raw count.
    var statsSize: Int { numClasses > 0 ? numClasses : 3 }
}

/// Stats of a candidate or chosen split (Spark's `ImpurityStats`).
struct SplitChoice {
    var gain: Double
    var impurity: Double
    var parent: [Double]
    var left: [Double]
    var right: [Double]
    var leftImpurity: Double
    var rightImpurity: Double
    var split: TreeSplit?
    /// Histogram bin → goes left, for partitioning.
    var leftBins: [Bool]
    var feature: Int
}

/// Grows one tree over binned features (Spark's `RandomForest.findBestSplits` applied
/// depth-first): per node, a histogram over the node's rows (stats per feature and bin plus
/// the raw count), Spark's split evaluation and tie-breaking, then a stable partition of
/// the node's rows. The larger child's histogram is the parent's minus the smaller's when
/// nodes are large and every feature is tried at each node.
struct TreeGrower {
    let data: BinnedFeatures
    let strategy: TreeStrategy
    /// Class index (classification) per row.
    let classes: [Int32]
    /// Label (regression) per row.
    let labels: [Double]
    /// Row weight times bag count for this tree.
    let rowWeights: [Double]
    /// Bag count per row (nil: every row once).
    let counts: [Int32]?
    var rng: TreeRandom

    /// Nodes of at least this many rows use the sibling subtraction and parallel histograms.
    static let largeNode = 20_000

    var ss: Int { strategy.statsSize + 1 }

    /// Offsets of features in a histogram, then the node-total slot.
    func offsets() -> [Int] {
        var o = [Int](repeating: 0, count: data.numFeatures + 1)
        var at = 0
        for f in 0..<data.numFeatures { o[f] = at; at += data.numBins[f] * ss }
        o[data.numFeatures] = at
        return o
    }

    mutating func grow() -> DecisionTree {
        let n = data.count, d = data.numFeatures
        var rows: [Int32] = []
        rows.reserveCapacity(n)
        for i in 0..<n where counts.map({ $0[i] > 0 }) ?? true { rows.append(Int32(i)) }
        let off = offsets()
        let histSize = off[d] + ss
        var scratch = [Int32](repeating: 0, count: rows.count)
        let allFeatures = strategy.numFeaturesPerNode >= d
        let subtract = allFeatures

        struct Task {
            var lo: Int, hi: Int, level: Int
            var stats: [Double]?          // parent calculator (nil at the root)
            var impurity: Double
            var leaf: Bool
            var parent: Int, isLeft: Bool
            var hist: [Double]?
        }
        var nodes: [TreeNode] = []
        var stack = [Task(lo: 0, hi: rows.count, level: 0, stats: nil, impurity: 0, leaf: false, parent: -1, isLeft: false, hist: nil)]
        while let t = stack.popLast() {
            let index = nodes.count
            if t.parent >= 0 { if t.isLeft { nodes[t.parent].left = index } else { nodes[t.parent].right = index } }
            if t.leaf, let s = t.stats {
                nodes.append(makeLeaf(s, impurity: t.impurity))
                continue
            }
            let features: [Int] = allFeatures ? Array(0..<d) : sampleFeatures(d)
            let hist = t.hist ?? buildHistogram(rows, t.lo, t.hi, features, off, histSize)
            let choice = bestSplit(hist, features, off, parentStats: t.stats, parentImpurity: t.impurity, level: t.level)
            let isLeaf = choice.gain <= 0 || t.level == strategy.maxDepth
            if isLeaf || choice.split == nil {
                // Spark gives leaves of invalid splits impurity -1.
                nodes.append(makeLeaf(choice.parent, impurity: choice.gain == -Double.greatestFiniteMagnitude ? -1 : choice.impurity))
                continue
            }
            var node = makeLeaf(choice.parent, impurity: choice.impurity)
            node.gain = choice.gain
            node.split = choice.split
            nodes.append(node)
            let mid = partition(&rows, &scratch, t.lo, t.hi, choice.feature, choice.leftBins)
            let childIsLeaf = t.level + 1 == strategy.maxDepth
            let leftLeaf = childIsLeaf || abs(choice.leftImpurity) < 2.220446049250313e-16
            let rightLeaf = childIsLeaf || abs(choice.rightImpurity) < 2.220446049250313e-16
            var leftHist: [Double]? = nil, rightHist: [Double]? = nil
            if subtract && !leftLeaf && !rightLeaf && t.hi - t.lo >= TreeGrower.largeNode {
                let leftSmaller = mid - t.lo <= t.hi - mid
                let small = leftSmaller ? buildHistogram(rows, t.lo, mid, features, off, histSize)
                                        : buildHistogram(rows, mid, t.hi, features, off, histSize)
                var large = hist
                for j in 0..<histSize { large[j] -= small[j] }
                if leftSmaller { leftHist = small; rightHist = large } else { leftHist = large; rightHist = small }
            }
            stack.append(Task(lo: mid, hi: t.hi, level: t.level + 1, stats: choice.right, impurity: choice.rightImpurity, leaf: rightLeaf,
                              parent: index, isLeft: false, hist: rightHist))
            stack.append(Task(lo: t.lo, hi: mid, level: t.level + 1, stats: choice.left, impurity: choice.leftImpurity, leaf: leftLeaf,
                              parent: index, isLeft: true, hist: leftHist))
        }
        return DecisionTree(nodes: nodes).pruned()
    }

    /// A leaf with the calculator `s` (stats then raw count).
    func makeLeaf(_ s: [Double], impurity: Double) -> TreeNode {
        let k = strategy.statsSize
        let stats = Array(s[0..<k])
        let prediction: Double
        let weight: Double
        if strategy.numClasses > 0 {
            var best = 0
            for c in 1..<max(1, k) where stats[c] > stats[best] { best = c }
            prediction = Double(best)
            weight = stats.reduce(0, +)
        } else {
            prediction = stats[0] == 0 ? 0 : stats[1] / stats[0]
            weight = stats[0]
        }
        return TreeNode(prediction: prediction, impurity: impurity, gain: -1, stats: stats, rawCount: Int(s[k]), weight: weight)
    }

    /// `numFeaturesPerNode` distinct features, sorted.
    mutating func sampleFeatures(_ d: Int) -> [Int] {
        var all = Array(0..<d)
        let m = strategy.numFeaturesPerNode
        for i in 0..<m {
            let j = i + Int(rng.next() % UInt64(d - i))
            all.swapAt(i, j)
        }
        return all[0..<m].sorted()
    }

    /// Stable partition of `rows[lo..<hi]`: rows whose bin of `feature` goes left first.
    func partition(_ rows: inout [Int32], _ scratch: inout [Int32], _ lo: Int, _ hi: Int, _ feature: Int, _ leftBins: [Bool]) -> Int {
        let d = data.numFeatures
        var l = lo, r = 0
        let wide = data.wide
        rows.withUnsafeMutableBufferPointer { rp in
            scratch.withUnsafeMutableBufferPointer { sp in
                leftBins.withUnsafeBufferPointer { lb in
                    data.bins8.withUnsafeBufferPointer { b8 in
                        data.bins16.withUnsafeBufferPointer { b16 in
                            for p in lo..<hi {
                                let i = Int(rp[p])
                                let b = wide ? Int(b16[i * d + feature]) : Int(b8[i * d + feature])
                                if lb[b] { rp[l] = rp[p]; l += 1 } else { sp[r] = rp[p]; r += 1 }
                            }
                            for q in 0..<r { rp[l + q] = sp[q] }
                        }
                    }
                }
            }
        }
        return l
    }

    /// The histogram of `rows[lo..<hi]` over `features` (over row ranges in parallel for large nodes).
    func buildHistogram(_ rows: [Int32], _ lo: Int, _ hi: Int, _ features: [Int], _ off: [Int], _ size: Int) -> [Double] {
        if strategy.parallelRows && hi - lo >= TreeGrower.largeNode {
            let parts = Parallel.mapRanges(hi - lo) { r in
                self.histogramRange(rows, lo + r.lowerBound, lo + r.upperBound, features, off, size)
            }
            var h = parts[0]
            for p in parts.dropFirst() { for j in 0..<size { h[j] += p[j] } }
            return h
        }
        return histogramRange(rows, lo, hi, features, off, size)
    }

    func histogramRange(_ rows: [Int32], _ lo: Int, _ hi: Int, _ features: [Int], _ off: [Int], _ size: Int) -> [Double] {
        var h = [Double](repeating: 0, count: size)
        if data.wide {
            data.bins16.withUnsafeBufferPointer { b in accumulate(&h, b, rows, lo, hi, features, off) }
        } else {
            data.bins8.withUnsafeBufferPointer { b in accumulate(&h, b, rows, lo, hi, features, off) }
        }
        return h
    }

    @inline(__always)
    func accumulate<B: FixedWidthInteger>(_ h: inout [Double], _ bins: UnsafeBufferPointer<B>, _ rows: [Int32], _ lo: Int, _ hi: Int,
                                          _ features: [Int], _ off: [Int]) {
        let d = data.numFeatures, ss = self.ss, k = strategy.statsSize
        let total = off[d]
        h.withUnsafeMutableBufferPointer { hp in
            rows.withUnsafeBufferPointer { rp in
                features.withUnsafeBufferPointer { fp in
                    off.withUnsafeBufferPointer { op in
                        rowWeights.withUnsafeBufferPointer { wp in
                            let nf = fp.count
                            if strategy.numClasses > 0 {
                                classes.withUnsafeBufferPointer { cp in
                                    for p in lo..<hi {
                                        let i = Int(rp[p])
                                        let w = wp[i], c = Int(cp[i])
                                        let cnt = counts.map { Double($0[i]) } ?? 1.0
                                        let rowBase = i * d
                                        for q in 0..<nf {
                                            let f = fp[q]
                                            let o = op[f] + Int(bins[rowBase + f]) * ss
                                            hp[o + c] += w
                                            hp[o + k] += cnt
                                        }
                                        hp[total + c] += w
                                        hp[total + k] += cnt
                                    }
                                }
                            } else {
                                labels.withUnsafeBufferPointer { lp in
                                    for p in lo..<hi {
                                        let i = Int(rp[p])
                                        let w = wp[i], y = lp[i]
                                        let wy = w * y, wyy = w * y * y
                                        let cnt = counts.map { Double($0[i]) } ?? 1.0
                                        let rowBase = i * d
                                        for q in 0..<nf {
                                            let f = fp[q]
                                            let o = op[f] + Int(bins[rowBase + f]) * ss
                                            hp[o] += w
                                            hp[o + 1] += wy
                                            hp[o + 2] += wyy
                                            hp[o + 3] += cnt
                                        }
                                        hp[total] += w
                                        hp[total + 1] += wy
                                        hp[total + 2] += wyy
                                        hp[total + 3] += cnt
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
