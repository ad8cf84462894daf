import EmberColumnar
import EmberCore

// Value buffers of the batch decoder: fixed-width copies and conversions, offsets,
// views and dictionary indices, each checked against its buffer before it is read.

extension ArrowBatchDecoder {
    /// Offsets of zero-width values are not backed by any buffer, so their length alone
    /// would drive the allocation: refuse implausible ones.
    func checkUnbacked(_ f: ArrowField, _ length: Int, _ width: Int) throws {
        guard width > 0 || length <= 1 << 24 else {
            throw corrupt(f, "\(length) zero-width values", at: nil)
        }
    }

    /// Rows `range` of a child column, checked against its length.
    func childRange(_ f: ArrowField, _ child: Column, _ range: Range<Int>, at pos: Int?) throws -> Column {
        guard range.upperBound <= child.count else {
            throw corrupt(f, "offsets reach \(range.upperBound) but the child has \(child.count) values", at: pos)
        }
        return range == 0..<child.count ? child : child.slice(range)
    }

    /// `count` values of `T` copied from `buf`.
    func fixed<T>(_ f: ArrowField, _ buf: UnsafeRawBufferPointer, _ pos: Int, _ count: Int) throws -> [T] {
        let need = count * MemoryLayout<T>.stride
        guard buf.count >= need else { throw corrupt(f, "buffer of \(buf.count) bytes for \(count) values", at: pos) }
        return [T](unsafeUninitializedCapacity: count) { out, n in
            if need > 0, let d = out.baseAddress, let s = buf.baseAddress {
                UnsafeMutableRawPointer(d).copyMemory(from: s, byteCount: need)
            }
            n = count
        }
    }

    /// `count` values of `S` from `buf`, each converted to `T`.
    func mapped<S: FixedWidthInteger, T>(
        _ f: ArrowField, _ buf: UnsafeRawBufferPointer, _ pos: Int, _ count: Int, _ convert: (S) throws -> T
    ) throws -> [T] {
        let size = MemoryLayout<S>.size
        guard buf.count >= count * size else { throw corrupt(f, "buffer of \(buf.count) bytes for \(count) values", at: pos) }
        return try [T](unsafeUninitializedCapacity: count) { out, n in
            for i in 0..<count {
                let v = S(littleEndian: buf.loadUnaligned(fromByteOffset: i * size, as: S.self))
                out.initializeElement(at: i, to: try convert(v))
                n = i + 1
            }
        }
    }

    /// Decimal256 values narrowed to 128 bits (NULL slots are not checked).
    func decimal256(_ f: ArrowField, _ buf: UnsafeRawBufferPointer, _ pos: Int, _ count: Int, _ valid: Bitmap?) throws -> [Int128] {
        guard buf.count >= count * 32 else { throw corrupt(f, "buffer of \(buf.count) bytes for \(count) values", at: pos) }
        return try [Int128](unsafeUninitializedCapacity: count) { out, n in
            for i in 0..<count {
                let lo = UInt128(littleEndian: buf.loadUnaligned(fromByteOffset: i * 32, as: UInt128.self))
                let hi = Int128(littleEndian: buf.loadUnaligned(fromByteOffset: i * 32 + 16, as: Int128.self))
                let v = Int128(bitPattern: lo)
                if hi != (v < 0 ? -1 : 0), valid?[i] ?? true {
                    throw corrupt(f, "Decimal256 value in row \(i) does not fit 38 digits", at: pos + i * 32)
                }
                out.initializeElement(at: i, to: v)
                n = i + 1
            }
        }
    }

