import Ember
import EmberCore
import Foundation

/// The params and bucket search of `Bucketizer` (also used by `QuantileDiscretizer`).
enum BucketizerSupport {
    static let splitsDoc = "Split points for mapping continuous features into buckets. With n+1 splits, there are n buckets. A bucket defined by splits x,y holds values in the range [x,y) except the last bucket, which also includes y. The splits should be of length >= 3 and strictly increasing. Values at -inf, inf must be explicitly provided to cover all Double values; otherwise, values outside the splits specified will be treated as errors."

    /// Spark's `Bucketizer.checkSplits`: at least 3 values, strictly increasing.
    static func validSplits(_ s: [Double]) -> Bool {
        guard s.count >= 3 else { return false }
        for i in 1..<s.count where !(s[i - 1] < s[i]) { return false }
        return true
    }

    /// Spark's `Bucketizer.binarySearchForBuckets`; nil where the value is NaN and invalid
    /// values are kept (the caller maps it to the extra bucket).
    @inline(__always)
    static func bucket(_ splits: UnsafeBufferPointer<Double>, _ x: Double, keepInvalid: Bool, stage: String) throws -> Double {
        let n = splits.count
        if x.isNaN {
            guard keepInvalid else {
                throw MLError.invalidData(stage, "Bucketizer encountered NaN value. To handle or skip NaNs, try setting Bucketizer.handleInvalid.")
            }
            return Double(n - 1)
        }
        if x == splits[n - 1] { return Double(n - 2) }
        // The first split greater than x.
        var lo = 0, hi = n
        while lo < hi {
            let mid = (lo + hi) >> 1
            if splits[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        if lo > 0 && splits[lo - 1] == x { return Double(lo - 1) }
        guard lo > 0 && lo < n else {
            throw MLError.invalidData(stage, "Feature value \(NumberFormat.javaDouble(x)) out of Bucketizer bounds [\(NumberFormat.javaDouble(splits[0])), \(NumberFormat.javaDouble(splits[n - 1]))].  Check your features, or loosen the lower/upper bound constraints.")
        }
        return Double(lo - 1)
    }

    /// Buckets `inputs` into `outputs` by `splits` (one list per column). "skip" drops
    /// rows with a NULL or NaN in any input; otherwise a NULL input gives NULL.
    static func transform(_ df: DataFrame, inputs: [String], outputs: [String], splits: [[Double]], mode: String, stage: String) -> DataFrame {
        var input = df
        if mode == "skip" {
            for c in inputs {
                input = input.filter(col(c).isNotNull() && !callFunction("isnan", col(c).cast(.double)))
            }
        }
        let keep = mode == "keep"
        var out = input
        for (k, c) in inputs.enumerated() {
            let s = splits[k]
            let f = udf("bucketizer", returnType: .double, nullable: true) { cols, n in
                let x = cols[0]
                let xs = try FeatureSupport.doubles(x, stage: stage)
                let values = try s.withUnsafeBufferPointer { sp in
                    try [Double](unsafeUninitializedCapacity: n) { b, count in
                        for i in 0..<n { b[i] = x.isNull(i) ? 0 : try bucket(sp, xs[i], keepInvalid: keep, stage: stage) }
                        count = n
                    }
                }
                return FeatureSupport.doubleColumn(values, validity: x.validity)
            }
            out = out.withColumn(outputs[k], f(col(c).cast(.double)))
        }
        return out
    }
}

/// Maps continuous columns to bucket indices by split points (Spark's `Bucketizer`).
/// `handleInvalid` governs NaN: "error", "skip" (drop the row) or "keep" (an extra bucket,
/// index splits.count − 1); values outside the splits are always errors.
public final class Bucketizer: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let inputCols = SharedParams.inputCols()
    public let outputCols = SharedParams.outputCols()
    public let splits = Param<[Double]>("splits", BucketizerSupport.splitsDoc,
                                        ParamValidator("must be of length >= 3 and strictly increasing", BucketizerSupport.validSplits))
    public let splitsArray = Param<[[Double]]>("splitsArray", "The array of split points for mapping continuous features into buckets for multiple columns. For each input column, with n+1 splits, there are n buckets. A bucket defined by splits x,y holds values in the range [x,y) except the last bucket, which also includes y. The splits should be of length >= 3 and strictly increasing. Values at -inf, inf must be explicitly provided to cover all Double values; otherwise, values outside the splits specified will be treated as errors.",
                                               ParamValidator("must hold split lists of length >= 3, strictly increasing") { $0.allSatisfy(BucketizerSupport.validSplits) })
    public let handleInvalid = SharedParams.handleInvalid(
        "how to handle invalid entries containing NaN values. Values outside the splits will always be treated as errors. Options are 'skip' (filter out rows with invalid values), 'error' (throw an error), or 'keep' (keep invalid values in a special additional bucket). Note that in the multiple column case, the invalid handling is applied to all columns. That said for 'error' it will throw an error if any invalids are found in any column, for 'skip' it will skip rows with any invalids in any columns, etc.",
        default: "error", ["skip", "error", "keep"])

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String, splits: [Double], handleInvalid: String? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        set(self.splits, splits)
        if let h = handleInvalid { set(self.handleInvalid, h) }
    }

    public convenience init(inputCols: [String], outputCols: [String], splitsArray: [[Double]], handleInvalid: String? = nil) {
        self.init()
        set(self.inputCols, inputCols)
        set(self.outputCols, outputCols)
        set(self.splitsArray, splitsArray)
        if let h = handleInvalid { set(self.handleInvalid, h) }
    }

    /// (input, output, splits) per column.
    func columns() throws -> [(String, String, [Double])] {
        let pairs = try FeatureSupport.columnPairs(self, inputCol: inputCol, outputCol: outputCol, inputCols: inputCols, outputCols: outputCols)
        if isSet(inputCols.name) {
            guard isSet(splitsArray.name) else { throw MLError.invalidParam(uid, splitsArray.name, "must be set when inputCols is set") }
            if isSet(splits.name) { throw MLError.invalidParam(uid, splits.name, "must not be set together with inputCols (use splitsArray)") }
            let sa = try value(splitsArray)
            guard sa.count == pairs.count else {
                throw MLError.invalidParam(uid, splitsArray.name, "has \(sa.count) split lists but inputCols has \(pairs.count) columns")
            }
            return zip(pairs, sa).map { ($0.0, $0.1, $1) }
        }
        guard isSet(splits.name) else { throw MLError.invalidParam(uid, splits.name, "must be set when inputCol is set") }
        if isSet(splitsArray.name) { throw MLError.invalidParam(uid, splitsArray.name, "must not be set together with inputCol (use splits)") }
        return [(pairs[0].0, pairs[0].1, try value(splits))]
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        var s = schema
        for (i, o, _) in try columns() {
            try SchemaUtils.checkNumericType(schema, i, stage: uid)
            s = try SchemaUtils.appendColumn(s, o, .double, stage: uid)
        }
        return s
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let c = try columns()
        return BucketizerSupport.transform(df, inputs: c.map(\.0), outputs: c.map(\.1), splits: c.map(\.2),
                                           mode: try value(handleInvalid).lowercased(), stage: uid)
    }
}
