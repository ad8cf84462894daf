import Ember
import EmberCore
import Foundation

/// The params KMeans and KMeansModel share (Spark's `KMeansParams`).
enum KMeansParams {
    static let defaultSeed = -4_968_931_851_684_002_062
    static func k() -> Param<Int> { ClusteringParams.k(2, "The number of clusters to create. Must be > 1.") }
    static func initMode() -> Param<String> {
        Param("initMode", "The initialization algorithm. This can be either \"random\" to choose random points as initial cluster centers, or \"k-means||\" to use a parallel variant of k-means++",
              default: "k-means||", ParamValidator("must be one of [random, k-means||]") { $0 == "random" || $0 == "k-means||" })
    }
    static func initSteps() -> Param<Int> { Param("initSteps", "The number of steps for k-means|| initialization mode. Must be > 0.", default: 2, .gt(0)) }
    static func solver() -> Param<String> {
        Param("solver", "The solver algorithm for optimization. Supported options: auto, row, block.", default: "auto", .oneOf(["auto", "row", "block"]))
    }
    static func maxBlockSizeInMB() -> Param<Double> {
        Param("maxBlockSizeInMB", "maximum memory in MB for stacking input data into blocks. Data is stacked within partitions. If more than remaining data size in a partition then it is adjusted to the data size. Default 0.0 represents choosing optimal value, depends on specific algorithm. Must be >= 0.",
              default: 0.0, .gtEq(0))
    }
    static func tol() -> Param<Double> { SharedParams.tol(1e-4) }
}

/// K-means clustering (Spark's `org.apache.spark.ml.clustering.KMeans`): k-means||
/// (or random) initialization, then Lloyd iterations until every center moves less than
/// `tol` (Euclidean: squared distance ≤ tol²; cosine: distance ≤ tol) or `maxIter`.
/// Each iteration assigns rows to their closest center in parallel (Spark's pruned
/// `findClosest` with the norm shortcut) and reduces per-chunk weighted sums.
///
/// Randomness follows Spark's structure (XORShiftRandom per sampling step and chunk,
/// java.util.Random(0) for the local k-means++), but Spark's partitioning is not reproduced,
/// so the initial centers differ from Spark's; on data with a unique optimum the result is
/// the same.
public final class KMeans: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.clustering" }

    public let featuresCol = SharedParams.featuresCol()
    public let predictionCol = SharedParams.predictionCol()
    public let weightCol = SharedParams.weightCol()
    public let k = KMeansParams.k()
    public let maxIter = SharedParams.maxIter(20)
    public let tol = KMeansParams.tol()
    public let initMode = KMeansParams.initMode()
    public let initSteps = KMeansParams.initSteps()
    public let distanceMeasure = ClusteringParams.distanceMeasure()
    public let seed = SharedParams.seed(KMeansParams.defaultSeed)
    public let solver = KMeansParams.solver()
    public let maxBlockSizeInMB = KMeansParams.maxBlockSizeInMB()

    /// Fixed initial centers (row-major, `k × numFeatures`), as mllib's `setInitialModel`;
    /// not a param (Spark's ml KMeans has none). Used by the tests to run Lloyd steps from
    /// known centers.
    public var initialCenters: [[Double]]? = nil

    public required init(uid: String) { super.init(uid: uid) }

    public convenience init(k: Int? = nil, maxIter: Int? = nil, tol: Double? = nil, initMode: String? = nil, initSteps: Int? = nil,
                            distanceMeasure: String? = nil, seed: Int? = nil, featuresCol: String? = nil, predictionCol: String? = nil,
                            weightCol: String? = nil) {
        self.init()
        if let v = k { set(self.k, v) }
        if let v = maxIter { set(self.maxIter, v) }
        if let v = tol { set(self.tol, v) }
        if let v = initMode { set(self.initMode, v) }
        if let v = initSteps { set(self.initSteps, v) }
        if let v = distanceMeasure { set(self.distanceMeasure, v) }
        if let v = seed { set(self.seed, v) }
        if let v = featuresCol { set(self.featuresCol, v) }
        if let v = predictionCol { set(self.predictionCol, v) }
        if let v = weightCol { set(self.weightCol, v) }
    }

    public override func copyState(from other: Params) {
        if let o = other as? KMeans { initialCenters = o.initialCenters }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        if let w = get(weightCol), !w.isEmpty { try SchemaUtils.checkNumericType(schema, w, stage: uid) }
        return try SchemaUtils.appendColumn(schema, try value(predictionCol), .int, nullable: false, stage: uid)
    }

    public override func fit(_ df: DataFrame) throws -> KMeansModel {
        _ = try transformSchema(try df.schema())
        let cosine = try value(distanceMeasure) == "cosine"
        let data = try ClusteringData.load(df, featuresCol: try value(featuresCol), weightCol: get(weightCol), cosine: cosine, stage: uid)
        let k = try value(self.k)
        var centers: [Double]
        if let given = initialCenters {
            guard given.count == k, given.allSatisfy({ $0.count == data.dim }) else {
                throw MLError.invalidParam(uid, "initialCenters", "must hold \(k) centers of \(data.dim) features")
            }
            centers = given.flatMap { $0 }
        } else if try value(initMode) == "random" {
            centers = KMeansInit.random(data, k: k, seed: Int64(try value(seed)))
        } else {
            centers = KMeansInit.parallel(data, k: k, steps: try value(initSteps), seed: Int64(try value(seed)), cosine: cosine)
        }
        let kk = centers.count / data.dim
        let result = KMeansLloyd.run(data, centers: centers, k: kk, cosine: cosine, maxIter: try value(maxIter), tol: try value(tol))
        let model = KMeansModel(uid: uid)
        copyValues(to: model)
        model.parentUID = uid
        model.setCenters(result.centers, k: kk, dim: data.dim)
        let predicted = try model.transform(df)
        model.summary = ClusteringSummary(k: k, clusterSizes: try ClusteringOutputs.clusterSizes(predicted, try value(predictionCol), k: model.numClusters),
                                          numIter: result.iterations, trainingCost: result.cost, logLikelihood: 0,
                                          predictionCol: try value(predictionCol), featuresCol: try value(featuresCol))
        return model
    }
}