    /// Reads `count + 1` Int32 offsets, checks that they start at 0 or more, never
    /// decrease and end within `limit`, and rebases them to start at 0. Returns the
    /// offsets and the range of the data (or child) they cover.
    func offsets32(
        _ f: ArrowField, _ buf: UnsafeRawBufferPointer, _ pos: Int, _ count: Int, limit: Int, dataPos: Int
    ) throws -> ([Int32], Range<Int>) {
        if count == 0 && buf.count < 4 { return ([0], 0..<0) }
        guard buf.count >= (count + 1) * 4 else { throw corrupt(f, "offsets buffer of \(buf.count) bytes for \(count) values", at: pos) }
        let first = Int32(littleEndian: buf.loadUnaligned(as: Int32.self))
        guard first >= 0 else { throw corrupt(f, "negative offset \(first)", at: pos) }
        var bad = -1
        let out = [Int32](unsafeUninitializedCapacity: count + 1) { o, n in
            var prev = first
            for i in 0...count {
                let v = Int32(littleEndian: buf.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))
                if v < prev && bad < 0 { bad = i }
                prev = v
                o[i] = v &- first
            }
            n = count + 1
        }
        if bad >= 0 { throw corrupt(f, "offsets decrease at index \(bad)", at: pos + 4 * bad) }
        let end = Int(first) + Int(out[count])
        guard end <= limit else { throw corrupt(f, "offset \(end) beyond the \(limit) bytes of data", at: dataPos) }
        return (out, Int(first)..<end)
    }

    /// As `offsets32` for 64-bit offsets; the covered range must fit 32-bit offsets.
    func offsets64(
        _ f: ArrowField, _ buf: UnsafeRawBufferPointer, _ pos: Int, _ count: Int, limit: Int, dataPos: Int
    ) throws -> ([Int32], Range<Int>) {
        if count == 0 && buf.count < 8 { return ([0], 0..<0) }
        guard buf.count >= (count + 1) * 8 else { throw corrupt(f, "offsets buffer of \(buf.count) bytes for \(count) values", at: pos) }
        let first = Int64(littleEndian: buf.loadUnaligned(as: Int64.self))
        let last = Int64(littleEndian: buf.loadUnaligned(fromByteOffset: 8 * count, as: Int64.self))
        guard first >= 0, last >= first else { throw corrupt(f, "offsets \(first)…\(last)", at: pos) }
        guard last - first <= Int64(Int32.max) else {
            throw EmberError.unsupported("Column `\(f.name)` holds \(last - first) bytes or values in one batch, more than 32-bit offsets address\(source.name.map { " (file \($0))" } ?? "").")
        }
        guard last <= Int64(limit) else { throw corrupt(f, "offset \(last) beyond the \(limit) bytes of data", at: dataPos) }
        var bad = -1
        let out = [Int32](unsafeUninitializedCapacity: count + 1) { o, n in
            var prev = first
            for i in 0...count {
                let v = Int64(littleEndian: buf.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
                if (v < prev || v > last) && bad < 0 { bad = i }
                prev = v
                o[i] = Int32(truncatingIfNeeded: v &- first)
            }
            n = count + 1
        }
        if bad >= 0 { throw corrupt(f, "offsets decrease at index \(bad)", at: pos + 8 * bad) }
        return (out, Int(first)..<Int(last))
    }

    /// The data-buffer count of the next view-typed column.
    mutating func variadicCount(_ f: ArrowField) throws -> Int {
        guard let counts = header.variadicCounts, nextVariadic < counts.count else {
            throw corrupt(f, "no variadic buffer count for a view column", at: bodyStart)
        }
        let n = try counts.load(nextVariadic, as: Int64.self)
        nextVariadic += 1
        let left = (header.buffers?.count ?? 0) - nextBuffer
        guard n >= 0, n <= Int64(left) else { throw corrupt(f, "variadic buffer count \(n)", at: counts.reader.base + counts.position(nextVariadic - 1)) }
        return Int(n)
    }

    /// Utf8View / BinaryView: 16-byte views (length, then 12 inline bytes or a 4-byte
    /// prefix, a buffer index and an offset) copied into offsets + bytes.
    mutating func views(_ f: ArrowField, _ length: Int, _ valid: Bitmap?) throws -> Column.Storage {
        let (viewBuf, viewPos) = try buffer(f)
        let k = try variadicCount(f)
        var data: [UnsafeRawBufferPointer] = []
        for _ in 0..<k { data.append(try buffer(f).bytes) }
        guard viewBuf.count >= length * 16 else { throw corrupt(f, "views buffer of \(viewBuf.count) bytes for \(length) values", at: viewPos) }
        var total = 0
        for i in 0..<length where valid?[i] ?? true {
            let len = Int(Int32(littleEndian: viewBuf.loadUnaligned(fromByteOffset: i * 16, as: Int32.self)))
            guard len >= 0 else { throw corrupt(f, "negative view length in row \(i)", at: viewPos + i * 16) }
            if len > 12 {
                let b = Int(Int32(littleEndian: viewBuf.loadUnaligned(fromByteOffset: i * 16 + 8, as: Int32.self)))
                let o = Int(Int32(littleEndian: viewBuf.loadUnaligned(fromByteOffset: i * 16 + 12, as: Int32.self)))
                guard b >= 0, b < k, o >= 0, o <= data[b].count - len else {
                    throw corrupt(f, "view of row \(i) (buffer \(b), offset \(o), length \(len)) out of range", at: viewPos + i * 16)
                }
            }
            total += len
            guard total <= Int(Int32.max) else { throw corrupt(f, "more view bytes than 32-bit offsets address", at: viewPos) }
        }
        var offsets = [Int32](repeating: 0, count: length + 1)
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { out, n in
            var at = 0
            for i in 0..<length {
                if valid?[i] ?? true {
                    let v = i * 16
                    let len = Int(Int32(littleEndian: viewBuf.loadUnaligned(fromByteOffset: v, as: Int32.self)))
                    let src: UnsafeRawBufferPointer
                    if len <= 12 {
                        src = UnsafeRawBufferPointer(rebasing: viewBuf[(v + 4)..<(v + 4 + len)])
                    } else {
                        let b = Int(Int32(littleEndian: viewBuf.loadUnaligned(fromByteOffset: v + 8, as: Int32.self)))
                        let o = Int(Int32(littleEndian: viewBuf.loadUnaligned(fromByteOffset: v + 12, as: Int32.self)))
                        src = UnsafeRawBufferPointer(rebasing: data[b][o..<(o + len)])
                    }
                    if len > 0, let d = out.baseAddress, let s = src.baseAddress {
                        UnsafeMutableRawPointer(d + at).copyMemory(from: s, byteCount: len)
                    }
                    at += len
                }
                offsets[i + 1] = Int32(at)
            }
            n = at
        }
        return .bytes(offsets: offsets, data: bytes)
    }

    /// A dictionary-encoded column: integer indices looked up in the dictionary.
    mutating func dictionaryColumn(_ f: ArrowField, _ d: ArrowDictionaryEncoding, _ type: DataType) throws -> Column {
        let (length, nulls) = try node(f)
        let valid = try validity(f, length: length, nulls: nulls)
        let (buf, pos) = try buffer(f)
        guard let dict = dictionaries[d.id] else {
            throw corrupt(f, "dictionary \(d.id) has not been sent before the batch that uses it", at: pos)
        }
        let width = d.indexBitWidth / 8
        guard buf.count >= length * width else { throw corrupt(f, "index buffer of \(buf.count) bytes for \(length) values", at: pos) }
        let size = dict.count
        var badRow = -1
        let indices = [Int32](unsafeUninitializedCapacity: length) { out, n in
            for i in 0..<length {
                var k: Int64 = -1
                if valid?[i] ?? true {
                    let p = i * width
                    switch (width, d.indexSigned) {
                    case (1, true): k = Int64(buf.loadUnaligned(fromByteOffset: p, as: Int8.self))
                    case (1, false): k = Int64(buf.loadUnaligned(fromByteOffset: p, as: UInt8.self))
                    case (2, true): k = Int64(Int16(littleEndian: buf.loadUnaligned(fromByteOffset: p, as: Int16.self)))
                    case (2, false): k = Int64(UInt16(littleEndian: buf.loadUnaligned(fromByteOffset: p, as: UInt16.self)))
                    case (4, true): k = Int64(Int32(littleEndian: buf.loadUnaligned(fromByteOffset: p, as: Int32.self)))
                    case (4, false): k = Int64(UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
                    default:
                        let u = UInt64(littleEndian: buf.loadUnaligned(fromByteOffset: p, as: UInt64.self))
                        k = d.indexSigned ? Int64(bitPattern: u) : (u > UInt64(Int64.max) ? Int64.max : Int64(u))
                    }
                    if (k < 0 || k >= Int64(size)) && badRow < 0 { badRow = i; k = -1 }
                }
                out.initializeElement(at: i, to: Int32(truncatingIfNeeded: k))
            }
            n = length
        }
        if badRow >= 0 {
            throw corrupt(f, "dictionary index in row \(badRow) outside the \(size) dictionary values", at: pos + badRow * width)
        }
        try checkGatherFits(f, dict, indices, at: pos)
        var out = dict.take(indices)
        out.type = type
        return out
    }

    /// Dictionary decoding repeats values; refuse a result whose bytes or list values, at
    /// any nesting level, would overflow Ember's 32-bit offsets instead of wrapping them.
    func checkGatherFits(_ f: ArrowField, _ dict: Column, _ indices: [Int32], at pos: Int) throws {
        var uses = [Int](repeating: 0, count: dict.count)
        for i in indices where i >= 0 { uses[Int(i)] += 1 }
        guard ArrowBatchDecoder.gatherFits(dict, uses) else {
            throw EmberError.unsupported("Dictionary-encoded column `\(f.name)` decodes to more than 32-bit offsets address in one batch\(source.name.map { " (file \($0))" } ?? "").")
        }
    }

    /// Whether taking each row `uses[row]` times keeps every offset span within 32 bits.
    static func gatherFits(_ c: Column, _ uses: [Int]) -> Bool {
        let limit = Int(Int32.max)
        /// Sum of uses × span over the rows, and each child row's uses.
        func spans(_ o: [Int32], childCount: Int, children: Bool = true) -> (Int, [Int])? {
            guard o.count == uses.count + 1 else { return nil }
            var total = 0
            var childUses = [Int](repeating: 0, count: children ? childCount : 0)
            for r in 0..<uses.count where uses[r] > 0 {
                let lo = Int(o[r]), hi = Int(o[r + 1])
                guard lo >= 0, hi >= lo, hi <= childCount else { return nil }
                let (t, overflow) = uses[r].multipliedReportingOverflow(by: hi - lo)
                total += overflow ? limit + 1 : t
                if total > limit { return nil }
                if children { for j in lo..<hi { childUses[j] += uses[r] } }
            }
            return (total, childUses)
        }
        switch c.storage {
        case .bytes(let o, let d): return spans(o, childCount: d.count, children: false) != nil
        case .list(let o, let v):
            guard let (_, child) = spans(o, childCount: v.count) else { return false }
            return gatherFits(v, child)
        case .map(let o, let k, let v):
            guard let (_, child) = spans(o, childCount: k.count), k.count == v.count else { return false }
            return gatherFits(k, child) && gatherFits(v, child)
        case .structure(let cs): return cs.allSatisfy { $0.count == uses.count && gatherFits($0, uses) }
        default: return true
        }
    }

    static func unpackBits(_ buf: UnsafeRawBufferPointer, _ count: Int) -> [Bool] {
        [Bool](unsafeUninitializedCapacity: count) { out, n in
            for i in 0..<count { out.initializeElement(at: i, to: (buf[i >> 3] >> UInt8(i & 7)) & 1 != 0) }
            n = count
        }
    }
}

/// Keeps decompressed buffers alive (and at a fixed address) while a batch decodes.
final class ArrowArena {
    private var chunks: [UnsafeMutableRawBufferPointer] = []

    /// Copies `bytes` into memory owned by the arena.
    func keep(_ bytes: [UInt8]) -> UnsafeRawBufferPointer {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { src in
            if let s = src.baseAddress, let d = chunk.baseAddress, src.count > 0 { d.copyMemory(from: s, byteCount: src.count) }
        }
        chunks.append(chunk)
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(chunk)[0..<bytes.count])
    }

    deinit { for c in chunks { c.deallocate() } }
}

