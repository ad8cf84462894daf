import Foundation

/// Spark's least-squares objective for `LinearRegression` with L-BFGS/OWL-QN (its
/// `LeastSquaresBlockAggregator` + `L2Regularization`): with features divided by their std
/// σⱼ and the label by its std σ_y, ½·Σ w·(Σβⱼxⱼ/σⱼ − y/σ_y + offset)² / W + ½·λ₂·Σβ², where
/// offset = ȳ/σ_y − Σβⱼμⱼ/σⱼ when fitting an intercept (else 0).
struct LeastSquaresLoss {
    let data: Instances          // features divided by their std
    let scaledMean: [Double]     // μⱼ/σⱼ (0 where σⱼ = 0)
    let labelMean: Double
    let labelStd: Double
    let fitIntercept: Bool
    let weightSum: Double
    let l2: Double
    let l2Scale: [Double]?

    func evaluate(_ beta: [Double], _ grad: inout [Double]) -> Double {
        let d = data.numFeatures
        var offset = fitIntercept ? labelMean / labelStd : 0
        if fitIntercept { for j in 0..<d { offset -= beta[j] * scaledMean[j] } }
        let invYStd = 1 / labelStd
        let parts = data.mapRanges { range -> (Double, [Double], Double) in
            var g = [Double](repeating: 0, count: d)
            var loss = 0.0, multSum = 0.0
            beta.withUnsafeBufferPointer { c in
                g.withUnsafeMutableBufferPointer { gv in
                    data.withBuffers { b in
                        let x = b.dense, ix = b.indices, vs = b.values
                        for i in range {
                            let wi = b.weights[i]
                            if wi == 0 { continue }
                            var diff = offset - b.labels[i] * invYStd
                            if b.isDense {
                                let base = i * d
                                for j in 0..<d { diff += x[base + j] * c[j] }
                                let mult = wi * diff
                                for j in 0..<d { gv[j] += mult * x[base + j] }
                                multSum += mult
                            } else {
                                let s = b.offsets[i], e = b.offsets[i + 1]
                                for q in s..<e { diff += vs[q] * c[Int(ix[q])] }
                                let mult = wi * diff
                                for q in s..<e { gv[Int(ix[q])] += mult * vs[q] }
                                multSum += mult
                            }
                            loss += 0.5 * wi * diff * diff
                        }
                    }
                }
            }
            return (loss, g, multSum)
        }
        var loss = 0.0, multSum = 0.0
        for (l, g, m) in parts { loss += l; multSum += m; BLAS.axpy(1, g, &grad) }
        // The offset depends on β: ∂offset/∂βⱼ = −μⱼ/σⱼ.
        if fitIntercept { for j in 0..<d { grad[j] -= multSum * scaledMean[j] } }
        let inv = 1 / weightSum
        loss *= inv
        BLAS.scal(inv, &grad)
        return loss + L2Regularization.apply(l2, scale: l2Scale, coefficients: beta, sets: 1, numFeatures: d, grad: &grad)
    }
}
