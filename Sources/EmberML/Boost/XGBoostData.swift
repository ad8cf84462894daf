import Ember
import EmberCore
import Foundation

/// Rows for XGBoost in single precision, as xgboost.spark hands them to a DMatrix: vectors
/// densified (entries absent from a sparse vector are 0.0), a value equal to `missing` or NaN
/// is missing (stored as NaN), a NULL vector is a row of missing values.
struct XGBoostMatrix {
    var count: Int
    var numFeatures: Int
    /// Row-major `count × numFeatures`, NaN for missing.
    var x: [Float]
    var labels: [Float]
    var weights: [Float]

    var hasMissing: Bool { x.contains { $0.isNaN } }

    /// Densifies rows of a vector column into `out` (`rows × d`), NaN for missing; throws on a
    /// vector whose size is not `d`.
    static func densify(_ r: VectorColumnReader, rows: Range<Int>, d: Int, missing: Float, into out: UnsafeMutablePointer<Float>,
                        stage: String) throws {
        let missingIsNaN = missing.isNaN
        var at = 0
        for i in rows {
            let dst = out + at * d
            at += 1
            if r.isNull(i) {
                for j in 0..<d { dst[j] = .nan }
                continue
            }
            let size = r.size(i)
            guard size == d else { throw MLError.invalidData(stage, "features vector of size \(size) at row \(i) does not match \(d) features") }
            if !r.isDense(i) { for j in 0..<d { dst[j] = missingIsNaN || missing != 0 ? 0 : .nan } }
            r.forEachActive(i) { j, v in
                let f = Float(v)
                dst[j] = (f.isNaN || (!missingIsNaN && f == missing)) ? .nan : f
            }
        }
    }

    /// Training rows and (when `validationCol` is set) validation rows of `df`.
    static func load(_ df: DataFrame, featuresCol: String, labelCol: String, weightCol: String?, validationCol: String?,
                     missing: Float, stage: String) throws -> (train: XGBoostMatrix, valid: XGBoostMatrix?) {
        let schema = try df.schema()
        try SchemaUtils.checkVector(schema, featuresCol, stage: stage)
        try SchemaUtils.checkNumericType(schema, labelCol, stage: stage)
        var cols: [Ember.Column] = [col(featuresCol), col(labelCol).cast(.double)]
        let w = (weightCol?.isEmpty ?? true) ? nil : weightCol
        let v = (validationCol?.isEmpty ?? true) ? nil : validationCol
        if let w {
            try SchemaUtils.checkNumericType(schema, w, stage: stage)
            cols.append(col(w).cast(.double))
        }
        if let v {
            try SchemaUtils.checkColumnType(schema, v, [.boolean], stage: stage)
            cols.append(col(v))
        }
        let batches = try df.select(cols).collectBatches()
        let readers = try batches.map { try VectorColumnReader($0.columns[0], what: stage) }
        var d = -1
        for r in readers {
            for i in 0..<r.count where !r.isNull(i) {
                let s = r.size(i)
                if d < 0 { d = s } else if s != d {
                    throw MLError.invalidData(stage, "vectors in \(featuresCol) have different sizes (\(d) and \(s))")
                }
            }
        }
        d = max(d, 0)
        // Labels, weights and the validation flag of every row first; then each batch's
        // vectors are densified straight into their rows of the training or validation matrix,
        // batches in parallel.
        var train = XGBoostMatrix(count: 0, numFeatures: d, x: [], labels: [], weights: [])
        var valid = XGBoostMatrix(count: 0, numFeatures: d, x: [], labels: [], weights: [])
        var toValid: [[Bool]] = []
        // Each batch's first training and validation row.
        var firstTrain = [Int](), firstValid = [Int]()
        var rowBase = 0
        for b in batches {
            let n = b.count
            let lc = b.columns[1]
            guard let ys = lc.doubles else { throw MLError.invalidData(stage, "label column \(labelCol) is not numeric") }
            var ws: [Double]? = nil
            var wc: ColumnData? = nil
            if w != nil { wc = b.columns[2]; ws = wc?.doubles }
            var isValid: [Bool]? = nil
            var vc: ColumnData? = nil
            if v != nil { vc = b.columns[w == nil ? 2 : 3]; isValid = vc?.bools }
            var flags = [Bool](repeating: false, count: n)
            firstTrain.append(train.count); firstValid.append(valid.count)
            for i in 0..<n {
                if lc.isNull(i) || ys[i].isNaN { throw MLError.invalidData(stage, "label column \(labelCol) has a NULL or NaN at row \(rowBase + i)") }
                var weight = 1.0
                if let ws, let wc, let name = w {
                    weight = wc.isNull(i) ? .nan : ws[i]
                    guard weight.isFinite, weight >= 0 else {
                        throw MLError.invalidData(stage, "weights must be non-negative and finite, got \(weight) in \(name) at row \(rowBase + i)")
                    }
                }
                if let isValid, let vc { flags[i] = !vc.isNull(i) && isValid[i] }
                if flags[i] {
                    valid.labels.append(Float(ys[i])); valid.weights.append(Float(weight)); valid.count += 1
                } else {
                    train.labels.append(Float(ys[i])); train.weights.append(Float(weight)); train.count += 1
                }
            }
            toValid.append(flags)
            rowBase += n
        }
        train.x = [Float](repeating: 0, count: train.count * d)
        valid.x = [Float](repeating: 0, count: valid.count * d)
        var failure: Error? = nil
        let lock = NSLock()
        try train.x.withUnsafeMutableBufferPointer { tx in
            try valid.x.withUnsafeMutableBufferPointer { vx in
                let txb = tx, vxb = vx
                DispatchQueue.concurrentPerform(iterations: batches.count) { bi in
                    let flags = toValid[bi], r = readers[bi]
                    var t = firstTrain[bi], vv = firstValid[bi]
                    var i = 0
                    do {
                        // Runs of rows bound for the same matrix are densified together.
                        while i < flags.count {
                            var j = i
                            while j < flags.count && flags[j] == flags[i] { j += 1 }
                            let toV = flags[i]
                            if let base = toV ? vxb.baseAddress : txb.baseAddress {
                                try densify(r, rows: i..<j, d: d, missing: missing, into: base + (toV ? vv : t) * d, stage: stage)
                            }
                            if toV { vv += j - i } else { t += j - i }
                            i = j
                        }
                    } catch {
                        lock.lock(); if failure == nil { failure = error }; lock.unlock()
                    }
                }
                if let failure { throw failure }
            }
        }
        return (train, v == nil ? nil : valid)
    }
}
