import Ember
import EmberCore

/// Thresholds numeric or vector columns to 0/1 (Spark's `Binarizer`): values greater than
/// the threshold become 1.0, others (NaN and NULL included) 0.0. Vector outputs are in
/// Spark's compressed form.
public final class Binarizer: Transformer {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let inputCols = SharedParams.inputCols()
    public let outputCols = SharedParams.outputCols()
    public let threshold = Param<Double>("threshold", "Param for threshold used to binarize continuous features. The features greater than the threshold will be binarized to 1.0. The features equal to or less than the threshold will be binarized to 0.0", default: 0.0)
    public let thresholds = Param<[Double]>("thresholds", "Param for array of threshold used to binarize continuous features. This is for multiple columns input. If transforming multiple columns and thresholds is not set, but threshold is set, then threshold will be applied across all columns.")

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String, threshold: Double? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let t = threshold { set(self.threshold, t) }
    }

    public convenience init(inputCols: [String], outputCols: [String], thresholds: [Double]? = nil) {
        self.init()
        set(self.inputCols, inputCols)
        set(self.outputCols, outputCols)
        if let t = thresholds { set(self.thresholds, t) }
    }

    /// (input, output, threshold) per column.
    func columns() throws -> [(String, String, Double)] {
        let pairs = try FeatureSupport.columnPairs(self, inputCol: inputCol, outputCol: outputCol, inputCols: inputCols, outputCols: outputCols)
        if isSet(inputCols.name), isSet(thresholds.name) {
            let ts = try value(thresholds)
            guard ts.count == pairs.count else {
                throw MLError.invalidParam(uid, thresholds.name, "has \(ts.count) values but inputCols has \(pairs.count) columns")
            }
            return zip(pairs, ts).map { ($0.0, $0.1, $1) }
        }
        if !isSet(inputCols.name), isSet(thresholds.name) {
            throw MLError.invalidParam(uid, thresholds.name, "is for multiple columns: use threshold with inputCol")
        }
        let t = try value(threshold)
        return pairs.map { ($0.0, $0.1, t) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        var s = schema
        for (i, o, _) in try columns() {
            let f = try SchemaUtils.field(schema, i, stage: uid)
            guard f.dataType.isNumeric || f.dataType.isVector else {
                throw MLError.invalidColumn(uid, "Data type \(f.dataType.sql) of column \(i) is not supported.")
            }
            s = try SchemaUtils.appendColumn(s, o, f.dataType.isVector ? .vector : .double, nullable: f.dataType.isVector, stage: uid)
        }
        return s
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        let schema = try df.schema()
        _ = try transformSchema(schema)
        var out = df
        for (i, o, td) in try columns() {
            if try SchemaUtils.field(schema, i, stage: uid).dataType.isVector {
                out = out.withColumn(o, VectorKernels.column("binarizer", i, stage: uid, size: nil) {
                    var idx: [Int32] = [], vals: [Double] = [], dense: [Double] = []
                    return { r, row, a in
                        let n = r.size(row)
                        if td >= 0 {
                            idx.removeAll(keepingCapacity: true)
                            vals.removeAll(keepingCapacity: true)
                            r.forEachActive(row) { j, x in if x > td { idx.append(Int32(j)); vals.append(1) } }
                            idx.withUnsafeBufferPointer { ib in vals.withUnsafeBufferPointer { vb in a.appendCompressed(size: n, indices: ib, values: vb) } }
                        } else {
                            // Implicit zeros exceed a negative threshold: the output is mostly ones.
                            dense = [Double](repeating: 1, count: n)
                            r.forEachActive(row) { j, x in if !(x > td) { dense[j] = 0 } }
                            dense.withUnsafeBufferPointer { VectorKernels.appendCompressedDense($0, into: &a, idx: &idx, vals: &vals) }
                        }
                    }
                })
            } else {
                let stage = uid
                let f = udf("binarizer", returnType: .double, nullable: false) { cols, n in
                    let c = cols[0]
                    let xs = try FeatureSupport.doubles(c, stage: stage)
                    return FeatureSupport.doubleColumn([Double](unsafeUninitializedCapacity: n) { b, count in
                        for k in 0..<n { b[k] = !c.isNull(k) && xs[k] > td ? 1 : 0 }
                        count = n
                    })
                }
                out = out.withColumn(o, f(col(i).cast(.double)))
            }
        }
        return out
    }
}
