import Ember
import EmberCore
import Foundation

enum GaussianMixtureParams {
    static let defaultSeed = 6_265_928_291_931_965_282
    static func k() -> Param<Int> { ClusteringParams.k(2, "Number of independent Gaussians in the mixture model. Must be > 1.") }
}

/// A multivariate normal distribution prepared for density evaluation as Spark's
/// `MultivariateGaussian`: Σ = U·diag(λ)·Uᵀ, eigenvalues below
/// EPSILON·max(λ)·d dropped (pseudo-inverse and pseudo-determinant).
struct GaussianDensity {
    let dim: Int
    let mean: [Double]
    /// Row-major `dim × dim`: diag(1/√λ)·Uᵀ (zero rows for dropped eigenvalues).
    let rootSigmaInv: [Double]
    /// −½(d·log 2π + log pdet Σ).
    let u: Double

    /// `cov` is the full column-major `dim × dim` covariance.
    init(mean: [Double], cov: DenseMatrix) throws {
        let d = mean.count
        dim = d
        self.mean = mean
        let eig = try SymmetricEigen(cov)
        let maxEig = eig.eigenvalues.max() ?? 0
        let tol = Distance.epsilon * maxEig * Double(d)
        var logDet = 0.0
        var r = [Double](repeating: 0, count: d * d)
        for (c, l) in eig.eigenvalues.enumerated() where l > tol {
            logDet += Foundation.log(l)
            let s = (1 / l).squareRoot()
            for j in 0..<d { r[c * d + j] = s * eig.eigenvectors[j, c] }
        }
        rootSigmaInv = r
        u = -0.5 * (Double(d) * Foundation.log(2 * Double.pi) + logDet)
    }

    /// log density at `x`; `scratch` has room for `dim` values.
    @inline(__always)
    func logpdf(_ x: UnsafePointer<Double>, _ scratch: UnsafeMutablePointer<Double>, _ m: UnsafePointer<Double>, _ r: UnsafePointer<Double>) -> Double {
        for j in 0..<dim { scratch[j] = x[j] - m[j] }
        var s = 0.0
        for c in 0..<dim {
            var v = 0.0
            let base = c * dim
            for j in 0..<dim { v += r[base + j] * scratch[j] }
            s += v * v
        }
        return u - 0.5 * s
    }
}

