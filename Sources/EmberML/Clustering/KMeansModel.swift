import Ember
import EmberCore
import Foundation

/// A fitted k-means model (Spark's `KMeansModel`): the cluster centers; `transform` adds
/// the index of the closest center as an int column.
public final class KMeansModel: Model {
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

    /// Row-major `numClusters × numFeatures`.
    public private(set) var centerValues: [Double] = []
    public private(set) var numClusters = 0
    public private(set) var numFeatures = 0
    /// The training summary (nil after loading, as Spark's `hasSummary`).
    public internal(set) var summary: ClusteringSummary? = nil

    public required init(uid: String) { super.init(uid: uid) }

    public var hasSummary: Bool { summary != nil }

    /// The cluster centers (Spark's `clusterCenters`).
    public var clusterCenters: [Vector] {
        (0..<numClusters).map { c in Vectors.dense(Array(centerValues[(c * numFeatures)..<((c + 1) * numFeatures)])) }
    }

    func setCenters(_ values: [Double], k: Int, dim: Int) {
        centerValues = values
        numClusters = k
        numFeatures = dim
    }

    public override func copyState(from other: Params) {
        guard let o = other as? KMeansModel else { return }
        setCenters(o.centerValues, k: o.numClusters, dim: o.numFeatures)
        summary = o.summary
        parentUID = o.parentUID
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        return try SchemaUtils.appendColumn(schema, try value(predictionCol), .int, nullable: false, stage: uid)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let cs = Centers(centerValues, k: numClusters, dim: numFeatures, cosine: try value(distanceMeasure) == "cosine")
        let d = numFeatures
        let column = ClusteringOutputs.predictionColumn(try value(featuresCol), stage: uid, dim: d) { row in
            guard let p = row.baseAddress else { return 0 }
            var s = 0.0
            for j in 0..<d { s += p[j] * p[j] }
            return Int32(cs.closest(p, s.squareRoot()).0)
        }
        return df.withColumn(try value(predictionCol), column)
    }

    /// The index of the closest center to `features` (Spark's `predict`).
    public func predict(_ features: Vector) throws -> Int {
        let x = features.toArray()
        guard x.count == numFeatures else {
            throw MLError.invalidData(uid, "features vector of size \(x.count) does not match the model's \(numFeatures) features")
        }
        let cs = Centers(centerValues, k: numClusters, dim: numFeatures, cosine: try value(distanceMeasure) == "cosine")
        let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return x.withUnsafeBufferPointer { xv in
            guard let p = xv.baseAddress else { return 0 }
            return cs.closest(p, norm).0
        }
    }

    /// Writes `data/` as Spark does: one row per center (clusterIdx, clusterCenter).
    public override func saveData(to dir: String, session: Session) throws {
        try ClusteringOutputs.saveCenters(centerValues, k: numClusters, dim: numFeatures, dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let (values, k, dim) = try ClusteringOutputs.loadCenters(dir, session: session)
        setCenters(values, k: k, dim: dim)
    }
}
