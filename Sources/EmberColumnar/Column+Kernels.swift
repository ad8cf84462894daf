import EmberCore

// Gather, slice, concat and filter: the kernels every operator moves rows with.

extension Column {
    /// Rows `range`.
    public func slice(_ range: Range<Int>) -> Column {
        if range.lowerBound == 0 && range.count == count { return self }
        var valid: Bitmap? = nil
        if let v = validity {
            var b = Bitmap(count: range.count, value: false)
            for (k, i) in range.enumerated() where v[i] { b[k] = true }
            valid = b
        }
        let n = range.count
        switch storage {
        case .none: return Column(type: type, count: n, validity: nil, storage: .none)
        case .bool(let a): return Column(type: type, count: n, validity: valid, storage: .bool(Array(a[range])))
        case .i8(let a): return Column(type: type, count: n, validity: valid, storage: .i8(Array(a[range])))
        case .i16(let a): return Column(type: type, count: n, validity: valid, storage: .i16(Array(a[range])))
        case .i32(let a): return Column(type: type, count: n, validity: valid, storage: .i32(Array(a[range])))
        case .i64(let a): return Column(type: type, count: n, validity: valid, storage: .i64(Array(a[range])))
        case .f32(let a): return Column(type: type, count: n, validity: valid, storage: .f32(Array(a[range])))
        case .f64(let a): return Column(type: type, count: n, validity: valid, storage: .f64(Array(a[range])))
        case .i128(let a): return Column(type: type, count: n, validity: valid, storage: .i128(Array(a[range])))
        case .bytes(let o, let d):
            let base = o[range.lowerBound]
            let offs = o[range.lowerBound...range.upperBound].map { $0 - base }
            return Column(type: type, count: n, validity: valid, storage: .bytes(offsets: offs, data: Array(d[Int(base)..<Int(o[range.upperBound])])))
        default:
            return take(range.map { Int32($0) })
        }
    }

    /// The runs of consecutive ascending indices, or nil when there are more than `maxRuns`.
    static func ascendingRuns(_ indices: [Int32], maxRuns: Int) -> [(start: Int32, count: Int32)]? {
        guard let first = indices.first else { return nil }
        var runs: [(start: Int32, count: Int32)] = []
        var start = first, count: Int32 = 1
        var prev = first
        for k in 1..<indices.count {
            let i = indices[k]
            if i == prev &+ 1 {
                count += 1
            } else {
                runs.append((start, count))
                if runs.count > maxRuns { return nil }
                start = i
                count = 1
            }
            prev = i
        }
        runs.append((start, count))
        return runs.count > maxRuns ? nil : runs
    }

