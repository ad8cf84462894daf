import Ember
import EmberCore
import Foundation

/// Params the clustering stages share (Spark's `KMeansParams`, `BisectingKMeansParams`…).
enum ClusteringParams {
    static let distanceMeasures = ["euclidean", "cosine"]

    static func k(_ d: Int, _ doc: String) -> Param<Int> { Param("k", doc, default: d, .gt(1)) }

    static func distanceMeasure() -> Param<String> {
        Param("distanceMeasure", "the distance measure. Supported options: 'euclidean' and 'cosine'.", default: "euclidean",
              ParamValidator("must be one of [euclidean, cosine]") { distanceMeasures.contains($0) })
    }
}

/// Training rows for clustering: dense row-major values, weights and L2 norms.
struct ClusteringData {
    let count: Int
    let dim: Int
    /// Row-major `count × dim` (sparse rows are densified).
    let x: [Double]
    let weights: [Double]
    let norms: [Double]

    /// Rows per fixed chunk: partial sums are made per chunk and reduced in chunk order, so
    /// results do not depend on the number of cores.
    static let chunkSize = 16_384

    var chunks: Int { (count + Self.chunkSize - 1) / Self.chunkSize }

    func chunkRange(_ c: Int) -> Range<Int> { (c * Self.chunkSize)..<min(count, (c + 1) * Self.chunkSize) }

    /// Runs `body` on every chunk in parallel; results in chunk order.
    func mapChunks<T>(_ body: (Int, Range<Int>) -> T) -> [T] {
        let perRange = Parallel.mapRanges(chunks) { cs -> [T] in cs.map { body($0, chunkRange($0)) } }
        return perRange.flatMap { $0 }
    }

    /// Loads `featuresCol` (and `weightCol`) of `df`; cosine rejects zero vectors, as Spark.
    static func load(_ df: DataFrame, featuresCol: String, weightCol: String?, cosine: Bool, stage: String) throws -> ClusteringData {
        let data = try Instances.load(df, featuresCol: featuresCol, labelCol: nil, weightCol: weightCol, stage: stage)
        let n = data.count, d = data.numFeatures
        guard n > 0 else { throw MLError.invalidData(stage, "the training dataset is empty") }
        guard d > 0 else { throw MLError.invalidData(stage, "features column \(featuresCol) holds vectors of size 0") }
        var x: [Double]
        if let m = data.dense {
            x = m
        } else {
            x = [Double](repeating: 0, count: n * d)
            for i in 0..<n { data.forEachActive(i) { j, v in x[i * d + j] = v } }
        }
        for (i, v) in x.enumerated() where !v.isFinite {
            throw MLError.invalidData(stage, "features column \(featuresCol) has a non-finite value at row \(i / max(d, 1))")
        }
        let norms = x.withUnsafeBufferPointer { xv in
            [Double](unsafeUninitializedCapacity: n) { out, c in
                for i in 0..<n {
                    var s = 0.0
                    let base = i * d
                    for j in 0..<d { s += xv[base + j] * xv[base + j] }
                    out[i] = s.squareRoot()
                }
                c = n
            }
        }
        if cosine, let i = norms.firstIndex(of: 0) {
            throw MLError.invalidData(stage, "Cosine distance is not defined for zero-length vectors (row \(i)).")
        }
        return ClusteringData(count: n, dim: d, x: x, weights: data.weights, norms: norms)
    }
}

