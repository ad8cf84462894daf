import EmberColumnar
import EmberCore

/// Turns decoded leaves (levels + values) into Ember columns, nested or flat.
///
/// A node is assembled in a context (D, R): the entries of its leaves that belong to it are
/// those with definition level ≥ D (an enclosing list element exists) and each entry with
/// repetition level ≤ R starts a new slot (row, or element of the enclosing list).
struct ParquetAssembler {
    let leaves: [ParquetLeaf]
    let data: [Int: LeafData]
    let what: String

    func corrupt(_ message: String) -> EmberError { EmberError.corruptFile("\(what): \(message)") }

    func column(_ node: ParquetNode, d: Int = 0, r: Int = 0) throws -> Column {
        switch node {
        case .leaf(let i, let t):
            guard let ld = data[i] else { throw EmberError.internalError("leaf \(i) was not read") }
            let leaf = leaves[i]
            var values = ld.values
            if let dict = ld.dictionary, let idx = ld.indices {
                try ParquetColumnChunkReader.gather(dict, physical: leaf.physical, idx, into: &values, error: corrupt)
            }
            let dense = try ParquetAssembler.convert(values, leaf: leaf, what: what)
            if ld.defs.isEmpty {
                return Column(type: t, count: ld.entries, validity: nil, storage: dense)
            }
            let m = UInt8(leaf.maxDef)
            let dd = UInt8(clamping: d), rr = UInt8(clamping: r)
            if ld.reps.isEmpty && d == 0 {
                // A flat column: every entry is a row.
                let present = ParquetAssembler.denseCount(dense)
                if present == ld.entries { return Column(type: t, count: ld.entries, validity: nil, storage: dense) }
                let valid = ParquetAssembler.bitmap(ld.defs, equalTo: m)
                return try ParquetAssembler.scatter(dense, type: t, valid: valid, what: what)
            }
            var valid = Bitmap(count: 0, value: false)
            valid.reserve(ld.entries)
            ld.defs.withUnsafeBufferPointer { defs in
                do {
                    ld.reps.withUnsafeBufferPointer { reps in
                        for k in 0..<defs.count where defs[k] >= dd && (reps.isEmpty || reps[k] <= rr) {
                            valid.append(defs[k] == m)
                        }
                    }
                }
            }
            return try ParquetAssembler.scatter(dense, type: t, valid: valid, what: what)
        case .structure(let t, let children, let nullDef, let first):
            let (slots, valid) = try structSlots(first, d: d, r: r, nullDef: nullDef)
            var cols: [Column] = []
            for c in children {
                let col = try column(c, d: d, r: r)
                guard col.count == slots else { throw EmberError.corruptFile("\(what): struct fields disagree on their row counts (\(col.count) vs \(slots))") }
                cols.append(col)
            }
            return Column(type: t, count: slots, validity: valid, storage: .structure(cols))
        case .list(let t, let element, let nullDef, let elemDef, let rep, let first):
            let (offsets, valid, n) = try listSlots(first, d: d, r: r, nullDef: nullDef, elemDef: elemDef, rep: rep)
            let child = try column(element, d: elemDef, r: rep)
            guard child.count == n else { throw EmberError.corruptFile("\(what): list has \(n) elements but its values \(child.count)") }
            return Column(type: t, count: offsets.count - 1, validity: valid, storage: .list(offsets: offsets, values: child))
        case .map(let t, let key, let value, let nullDef, let elemDef, let rep, let first):
            let (offsets, valid, n) = try listSlots(first, d: d, r: r, nullDef: nullDef, elemDef: elemDef, rep: rep)
            let k = try column(key, d: elemDef, r: rep)
            let v = try column(value, d: elemDef, r: rep)
            guard k.count == n, v.count == n else { throw EmberError.corruptFile("\(what): map has \(n) entries but \(k.count) keys and \(v.count) values") }
            return Column(type: t, count: offsets.count - 1, validity: valid, storage: .map(offsets: offsets, keys: k, values: v))
        }
    }