    /// Rows at `indices`; an index of -1 yields NULL (outer-join padding).
    public func take(_ indices: [Int32]) -> Column {
        let n = indices.count
        var valid: Bitmap? = nil
        let hasNeg = indices.contains { $0 < 0 }
        if case .none = storage {
            // Every row is NULL already.
        } else if validity != nil || hasNeg {
            // Built a word at a time through pointers (no per-bit copy-on-write checks).
            var b = Bitmap(count: n, value: false)
            let src = validity?.words ?? []
            indices.withUnsafeBufferPointer { ix in
                src.withUnsafeBufferPointer { sw in
                    b.words.withUnsafeMutableBufferPointer { dw in
                        let all = sw.isEmpty
                        var k = 0
                        var word = 0
                        while k < n {
                            let end = min(n, k + 64)
                            var x: UInt64 = 0
                            for j in k..<end {
                                let i = Int(ix[j])
                                if i >= 0 && (all || sw[i >> 6] & (1 << UInt64(i & 63)) != 0) { x |= 1 << UInt64(j - k) }
                            }
                            dw[word] = x
                            word += 1
                            k = end
                        }
                    }
                }
            }
            valid = b
        }
        // Mostly-consecutive indices (a filter that keeps most rows) copy whole runs.
        let runs = hasNeg ? nil : Column.ascendingRuns(indices, maxRuns: n / 8)
        @inline(__always) func gather<T>(_ a: [T], _ zero: T) -> [T] {
            if let runs {
                return [T](unsafeUninitializedCapacity: n) { out, done in
                    a.withUnsafeBufferPointer { src in
                        guard let ob = out.baseAddress, let sb = src.baseAddress else { done = 0; return }
                        var at = 0
                        for r in runs {
                            (ob + at).initialize(from: sb + Int(r.start), count: Int(r.count))
                            at += Int(r.count)
                        }
                    }
                    done = n
                }
            }
            return [T](unsafeUninitializedCapacity: n) { out, done in
                a.withUnsafeBufferPointer { src in
                    indices.withUnsafeBufferPointer { ix in
                        for k in 0..<n {
                            let i = Int(ix[k])
                            out.initializeElement(at: k, to: i >= 0 ? src[i] : zero)
                        }
                    }
                }
                done = n
            }
        }
        switch storage {
        case .none: return Column(type: type, count: n, validity: nil, storage: .none)
        case .bool(let a): return Column(type: type, count: n, validity: valid, storage: .bool(gather(a, false)))
        case .i8(let a): return Column(type: type, count: n, validity: valid, storage: .i8(gather(a, 0)))
        case .i16(let a): return Column(type: type, count: n, validity: valid, storage: .i16(gather(a, 0)))
        case .i32(let a): return Column(type: type, count: n, validity: valid, storage: .i32(gather(a, 0)))
        case .i64(let a): return Column(type: type, count: n, validity: valid, storage: .i64(gather(a, 0)))
        case .f32(let a): return Column(type: type, count: n, validity: valid, storage: .f32(gather(a, 0)))
        case .f64(let a): return Column(type: type, count: n, validity: valid, storage: .f64(gather(a, 0)))
        case .i128(let a): return Column(type: type, count: n, validity: valid, storage: .i128(gather(a, 0)))
        case .bytes(let o, let d) where runs != nil:
            // Whole runs: one copy of their bytes, offsets shifted by a constant per run.
            var offs = [Int32](repeating: 0, count: n + 1)
            var total = 0
            for r in runs ?? [] { total += Int(o[Int(r.start + r.count)] - o[Int(r.start)]) }
            let data = [UInt8](unsafeUninitializedCapacity: total) { out, done in
                d.withUnsafeBufferPointer { src in
                    o.withUnsafeBufferPointer { ob in
                        offs.withUnsafeMutableBufferPointer { of in
                            guard let base = out.baseAddress, let sb = src.baseAddress else { done = 0; return }
                            var at = 0
                            var k = 0
                            for r in runs ?? [] {
                                let s = Int(r.start), e = s + Int(r.count)
                                let bytes = Int(ob[e] - ob[s])
                                (base + at).initialize(from: sb + Int(ob[s]), count: bytes)
                                let shift = Int32(at) - ob[s]
                                for i in s..<e {
                                    k += 1
                                    of[k] = ob[i + 1] + shift
                                }
                                at += bytes
                            }
                        }
                    }
                    done = total
                }
            }
            return Column(type: type, count: n, validity: valid, storage: .bytes(offsets: offs, data: data))
        case .bytes(let o, let d):
            // Pass 1 reads each source row's offsets once (independent loads the CPU can
            // overlap) and records where its bytes start; pass 2 copies with one load per row.
            var offs = [Int32](repeating: 0, count: n + 1)
            var starts = [Int32](repeating: 0, count: n)
            var total = 0
            o.withUnsafeBufferPointer { ob in
                indices.withUnsafeBufferPointer { ix in
                    offs.withUnsafeMutableBufferPointer { of in
                        starts.withUnsafeMutableBufferPointer { st in
                            for k in 0..<n {
                                let i = Int(ix[k])
                                if i >= 0 {
                                    st[k] = ob[i]
                                    total += Int(ob[i + 1] &- ob[i])
                                }
                                of[k + 1] = Int32(truncatingIfNeeded: total)
                            }
                        }
                    }
                }
            }
            let data = [UInt8](unsafeUninitializedCapacity: total) { out, done in
                d.withUnsafeBufferPointer { src in
                    offs.withUnsafeBufferPointer { of in
                        starts.withUnsafeBufferPointer { st in
                            guard let base = out.baseAddress, let sb = src.baseAddress else { done = 0; return }
                            for k in 0..<n {
                                let pos = Int(of[k]), len = Int(of[k + 1]) - pos
                                let s = Int(st[k])
                                if len <= 16 {
                                    // Short strings: a byte loop beats a memmove call.
                                    var j = 0
                                    while j < len { base[pos + j] = sb[s + j]; j += 1 }
                                } else {
                                    (base + pos).update(from: sb + s, count: len)
                                }
                            }
                            done = total
                        }
                    }
                }
            }
            return Column(type: type, count: n, validity: valid, storage: .bytes(offsets: offs, data: data))
        case .list(let o, let v):
            var offs: [Int32] = [0]
            var child: [Int32] = []
            for k in 0..<n {
                let i = Int(indices[k])
                if i >= 0 { for j in o[i]..<o[i + 1] { child.append(j) } }
                offs.append(Int32(child.count))
            }
            return Column(type: type, count: n, validity: valid, storage: .list(offsets: offs, values: v.take(child)))
        case .map(let o, let keys, let vals):
            var offs: [Int32] = [0]
            var child: [Int32] = []
            for k in 0..<n {
                let i = Int(indices[k])
                if i >= 0 { for j in o[i]..<o[i + 1] { child.append(j) } }
                offs.append(Int32(child.count))
            }
            return Column(
                type: type, count: n, validity: valid,
                storage: .map(offsets: offs, keys: keys.take(child), values: vals.take(child)))
        case .structure(let cs):
            return Column(type: type, count: n, validity: valid, storage: .structure(cs.map { $0.take(indices) }))
        }
    }

