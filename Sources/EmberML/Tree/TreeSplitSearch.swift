import Foundation

extension TreeGrower {
    /// Spark's `binsToBestSplit`: over the node's features in order, every candidate split is
    /// scored by `calculateImpurityStats`; the first one of largest gain wins.
    func bestSplit(_ hist: [Double], _ features: [Int], _ off: [Int], parentStats: [Double]?, parentImpurity: Double, level: Int) -> SplitChoice {
        let ss = self.ss, k = strategy.statsSize, imp = strategy.impurity
        let classification = strategy.numClasses > 0
        let d = data.numFeatures
        let total = Array(hist[off[d]..<(off[d] + ss)])
        var parent = parentStats
        var parentImp = parentImpurity
        var best = SplitChoice(gain: -Double.greatestFiniteMagnitude, impurity: 0, parent: [], left: [], right: [], leftImpurity: 0,
                               rightImpurity: 0, split: nil, leftBins: [], feature: -1)
        var haveBest = false
        var left = [Double](repeating: 0, count: ss), right = [Double](repeating: 0, count: ss)

        func weight(_ s: [Double]) -> Double {
            if classification { var t = 0.0; for c in 0..<k { t += s[c] }; return t }
            return s[0]
        }
        func calc(_ s: [Double]) -> Double { s.withUnsafeBufferPointer { imp.calculate($0.baseAddress!, k) } }

        /// Scores `left`/`right` (Spark's `calculateImpurityStats`); keeps the first best.
        func consider(_ makeSplit: () -> (TreeSplit, [Bool], Int)) {
            if parent == nil {
                var p = left
                for j in 0..<ss { p[j] += right[j] }
                parent = p
                parentImp = calc(p)
            }
            let p = parent ?? total
            let leftCount = weight(left), rightCount = weight(right)
            let totalCount = leftCount + rightCount
            var gain = -Double.greatestFiniteMagnitude
            var li = 0.0, ri = 0.0
            var valid = false
            if !(left[k] < Double(strategy.minInstancesPerNode) || right[k] < Double(strategy.minInstancesPerNode)
                 || leftCount < strategy.minWeightPerNode || rightCount < strategy.minWeightPerNode) {
                li = calc(left)
                ri = calc(right)
                let g = parentImp - (leftCount / totalCount) * li - (rightCount / totalCount) * ri
                if !(g < strategy.minInfoGain) { gain = g; valid = true }
            }
            if !haveBest || gain > best.gain {
                let (s, lb, f) = makeSplit()
                best = SplitChoice(gain: gain, impurity: parentImp, parent: p, left: valid ? left : [], right: valid ? right : [],
                                   leftImpurity: li, rightImpurity: ri, split: s, leftBins: lb, feature: f)
                haveBest = true
            }
        }

        for f in features where data.numSplits[f] > 0 {
            let nb = data.numBins[f], base = off[f]
            let numSplits = data.numSplits[f]
            if data.arity[f] == 0 {
                var cum = Array(hist[base..<(base + nb * ss)])
                for b in 1..<nb { for j in 0..<ss { cum[b * ss + j] += cum[(b - 1) * ss + j] } }
                let last = numSplits * ss
                for s in 0..<numSplits {
                    for j in 0..<ss { left[j] = cum[s * ss + j]; right[j] = cum[last + j] - left[j] }
                    consider {
                        (.continuous(feature: f, threshold: data.thresholds[f][s]), (0..<nb).map { $0 <= s }, f)
                    }
                }
            } else if data.unordered[f] {
                for s in 0..<numSplits {
                    let mask = s + 1
                    for j in 0..<ss { left[j] = 0 }
                    for c in 0..<nb where mask & (1 << c) != 0 { for j in 0..<ss { left[j] += hist[base + c * ss + j] } }
                    for j in 0..<ss { right[j] = total[j] - left[j] }
                    consider {
                        let cats = (0..<nb).filter { mask & (1 << $0) != 0 }
                        return (.categorical(feature: f, leftCategories: cats.map(Double.init), numCategories: nb),
                                (0..<nb).map { mask & (1 << $0) != 0 }, f)
                    }
                }
            } else {
                // Ordered categorical: categories sorted by centroid (Spark's rule per task).
                var centroids = [(Int, Double)]()
                for c in 0..<nb {
                    let s = Array(hist[(base + c * ss)..<(base + (c + 1) * ss)])
                    let w = weight(s)
                    let centroid: Double
                    if w != 0 {
                        if strategy.numClasses > 2 { centroid = calc(s) } else if classification { centroid = s[1] } else { centroid = s[1] / s[0] }
                    } else {
                        centroid = Double.greatestFiniteMagnitude
                    }
                    centroids.append((c, centroid))
                }
                let order = centroids.enumerated().sorted { ($0.element.1, $0.offset) < ($1.element.1, $1.offset) }.map { $0.element.0 }
                var cum = [Double](repeating: 0, count: nb * ss)
                for (r, c) in order.enumerated() {
                    for j in 0..<ss { cum[r * ss + j] = hist[base + c * ss + j] + (r > 0 ? cum[(r - 1) * ss + j] : 0) }
                }
                let last = (nb - 1) * ss
                for s in 0..<numSplits {
                    for j in 0..<ss { left[j] = cum[s * ss + j]; right[j] = cum[last + j] - left[j] }
                    consider {
                        let cats = Array(order[0...s])
                        var lb = [Bool](repeating: false, count: nb)
                        for c in cats { lb[c] = true }
                        return (.categorical(feature: f, leftCategories: cats.sorted().map(Double.init), numCategories: nb), lb, f)
                    }
                }
            }
        }
        if !haveBest {
            best.parent = total
            best.impurity = calc(total)
        }
        return best
    }
}
