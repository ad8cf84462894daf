import EmberCore
import Foundation

/// What `WeightedLeastSquares` produced (on the original scale).
struct WeightedLeastSquaresResult {
    let coefficients: [Double]
    let intercept: Double
    /// Diagonal of (AᵀWA)⁻¹ (coefficients, then the intercept); nil when no Cholesky
    /// inverse exists (quasi-Newton solve or a constant label).
    let diagInvAtWA: [Double]?
    let objectiveHistory: [Double]
}

/// Spark's `WeightedLeastSquares` (normal equation): one parallel pass gathers the weighted
/// means of a, b, a·b and the packed a·aᵀ; features are scaled by their population std and
/// the label by its population std; λ/σ_b·(1−α) goes on the diagonal; Cholesky solves it
/// (falling back to L-BFGS when the matrix is singular), or OWL-QN when α·λ ≠ 0.
struct WeightedLeastSquares {
    let fitIntercept: Bool
    let regParam: Double
    let elasticNetParam: Double
    let standardizeFeatures: Bool
    /// Whether λ applies to the label-standardized problem (divided by the label's std), as
    /// Spark's `standardizeLabel`; IRLS turns it off.
    var standardizeLabel = true
    let maxIter: Int
    let tol: Double
    let stage: String

    static let maxNumFeatures = 4096

