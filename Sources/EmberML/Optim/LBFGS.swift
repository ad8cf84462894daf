import EmberCore
import Foundation

/// A differentiable objective: returns f(x) and writes ∇f(x) into `gradient` (which has
/// the size of x and arrives zeroed).
public typealias DiffFunction = (_ x: [Double], _ gradient: inout [Double]) throws -> Double

/// What an optimizer run produced.
public struct OptimizerResult {
    /// The solution.
    public let x: [Double]
    /// The objective (with the L1 term for OWL-QN) at the start and after each iteration.
    public let objectiveHistory: [Double]
    /// Iterations done.
    public let iterations: Int
    /// Why it stopped: "max iterations", "gradient converged", "function values converged",
    /// "line search failed".
    public let reason: String
}

/// Limited-memory BFGS (Breeze's `LBFGS`, which Spark uses) with a strong-Wolfe line search,
/// and OWL-QN (Breeze's `OWLQN`) when an L1 weight per coordinate is given. Stops as Breeze's
/// default convergence check: `maxIter` iterations, gradient norm ≤ max(tol·|f|, 1e-8), or
/// the objective within tol·|f₀| of the largest of the last 20 values.
public struct LBFGS {
    public var maxIter: Int
    public var m: Int
    public var tol: Double
    /// The L1 weight of coordinate i (nil: plain L-BFGS).
    public var l1: ((Int) -> Double)?

    public init(maxIter: Int = 100, m: Int = 10, tol: Double = 1e-6, l1: ((Int) -> Double)? = nil) {
        self.maxIter = maxIter
        self.m = m
        self.tol = tol
        self.l1 = l1
    }

    /// Minimizes `f` from `x0`.
    public func minimize(_ f: DiffFunction, _ x0: [Double]) throws -> OptimizerResult {
        let n = x0.count
        let l1w: [Double]? = l1.map { fn in (0..<n).map { fn($0) } }
        var x = x0
        var g = [Double](repeating: 0, count: n)
        var fx = try f(x, &g)
        guard fx.isFinite else { throw EmberError.internalError("the objective is not finite at the starting point") }
        var adjF = adjustedValue(fx, x, l1w)
        var pg = pseudoGradient(x, g, l1w)
        let f0 = adjF
        var history = [adjF]
        var recent = [adjF]
        var sList: [[Double]] = [], yList: [[Double]] = [], rhoList: [Double] = []
        var iter = 0
        var reason = "max iterations"
        var grad = [Double](repeating: 0, count: n)
        while true {
            if iter >= maxIter { reason = "max iterations"; break }
            if norm(pg) <= Swift.max(tol * abs(adjF), 1e-8) { reason = "gradient converged"; break }
            if recent.count >= 20, abs(adjF - (recent.max() ?? adjF)) <= tol * abs(f0) { reason = "function values converged"; break }
            // Two-loop recursion on the (pseudo-)gradient.
            var dir = pg.map { -$0 }
            var alphas = [Double](repeating: 0, count: sList.count)
            for k in stride(from: sList.count - 1, through: 0, by: -1) {
                let a = rhoList[k] * BLAS.dot(sList[k], dir)
                alphas[k] = a
                BLAS.axpy(-a, yList[k], &dir)
            }
            if let last = sList.indices.last {
                let gamma = BLAS.dot(sList[last], yList[last]) / BLAS.dot(yList[last], yList[last])
                BLAS.scal(gamma, &dir)
            }
            for k in 0..<sList.count {
                let b = rhoList[k] * BLAS.dot(yList[k], dir)
                BLAS.axpy(alphas[k] - b, sList[k], &dir)
            }
            if l1w != nil {
                for i in 0..<n where dir[i] * pg[i] >= 0 { dir[i] = 0 }
            }
            var slope = BLAS.dot(dir, pg)
            if !(slope < 0) {
                // Not a descent direction: restart from steepest descent.
                sList.removeAll(); yList.removeAll(); rhoList.removeAll()
                dir = pg.map { -$0 }
                slope = BLAS.dot(dir, pg)
                if !(slope < 0) { reason = "gradient converged"; break }
            }
            let found: (Double, [Double], Double, [Double])?
            if let w = l1w {
                let step0 = iter == 0 ? 0.5 / Swift.max(norm(g), 1e-300) : 1.0
                found = try backtrack(f, x, fx, adjF, dir, pg, w, step0, shrink: iter == 0 ? 0.1 : 0.5, &grad)
            } else {
                let step0 = iter == 0 ? 1 / Swift.max(norm(dir), 1e-300) : 1.0
                found = try strongWolfe(f, x, fx, dir, slope, step0, &grad)
            }
            guard let (_, newX, newF, newG) = found else { reason = "line search failed"; break }
            var s = newX, y = newG
            for i in 0..<n { s[i] -= x[i]; y[i] -= g[i] }
            let sy = BLAS.dot(s, y)
            if sy > 1e-10 * Swift.max(1, BLAS.dot(y, y)) {
                sList.append(s); yList.append(y); rhoList.append(1 / sy)
                if sList.count > m { sList.removeFirst(); yList.removeFirst(); rhoList.removeFirst() }
            }
            x = newX; g = newG; fx = newF
            adjF = adjustedValue(fx, x, l1w)
            pg = pseudoGradient(x, g, l1w)
            iter += 1
            history.append(adjF)
            recent.append(adjF)
            if recent.count > 20 { recent.removeFirst() }
        }
        return OptimizerResult(x: x, objectiveHistory: history, iterations: iter, reason: reason)
    }