/// Gaussian mixture model fitted by expectation-maximization (Spark's
/// `org.apache.spark.ml.clustering.GaussianMixture`): full covariances, Spark's random
/// initialization (k·5 rows sampled with replacement: each component's mean is the weighted
/// mean of its 5 rows, its covariance the diagonal of their biased variances), iterations
/// until the log-likelihood changes by at most `tol` or `maxIter`. The E step runs over
/// fixed row chunks in parallel. The sampled rows differ from Spark's (its sampler over
/// partitions is not reproduced); on well-separated data the fixed point is the same.
public final class GaussianMixture: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.clustering" }

    public let featuresCol = SharedParams.featuresCol()
    public let predictionCol = SharedParams.predictionCol()
    public let probabilityCol = SharedParams.probabilityCol()
    public let weightCol = SharedParams.weightCol()
    public let k = GaussianMixtureParams.k()
    public let maxIter = SharedParams.maxIter(100)
    public let tol = SharedParams.tol(0.01)
    public let seed = SharedParams.seed(GaussianMixtureParams.defaultSeed)
    public let aggregationDepth = SharedParams.aggregationDepth()

    public required init(uid: String) { super.init(uid: uid) }

    public convenience init(k: Int? = nil, maxIter: Int? = nil, tol: Double? = nil, seed: Int? = nil, featuresCol: String? = nil,
                            predictionCol: String? = nil, probabilityCol: String? = nil, weightCol: String? = nil) {
        self.init()
        if let v = k { set(self.k, v) }
        if let v = maxIter { set(self.maxIter, v) }
        if let v = tol { set(self.tol, v) }
        if let v = seed { set(self.seed, v) }
        if let v = featuresCol { set(self.featuresCol, v) }
        if let v = predictionCol { set(self.predictionCol, v) }
        if let v = probabilityCol { set(self.probabilityCol, v) }
        if let v = weightCol { set(self.weightCol, v) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        if let w = get(weightCol), !w.isEmpty { try SchemaUtils.checkNumericType(schema, w, stage: uid) }
        return try GaussianMixtureModel.outputSchema(schema, self, featuresCol, predictionCol, probabilityCol)
    }

    public override func fit(_ df: DataFrame) throws -> GaussianMixtureModel {
        _ = try transformSchema(try df.schema())
        let data = try ClusteringData.load(df, featuresCol: try value(featuresCol), weightCol: get(weightCol), cosine: false, stage: uid)
        let k = try value(self.k), d = data.dim, n = data.count
        guard d < 46_341 else { throw MLError.invalidData(uid, "GaussianMixture cannot handle more than 46341 features because the size of the covariance matrix is quadratic in the number of features.") }
        // Initialization: k·5 rows with replacement.
        let numSamples = 5
        var rng = XORShiftRandom(seed: Int64(try value(seed)))
        var weights = [Double](repeating: 0, count: k)
        var means = [[Double]](repeating: [Double](repeating: 0, count: d), count: k)
        var covs = [DenseMatrix](repeating: DenseMatrix.zeros(d, d), count: k)
        let samples = (0..<(k * numSamples)).map { _ in min(n - 1, Int(rng.nextDouble() * Double(n))) }
        let weightSum = samples.reduce(0) { $0 + data.weights[$1] }
        for c in 0..<k {
            let slice = samples[(c * numSamples)..<((c + 1) * numSamples)]
            let local = slice.reduce(0) { $0 + data.weights[$1] }
            weights[c] = local / weightSum
            for i in slice { for j in 0..<d { means[c][j] += data.weights[i] * data.x[i * d + j] } }
            for j in 0..<d { means[c][j] /= local }
            for i in slice { for j in 0..<d { let t = data.x[i * d + j] - means[c][j]; covs[c].values[j * d + j] += t * t } }
            for j in 0..<d { covs[c].values[j * d + j] /= Double(numSamples) }
        }
        var logLikelihood = -Double.greatestFiniteMagnitude, previous = 0.0
        var iter = 0
        let maxIter = try value(self.maxIter), tol = try value(self.tol)
        let packed = d * (d + 1) / 2
        while iter < maxIter && abs(logLikelihood - previous) > tol {
            let dens = try (0..<k).map { try GaussianDensity(mean: means[$0], cov: covs[$0]) }
            struct Partial { var w: [Double]; var means: [Double]; var covs: [Double]; var ll: Double }
            let ws = weights
            let parts = data.x.withUnsafeBufferPointer { xv -> [Partial] in
                guard let xp = xv.baseAddress else { return [] }
                let flatMeans = dens.flatMap(\.mean), flatR = dens.flatMap(\.rootSigmaInv)
                return flatMeans.withUnsafeBufferPointer { mv in
                    flatR.withUnsafeBufferPointer { rv in
                        data.mapChunks { _, range -> Partial in
                            var p = Partial(w: [Double](repeating: 0, count: k), means: [Double](repeating: 0, count: k * d),
                                            covs: [Double](repeating: 0, count: k * packed), ll: 0)
                            guard let mp = mv.baseAddress, let rp = rv.baseAddress else { return p }
                            var scratch = [Double](repeating: 0, count: d + k)
                            scratch.withUnsafeMutableBufferPointer { sb in
                                guard let sp = sb.baseAddress else { return }
                                let prob = sp + d
                                p.means.withUnsafeMutableBufferPointer { pm in
                                    p.covs.withUnsafeMutableBufferPointer { pc in
                                        for i in range {
                                            let x = xp + i * d
                                            var sum = 0.0
                                            for c in 0..<k {
                                                let v = Distance.epsilon + ws[c] * Foundation.exp(dens[c].logpdf(x, sp, mp + c * d, rp + c * d * d))
                                                prob[c] = v
                                                sum += v
                                            }
                                            let w = data.weights[i]
                                            p.ll += Foundation.log(sum) * w
                                            for c in 0..<k {
                                                let a = prob[c] / sum * w
                                                p.w[c] += a
                                                let mb = c * d
                                                for j in 0..<d { pm[mb + j] += a * x[j] }
                                                BLAS.spr(a, UnsafeBufferPointer(start: x, count: d), UnsafeMutableBufferPointer(rebasing: pc[(c * packed)..<((c + 1) * packed)]))
                                            }
                                        }
                                    }
                                }
                            }
                            return p
                        }
                    }
                }
            }
            var sw = [Double](repeating: 0, count: k), sm = [Double](repeating: 0, count: k * d), sc = [Double](repeating: 0, count: k * packed)
            var ll = 0.0
            for p in parts {
                for c in 0..<k { sw[c] += p.w[c] }
                for t in 0..<(k * d) { sm[t] += p.means[t] }
                for t in 0..<(k * packed) { sc[t] += p.covs[t] }
                ll += p.ll
            }
            let total = sw.reduce(0, +)
            for c in 0..<k {
                let w = sw[c]
                let m = (0..<d).map { sm[c * d + $0] / w }
                var cov = BLAS.unpackUpper(Array(sc[(c * packed)..<((c + 1) * packed)]), n: d)
                for a in 0..<d { for b in 0..<d { cov.values[a + b * d] = (cov.values[a + b * d] - w * m[a] * m[b]) / w } }
                weights[c] = w / total
                means[c] = m
                covs[c] = cov
            }
            previous = logLikelihood
            logLikelihood = ll
            iter += 1
        }
        let model = GaussianMixtureModel(uid: uid)
        copyValues(to: model)
        model.parentUID = uid
        try model.setState(weights: weights, means: means, covs: covs)
        let predicted = try model.transform(df)
        model.summary = ClusteringSummary(k: k, clusterSizes: try ClusteringOutputs.clusterSizes(predicted, try value(predictionCol), k: k),
                                          numIter: iter, trainingCost: 0, logLikelihood: logLikelihood,
                                          predictionCol: try value(predictionCol), featuresCol: try value(featuresCol))
        return model
    }
}