    func fit(_ data: Instances) throws -> WeightedLeastSquaresResult {
        let k = data.numFeatures
        guard k <= WeightedLeastSquares.maxNumFeatures else {
            throw MLError.invalidParam(stage, "solver", "normal supports at most \(WeightedLeastSquares.maxNumFeatures) features but got \(k); use l-bfgs")
        }
        let triK = k * (k + 1) / 2
        struct Part { var w = 0.0, b = 0.0, bb = 0.0; var a: [Double]; var ab: [Double]; var aa: [Double] }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let parts = max(1, min(cores, (256 << 20) / max(1, triK * 8)))
        let sums = data.mapRanges(parts: parts) { range -> Part in
            var p = Part(a: [Double](repeating: 0, count: k), ab: [Double](repeating: 0, count: k), aa: [Double](repeating: 0, count: triK))
            p.a.withUnsafeMutableBufferPointer { a in
                p.ab.withUnsafeMutableBufferPointer { ab in
                    p.aa.withUnsafeMutableBufferPointer { aa in
                        data.withBuffers { bufs in
                            let ix = bufs.indices, vs = bufs.values
                            for i in range {
                                let w = bufs.weights[i], y = bufs.labels[i]
                                if w == 0 { continue }
                                p.w += w; p.b += w * y; p.bb += w * y * y
                                if bufs.isDense {
                                    let row = UnsafeBufferPointer(rebasing: bufs.dense[(i * k)..<(i * k + k)])
                                    for j in 0..<k { a[j] += w * row[j]; ab[j] += w * y * row[j] }
                                    BLAS.spr(w, row, aa)
                                } else {
                                    let s = bufs.offsets[i], e = bufs.offsets[i + 1]
                                    for q in s..<e { let j = Int(ix[q]); a[j] += w * vs[q]; ab[j] += w * y * vs[q] }
                                    BLAS.spr(w, indices: UnsafeBufferPointer(rebasing: ix[s..<e]), values: UnsafeBufferPointer(rebasing: vs[s..<e]), aa)
                                }
                            }
                        }
                    }
                }
            }
            return p
        }
        var wSum = 0.0, bSum = 0.0, bbSum = 0.0
        var aSum = [Double](repeating: 0, count: k), abSum = aSum, aaSum = [Double](repeating: 0, count: triK)
        for p in sums {
            wSum += p.w; bSum += p.b; bbSum += p.bb
            BLAS.axpy(1, p.a, &aSum); BLAS.axpy(1, p.ab, &abSum); BLAS.axpy(1, p.aa, &aaSum)
        }
        guard wSum > 0 else { throw MLError.invalidData(stage, "the sum of the instance weights is zero") }
        let rawBBar = bSum / wSum
        let rawBStd = max(bbSum / wSum - rawBBar * rawBBar, 0).squareRoot()
        let bStd = rawBStd == 0 ? abs(rawBBar) : rawBStd
        if rawBStd == 0 {
            if fitIntercept || rawBBar == 0 {
                return WeightedLeastSquaresResult(coefficients: [Double](repeating: 0, count: k), intercept: rawBBar, diagInvAtWA: nil, objectiveHistory: [0])
            }
            guard regParam == 0 else {
                throw MLError.invalidData(stage, "The standard deviation of the label is zero. Model cannot be regularized when labels are standardized.")
            }
        }
        let bBar = rawBBar / bStd
        let bbBar = bbSum / wSum / (bStd * bStd)
        var aBar = aSum.map { $0 / wSum }
        var aaBar = aaSum.map { $0 / wSum }
        var aStd = [Double](repeating: 0, count: k)
        for j in 0..<k { aStd[j] = max(aaBar[j * (j + 1) / 2 + j] - aBar[j] * aBar[j], 0).squareRoot() }
        var abBar = abSum.map { $0 / wSum }
        for j in 0..<k {
            if aStd[j] == 0 { aBar[j] = 0; abBar[j] = 0 } else { aBar[j] /= aStd[j]; abBar[j] /= aStd[j] * bStd }
        }
        var pos = 0
        for j in 0..<k {
            for i in 0...j {
                aaBar[pos] = aStd[i] == 0 || aStd[j] == 0 ? 0 : aaBar[pos] / (aStd[i] * aStd[j])
                pos += 1
            }
        }
        let effReg = standardizeLabel ? regParam / bStd : regParam
        let effL1 = elasticNetParam * effReg, effL2 = (1 - elasticNetParam) * effReg
        for j in 0..<k {
            var lambda = effL2
            if !standardizeFeatures { lambda = aStd[j] != 0 ? lambda / (aStd[j] * aStd[j]) : 0 }
            aaBar[j * (j + 1) / 2 + j] += lambda
        }
        let n = fitIntercept ? k + 1 : k
        let aa = fitIntercept ? aaBar + aBar + [1.0] : aaBar
        let ab = fitIntercept ? abBar + [bBar] : abBar

        var solution: [Double]
        var history: [Double] = [0]
        var aaInv: DenseMatrix? = nil
        let quasiNewton = elasticNetParam != 0 && regParam != 0
        if !quasiNewton, let chol = try? Cholesky(packedUpper: aa, n: n) {
            solution = chol.solve(ab)
            aaInv = chol.inverse()
        } else {
            let l1: ((Int) -> Double)? = effL1 == 0 ? nil : { i in
                if fitIntercept && i == k { return 0 }
                return standardizeFeatures ? effL1 : (aStd[i] != 0 ? effL1 / aStd[i] : 0)
            }
            let full = BLAS.unpackUpper(aa, n: n)
            let fitB = fitIntercept
            let cost: DiffFunction = { x, g in
                var c = x
                if fitB {
                    var b = bBar
                    for j in 0..<k { b -= c[j] * aBar[j] }
                    c[k] = b
                }
                var aax = [Double](repeating: 0, count: n)
                BLAS.gemv(1, full, c, 0, &aax)
                let loss = 0.5 * bbBar - BLAS.dot(ab, c) + 0.5 * BLAS.dot(c, aax)
                for i in 0..<n { g[i] = aax[i] - ab[i] }
                return loss
            }
            var x0 = [Double](repeating: 0, count: n)
            if fitIntercept { x0[k] = bBar }
            let r = try LBFGS(maxIter: maxIter, m: 10, tol: tol, l1: l1).minimize(cost, x0)
            solution = r.x
            if fitIntercept {
                var b = bBar
                for j in 0..<k { b -= solution[j] * aBar[j] }
                solution[k] = b
            }
            history = r.objectiveHistory
        }
        var coefficients = Array(solution[0..<k])
        let intercept = fitIntercept ? solution[k] * bStd : 0
        for j in 0..<k { coefficients[j] *= aStd[j] != 0 ? bStd / aStd[j] : 0 }
        let diag = aaInv.map { inv in
            (0..<n).map { i in inv[i, i] / (wSum * (fitIntercept && i == k ? 1 : aStd[i] * aStd[i])) }
        }
        return WeightedLeastSquaresResult(coefficients: coefficients, intercept: intercept, diagInvAtWA: diag, objectiveHistory: history)
    }
}
