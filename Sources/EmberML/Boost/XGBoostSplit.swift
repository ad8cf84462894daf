import Foundation

/// XGBoost's `SplitEntry` and gain arithmetic (`TreeEvaluator` without constraints):
/// child gains in double, their sum, the parent's gain and
/// the loss change in float. (The loss changes XGBoost 3.2 reports can differ from these in
/// the last float bits; the chosen splits and leaf values match.)
struct XGBoostSplit {
    var loss: Float = 0
    var feature = 0
    var defaultLeft = false
    var value: Float = 0
    /// Local bins `<= leftMaxBin` go left (−1: every non-missing value goes right).
    var leftMaxBin = -1
    var lG = 0.0, lH = 0.0, rG = 0.0, rH = 0.0

    /// `SplitEntry::NeedReplace`: a higher loss wins; on a tie the smaller feature index.
    @inline(__always)
    func needReplace(_ newLoss: Float, _ f: Int) -> Bool {
        if newLoss.isInfinite { return false }
        if feature <= f { return newLoss > loss }
        return !(loss > newLoss)
    }

    @inline(__always)
    mutating func update(_ other: XGBoostSplit) {
        if needReplace(other.loss, other.feature) { self = other }
    }
}

/// The regularized gain and weight formulas with XGBoost's parameters (in float as its
/// `TrainParam`).
struct XGBoostGain {
    var lambda: Double
    var alpha: Double
    var minChildWeight: Double

    init(_ c: XGBoostConfig) {
        lambda = Double(c.lambda)
        alpha = Double(c.alpha)
        minChildWeight = Double(c.minChildWeight)
    }

    @inline(__always)
    func thresholdL1(_ w: Double) -> Double {
        if w > alpha { return w - alpha }
        if w < -alpha { return w + alpha }
        return 0
    }

    /// `CalcGainGivenWeight` (no max_delta_step): ThresholdL1(G)² / (H + λ).
    @inline(__always)
    func gain(_ g: Double, _ h: Double) -> Double {
        if h <= 0 { return 0 }
        let t = thresholdL1(g)
        return t * t / (h + lambda)
    }

    /// `CalcWeight`: −ThresholdL1(G) / (H + λ), 0 below min_child_weight.
    @inline(__always)
    func weight(_ g: Double, _ h: Double) -> Float {
        if h < minChildWeight || h <= 0 { return 0 }
        return Float(-thresholdL1(g) / (h + lambda))
    }

    /// Best split of one node over `features` from its histogram (pairs of g, h per slot;
    /// feature `f`'s bins start at slot `offsets[f]`), as XGBoost's
    /// `HistEvaluator::EnumerateSplit`: forward (missing right) then, when the node has
    /// missing values for the feature, backward (missing left).
    func bestSplit(hist: UnsafeBufferPointer<Double>, offsets: UnsafePointer<Int>, cuts: XGBoostCuts, features: [Int], G: Double, H: Double,
                   rootGain: Float) -> XGBoostSplit {
        var best = XGBoostSplit()
        let mcw = minChildWeight
        for f in features {
            let c0 = cuts.ptrs[f], nb = cuts.ptrs[f + 1] - c0, h0 = offsets[f]
            var local = XGBoostSplit()
            var ag = 0.0, ah = 0.0
            for i in 0..<nb {
                ag += hist[2 * (h0 + i)]; ah += hist[2 * (h0 + i) + 1]
                let rg = G - ag, rh = H - ah
                if ah >= mcw && rh >= mcw {
                    let loss = Float(gain(ag, ah) + gain(rg, rh)) - rootGain
                    if local.needReplace(loss, f) {
                        local = XGBoostSplit(loss: loss, feature: f, defaultLeft: false, value: cuts.values[c0 + i], leftMaxBin: i,
                                             lG: ag, lH: ah, rG: rg, rH: rh)
                    }
                }
            }
            best.update(local)
            if ag == G && ah == H { continue }
            local = XGBoostSplit()
            ag = 0; ah = 0
            var i = nb - 1
            while i >= 0 {
                ag += hist[2 * (h0 + i)]; ah += hist[2 * (h0 + i) + 1]
                let lg = G - ag, lh = H - ah
                if ah >= mcw && lh >= mcw {
                    let loss = Float(gain(lg, lh) + gain(ag, ah)) - rootGain
                    if local.needReplace(loss, f) {
                        local = XGBoostSplit(loss: loss, feature: f, defaultLeft: true, value: i == 0 ? cuts.mins[f] : cuts.values[c0 + i - 1],
                                             leftMaxBin: i - 1, lG: lg, lH: lh, rG: ag, rH: ah)
                    }
                }
                i -= 1
            }
            best.update(local)
        }
        return best
    }
}
