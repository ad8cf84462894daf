import EmberCore
import Foundation

/// The training summary of a `LinearRegressionModel` (Spark's
/// `LinearRegressionTrainingSummary`): weighted regression metrics on the training rows
/// (Spark's `RegressionMetrics`), the objective history, and for the normal solver the
/// coefficient standard errors, t-values and p-values (intercept last).
public struct LinearRegressionTrainingSummary {
    public let objectiveHistory: [Double]
    public let numInstances: Int
    public let r2: Double
    public let meanSquaredError: Double
    public let meanAbsoluteError: Double
    public let explainedVariance: Double
    public let degreesOfFreedom: Int
    /// r² adjusted for the number of coefficients.
    public let r2adj: Double
    let stdErrors: [Double]?
    let estimates: [Double]

    public var rootMeanSquaredError: Double { meanSquaredError.squareRoot() }
    public var totalIterations: Int { max(0, objectiveHistory.count - 1) }

    /// Standard errors of the estimates (coefficients, then the intercept); only the normal
    /// solver gives them.
    public var coefficientStandardErrors: [Double] {
        get throws {
            guard let s = stdErrors else { throw EmberError.unsupported("No Std. Error of coefficients available for this LinearRegressionModel") }
            return s
        }
    }

    public var tValues: [Double] {
        get throws { zip(estimates, try coefficientStandardErrors).map { $0 / $1 } }
    }

    /// Two-sided p-values of `tValues` under Student's t with `degreesOfFreedom`.
    public var pValues: [Double] {
        get throws {
            let df = Double(degreesOfFreedom)
            return try tValues.map { t in StudentT.twoSidedPValue(t, df) }
        }
    }

    init(data: Instances, coefficients: [Double], intercept: Double, fitIntercept: Bool, weighted: Bool, objectiveHistory: [Double], diagInvAtWA: [Double]?) {
        self.objectiveHistory = objectiveHistory
        let n = data.count
        numInstances = n
        var w = 0.0, ww = 0.0, wy = 0.0, wyy = 0.0, sse = 0.0, sae = 0.0
        var preds = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var p = intercept
            data.forEachActiveFast(i) { j, x in p += x * coefficients[j] }
            preds[i] = p
            let wi = data.weights[i], y = data.labels[i], r = y - p
            w += wi; ww += wi * wi; wy += wi * y; wyy += wi * y * y
            sse += wi * r * r; sae += wi * abs(r)
        }
        let yMean = w > 0 ? wy / w : 0
        var ssReg = 0.0
        for i in 0..<n { ssReg += data.weights[i] * (preds[i] - yMean) * (preds[i] - yMean) }
        // Spark: SStot = variance(y) · (W − 1), with the unbiased weighted variance.
        let m2 = max(wyy - w * yMean * yMean, 0)
        let denom = w - ww / max(w, .leastNonzeroMagnitude)
        let ssTot = denom > 0 ? m2 / denom * (w - 1) : 0
        meanSquaredError = w > 0 ? sse / w : 0
        meanAbsoluteError = w > 0 ? sae / w : 0
        explainedVariance = w > 0 ? ssReg / w : 0
        r2 = fitIntercept ? 1 - sse / ssTot : 1 - sse / wyy
        let interceptDOF = fitIntercept ? 1 : 0
        degreesOfFreedom = n - coefficients.count - interceptDOF
        let dofAll = Double(n - interceptDOF), dofResidual = Double(n - coefficients.count - interceptDOF)
        r2adj = 1 - (1 - r2) * dofAll / dofResidual
        estimates = fitIntercept ? coefficients + [intercept] : coefficients
        if let diag = diagInvAtWA {
            let rss = weighted ? sse : meanSquaredError * Double(n)
            let sigma2 = rss / Double(degreesOfFreedom)
            stdErrors = diag.map { ($0 * sigma2).squareRoot() }
        } else {
            stdErrors = nil
        }
    }
}

/// Student's t distribution tails via the regularized incomplete beta function.
enum StudentT {
    /// P(|T| > |t|) for ν degrees of freedom: I_{ν/(ν+t²)}(ν/2, 1/2).
    static func twoSidedPValue(_ t: Double, _ nu: Double) -> Double {
        guard t.isFinite, nu > 0 else { return t.isNaN || nu <= 0 ? .nan : 0 }
        return incompleteBeta(nu / (nu + t * t), nu / 2, 0.5)
    }

    /// The regularized incomplete beta I_x(a, b) (continued fraction, Lentz's method).
    static func incompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let lnFront: Double = lnBeta + a * log(x) + b * log(1 - x)
        if x > (a + 1) / (a + b + 2) { return 1 - incompleteBeta(1 - x, b, a) }
        let tiny = 1e-300
        var f = 1.0, c = 1.0, d = 0.0
        for i in 0...400 {
            let m = Double(i / 2)
            var num: Double
            if i == 0 { num = 1 } else if i % 2 == 0 {
                num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            } else {
                num = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))
            }
            d = 1 + num * d
            if abs(d) < tiny { d = tiny }
            d = 1 / d
            c = 1 + num / c
            if abs(c) < tiny { c = tiny }
            let cd = c * d
            f *= cd
            if abs(1 - cd) < 1e-15 { break }
        }
        return exp(lnFront) * (f - 1) / a
    }
}