/// The bytes of `p` as an array (one memcpy).
func copyBytes(_ p: UnsafeRawBufferPointer) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: p.count) { out, n in
        if let d = out.baseAddress, let s = p.baseAddress, p.count > 0 { UnsafeMutableRawPointer(d).copyMemory(from: s, byteCount: p.count) }
        n = p.count
    }
}

/// Appends the bytes of `p` to `out` (one memcpy).
func appendBytes(_ p: UnsafeRawBufferPointer, to out: inout [UInt8]) {
    p.withMemoryRebound(to: UInt8.self) { out.append(contentsOf: $0) }
}

/// Floor division (rounds toward negative infinity, as Spark converts time units).
@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// IEEE half precision bits to Float.
@inline(__always)
func halfToFloat(_ h: UInt16) -> Float {
    let sign: Float = h & 0x8000 != 0 ? -1 : 1
    let exp = Int((h >> 10) & 0x1F)
    let mant = UInt32(h & 0x3FF)
    if exp == 0 { return sign * Float(mant) * (1.0 / 16_777_216.0) }
    let s = UInt32(h & 0x8000) << 16
    if exp == 31 { return Float(bitPattern: s | 0x7F80_0000 | (mant << 13)) }
    return Float(bitPattern: s | (UInt32(exp + 112) << 23) | (mant << 13))
}
