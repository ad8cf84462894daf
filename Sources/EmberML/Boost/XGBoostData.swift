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
        var d = -1
        for b in batches {
            let r = try VectorColumnReader(b.columns[0], what: stage)
            for i in 0..<r.count where !r.isNull(i) {
                let s = r.size(i)
                if d < 0 { d = s } else if s != d {
                    throw MLError.invalidData(stage, "vectors in \(featuresCol) have different sizes (\(d) and \(s))")
                }
            }
        }
        d = max(d, 0)
        var train = XGBoostMatrix(count: 0, numFeatures: d, x: [], labels: [], weights: [])
        var valid = XGBoostMatrix(count: 0, numFeatures: d, x: [], labels: [], weights: [])
        var rowBase = 0
        var buf = [Float]()
        for b in batches {
            let r = try VectorColumnReader(b.columns[0], what: stage)
            let n = r.count
            buf = [Float](repeating: 0, count: n * d)
            try buf.withUnsafeMutableBufferPointer { p in
                if let base = p.baseAddress { try densify(r, rows: 0..<n, d: d, missing: missing, into: base, stage: stage) }
            }
            let lc = b.columns[1]
            guard let ys = lc.doubles else { throw MLError.invalidData(stage, "label column \(labelCol) is not numeric") }
            var ws: [Double]? = nil
            var wc: ColumnData? = nil
            if w != nil { wc = b.columns[2]; ws = wc?.doubles }
            var isValid: [Bool]? = nil
            var vc: ColumnData? = nil
            if v != nil { vc = b.columns[w == nil ? 2 : 3]; isValid = vc?.bools }
            for i in 0..<n {
                if lc.isNull(i) || ys[i].isNaN { throw MLError.invalidData(stage, "label column \(labelCol) has a NULL or NaN at row \(rowBase + i)") }
                var weight = 1.0
                if let ws, let wc, let name = w {
                    weight = wc.isNull(i) ? .nan : ws[i]
                    guard weight.isFinite, weight >= 0 else {
                        throw MLError.invalidData(stage, "weights must be non-negative and finite, got \(weight) in \(name) at row \(rowBase + i)")
                    }
                }
                var toValid = false
                if let isValid, let vc { toValid = !vc.isNull(i) && isValid[i] }
                if toValid {
                    valid.x.append(contentsOf: buf[(i * d)..<((i + 1) * d)]); valid.labels.append(Float(ys[i])); valid.weights.append(Float(weight))
                    valid.count += 1
                } else {
                    train.x.append(contentsOf: buf[(i * d)..<((i + 1) * d)]); train.labels.append(Float(ys[i])); train.weights.append(Float(weight))
                    train.count += 1
                }
            }
            rowBase += n
        }
        return (train, v == nil ? nil : valid)
    }
}
