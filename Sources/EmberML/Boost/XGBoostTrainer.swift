import Ember
import Foundation

/// The boosting loop: quantile cuts and binning once, then per round gradients from the
/// cached margins (float, as XGBoost), one tree per margin group, margins updated from the
/// final row partition; with a validation set, the eval metric each round and early stopping
/// (XGBoost's `EarlyStopping` callback: stop after `early_stopping_rounds` rounds without a
/// strict improvement; `bestIteration` is the best round).
enum XGBoostTrainer {
    static func train(_ data: XGBoostMatrix, valid: XGBoostMatrix?, config c: XGBoostConfig, groups k: Int, stage: String) throws -> XGBoostBooster {
        let d = data.numFeatures
        let cuts = XGBoostCuts.build(data, maxBin: c.maxBin)
        if !XGBoostTuning.wideBins && XGBoostBinned<UInt8, UInt16>.fits(cuts, features: d) {
            return try run(XGBoostBinned<UInt8, UInt16>(data, cuts: cuts), data, valid, cuts, c, k, stage)
        }
        guard XGBoostBinned<UInt16, UInt32>.fits(cuts, features: d) else {
            throw MLError.invalidParam(stage, "max_bin", "is too large for \(d) features: their bins overflow 32-bit histogram slots (got \(c.maxBin))")
        }
        return try run(XGBoostBinned<UInt16, UInt32>(data, cuts: cuts), data, valid, cuts, c, k, stage)
    }

    static func run<B: FixedWidthInteger & UnsignedInteger, S: FixedWidthInteger & UnsignedInteger>(
        _ bins: XGBoostBinned<B, S>, _ data: XGBoostMatrix, _ valid: XGBoostMatrix?, _ cuts: XGBoostCuts, _ c: XGBoostConfig, _ k: Int, _ stage: String
    ) throws -> XGBoostBooster {
        let n = data.count, d = data.numFeatures
        let base = XGBoostObjective.baseMargins(c.objective, numClass: k, baseScore: c.baseScore, labels: data.labels, weights: data.weights)
        var booster = XGBoostBooster(objective: c.objective, numFeatures: d, groups: k, baseMargins: base, trees: [], bestIteration: nil)
        let builder = XGBoostTreeBuilder(data: bins, cuts: cuts, config: c, isDense: !data.hasMissing, seed: c.seed)
        let parts = builder.parts(n)
        var rng = TreeRandom(xgboostSeed: c.seed ^ 0x5DEE_CE66_D1CE_F00D)
        var margins = [Float](repeating: 0, count: n * k)
        for i in 0..<n { for g in 0..<k { margins[i * k + g] = base[g] } }
        // Gradients and hessians of every margin; with one group and no subsampling the
        // trees read them directly, else each group's (kept) rows are copied out.
        var gAll = [Float](repeating: 0, count: n * k), hAll = [Float](repeating: 0, count: n * k)
        let direct = k == 1 && c.subsample >= 1
        var g = [Float](repeating: 0, count: direct ? 0 : n), h = [Float](repeating: 0, count: direct ? 0 : n)
        let metric = c.evalMetric ?? XGBoostObjective.defaultMetric(c.objective)
        let maximize = XGBoostObjective.maximize(metric)
        var validMargins: [Float] = []
        var validFlat = XGBoostBooster.Flat()
        if let v = valid { validMargins = [Float](repeating: 0, count: v.count * k); for i in 0..<v.count { for gi in 0..<k { validMargins[i * k + gi] = base[gi] } } }
        var bestScore = 0.0, bestRound = 0, sinceBest = 0
        if c.earlyStoppingRounds != nil && (valid?.count ?? 0) == 0 {
            throw MLError.invalidParam(stage, "early_stopping_rounds", "needs a validation set (validationIndicatorCol marking some rows)")
        }
        let progress = WorkProgress(stage, total: c.numRound, unit: "rounds")
        defer { progress.finish() }
        for round in 0..<c.numRound {
            defer { progress.advance() }
            margins.withUnsafeBufferPointer { m in
                gAll.withUnsafeMutableBufferPointer { go in
                    hAll.withUnsafeMutableBufferPointer { ho in
                        let mb = m, gb = go, hb = ho
                        _ = Parallel.mapRanges(n, parts: parts) { r -> Int in
                            XGBoostObjective.gradients(c.objective, k: k, margins: mb, labels: data.labels, weights: data.weights,
                                                       scalePosWeight: c.scalePosWeight, range: r, g: gb, h: hb)
                            return 0
                        }
                    }
                }
            }
            var keep: [Bool]? = nil
            if c.subsample < 1 { keep = (0..<n).map { _ in rng.nextDouble() < c.subsample } }
            for group in 0..<k {
                if !direct { gatherGroup(group, k: k, keep: keep, g: gAll, h: hAll, into: &g, &h, parts: parts) }
                let tree = direct ? builder.grow(g: gAll, h: hAll) : builder.grow(g: g, h: h)
                // Each row's leaf value joins its cached margin.
                builder.addLeafValues(tree, to: &margins, k: k, group: group)
                booster.trees.append(tree)
            }
            guard let v = valid, v.count > 0 else { continue }
            // Add this round's trees to the validation margins.
            let roundTrees = XGBoostBooster(objective: c.objective, numFeatures: d, groups: k, baseMargins: [Float](repeating: 0, count: k),
                                            trees: Array(booster.trees.suffix(k)), bestIteration: nil)
            validFlat = roundTrees.flatten()
            var delta = [Float](repeating: 0, count: v.count * k)
            delta.withUnsafeMutableBufferPointer { o in
                v.x.withUnsafeBufferPointer { x in
                    if let ob = o.baseAddress, let xb = x.baseAddress {
                        XGBoostBooster.predictMargins(validFlat, groups: k, base: [Float](repeating: 0, count: k), d: d, x: xb, rows: v.count, out: ob)
                    }
                }
            }
            for i in 0..<validMargins.count { validMargins[i] += delta[i] }
            var preds = validMargins
            preds.withUnsafeMutableBufferPointer { XGBoostObjective.transform(c.objective, k: k, $0) }
            let score = XGBoostObjective.metric(metric, k: k, predictions: preds, labels: v.labels, weights: v.weights)
            guard let esr = c.earlyStoppingRounds else { continue }
            if round == 0 || (maximize ? score > bestScore : score < bestScore) {
                bestScore = score; bestRound = round; sinceBest = 0
            } else {
                sinceBest += 1
            }
            booster.bestIteration = bestRound
            if sinceBest >= esr { break }
        }
        return booster
    }

    /// Group `group`'s gradients and hessians (`g`, `h` hold `k` per row) into `gOut`, `hOut`,
    /// zero for the rows subsampling left out.
    static func gatherGroup(_ group: Int, k: Int, keep: [Bool]?, g: [Float], h: [Float], into gOut: inout [Float], _ hOut: inout [Float], parts: Int) {
        g.withUnsafeBufferPointer { gs in
            h.withUnsafeBufferPointer { hs in
                gOut.withUnsafeMutableBufferPointer { gb in
                    hOut.withUnsafeMutableBufferPointer { hb in
                        let gsrc = gs, hsrc = hs, go = gb, ho = hb
                        Parallel.forEachRange(go.count, parts: parts) { _, range in
                            for i in range {
                                let kept = keep?[i] ?? true
                                go[i] = kept ? gsrc[i * k + group] : 0
                                ho[i] = kept ? hsrc[i * k + group] : 0
                            }
                        }
                    }
                }
            }
        }
    }
}