    func norm(_ v: [Double]) -> Double { BLAS.dot(v, v).squareRoot() }

    func adjustedValue(_ f: Double, _ x: [Double], _ w: [Double]?) -> Double {
        guard let w else { return f }
        var s = f
        for i in 0..<x.count where w[i] != 0 { s += w[i] * abs(x[i]) }
        return s
    }

    /// OWL-QN's pseudo-gradient of f + Σ wᵢ|xᵢ| (the gradient when there is no L1 term).
    func pseudoGradient(_ x: [Double], _ g: [Double], _ w: [Double]?) -> [Double] {
        guard let w else { return g }
        var out = g
        for i in 0..<x.count where w[i] != 0 {
            let l = w[i]
            if x[i] < 0 { out[i] = g[i] - l } else if x[i] > 0 { out[i] = g[i] + l } else if g[i] + l < 0 { out[i] = g[i] + l } else if g[i] - l > 0 { out[i] = g[i] - l } else { out[i] = 0 }
        }
        return out
    }

    /// Evaluates f at x + a·dir.
    func evaluate(_ f: DiffFunction, _ x: [Double], _ dir: [Double], _ a: Double, _ grad: inout [Double]) throws -> ([Double], Double) {
        var p = x
        BLAS.axpy(a, dir, &p)
        for i in 0..<grad.count { grad[i] = 0 }
        return (p, try f(p, &grad))
    }

