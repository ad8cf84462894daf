import Ember
import EmberCore
import Foundation

/// Bins continuous columns into buckets by quantiles of the training data (Spark's
/// `QuantileDiscretizer`); fitting gives a `Bucketizer`. The quantiles are exact: the
/// element Spark's `approxQuantile` returns while its summary keeps every value (fewer
/// than 1 / (2·relativeError) values, 500 by default). For larger inputs Spark's result is
/// any element within relativeError·n ranks of that one; Ember's stays the exact one.
public final class QuantileDiscretizer: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let inputCols = SharedParams.inputCols()
    public let outputCols = SharedParams.outputCols()
    public let numBuckets = Param<Int>("numBuckets", "Maximum number of buckets (quantiles, or categories) into which data points are grouped. Must be >= 2.", default: 2, .gtEq(2))
    public let numBucketsArray = Param<[Int]>("numBucketsArray", "Array of number of buckets (quantiles, or categories) into which data points are grouped. This is for multiple columns input. If transforming multiple columns and numBucketsArray is not set, but numBuckets is set, then numBuckets will be applied across all columns.",
                                              ParamValidator("must hold values >= 2") { $0.allSatisfy { $0 >= 2 } })
    public let relativeError = Param<Double>("relativeError", "the relative target precision for the approximate quantile algorithm. Must be in the range [0, 1]", default: 0.001, .inRange(0, 1))
    public let handleInvalid = SharedParams.handleInvalid(
        "how to handle invalid entries. Options are skip (filter out rows with invalid values), error (throw an error), or keep (keep invalid values in a special additional bucket). Note that in the multiple columns case, the invalid handling is applied to all columns. That said for 'error' it will throw an error if any invalids are found in any columns, for 'skip' it will skip rows with any invalids in any columns, etc.",
        default: "error", ["skip", "error", "keep"])

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String, numBuckets: Int? = nil, handleInvalid: String? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let n = numBuckets { set(self.numBuckets, n) }
        if let h = handleInvalid { set(self.handleInvalid, h) }
    }

    public convenience init(inputCols: [String], outputCols: [String], numBucketsArray: [Int]? = nil, handleInvalid: String? = nil) {
        self.init()
        set(self.inputCols, inputCols)
        set(self.outputCols, outputCols)
        if let n = numBucketsArray { set(self.numBucketsArray, n) }
        if let h = handleInvalid { set(self.handleInvalid, h) }
    }

    func columns() throws -> [(String, String, Int)] {
        let pairs = try FeatureSupport.columnPairs(self, inputCol: inputCol, outputCol: outputCol, inputCols: inputCols, outputCols: outputCols)
        if isSet(inputCols.name), isSet(numBucketsArray.name) {
            let nb = try value(numBucketsArray)
            guard nb.count == pairs.count else {
                throw MLError.invalidParam(uid, numBucketsArray.name, "has \(nb.count) values but inputCols has \(pairs.count) columns")
            }
            return zip(pairs, nb).map { ($0.0, $0.1, $1) }
        }
        if !isSet(inputCols.name), isSet(numBucketsArray.name) {
            throw MLError.invalidParam(uid, numBucketsArray.name, "is for multiple columns: use numBuckets with inputCol")
        }
        let n = try value(numBuckets)
        return pairs.map { ($0.0, $0.1, n) }
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

    public override func fit(_ df: DataFrame) throws -> Model {
        _ = try transformSchema(try df.schema())
        let cols = try columns()
        let eps = try value(relativeError)
        var splitsArray: [[Double]] = []
        for (c, _, n) in cols {
            var xs = try FeatureSupport.collectDoubles(df, c).filter { !$0.isNaN }
            guard !xs.isEmpty else {
                throw MLError.invalidData(uid, "column \(c) has no non-NULL, non-NaN values to compute quantiles from")
            }
            xs.sort()
            var splits = (0...n).map { QuantileDiscretizer.quantile(xs, Double($0) / Double(n), relativeError: eps) }
            splits[0] = -.infinity
            splits[splits.count - 1] = .infinity
            // Spark's getDistinctSplits: -0.0 as 0.0, duplicates dropped (order kept).
            var distinct: [Double] = []
            for s in splits.map({ $0 == 0 ? 0.0 : $0 }) where !distinct.contains(s) { distinct.append(s) }
            splitsArray.append(distinct)
        }
        let b = Bucketizer(uid: uid)
        b.set(b.handleInvalid, try value(handleInvalid))
        if isSet(inputCols.name) {
            b.set(b.inputCols, cols.map(\.0))
            b.set(b.outputCols, cols.map(\.1))
            b.set(b.splitsArray, splitsArray)
        } else {
            b.set(b.inputCol, cols[0].0)
            b.set(b.outputCol, cols[0].1)
            b.set(b.splits, splitsArray[0])
        }
        b.parentUID = uid
        return b
    }

    /// The value Spark's `QuantileSummaries.query` returns for `p` while every sample is
    /// kept: the minimum at p ≤ ε, the maximum at p ≥ 1 − ε, else the ⌈p·n⌉-th smallest.
    static func quantile(_ sorted: [Double], _ p: Double, relativeError eps: Double) -> Double {
        if p <= eps { return sorted[0] }
        if p >= 1 - eps { return sorted[sorted.count - 1] }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank - 1, 0), sorted.count - 1)]
    }
}