/// Spark's distance measures over raw buffers (`EuclideanDistanceMeasure` with its norm
/// shortcut, `CosineDistanceMeasure`).
enum Distance {
    /// Spark's `MLUtils.EPSILON`.
    static let epsilon = 2.220446049250313e-16

    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ d: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var j = 0
        while j + 4 <= d {
            s0 += a[j] * b[j]; s1 += a[j + 1] * b[j + 1]; s2 += a[j + 2] * b[j + 2]; s3 += a[j + 3] * b[j + 3]
            j += 4
        }
        while j < d { s0 += a[j] * b[j]; j += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    @inline(__always)
    static func sqdist(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ d: Int) -> Double {
        var s = 0.0
        for j in 0..<d { let t = a[j] - b[j]; s += t * t }
        return s
    }

    /// Spark's `fastSquaredDistance` (precision 1e-6) for dense vectors.
    @inline(__always)
    static func fastSquared(_ a: UnsafePointer<Double>, _ na: Double, _ b: UnsafePointer<Double>, _ nb: Double, _ d: Int) -> Double {
        let sumSquaredNorm = na * na + nb * nb
        let normDiff = na - nb
        let bound = 2.0 * epsilon * sumSquaredNorm / (normDiff * normDiff + epsilon)
        if bound < 1e-6 { return sumSquaredNorm - 2.0 * dot(a, b, d) }
        return sqdist(a, b, d)
    }

    /// `cost` between `a[ao..<ao+d]` and `b[bo..<bo+d]` (small, non-hot arrays).
    static func cost(cosine: Bool, _ a: [Double], _ ao: Int, _ na: Double, _ b: [Double], _ bo: Int, _ nb: Double, _ d: Int) -> Double {
        a.withUnsafeBufferPointer { av in
            b.withUnsafeBufferPointer { bv in
                guard let ap = av.baseAddress, let bp = bv.baseAddress, ao + d <= a.count, bo + d <= b.count else { return 0 }
                return cost(cosine: cosine, ap + ao, na, bp + bo, nb, d)
            }
        }
    }

    /// The distance measure's `distance` (Euclidean: not squared).
    @inline(__always)
    static func distance(cosine: Bool, _ a: UnsafePointer<Double>, _ na: Double, _ b: UnsafePointer<Double>, _ nb: Double, _ d: Int) -> Double {
        cosine ? 1 - dot(a, b, d) / na / nb : fastSquared(a, na, b, nb, d).squareRoot()
    }

    /// The distance measure's `cost` (Euclidean: squared distance; cosine: 1 − cos).
    @inline(__always)
    static func cost(cosine: Bool, _ a: UnsafePointer<Double>, _ na: Double, _ b: UnsafePointer<Double>, _ nb: Double, _ d: Int) -> Double {
        cosine ? 1 - dot(a, b, d) / na / nb : fastSquared(a, na, b, nb, d)
    }
}

/// Cluster centers with their norms and Spark's pruning statistics (`computeStatistics`),
/// for `findClosest`. Holds raw copies so that the hot loop needs no array access.
final class Centers {
    let k: Int
    let dim: Int
    let cosine: Bool
    /// Row-major `k × dim`.
    let values: [Double]
    let norms: [Double]
    /// Packed upper triangle (Spark's `indexUpperTriangular`): quarter squared distance
    /// (Euclidean) or 1 − cos(θ/2) (cosine) between centers, diagonal the minimum per center.
    let statistics: [Double]
    private let cv: UnsafeMutablePointer<Double>
    private let cn: UnsafeMutablePointer<Double>
    private let st: UnsafeMutablePointer<Double>

    init(_ values: [Double], k: Int, dim: Int, cosine: Bool) {
        self.k = k
        self.dim = dim
        self.cosine = cosine
        self.values = values
        var norms = [Double](repeating: 0, count: k)
        for c in 0..<k {
            var s = 0.0
            for j in 0..<dim { s += values[c * dim + j] * values[c * dim + j] }
            norms[c] = s.squareRoot()
        }
        self.norms = norms
        cv = UnsafeMutablePointer<Double>.allocate(capacity: max(1, values.count))
        for (i, v) in values.enumerated() { cv[i] = v }
        cn = UnsafeMutablePointer<Double>.allocate(capacity: max(1, k))
        for (i, v) in norms.enumerated() { cn[i] = v }
        var stats = [Double](repeating: 0, count: k * (k + 1) / 2)
        if k <= 1 {
            stats = [.nan]
        } else {
            var diag = [Double](repeating: .infinity, count: k)
            for i in 0..<k {
                for j in (i + 1)..<max(i + 1, k) {
                    let dist = Distance.distance(cosine: cosine, cv + i * dim, norms[i], cv + j * dim, norms[j], dim)
                    let s = cosine ? 1 - (1 - dist / 2).squareRoot() : 0.25 * dist * dist
                    stats[Centers.upper(k, i, j)] = s
                    if s < diag[i] { diag[i] = s }
                    if s < diag[j] { diag[j] = s }
                }
            }
            for i in 0..<k { stats[Centers.upper(k, i, i)] = diag[i] }
        }
        statistics = stats
        st = UnsafeMutablePointer<Double>.allocate(capacity: max(1, stats.count))
        for (i, v) in stats.enumerated() { st[i] = v }
    }

