/// Read-only views of an `Instances`' arrays, so that the objectives' row loops reach the
/// labels, weights and dense or CSR features without a pyramid of nested closures.
struct InstanceBuffers {
    let labels: UnsafeBufferPointer<Double>
    let weights: UnsafeBufferPointer<Double>
    /// Whether every row is dense; then `dense` holds the row-major values, else it is empty
    /// and rows are `indices/values[offsets[i]..<offsets[i+1]]`.
    let isDense: Bool
    let dense: UnsafeBufferPointer<Double>
    let offsets: UnsafeBufferPointer<Int>
    let indices: UnsafeBufferPointer<Int32>
    let values: UnsafeBufferPointer<Double>
}

extension Instances {
    /// Calls `body` with buffer views of this data's arrays, valid only during the call.
    func withBuffers<R>(_ body: (InstanceBuffers) throws -> R) rethrows -> R {
        let m = dense ?? []
        return try labels.withUnsafeBufferPointer { y in
            try weights.withUnsafeBufferPointer { w in
                try m.withUnsafeBufferPointer { x in
                    try offsets.withUnsafeBufferPointer { off in
                        try indices.withUnsafeBufferPointer { ix in
                            try values.withUnsafeBufferPointer { vs in
                                try body(InstanceBuffers(labels: y, weights: w, isDense: dense != nil, dense: x, offsets: off, indices: ix, values: vs))
                            }
                        }
                    }
                }
            }
        }
    }
}