    /// Rows where `mask` is true (NULL counts as false).
    public func filter(_ selection: [Int32]) -> Column { take(selection) }

    /// Concatenates columns of one type.
    public static func concat(_ cols: [Column], type: DataType) -> Column {
        if cols.count == 1 { return cols[0] }
        let total = cols.reduce(0) { $0 + $1.count }
        let anyNull = cols.contains { $0.validity != nil || { if case .none = $0.storage { return $0.count > 0 }; return false }($0) }
        var valid: Bitmap? = nil
        if anyNull {
            var b = Bitmap(count: 0, value: false)
            b.reserve(total)
            for c in cols { for i in 0..<c.count { b.append(!c.isNull(i)) } }
            valid = b
        }
        func join<T>(_ get: (Column) -> [T]?) -> [T] {
            var out: [T] = []
            out.reserveCapacity(total)
            for c in cols { if let a = get(c) { out.append(contentsOf: a) } }
            return out
        }
        switch type {
        case .null: return Column(type: type, count: total, validity: nil, storage: .none)
        case .boolean: return Column(type: type, count: total, validity: valid, storage: .bool(join { if case .bool(let a) = $0.storage { return a }; return [Bool](repeating: false, count: $0.count) }))
        case .byte: return Column(type: type, count: total, validity: valid, storage: .i8(join { if case .i8(let a) = $0.storage { return a }; return [Int8](repeating: 0, count: $0.count) }))
        case .short: return Column(type: type, count: total, validity: valid, storage: .i16(join { if case .i16(let a) = $0.storage { return a }; return [Int16](repeating: 0, count: $0.count) }))
        case .int, .date: return Column(type: type, count: total, validity: valid, storage: .i32(join { if case .i32(let a) = $0.storage { return a }; return [Int32](repeating: 0, count: $0.count) }))
        case .long, .timestamp: return Column(type: type, count: total, validity: valid, storage: .i64(join { if case .i64(let a) = $0.storage { return a }; return [Int64](repeating: 0, count: $0.count) }))
        case .float: return Column(type: type, count: total, validity: valid, storage: .f32(join { if case .f32(let a) = $0.storage { return a }; return [Float](repeating: 0, count: $0.count) }))
        case .double: return Column(type: type, count: total, validity: valid, storage: .f64(join { if case .f64(let a) = $0.storage { return a }; return [Double](repeating: 0, count: $0.count) }))
        case .decimal: return Column(type: type, count: total, validity: valid, storage: .i128(join { if case .i128(let a) = $0.storage { return a }; return [Int128](repeating: 0, count: $0.count) }))
        case .string, .binary:
            var offs: [Int32] = [0]
            offs.reserveCapacity(total + 1)
            var data: [UInt8] = []
            data.reserveCapacity(cols.reduce(0) { s, c in if case .bytes(_, let d) = c.storage { return s + d.count }; return s })
            for c in cols {
                if case .bytes(let o, let d) = c.storage {
                    let base = Int32(data.count) - o[0]
                    data.append(contentsOf: d[Int(o[0])..<Int(o[c.count])])
                    for i in 1...max(1, c.count) where c.count > 0 { offs.append(o[i] + base) }
                } else {
                    for _ in 0..<c.count { offs.append(Int32(data.count)) }
                }
            }
            return Column(type: type, count: total, validity: valid, storage: .bytes(offsets: offs, data: data))
        default:
            var b = ColumnBuilder(type: type, capacity: total)
            for c in cols { for i in 0..<c.count { try? b.append(c.value(at: i)) } }
            return b.finish()
        }
    }
}

/// Converts a boolean column into a selection vector of the rows that are true.
public func selection(of mask: Column) -> [Int32] {
    guard case .bool(let a) = mask.storage else { return [] }
    var out: [Int32] = []
    out.reserveCapacity(a.count)
    a.withUnsafeBufferPointer { b in
        if let v = mask.validity {
            for i in 0..<b.count where b[i] && v[i] { out.append(Int32(i)) }
        } else {
            for i in 0..<b.count where b[i] { out.append(Int32(i)) }
        }
    }
    return out
}
