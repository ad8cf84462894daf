import Ember
import EmberCore
import Foundation

/// What a tree model's predictions are made of.
enum TreeModelKind {
    case decisionTreeClassifier, decisionTreeRegressor, randomForestClassifier, randomForestRegressor, gbtClassifier, gbtRegressor
}

/// The learned state and prediction logic shared by Spark's six tree models: the trees,
/// their weights, `numFeatures` and `numClasses`, Spark's `toDebugString` and
/// `featureImportances`, and persistence of the nodes as Parquet rows under `data/`.
public class TreeModelBase: Model {
    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let predictionCol = SharedParams.predictionCol()
    public let weightCol = SharedParams.weightCol()
    public let maxDepth = TreeParams.maxDepth()
    public let maxBins = TreeParams.maxBins()
    public let minInstancesPerNode = TreeParams.minInstancesPerNode()
    public let minWeightFractionPerNode = TreeParams.minWeightFractionPerNode()
    public let minInfoGain = TreeParams.minInfoGain()
    public let maxMemoryInMB = TreeParams.maxMemoryInMB()
    public let cacheNodeIds = TreeParams.cacheNodeIds()
    public let checkpointInterval = TreeParams.checkpointInterval()
    public let leafCol = TreeParams.leafCol()
    public let seed = SharedParams.seed(0)

    /// The trees (one for a decision tree model).
    public internal(set) var trees: [DecisionTree] = []
    public internal(set) var treeWeights: [Double] = []
    public internal(set) var numFeatures = 0
    /// Number of classes (classifiers), 0 for regressors.
    public internal(set) var numClasses = 0

    public required init(uid: String) { super.init(uid: uid) }

    var kind: TreeModelKind { .decisionTreeRegressor }

    public var getNumTrees: Int { trees.count }
    /// Total number of nodes over all trees.
    public var totalNumNodes: Int { trees.reduce(0) { $0 + $1.numNodes } }

    /// Spark's `featureImportances` for the model kind.
    public var featureImportances: Vector {
        treeFeatureImportances(trees, numFeatures: numFeatures, perTreeNormalization: kind != .gbtClassifier && kind != .gbtRegressor)
    }

    /// Spark's `toString` of the model (the first line of `toDebugString`).
    public var summary: String {
        switch kind {
        case .decisionTreeClassifier:
            return "DecisionTreeClassificationModel: uid=\(uid), depth=\(trees.first?.depth ?? 0), numNodes=\(trees.first?.numNodes ?? 0), numClasses=\(numClasses), numFeatures=\(numFeatures)"
        case .decisionTreeRegressor:
            return "DecisionTreeRegressionModel: uid=\(uid), depth=\(trees.first?.depth ?? 0), numNodes=\(trees.first?.numNodes ?? 0), numFeatures=\(numFeatures)"
        case .randomForestClassifier:
            return "RandomForestClassificationModel: uid=\(uid), numTrees=\(trees.count), numClasses=\(numClasses), numFeatures=\(numFeatures)"
        case .randomForestRegressor:
            return "RandomForestRegressionModel: uid=\(uid), numTrees=\(trees.count), numFeatures=\(numFeatures)"
        case .gbtClassifier:
            return "GBTClassificationModel: uid = \(uid), numTrees=\(trees.count), numClasses=\(numClasses), numFeatures=\(numFeatures)"
        case .gbtRegressor:
            return "GBTRegressionModel: uid=\(uid), numTrees=\(trees.count), numFeatures=\(numFeatures)"
        }
    }

    /// Spark's `toDebugString`.
    public var toDebugString: String {
        switch kind {
        case .decisionTreeClassifier, .decisionTreeRegressor:
            return summary + "\n" + (trees.first?.subtreeToString(2) ?? "")
        default:
            var s = summary + "\n"
            for (i, t) in trees.enumerated() {
                s += "  Tree \(i) (weight \(NumberFormat.javaDouble(treeWeights[i]))):\n" + t.subtreeToString(4)
            }
            return s
        }
    }

    func setState(trees: [DecisionTree], weights: [Double], numFeatures: Int, numClasses: Int) {
        self.trees = trees
        self.treeWeights = weights
        self.numFeatures = numFeatures
        self.numClasses = numClasses
    }

    public override func copyState(from other: Params) {
        guard let o = other as? TreeModelBase else { return }
        setState(trees: o.trees, weights: o.treeWeights, numFeatures: o.numFeatures, numClasses: o.numClasses)
        parentUID = o.parentUID
    }

    func checkLeafCol() throws {
        if let l = get(leafCol), !l.isEmpty {
            throw EmberError.unsupported("\(uid): leafCol is not supported by Ember's tree models yet; leave it empty")
        }
    }

