import Foundation

/// A link function of a generalized linear model (Spark's `GeneralizedLinearRegression.Link`).
enum GLMLink: Equatable {
    case identity, logit, log, inverse, probit, cloglog, sqrt
    /// μ^p (log for p = 0), the Tweedie family's power link.
    case power(Double)

    static let names = ["identity", "log", "inverse", "logit", "probit", "cloglog", "sqrt"]

    init?(name: String) {
        switch name.lowercased() {
        case "identity": self = .identity
        case "logit": self = .logit
        case "log": self = .log
        case "inverse": self = .inverse
        case "probit": self = .probit
        case "cloglog": self = .cloglog
        case "sqrt": self = .sqrt
        default: return nil
        }
    }

    /// Spark's link object for a Tweedie link power.
    init(power p: Double) {
        switch p {
        case 0: self = .log
        case 1: self = .identity
        case -1: self = .inverse
        case 0.5: self = .sqrt
        default: self = .power(p)
        }
    }

    var name: String {
        switch self {
        case .identity: return "identity"
        case .logit: return "logit"
        case .log: return "log"
        case .inverse: return "inverse"
        case .probit: return "probit"
        case .cloglog: return "cloglog"
        case .sqrt: return "sqrt"
        case .power: return "power"
        }
    }

    @inline(__always)
    func link(_ mu: Double) -> Double {
        switch self {
        case .identity: return mu
        case .logit: return Foundation.log(mu / (1 - mu))
        case .log: return Foundation.log(mu)
        case .inverse: return 1 / mu
        case .probit: return Normal.inverseCdf(mu)
        case .cloglog: return Foundation.log(-log1p(-mu))
        case .sqrt: return mu.squareRoot()
        case .power(let p): return p == 0 ? Foundation.log(mu) : pow(mu, p)
        }
    }

    @inline(__always)
    func deriv(_ mu: Double) -> Double {
        switch self {
        case .identity: return 1
        case .logit: return 1 / (mu * (1 - mu))
        case .log: return 1 / mu
        case .inverse: return -pow(mu, -2)
        case .probit: return 1 / Normal.pdf(Normal.inverseCdf(mu))
        case .cloglog: return 1 / ((mu - 1) * log1p(-mu))
        case .sqrt: return 1 / (2 * mu.squareRoot())
        case .power(let p): return p == 0 ? 1 / mu : p * pow(mu, p - 1)
        }
    }

    @inline(__always)
    func unlink(_ eta: Double) -> Double {
        switch self {
        case .identity: return eta
        case .logit: return 1 / (1 + exp(-eta))
        case .log: return exp(eta)
        case .inverse: return 1 / eta
        case .probit: return Normal.cdf(eta)
        case .cloglog: return 1 - exp(-exp(eta))
        case .sqrt: return eta * eta
        case .power(let p): return p == 0 ? exp(eta) : pow(eta, 1 / p)
        }
    }
}

/// The error distribution of a generalized linear model (Spark's `Family`): Tweedie with
/// the Gaussian (power 0), Poisson (1) and Gamma (2) special cases, and Binomial.
enum GLMFamily: Equatable {
    case gaussian, binomial, poisson, gamma
    case tweedie(Double)

    static let epsilon = 1e-16
    /// Spark's `Tweedie.delta`.
    static let delta = 0.1

    /// Spark's `Family.fromParams`.
    init(name: String, variancePower: Double) {
        switch name.lowercased() {
        case "binomial": self = .binomial
        case "poisson": self = .poisson
        case "gamma": self = .gamma
        case "tweedie":
            switch variancePower {
            case 0: self = .gaussian
            case 1: self = .poisson
            case 2: self = .gamma
            default: self = .tweedie(variancePower)
            }
        default: self = .gaussian
        }
    }

    var name: String {
        switch self {
        case .gaussian: return "gaussian"
        case .binomial: return "binomial"
        case .poisson: return "poisson"
        case .gamma: return "gamma"
        case .tweedie: return "tweedie"
        }
    }

    var defaultLink: GLMLink {
        switch self {
        case .gaussian: return .identity
        case .binomial: return .logit
        case .poisson: return .log
        case .gamma: return .inverse
        case .tweedie(let p): return GLMLink(power: 1 - p)
        }
    }

    /// The links Spark accepts with this family (any power link for Tweedie).
    var supportedLinks: [GLMLink] {
        switch self {
        case .gaussian: return [.identity, .log, .inverse]
        case .binomial: return [.logit, .probit, .cloglog]
        case .poisson: return [.log, .identity, .sqrt]
        case .gamma: return [.inverse, .identity, .log]
        case .tweedie: return []
        }
    }

    /// The starting μ for a label, or an error message (Spark's `require`).
    func initialize(_ y: Double, _ weight: Double) -> Result<Double, GLMInputError> {
        switch self {
        case .gaussian: return .success(y)
        case .binomial:
            let mu = (weight * y + 0.5) / (weight + 1)
            guard mu > 0, mu < 1 else { return .failure(GLMInputError("The response variable of Binomial familyshould be in range (0, 1), but got \(mu)")) }
            return .success(mu)
        case .poisson:
            guard y >= 0 else { return .failure(GLMInputError("The response variable of Poisson family should be non-negative, but got \(y)")) }
            return .success(max(y, GLMFamily.delta))
        case .gamma:
            guard y > 0 else { return .failure(GLMInputError("The response variable of Gamma family should be positive, but got \(y)")) }
            return .success(y)
        case .tweedie(let p):
            if p >= 1, p < 2, !(y >= 0) {
                return .failure(GLMInputError("The response variable of tweedie(\(p)) family should be non-negative, but got \(y)"))
            } else if p >= 2, !(y > 0) {
                return .failure(GLMInputError("The response variable of tweedie(\(p)) family should be positive, but got \(y)"))
            }
            return .success(y == 0 ? GLMFamily.delta : y)
        }
    }

