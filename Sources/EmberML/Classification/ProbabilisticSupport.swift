import Ember
import EmberCore
import Foundation

/// The output columns of a probabilistic classification model (Spark's
/// `ProbabilisticClassificationModel.transform`): `rawPredictionCol` (vector),
/// `probabilityCol` (vector) and `predictionCol` (double), each skipped when its name is
/// empty. Raw predictions come from the model's row function; probabilities from the raw
/// ones (`rawToProbability`, by default Spark's softmax); the prediction is the argmax of the
/// raw prediction, or with `thresholds` the class with the largest probability / threshold.
public struct ProbabilisticOutputs {
    /// The model's uid, for errors.
    public var stage: String
    public var numClasses: Int
    /// Vectors in the features column must have this size.
    public var numFeatures: Int
    public var featuresCol: String
    public var rawPredictionCol: String
    public var probabilityCol: String
    public var predictionCol: String
    public var thresholds: [Double]?
    /// Writes the raw prediction of row `row` of `features` (numClasses values) into `out`;
    /// throws on an invalid row.
    public var raw: (_ features: VectorColumnReader, _ row: Int, _ out: UnsafeMutableBufferPointer<Double>) throws -> Void
    /// Turns a raw prediction into probabilities in place.
    public var rawToProbability: (UnsafeMutableBufferPointer<Double>) -> Void = ProbabilisticOutputs.softmax

    public init(stage: String, numClasses: Int, numFeatures: Int, featuresCol: String, rawPredictionCol: String,
                probabilityCol: String, predictionCol: String, thresholds: [Double]?,
                raw: @escaping (VectorColumnReader, Int, UnsafeMutableBufferPointer<Double>) throws -> Void) {
        self.stage = stage
        self.numClasses = numClasses
        self.numFeatures = numFeatures
        self.featuresCol = featuresCol
        self.rawPredictionCol = rawPredictionCol
        self.probabilityCol = probabilityCol
        self.predictionCol = predictionCol
        self.thresholds = thresholds
        self.raw = raw
    }

    /// Checks the features column (a vector) and appends the non-empty output columns.
    public static func transformSchema(_ schema: Schema, featuresCol: String, rawPredictionCol: String, probabilityCol: String,
                                       predictionCol: String, stage: String) throws -> Schema {
        try SchemaUtils.checkVector(schema, featuresCol, stage: stage)
        var s = schema
        if !rawPredictionCol.isEmpty { s = try SchemaUtils.appendColumn(s, rawPredictionCol, .vector, nullable: false, stage: stage) }
        if !probabilityCol.isEmpty { s = try SchemaUtils.appendColumn(s, probabilityCol, .vector, nullable: false, stage: stage) }
        if !predictionCol.isEmpty { s = try SchemaUtils.appendColumn(s, predictionCol, .double, nullable: false, stage: stage) }
        return s
    }

    /// Spark's `Utils.softmax` in place: exp(x - max) normalized; a +Infinity entry takes
    /// all the probability.
    public static func softmax(_ v: UnsafeMutableBufferPointer<Double>) {
        guard !v.isEmpty else { return }
        var maxValue = -Double.greatestFiniteMagnitude
        for i in 0..<v.count {
            let x = v[i]
            if x == .infinity {
                for k in 0..<v.count { v[k] = 0 }
                v[i] = 1
                return
            }
            if x > maxValue { maxValue = x }
        }
        var sum = 0.0
        for i in 0..<v.count {
            let e = Foundation.exp(v[i] - maxValue)
            v[i] = e
            sum += e
        }
        for i in 0..<v.count { v[i] /= sum }
    }

    /// Spark's `DenseVector.argmax`: the first index of the largest value.
    public static func argmax(_ v: UnsafeBufferPointer<Double>) -> Int {
        guard !v.isEmpty else { return -1 }
        var best = 0
        var m = v[0]
        for i in 1..<v.count where v[i] > m {
            m = v[i]
            best = i
        }
        return best
    }

    /// Spark's `probability2prediction` with thresholds: the class with the largest p / t.
    public static func thresholdedArgmax(_ p: UnsafeBufferPointer<Double>, _ t: [Double]) -> Int {
        var best = 0
        var m = -Double.infinity
        for i in 0..<p.count {
            let scaled = p[i] / t[i]
            if scaled > m {
                m = scaled
                best = i
            }
        }
        return best
    }

    /// Checks `thresholds` against the number of classes, as Spark's transform does.
    func checkThresholds() throws {
        if let t = thresholds, t.count != numClasses {
            throw MLError.invalidParam(stage, "thresholds", "has length \(t.count) but the model has \(numClasses) classes (ProbabilisticClassificationModel.transform() called with non-matching numClasses and thresholds.length)")
        }
    }

