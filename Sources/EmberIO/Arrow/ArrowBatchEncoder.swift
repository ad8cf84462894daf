import EmberColumnar
import EmberCore

/// Encodes Ember columns into the body of an Arrow record batch: field nodes and buffers
/// in pre-order, each buffer padded to 8 bytes (and compressed on its own when asked).
/// Booleans are packed to bits, offsets are rebased to start at 0, and child columns are
/// cut to the range their parent's offsets cover.
struct ArrowBatchEncoder {
    let compression: ArrowCompression
    var nodes: [(Int, Int)] = []
    var buffers: [(Int, Int)] = []
    var body: [UInt8] = []

    init(compression: ArrowCompression, capacity: Int = 0) {
        self.compression = compression
        body.reserveCapacity(capacity)
    }

    /// Appends one buffer to the body.
    mutating func appendBuffer(_ p: UnsafeRawBufferPointer) throws {
        let start = body.count
        if p.count > 0 {
            if compression == .none {
                appendBytes(p, to: &body)
            } else {
                let packed = try ArrowCodec.compress(compression, p)
                if packed.count < p.count {
                    appendLE(Int64(p.count), to: &body)
                    body.append(contentsOf: packed)
                } else {
                    // Not worth it: stored as is, marked by length -1.
                    appendLE(Int64(-1), to: &body)
                    appendBytes(p, to: &body)
                }
            }
        }
        buffers.append((start, body.count - start))
        let pad = (8 - body.count % 8) % 8
        if pad > 0 { body.append(contentsOf: repeatElement(0, count: pad)) }
    }

    mutating func appendArray<T>(_ a: [T], count: Int) throws {
        guard a.count >= count else { throw EmberError.internalError("Arrow writer: column storage holds \(a.count) of \(count) values") }
        try a.withUnsafeBytes { try appendBuffer(UnsafeRawBufferPointer(rebasing: $0[0..<(count * MemoryLayout<T>.stride)])) }
    }

    mutating func appendValidity(_ c: Column) throws {
        guard let v = c.validity, c.nullCount > 0 else { return try appendBuffer(UnsafeRawBufferPointer(start: nil, count: 0)) }
        let n = (c.count + 7) / 8
        guard v.words.count * 8 >= n else { throw EmberError.internalError("Arrow writer: validity shorter than its column") }
        try v.words.withUnsafeBytes { try appendBuffer(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }

    /// Appends rebased offsets `o[0...count] - o[0]`.
    mutating func appendOffsets(_ o: [Int32], count: Int) throws {
        guard o.count > count else { throw EmberError.internalError("Arrow writer: \(o.count) offsets for \(count) values") }
        let base = o.first ?? 0
        if base == 0 { return try appendArray(o, count: count + 1) }
        try appendArray(o[0...count].map { $0 - base }, count: count + 1)
    }

    /// Appends column `c` (of Ember type `c.type`).
    mutating func append(_ column: Column) throws {
        var c = column
        if case .none = c.storage, c.type != .null { c = Column.nulls(c.type, count: c.count) }
        let n = c.count
        if c.type == .null {
            nodes.append((n, n))
            return
        }
        nodes.append((n, c.nullCount))
        try appendValidity(c)
        switch c.storage {
        case .none: break
        case .bool(let a):
            var bits = [UInt8](repeating: 0, count: (n + 7) / 8)
            a.withUnsafeBufferPointer { src in
                bits.withUnsafeMutableBufferPointer { dst in
                    for i in 0..<n where src[i] { dst[i >> 3] |= 1 << UInt8(i & 7) }
                }
            }
            try appendArray(bits, count: bits.count)
        case .i8(let a): try appendArray(a, count: n)
        case .i16(let a): try appendArray(a, count: n)
        case .i32(let a): try appendArray(a, count: n)
        case .i64(let a): try appendArray(a, count: n)
        case .f32(let a): try appendArray(a, count: n)
        case .f64(let a): try appendArray(a, count: n)
        case .i128(let a): try appendArray(a, count: n)
        case .bytes(let o, let d):
            try appendOffsets(o, count: n)
            let start = Int(o[0]), end = Int(o[n])
            guard start <= end, end <= d.count else { throw EmberError.internalError("Arrow writer: offsets beyond string data") }
            try d.withUnsafeBytes { try appendBuffer(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
        case .list(let o, let values):
            try appendOffsets(o, count: n)
            try append(try cut(values, o, n))
        case .map(let o, let keys, let values):
            try appendOffsets(o, count: n)
            let k = try cut(keys, o, n), v = try cut(values, o, n)
            nodes.append((k.count, 0))  // the "entries" struct: never NULL
            try appendBuffer(UnsafeRawBufferPointer(start: nil, count: 0))
            try append(k)
            try append(v)
        case .structure(let children):
            for child in children {
                guard child.count >= n else { throw EmberError.internalError("Arrow writer: struct child shorter than its parent") }
                try append(child.count == n ? child : child.slice(0..<n))
            }
        }
    }

    /// The part of a child column that offsets `o[0...n]` cover.
    func cut(_ child: Column, _ o: [Int32], _ n: Int) throws -> Column {
        let start = Int(o[0]), end = Int(o[n])
        guard start <= end, end <= child.count else { throw EmberError.internalError("Arrow writer: offsets beyond child values") }
        return start == 0 && end == child.count ? child : child.slice(start..<end)
    }
}
