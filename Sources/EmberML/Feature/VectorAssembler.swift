import Ember
import EmberCore

/// Concatenates numeric, boolean and vector columns into one vector column (Spark's
/// `VectorAssembler`). Each row is stored in Spark's compressed form (sparse when that is
/// smaller). `handleInvalid`: "error" (NULL or NaN throws), "skip" (drops those rows),
/// "keep" (NaN for a NULL or NaN number; vectors must not be NULL).
public final class VectorAssembler: Transformer {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCols = SharedParams.inputCols()
    public let outputCol = SharedParams.outputCol()
    public let handleInvalid = SharedParams.handleInvalid(
        "How to handle invalid data (NULL and NaN values). Options are 'skip' (filter out rows with invalid data), 'error' (throw an error), or 'keep' (return relevant number of NaN in the output). Column lengths are taken from the size of ML Attribute Group, which can be set using `VectorSizeHint` in a pipeline before `VectorAssembler`. Column lengths can also be inferred from first rows of the data since it is safe to do so but only in case of 'error' or 'skip'.",
        default: "error", ["skip", "error", "keep"])

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCols: [String], outputCol: String, handleInvalid: String? = nil) {
        self.init()
        set(self.inputCols, inputCols)
        set(self.outputCol, outputCol)
        if let h = handleInvalid { set(self.handleInvalid, h) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        let inputs = try value(inputCols)
        for c in inputs {
            let f = try SchemaUtils.field(schema, c, stage: uid)
            guard f.dataType.isNumeric || f.dataType == .boolean || f.dataType.isVector else {
                throw MLError.invalidColumn(uid, "Data type \(f.dataType.sql) of column \(c) is not supported.")
            }
        }
        return try SchemaUtils.appendColumn(schema, try value(outputCol), .vector, nullable: false, stage: uid)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        let schema = try df.schema()
        _ = try transformSchema(schema)
        let inputs = try value(inputCols)
        let mode = try value(handleInvalid).lowercased()
        let isVector = try inputs.map { try SchemaUtils.field(schema, $0, stage: uid).dataType.isVector }
        if mode == "keep", let i = isVector.firstIndex(of: true) {
            throw MLError.invalidData(uid, "VectorAssembler cannot determine the size of empty vectors. Consider applying VectorSizeHint to [\(inputs[i])] so that this transformer can be used to transform empty columns.")
        }
        var input = df
        if mode == "skip" {
            for (c, v) in zip(inputs, isVector) {
                input = input.filter(v ? col(c).isNotNull() : (col(c).isNotNull() && !callFunction("isnan", col(c).cast(.double))))
            }
        }
        let args = zip(inputs, isVector).map { c, v in v ? col(c) : col(c).cast(.double) }
        let keep = mode == "keep"
        let stage = uid
        let outName = try value(outputCol)
        // The output's attributes: each input's own (a nominal index, a vector's group) or
        // numeric; none when a vector input does not say its size.
        var features: [MLAttributes.Feature]? = []
        for c in inputs {
            let f = try SchemaUtils.field(schema, c, stage: uid)
            if let fs = MLAttributes.features(f) { features?.append(contentsOf: fs) } else if f.dataType.isVector { features = nil } else {
                features?.append(.numeric)  // numbers and booleans, as Spark
            }
        }
        let metadata = features.map { MLAttributes.group(name: outName, features: $0) } ?? [:]
        let assemble = udf("vector_assembler", returnType: .vector, nullable: false, metadata: metadata) { cols, n in
            try VectorAssembler.assemble(cols, count: n, vectors: isVector, keep: keep, stage: stage)
        }
        return input.withColumn(outName, assemble(args))
    }

    static func assemble(_ cols: [ColumnData], count n: Int, vectors: [Bool], keep: Bool, stage: String) throws -> ColumnData {
        if !vectors.contains(true), let fast = assembleNumbers(cols, count: n, keep: keep) { return fast }
        let readers = try zip(cols, vectors).map { c, v in v ? try VectorColumnReader(c, what: stage) : nil }
        let doubles = cols.map { $0.doubles ?? [] }
        var out = VectorColumnAppender(capacity: n)
        var idx: [Int32] = []
        var vals: [Double] = []
        for row in 0..<n {
            idx.removeAll(keepingCapacity: true)
            vals.removeAll(keepingCapacity: true)
            var at = 0
            for k in cols.indices {
                if let r = readers[k] {
                    if r.isNull(row) {
                        throw MLError.invalidData(stage, "Encountered null while assembling a row with handleInvalid = \"error\". Consider removing nulls from dataset or using handleInvalid = \"keep\" or \"skip\".")
                    }
                    let base = at
                    r.forEachActive(row) { j, x in
                        if x != 0 { idx.append(Int32(base + j)); vals.append(x) }
                    }
                    at += r.size(row)
                } else {
                    let x = cols[k].isNull(row) ? Double.nan : doubles[k][row]
                    if x.isNaN && !keep {
                        let what = cols[k].isNull(row) ? "null" : "NaN"
                        throw MLError.invalidData(stage, "Encountered \(what) while assembling a row with handleInvalid = \"error\". Consider removing \(what)s from dataset or using handleInvalid = \"keep\" or \"skip\".")
                    }
                    if x != 0 { idx.append(Int32(at)); vals.append(x) }
                    at += 1
                }
            }
            idx.withUnsafeBufferPointer { ib in
                vals.withUnsafeBufferPointer { vb in out.appendCompressed(size: at, indices: ib, values: vb) }
            }
        }
        return out.finish()
    }

    /// Numbers only: rows written straight from the columns. A NULL or NaN is kept as NaN
    /// with `keep`; without, such a row returns nil and the general path reports it.
    static func assembleNumbers(_ cols: [ColumnData], count n: Int, keep: Bool) -> ColumnData? {
        let arrays = cols.compactMap { $0.doubles }
        guard arrays.count == cols.count else { return nil }
        let k = arrays.count
        var out = VectorColumnAppender(capacity: n)
        out.reserveValues(n * k)
        var row = [Double](repeating: 0, count: k)
        var idx = [Int32](repeating: 0, count: k)
        var vals = [Double](repeating: 0, count: k)
        // The columns' buffers and validity words, kept alive by `arrays` and `cols` for the loop.
        var bases: [UnsafePointer<Double>] = []
        var valid: [UnsafePointer<UInt64>?] = []
        for (a, c) in zip(arrays, cols) {
            guard let b = a.withUnsafeBufferPointer({ $0.baseAddress }) else { return nil }
            bases.append(b)
            valid.append(c.validity?.words.withUnsafeBufferPointer { $0.baseAddress })
        }
        let ok: Bool = withExtendedLifetime((arrays, cols)) {
            bases.withUnsafeBufferPointer { src in
                valid.withUnsafeBufferPointer { vs in
                    row.withUnsafeMutableBufferPointer { r in
                        idx.withUnsafeMutableBufferPointer { ib in
                            vals.withUnsafeMutableBufferPointer { vb in
                                for i in 0..<n {
                                    var nnz = 0
                                    for c in 0..<k {
                                        var x = src[c][i]
                                        if let w = vs[c], w[i >> 6] & (1 << UInt64(i & 63)) == 0 { x = .nan }
                                        if x.isNaN && !keep { return false }
                                        r[c] = x
                                        if x != 0 { ib[nnz] = Int32(c); vb[nnz] = x; nnz += 1 }
                                    }
                                    if Vector.prefersSparse(size: k, nonzeros: nnz) {
                                        out.appendSparse(size: k, indices: UnsafeBufferPointer(rebasing: ib[0..<nnz]), values: UnsafeBufferPointer(rebasing: vb[0..<nnz]))
                                    } else {
                                        out.appendDense(UnsafeBufferPointer(r))
                                    }
                                }
                                return true
                            }
                        }
                    }
                }
            }
        }
        return ok ? out.finish() : nil
    }
}