    deinit {
        cv.deallocate()
        cn.deallocate()
        st.deallocate()
    }

    /// Spark's `indexUpperTriangular(n, i, j)`.
    @inline(__always)
    static func upper(_ n: Int, _ i: Int, _ j: Int) -> Int {
        let (a, b) = i <= j ? (i, j) : (j, i)
        return b + a * n - a * (a + 1) / 2
    }

    /// Spark's `findClosest(centers, statistics, point)`: the closest center and its cost.
    @inline(__always)
    func closest(_ p: UnsafePointer<Double>, _ norm: Double) -> (Int, Double) {
        var best = Distance.cost(cosine: cosine, cv, cn[0], p, norm, dim)
        if best < st[0] { return (0, best) }
        var bestIndex = 0
        var i = 1
        while i < k {
            defer { i += 1 }
            if !cosine {
                let nd = cn[i] - norm
                if nd * nd >= best { continue }
            }
            if st[Centers.upper(k, i, bestIndex)] < best {
                let d = Distance.cost(cosine: cosine, cv + i * dim, cn[i], p, norm, dim)
                if d < st[Centers.upper(k, i, i)] { return (i, d) }
                if d < best { best = d; bestIndex = i }
            }
        }
        return (bestIndex, best)
    }
}

/// A source of `java.util.Random`-style bits; the derived draws (`nextInt(bound)`,
/// `nextFloat`, `nextDouble`) are Java's, whatever generator supplies the bits.
protocol JavaRandomBits {
    /// The next `bits` random bits (≤ 32), as `java.util.Random.next(bits)`.
    mutating func next(_ bits: Int) -> Int32
}

extension JavaRandomBits {
    /// `java.util.Random.nextInt(bound)`, bound > 0.
    @inline(__always)
    mutating func nextInt(_ bound: Int32) -> Int32 {
        var r = next(31)
        let m = bound &- 1
        if bound & m == 0 { return Int32(truncatingIfNeeded: (Int64(bound) &* Int64(r)) >> 31) }
        var u = r
        while true {
            r = u % bound
            if u &- r &+ m >= 0 { return r }
            u = next(31)
        }
    }

    /// `java.util.Random.nextFloat()`: 24 random bits in [0, 1).
    @inline(__always)
    mutating func nextFloat() -> Float { Float(next(24)) / Float(1 << 24) }

    /// `java.util.Random.nextDouble()`: 53 random bits in [0, 1).
    mutating func nextDouble() -> Double {
        Double((Int64(next(26)) << 27) + Int64(next(27))) * 0x1.0p-53
    }
}

/// `java.util.Random` (48-bit LCG), as Spark uses in `LocalKMeans` and `BisectingKMeans`.
struct JavaRandom: JavaRandomBits {
    private var seed: Int64

    init(seed: Int64) { self.seed = (seed ^ 0x5DEECE66D) & ((1 << 48) - 1) }

