import Ember
import EmberCore
import Foundation

/// The params IsotonicRegression and its model share (Spark's `IsotonicRegressionBase`).
enum IsotonicParams {
    static func isotonic() -> Param<Bool> {
        Param("isotonic", "whether the output sequence should be isotonic/increasing (true) orantitonic/decreasing (false).", default: true)
    }

    static func featureIndex() -> Param<Int> {
        Param("featureIndex", "The index of the feature if featuresCol is a vector column, no effect otherwise.", default: 0, .gtEq(0))
    }

    /// Spark's `validateAndTransformSchema`: features must be a double or vector column.
    static func check(_ schema: Schema, features: String, stage: String) throws -> Bool {
        let f = try SchemaUtils.field(schema, features, stage: stage)
        guard f.dataType == .double || f.dataType.isVector else {
            throw MLError.invalidColumn(stage, "The type of column \(features) should be Double or Vector, but got \(f.dataType.sql)")
        }
        return f.dataType.isVector
    }
}

/// Isotonic (or antitonic) regression (Spark's
/// `org.apache.spark.ml.regression.IsotonicRegression`): a piecewise linear monotone
/// function of one feature (a double column, or element `featureIndex` of a vector
/// column), fitted by pooling adjacent violators over points sorted by feature, with
/// points of equal feature pooled first (weighted mean of their labels).
public final class IsotonicRegression: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.regression" }

    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let predictionCol = SharedParams.predictionCol()
    public let weightCol = SharedParams.weightCol()
    public let isotonic = IsotonicParams.isotonic()
    public let featureIndex = IsotonicParams.featureIndex()

    public required init(uid: String) { super.init(uid: uid) }

    public convenience init(featuresCol: String? = nil, labelCol: String? = nil, weightCol: String? = nil,
                            isotonic: Bool? = nil, featureIndex: Int? = nil) {
        self.init()
        if let f = featuresCol { set(self.featuresCol, f) }
        if let l = labelCol { set(self.labelCol, l) }
        if let w = weightCol { set(self.weightCol, w) }
        if let i = isotonic { set(self.isotonic, i) }
        if let i = featureIndex { set(self.featureIndex, i) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkNumericType(schema, try value(labelCol), stage: uid)
        if let w = get(weightCol), !w.isEmpty { try SchemaUtils.checkNumericType(schema, w, stage: uid) }
        _ = try IsotonicParams.check(schema, features: try value(featuresCol), stage: uid)
        return try SchemaUtils.appendColumn(schema, try value(predictionCol), .double, stage: uid)
    }

    public override func fit(_ df: DataFrame) throws -> IsotonicRegressionModel {
        let schema = try df.schema()
        _ = try transformSchema(schema)
        let featuresName = try value(featuresCol)
        let isVector = try IsotonicParams.check(schema, features: featuresName, stage: uid)
        let idx = try value(featureIndex)
        var cols = [col(try value(labelCol)).cast(.double), col(featuresName)]
        let weighted = (get(weightCol) ?? "").isEmpty == false
        if weighted, let w = get(weightCol) { cols.append(col(w).cast(.double)) }
        let increasing = try value(isotonic)

        // (label, feature, weight) of the points with positive weight; labels negated for antitonic.
        var points: [(Double, Double, Double)] = []
        var row = 0
        for b in try df.select(cols).collectBatches() {
            let labels = b.columns[0], feats = b.columns[1]
            guard let ys = labels.doubles else { throw MLError.invalidData(uid, "label column is not numeric") }
            let ws: [Double]? = weighted ? b.columns[2].doubles : nil
            let reader = isVector ? try VectorColumnReader(feats, what: uid) : nil
            let xs = isVector ? nil : feats.doubles
            for i in 0..<b.count {
                let at = row + i
                if labels.isNull(i) || ys[i].isNaN { throw MLError.invalidData(uid, "label column has a NULL or NaN at row \(at)") }
                var w = 1.0
                if weighted {
                    guard let ws, !b.columns[2].isNull(i), ws[i].isFinite else {
                        throw MLError.invalidData(uid, "weight column has a NULL or non-finite value at row \(at)")
                    }
                    w = ws[i]
                    guard w >= 0 else { throw MLError.invalidData(uid, "Negative weight at point (\(NumberFormat.javaDouble(ys[i])), row \(at), \(NumberFormat.javaDouble(w))). Weights must be non-negative") }
                }
                let x: Double
                if let r = reader {
                    if r.isNull(i) { throw MLError.invalidData(uid, "features column \(featuresName) has a NULL at row \(at)") }
                    guard idx < r.size(i) else {
                        throw MLError.invalidData(uid, "featureIndex \(idx) is out of range for a vector of size \(r.size(i)) at row \(at)")
                    }
                    x = IsotonicRegressionModel.element(r, i, idx)
                } else {
                    guard let xs, !feats.isNull(i) else { throw MLError.invalidData(uid, "features column \(featuresName) has a NULL at row \(at)") }
                    x = xs[i]
                }
                if x.isNaN { throw MLError.invalidData(uid, "features column \(featuresName) has a NaN at row \(at)") }
                if w > 0 { points.append((increasing ? ys[i] : -ys[i], x, w)) }
            }
            row += b.count
        }
        guard !points.isEmpty else { throw MLError.invalidData(uid, "no training points with a positive weight") }
        points.sort { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        let pooled = IsotonicRegression.poolAdjacentViolators(IsotonicRegression.makeUnique(points))
        let model = IsotonicRegressionModel(uid: uid)
        copyValues(to: model)
        model.parentUID = uid
        model.boundaries = pooled.map(\.1)
        model.predictions = pooled.map { increasing ? $0.0 : -$0.0 }
        return model
    }

    /// Points of equal feature (sorted input) merged into one: weighted mean label, summed weight.
    static func makeUnique(_ input: [(Double, Double, Double)]) -> [(Double, Double, Double)] {
        guard input.count > 1 else { return input }
        var out: [(Double, Double, Double)] = []
        out.reserveCapacity(input.count)
        var label = input[0].0 * input[0].2, feature = input[0].1, weight = input[0].2
        for p in input.dropFirst() {
            if p.1 == feature {
                label += p.0 * p.2
                weight += p.2
            } else {
                out.append((label / weight, feature, weight))
                label = p.0 * p.2; feature = p.1; weight = p.2
            }
        }
        out.append((label / weight, feature, weight))
        return out
    }

    /// Spark's `poolAdjacentViolators`: blocks merged while a block's mean is >= the next
    /// one's; each block gives a point at its first and last feature (or one point).
    static func poolAdjacentViolators(_ input: [(Double, Double, Double)]) -> [(Double, Double, Double)] {
        let n = input.count
        guard n > 0 else { return [] }
        var bounds = Array(0..<n)
        var wsum = input.map(\.2)
        var wy = input.map { $0.2 * $0.0 }
        func average(_ s: Int) -> Double { wy[s] / wsum[s] }
        func next(_ s: Int) -> Int { bounds[s] + 1 }
        func prev(_ s: Int) -> Int { bounds[s - 1] }
        func merge(_ a: Int, _ b: Int) -> Int {
            let end = bounds[b]
            bounds[a] = end
            bounds[end] = a
            wsum[a] += wsum[b]
            wy[a] += wy[b]
            return a
        }
        var i = 0
        while next(i) < n {
            if average(i) >= average(next(i)) {
                _ = merge(i, next(i))
                while i > 0 && average(prev(i)) >= average(i) {
                    i = merge(prev(i), i)
                }
            } else {
                i = next(i)
            }
        }
        var out: [(Double, Double, Double)] = []
        i = 0
        while i < n {
            let end = bounds[i]
            if input[end].1 > input[i].1 {
                out.append((average(i), input[i].1, wsum[i] / 2))
                out.append((average(i), input[end].1, wsum[i] / 2))
            } else {
                out.append((average(i), input[i].1, wsum[i]))
            }
            i = end + 1
        }
        return out
    }
}

/// A fitted isotonic regression (Spark's `IsotonicRegressionModel`): `boundaries`
/// (increasing features) and `predictions` at them; between boundaries the prediction is
/// interpolated linearly, outside them it is the first or last prediction.
public final class IsotonicRegressionModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.regression" }

    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let predictionCol = SharedParams.predictionCol()
    public let weightCol = SharedParams.weightCol()
    public let isotonic = IsotonicParams.isotonic()
    public let featureIndex = IsotonicParams.featureIndex()

    public var boundaries: [Double] = []
    public var predictions: [Double] = []

    public required init(uid: String) { super.init(uid: uid) }

    /// `boundaries` as a vector (Spark's `boundaries`).
    public var boundariesVector: Vector { Vectors.dense(boundaries) }
    /// `predictions` as a vector (Spark's `predictions`).
    public var predictionsVector: Vector { Vectors.dense(predictions) }

    public override func copyState(from other: Params) {
        guard let o = other as? IsotonicRegressionModel else { return }
        boundaries = o.boundaries
        predictions = o.predictions
        parentUID = o.parentUID
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        _ = try IsotonicParams.check(schema, features: try value(featuresCol), stage: uid)
        return try SchemaUtils.appendColumn(schema, try value(predictionCol), .double, stage: uid)
    }

    /// Element `j` of vector row `i`.
    static func element(_ r: VectorColumnReader, _ i: Int, _ j: Int) -> Double {
        var x = 0.0
        r.forEachActive(i) { k, v in if k == j { x = v } }
        return x
    }

    /// `java.util.Arrays.binarySearch(double[], key)`: an index of `key`, or
    /// -(insertion point) - 1; equal values are told apart by their bits (-0.0 < 0.0, NaN last).
    static func binarySearch(_ a: UnsafeBufferPointer<Double>, _ key: Double) -> Int {
        func bits(_ x: Double) -> Int64 { x.isNaN ? 0x7ff8_0000_0000_0000 : Int64(bitPattern: x.bitPattern) }
        var lo = 0, hi = a.count - 1
        while lo <= hi {
            let mid = (lo + hi) >> 1
            let m = a[mid]
            if m < key { lo = mid + 1 } else if m > key { hi = mid - 1 } else {
                let mb = bits(m), kb = bits(key)
                if mb == kb { return mid } else if mb < kb { lo = mid + 1 } else { hi = mid - 1 }
            }
        }
        return -(lo + 1)
    }

    /// Spark's `IsotonicRegressionModel.predict`.
    static func predict(_ b: UnsafeBufferPointer<Double>, _ p: UnsafeBufferPointer<Double>, _ x: Double) -> Double {
        let found = binarySearch(b, x)
        let insert = -found - 1
        if insert == 0 { return p[0] }
        if insert == b.count { return p[b.count - 1] }
        if found < 0 {
            let x1 = b[insert - 1], y1 = p[insert - 1], x2 = b[insert], y2 = p[insert]
            return y1 + (y2 - y1) * (x - x1) / (x2 - x1)
        }
        return p[found]
    }

    /// The prediction for one feature value.
    public func predict(_ x: Double) throws -> Double {
        guard !boundaries.isEmpty, boundaries.count == predictions.count else { throw MLError.invalidData(uid, "the model has no boundaries") }
        return boundaries.withUnsafeBufferPointer { b in predictions.withUnsafeBufferPointer { p in Self.predict(b, p, x) } }
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        let schema = try df.schema()
        _ = try transformSchema(schema)
        guard !boundaries.isEmpty, boundaries.count == predictions.count else { throw MLError.invalidData(uid, "the model has no boundaries") }
        let featuresName = try value(featuresCol)
        let isVector = try IsotonicParams.check(schema, features: featuresName, stage: uid)
        let idx = try value(featureIndex)
        let bs = boundaries, ps = predictions, stage = uid
        let f = udf("isotonic_predict", returnType: .double, nullable: true) { cols, n in
            let c = cols[0]
            let reader = isVector ? try VectorColumnReader(c, what: stage) : nil
            let xs = c.doubles ?? []
            if reader == nil && xs.count < n { throw MLError.invalidColumn(stage, "features column \(featuresName) is not double") }
            var out = [Double](repeating: 0, count: n)
            try bs.withUnsafeBufferPointer { b in
                try ps.withUnsafeBufferPointer { p in
                    for i in 0..<n {
                        if c.isNull(i) { continue }
                        let x: Double
                        if let r = reader {
                            guard idx < r.size(i) else {
                                throw MLError.invalidData(stage, "featureIndex \(idx) is out of range for a vector of size \(r.size(i))")
                            }
                            x = IsotonicRegressionModel.element(r, i, idx)
                        } else {
                            x = xs[i]
                        }
                        out[i] = IsotonicRegressionModel.predict(b, p, x)
                    }
                }
            }
            return ColumnData(type: .double, count: n, validity: c.validity, storage: .f64(out))
        }
        return df.withColumn(try value(predictionCol), f(col(featuresName)))
    }

    /// Writes `data/` as one Parquet row, as Spark: boundaries, predictions (arrays of
    /// doubles) and isotonic.
    public override func saveData(to dir: String, session: Session) throws {
        let schema = Schema([StructField("boundaries", .array(element: .double, containsNull: false)),
                             StructField("predictions", .array(element: .double, containsNull: false)),
                             StructField("isotonic", .boolean)])
        let row: [Value] = [.array(boundaries.map { .double($0) }), .array(predictions.map { .double($0) }), .boolean(try value(isotonic))]
        try session.createDataFrame([row], schema: schema).write.parquet(dir + "/data")
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let rows = try session.read.parquet(dir + "/data").select("boundaries", "predictions").collect()
        func doubles(_ v: Value) throws -> [Double] {
            guard case .array(let a) = v else { throw MLError.invalidModelDirectory(dir, "boundaries and predictions must be arrays") }
            return try a.map { x in
                guard case .double(let d) = x else { throw MLError.invalidModelDirectory(dir, "boundaries and predictions must be doubles") }
                return d
            }
        }
        guard rows.count == 1 else { throw MLError.invalidModelDirectory(dir, "data/ must hold one row") }
        let b = try doubles(rows[0].values[0]), p = try doubles(rows[0].values[1])
        guard b.count == p.count, !b.isEmpty else { throw MLError.invalidModelDirectory(dir, "boundaries and predictions differ in length") }
        boundaries = b
        predictions = p
    }
}
