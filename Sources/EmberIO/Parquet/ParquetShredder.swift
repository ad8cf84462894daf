import EmberColumnar
import EmberCore

/// A leaf's levels and non-NULL values for one row group being written.
struct LeafBuffer {
    let leaf: ParquetLeaf
    var defs: [UInt8] = []
    var reps: [UInt8] = []
    var values = PhysicalValues()
    var nulls = 0

    init(_ leaf: ParquetLeaf) { self.leaf = leaf }

    var entries: Int { leaf.maxDef == 0 ? values.count(leaf.physical) : defs.count }

    mutating func reset() {
        defs.removeAll(keepingCapacity: true)
        reps.removeAll(keepingCapacity: true)
        values = PhysicalValues()
        nulls = 0
    }
}

/// Splits Ember columns into Parquet leaves (definition/repetition levels + values), the
/// inverse of `ParquetAssembler`.
struct ParquetShredder {
    let info: ParquetSchemaInfo
    var buffers: [LeafBuffer]

    init(_ info: ParquetSchemaInfo) {
        self.info = info
        buffers = info.leaves.map(LeafBuffer.init)
    }

    mutating func append(_ batch: RecordBatch) throws {
        for (f, node) in info.fields.enumerated() {
            let col = batch.columns[f]
            let field = info.schema.fields[f]
            if case .leaf(let li, _) = node {
                try appendFlat(col, leaf: li, nullable: field.nullable, name: field.name)
            } else {
                for i in 0..<col.count {
                    try emit(col, i, node, nullable: field.nullable, def: 0, rep: 0, name: field.name)
                }
            }
        }
    }

    // MARK: Flat columns (the fast path)

    private mutating func appendFlat(_ col: Column, leaf li: Int, nullable: Bool, name: String) throws {
        let n = col.count
        var b = buffers[li]
        buffers[li] = LeafBuffer(b.leaf)  // keep the arrays uniquely referenced while appending
        defer { buffers[li] = b }
        let hasNulls = col.nullCount > 0
        if hasNulls && !nullable {
            throw EmberError.invalidArgument("Column \(name) is declared NOT NULL but holds NULL values")
        }
        if b.leaf.maxDef > 0 {
            if let v = col.validity, hasNulls {
                b.defs.reserveCapacity(b.defs.count + n)
                for i in 0..<n { b.defs.append(v[i] ? 1 : 0) }
                b.nulls += n - v.setCount
            } else {
                b.defs.append(contentsOf: repeatElement(1, count: n))
            }
        }
        let valid: Bitmap? = hasNulls ? col.validity : nil
        try ParquetShredder.appendValues(col, rows: 0..<n, valid: valid, into: &b.values, leaf: b.leaf)
    }

    /// Appends the non-NULL values of `rows` in their physical form.
    static func appendValues(_ col: Column, rows: Range<Int>, valid: Bitmap?, into v: inout PhysicalValues, leaf: ParquetLeaf) throws {
        func dense<T>(_ a: [T]) -> [T] {
            guard let m = valid else { return rows.count == a.count ? a : Array(a[rows]) }
            var out: [T] = []
            out.reserveCapacity(rows.count)
            for i in rows where m[i] { out.append(a[i]) }
            return out
        }
        switch col.storage {
        case .none: break
        case .bool(let a): v.bools.append(contentsOf: dense(a))
        case .i8(let a): v.i32.append(contentsOf: dense(a).map { Int32($0) })
        case .i16(let a): v.i32.append(contentsOf: dense(a).map { Int32($0) })
        case .i32(let a): v.i32.append(contentsOf: dense(a))
        case .i64(let a): v.i64.append(contentsOf: dense(a))
        case .f32(let a): v.f32.append(contentsOf: dense(a))
        case .f64(let a): v.f64.append(contentsOf: dense(a))
        case .i128(let a):
            let d = dense(a)
            switch leaf.physical {
            case .int32: v.i32.append(contentsOf: d.map { Int32(truncatingIfNeeded: $0) })
            case .int64: v.i64.append(contentsOf: d.map { Int64(truncatingIfNeeded: $0) })
            default:
                let w = Int(leaf.element.typeLength ?? 16)
                var off = v.offsets.last ?? 0
                v.data.reserveCapacity(v.data.count + d.count * w)
                for x in d {
                    for k in stride(from: w - 1, through: 0, by: -1) { v.data.append(UInt8(truncatingIfNeeded: x >> (8 * k))) }
                    off += Int32(w)
                    v.offsets.append(off)
                }
            }
        case .bytes(let o, let data):
            var off = v.offsets.last ?? 0
            if valid == nil && rows.count == col.count {
                // Whole column, no NULLs: one copy of the bytes, offsets shifted.
                let base = Int(o[0])
                let end = Int(o[col.count])
                guard Int(off) + (end - base) <= Int(Int32.max) else { throw EmberError.invalidArgument("A Parquet row group holds more than 2 GiB of strings in column \(leaf.path.joined(separator: "."))") }
                v.data.append(contentsOf: data[base..<end])
                v.offsets.reserveCapacity(v.offsets.count + col.count)
                let shift = off - Int32(base)
                for i in 1...col.count { v.offsets.append(o[i] + shift) }
                return
            }
            for i in rows where valid?[i] ?? true {
                let s = Int(o[i]), e = Int(o[i + 1])
                guard Int(off) + (e - s) <= Int(Int32.max) else { throw EmberError.invalidArgument("A Parquet row group holds more than 2 GiB of strings in column \(leaf.path.joined(separator: "."))") }
                v.data.append(contentsOf: data[s..<e])
                off += Int32(e - s)
                v.offsets.append(off)
            }
        case .list, .map, .structure:
            throw EmberError.internalError("nested column reached a flat Parquet leaf")
        }
    }

