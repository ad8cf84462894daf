import Foundation

/// One regression tree as XGBoost's `RegTree`: nodes numbered in expansion order, node 0 the
/// root; `left[i] < 0` marks a leaf. A split sends `x < threshold` left, a missing x to the
/// default side.
public struct XGBoostTree: Equatable {
    public var left: [Int32] = [-1]
    public var right: [Int32] = [-1]
    public var feature: [Int32] = [0]
    public var threshold: [Float] = [0]
    public var defaultLeft: [Bool] = [false]
    /// Leaf values (already times eta); 0 on split nodes.
    public var value: [Float] = [0]
    /// Loss change of a split (0 on leaves).
    public var gain: [Float] = [0]
    /// Sum of hessians of the node's rows.
    public var cover: [Float] = [0]

    public var count: Int { left.count }

    /// Turns leaf `i` into a split with two new leaves; returns their ids.
    mutating func expand(_ i: Int, feature f: Int, threshold t: Float, defaultLeft dl: Bool, leftValue: Float, rightValue: Float,
                         gain g: Float, leftCover: Float, rightCover: Float) -> (Int, Int) {
        let l = count, r = count + 1
        left[i] = Int32(l); right[i] = Int32(r); feature[i] = Int32(f); threshold[i] = t; defaultLeft[i] = dl; value[i] = 0; gain[i] = g
        for (v, c) in [(leftValue, leftCover), (rightValue, rightCover)] {
            left.append(-1); right.append(-1); feature.append(0); threshold.append(0); defaultLeft.append(false)
            value.append(v); gain.append(0); cover.append(c)
        }
        return (l, r)
    }

    /// Depth of each node.
    var depths: [Int] {
        var d = [Int](repeating: 0, count: count)
        for i in 0..<count where left[i] >= 0 {
            d[Int(left[i])] = d[i] + 1
            d[Int(right[i])] = d[i] + 1
        }
        return d
    }

    /// `get_dump(dump_format="json")` text of this tree (floats as `%.9g`, as XGBoost).
    func dumpJSON(withStats: Bool) -> String {
        let depth = depths
        func num(_ x: Float) -> String { String(format: "%.9g", Double(x)) }
        func node(_ i: Int, _ indent: Int) -> String {
            let pad = String(repeating: "  ", count: indent)
            if left[i] < 0 {
                return pad + "{ \"nodeid\": \(i), \"leaf\": \(num(value[i]))" + (withStats ? " , \"cover\": \(num(cover[i])) }" : " }")
            }
            let yes = Int(left[i]), no = Int(right[i])
            var s = pad + "{ \"nodeid\": \(i), \"depth\": \(depth[i]), \"split\": \"f\(feature[i])\", \"split_condition\": \(num(threshold[i])),"
            s += " \"yes\": \(yes), \"no\": \(no), \"missing\": \(defaultLeft[i] ? yes : no) ,"
            if withStats { s += " \"gain\": \(num(gain[i])), \"cover\": \(num(cover[i])),"}
            s += " \"children\": [\n" + node(yes, indent + 1) + ", \n" + node(no, indent + 1) + "\n" + pad + "]}"
            return s
        }
        return node(0, 1)
    }
}

/// A trained ensemble: trees in boosting order (round r, class c at `r × groups + c`), the
/// intercept margins, and the flattened node arrays inference walks.
public struct XGBoostBooster: Equatable {
    public var objective: String
    public var numFeatures: Int
    /// Margins per row (1, or num_class for multi:softprob).
    public var groups: Int
    public var baseMargins: [Float]
    public var trees: [XGBoostTree]
    /// Best round by the validation metric when early stopping ran, else nil.
    public var bestIteration: Int?

    /// Rounds used for prediction: up to the best one after early stopping (as xgboost.spark).
    var usedTrees: Int {
        if let b = bestIteration { return min(trees.count, (b + 1) * groups) }
        return trees.count
    }

    /// Flat node arrays of the used trees.
    struct Flat {
        var roots: [Int32] = []
        var feature: [Int32] = []
        var threshold: [Float] = []
        var left: [Int32] = []
        var right: [Int32] = []
        var defaultLeft: [UInt8] = []
        var value: [Float] = []
    }

