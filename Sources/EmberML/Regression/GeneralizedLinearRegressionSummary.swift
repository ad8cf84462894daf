import EmberCore
import Foundation

/// The training summary of a generalized linear regression (Spark's
/// `GeneralizedLinearRegressionTrainingSummary`), computed from the training rows at fit time.
/// Standard errors, t- and p-values are ordered as the coefficients, then the intercept.
public struct GeneralizedLinearRegressionTrainingSummary {
    /// Rows in the training data (weighted or not).
    public let numInstances: Int
    /// Coefficients plus the intercept when one is fitted.
    public let rank: Int
    /// numInstances − rank (Spark's `degreesOfFreedom`).
    public let degreesOfFreedom: Int
    public let residualDegreeOfFreedom: Int
    /// numInstances − 1 with an intercept, else numInstances.
    public let residualDegreeOfFreedomNull: Int
    public let deviance: Double
    public let nullDeviance: Double
    /// 1 for binomial and poisson; else Σ w(y − μ)²/V(μ) / degreesOfFreedom.
    public let dispersion: Double
    /// Akaike's information criterion; nil for the tweedie family (Spark throws).
    public let aic: Double?
    public let numIterations: Int
    public let solver = "irls"
    let diagInvAtWA: [Double]?
    let estimates: [Double]
    let useNormal: Bool

    init(model: GeneralizedLinearRegressionModel, data: Instances, offsets: [Double], family: GLMFamily, link: GLMLink,
         diagInvAtWA: [Double]?, numIterations: Int, regParam: Double, maxIter: Int, tol: Double) throws {
        let n = data.count, d = data.numFeatures
        let beta = model.coefficientValues, b = model.intercept
        let fitB = model.get(model.fitIntercept) ?? true
        // μ for every row, in parallel ranges.
        var mu = [Double](repeating: 0, count: n)
        mu.withUnsafeMutableBufferPointer { out in
            let o = out
            _ = data.mapRanges { range -> Int in
                let dense = data.dense
                for i in range {
                    var eta = b + (offsets.isEmpty ? 0 : offsets[i])
                    if let m = dense {
                        for j in 0..<d { eta += m[i * d + j] * beta[j] }
                    } else {
                        for k in data.offsets[i]..<data.offsets[i + 1] { eta += data.values[k] * beta[Int(data.indices[k])] }
                    }
                    o[i] = family.project(link.unlink(eta))
                }
                return 0
            }
        }
        let y = data.labels, w = data.weights
        var dev = 0.0, rss = 0.0, wSum = 0.0, wy = 0.0, wyo = 0.0
        for i in 0..<n {
            dev += family.deviance(y[i], mu[i], w[i])
            rss += (y[i] - mu[i]) * (y[i] - mu[i]) * w[i] / family.variance(mu[i])
            wSum += w[i]; wy += w[i] * y[i]
            wyo += w[i] * (y[i] - (offsets.isEmpty ? 0 : offsets[i]))
        }
        numInstances = n
        rank = d + (fitB ? 1 : 0)
        degreesOfFreedom = n - rank
        residualDegreeOfFreedom = n - rank
        residualDegreeOfFreedomNull = fitB ? n - 1 : n
        deviance = dev
        dispersion = family == .binomial || family == .poisson ? 1 : rss / Double(n - rank)
        // The null model: an intercept (analytic without offsets or for gaussian/identity,
        // else fitted by IRLS on no features), or η = offset.
        var nullIntercept = 0.0
        if fitB {
            if offsets.isEmpty || (family == .gaussian && link == .identity) {
                nullIntercept = link.link(wyo / wSum)
            } else {
                let empty = Instances(count: n, numFeatures: 0, dense: [Double](), offsets: [0], indices: [], values: [], labels: y, weights: w)
                nullIntercept = try GeneralizedLinearRegression.train(empty, offsets: offsets, family: family, link: link, fitIntercept: true,
                                                                      regParam: regParam, maxIter: maxIter, tol: tol, stage: model.uid).intercept
            }
        }
        var nullDev = 0.0
        for i in 0..<n { nullDev += family.deviance(y[i], link.unlink(nullIntercept + (offsets.isEmpty ? 0 : offsets[i])), w[i]) }
        nullDeviance = nullDev
        let r = Double(d + (fitB ? 1 : 0))
        aic = family.aic(y, mu, w, deviance: dev, numInstances: Double(n), weightSum: wSum).map { $0 + 2 * r }
        self.numIterations = numIterations
        self.diagInvAtWA = diagInvAtWA
        estimates = fitB ? beta + [b] : beta
        useNormal = family == .binomial || family == .poisson
    }

    private func diag() throws -> [Double] {
        guard let d = diagInvAtWA else {
            throw EmberError.unsupported("No Std. Error of coefficients available for this GeneralizedLinearRegressionModel")
        }
        return d
    }

    /// Standard errors of the coefficients (then the intercept).
    public var coefficientStandardErrors: [Double] {
        get throws { try diag().map { ($0 * dispersion).squareRoot() } }
    }

    /// Estimates divided by their standard errors.
    public var tValues: [Double] {
        get throws { zip(estimates, try coefficientStandardErrors).map { $0 / $1 } }
    }

    /// Two-sided p-values: normal for binomial and poisson, Student's t with
    /// `degreesOfFreedom` otherwise (computed as Spark, 2·(1 − F(|t|))).
    public var pValues: [Double] {
        get throws {
            let df = Double(degreesOfFreedom)
            return try tValues.map { t in
                useNormal ? 2 * (1 - Normal.cdf(abs(t))) : 2 * (1 - Distributions.studentTCdf(abs(t), df: df))
            }
        }
    }
}