    // MARK: Nested columns (value by value)

    /// Emits row `i` of `col` under `node`. `def` counts the levels defined above, `rep` is
    /// the repetition level of the first entry emitted.
    private mutating func emit(_ col: Column, _ i: Int, _ node: ParquetNode, nullable: Bool, def: Int, rep: Int, name: String) throws {
        let isNull = col.isNull(i)
        if isNull && !nullable {
            throw EmberError.invalidArgument("Column \(name) is declared NOT NULL but holds NULL values")
        }
        if isNull {
            for l in node.leaves { addNull(l, def: def, rep: rep) }
            return
        }
        let d = nullable ? def + 1 : def
        switch node {
        case .leaf(let li, _):
            buffers[li].defs.append(UInt8(d))
            if buffers[li].leaf.maxRep > 0 { buffers[li].reps.append(UInt8(rep)) }
            try ParquetShredder.appendValues(col, rows: i..<(i + 1), valid: nil, into: &buffers[li].values, leaf: buffers[li].leaf)
        case .structure(let t, let children, _, _):
            guard case .structure(let cols) = col.storage, case .structure(let fields) = t else { throw EmberError.internalError("struct column without fields") }
            for (k, c) in children.enumerated() {
                try emit(cols[k], i, c, nullable: fields[k].nullable, def: d, rep: rep, name: name + "." + fields[k].name)
            }
        case .list(let t, let element, _, _, let listRep, _):
            guard case .list(let offsets, let values) = col.storage, case .array(_, let containsNull) = t else { throw EmberError.internalError("list column without values") }
            let s = Int(offsets[i]), e = Int(offsets[i + 1])
            if s == e {
                for l in node.leaves { addNull(l, def: d, rep: rep) }
                return
            }
            for j in s..<e {
                try emit(values, j, element, nullable: containsNull, def: d + 1, rep: j == s ? rep : listRep, name: name + ".element")
            }
        case .map(let t, let key, let value, _, _, let mapRep, _):
            guard case .map(let offsets, let keys, let values) = col.storage, case .map(_, _, let valueNull) = t else { throw EmberError.internalError("map column without entries") }
            let s = Int(offsets[i]), e = Int(offsets[i + 1])
            if s == e {
                for l in node.leaves { addNull(l, def: d, rep: rep) }
                return
            }
            for j in s..<e {
                let r = j == s ? rep : mapRep
                try emit(keys, j, key, nullable: false, def: d + 1, rep: r, name: name + ".key")
                try emit(values, j, value, nullable: valueNull, def: d + 1, rep: r, name: name + ".value")
            }
        }
    }

    private mutating func addNull(_ leaf: Int, def: Int, rep: Int) {
        buffers[leaf].defs.append(UInt8(def))
        if buffers[leaf].leaf.maxRep > 0 { buffers[leaf].reps.append(UInt8(rep)) }
        buffers[leaf].nulls += 1
    }
}
