import Ember
import EmberCore
import Foundation

/// A fitted feature selector: keeps `selectedFeatures` (ascending) of a vector column
/// (Spark's `SelectorModel` and `VarianceThresholdSelectorModel`).
public class SelectorModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let featuresCol = SharedParams.featuresCol()
    public let outputCol = SharedParams.outputCol()

    public internal(set) var selectedFeatures: [Int] = []

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public override func copyState(from other: Params) {
        if let o = other as? SelectorModel { selectedFeatures = o.selectedFeatures; parentUID = o.parentUID }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        return try SchemaUtils.appendColumn(schema, try value(outputCol), .vector, stage: uid)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let sel = selectedFeatures, stage = uid
        return df.withColumn(try value(outputCol), VectorKernels.column("selector", try value(featuresCol), stage: uid, size: nil) {
            VectorKernels.slice(sel, stage: stage)
        })
    }

    static let dataSchema = Schema([StructField("selectedFeatures", .array(element: .int, containsNull: false))])

    public override func saveData(to dir: String, session: Session) throws {
        try FeatureSupport.saveData([FeatureSupport.intsArray(selectedFeatures)], schema: Self.dataSchema, dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        selectedFeatures = try FeatureSupport.intsValue(try FeatureSupport.field(try FeatureSupport.loadRow(dir, session: session), "selectedFeatures", dir), dir)
    }
}

/// Removes features whose sample variance is not greater than `varianceThreshold`
/// (Spark's `VarianceThresholdSelector`).
public final class VarianceThresholdSelector: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let featuresCol = SharedParams.featuresCol()
    public let outputCol = SharedParams.outputCol()
    public let varianceThreshold = Param<Double>("varianceThreshold", "Param for variance threshold. Features with a variance not greater than this threshold will be removed. The default value is 0.0.", default: 0.0, .gtEq(0))

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(featuresCol: String, outputCol: String, varianceThreshold: Double? = nil) {
        self.init()
        set(self.featuresCol, featuresCol)
        set(self.outputCol, outputCol)
        if let t = varianceThreshold { set(self.varianceThreshold, t) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        return try SchemaUtils.appendColumn(schema, try value(outputCol), .vector, stage: uid)
    }

    public override func fit(_ df: DataFrame) throws -> Model {
        _ = try transformSchema(try df.schema())
        let s = try VectorSummary.compute(df, try value(featuresCol), stage: uid)
        let t = try value(varianceThreshold)
        let v = s.variance, mx = s.realMax, mn = s.realMin
        let m = VarianceThresholdSelectorModel(uid: uid)
        m.selectedFeatures = (0..<s.dim).filter { (mx[$0] == mn[$0] ? 0 : v[$0]) > t }
        copyValues(to: m)
        m.parentUID = uid
        return m
    }
}

public final class VarianceThresholdSelectorModel: SelectorModel {}