    /// Rows `selection` (ascending) of a flat leaf, gathering only their values (from the
    /// dictionary when the chunk kept its indices).
    func flatColumn(_ i: Int, type t: DataType, selection sel: [Int32]) throws -> Column {
        guard let ld = data[i] else { throw EmberError.internalError("leaf \(i) was not read") }
        let leaf = leaves[i]
        let m = UInt8(leaf.maxDef)
        let n = sel.count
        let denseCount = ld.indices?.count ?? ld.values.count(leaf.physical)
        if let last = sel.last, Int(last) >= ld.entries { throw EmberError.internalError("row \(last) of \(ld.entries) selected") }
        // Each selected row's position among the non-NULL values, or `nullSlot`.
        var valid: Bitmap? = nil
        var positions: [UInt32]
        if ld.defs.isEmpty {
            guard denseCount == ld.entries else { throw EmberError.corruptFile("\(what): \(denseCount) values for \(ld.entries) rows") }
            positions = sel.map { UInt32(bitPattern: $0) }
        } else {
            // rank[r]: non-NULL values before row r.
            var present = 0
            let rank = ld.defs.withUnsafeBufferPointer { defs in
                [UInt32](unsafeUninitializedCapacity: defs.count) { out, c in
                    var acc: UInt32 = 0
                    for r in 0..<defs.count {
                        out[r] = acc
                        acc &+= defs[r] == m ? 1 : 0
                    }
                    present = Int(acc)
                    c = defs.count
                }
            }
            guard present == denseCount else { throw EmberError.corruptFile("\(what): \(denseCount) values for \(present) non-NULL rows") }
            var bits = Bitmap(count: n, value: false)
            var nulls = 0
            positions = [UInt32](unsafeUninitializedCapacity: n) { out, c in
                ld.defs.withUnsafeBufferPointer { defs in
                    rank.withUnsafeBufferPointer { rk in
                        sel.withUnsafeBufferPointer { s in
                            bits.words.withUnsafeMutableBufferPointer { w in
                                for k in 0..<n {
                                    let r = Int(s[k])
                                    if defs[r] == m {
                                        w[k >> 6] |= 1 << UInt64(k & 63)
                                        out[k] = rk[r]
                                    } else {
                                        out[k] = ParquetColumnChunkReader.nullSlot
                                        nulls += 1
                                    }
                                }
                            }
                        }
                    }
                }
                c = n
            }
            if nulls > 0 { valid = bits }
        }
        var codes = positions
        if let idx = ld.indices {
            idx.withUnsafeBufferPointer { ix in
                codes.withUnsafeMutableBufferPointer { c in
                    for k in 0..<c.count where c[k] != ParquetColumnChunkReader.nullSlot { c[k] = ix[Int(c[k])] }
                }
            }
        }
        let source = ld.dictionary ?? ld.values
        var picked = PhysicalValues()
        switch leaf.physical {
        case .int32, .int64, .float, .double, .byteArray:
            // NULL slots become zeros or empty values, which every conversion accepts.
            try ParquetColumnChunkReader.gather(source, physical: leaf.physical, codes, into: &picked, error: corrupt)
            return Column(type: t, count: n, validity: valid, storage: try ParquetAssembler.convert(picked, leaf: leaf, what: what))
        default:
            let dense = valid == nil ? codes : codes.filter { $0 != ParquetColumnChunkReader.nullSlot }
            try ParquetColumnChunkReader.gather(source, physical: leaf.physical, dense, into: &picked, error: corrupt)
            let storage = try ParquetAssembler.convert(picked, leaf: leaf, what: what)
            guard let v = valid else { return Column(type: t, count: n, validity: nil, storage: storage) }
            return try ParquetAssembler.scatter(storage, type: t, valid: v, what: what)
        }
    }

    private func structSlots(_ leaf: Int, d: Int, r: Int, nullDef: Int?) throws -> (Int, Bitmap?) {
        guard let ld = data[leaf] else { throw EmberError.internalError("leaf \(leaf) was not read") }
        if ld.defs.isEmpty { return (ld.entries, nil) }
        var valid = Bitmap(count: 0, value: false)
        let nd = nullDef.map { UInt8(clamping: $0) }
        let dd = UInt8(clamping: d), rr = UInt8(clamping: r)
        for k in 0..<ld.defs.count where ld.defs[k] >= dd && (ld.reps.isEmpty || ld.reps[k] <= rr) {
            valid.append(nd.map { ld.defs[k] >= $0 } ?? true)
        }
        return (valid.count, nullDef == nil ? nil : valid)
    }