/// A fitted Gaussian mixture (Spark's `GaussianMixtureModel`): `weights` and `gaussians`
/// (mean, covariance); `transform` adds the posterior probabilities (vector) and the most
/// probable component (int).
public final class GaussianMixtureModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.clustering" }

    public let featuresCol = SharedParams.featuresCol()
    public let predictionCol = SharedParams.predictionCol()
    public let probabilityCol = SharedParams.probabilityCol()
    public let weightCol = SharedParams.weightCol()
    public let k = GaussianMixtureParams.k()
    public let maxIter = SharedParams.maxIter(100)
    public let tol = SharedParams.tol(0.01)
    public let seed = SharedParams.seed(GaussianMixtureParams.defaultSeed)
    public let aggregationDepth = SharedParams.aggregationDepth()

    public private(set) var weights: [Double] = []
    /// (mean, covariance) of each component.
    public private(set) var gaussians: [(mean: Vector, cov: DenseMatrix)] = []
    var densities: [GaussianDensity] = []
    public internal(set) var summary: ClusteringSummary? = nil
    public var hasSummary: Bool { summary != nil }

    public required init(uid: String) { super.init(uid: uid) }

    func setState(weights: [Double], means: [[Double]], covs: [DenseMatrix]) throws {
        self.weights = weights
        gaussians = zip(means, covs).map { (Vectors.dense($0), $1) }
        densities = try zip(means, covs).map { try GaussianDensity(mean: $0, cov: $1) }
    }

    public override func copyState(from other: Params) {
        guard let o = other as? GaussianMixtureModel else { return }
        weights = o.weights
        gaussians = o.gaussians
        densities = o.densities
        summary = o.summary
        parentUID = o.parentUID
    }

    static func outputSchema(_ schema: Schema, _ stage: Params, _ features: Param<String>, _ prediction: Param<String>,
                             _ probability: Param<String>) throws -> Schema {
        try SchemaUtils.checkVector(schema, try stage.value(features), stage: stage.uid)
        var s = schema
        let pred = try stage.value(prediction), prob = try stage.value(probability)
        if !pred.isEmpty { s = try SchemaUtils.appendColumn(s, pred, .int, nullable: false, stage: stage.uid) }
        if !prob.isEmpty { s = try SchemaUtils.appendColumn(s, prob, .vector, nullable: false, stage: stage.uid) }
        return s
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        return try Self.outputSchema(schema, self, featuresCol, predictionCol, probabilityCol)
    }

    /// Spark's `computeProbabilities`: (EPSILON + wᵢ·pdfᵢ(x)) normalized, into `out`.
    static func probabilities(_ dens: [GaussianDensity], _ weights: [Double], _ x: UnsafePointer<Double>,
                              _ scratch: UnsafeMutablePointer<Double>, _ means: UnsafePointer<Double>, _ roots: UnsafePointer<Double>,
                              _ out: UnsafeMutablePointer<Double>) {
        let k = weights.count
        guard let d = dens.first?.dim else { return }
        var sum = 0.0
        for c in 0..<k {
            let v = Distance.epsilon + weights[c] * Foundation.exp(dens[c].logpdf(x, scratch, means + c * d, roots + c * d * d))
            out[c] = v
            sum += v
        }
        for c in 0..<k { out[c] /= sum }
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let dens = densities, ws = weights, k = weights.count, stage = uid
        guard let d = dens.first?.dim, k > 0 else { throw MLError.invalidData(uid, "the model has no components") }
        let input = try value(featuresCol)
        let means = dens.flatMap(\.mean), roots = dens.flatMap(\.rootSigmaInv)
        /// Posterior probabilities of a batch, row-major n × k.
        func posterior(_ c: ColumnData) throws -> (Int, [Double]) {
            let r = try VectorColumnReader(c, what: stage)
            let n = r.count
            var out = [Double](repeating: 0, count: n * k)
            var row = [Double](repeating: 0, count: 2 * d)
            try out.withUnsafeMutableBufferPointer { ov in
                try row.withUnsafeMutableBufferPointer { rb in
                    try means.withUnsafeBufferPointer { mv in
                        try roots.withUnsafeBufferPointer { rv in
                            guard let op = ov.baseAddress, let rp = rb.baseAddress, let mp = mv.baseAddress, let qp = rv.baseAddress else { return }
                            for i in 0..<n {
                                if r.isNull(i) { throw MLError.invalidData(stage, "features column \(input) has a NULL at row \(i) of a batch") }
                                guard r.size(i) == d else { throw MLError.invalidData(stage, "features vector of size \(r.size(i)) does not match the model's \(d) features") }
                                r.copyDense(i, into: UnsafeMutableBufferPointer(start: rp, count: d))
                                GaussianMixtureModel.probabilities(dens, ws, rp, rp + d, mp, qp, op + i * k)
                            }
                        }
                    }
                }
            }
            return (n, out)
        }
        var out = df
        let prob = try value(probabilityCol), pred = try value(predictionCol)
        if !prob.isEmpty {
            let f = udf("gmm_probability", returnType: .vector, nullable: false) { cols, _ in
                let (n, p) = try posterior(cols[0])
                return VectorColumnBuilder.dense(p, dim: k, count: n)
            }
            out = out.withColumn(prob, f(col(input)))
        }
        if !pred.isEmpty {
            let f = udf("gmm_prediction", returnType: .int, nullable: false) { cols, _ in
                let (n, p) = try posterior(cols[0])
                let preds = p.withUnsafeBufferPointer { pv in
                    (0..<n).map { i in Int32(ProbabilisticOutputs.argmax(UnsafeBufferPointer(rebasing: pv[(i * k)..<((i + 1) * k)]))) }
                }
                return ColumnData(type: .int, count: n, validity: nil, storage: .i32(preds))
            }
            out = out.withColumn(pred, f(col(input)))
        }
        return out
    }

    /// Writes `data/`: one row per component (weight, mu, sigma as column-major values).
    public override func saveData(to dir: String, session: Session) throws {
        let schema = Schema([StructField("index", .int), StructField("weight", .double), StructField("mu", .vector), StructField("sigma", .vector)])
        let rows: [[Value]] = gaussians.enumerated().map { c, g in
            [.int(Int32(c)), .double(weights[c]), g.mean.value, Vectors.dense(g.cov.columnMajor.values).value]
        }
        try FeatureSupport.saveRows(rows, schema: schema, dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        var byIndex: [Int: (Double, [Double], [Double])] = [:]
        for r in try FeatureSupport.loadRows(dir, session: session) {
            guard case .int(let i)? = r["index"], case .double(let w)? = r["weight"] else { throw MLError.invalidModelDirectory(dir, "data/ lacks index or weight") }
            byIndex[Int(i)] = (w, try FeatureSupport.vectorValue(r, "mu", dir).toArray(), try FeatureSupport.vectorValue(r, "sigma", dir).toArray())
        }
        var ws: [Double] = [], ms: [[Double]] = [], cs: [DenseMatrix] = []
        for c in 0..<byIndex.count {
            guard let (w, m, s) = byIndex[c], s.count == m.count * m.count else { throw MLError.invalidModelDirectory(dir, "component \(c) is missing or malformed") }
            ws.append(w); ms.append(m); cs.append(try DenseMatrix(m.count, m.count, s))
        }
        try setState(weights: ws, means: ms, covs: cs)
    }
}