    /// The regression prediction for dense features (regressors; GBT classifier margin).
    @inline(__always)
    static func regress(_ kind: TreeModelKind, _ trees: [DecisionTree], _ weights: [Double], _ x: UnsafeBufferPointer<Double>) -> Double {
        switch kind {
        case .randomForestRegressor:
            var s = 0.0
            for t in trees { s += t.predict(x) }
            return s / Double(trees.count)
        case .gbtRegressor, .gbtClassifier:
            var s = 0.0
            for (t, w) in zip(trees, weights) { s += t.predict(x) * w }
            return s
        default:
            return trees.first?.predict(x) ?? 0
        }
    }

    /// A regressor's output columns: a double prediction (`TreeClassificationModelBase`
    /// gives the probabilistic ones).
    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        return try SchemaUtils.appendColumn(schema, try value(predictionCol), .double, nullable: false, stage: uid)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        return try regressionTransform(df)
    }

    /// Predictions of a regressor as a double column.
    func regressionTransform(_ df: DataFrame) throws -> DataFrame {
        try checkLeafCol()
        let kind = self.kind, trees = self.trees, weights = treeWeights, d = numFeatures, stage = uid
        let featuresCol = try value(featuresCol)
        let f = udf("tree_prediction", returnType: .double, nullable: false) { cols, n in
            let r = try VectorColumnReader(cols[0], what: stage)
            var x = [Double](repeating: 0, count: d)
            let out = try [Double](unsafeUninitializedCapacity: r.count) { p, count in
                try x.withUnsafeMutableBufferPointer { xb in
                    for i in 0..<r.count {
                        if r.isNull(i) { throw MLError.invalidData(stage, "features column \(featuresCol) has a NULL at row \(i) of a batch") }
                        guard r.size(i) == d else { throw MLError.invalidData(stage, "features vector of size \(r.size(i)) does not match the model's \(d) features") }
                        r.copyDense(i, into: xb)
                        p[i] = TreeModelBase.regress(kind, trees, weights, UnsafeBufferPointer(xb))
                    }
                }
                count = r.count
            }
            return ColumnData(type: .double, count: r.count, validity: nil, storage: .f64(out))
        }
        return df.withColumn(try value(predictionCol), f(col(featuresCol)))
    }

    /// The probabilistic outputs of a classifier (Spark's `predictRaw` / `raw2probability`).
    func classifierOutputs(rawPredictionCol: String, probabilityCol: String, thresholds: [Double]?) throws -> ProbabilisticOutputs {
        try checkLeafCol()
        let kind = self.kind, trees = self.trees, weights = treeWeights, d = numFeatures, k = numClasses
        let raw: (VectorColumnReader, Int, UnsafeMutableBufferPointer<Double>) throws -> Void = { r, row, out in
            try withUnsafeTemporaryAllocation(of: Double.self, capacity: max(d, 1)) { x in
                let xb = UnsafeMutableBufferPointer(rebasing: x[0..<d])
                r.copyDense(row, into: xb)
                let xs = UnsafeBufferPointer(xb)
                switch kind {
                case .gbtClassifier:
                    let m = TreeModelBase.regress(kind, trees, weights, xs)
                    out[0] = -m
                    out[1] = m
                case .randomForestClassifier:
                    for c in 0..<k { out[c] = 0 }
                    for t in trees {
                        let s = t.nodes[t.leaf(xs)].stats
                        var total = 0.0
                        for v in s { total += v }
                        if total != 0 { for c in 0..<min(k, s.count) { out[c] += s[c] / total } }
                    }
                default:
                    guard let t = trees.first else { throw MLError.invalidData(self.uid, "the model has no tree") }
                    let s = t.nodes[t.leaf(xs)].stats
                    for c in 0..<k { out[c] = c < s.count ? s[c] : 0 }
                }
            }
        }
        var o = ProbabilisticOutputs(stage: uid, numClasses: k, numFeatures: d, featuresCol: try value(featuresCol),
                                     rawPredictionCol: rawPredictionCol, probabilityCol: probabilityCol,
                                     predictionCol: try value(predictionCol), thresholds: thresholds, raw: raw)
        if kind == .gbtClassifier {
            o.rawToProbability = { v in
                let p0 = 1.0 / (1.0 + Foundation.exp(-2.0 * v[0]))
                v[0] = p0
                v[1] = 1.0 - p0
            }
        } else {
            o.rawToProbability = { v in
                var sum = 0.0
                for i in 0..<v.count { sum += v[i] }
                if sum > 0 { for i in 0..<v.count { v[i] /= sum } }
            }
        }
        return o
    }

    public override func extraMetadata() -> [String: Any] {
        ["numFeatures": numFeatures, "numClasses": numClasses, "numTrees": trees.count]
    }

    /// Writes `data/` (one row per node) and `treesMetadata/` (one row per tree: its weight).
    public override func saveData(to dir: String, session: Session) throws {
        let schema = try Schema(ddl: "treeID INT, nodeID INT, prediction DOUBLE, impurity DOUBLE, impurityStats ARRAY<DOUBLE>, rawCount BIGINT, gain DOUBLE, weight DOUBLE, leftChild INT, rightChild INT, featureIndex INT, threshold DOUBLE, leftCategories ARRAY<DOUBLE>, numCategories INT")
        var rows: [[Value]] = []
        for (t, tree) in trees.enumerated() {
            for (i, n) in tree.nodes.enumerated() {
                var f: Int32 = -1, threshold = 0.0, cats: [Double] = [], numCats: Int32 = -1
                switch n.split {
                case .continuous(let ff, let th)?: f = Int32(ff); threshold = th
                case .categorical(let ff, let cs, let k)?: f = Int32(ff); cats = cs; numCats = Int32(k)
                case nil: break
                }
                rows.append([.int(Int32(t)), .int(Int32(i)), .double(n.prediction), .double(n.impurity), ModelData.array(n.stats), .long(Int64(n.rawCount)),
                             .double(n.gain), .double(n.weight), .int(Int32(n.left)), .int(Int32(n.right)), .int(f), .double(threshold),
                             ModelData.array(cats), .int(numCats)])
            }
        }
        try session.createDataFrame(rows, schema: schema).write.parquet(dir + "/data")
        let wrows: [[Value]] = treeWeights.enumerated().map { [.int(Int32($0.offset)), .double($0.element)] }
        try session.createDataFrame(wrows, schema: try Schema(ddl: "treeID INT, treeWeight DOUBLE")).write.parquet(dir + "/treesMetadata")
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        guard let d = metadata.json["numFeatures"] as? Int, let k = metadata.json["numClasses"] as? Int, let numTrees = metadata.json["numTrees"] as? Int,
              d >= 0, k >= 0, numTrees >= 0, numTrees < 1_000_000 else {
            throw MLError.invalidModelDirectory(dir, "metadata.json lacks numFeatures, numClasses or numTrees")
        }
        let wrows = try session.read.parquet(dir + "/treesMetadata").collect()
        var weights = [Double](repeating: 0, count: numTrees)
        var seenTree = [Bool](repeating: false, count: numTrees)
        for r in wrows {
            let t = try ModelData.int(r, "treeID", dir)
            guard t >= 0, t < numTrees else { throw MLError.invalidModelDirectory(dir, "treesMetadata names tree \(t) of \(numTrees)") }
            weights[t] = try ModelData.double(r, "treeWeight", dir)
            seenTree[t] = true
        }
        guard !seenTree.contains(false) else { throw MLError.invalidModelDirectory(dir, "treesMetadata lacks a tree weight") }
        var nodes = [[(Int, TreeNode)]](repeating: [], count: numTrees)
        for r in try session.read.parquet(dir + "/data").collect() {
            let t = try ModelData.int(r, "treeID", dir), id = try ModelData.int(r, "nodeID", dir)
            guard t >= 0, t < numTrees else { throw MLError.invalidModelDirectory(dir, "data names tree \(t) of \(numTrees)") }
            let f = try ModelData.int(r, "featureIndex", dir), numCats = try ModelData.int(r, "numCategories", dir)
            var split: TreeSplit? = nil
            if f >= 0 {
                guard f < d else { throw MLError.invalidModelDirectory(dir, "node \(id) of tree \(t) splits on feature \(f) of \(d)") }
                split = numCats >= 0 ? .categorical(feature: f, leftCategories: try ModelData.doubles(r, "leftCategories", dir), numCategories: numCats)
                                     : .continuous(feature: f, threshold: try ModelData.double(r, "threshold", dir))
            }
            let node = TreeNode(prediction: try ModelData.double(r, "prediction", dir), impurity: try ModelData.double(r, "impurity", dir),
                                gain: try ModelData.double(r, "gain", dir), stats: try ModelData.doubles(r, "impurityStats", dir),
                                rawCount: try ModelData.int(r, "rawCount", dir), weight: try ModelData.double(r, "weight", dir), split: split,
                                left: try ModelData.int(r, "leftChild", dir), right: try ModelData.int(r, "rightChild", dir))
            nodes[t].append((id, node))
        }
        var trees: [DecisionTree] = []
        for (t, list) in nodes.enumerated() {
            let sorted = list.sorted { $0.0 < $1.0 }
            guard sorted.enumerated().allSatisfy({ $0.offset == $0.element.0 }) else {
                throw MLError.invalidModelDirectory(dir, "tree \(t) has missing or repeated node ids")
            }
            let tree = DecisionTree(nodes: sorted.map(\.1))
            guard tree.isWellFormed() else { throw MLError.invalidModelDirectory(dir, "tree \(t) has bad child links") }
            trees.append(tree)
        }
        setState(trees: trees, weights: weights, numFeatures: d, numClasses: k)
    }
}