/// Spark's KMeans initializations (`initRandom`, `initKMeansParallel`, `LocalKMeans`).
enum KMeansInit {
    /// `k` distinct random rows (fewer when the data has fewer distinct rows).
    static func random(_ data: ClusteringData, k: Int, seed: Int64) -> [Double] {
        var rng = XORShiftRandom(seed: seed)
        var picked: [Int] = []
        if data.count <= k {
            picked = Array(0..<data.count)
        } else {
            var chosen = Set<Int>()
            while picked.count < k {
                let i = Int(rng.nextDouble() * Double(data.count))
                if i < data.count, chosen.insert(i).inserted { picked.append(i) }
            }
        }
        return distinctRows(data, picked)
    }

    /// The rows `indices` without repeated vectors (first occurrences, in order).
    static func distinctRows(_ data: ClusteringData, _ indices: [Int]) -> [Double] {
        let d = data.dim
        var seen = Set<[Double]>()
        var out: [Double] = []
        for i in indices {
            let v = Array(data.x[(i * d)..<((i + 1) * d)])
            if seen.insert(v).inserted { out += v }
        }
        return out
    }

    /// k-means||: a random first center, then `steps` rounds sampling each row with
    /// probability 2·k·cost/Σcost (cost: distance to the nearest candidate so far), then the
    /// distinct candidates weighted by the (weighted) number of rows closest to each, reduced
    /// to k by weighted k-means++ and local Lloyd iterations.
    static func parallel(_ data: ClusteringData, k: Int, steps: Int, seed: Int64, cosine: Bool) -> [Double] {
        let n = data.count, d = data.dim
        var seeder = XORShiftRandom(seed: seed)
        let sampleSeed = Int64(seeder.nextInt(Int32.max))
        var first = XORShiftRandom(seed: sampleSeed)
        let firstRow = min(n - 1, Int(first.nextDouble() * Double(n)))
        var candidates: [Int] = [firstRow]
        var newCenters: [Int] = [firstRow]
        var costs = [Double](repeating: .infinity, count: n)
        for step in 0..<steps {
            let nc = newCenters
            let sums = costs.withUnsafeMutableBufferPointer { cb -> [Double] in
                let costsPtr = cb
                return data.x.withUnsafeBufferPointer { xv -> [Double] in
                    guard let xp = xv.baseAddress else { return [0] }
                    return data.mapChunks { _, range -> Double in
                        var s = 0.0
                        for i in range {
                            var c = costsPtr[i]
                            for r in nc {
                                let v = Distance.cost(cosine: cosine, xp + r * d, data.norms[r], xp + i * d, data.norms[i], d)
                                if v < c { c = v }
                            }
                            costsPtr[i] = c
                            s += c * data.weights[i]
                        }
                        return s
                    }
                }
            }
            let sumCosts = sums.reduce(0, +)
            guard sumCosts > 0 else { break }
            let chosen = data.mapChunks { chunk, range -> [Int] in
                var rng = XORShiftRandom(seed: seed ^ (Int64(step) << 16) ^ Int64(chunk))
                var out: [Int] = []
                for i in range where rng.nextDouble() < 2.0 * costs[i] * data.weights[i] * Double(k) / sumCosts { out.append(i) }
                return out
            }
            newCenters = chosen.flatMap { $0 }
            candidates += newCenters
        }
        let distinct = distinctRows(data, candidates)
        let m = distinct.count / max(d, 1)
        if m <= k { return distinct }
        // Weight each candidate by the rows closest to it.
        let cands = Centers(distinct, k: m, dim: d, cosine: cosine)
        let partial = data.x.withUnsafeBufferPointer { xv -> [[Double]] in
            guard let xp = xv.baseAddress else { return [] }
            return data.mapChunks { _, range -> [Double] in
                var w = [Double](repeating: 0, count: m)
                for i in range { w[cands.closest(xp + i * d, data.norms[i]).0] += data.weights[i] }
                return w
            }
        }
        var weights = [Double](repeating: 0, count: m)
        for p in partial { for c in 0..<m { weights[c] += p[c] } }
        return kMeansPlusPlus(distinct, weights: weights, m: m, d: d, k: k, maxIterations: 30, cosine: cosine)
    }