    /// A step satisfying the strong Wolfe conditions (c1 = 1e-4, c2 = 0.9), by bracketing and
    /// zooming with cubic interpolation (Nocedal & Wright, algorithms 3.5 and 3.6).
    func strongWolfe(_ f: DiffFunction, _ x: [Double], _ f0: Double, _ dir: [Double], _ d0: Double, _ step0: Double, _ grad: inout [Double]) throws -> (Double, [Double], Double, [Double])? {
        let c1 = 1e-4, c2 = 0.9
        var best: (Double, [Double], Double, [Double])? = nil
        func phi(_ a: Double) throws -> (Double, Double, [Double], [Double]) {
            let (p, v) = try evaluate(f, x, dir, a, &grad)
            let dd = BLAS.dot(grad, dir)
            if v.isFinite, v < f0 + c1 * a * d0, v < (best?.2 ?? .infinity) { best = (a, p, v, grad) }
            return (v, dd, p, grad)
        }
        func zoom(_ lo0: (Double, Double, Double), _ hi0: (Double, Double, Double)) throws -> (Double, [Double], Double, [Double])? {
            var lo = lo0, hi = hi0   // (a, phi, phi')
            for _ in 0..<10 {
                var a = cubicMin(lo, hi)
                let left = Swift.min(lo.0, hi.0), right = Swift.max(lo.0, hi.0), width = right - left
                if !a.isFinite || a < left + 0.1 * width || a > right - 0.1 * width { a = (lo.0 + hi.0) / 2 }
                let (v, dd, p, gr) = try phi(a)
                if !v.isFinite || v > f0 + c1 * a * d0 || v >= lo.1 {
                    hi = (a, v, dd)
                } else {
                    if abs(dd) <= -c2 * d0 { return (a, p, v, gr) }
                    if dd * (hi.0 - lo.0) >= 0 { hi = lo }
                    lo = (a, v, dd)
                }
                if abs(hi.0 - lo.0) <= 1e-14 * Swift.max(1, abs(lo.0)) { break }
            }
            return nil
        }
        var prev = (0.0, f0, d0)
        var a = step0
        for i in 0..<10 {
            let (v, dd, p, gr) = try phi(a)
            if !v.isFinite || v > f0 + c1 * a * d0 || (i > 0 && v >= prev.1) {
                if let r = try zoom(prev, (a, v, dd)) { return r }
                return best
            }
            if abs(dd) <= -c2 * d0 { return (a, p, v, gr) }
            if dd >= 0 {
                if let r = try zoom((a, v, dd), prev) { return r }
                return best
            }
            prev = (a, v, dd)
            a *= 2
        }
        return best
    }

    /// The minimizer of the cubic through two points with slopes.
    func cubicMin(_ p: (Double, Double, Double), _ q: (Double, Double, Double)) -> Double {
        let (a1, f1, g1) = p, (a2, f2, g2) = q
        let d1 = g1 + g2 - 3 * (f1 - f2) / (a1 - a2)
        let disc = d1 * d1 - g1 * g2
        guard disc >= 0 else { return .nan }
        let d2 = (a2 > a1 ? 1.0 : -1.0) * disc.squareRoot()
        return a2 - (a2 - a1) * (g2 + d2 - d1) / (g2 - g1 + 2 * d2)
    }

    /// OWL-QN's search along the orthant-projected path (Breeze's `BacktrackingLineSearch`):
    /// shrink while the Armijo condition fails (c1 = 1e-4), grow by 2.1 while the weak Wolfe
    /// curvature condition fails (c2 = 0.9), at most 20 trials.
    func backtrack(_ f: DiffFunction, _ x: [Double], _ fx: Double, _ adjF: Double, _ dir: [Double], _ pg: [Double], _ w: [Double], _ step0: Double, shrink: Double, _ grad: inout [Double]) throws -> (Double, [Double], Double, [Double])? {
        let n = x.count
        var orthant = [Double](repeating: 0, count: n)
        for i in 0..<n { orthant[i] = x[i] != 0 ? (x[i] > 0 ? 1 : -1) : (pg[i] > 0 ? -1 : pg[i] < 0 ? 1 : 0) }
        let d0 = BLAS.dot(pg, dir)
        var a = step0
        for _ in 0..<20 {
            var p = x
            BLAS.axpy(a, dir, &p)
            for i in 0..<n where w[i] != 0 && p[i] * orthant[i] <= 0 { p[i] = 0 }
            for i in 0..<n { grad[i] = 0 }
            let v = try f(p, &grad)
            let adj = adjustedValue(v, p, w)
            if !adj.isFinite || adj > adjF + a * 1e-4 * d0 {
                a *= shrink
            } else if BLAS.dot(pseudoGradient(p, grad, w), dir) < 0.9 * d0 {
                a *= 2.1
            } else {
                return (a, p, v, grad)
            }
            if a < 1e-10 || a > 1e10 { return nil }
        }
        return nil
    }
}
