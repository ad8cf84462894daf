import Ember
import EmberCore

/// Row-by-row kernels over vector columns that the feature stages share.
enum VectorKernels {
    /// Maps every non-NULL row of a vector column with `body` (NULL rows stay NULL).
    /// `size`, when given, is the vector size every row must have.
    static func map(_ c: ColumnData, stage: String, size: Int?,
                    _ body: (VectorColumnReader, Int, inout VectorColumnAppender) throws -> Void) throws -> ColumnData {
        let r = try VectorColumnReader(c, what: stage)
        var a = VectorColumnAppender(capacity: r.count)
        for row in 0..<r.count {
            if r.isNull(row) { a.appendNull(); continue }
            if let s = size, r.size(row) != s {
                throw MLError.invalidData(stage, "vector size \(r.size(row)) does not match the \(s) features the stage expects")
            }
            try body(r, row, &a)
        }
        return a.finish()
    }

    typealias RowKernel = (VectorColumnReader, Int, inout VectorColumnAppender) throws -> Void

    /// A vector column transformer: the udf applied to `input`. `make` builds the row
    /// kernel once per batch (batches run concurrently; each kernel owns its scratch space).
    static func column(_ name: String, _ input: String, stage: String, size: Int?, metadata: [String: String] = [:],
                       _ make: @escaping () -> RowKernel) -> Ember.Column {
        let f = udf(name, returnType: .vector, nullable: true, metadata: metadata) { cols, _ in
            try VectorKernels.map(cols[0], stage: stage, size: size, make())
        }
        return f(col(input))
    }

    /// Spark's `StandardScalerModel.getTransformFunc`: with a shift the output is dense
    /// (x − shift)·scale; scaling only keeps the input's form (a sparse row keeps its
    /// stored entries); neither returns the row as it is.
    static func shiftScale(shift: [Double]?, scale: [Double]?) -> RowKernel {
        var dense: [Double] = []
        var idx: [Int32] = []
        var vals: [Double] = []
        return { r, row, a in
            let n = r.size(row)
            if shift != nil || r.isDense(row) {
                if dense.count < n { dense = [Double](repeating: 0, count: n) }
                dense.withUnsafeMutableBufferPointer { d in
                    let out = UnsafeMutableBufferPointer(rebasing: d[0..<n])
                    r.copyDense(row, into: out)
                    if let sh = shift {
                        if let sc = scale {
                            for i in 0..<n { out[i] = (out[i] - sh[i]) * sc[i] }
                        } else {
                            for i in 0..<n { out[i] -= sh[i] }
                        }
                    } else if let sc = scale {
                        for i in 0..<n { out[i] *= sc[i] }
                    }
                    a.appendDense(UnsafeBufferPointer(out))
                }
            } else {
                idx.removeAll(keepingCapacity: true)
                vals.removeAll(keepingCapacity: true)
                r.forEachActive(row) { j, x in
                    idx.append(Int32(j))
                    vals.append(scale.map { x * $0[j] } ?? x)
                }
                idx.withUnsafeBufferPointer { ib in vals.withUnsafeBufferPointer { vb in a.appendSparse(size: n, indices: ib, values: vb) } }
            }
        }
    }

    /// Appends a dense row in Spark's `compressed` form.
    static func appendCompressedDense(_ values: UnsafeBufferPointer<Double>, into a: inout VectorColumnAppender,
                                      idx: inout [Int32], vals: inout [Double]) {
        idx.removeAll(keepingCapacity: true)
        vals.removeAll(keepingCapacity: true)
        for i in 0..<values.count where values[i] != 0 { idx.append(Int32(i)); vals.append(values[i]) }
        idx.withUnsafeBufferPointer { ib in vals.withUnsafeBufferPointer { vb in a.appendCompressed(size: values.count, indices: ib, values: vb) } }
    }
}