    @inline(__always)
    func variance(_ mu: Double) -> Double {
        switch self {
        case .gaussian: return 1
        case .binomial: return mu * (1 - mu)
        case .poisson: return mu
        case .gamma: return mu * mu
        case .tweedie(let p): return pow(mu, p)
        }
    }

    @inline(__always)
    static func ylogy(_ y: Double, _ mu: Double) -> Double { y == 0 ? 0 : y * log(y / mu) }

    @inline(__always)
    func deviance(_ y: Double, _ mu: Double, _ w: Double) -> Double {
        switch self {
        case .gaussian: return w * (y - mu) * (y - mu)
        case .binomial: return 2 * w * (GLMFamily.ylogy(y, mu) + GLMFamily.ylogy(1 - y, 1 - mu))
        case .poisson: return 2 * w * (GLMFamily.ylogy(y, mu) - (y - mu))
        case .gamma: return -2 * w * (log(y / mu) - (y - mu) / mu)
        case .tweedie(let p):
            func yp(_ y: Double, _ mu: Double, _ q: Double) -> Double { q == 0 ? log(y / mu) : (pow(y, q) - pow(mu, q)) / q }
            let y1 = p >= 1 && p < 2 ? max(y, GLMFamily.delta) : y
            return 2 * w * (y * yp(y1, mu, 1 - p) - yp(y, mu, 2 - p))
        }
    }

    /// Trims a fitted value into the family's range.
    @inline(__always)
    func project(_ mu: Double) -> Double {
        switch self {
        case .gaussian: return mu == -.infinity ? -Double.greatestFiniteMagnitude : mu == .infinity ? Double.greatestFiniteMagnitude : mu
        case .binomial: return mu < GLMFamily.epsilon ? GLMFamily.epsilon : mu > 1 - GLMFamily.epsilon ? 1 - GLMFamily.epsilon : mu
        case .poisson, .gamma, .tweedie:
            return mu < GLMFamily.epsilon ? GLMFamily.epsilon : mu.isInfinite ? Double.greatestFiniteMagnitude : mu
        }
    }

    /// Spark's `Family.aic` (without the 2·rank term) of (y, μ, w) triples; nil for Tweedie.
    func aic(_ y: [Double], _ mu: [Double], _ w: [Double], deviance: Double, numInstances: Double, weightSum: Double) -> Double? {
        let n = y.count
        switch self {
        case .gaussian:
            var wt = 0.0
            for i in 0..<n { wt += log(w[i]) }
            return numInstances * (log(deviance / numInstances * 2 * Double.pi) + 1) + 2 - wt
        case .binomial:
            var s = 0.0
            for i in 0..<n {
                let trials = (w[i]).rounded(.down) + (w[i] - w[i].rounded(.down) >= 0.5 ? 1 : 0)
                if trials == 0 { continue }
                let k = (y[i] * w[i] + 0.5).rounded(.down)
                s += Distributions.binomialLogProbability(n: trials, p: mu[i], k: k)
            }
            return -2 * s
        case .poisson:
            var s = 0.0
            for i in 0..<n {
                let k = y[i].rounded(.towardZero)
                s += w[i] * (-mu[i] + k * log(mu[i]) - lgamma(k + 1))
            }
            return -2 * s
        case .gamma:
            let disp = deviance / weightSum
            let shape = 1 / disp
            var s = 0.0
            for i in 0..<n {
                let scale = mu[i] * disp
                s += w[i] * ((shape - 1) * log(y[i]) - y[i] / scale - lgamma(shape) - shape * log(scale))
            }
            return -2 * s + 2
        case .tweedie:
            return nil
        }
    }
}

/// A label a family cannot take.
struct GLMInputError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// The standard normal distribution (as Breeze's `Gaussian(0, 1)`).
enum Normal {
    static func pdf(_ x: Double) -> Double { exp(-0.5 * x * x) / (2 * Double.pi).squareRoot() }

    /// Breeze's cdf: ½(1 + erf(x/√2)).
    static func cdf(_ x: Double) -> Double { 0.5 * (1 + erf(x / 2.0.squareRoot())) }

    /// The quantile function: Acklam's rational approximation refined by one Halley step
    /// on erfc (full double precision).
    static func inverseCdf(_ p: Double) -> Double {
        if p.isNaN || p < 0 || p > 1 { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log(1 - p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }
}

/// Log-probabilities and distribution functions the GLM summary needs.
enum Distributions {
    /// log P(K = k) for K ~ Binomial(n, p) (Breeze's `Binomial.logProbabilityOf`).
    static func binomialLogProbability(n: Double, p: Double, k: Double) -> Double {
        if p == 0 { return k == 0 ? 0 : -.infinity }
        if p == 1 { return k == n ? 0 : -.infinity }
        return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * log(p) + (n - k) * log1p(-p)
    }

    /// The CDF of Student's t with `df` degrees of freedom.
    static func studentTCdf(_ t: Double, df: Double) -> Double {
        let x = df / (df + t * t)
        let tail = 0.5 * regularizedBeta(x, df / 2, 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The regularized incomplete beta function I_x(a, b) (continued fraction, Lentz).
    static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x))
        if x < (a + 1) / (a + b + 2) { return front * betaFraction(x, a, b) / a }
        return 1 - front * betaFraction(1 - x, b, a) / b
    }

    private static func betaFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...500 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-16 { break }
        }
        return h
    }
}
