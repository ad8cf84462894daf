import Ember
import EmberCore
import Foundation

/// The params `IDF` and `IDFModel` share.
public protocol IDFParams: AnyObject {
    var inputCol: Param<String> { get }
    var outputCol: Param<String> { get }
    var minDocFreq: Param<Int> { get }
}

enum IDFShared {
    static func minDocFreq() -> Param<Int> {
        Param("minDocFreq", "minimum number of documents in which a term should appear for filtering", default: 0, .gtEq(0))
    }

    static func transformSchema(_ stage: PipelineStage, _ schema: Schema, inputCol: String, outputCol: String) throws -> Schema {
        try stage.validateParams()
        try SchemaUtils.checkVector(schema, inputCol, stage: stage.uid)
        let f = try SchemaUtils.field(schema, inputCol, stage: stage.uid)
        return try SchemaUtils.appendColumn(schema, outputCol, .vector, nullable: f.nullable, stage: stage.uid)
    }
}

/// Learns inverse document frequencies of term-frequency vectors (Spark's `IDF`):
/// idf = log((m + 1) / (df + 1)) for m documents, df the number of documents with a
/// positive value for the term; terms in fewer than `minDocFreq` documents get 0.
public final class IDF: Estimator, IDFParams {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let minDocFreq = IDFShared.minDocFreq()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String, minDocFreq: Int? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let m = minDocFreq { set(self.minDocFreq, m) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try IDFShared.transformSchema(self, schema, inputCol: try value(inputCol), outputCol: try value(outputCol))
    }

    public override func fit(_ df: DataFrame) throws -> IDFModel {
        _ = try transformSchema(try df.schema())
        let input = try value(inputCol), minDF = try value(minDocFreq)
        let batches = try df.select(col(input)).collectBatches()
        let readers = try batches.map { try VectorColumnReader($0.columns[0], what: uid) }
        var size = -1
        var starts: [Int] = [0]
        var m = 0
        for r in readers {
            for i in 0..<r.count {
                if r.isNull(i) { throw MLError.invalidData(uid, "column \(input) has a NULL vector at row \(m + i)") }
                let s = r.size(i)
                if size < 0 { size = s } else if s != size {
                    throw MLError.invalidData(uid, "vectors in \(input) have different sizes (\(size) and \(s) at row \(m + i))")
                }
            }
            m += r.count
            starts.append(m)
        }
        guard m > 0, size >= 0 else { throw MLError.invalidData(uid, "cannot fit IDF on an empty dataset") }
        let d = size
        let partials: [[Int]] = Parallel.mapRanges(m) { range in
            var counts = [Int](repeating: 0, count: d)
            var b = 0
            while starts[b + 1] <= range.lowerBound { b += 1 }
            var row = range.lowerBound
            while row < range.upperBound {
                let r = readers[b]
                let hi = min(range.upperBound, starts[b + 1])
                for g in row..<hi {
                    r.forEachActive(g - starts[b]) { j, x in if x > 0 { counts[j] += 1 } }
                }
                row = hi
                b += 1
            }
            return counts
        }
        var docFreq = [Int](repeating: 0, count: d)
        for p in partials { for j in 0..<d { docFreq[j] += p[j] } }
        let idf = docFreq.map { df in df >= minDF ? Foundation.log((Double(m) + 1) / (Double(df) + 1)) : 0 }
        let model = IDFModel(uid: uid)
        copyValues(to: model)
        model.idf = idf
        model.docFreq = docFreq
        model.numDocs = m
        model.parentUID = uid
        return model
    }
}

/// Scales term-frequency vectors by learned inverse document frequencies (Spark's
/// `IDFModel`); dense rows stay dense, sparse rows keep their indices.
public final class IDFModel: Model, IDFParams {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let minDocFreq = IDFShared.minDocFreq()

    /// The inverse document frequency of each term.
    public internal(set) var idf: [Double] = []
    /// The number of documents each term appears in.
    public internal(set) var docFreq: [Int] = []
    /// The number of documents fitted on.
    public internal(set) var numDocs = 0

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public override func copyState(from other: Params) {
        guard let o = other as? IDFModel else { return }
        idf = o.idf; docFreq = o.docFreq; numDocs = o.numDocs; parentUID = o.parentUID
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try IDFShared.transformSchema(self, schema, inputCol: try value(inputCol), outputCol: try value(outputCol))
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let weights = idf, stage = uid
        let f = udf("idf", returnType: .vector) { cols, n in try IDFModel.scale(cols[0], count: n, idf: weights, stage: stage) }
        return df.withColumn(try value(outputCol), f(col(try value(inputCol))))
    }

    static func scale(_ column: ColumnData, count n: Int, idf: [Double], stage: String) throws -> ColumnData {
        let r = try VectorColumnReader(column, what: stage)
        var out = VectorColumnAppender(capacity: n)
        var idx: [Int32] = []
        var vals: [Double] = []
        for row in 0..<n {
            if r.isNull(row) { out.appendNull(); continue }
            guard r.size(row) == idf.count else {
                throw MLError.invalidData(stage, "vector size \(r.size(row)) does not match the IDF size \(idf.count) at row \(row)")
            }
            idx.removeAll(keepingCapacity: true)
            vals.removeAll(keepingCapacity: true)
            let dense = r.isDense(row)
            r.forEachActive(row) { j, x in
                if !dense { idx.append(Int32(j)) }
                vals.append(x * idf[j])
            }
            if dense {
                vals.withUnsafeBufferPointer { out.appendDense($0) }
            } else {
                idx.withUnsafeBufferPointer { ib in vals.withUnsafeBufferPointer { vb in out.appendSparse(size: idf.count, indices: ib, values: vb) } }
            }
        }
        return out.finish()
    }

    public override func saveData(to dir: String, session: Session) throws {
        let schema = Schema([StructField("idf", .vector, nullable: false), StructField("docFreq", .array(element: .long, containsNull: false), nullable: false),
                             StructField("numDocs", .long, nullable: false)])
        let row: [Value] = [Vectors.dense(idf).value, .array(docFreq.map { .long(Int64($0)) }), .long(Int64(numDocs))]
        try session.createDataFrame([row], schema: schema).write.parquet(dir + "/data")
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let rows = try session.read.parquet(dir + "/data").select("idf", "docFreq", "numDocs").collect()
        guard rows.count == 1, case .array(let dfs) = rows[0].values[1], case .long(let m) = rows[0].values[2] else {
            throw MLError.invalidModelDirectory(dir, "IDFModel data must be one row of (idf, docFreq, numDocs)")
        }
        idf = try Vector(value: rows[0].values[0]).toArray()
        docFreq = try dfs.map { v in
            guard case .long(let x) = v else { throw MLError.invalidModelDirectory(dir, "IDFModel docFreq must be longs") }
            return Int(x)
        }
        guard docFreq.count == idf.count else { throw MLError.invalidModelDirectory(dir, "IDFModel idf and docFreq differ in size") }
        numDocs = Int(m)
    }
}
