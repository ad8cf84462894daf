import Foundation

/// Histogram cut points per feature, as XGBoost's `HistogramCuts`: feature `f` has bins
/// `ptrs[f]..<ptrs[f+1]`; bin `b` holds values `< values[b]` (and ≥ the previous cut); a
/// split at bin `b` sends values `< values[b]` left.
///
/// Built as XGBoost's in-memory `HostSketchContainer` does when the data fit its sketch
/// (fewer than about 2 × 8 × max_bin values a feature are summarized exactly): an exact
/// weighted summary of the distinct values (ranks in float), pruned by `WQSummary::SetPrune`
/// to min(count, 8·max_bin) then max_bin + 1 entries; cuts are the entries after the first
/// (at most max_bin − 1, increasing) plus `last + |last| + 1e-5`. Differences: for larger
/// columns XGBoost's streaming sketch is itself approximate (ε = 1 / (8·max_bin)) where this
/// summary stays exact, so cut points there can differ by a rank or so.
struct XGBoostCuts {
    var ptrs: [Int]
    var values: [Float]
    var mins: [Float]

    var totalBins: Int { values.count }
    func numBins(_ f: Int) -> Int { ptrs[f + 1] - ptrs[f] }

    /// A summary entry: value, rank bounds and weight, as `WQSummary::Entry`.
    struct Entry { var rmin: Float; var rmax: Float; var wmin: Float; var value: Float }

    static func prune(_ src: [Entry], _ maxsize: Int) -> [Entry] {
        if src.count <= maxsize { return src }
        let begin = src[0].rmax
        let range = src[src.count - 1].rmin - src[0].rmax
        let n = maxsize - 1
        var out: [Entry] = [src[0]]
        out.reserveCapacity(maxsize)
        var i = 1, lastidx = 0
        for k in 1..<max(n, 1) {
            let dx2 = 2 * ((Float(k) * range) / Float(n) + begin)
            while i < src.count - 1 && dx2 >= src[i + 1].rmax + src[i + 1].rmin { i += 1 }
            if i == src.count - 1 { break }
            if dx2 < (src[i].rmin + src[i].wmin) + (src[i + 1].rmax - src[i + 1].wmin) {
                if i != lastidx { out.append(src[i]); lastidx = i }
            } else {
                if i + 1 != lastidx { out.append(src[i + 1]); lastidx = i + 1 }
            }
        }
        if lastidx != src.count - 1 { out.append(src[src.count - 1]) }
        return out
    }

    /// Cuts for the columns of `m` (rows × d, NaN missing) with instance weights.
    static func build(_ m: XGBoostMatrix, maxBin: Int) -> XGBoostCuts {
        let d = m.numFeatures, n = m.count
        var perFeature = [([Float], Float)](repeating: ([], 0), count: d)
        let uniform = m.weights.allSatisfy { $0 == m.weights.first }
        let parts = Parallel.mapRanges(d, parts: min(d, ProcessInfo.processInfo.activeProcessorCount)) { range -> [([Float], Float)] in
            var res: [([Float], Float)] = []
            var sorter = FloatRadixSort(capacity: n, weighted: !uniform)
            let features = Array(range)
            // Columns in groups, gathered block by block so each row's line is read once a group.
            var group = 0
            while group < features.count {
                let members = Array(features[group..<min(features.count, group + 8)])
                group += members.count
                var columns = [[UInt32]](repeating: [], count: members.count)
                var colWeights = [[Float]](repeating: [], count: members.count)
                for j in 0..<members.count {
                    columns[j].reserveCapacity(n)
                    if !uniform { colWeights[j].reserveCapacity(n) }
                }
                m.x.withUnsafeBufferPointer { x in
                    for i in 0..<n {
                        for (j, f) in members.enumerated() {
                            let v = x[i * d + f]
                            if v.isNaN { continue }
                            columns[j].append(FloatRadixSort.key(v))
                            if !uniform { colWeights[j].append(m.weights[i]) }
                        }
                    }
                }
                for j in 0..<members.count {
                    sorter.sort(&columns[j], weights: &colWeights[j])
                    let keys = columns[j]
                    let unit = m.weights.first ?? 1
                    var summary: [Entry] = []
                    var sum: Float = 0
                    var k = 0
                    while k < keys.count {
                        let key = keys[k]
                        var w: Float = 0
                        while k < keys.count && keys[k] == key { w += uniform ? unit : colWeights[j][k]; k += 1 }
                        summary.append(Entry(rmin: sum, rmax: sum + w, wmin: w, value: FloatRadixSort.value(key)))
                        sum += w
                    }
                    res.append(Self.featureCuts(summary, count: keys.count, maxBin: maxBin))
                }
            }
            return res
        }
        var f = 0
        for p in parts { for e in p { perFeature[f] = e; f += 1 } }
        var ptrs = [0], values: [Float] = [], mins: [Float] = []
        for (c, mn) in perFeature {
            values.append(contentsOf: c)
            ptrs.append(values.count)
            mins.append(mn)
        }
        return XGBoostCuts(ptrs: ptrs, values: values, mins: mins)
    }

    /// One feature's cuts and minimum from the exact summary of its `count` values.
    static func featureCuts(_ summary: [Entry], count: Int, maxBin: Int) -> ([Float], Float) {
        var cuts: [Float] = []
        var minValue: Float = 0
        if !summary.isEmpty {
            let intermediate = min(count, maxBin * 8)
            let reduced = prune(summary, intermediate)
            let a = prune(reduced, min(intermediate, maxBin) + 1)
            let required = min(a.count, maxBin)
            if required > 1 {
                for i in 1..<required {
                    let c = a[i].value
                    if i == 1 || c > (cuts.last ?? -.infinity) { cuts.append(c) }
                }
            }
            minValue = a[0].value - (abs(a[0].value) + 1e-5)
            let cpt = a[a.count - 1].value
            cuts.append(cpt + (abs(cpt) + 1e-5))
        } else {
            minValue = -1e-5
            cuts.append(minValue + (abs(minValue) + 1e-5))
        }
        return (cuts, minValue)
    }

    /// The local bin of `v` in feature `f`: the number of cuts ≤ v, at most the last bin
    /// (XGBoost's `SearchBin`), by a branch-free binary search.
    @inline(__always)
    func bin(_ v: Float, _ f: Int) -> Int {
        values.withUnsafeBufferPointer { cut in
            let lo = ptrs[f], count = ptrs[f + 1] - lo
            if count <= 1 { return 0 }
            var base = lo, n = count
            while n > 1 {
                let half = n >> 1
                base = cut[base + half] <= v ? base + half : base
                n -= half
            }
            let upper = base + (cut[base] <= v ? 1 : 0) - lo
            return min(upper, count - 1)
        }
    }
}
