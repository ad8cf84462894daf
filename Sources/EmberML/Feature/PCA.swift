import Ember
import EmberCore
import Foundation

enum PCAParams {
    static func k() -> Param<Int> { Param("k", "the number of principal components (> 0)", .gt(0)) }
}

/// Principal component analysis (Spark's `org.apache.spark.ml.feature.PCA`): the top `k`
/// eigenvectors of the sample covariance matrix (Spark's
/// `RowMatrix.computePrincipalComponentsAndExplainedVariance`) and their share of the total
/// variance. The covariance is accumulated in one parallel pass over rows shifted by the
/// first row (numerically as good as centering); the eigendecomposition is Jacobi's
/// (`SymmetricEigen`). Each component is signed so that its largest-magnitude entry is
/// negative: Spark's sign comes from LAPACK's SVD of the covariance, which gave that sign on
/// every component of the test data (an empirical match, not a guarantee).
public final class PCA: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let k = PCAParams.k()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(k: Int? = nil, inputCol: String? = nil, outputCol: String? = nil) {
        self.init()
        if let v = k { set(self.k, v) }
        if let v = inputCol { set(self.inputCol, v) }
        if let v = outputCol { set(self.outputCol, v) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        _ = try value(k)
        try SchemaUtils.checkVector(schema, try value(inputCol), stage: uid)
        return try SchemaUtils.appendColumn(schema, try value(outputCol), .vector, stage: uid)
    }

    public override func fit(_ df: DataFrame) throws -> PCAModel {
        _ = try transformSchema(try df.schema())
        let k = try value(self.k)
        let data = try Instances.load(df, featuresCol: try value(inputCol), labelCol: nil, weightCol: nil, stage: uid)
        let n = data.count, d = data.numFeatures
        guard k <= d else { throw MLError.invalidParam(uid, "k", "= \(k) out of range (0, n = \(d)]: k must not exceed the number of features") }
        guard n > 1 else { throw MLError.invalidData(uid, "computing the covariance needs at least 2 rows, got \(n)") }
        guard d <= 65_535 else { throw MLError.invalidData(uid, "\(d) features: the covariance path supports at most 65535") }
        let cov = PCA.covariance(data)
        let eig = try SymmetricEigen(cov)
        let total = eig.eigenvalues.reduce(0) { $0 + max($1, 0) }
        let variance = (0..<k).map { total > 0 ? max(eig.eigenvalues[$0], 0) / total : 0 }
        // SymmetricEigen makes the largest-magnitude entry positive; flip to negative.
        let pc = try DenseMatrix(d, k, eig.eigenvectors.values[0..<(d * k)].map { -$0 })
        let model = PCAModel(uid: uid, pc: pc, explainedVariance: Vectors.dense(variance))
        copyValues(to: model)
        model.parentUID = uid
        return model
    }

    /// The sample covariance (n − 1 denominator), column-major d × d: per-chunk sums and
    /// packed Gram matrices of the rows minus row 0, reduced, then
    /// (G − n·m·mᵀ) / (n − 1) with m the mean shifted row.
    static func covariance(_ data: Instances) -> DenseMatrix {
        let n = data.count, d = data.numFeatures
        var shift = [Double](repeating: 0, count: d)
        data.forEachActive(0) { j, x in shift[j] = x }
        let packed = d * (d + 1) / 2
        struct Partial { var sum: [Double]; var gram: [Double] }
        let chunk = 8_192
        let chunks = (n + chunk - 1) / chunk
        let parts = Parallel.mapRanges(chunks) { cs -> [Partial] in
            var row = [Double](repeating: 0, count: d)
            return cs.map { c -> Partial in
                var p = Partial(sum: [Double](repeating: 0, count: d), gram: [Double](repeating: 0, count: packed))
                p.sum.withUnsafeMutableBufferPointer { sv in
                    p.gram.withUnsafeMutableBufferPointer { gv in
                        row.withUnsafeMutableBufferPointer { rv in
                            shift.withUnsafeBufferPointer { sh in
                                let range = (c * chunk)..<min(n, (c + 1) * chunk)
                                func add() {
                                    for j in 0..<d { sv[j] += rv[j] }
                                    BLAS.spr(1, UnsafeBufferPointer(rv), gv)
                                }
                                if let m = data.dense {
                                    m.withUnsafeBufferPointer { mv in
                                        for i in range {
                                            let base = i * d
                                            for j in 0..<d { rv[j] = mv[base + j] - sh[j] }
                                            add()
                                        }
                                    }
                                } else {
                                    for i in range {
                                        for j in 0..<d { rv[j] = -sh[j] }
                                        data.forEachActive(i) { j, x in rv[j] += x }
                                        add()
                                    }
                                }
                            }
                        }
                    }
                }
                return p
            }
        }.flatMap { $0 }
        var sum = [Double](repeating: 0, count: d), gram = [Double](repeating: 0, count: packed)
        for p in parts {
            for j in 0..<d { sum[j] += p.sum[j] }
            for t in 0..<packed { gram[t] += p.gram[t] }
        }
        let nn = Double(n)
        var cov = BLAS.unpackUpper(gram, n: d)
        for j in 0..<d {
            for i in 0..<d {
                cov.values[i + j * d] = (cov.values[i + j * d] - sum[i] * sum[j] / nn) / (nn - 1)
            }
        }
        return cov
    }
}

