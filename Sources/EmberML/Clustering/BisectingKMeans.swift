import Ember
import EmberCore
import Foundation

enum BisectingKMeansParams {
    static let defaultSeed = -1_127_275_418_031_889_681
    static func k() -> Param<Int> { ClusteringParams.k(4, "The desired number of leaf clusters. Must be > 1.") }
    static func minDivisibleClusterSize() -> Param<Double> {
        Param("minDivisibleClusterSize", "The minimum number of points (if >= 1.0) or the minimum proportion of points (if < 1.0) of a divisible cluster.",
              default: 1.0, .gt(0))
    }
}

/// One cluster of the bisecting tree (Spark's `ClusterSummary` + tree index): raw index
/// (root 1, children 2i and 2i+1), weight, center and cost.
struct BisectingCluster {
    var size: Double
    var center: [Double]
    var cost: Double
}

/// Bisecting k-means (Spark's `org.apache.spark.ml.clustering.BisectingKMeans`): starting
/// from one cluster, every divisible leaf (at least `minDivisibleClusterSize` points and a
/// positive cost; the costliest first when more than needed) is split in two by `maxIter`
/// k-means iterations from the center ± 1e-4·‖center‖·noise (noise from
/// `java.util.Random(seed)`, as Spark) until there are `k` leaves or none is divisible.
/// Prediction descends the tree to the closer child. Divisible clusters are split in
/// ascending index order (Spark iterates a hash map there; the order can differ when more
/// than one cluster splits at a level, which changes only the noise each one draws).
public final class BisectingKMeans: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.clustering" }

    public let featuresCol = SharedParams.featuresCol()
    public let predictionCol = SharedParams.predictionCol()
    public let weightCol = SharedParams.weightCol()
    public let k = BisectingKMeansParams.k()
    public let maxIter = SharedParams.maxIter(20)
    public let seed = SharedParams.seed(BisectingKMeansParams.defaultSeed)
    public let minDivisibleClusterSize = BisectingKMeansParams.minDivisibleClusterSize()
    public let distanceMeasure = ClusteringParams.distanceMeasure()

    public required init(uid: String) { super.init(uid: uid) }

    public convenience init(k: Int? = nil, maxIter: Int? = nil, seed: Int? = nil, minDivisibleClusterSize: Double? = nil,
                            distanceMeasure: String? = nil, featuresCol: String? = nil, predictionCol: String? = nil, weightCol: String? = nil) {
        self.init()
        if let v = k { set(self.k, v) }
        if let v = maxIter { set(self.maxIter, v) }
        if let v = seed { set(self.seed, v) }
        if let v = minDivisibleClusterSize { set(self.minDivisibleClusterSize, v) }
        if let v = distanceMeasure { set(self.distanceMeasure, v) }
        if let v = featuresCol { set(self.featuresCol, v) }
        if let v = predictionCol { set(self.predictionCol, v) }
        if let v = weightCol { set(self.weightCol, v) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        if let w = get(weightCol), !w.isEmpty { try SchemaUtils.checkNumericType(schema, w, stage: uid) }
        return try SchemaUtils.appendColumn(schema, try value(predictionCol), .int, nullable: false, stage: uid)
    }

    /// Per-cluster summaries of the rows whose index is in `wanted` (Spark's `summarize`).
    static func summarize(_ data: ClusteringData, _ assignment: [Int], _ wanted: Set<Int>, cosine: Bool) -> [Int: BisectingCluster] {
        let d = data.dim
        let ids = Array(wanted).sorted()
        let slot = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        let m = ids.count
        struct Partial { var size: [Double]; var sum: [Double]; var sumSq: [Double] }
        let parts = data.mapChunks { _, range -> Partial in
            var p = Partial(size: [Double](repeating: 0, count: m), sum: [Double](repeating: 0, count: m * d), sumSq: [Double](repeating: 0, count: m))
            for i in range {
                guard let s = slot[assignment[i]] else { continue }
                let w = data.weights[i], nrm = data.norms[i]
                p.size[s] += w
                p.sumSq[s] += w * nrm * nrm
                let a = cosine ? w / nrm : w
                for j in 0..<d { p.sum[s * d + j] += a * data.x[i * d + j] }
            }
            return p
        }
        var out: [Int: BisectingCluster] = [:]
        for (s, id) in ids.enumerated() {
            var size = 0.0, sumSq = 0.0
            var sum = [Double](repeating: 0, count: d)
            for p in parts {
                size += p.size[s]
                sumSq += p.sumSq[s]
                for j in 0..<d { sum[j] += p.sum[s * d + j] }
            }
            guard size > 0 else { continue }
            let center = KMeansLloyd.centroid(sum, size, cosine: cosine)
            let cn = center.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let cost: Double
            if cosine {
                cost = max(size - zip(center, sum).reduce(0) { $0 + $1.0 * $1.1 } / cn, 0)
            } else {
                cost = max(sumSq - size * cn * cn, 0)
            }
            out[id] = BisectingCluster(size: size, center: center, cost: cost)
        }
        return out
    }

    /// Moves each row of a divisible cluster to the closer of its children (Spark's
    /// `updateAssignments`).
    static func updateAssignments(_ data: ClusteringData, _ assignment: [Int], _ divisible: Set<Int>, _ centers: [Int: [Double]], cosine: Bool) -> [Int] {
        let d = data.dim
        var norms: [Int: Double] = [:]
        for (id, c) in centers { norms[id] = c.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        let parts = data.mapChunks { _, range -> [Int] in
            var out = Array(assignment[range])
            for i in range where divisible.contains(assignment[i]) {
                let left = 2 * assignment[i]
                var best = -1, bestDist = Double.infinity
                for child in [left, left + 1] {
                    guard let c = centers[child], let cn = norms[child] else { continue }
                    let dist = Distance.cost(cosine: cosine, data.x, i * d, data.norms[i], c, 0, cn, d)
                    if best < 0 || dist < bestDist { best = child; bestDist = dist }
                }
                if best >= 0 { out[i - range.lowerBound] = best }
            }
            return out
        }
        return parts.flatMap { $0 }
    }

    public override func fit(_ df: DataFrame) throws -> BisectingKMeansModel {
        _ = try transformSchema(try df.schema())
        let cosine = try value(distanceMeasure) == "cosine"
        let data = try ClusteringData.load(df, featuresCol: try value(featuresCol), weightCol: get(weightCol), cosine: cosine, stage: uid)
        let k = try value(self.k), maxIter = try value(self.maxIter), minDiv = try value(minDivisibleClusterSize)
        let minSize = minDiv >= 1 ? minDiv.rounded(.up) : (minDiv * Double(data.count)).rounded(.up)
        var assignment = [Int](repeating: 1, count: data.count)
        var active = Self.summarize(data, assignment, [1], cosine: cosine)
        var inactive: [Int: BisectingCluster] = [:]
        var needed = k - 1
        var level = 1
        var random = JavaRandom(seed: Int64(try value(seed)))
        while !active.isEmpty && needed > 0 && level < 63 {
            var divisible = active.filter { $0.value.size >= minSize && $0.value.cost > Distance.epsilon * $0.value.size }
                .sorted { $0.key < $1.key }
            if divisible.count > needed {
                divisible = Array(divisible.sorted { $0.value.cost > $1.value.cost }.prefix(needed))
            }
            if divisible.isEmpty {
                inactive.merge(active) { a, _ in a }
                active = [:]
            } else {
                let indices = Set(divisible.map(\.key))
                var centers: [Int: [Double]] = [:]
                for (index, summary) in divisible {
                    let c = summary.center
                    let level = 1e-4 * c.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    let noise = c.map { _ in random.nextDouble() }
                    var left = zip(c, noise).map { $0 - level * $1 }, right = zip(c, noise).map { $0 + level * $1 }
                    if cosine {
                        let ln = left.reduce(0) { $0 + $1 * $1 }.squareRoot(), rn = right.reduce(0) { $0 + $1 * $1 }.squareRoot()
                        left = left.map { $0 / ln }
                        right = right.map { $0 / rn }
                    }
                    centers[2 * index] = left
                    centers[2 * index + 1] = right
                }
                var newClusters: [Int: BisectingCluster] = [:]
                for _ in 0..<maxIter {
                    let moved = Self.updateAssignments(data, assignment, indices, centers, cosine: cosine)
                    let wanted = Set(indices.flatMap { [2 * $0, 2 * $0 + 1] })
                    newClusters = Self.summarize(data, moved, wanted, cosine: cosine)
                    centers = newClusters.mapValues(\.center)
                }
                assignment = Self.updateAssignments(data, assignment, indices, centers, cosine: cosine)
                inactive.merge(active) { a, _ in a }
                active = newClusters
                needed -= divisible.count
            }
            level += 1
        }
        let clusters = active.merging(inactive) { a, _ in a }
        let model = BisectingKMeansModel(uid: uid)
        copyValues(to: model)
        model.parentUID = uid
        try model.setClusters(clusters, dim: data.dim)
        let predicted = try model.transform(df)
        model.summary = ClusteringSummary(k: k, clusterSizes: try ClusteringOutputs.clusterSizes(predicted, try value(predictionCol), k: model.numClusters),
                                          numIter: maxIter, trainingCost: model.trainingCost, logLikelihood: 0,
                                          predictionCol: try value(predictionCol), featuresCol: try value(featuresCol))
        return model
    }
}

/// A fitted bisecting k-means model (Spark's `BisectingKMeansModel`): the tree of clusters;
/// `clusterCenters` are the leaves in depth-first order (left child first), as Spark numbers them.
public final class BisectingKMeansModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.clustering" }

    public let featuresCol = SharedParams.featuresCol()
    public let predictionCol = SharedParams.predictionCol()
    public let weightCol = SharedParams.weightCol()
    public let k = BisectingKMeansParams.k()
    public let maxIter = SharedParams.maxIter(20)
    public let seed = SharedParams.seed(BisectingKMeansParams.defaultSeed)
    public let minDivisibleClusterSize = BisectingKMeansParams.minDivisibleClusterSize()
    public let distanceMeasure = ClusteringParams.distanceMeasure()

    /// All clusters by raw index (root 1; children 2i, 2i + 1).
    private(set) var clusters: [Int: BisectingCluster] = [:]
    /// Leaf raw indices in prediction order.
    private(set) var leaves: [Int] = []
    public private(set) var numFeatures = 0
    public internal(set) var summary: ClusteringSummary? = nil
    public var hasSummary: Bool { summary != nil }

    public required init(uid: String) { super.init(uid: uid) }

    public var numClusters: Int { leaves.count }
    public var clusterCenters: [Vector] { leaves.compactMap { clusters[$0].map { Vectors.dense($0.center) } } }
    /// Sum of the leaves' costs (Spark's `trainingCost`).
    public var trainingCost: Double { leaves.reduce(0) { $0 + (clusters[$1]?.cost ?? 0) } }

    func setClusters(_ cs: [Int: BisectingCluster], dim: Int) throws {
        guard cs[1] != nil else { throw MLError.invalidData(uid, "the cluster tree has no root") }
        clusters = cs
        numFeatures = dim
        var out: [Int] = []
        func walk(_ i: Int) {
            let l = 2 * i
            if cs[l] == nil && cs[l + 1] == nil { out.append(i); return }
            if cs[l] != nil { walk(l) }
            if cs[l + 1] != nil { walk(l + 1) }
        }
        walk(1)
        leaves = out
    }

    public override func copyState(from other: Params) {
        guard let o = other as? BisectingKMeansModel else { return }
        clusters = o.clusters
        leaves = o.leaves
        numFeatures = o.numFeatures
        summary = o.summary
        parentUID = o.parentUID
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        return try SchemaUtils.appendColumn(schema, try value(predictionCol), .int, nullable: false, stage: uid)
    }

    /// Descends from the root to the closer child until a leaf (Spark's `predict`).
    func predictRow(_ x: UnsafeMutableBufferPointer<Double>, cosine: Bool, leafIndex: [Int: Int32]) -> Int32 {
        let d = numFeatures
        var norm = 0.0
        for j in 0..<d { norm += x[j] * x[j] }
        norm = norm.squareRoot()
        let xs = Array(x)
        var node = 1
        while true {
            let l = 2 * node
            var best = -1, bestDist = Double.infinity
            for child in [l, l + 1] {
                guard let c = clusters[child] else { continue }
                let cn = c.center.reduce(0) { $0 + $1 * $1 }.squareRoot()
                let dist = Distance.cost(cosine: cosine, xs, 0, norm, c.center, 0, cn, d)
                if best < 0 || dist < bestDist { best = child; bestDist = dist }
            }
            if best < 0 { return leafIndex[node] ?? 0 }
            node = best
        }
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let cosine = try value(distanceMeasure) == "cosine"
        let leafIndex = Dictionary(uniqueKeysWithValues: leaves.enumerated().map { ($1, Int32($0)) })
        let column = ClusteringOutputs.predictionColumn(try value(featuresCol), stage: uid, dim: numFeatures) { [self] row in
            predictRow(row, cosine: cosine, leafIndex: leafIndex)
        }
        return df.withColumn(try value(predictionCol), column)
    }

    /// Writes `data/`: one row per tree node (rawIndex, size, center, cost).
    public override func saveData(to dir: String, session: Session) throws {
        let schema = Schema([StructField("rawIndex", .long), StructField("size", .double), StructField("center", .vector), StructField("cost", .double)])
        let rows: [[Value]] = clusters.keys.sorted().compactMap { i in
            clusters[i].map { [.long(Int64(i)), .double($0.size), Vectors.dense($0.center).value, .double($0.cost)] }
        }
        try FeatureSupport.saveRows(rows, schema: schema, dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        var cs: [Int: BisectingCluster] = [:]
        var dim = -1
        for r in try FeatureSupport.loadRows(dir, session: session) {
            guard case .long(let i)? = r["rawIndex"], case .double(let s)? = r["size"], case .double(let c)? = r["cost"], i >= 1 else {
                throw MLError.invalidModelDirectory(dir, "data/ rows need rawIndex, size and cost")
            }
            let center = try FeatureSupport.vectorValue(r, "center", dir).toArray()
            if dim < 0 { dim = center.count } else if dim != center.count { throw MLError.invalidModelDirectory(dir, "centers differ in size") }
            cs[Int(i)] = BisectingCluster(size: s, center: center, cost: c)
        }
        do { try setClusters(cs, dim: max(dim, 0)) } catch { throw MLError.invalidModelDirectory(dir, "\(error)") }
    }
}
