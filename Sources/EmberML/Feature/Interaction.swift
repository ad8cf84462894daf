import Ember
import EmberCore

/// The products of every combination of one feature from each input column (Spark's
/// `Interaction`): numeric columns are one feature, vector columns their elements; the
/// first column varies slowest. Spark takes vector sizes from column attributes, which
/// Ember does not keep: each row's own sizes are used. Outputs are in compressed form.
public final class Interaction: Transformer {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCols = SharedParams.inputCols()
    public let outputCol = SharedParams.outputCol()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCols: [String], outputCol: String) {
        self.init()
        set(self.inputCols, inputCols)
        set(self.outputCol, outputCol)
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        let inputs = try value(inputCols)
        guard !inputs.isEmpty else { throw MLError.invalidParam(uid, inputCols.name, "must not be empty") }
        for c in inputs {
            let f = try SchemaUtils.field(schema, c, stage: uid)
            guard f.dataType.isNumeric || f.dataType.isVector else {
                throw MLError.invalidColumn(uid, "Data type \(f.dataType.sql) of column \(c) is not supported.")
            }
        }
        return try SchemaUtils.appendColumn(schema, try value(outputCol), .vector, nullable: false, stage: uid)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        let schema = try df.schema()
        _ = try transformSchema(schema)
        let inputs = try value(inputCols)
        let isVector = try inputs.map { try SchemaUtils.field(schema, $0, stage: uid).dataType.isVector }
        let stage = uid
        let f = udf("interaction", returnType: .vector, nullable: false) { cols, n in
            let readers = try zip(cols, isVector).map { c, v in v ? try VectorColumnReader(c, what: stage) : nil }
            let numbers = try zip(cols, isVector).map { c, v in v ? [] : try FeatureSupport.doubles(c, stage: stage) }
            var a = VectorColumnAppender(capacity: n)
            var idx: [Int32] = [], vals: [Double] = [], prevIdx: [Int32] = [], prevVals: [Double] = []
            for row in 0..<n {
                idx.removeAll(keepingCapacity: true); idx.append(0)
                vals.removeAll(keepingCapacity: true); vals.append(1)
                var size = 1
                for k in stride(from: cols.count - 1, through: 0, by: -1) {
                    swap(&idx, &prevIdx); swap(&vals, &prevVals)
                    idx.removeAll(keepingCapacity: true); vals.removeAll(keepingCapacity: true)
                    let prevSize = size
                    if let r = readers[k] {
                        if r.isNull(row) { throw MLError.invalidData(stage, "Interaction met a NULL vector in \(inputs[k])") }
                        size *= r.size(row)
                        r.forEachActive(row) { i, x in
                            guard x != 0 else { return }
                            for j in prevIdx.indices { idx.append(prevIdx[j] + Int32(i * prevSize)); vals.append(prevVals[j] * x) }
                        }
                    } else {
                        if cols[k].isNull(row) { throw MLError.invalidData(stage, "Interaction met a NULL in \(inputs[k])") }
                        let x = numbers[k][row]
                        if x != 0 { for j in prevIdx.indices { idx.append(prevIdx[j]); vals.append(prevVals[j] * x) } }
                    }
                }
                // Drop products that came out zero, as Spark's compressed form does.
                var nz = 0
                for j in vals.indices where vals[j] != 0 { idx[nz] = idx[j]; vals[nz] = vals[j]; nz += 1 }
                idx.removeLast(idx.count - nz); vals.removeLast(vals.count - nz)
                idx.withUnsafeBufferPointer { ib in vals.withUnsafeBufferPointer { vb in a.appendCompressed(size: size, indices: ib, values: vb) } }
            }
            return a.finish()
        }
        let args = zip(inputs, isVector).map { c, v in v ? col(c) : col(c).cast(.double) }
        return df.withColumn(try value(outputCol), f(args))
    }
}
