import Foundation

/// XGBoost's objectives in single precision as its CPU code computes them: gradients,
/// the margin transform and the estimated intercept (XGBoost 3 `base_score`).
enum XGBoostObjective {
    /// XGBoost's `common::Sigmoid` (float).
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float { 1 / (Foundation.expf(min(-x, 88.7)) + 1) }

    /// Number of margins a row has.
    static func groups(_ objective: String, numClass: Int) -> Int { objective == "multi:softprob" ? numClass : 1 }

    /// The default evaluation metric.
    static func defaultMetric(_ objective: String) -> String {
        switch objective {
        case "binary:logistic": return "logloss"
        case "multi:softprob": return "mlogloss"
        case "count:poisson": return "poisson-nloglik"
        default: return "rmse"
        }
    }

    /// The intercept as margins (one per group). Estimated when `baseScore` is nil as XGBoost
    /// 3.2 does: the weighted label mean (squarederror, logistic, poisson: in response space,
    /// turned into a margin), and for multi:softprob the centered log class proportions.
    static func baseMargins(_ objective: String, numClass: Int, baseScore: Double?, labels: [Float], weights: [Float]) -> [Float] {
        let k = groups(objective, numClass: numClass)
        if objective == "multi:softprob" {
            if let b = baseScore { return [Float](repeating: Float(b), count: k) }
            var props = [Double](repeating: 0, count: k)
            var total = 0.0
            for (y, w) in zip(labels, weights) {
                let c = Int(y)
                if c >= 0 && c < k { props[c] += Double(w) }
                total += Double(w)
            }
            let logs = props.map { Foundation.log(max($0 / max(total, .leastNormalMagnitude), 1e-16)) }
            let mean = logs.reduce(0, +) / Double(k)
            return logs.map { Float($0 - mean) }
        }
        var score: Float
        if let b = baseScore {
            score = Float(b)
        } else {
            var s = 0.0, sw = 0.0
            for (y, w) in zip(labels, weights) { s += Double(y) * Double(w); sw += Double(w) }
            score = sw > 0 ? Float(s / sw) : 0.5
        }
        switch objective {
        case "binary:logistic", "reg:logistic":
            score = min(max(score, 1e-7), 1 - 1e-7)
            return [-Foundation.logf(1 / score - 1)]
        case "count:poisson":
            return [Foundation.logf(max(score, 1e-16))]
        default:
            return [score]
        }
    }

    /// Writes gradients `g` and hessians `h` (`n × k`, row-major groups) for margins `m`, rows
    /// `range`.
    static func gradients(_ objective: String, k: Int, margins m: UnsafeBufferPointer<Float>, labels: [Float], weights: [Float],
                          scalePosWeight: Float, range: Range<Int>, g: UnsafeMutableBufferPointer<Float>, h: UnsafeMutableBufferPointer<Float>) {
        switch objective {
        case "binary:logistic", "reg:logistic":
            for i in range {
                let p = sigmoid(m[i]), y = labels[i]
                var w = weights[i]
                if y == 1 { w *= scalePosWeight }
                g[i] = (p - y) * w
                h[i] = max(p * (1 - p), 1e-16) * w
            }
        case "count:poisson":
            for i in range {
                let p = m[i], w = weights[i]
                g[i] = (Foundation.expf(p) - labels[i]) * w
                h[i] = Foundation.expf(p + 0.7) * w
            }
        case "multi:softprob":
            // As XGBoost's softmax gradient: the max starts at FLT_MIN, the sum is a double.
            for i in range {
                var mx = Float.leastNormalMagnitude
                for c in 0..<k { mx = max(m[i * k + c], mx) }
                var sum = 0.0
                for c in 0..<k { sum += Double(Foundation.expf(m[i * k + c] - mx)) }
                let y = Int(labels[i]), w = weights[i]
                for c in 0..<k {
                    let p = Foundation.expf(m[i * k + c] - mx) / Float(sum)
                    let grad = c == y ? p - 1 : p
                    g[i * k + c] = grad * w
                    h[i * k + c] = max(2 * p * (1 - p) * w, 1e-16)
                }
            }
        default:
            for i in range {
                let w = weights[i]
                g[i] = (m[i] - labels[i]) * w
                h[i] = w
            }
        }
    }