    func flatten() -> Flat {
        var f = Flat()
        for t in trees.prefix(usedTrees) {
            let base = Int32(f.feature.count)
            f.roots.append(base)
            f.feature += t.feature
            f.threshold += t.threshold
            f.left += t.left.map { $0 < 0 ? -1 : $0 + base }
            f.right += t.right.map { $0 < 0 ? -1 : $0 + base }
            f.defaultLeft += t.defaultLeft.map { $0 ? 1 : 0 }
            f.value += t.value
        }
        return f
    }

    /// Margins of `rows` rows of `x` (row-major, NaN missing) into `out` (`rows × groups`),
    /// tree by tree over blocks of 64 rows.
    static func predictMargins(_ flat: Flat, groups k: Int, base: [Float], d: Int, x: UnsafePointer<Float>, rows: Int,
                               out: UnsafeMutablePointer<Float>) {
        for i in 0..<rows { for c in 0..<k { out[i * k + c] = base[c] } }
        flat.feature.withUnsafeBufferPointer { feat in
        flat.threshold.withUnsafeBufferPointer { thr in
        flat.left.withUnsafeBufferPointer { lft in
        flat.right.withUnsafeBufferPointer { rgt in
        flat.defaultLeft.withUnsafeBufferPointer { dl in
        flat.value.withUnsafeBufferPointer { val in
            var start = 0
            while start < rows {
                let end = min(rows, start + 64)
                for (t, root) in flat.roots.enumerated() {
                    let c = t % k
                    for i in start..<end {
                        let row = x + i * d
                        var n = Int(root)
                        while lft[n] >= 0 {
                            let v = row[Int(feat[n])]
                            let goLeft = v.isNaN ? dl[n] != 0 : v < thr[n]
                            n = Int(goLeft ? lft[n] : rgt[n])
                        }
                        out[i * k + c] += val[n]
                    }
                }
                start = end
            }
        }}}}}}
    }

    /// Margins of every row of `m`.
    func margins(_ m: XGBoostMatrix) -> [Float] {
        let flat = flatten(), k = groups, d = m.numFeatures, base = baseMargins
        var out = [Float](repeating: 0, count: m.count * k)
        out.withUnsafeMutableBufferPointer { o in
            m.x.withUnsafeBufferPointer { x in
                guard let ob = o.baseAddress, let xb = x.baseAddress else { return }
                _ = Parallel.mapRanges(m.count, parts: m.count >= 8192 ? ProcessInfo.processInfo.activeProcessorCount : 1) { r -> Int in
                    XGBoostBooster.predictMargins(flat, groups: k, base: base, d: d, x: xb + r.lowerBound * d, rows: r.count,
                                                  out: ob + r.lowerBound * k)
                    return 0
                }
            }
        }
        return out
    }

    /// XGBoost's `get_score(importance_type)` over the used trees: keys `f<index>` of features
    /// used in a split; weight (split count), gain/cover (averages), total_gain/total_cover.
    func featureScore(_ type: String) -> [String: Double]? {
        guard ["weight", "gain", "cover", "total_gain", "total_cover"].contains(type) else { return nil }
        var count: [Int: Int] = [:], gain: [Int: Double] = [:], cover: [Int: Double] = [:]
        for t in trees.prefix(usedTrees) {
            for i in 0..<t.count where t.left[i] >= 0 {
                let f = Int(t.feature[i])
                count[f, default: 0] += 1
                gain[f, default: 0] += Double(t.gain[i])
                cover[f, default: 0] += Double(t.cover[i])
            }
        }
        var out: [String: Double] = [:]
        for (f, c) in count {
            let v: Double
            switch type {
            case "weight": v = Double(c)
            case "gain": v = (gain[f] ?? 0) / Double(c)
            case "cover": v = (cover[f] ?? 0) / Double(c)
            case "total_gain": v = gain[f] ?? 0
            default: v = cover[f] ?? 0
            }
            out["f\(f)"] = Double(Float(v))
        }
        return out
    }
}