    private func listSlots(_ leaf: Int, d: Int, r: Int, nullDef: Int?, elemDef: Int, rep: Int) throws -> ([Int32], Bitmap?, Int) {
        guard let ld = data[leaf] else { throw EmberError.internalError("leaf \(leaf) was not read") }
        guard ld.reps.count == ld.entries, ld.defs.count == ld.entries else {
            throw EmberError.corruptFile("\(what): repeated column without levels")
        }
        var offsets: [Int32] = []
        offsets.reserveCapacity(ld.entries + 1)
        var valid = Bitmap(count: 0, value: false)
        var n = 0
        let nd = nullDef.map { UInt8(clamping: $0) }
        let dd = UInt8(clamping: d), rr = UInt8(clamping: r), ed = UInt8(clamping: elemDef), er = UInt8(clamping: rep)
        for k in 0..<ld.entries {
            let df = ld.defs[k], rp = ld.reps[k]
            guard df >= dd else { continue }
            if rp <= rr {
                // A new slot (list) starts here.
                offsets.append(Int32(n))
                valid.append(nd.map { df >= $0 } ?? true)
                if df >= ed { n += 1 }
            } else if rp == er {
                guard !offsets.isEmpty, df >= ed else { throw EmberError.corruptFile("\(what): repetition level \(rp) without an enclosing list at value \(k)") }
                n += 1
            }
            guard n < Int(Int32.max) else { throw EmberError.corruptFile("\(what): list of more than 2^31 elements") }
        }
        offsets.append(Int32(n))
        let out = offsets
        return (out, nullDef == nil ? nil : valid, n)
    }

    /// Bit i set when `levels[i] == value`, built a word at a time.
    static func bitmap(_ levels: [UInt8], equalTo value: UInt8) -> Bitmap {
        var b = Bitmap(count: levels.count, value: false)
        levels.withUnsafeBufferPointer { l in
            b.words.withUnsafeMutableBufferPointer { w in
                let n = l.count
                var i = 0
                var word = 0
                while i + 64 <= n {
                    var x: UInt64 = 0
                    for k in 0..<64 where l[i + k] == value { x |= 1 << UInt64(k) }
                    w[word] = x
                    word += 1
                    i += 64
                }
                if i < n {
                    var x: UInt64 = 0
                    for k in 0..<(n - i) where l[i + k] == value { x |= 1 << UInt64(k) }
                    w[word] = x
                }
            }
        }
        return b
    }

    /// Number of values in dense storage.
    static func denseCount(_ s: Column.Storage) -> Int {
        switch s {
        case .bool(let a): return a.count
        case .i8(let a): return a.count
        case .i16(let a): return a.count
        case .i32(let a): return a.count
        case .i64(let a): return a.count
        case .f32(let a): return a.count
        case .f64(let a): return a.count
        case .i128(let a): return a.count
        case .bytes(let o, _): return o.count - 1
        default: return -1
        }
    }

    // MARK: Physical values → Ember storage

    static func convert(_ v: PhysicalValues, leaf: ParquetLeaf, what: String) throws -> Column.Storage {
        let e = leaf.element
        switch leaf.type {
        case .boolean: return .bool(v.bools)
        case .byte: return .i8(v.i32.map { Int8(truncatingIfNeeded: $0) })
        case .short: return .i16(v.i32.map { Int16(truncatingIfNeeded: $0) })
        case .int, .date: return .i32(v.i32)
        case .long:
            if leaf.physical == .int32 { return .i64(v.i32.map { Int64(UInt32(bitPattern: $0)) }) }
            return .i64(v.i64)
        case .timestamp:
            if leaf.physical == .int96 { return .i64(v.i64) }
            var unit = ParquetTimeUnit.micros
            if case .timestamp(_, let u) = e.logicalType { unit = u } else if e.convertedType == .timestampMillis { unit = .millis }
            switch unit {
            case .micros: return .i64(v.i64)
            case .millis: return .i64(v.i64.map { $0 &* 1000 })
            case .nanos:
                return .i64(v.i64.map { x in x >= 0 ? x / 1000 : (x - 999) / 1000 })
            }
        case .float:
            if leaf.physical == .fixedLenByteArray {
                var out = [Float]()
                out.reserveCapacity(v.offsets.count - 1)
                for i in 0..<(v.offsets.count - 1) {
                    let o = Int(v.offsets[i])
                    let bits = UInt16(v.data[o]) | UInt16(v.data[o + 1]) << 8
                    out.append(floatFromHalf(bits))
                }
                return .f32(out)
            }
            return .f32(v.f32)
        case .double: return .f64(v.f64)
        case .decimal:
            switch leaf.physical {
            case .int32: return .i128(v.i32.map { Int128($0) })
            case .int64:
                if case .integer(64, false) = e.logicalType { return .i128(v.i64.map { Int128(UInt64(bitPattern: $0)) }) }
                if e.convertedType == .uint64 { return .i128(v.i64.map { Int128(UInt64(bitPattern: $0)) }) }
                return .i128(v.i64.map { Int128($0) })
            case .byteArray, .fixedLenByteArray:
                var out = [Int128]()
                out.reserveCapacity(v.offsets.count - 1)
                for i in 0..<(v.offsets.count - 1) {
                    let s = Int(v.offsets[i]), t = Int(v.offsets[i + 1])
                    guard t - s <= 16 else { throw EmberError.corruptFile("\(what): decimal of \(t - s) bytes") }
                    var x: Int128 = 0
                    if t > s {
                        x = v.data[s] & 0x80 != 0 ? -1 : 0
                        for k in s..<t { x = (x << 8) | Int128(v.data[k]) }
                    }
                    out.append(x)
                }
                return .i128(out)
            default:
                throw EmberError.unsupported("\(what): decimal stored as \(leaf.physical)")
            }
        case .string where leaf.physical == .fixedLenByteArray && e.logicalType == .uuid:
            var offsets: [Int32] = [0]
            var data: [UInt8] = []
            let hex = Array("0123456789abcdef".utf8)
            for i in 0..<(v.offsets.count - 1) {
                let s = Int(v.offsets[i])
                for k in 0..<16 {
                    if k == 4 || k == 6 || k == 8 || k == 10 { data.append(UInt8(ascii: "-")) }
                    let b = v.data[s + k]
                    data.append(hex[Int(b >> 4)])
                    data.append(hex[Int(b & 15)])
                }
                offsets.append(Int32(data.count))
            }
            return .bytes(offsets: offsets, data: data)
        case .string, .binary:
            return .bytes(offsets: v.offsets, data: v.data)
        default:
            throw EmberError.unsupported("\(what): cannot read a column of type \(leaf.type.sql)")
        }
    }

