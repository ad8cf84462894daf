import Ember
import EmberCore
import Foundation

/// Loading, label checks and forest training shared by the tree estimators.
enum TreeTraining {
    /// Spark's `getNumClasses` + `validateLabel`: labels must be integers in [0, 100 classes).
    static func classIndices(_ labels: [Double], stage: String, labelCol: String) throws -> (Int, [Int32]) {
        var maxLabel = -1.0
        for y in labels where y > maxLabel { maxLabel = y }
        guard maxLabel >= 0, maxLabel == maxLabel.rounded(), maxLabel < Double(Int32.max) else {
            throw MLError.invalidData(stage, "Classifier found max label value = \(NumberFormat.javaDouble(maxLabel)) but requires integers in range [0, ... 2147483647)")
        }
        let k = Int(maxLabel) + 1
        guard k <= 100 else {
            throw MLError.invalidData(stage, "Classifier inferred \(k) from label values in column \(labelCol), but this exceeded the max numClasses (100) allowed to be inferred from values.  To avoid this error for labels with > 100 classes, specify numClasses explicitly in the metadata; this can be done by applying StringIndexer to the label column.")
        }
        var out = [Int32](repeating: 0, count: labels.count)
        for (i, y) in labels.enumerated() {
            guard y >= 0, y < Double(k), y == y.rounded() else {
                throw MLError.invalidData(stage, "Classifier was given dataset with invalid label \(NumberFormat.javaDouble(y)) (row \(i)).  Labels must be integers in range [0, \(k)).")
            }
            out[i] = Int32(y)
        }
        return (k, out)
    }

    /// Trees of a forest (Spark's `RandomForest.run`): each on its own bag of rows (Poisson
    /// counts with replacement, Bernoulli without; all rows once when `rate` is 1 without
    /// bootstrap), in parallel over trees.
    static func forest(_ data: BinnedFeatures, classes: [Int32], labels: [Double], strategy: TreeStrategy, numTrees: Int,
                       subsamplingRate rate: Double, bootstrap: Bool, seed: Int) -> [DecisionTree] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var s = strategy
        s.parallelRows = numTrees < cores
        var trees = [DecisionTree?](repeating: nil, count: numTrees)
        let lock = NSLock()
        let n = data.count
        let progress = WorkProgress("forest", total: numTrees, unit: "trees")
        defer { progress.finish() }
        DispatchQueue.concurrentPerform(iterations: numTrees) { t in
            defer { progress.advance() }
            var rng = TreeRandom(seed: UInt64(bitPattern: Int64(seed)) &+ UInt64(t) &* 0x2545_F491_4F6C_DD1D)
            var counts: [Int32]? = nil
            var rowWeights = data.weights
            if bootstrap || rate < 1 {
                var c = [Int32](repeating: 0, count: n)
                for i in 0..<n { c[i] = Int32(bootstrap ? rng.poisson(rate) : (rng.nextDouble() < rate ? 1 : 0)) }
                for i in 0..<n { rowWeights[i] *= Double(c[i]) }
                counts = c
            }
            var g = TreeGrower(data: data, strategy: s, classes: classes, labels: labels, rowWeights: rowWeights, counts: counts, rng: rng)
            let tree = g.grow()
            lock.lock(); trees[t] = tree; lock.unlock()
        }
        return trees.compactMap { $0 }
    }
}
