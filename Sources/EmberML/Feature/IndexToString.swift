import Ember
import EmberCore

/// Maps a column of label indices back to the labels (Spark's `IndexToString`), e.g. the
/// labels of a `StringIndexerModel`. Ember keeps no column metadata, so `labels` must be
/// set. A NULL index gives NULL; an index outside the labels is an error.
public final class IndexToString: Transformer {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let labels = Param<[String]>("labels", "Optional array of labels specifying index-string mapping. If not provided or if empty, then metadata from inputCol is used instead.")

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String, labels: [String]) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        set(self.labels, labels)
    }

    /// Uses the labels of a fitted `StringIndexerModel` (its first column).
    public convenience init(inputCol: String, outputCol: String, model: StringIndexerModel) {
        self.init(inputCol: inputCol, outputCol: outputCol, labels: model.labels)
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        let input = try value(inputCol)
        try SchemaUtils.checkNumericType(schema, input, stage: uid)
        guard let l = get(labels), !l.isEmpty else {
            throw MLError.invalidParam(uid, labels.name, "is not set: Ember columns carry no label metadata, so labels must be given")
        }
        return try SchemaUtils.appendColumn(schema, try value(outputCol), .string, nullable: true, stage: uid)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let values = try value(labels)
        let stage = uid
        let f = udf("index_to_string", returnType: .string, nullable: true) { cols, n in
            let c = cols[0]
            let xs = try FeatureSupport.doubles(c, stage: stage)
            var b = ColumnBuilder(type: .string, capacity: n)
            for i in 0..<n {
                if c.isNull(i) { try b.append(.null); continue }
                let x = xs[i]
                guard x.isFinite, x > -1, x < Double(values.count) else {
                    let shown = x.isFinite && abs(x) < 9e15 ? String(Int(x)) : NumberFormat.javaDouble(x)
                    throw MLError.invalidData(stage, "Unseen index: \(shown) ??")
                }
                try b.append(.string(values[Int(x)]))
            }
            return b.finish()
        }
        return df.withColumn(try value(outputCol), f(col(try value(inputCol)).cast(.double)))
    }
}