    /// Spark's `LocalKMeans.kMeansPlusPlus(0, points, weights, k, 30)`.
    static func kMeansPlusPlus(_ points: [Double], weights: [Double], m: Int, d: Int, k: Int, maxIterations: Int, cosine: Bool) -> [Double] {
        var rand = JavaRandom(seed: 0)
        var norms = [Double](repeating: 0, count: m)
        for i in 0..<m { var s = 0.0; for j in 0..<d { s += points[i * d + j] * points[i * d + j] }; norms[i] = s.squareRoot() }
        func row(_ i: Int) -> [Double] { Array(points[(i * d)..<((i + 1) * d)]) }
        func cost(_ i: Int, _ c: [Double], _ cn: Double) -> Double {
            Distance.cost(cosine: cosine, points, i * d, norms[i], c, 0, cn, d)
        }
        func norm(_ c: [Double]) -> Double { c.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        var centers: [[Double]] = []
        // pickWeighted
        let r0 = rand.nextDouble() * weights.reduce(0, +)
        var i0 = 0, cur = 0.0
        while i0 < m && cur < r0 { cur += weights[i0]; i0 += 1 }
        centers.append(row(max(0, i0 - 1)))
        var costArray = (0..<m).map { cost($0, centers[0], norm(centers[0])) }
        for _ in 1..<max(1, k) {
            var sum = 0.0
            for p in 0..<m { sum += costArray[p] * weights[p] }
            let r = rand.nextDouble() * sum
            var cumulative = 0.0, j = 0
            while j < m && cumulative < r { cumulative += weights[j] * costArray[j]; j += 1 }
            let c = row(j == 0 ? 0 : j - 1)
            centers.append(c)
            let cn = norm(c)
            for p in 0..<m { costArray[p] = min(cost(p, c, cn), costArray[p]) }
        }
        var oldClosest = [Int](repeating: -1, count: m)
        var iteration = 0
        var moved = true
        while moved && iteration < maxIterations {
            moved = false
            var counts = [Double](repeating: 0, count: k)
            var sums = [Double](repeating: 0, count: k * d)
            let cs = Centers(centers.flatMap { $0 }, k: k, dim: d, cosine: cosine)
            points.withUnsafeBufferPointer { pv in
                guard let pb = pv.baseAddress else { return }
                for p in 0..<m {
                    let index = cs.closest(pb + p * d, norms[p]).0
                    let a = cosine ? weights[p] / norms[p] : weights[p]
                    for j in 0..<d { sums[index * d + j] += a * pv[p * d + j] }
                    counts[index] += weights[p]
                    if index != oldClosest[p] { moved = true; oldClosest[p] = index }
                }
            }
            for c in 0..<k {
                if counts[c] == 0 {
                    centers[c] = row(Int(rand.nextInt(Int32(m))))
                } else {
                    centers[c] = KMeansLloyd.centroid(Array(sums[(c * d)..<((c + 1) * d)]), counts[c], cosine: cosine)
                }
            }
            iteration += 1
        }
        return centers.flatMap { $0 }
    }
}

/// Spark's Lloyd iterations (`KMeans.runAlgorithmWithWeight`).
enum KMeansLloyd {
    struct Result {
        var centers: [Double]
        var cost: Double
        var iterations: Int
    }

