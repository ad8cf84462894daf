import Ember
import EmberCore

/// A transformer from one vector column to another (Spark's `UnaryTransformer` over
/// vectors): the shared params and schema check.
public class VectorToVectorTransformer: Transformer {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try checkParams()
        try SchemaUtils.checkVector(schema, try value(inputCol), stage: uid)
        return try SchemaUtils.appendColumn(schema, try value(outputCol), .vector, stage: uid)
    }

    /// Checks that go beyond each param's validator.
    func checkParams() throws {}

    /// The row kernel (made once per batch).
    func kernel() throws -> () -> VectorKernels.RowKernel {
        throw EmberError.internalError("\(Self.className) has no kernel")
    }

    /// The vector size every input row must have, when the stage knows it.
    func inputSize() throws -> Int? { nil }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        return df.withColumn(try value(outputCol), VectorKernels.column(Self.className.lowercased(), try value(inputCol), stage: uid,
                                                                        size: try inputSize(), try kernel()))
    }
}

/// Expands vectors into all monomials of the features up to `degree` (Spark's
/// `PolynomialExpansion`, in its order: `[x, y]` with degree 2 gives
/// `[x, x², y, x·y, y²]`). Dense rows stay dense, sparse rows sparse.
public final class PolynomialExpansion: VectorToVectorTransformer {
    public let degree = Param<Int>("degree", "the polynomial degree to expand (>= 1)", default: 2, .gtEq(1))

    public convenience init(inputCol: String, outputCol: String, degree: Int? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let d = degree { set(self.degree, d) }
    }

    /// C(n + k, k): the number of monomials of n features up to degree k, the constant included.
    static func polySize(_ n: Int, _ k: Int) -> Int {
        var r = 1.0
        for i in 0..<k { r = r * Double(n + k - i) / Double(i + 1) }
        return Int(r.rounded())
    }

    static func expandDense(_ values: UnsafeBufferPointer<Double>, _ lastIdx: Int, _ degree: Int, _ multiplier: Double,
                            _ out: UnsafeMutableBufferPointer<Double>, _ curPolyIdx: Int) -> Int {
        if multiplier == 0 {
        } else if degree == 0 || lastIdx < 0 {
            if curPolyIdx >= 0 { out[curPolyIdx] = multiplier }
        } else {
            let v = values[lastIdx]
            var alpha = multiplier
            var curStart = curPolyIdx
            var i = 0
            while i <= degree && alpha != 0 {
                curStart = expandDense(values, lastIdx - 1, degree - i, alpha, out, curStart)
                i += 1
                alpha *= v
            }
        }
        return curPolyIdx + polySize(lastIdx + 1, degree)
    }

    static func expandSparse(_ indices: [Int32], _ values: [Double], _ lastIdx: Int, _ lastFeatureIdx: Int, _ degree: Int,
                             _ multiplier: Double, _ outIdx: inout [Int32], _ outVals: inout [Double], _ curPolyIdx: Int) -> Int {
        if multiplier == 0 {
        } else if degree == 0 || lastIdx < 0 {
            if curPolyIdx >= 0 { outIdx.append(Int32(curPolyIdx)); outVals.append(multiplier) }
        } else {
            let v = values[lastIdx]
            let lastFeatureIdx1 = Int(indices[lastIdx]) - 1
            var alpha = multiplier
            var curStart = curPolyIdx
            var i = 0
            while i <= degree && alpha != 0 {
                curStart = expandSparse(indices, values, lastIdx - 1, lastFeatureIdx1, degree - i, alpha, &outIdx, &outVals, curStart)
                i += 1
                alpha *= v
            }
        }
        return curPolyIdx + polySize(lastFeatureIdx + 1, degree)
    }

    override func kernel() throws -> () -> VectorKernels.RowKernel {
        let d = try value(degree)
        return {
            var dense: [Double] = [], out: [Double] = [], idx: [Int32] = [], vals: [Double] = [], oi: [Int32] = [], ov: [Double] = []
            return { r, row, a in
                let n = r.size(row)
                let size = PolynomialExpansion.polySize(n, d) - 1
                if r.isDense(row) {
                    dense = [Double](repeating: 0, count: n)
                    out = [Double](repeating: 0, count: size)
                    dense.withUnsafeMutableBufferPointer { db in
                        r.copyDense(row, into: db)
                        out.withUnsafeMutableBufferPointer { ob in
                            _ = PolynomialExpansion.expandDense(UnsafeBufferPointer(db), n - 1, d, 1, ob, -1)
                        }
                    }
                    out.withUnsafeBufferPointer { a.appendDense($0) }
                } else {
                    idx.removeAll(keepingCapacity: true); vals.removeAll(keepingCapacity: true)
                    oi.removeAll(keepingCapacity: true); ov.removeAll(keepingCapacity: true)
                    r.forEachActive(row) { j, x in idx.append(Int32(j)); vals.append(x) }
                    _ = PolynomialExpansion.expandSparse(idx, vals, vals.count - 1, n - 1, d, 1, &oi, &ov, -1)
                    oi.withUnsafeBufferPointer { ib in ov.withUnsafeBufferPointer { vb in a.appendSparse(size: size, indices: ib, values: vb) } }
                }
            }
        }
    }
}