/// Selects the `numTopFeatures` features with the smallest p-values of Pearson's
/// chi-squared independence test against the label (Spark's `ChiSqSelector` with its
/// default selectorType, numTopFeatures; ties in p-value go to the lower index).
public final class ChiSqSelector: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let outputCol = SharedParams.outputCol()
    public let numTopFeatures = Param<Int>("numTopFeatures", "Number of features that selector will select, ordered by ascending p-value. If the number of features is < numTopFeatures, then this will select all features.", default: 50, .gtEq(1))
    public let selectorType = Param<String>("selectorType", "The selector type. Supported options: numTopFeatures (default), percentile, fpr, fdr, fwe.", default: "numTopFeatures",
                                            .oneOf(["numTopFeatures", "percentile", "fpr", "fdr", "fwe"]))
    public let percentile = Param<Double>("percentile", "Percentile of features that selector will select, ordered by ascending p-value.", default: 0.1, .inRange(0, 1))
    public let fpr = Param<Double>("fpr", "The highest p-value for features to be kept.", default: 0.05, .inRange(0, 1))
    public let fdr = Param<Double>("fdr", "The upper bound of the expected false discovery rate.", default: 0.05, .inRange(0, 1))
    public let fwe = Param<Double>("fwe", "The upper bound of the expected family-wise error rate.", default: 0.05, .inRange(0, 1))

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(numTopFeatures: Int, featuresCol: String = "features", labelCol: String = "label", outputCol: String) {
        self.init()
        set(self.numTopFeatures, numTopFeatures)
        set(self.featuresCol, featuresCol)
        set(self.labelCol, labelCol)
        set(self.outputCol, outputCol)
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        try SchemaUtils.checkNumericType(schema, try value(labelCol), stage: uid)
        return try SchemaUtils.appendColumn(schema, try value(outputCol), .vector, stage: uid)
    }

    public override func fit(_ df: DataFrame) throws -> Model {
        _ = try transformSchema(try df.schema())
        let data = try Instances.load(df, featuresCol: try value(featuresCol), labelCol: try value(labelCol), weightCol: nil, stage: uid)
        let d = data.numFeatures
        // One feature per task: its contingency table against the label.
        let pValues = Parallel.mapRanges(d) { r -> [Double] in
            r.map { j in ChiSqSelector.pValue(data, feature: j) }
        }.flatMap { $0 }
        let ranked = (0..<d).sorted { pValues[$0] < pValues[$1] || (pValues[$0] == pValues[$1] && $0 < $1) }
        // Spark's selection rules, over features ordered by ascending p-value.
        let chosen: [Int]
        switch try value(selectorType).lowercased() {
        case "percentile": chosen = Array(ranked.prefix(Int(Double(d) * (try value(percentile)))))
        case "fpr":
            let a = try value(fpr)
            chosen = ranked.filter { pValues[$0] < a }
        case "fdr":
            // Benjamini–Hochberg: the longest prefix whose last p-value is ≤ fdr·(i+1)/d.
            let f = try value(fdr) / Double(d)
            let last = ranked.indices.last { pValues[ranked[$0]] <= f * Double($0 + 1) } ?? -1
            chosen = Array(ranked.prefix(last + 1))
        case "fwe":
            let a = try value(fwe) / Double(d)
            chosen = ranked.filter { pValues[$0] < a }
        default: chosen = Array(ranked.prefix(try value(numTopFeatures)))
        }
        let m = ChiSqSelectorModel(uid: uid)
        m.selectedFeatures = chosen.sorted()
        m.set(m.featuresCol, try value(featuresCol))
        m.set(m.outputCol, try value(outputCol))
        m.parentUID = uid
        return m
    }

    /// Pearson's test of feature `j` against the labels (Spark's `ChiSqTest.chiSquaredMatrix`).
    static func pValue(_ data: Instances, feature j: Int) -> Double {
        var labelIndex: [Double: Int] = [:], valueIndex: [Double: Int] = [:]
        var cells: [Int: Double] = [:]
        var x = [Double](repeating: 0, count: data.count)
        if let m = data.dense {
            for i in 0..<data.count { x[i] = m[i * data.numFeatures + j] }
        } else {
            for i in 0..<data.count {
                for k in data.offsets[i]..<data.offsets[i + 1] where Int(data.indices[k]) == j { x[i] = data.values[k] }
            }
        }
        for i in 0..<data.count {
            let l = labelIndex[data.labels[i]] ?? { let n = labelIndex.count; labelIndex[data.labels[i]] = n; return n }()
            let v = valueIndex[x[i]] ?? { let n = valueIndex.count; valueIndex[x[i]] = n; return n }()
            cells[v * 1_000_003 + l, default: 0] += 1
        }
        let rows = valueIndex.count, cols = labelIndex.count
        let dof = (rows - 1) * (cols - 1)
        if dof == 0 { return 1 }
        var rowSums = [Double](repeating: 0, count: rows), colSums = [Double](repeating: 0, count: cols)
        for (key, c) in cells { rowSums[key / 1_000_003] += c; colSums[key % 1_000_003] += c }
        let total = Double(data.count)
        var stat = 0.0
        for c in 0..<cols {
            for r in 0..<rows {
                let expected = colSums[c] * rowSums[r] / total
                let observed = cells[r * 1_000_003 + c] ?? 0
                stat += (observed - expected) * (observed - expected) / expected
            }
        }
        return 1 - regularizedGammaP(Double(dof) / 2, stat / 2)
    }

    /// P(a, x), the regularized lower incomplete gamma function (series below a + 1,
    /// continued fraction above), as commons-math's `Gamma.regularizedGammaP`.
    static func regularizedGammaP(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        let lnPrefix = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var sum = 1 / a, term = sum, n = 1.0
            while abs(term) > abs(sum) * 1e-16 && n < 10_000 {
                term *= x / (a + n)
                sum += term
                n += 1
            }
            return min(1, exp(lnPrefix) * sum)
        }
        // Lentz's continued fraction for Q(a, x).
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        var i = 1.0
        while i < 10_000 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b; if abs(d) < tiny { d = tiny }
            c = b + an / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
            i += 1
        }
        return max(0, 1 - exp(lnPrefix) * h)
    }
}

public final class ChiSqSelectorModel: SelectorModel {}
