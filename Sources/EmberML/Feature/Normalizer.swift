import Ember
import EmberCore
import Foundation

/// Scales each vector to unit p-norm (Spark's `Normalizer`); a zero vector stays as it
/// is, and each row keeps its dense or sparse form.
public final class Normalizer: Transformer {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let p = Param<Double>("p", "the p norm value", default: 2.0, .gtEq(1))

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String, p: Double? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let x = p { set(self.p, x) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try FeatureSupport.vectorToVectorSchema(self, schema, inputCol: inputCol, outputCol: outputCol)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let power = try value(p)
        return df.withColumn(try value(outputCol), VectorKernels.column("normalizer", try value(inputCol), stage: uid, size: nil) {
            var idx: [Int32] = [], vals: [Double] = []
            return { r, row, a in
                idx.removeAll(keepingCapacity: true)
                vals.removeAll(keepingCapacity: true)
                r.forEachActive(row) { j, x in idx.append(Int32(j)); vals.append(x) }
                // Spark's Vectors.norm over the stored values.
                var norm = 0.0
                if power == 1 {
                    for x in vals { norm += abs(x) }
                } else if power == 2 {
                    for x in vals { norm += x * x }
                    norm = norm.squareRoot()
                } else if power.isInfinite {
                    for x in vals { norm = Swift.max(norm, abs(x)) }
                } else {
                    for x in vals { norm += pow(abs(x), power) }
                    norm = pow(norm, 1 / power)
                }
                if norm != 0 { for k in vals.indices { vals[k] /= norm } }
                vals.withUnsafeBufferPointer { vb in
                    if r.isDense(row) {
                        a.appendDense(vb)
                    } else {
                        idx.withUnsafeBufferPointer { ib in a.appendSparse(size: r.size(row), indices: ib, values: vb) }
                    }
                }
            }
        })
    }
}