/// A fitted PCA (Spark's `PCAModel`): `pc` (numFeatures × k principal components as
/// columns) and `explainedVariance` (each component's share of the total variance).
/// `transform` projects without centering, as Spark: pcᵀ·x.
public final class PCAModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let k = PCAParams.k()

    public private(set) var pc = DenseMatrix.zeros(0, 0)
    public private(set) var explainedVariance = Vectors.dense([])

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(uid: String, pc: DenseMatrix, explainedVariance: Vector) {
        self.init(uid: uid)
        self.pc = pc
        self.explainedVariance = explainedVariance
    }

    public override func copyState(from other: Params) {
        if let o = other as? PCAModel { pc = o.pc; explainedVariance = o.explainedVariance; parentUID = o.parentUID }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try FeatureSupport.vectorToVectorSchema(self, schema, inputCol: inputCol, outputCol: outputCol)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let d = pc.numRows, k = pc.numCols
        // Row-major k × d (the transpose), so each output is a contiguous dot product.
        var t = [Double](repeating: 0, count: k * d)
        for c in 0..<k { for j in 0..<d { t[c * d + j] = pc[j, c] } }
        let stage = uid, input = try value(inputCol)
        let f = udf("pca", returnType: .vector, nullable: true) { cols, _ in
            let r = try VectorColumnReader(cols[0], what: stage)
            let n = r.count
            var out = [Double](repeating: 0, count: n * k)
            var validity: Bitmap? = nil
            try out.withUnsafeMutableBufferPointer { ov in
                try t.withUnsafeBufferPointer { tv in
                    for i in 0..<n {
                        if r.isNull(i) {
                            if validity == nil { validity = Bitmap(count: n, value: true) }
                            validity?[i] = false
                            continue
                        }
                        guard r.size(i) == d else {
                            throw MLError.invalidData(stage, "vector size \(r.size(i)) in \(input) does not match the \(d) features of the model")
                        }
                        let base = i * k
                        r.forEachActive(i) { j, x in
                            if x != 0 { for c in 0..<k { ov[base + c] += tv[c * d + j] * x } }
                        }
                    }
                }
            }
            return VectorColumnBuilder.dense(out, dim: k, count: n, validity: validity)
        }
        return df.withColumn(try value(outputCol), f(col(input)))
    }

    /// Writes `data/` as one row: pc (numRows, numCols, column-major values) and explainedVariance.
    public override func saveData(to dir: String, session: Session) throws {
        let schema = Schema([StructField("numRows", .int), StructField("numCols", .int), StructField("pc", .vector),
                             StructField("explainedVariance", .vector)])
        let m = pc.columnMajor
        try FeatureSupport.saveData([.int(Int32(m.numRows)), .int(Int32(m.numCols)), Vectors.dense(m.values).value, explainedVariance.value],
                                    schema: schema, dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let row = try FeatureSupport.loadRow(dir, session: session)
        guard case .int(let r) = try FeatureSupport.field(row, "numRows", dir), case .int(let c) = try FeatureSupport.field(row, "numCols", dir) else {
            throw MLError.invalidModelDirectory(dir, "numRows/numCols are not ints")
        }
        let values = try FeatureSupport.vectorValue(row, "pc", dir).toArray()
        guard r >= 0, c >= 0, values.count == Int(r) * Int(c) else { throw MLError.invalidModelDirectory(dir, "pc does not hold \(r) × \(c) values") }
        pc = try DenseMatrix(Int(r), Int(c), values)
        explainedVariance = try FeatureSupport.vectorValue(row, "explainedVariance", dir)
    }
}