    /// Spreads dense values over the slots marked valid; NULL slots get zeros.
    static func scatter(_ dense: Column.Storage, type: DataType, valid: Bitmap, what: String) throws -> Column {
        let n = valid.count
        let present = valid.setCount
        func fixed<T>(_ a: [T], zero: T) throws -> [T] {
            guard a.count == present else { throw EmberError.corruptFile("\(what): \(a.count) values for \(present) non-NULL slots") }
            if present == n { return a }
            return a.withUnsafeBufferPointer { src in
                [T](unsafeUninitializedCapacity: n) { dst, c in
                    guard let d = dst.baseAddress else { c = 0; return }
                    var k = 0
                    for i in 0..<n {
                        if valid[i] {
                            (d + i).initialize(to: src[k])
                            k += 1
                        } else {
                            (d + i).initialize(to: zero)
                        }
                    }
                    c = n
                }
            }
        }
        let storage: Column.Storage
        switch dense {
        case .bool(let a): storage = .bool(try fixed(a, zero: false))
        case .i8(let a): storage = .i8(try fixed(a, zero: 0))
        case .i16(let a): storage = .i16(try fixed(a, zero: 0))
        case .i32(let a): storage = .i32(try fixed(a, zero: 0))
        case .i64(let a): storage = .i64(try fixed(a, zero: 0))
        case .f32(let a): storage = .f32(try fixed(a, zero: 0))
        case .f64(let a): storage = .f64(try fixed(a, zero: 0))
        case .i128(let a): storage = .i128(try fixed(a, zero: 0))
        case .bytes(let o, let data):
            guard o.count - 1 == present else { throw EmberError.corruptFile("\(what): \(o.count - 1) values for \(present) non-NULL slots") }
            if present == n {
                storage = dense
            } else {
                let offsets = [Int32](unsafeUninitializedCapacity: n + 1) { dst, c in
                    guard let d = dst.baseAddress else { c = 0; return }
                    var k = 0
                    d.initialize(to: 0)
                    for i in 0..<n {
                        if valid[i] { k += 1 }
                        (d + i + 1).initialize(to: o[k])
                    }
                    c = n + 1
                }
                storage = .bytes(offsets: offsets, data: data)
            }
        default:
            throw EmberError.internalError("unexpected dense storage")
        }
        return Column(type: type, count: n, validity: valid, storage: storage)
    }
}

/// IEEE half-precision bits to Float.
func floatFromHalf(_ h: UInt16) -> Float {
    let sign: UInt32 = UInt32(h >> 15) << 31
    let exp = Int((h >> 10) & 0x1f)
    let frac = UInt32(h & 0x3ff)
    if exp == 0 {
        let v = Float(frac) * Float(sign: .plus, exponent: -24, significand: 1)
        return sign != 0 ? -v : v
    }
    if exp == 31 {
        return Float(bitPattern: sign | 0x7f80_0000 | (frac << 13))
    }
    return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (frac << 13))
}