    mutating func next(_ bits: Int) -> Int32 {
        seed = (seed &* 0x5DEECE66D &+ 0xB) & ((1 << 48) - 1)
        return Int32(truncatingIfNeeded: seed >> (48 - Int64(bits)))
    }
}

/// The summary of a fitted clustering model (Spark's `ClusteringSummary`): sizes of the
/// predicted clusters, number of iterations; KMeans and BisectingKMeans add `trainingCost`,
/// GaussianMixture `logLikelihood`.
public struct ClusteringSummary {
    /// The number of clusters requested (`k`).
    public let k: Int
    /// Number of training rows predicted into each cluster.
    public let clusterSizes: [Int]
    public let numIter: Int
    /// Sum of (weighted) costs to the nearest center (KMeans, BisectingKMeans).
    public let trainingCost: Double
    /// Total log-likelihood (GaussianMixture).
    public let logLikelihood: Double
    public let predictionCol: String
    public let featuresCol: String
}

/// Output columns shared by the clustering models.
enum ClusteringOutputs {
    /// An int column: `predict(reader, row, scratch)` for every row of a vector column of
    /// `dim` features (NULL rows and wrong sizes are errors).
    static func predictionColumn(_ input: String, stage: String, dim: Int,
                                 _ predict: @escaping (UnsafeMutableBufferPointer<Double>) -> Int32) -> Ember.Column {
        let f = udf("cluster_prediction", returnType: .int, nullable: false) { cols, _ in
            let r = try VectorColumnReader(cols[0], what: stage)
            let n = r.count
            var scratch = [Double](repeating: 0, count: max(dim, 1))
            var bad: EmberError? = nil
            let out = [Int32](unsafeUninitializedCapacity: n) { p, c in
                scratch.withUnsafeMutableBufferPointer { s in
                    let row = UnsafeMutableBufferPointer(rebasing: s[0..<dim])
                    for i in 0..<n {
                        if r.isNull(i) { bad = MLError.invalidData(stage, "features column \(input) has a NULL at row \(i) of a batch"); p[i] = 0; continue }
                        if r.size(i) != dim {
                            bad = MLError.invalidData(stage, "features vector of size \(r.size(i)) does not match the model's \(dim) features")
                            p[i] = 0; continue
                        }
                        r.copyDense(i, into: row)
                        p[i] = predict(row)
                    }
                }
                c = n
            }
            if let e = bad { throw e }
            return ColumnData(type: .int, count: n, validity: nil, storage: .i32(out))
        }
        return f(col(input))
    }

    /// Number of rows per predicted cluster in `df`'s `predictionCol`.
    static func clusterSizes(_ df: DataFrame, _ predictionCol: String, k: Int) throws -> [Int] {
        var sizes = [Int](repeating: 0, count: k)
        for b in try df.select(col(predictionCol)).collectBatches() {
            let c = b.columns[0]
            guard case .i32(let xs) = c.storage else { continue }
            for i in 0..<c.count where xs[i] >= 0 && Int(xs[i]) < k { sizes[Int(xs[i])] += 1 }
        }
        return sizes
    }

    /// Rows of `k` centers (row-major `values`) as Parquet data: (clusterIdx, clusterCenter).
    static func saveCenters(_ values: [Double], k: Int, dim: Int, dir: String, session: Session) throws {
        let schema = Schema([StructField("clusterIdx", .int), StructField("clusterCenter", .vector)])
        let rows: [[Value]] = (0..<k).map { c in [.int(Int32(c)), Vectors.dense(Array(values[(c * dim)..<((c + 1) * dim)])).value] }
        try FeatureSupport.saveRows(rows, schema: schema, dir: dir, session: session)
    }

    /// The centers written by `saveCenters` (row-major), with k and dim.
    static func loadCenters(_ dir: String, session: Session) throws -> ([Double], Int, Int) {
        let rows = try FeatureSupport.loadRows(dir, session: session)
        var byIndex: [Int: [Double]] = [:]
        for r in rows {
            guard case .int(let i)? = r["clusterIdx"] else { throw MLError.invalidModelDirectory(dir, "data/ lacks clusterIdx") }
            byIndex[Int(i)] = try FeatureSupport.vectorValue(r, "clusterCenter", dir).toArray()
        }
        let k = byIndex.count
        let dim = byIndex[0]?.count ?? 0
        var values: [Double] = []
        for c in 0..<k {
            guard let v = byIndex[c], v.count == dim else { throw MLError.invalidModelDirectory(dir, "cluster centers are not 0..<\(k) of size \(dim)") }
            values += v
        }
        return (values, k, dim)
    }
}
