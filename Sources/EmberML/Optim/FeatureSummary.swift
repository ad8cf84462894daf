import Foundation

/// Weighted column statistics of training instances, as Spark's `Summarizer` computes them
/// (weighted mean; unbiased weighted variance with denominator W − Σw²/W), plus the label's.
public struct FeatureSummary {
    public let count: Int
    public let weightSum: Double
    public let weightSquareSum: Double
    public let mean: [Double]
    /// Unbiased weighted variance (Spark's `variance`).
    public let variance: [Double]
    public let labelMean: Double
    public let labelVariance: Double

    public var std: [Double] { variance.map { $0.squareRoot() } }
    public var labelStd: Double { labelVariance.squareRoot() }

    /// One parallel pass over `data`: per-range sums, then combined.
    public init(_ data: Instances) {
        let d = data.numFeatures
        struct Part { var w = 0.0, ww = 0.0, wy = 0.0, wyy = 0.0; var wx: [Double]; var wxx: [Double] }
        let parts = data.mapRanges { range -> Part in
            var p = Part(wx: [Double](repeating: 0, count: d), wxx: [Double](repeating: 0, count: d))
            data.weights.withUnsafeBufferPointer { wv in
                data.labels.withUnsafeBufferPointer { yv in
                    p.wx.withUnsafeMutableBufferPointer { sx in
                        p.wxx.withUnsafeMutableBufferPointer { sxx in
                            for i in range {
                                let w = wv[i]
                                p.w += w; p.ww += w * w
                                if yv.count > i { p.wy += w * yv[i]; p.wyy += w * yv[i] * yv[i] }
                                if w == 0 { continue }
                                data.forEachActiveFast(i) { j, x in sx[j] += w * x; sxx[j] += w * x * x }
                            }
                        }
                    }
                }
            }
            return p
        }
        var w = 0.0, ww = 0.0, wy = 0.0, wyy = 0.0
        var wx = [Double](repeating: 0, count: d), wxx = [Double](repeating: 0, count: d)
        for p in parts {
            w += p.w; ww += p.ww; wy += p.wy; wyy += p.wyy
            BLAS.axpy(1, p.wx, &wx); BLAS.axpy(1, p.wxx, &wxx)
        }
        count = data.count
        weightSum = w
        weightSquareSum = ww
        let denom = w > 0 ? w - ww / w : 0
        mean = wx.map { w > 0 ? $0 / w : 0 }
        variance = (0..<d).map { j in denom > 0 ? Swift.max((wxx[j] - w * (wx[j] / w) * (wx[j] / w)) / denom, 0) : 0 }
        labelMean = w > 0 ? wy / w : 0
        labelVariance = denom > 0 ? Swift.max((wyy - w * (wy / w) * (wy / w)) / denom, 0) : 0
    }
}

extension Instances {
    /// Calls `body(index, value)` for each stored entry of row `i`, over unsafe buffers.
    @inlinable
    func forEachActiveFast(_ i: Int, _ body: (Int, Double) -> Void) {
        if let m = dense {
            let d = numFeatures
            m.withUnsafeBufferPointer { mv in
                let base = i * d
                for j in 0..<d { body(j, mv[base + j]) }
            }
        } else {
            indices.withUnsafeBufferPointer { ix in
                values.withUnsafeBufferPointer { vs in
                    for k in offsets[i]..<offsets[i + 1] { body(Int(ix[k]), vs[k]) }
                }
            }
        }
    }

    /// Checks that every sparse index lies in 0..<numFeatures (a malformed file could say
    /// otherwise), so the training loops may index without checks.
    public func checkIndices(stage: String) throws {
        guard dense == nil else { return }
        let d = Int32(clamping: numFeatures)
        for (k, j) in indices.enumerated() where j < 0 || j >= d {
            let row = offsets.firstIndex { $0 > k }.map { $0 - 1 } ?? count - 1
            throw MLError.invalidData(stage, "sparse feature index \(j) of row \(row) is out of range for vectors of size \(numFeatures)")
        }
    }

    /// The rows with feature j multiplied by `scale[j]` (Spark trains on features divided by
    /// their standard deviation; a feature of zero deviation becomes 0).
    public func scaled(_ scale: [Double]) -> Instances {
        var out = self
        if let m = dense {
            let d = numFeatures
            var s = m
            s.withUnsafeMutableBufferPointer { sv in
                scale.withUnsafeBufferPointer { c in
                    for i in 0..<count { let base = i * d; for j in 0..<d { sv[base + j] *= c[j] } }
                }
            }
            out.dense = s
        } else {
            var v = values
            v.withUnsafeMutableBufferPointer { vv in
                indices.withUnsafeBufferPointer { ix in
                    scale.withUnsafeBufferPointer { c in for k in 0..<vv.count { vv[k] *= c[Int(ix[k])] } }
                }
            }
            out.values = v
        }
        return out
    }
}
