import Foundation

/// Spark's logistic loss over standardized instances (its `BinaryLogisticBlockAggregator` /
/// `MultinomialLogisticBlockAggregator` plus `L2Regularization`): the weighted mean log loss
/// plus ½·λ₂·Σβ² (on standardized coefficients, or on original-scale ones when
/// `standardization` is off). Coefficients are laid out class by class (`k·d + j`), then the
/// intercepts. With an intercept the features are virtually centered, as Spark does
/// (`fitWithMean`): margins use (xⱼ − μⱼ)/σⱼ, which leaves sparse rows sparse and converges
/// like Spark; `intercepts(of:)` maps the intercepts back. Computed in parallel row ranges;
/// no allocation per row.
struct LogisticLoss {
    /// The raw features: the loss divides by the std through the coefficients
    /// (`inverseStd`), as Spark does, so the data is never copied.
    let data: Instances
    /// 1/σⱼ per feature (0 where σⱼ = 0).
    let inverseStd: [Double]
    let numClasses: Int          // coefficient sets: 1 for binomial
    let multinomial: Bool
    let fitIntercept: Bool
    let weightSum: Double
    let l2: Double
    /// 1/std² per feature when the penalty is on original-scale coefficients, else nil.
    let l2Scale: [Double]?
    /// μⱼ/σⱼ (0 where σⱼ = 0) when fitting an intercept, else nil.
    let scaledMean: [Double]?

    var numFeatures: Int { data.numFeatures }
    var size: Int { numClasses * numFeatures + (fitIntercept ? numClasses : 0) }

    /// The intercepts of uncentered features for a solution `x`.
    func intercepts(of x: [Double]) -> [Double] {
        let d = numFeatures, k = numClasses
        guard fitIntercept else { return [Double](repeating: 0, count: k) }
        return (0..<k).map { c in
            var b = x[k * d + c]
            if let mu = scaledMean { for j in 0..<d { b -= x[c * d + j] * mu[j] } }
            return b
        }
    }

    func evaluate(_ x: [Double], _ grad: inout [Double]) -> Double {
        let d = numFeatures, k = numClasses
        // Centering: the intercepts the row loops see absorb −Σβⱼμⱼ/σⱼ.
        var coef = x
        if fitIntercept, scaledMean != nil {
            let b = intercepts(of: x)
            for c in 0..<k { coef[k * d + c] = b[c] }
        }
        // Coefficients of the raw features: βⱼ/σⱼ.
        for c in 0..<k {
            for j in 0..<d { coef[c * d + j] *= inverseStd[j] }
        }
        let parts = data.mapRanges { range -> (Double, [Double]) in
            var g = [Double](repeating: 0, count: size)
            var loss = 0.0
            coef.withUnsafeBufferPointer { c in
                g.withUnsafeMutableBufferPointer { gv in
                    if multinomial {
                        loss = multinomialRange(range, c, gv, d, k)
                    } else {
                        loss = binomialRange(range, c, gv, d)
                    }
                }
            }
            return (loss, g)
        }
        var loss = 0.0
        for (l, g) in parts { loss += l; BLAS.axpy(1, g, &grad) }
        // Back to the gradient over standardized coefficients.
        for c in 0..<k {
            for j in 0..<d { grad[c * d + j] *= inverseStd[j] }
        }
        if fitIntercept, let mu = scaledMean {
            for c in 0..<k {
                let sum = grad[k * d + c]
                for j in 0..<d { grad[c * d + j] -= mu[j] * sum }
            }
        }
        let inv = 1 / weightSum
        loss *= inv
        BLAS.scal(inv, &grad)
        return loss + L2Regularization.apply(l2, scale: l2Scale, coefficients: x, sets: k, numFeatures: d, grad: &grad)
    }