    /// Adds the output columns to `df` (lazily, through vectorized UDFs over the features
    /// column or the raw/probability columns just added, as Spark chains them).
    public func apply(to df: DataFrame) throws -> DataFrame {
        try checkThresholds()
        let k = numClasses
        let d = numFeatures
        let stage = self.stage
        let featuresCol = self.featuresCol
        let raw = self.raw
        let toProb = self.rawToProbability
        let thresholds = self.thresholds

        /// Rows of `features` through `body(row, buffer)` into a dense vector column.
        func perRow(_ c: ColumnData, _ body: (VectorColumnReader, Int, UnsafeMutableBufferPointer<Double>) throws -> Void) throws -> ColumnData {
            let r = try VectorColumnReader(c, what: stage)
            let n = r.count
            var out = [Double](repeating: 0, count: n * k)
            try out.withUnsafeMutableBufferPointer { buf in
                guard let base = buf.baseAddress else { return }
                for i in 0..<n {
                    if r.isNull(i) {
                        throw MLError.invalidData(stage, "features column \(featuresCol) has a NULL at row \(i) of a batch")
                    }
                    let size = r.size(i)
                    guard size == d else {
                        throw MLError.invalidData(stage, "features vector of size \(size) does not match the model's \(d) features")
                    }
                    try body(r, i, UnsafeMutableBufferPointer(start: base + i * k, count: k))
                }
            }
            return VectorColumnBuilder.dense(out, dim: k, count: n)
        }

        /// A dense k-vector column's rows through `body` into a new one.
        func mapVectors(_ c: ColumnData, _ body: (UnsafeMutableBufferPointer<Double>) -> Void) throws -> ColumnData {
            let r = try VectorColumnReader(c, what: stage)
            let n = r.count
            var out = [Double](repeating: 0, count: n * k)
            out.withUnsafeMutableBufferPointer { buf in
                guard let base = buf.baseAddress else { return }
                for i in 0..<n {
                    let row = UnsafeMutableBufferPointer(start: base + i * k, count: k)
                    r.copyDense(i, into: row)
                    body(row)
                }
            }
            return VectorColumnBuilder.dense(out, dim: k, count: n)
        }

        /// The prediction of each row of a dense k-vector column (raw or probability).
        func predictions(_ c: ColumnData, fromProbability: Bool) throws -> ColumnData {
            let r = try VectorColumnReader(c, what: stage)
            let n = r.count
            var row = [Double](repeating: 0, count: k)
            let preds = [Double](unsafeUninitializedCapacity: n) { p, count in
                row.withUnsafeMutableBufferPointer { buf in
                    for i in 0..<n {
                        r.copyDense(i, into: buf)
                        let ro = UnsafeBufferPointer(buf)
                        if let t = thresholds {
                            if !fromProbability { toProb(buf) }
                            p[i] = Double(ProbabilisticOutputs.thresholdedArgmax(ro, t))
                        } else {
                            p[i] = Double(ProbabilisticOutputs.argmax(ro))
                        }
                    }
                }
                count = n
            }
            return ColumnData(type: .double, count: n, validity: nil, storage: .f64(preds))
        }

        var out = df
        if !rawPredictionCol.isEmpty {
            let f = udf("raw_prediction", returnType: .vector, nullable: false) { cols, _ in
                try perRow(cols[0], raw)
            }
            out = out.withColumn(rawPredictionCol, f(col(featuresCol)))
        }
        if !probabilityCol.isEmpty {
            if !rawPredictionCol.isEmpty {
                let f = udf("probability", returnType: .vector, nullable: false) { cols, _ in
                    try mapVectors(cols[0], toProb)
                }
                out = out.withColumn(probabilityCol, f(col(rawPredictionCol)))
            } else {
                let f = udf("probability", returnType: .vector, nullable: false) { cols, _ in
                    try perRow(cols[0]) { r, i, buf in
                        try raw(r, i, buf)
                        toProb(buf)
                    }
                }
                out = out.withColumn(probabilityCol, f(col(featuresCol)))
            }
        }
        if !predictionCol.isEmpty {
            if !rawPredictionCol.isEmpty && thresholds == nil {
                let f = udf("prediction", returnType: .double, nullable: false) { cols, _ in
                    try predictions(cols[0], fromProbability: false)
                }
                out = out.withColumn(predictionCol, f(col(rawPredictionCol)))
            } else if !probabilityCol.isEmpty {
                let f = udf("prediction", returnType: .double, nullable: false) { cols, _ in
                    try predictions(cols[0], fromProbability: true)
                }
                out = out.withColumn(predictionCol, f(col(probabilityCol)))
            } else {
                let f = udf("prediction", returnType: .double, nullable: false) { cols, _ in
                    try predictions(try perRow(cols[0], raw), fromProbability: false)
                }
                out = out.withColumn(predictionCol, f(col(featuresCol)))
            }
        }
        return out
    }
}