    /// Margins to predictions in place (sigmoid, exp, softmax).
    static func transform(_ objective: String, k: Int, _ v: UnsafeMutableBufferPointer<Float>) {
        switch objective {
        case "binary:logistic", "reg:logistic":
            for i in 0..<v.count { v[i] = sigmoid(v[i]) }
        case "count:poisson":
            for i in 0..<v.count { v[i] = Foundation.expf(v[i]) }
        case "multi:softprob":
            var r = 0
            while r + k <= v.count {
                var mx = v[r]
                for c in 1..<k { mx = max(v[r + c], mx) }
                var sum = 0.0
                for c in 0..<k { v[r + c] = Foundation.expf(v[r + c] - mx); sum += Double(v[r + c]) }
                for c in 0..<k { v[r + c] /= Float(sum) }
                r += k
            }
        default: break
        }
    }

    static func maximize(_ metric: String) -> Bool { metric == "auc" }

    /// A metric over transformed predictions `p` (`n × k`), weighted as XGBoost's.
    static func metric(_ name: String, k: Int, predictions p: [Float], labels: [Float], weights: [Float]) -> Double {
        let n = labels.count
        var s = 0.0, sw = 0.0
        switch name {
        case "auc":
            return auc(p, labels, weights)
        case "logloss":
            let eps: Float = 1e-16
            for i in 0..<n {
                let y = labels[i], py = p[i], w = Double(weights[i])
                let v: Double
                if py < eps { v = Double(-y * Foundation.logf(eps) - (1 - y) * Foundation.logf(1 - eps)) }
                else if 1 - py < eps { v = Double(-y * Foundation.logf(1 - eps) - (1 - y) * Foundation.logf(eps)) }
                else { v = Double(-y * Foundation.logf(py) - (1 - y) * Foundation.logf(1 - py)) }
                s += v * w; sw += w
            }
        case "error":
            for i in 0..<n {
                let w = Double(weights[i])
                s += ((p[i] > 0.5 ? 1 : 0) != labels[i] ? 1 : 0) * w; sw += w
            }
        case "rmse":
            for i in 0..<n {
                let w = Double(weights[i]), diff = Double(p[i]) - Double(labels[i])
                s += diff * diff * w; sw += w
            }
            return sw > 0 ? (s / sw).squareRoot() : 0
        case "mlogloss":
            for i in 0..<n {
                let c = Int(labels[i]), w = Double(weights[i])
                let q = c >= 0 && c < k ? p[i * k + c] : 0
                s += -Double(Foundation.logf(max(q, 1e-16))) * w; sw += w
            }
        case "merror":
            for i in 0..<n {
                var best = 0
                for c in 1..<k where p[i * k + c] > p[i * k + best] { best = c }
                s += (best != Int(labels[i]) ? 1 : 0) * Double(weights[i]); sw += Double(weights[i])
            }
        case "poisson-nloglik":
            for i in 0..<n {
                let py = max(p[i], 1e-16), y = labels[i], w = Double(weights[i])
                s += Double(Foundation.lgammaf(y + 1) + py - Foundation.logf(py) * y) * w; sw += w
            }
        default:
            return .nan
        }
        return sw > 0 ? s / sw : 0
    }

    /// Weighted ROC AUC (ties as one step, trapezoids), as XGBoost's binary AUC.
    static func auc(_ p: [Float], _ y: [Float], _ w: [Float]) -> Double {
        let order = (0..<p.count).sorted { p[$0] > p[$1] }
        var tp = 0.0, fp = 0.0, area = 0.0, prevTP = 0.0, prevFP = 0.0
        var i = 0
        while i < order.count {
            let v = p[order[i]]
            while i < order.count && p[order[i]] == v {
                let r = order[i]
                tp += Double(y[r]) * Double(w[r]); fp += (1 - Double(y[r])) * Double(w[r])
                i += 1
            }
            area += (fp - prevFP) * (tp + prevTP) / 2
            prevTP = tp; prevFP = fp
        }
        return tp > 0 && fp > 0 ? area / (tp * fp) : .nan
    }
}