/// Multiplies each vector element-wise by `scalingVec` (Spark's `ElementwiseProduct`),
/// keeping each row's form.
public final class ElementwiseProduct: VectorToVectorTransformer {
    public let scalingVec = Param<[Double]>("scalingVec", "Vector for hadamard product.")

    public convenience init(inputCol: String, outputCol: String, scalingVec: Vector) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        set(self.scalingVec, scalingVec.toArray())
    }

    override func checkParams() throws {
        guard isSet(scalingVec.name) else { throw MLError.invalidParam(uid, scalingVec.name, "is not set") }
    }

    override func inputSize() throws -> Int? { try value(scalingVec).count }

    override func kernel() throws -> () -> VectorKernels.RowKernel {
        let s = try value(scalingVec)
        return { VectorKernels.shiftScale(shift: nil, scale: s) }
    }
}

/// Selects features of a vector column by index, in the order given (Spark's
/// `VectorSlicer`). Ember keeps no feature names, so `names` must stay empty. Dense rows
/// give dense slices, sparse rows sparse slices.
public final class VectorSlicer: VectorToVectorTransformer {
    public let indices = Param<[Int]>("indices", "An array of indices to select features from a vector column. There can be no overlap with names.", default: [],
                                      ParamValidator("must be distinct and non-negative") { Set($0).count == $0.count && $0.allSatisfy { $0 >= 0 } })
    public let names = Param<[String]>("names", "An array of feature names to select features from a vector column. These names must be specified by ML org.apache.spark.ml.attribute.Attribute. There can be no overlap with indices.", default: [])

    public convenience init(inputCol: String, outputCol: String, indices: [Int]) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        set(self.indices, indices)
    }

    override func checkParams() throws {
        guard try value(names).isEmpty else {
            throw MLError.invalidParam(uid, names.name, "cannot be resolved: Ember columns carry no feature attributes; use indices")
        }
        guard !(try value(indices)).isEmpty else {
            throw MLError.invalidParam(uid, indices.name, "is empty: VectorSlicer requires that at least one feature be selected.")
        }
    }

    override func kernel() throws -> () -> VectorKernels.RowKernel {
        let sel = try value(indices)
        let stage = uid
        return { VectorKernels.slice(sel, stage: stage) }
    }
}

extension VectorKernels {
    /// Spark's `Vector.slice`: the selected elements in the given order; a sparse row keeps
    /// the stored entries it has among them.
    static func slice(_ sel: [Int], stage: String) -> RowKernel {
        var out: [Double] = [], idx: [Int32] = [], vals: [Double] = []
        let maxIndex = sel.max() ?? -1
        return { r, row, a in
            let n = r.size(row)
            guard maxIndex < n else {
                throw MLError.invalidData(stage, "selected feature index \(maxIndex) is out of bounds for a vector of size \(n)")
            }
            if r.isDense(row) {
                let base = Int(r.valueOffsets[row])
                out.removeAll(keepingCapacity: true)
                for i in sel { out.append(r.values[base + i]) }
                out.withUnsafeBufferPointer { a.appendDense($0) }
            } else {
                idx.removeAll(keepingCapacity: true); vals.removeAll(keepingCapacity: true)
                let s = Int(r.indexOffsets[row]), e = s + Int(r.valueOffsets[row + 1] - r.valueOffsets[row])
                let vbase = Int(r.valueOffsets[row])
                for (k, i) in sel.enumerated() {
                    var lo = s, hi = e
                    while lo < hi {
                        let mid = (lo + hi) >> 1
                        if Int(r.indices[mid]) < i { lo = mid + 1 } else { hi = mid }
                    }
                    if lo < e && Int(r.indices[lo]) == i { idx.append(Int32(k)); vals.append(r.values[vbase + lo - s]) }
                }
                idx.withUnsafeBufferPointer { ib in vals.withUnsafeBufferPointer { vb in a.appendSparse(size: sel.count, indices: ib, values: vb) } }
            }
        }
    }
}