    private func binomialRange(_ range: Range<Int>, _ c: UnsafeBufferPointer<Double>, _ g: UnsafeMutableBufferPointer<Double>, _ d: Int) -> Double {
        var loss = 0.0
        let b0 = fitIntercept ? c[d] : 0
        data.withBuffers { b in
            let y = b.labels, w = b.weights
            if b.isDense {
                guard let xb = b.dense.baseAddress, let cb = c.baseAddress, let gb = g.baseAddress else { return }
                let cr = UnsafeRawPointer(cb), gr = UnsafeMutableRawPointer(gb)
                let wide = d & ~3
                for i in range {
                    let wi = w[i]
                    if wi == 0 { continue }
                    let row = xb + i * d
                    let xr = UnsafeRawPointer(row)
                    // margin = b0 + x·c, four lanes at a time.
                    var acc = SIMD4<Double>(repeating: 0)
                    var j = 0
                    while j < wide {
                        acc += xr.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self) * cr.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self)
                        j += 4
                    }
                    var margin = b0 + acc.sum()
                    while j < d { margin += row[j] * cb[j]; j += 1 }
                    let (l, p) = LogisticLoss.lossAndProbability(margin)
                    loss += wi * (l - y[i] * margin)
                    let mult = wi * (p - y[i])
                    let mv = SIMD4<Double>(repeating: mult)
                    j = 0
                    while j < wide {
                        let gv = gr.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self)
                        gr.storeBytes(of: gv + mv * xr.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self), toByteOffset: j * 8, as: SIMD4<Double>.self)
                        j += 4
                    }
                    while j < d { gb[j] += mult * row[j]; j += 1 }
                    if fitIntercept { gb[d] += mult }
                }
            } else {
                let ix = b.indices, vs = b.values, off = b.offsets
                for i in range {
                    let wi = w[i]
                    if wi == 0 { continue }
                    var margin = b0
                    for p in off[i]..<off[i + 1] { margin += vs[p] * c[Int(ix[p])] }
                    loss += wi * LogisticLoss.logLoss(margin, y[i])
                    let mult = wi * (LogisticLoss.sigmoid(margin) - y[i])
                    for p in off[i]..<off[i + 1] { g[Int(ix[p])] += mult * vs[p] }
                    if fitIntercept { g[d] += mult }
                }
            }
        }
        return loss
    }

    private func multinomialRange(_ range: Range<Int>, _ c: UnsafeBufferPointer<Double>, _ g: UnsafeMutableBufferPointer<Double>, _ d: Int, _ k: Int) -> Double {
        var loss = 0.0
        let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: k)
        defer { scratch.deallocate() }
        let ib = k * d
        data.withBuffers { b in
            let x = b.dense, ix = b.indices, vs = b.values, off = b.offsets
            for i in range {
                let wi = b.weights[i]
                if wi == 0 { continue }
                for cl in 0..<k { scratch[cl] = fitIntercept ? c[ib + cl] : 0 }
                if b.isDense {
                    let base = i * d
                    for cl in 0..<k {
                        var s = scratch[cl]
                        let cb = cl * d
                        for j in 0..<d { s += x[base + j] * c[cb + j] }
                        scratch[cl] = s
                    }
                } else {
                    for p in off[i]..<off[i + 1] {
                        let j = Int(ix[p]), v = vs[p]
                        for cl in 0..<k { scratch[cl] += v * c[cl * d + j] }
                    }
                }
                var mx = -Double.infinity
                for cl in 0..<k where scratch[cl] > mx { mx = scratch[cl] }
                var sum = 0.0
                let label = Int(b.labels[i])
                let labelMargin = scratch[label]
                for cl in 0..<k { let e = exp(scratch[cl] - mx); scratch[cl] = e; sum += e }
                loss += wi * (log(sum) + mx - labelMargin)
                for cl in 0..<k {
                    let mult = wi * (scratch[cl] / sum - (cl == label ? 1 : 0))
                    if b.isDense {
                        let base = i * d, cb = cl * d
                        for j in 0..<d { g[cb + j] += mult * x[base + j] }
                    } else {
                        for p in off[i]..<off[i + 1] { g[cl * d + Int(ix[p])] += mult * vs[p] }
                    }
                    if fitIntercept { g[ib + cl] += mult }
                }
            }
        }
        return loss
    }

    /// log(1 + e^m) and the sigmoid of m, from one exponential.
    @inline(__always)
    static func lossAndProbability(_ m: Double) -> (Double, Double) {
        let e = exp(-abs(m))
        // log1p(e) for e in (0, 1]: log(1 + e) is as accurate once e is not tiny, and faster.
        let l = max(m, 0) + (e > 1e-4 ? log(1 + e) : e * (1 - e * (0.5 - e / 3)))
        return (l, m >= 0 ? 1 / (1 + e) : e / (1 + e))
    }

    /// log(1 + e^m) − y·m, computed without overflow.
    @inline(__always)
    static func logLoss(_ m: Double, _ y: Double) -> Double {
        (m > 0 ? m + log1p(exp(-m)) : log1p(exp(m))) - y * m
    }

    @inline(__always)
    static func sigmoid(_ m: Double) -> Double {
        m >= 0 ? 1 / (1 + exp(-m)) : { let e = exp(m); return e / (1 + e) }()
    }
}