    /// Spark's `centroid(sum, weightSum)`: the mean (cosine: normalized to unit length).
    static func centroid(_ sum: [Double], _ weight: Double, cosine: Bool) -> [Double] {
        var c = sum.map { $0 / weight }
        if cosine {
            let norm = c.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 0 { c = c.map { $0 / norm } }
        }
        return c
    }

    /// Iterates from `centers` (row-major `k × dim`); the cost is that of the last
    /// assignment step (before its update), as Spark's `trainingCost`.
    static func run(_ data: ClusteringData, centers initial: [Double], k: Int, cosine: Bool, maxIter: Int, tol: Double) -> Result {
        let d = data.dim
        var centers = initial
        var cost = 0.0
        var iteration = 0
        var converged = false
        while iteration < maxIter && !converged {
            let cs = Centers(centers, k: k, dim: d, cosine: cosine)
            struct Partial { var sums: [Double]; var weights: [Double]; var cost: Double }
            let parts = data.x.withUnsafeBufferPointer { xv -> [Partial] in
                guard let xp = xv.baseAddress else { return [] }
                return data.norms.withUnsafeBufferPointer { nv in
                    data.weights.withUnsafeBufferPointer { wv in
                            data.mapChunks { _, range -> Partial in
                                var p = Partial(sums: [Double](repeating: 0, count: k * d), weights: [Double](repeating: 0, count: k), cost: 0)
                                p.sums.withUnsafeMutableBufferPointer { sv in
                                    p.weights.withUnsafeMutableBufferPointer { ws in
                                        var c = 0.0
                                        for i in range {
                                            let row = xp + i * d
                                            let (best, dist) = cs.closest(row, nv[i])
                                            let w = wv[i]
                                            c += dist * w
                                            let base = best * d
                                            // Spark's updateClusterSum: cosine adds unit vectors.
                                            let a = cosine ? w / nv[i] : w
                                            for j in 0..<d { sv[base + j] += a * row[j] }
                                            ws[best] += w
                                        }
                                        p.cost = c
                                    }
                                }
                                return p
                            }
                    }
                }
            }
            var sums = [Double](repeating: 0, count: k * d), weights = [Double](repeating: 0, count: k)
            var iterCost = 0.0
            for p in parts {
                for t in 0..<(k * d) { sums[t] += p.sums[t] }
                for c in 0..<k { weights[c] += p.weights[c] }
                iterCost += p.cost
            }
            converged = true
            for c in 0..<k where weights[c] > 0 {
                let new = centroid(Array(sums[(c * d)..<((c + 1) * d)]), weights[c], cosine: cosine)
                let old = Array(centers[(c * d)..<((c + 1) * d)])
                if converged {
                    let moved: Bool = old.withUnsafeBufferPointer { ov in new.withUnsafeBufferPointer { nv in
                        guard let o = ov.baseAddress, let q = nv.baseAddress else { return false }
                        let on = old.reduce(0) { $0 + $1 * $1 }.squareRoot(), nn = new.reduce(0) { $0 + $1 * $1 }.squareRoot()
                        return cosine ? Distance.distance(cosine: true, o, on, q, nn, d) > tol
                                      : Distance.fastSquared(o, on, q, nn, d) > tol * tol
                    } }
                    if moved { converged = false }
                }
                for j in 0..<d { centers[c * d + j] = new[j] }
            }
            cost = iterCost
            iteration += 1
        }
        return Result(centers: centers, cost: cost, iterations: iteration)
    }
}
