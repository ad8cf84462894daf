import Foundation

/// What IRLS produced.
struct GLMFitResult {
    let coefficients: [Double]
    let intercept: Double
    /// Diagonal of (AᵀWA)⁻¹ of the last weighted least squares (coefficients, then the
    /// intercept); nil when that solve was not by Cholesky.
    let diagInvAtWA: [Double]?
    let numIterations: Int
}

/// Spark's `IterativelyReweightedLeastSquares` for a family and link: start from the
/// weighted least squares fit of link(initialize(y)) − offset (standardized, as Spark's
/// `FamilyAndLink.initialize`), then repeatedly solve the unstandardized weighted least
/// squares of the working response z = η − offset + (y − μ)·g′(μ) with weights
/// w / (g′(μ)²·V(μ)) until no coefficient or the intercept moves by `tol` or more.
struct IterativelyReweightedLeastSquares {
    let family: GLMFamily
    let link: GLMLink
    let fitIntercept: Bool
    let regParam: Double
    let maxIter: Int
    let tol: Double
    let stage: String

    /// `data` carries the labels and weights; `offsets` one value per row (empty: zeros).
    func fit(_ data: Instances, offsets: [Double]) throws -> GLMFitResult {
        let n = data.count
        var start = data
        var eta0 = [Double](repeating: 0, count: n)
        for i in 0..<n {
            switch family.initialize(data.labels[i], data.weights[i]) {
            case .success(let mu): eta0[i] = link.link(mu) - (offsets.isEmpty ? 0 : offsets[i])
            case .failure(let e): throw MLError.invalidData(stage, "\(e.message) (row \(i))")
            }
        }
        start.labels = eta0
        var model = try WeightedLeastSquares(fitIntercept: fitIntercept, regParam: regParam, elasticNetParam: 0, standardizeFeatures: true,
                                             maxIter: 100, tol: 1e-6, stage: stage).fit(start)
        var iter = 0
        var converged = false
        var working = data
        while iter < maxIter && !converged {
            let (z, w) = reweight(data, offsets, model.coefficients, model.intercept)
            working.labels = z
            working.weights = w
            let next = try solveUnstandardized(working)
            var maxTol = abs(model.intercept - next.intercept)
            for j in 0..<next.coefficients.count { maxTol = max(maxTol, abs(model.coefficients[j] - next.coefficients[j])) }
            guard next.coefficients.allSatisfy(\.isFinite), next.intercept.isFinite else {
                throw MLError.invalidData(stage, "IRLS diverged at iteration \(iter + 1) (non-finite coefficients)")
            }
            model = next
            converged = maxTol < tol
            iter += 1
        }
        return GLMFitResult(coefficients: model.coefficients, intercept: model.intercept, diagInvAtWA: model.diagInvAtWA, numIterations: iter)
    }

    /// Weighted least squares without feature or label standardization of the penalty
    /// (Spark's `standardizeFeatures = false, standardizeLabel = false`).
    func solveUnstandardized(_ data: Instances) throws -> WeightedLeastSquaresResult {
        try WeightedLeastSquares(fitIntercept: fitIntercept, regParam: regParam, elasticNetParam: 0, standardizeFeatures: false,
                                 standardizeLabel: false, maxIter: 100, tol: 1e-6, stage: stage).fit(data)
    }

    /// The working response and weights for the current coefficients, in parallel ranges.
    func reweight(_ data: Instances, _ offsets: [Double], _ beta: [Double], _ b: Double) -> ([Double], [Double]) {
        let n = data.count, d = data.numFeatures
        var z = [Double](repeating: 0, count: n), w = [Double](repeating: 0, count: n)
        let family = self.family, link = self.link
        z.withUnsafeMutableBufferPointer { zp in
            w.withUnsafeMutableBufferPointer { wp in
                let zb = zp, wb = wp
                _ = data.mapRanges { range -> Int in
                    let dense = data.dense
                    for i in range {
                        var eta = b + (offsets.isEmpty ? 0 : offsets[i])
                        if let m = dense {
                            let base = i * d
                            for j in 0..<d { eta += m[base + j] * beta[j] }
                        } else {
                            for k in data.offsets[i]..<data.offsets[i + 1] { eta += data.values[k] * beta[Int(data.indices[k])] }
                        }
                        let mu = family.project(link.unlink(eta))
                        let g = link.deriv(mu)
                        zb[i] = eta - (offsets.isEmpty ? 0 : offsets[i]) + (data.labels[i] - mu) * g
                        wb[i] = data.weights[i] / (g * g * family.variance(mu))
                    }
                    return 0
                }
            }
        }
        return (z, w)
    }
}
