import EmberColumnar
import EmberCore

/// The non-NULL values of a column chunk in their physical form, appended page by page.
struct PhysicalValues {
    var bools: [Bool] = []
    var i32: [Int32] = []
    var i64: [Int64] = []
    var f32: [Float] = []
    var f64: [Double] = []
    /// BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY values.
    var offsets: [Int32] = [0]
    var data: [UInt8] = []

    func count(_ p: ParquetPhysicalType) -> Int {
        switch p {
        case .boolean: return bools.count
        case .int32: return i32.count
        case .int64, .int96: return i64.count
        case .float: return f32.count
        case .double: return f64.count
        case .byteArray, .fixedLenByteArray: return offsets.count - 1
        }
    }

    mutating func reserve(_ p: ParquetPhysicalType, _ n: Int) {
        switch p {
        case .boolean: bools.reserveCapacity(n)
        case .int32: i32.reserveCapacity(n)
        case .int64, .int96: i64.reserveCapacity(n)
        case .float: f32.reserveCapacity(n)
        case .double: f64.reserveCapacity(n)
        case .byteArray, .fixedLenByteArray: offsets.reserveCapacity(n + 1)
        }
    }
}

/// Definition and repetition levels and values of one column chunk.
struct LeafData {
    var defs: [UInt8] = []
    var reps: [UInt8] = []
    var entries = 0
    var values = PhysicalValues()
    /// With `keepDictionaryIndices`, a chunk whose data pages are all dictionary-encoded
    /// keeps its dictionary and one index per non-NULL value here (`values` stays empty),
    /// so a selective scan gathers only the rows it keeps.
    var dictionary: PhysicalValues? = nil
    var indices: [UInt32]? = nil
}

/// Decodes the pages of one column chunk.
struct ParquetColumnChunkReader {
    let leaf: ParquetLeaf
    let meta: ParquetColumnMetaData
    let file: String
    /// Largest page Ember accepts (uncompressed); a bigger size is taken as corruption.
    static let maxPageBytes = 1 << 30

    /// Decodes `bytes` (the whole chunk, starting at file offset `start`).
    func decode(_ bytes: [UInt8], start: Int, rows: Int, keepDictionaryIndices: Bool = false) throws -> LeafData {
        var out = LeafData()
        var kept: [UInt32]? = keepDictionaryIndices && leaf.maxRep == 0 ? [] : nil
        let what = "\(file), column \(leaf.path.joined(separator: "."))"
        let total = Int(clamping: meta.numValues)
        out.values.reserve(leaf.physical, min(total, 1 << 24))
        if leaf.maxDef > 0 { out.defs.reserveCapacity(min(total, 1 << 24)) }
        if leaf.maxRep > 0 { out.reps.reserveCapacity(min(total, 1 << 24)) }
        var dictionary: PhysicalValues? = nil
        var dictCount = 0
        try bytes.withUnsafeBytes { buf in
            var pos = 0
            while pos < buf.count && out.entries < total {
                var tr = ThriftCompactReader(UnsafeRawBufferPointer(rebasing: buf[pos...]), fileOffset: start + pos, what: what)
                let header = try ParquetPageHeader(thrift: try tr.readStruct()) { tr.error($0) }
                let bodyStart = pos + tr.pos
                let bodyLen = Int(header.compressedPageSize)
                guard bodyLen <= buf.count - bodyStart else {
                    throw EmberError.corruptFile("\(what): page of \(bodyLen) bytes at byte \(start + pos) runs past the column chunk")
                }
                guard Int(header.uncompressedPageSize) <= ParquetColumnChunkReader.maxPageBytes else {
                    throw EmberError.corruptFile("\(what): page at byte \(start + pos) claims \(header.uncompressedPageSize) bytes")
                }
                let body = UnsafeRawBufferPointer(rebasing: buf[bodyStart..<(bodyStart + bodyLen)])
                let bodyOffset = start + bodyStart
                switch ParquetPageType(rawValue: header.type) {
                case .dictionaryPage?:
                    guard let dh = header.dictionaryPage else { throw EmberError.corruptFile("\(what): dictionary page without its header at byte \(start + pos)") }
                    var d = PhysicalValues()
                    let n = Int(dh.numValues)
                    try ParquetCodecs.withDecompressed(meta.codec, body, uncompressedSize: Int(header.uncompressedPageSize), what: "\(what) page at byte \(start + pos)") { p in
                        guard n >= 0, n <= p.count * 8 + 1 else { throw EmberError.corruptFile("\(what): dictionary of \(n) values in \(p.count) bytes") }
                        var cur = ByteCursor(p, fileOffset: bodyOffset, what: what)
                        try decodePlain(&cur, count: n, into: &d)
                    }
                    dictionary = d
                    dictCount = n
                case .dataPage?:
                    guard let dh = header.dataPage else { throw EmberError.corruptFile("\(what): data page without its header at byte \(start + pos)") }
                    try ParquetCodecs.withDecompressed(meta.codec, body, uncompressedSize: Int(header.uncompressedPageSize), what: "\(what) page at byte \(start + pos)") { p in
                        var cur = ByteCursor(p, fileOffset: bodyOffset, what: what)
                        let n = try pageValueCount(Int(dh.numValues), pageBytes: p.count, cur: cur, total: total, have: out.entries)
                        if leaf.maxRep > 0 { try readLevels(&cur, count: n, max: leaf.maxRep, into: &out.reps, lengthPrefixed: true) }
                        var nonNull = n
                        if leaf.maxDef > 0 {
                            nonNull = try readLevels(&cur, count: n, max: leaf.maxDef, into: &out.defs, lengthPrefixed: true)
                        }
                        try decodeValues(&cur, encoding: dh.encoding, count: nonNull, dictionary: dictionary, dictCount: dictCount, into: &out.values, kept: &kept)
                        out.entries += n
                    }
                case .dataPageV2?:
                    guard let dh = header.dataPageV2 else { throw EmberError.corruptFile("\(what): data page v2 without its header at byte \(start + pos)") }
                    let repLen = Int(dh.repetitionLevelsByteLength)
                    let defLen = Int(dh.definitionLevelsByteLength)
                    guard repLen >= 0, defLen >= 0, repLen + defLen <= body.count, repLen + defLen <= Int(header.uncompressedPageSize) else {
                        throw EmberError.corruptFile("\(what): level lengths of the v2 page at byte \(start + pos) exceed the page")
                    }
                    var cur = ByteCursor(body, fileOffset: bodyOffset, what: what)
                    let n = try pageValueCount(Int(dh.numValues), pageBytes: Int(header.uncompressedPageSize), cur: cur, total: total, have: out.entries)
                    if leaf.maxRep > 0 {
                        var rc = ByteCursor(body, from: 0, to: repLen, fileOffset: bodyOffset, what: what)
                        try readLevels(&rc, count: n, max: leaf.maxRep, into: &out.reps, lengthPrefixed: false)
                    }
                    var nonNull = n
                    if leaf.maxDef > 0 {
                        var dc = ByteCursor(body, from: repLen, to: repLen + defLen, fileOffset: bodyOffset, what: what)
                        nonNull = try readLevels(&dc, count: n, max: leaf.maxDef, into: &out.defs, lengthPrefixed: false)
                    }
                    cur.pos = repLen + defLen
                    let valueBytes = UnsafeRawBufferPointer(rebasing: body[(repLen + defLen)...])
                    let plainSize = Int(header.uncompressedPageSize) - repLen - defLen
                    if dh.isCompressed && meta.codec != .uncompressed {
                        try ParquetCodecs.withDecompressed(meta.codec, valueBytes, uncompressedSize: plainSize, what: "\(what) page at byte \(start + pos)") { p in
                            var vc = ByteCursor(p, fileOffset: bodyOffset + repLen + defLen, what: what)
                            try decodeValues(&vc, encoding: dh.encoding, count: nonNull, dictionary: dictionary, dictCount: dictCount, into: &out.values, kept: &kept)
                        }
                    } else {
                        var vc = ByteCursor(valueBytes, fileOffset: bodyOffset + repLen + defLen, what: what)
                        try decodeValues(&vc, encoding: dh.encoding, count: nonNull, dictionary: dictionary, dictCount: dictCount, into: &out.values, kept: &kept)
                    }
                    out.entries += n
                default:
                    break  // index pages and unknown page types are skipped
                }
                pos = bodyStart + bodyLen
            }
        }
        guard out.entries == total else {
            throw EmberError.corruptFile("\(what): column chunk holds \(out.entries) values, its metadata says \(total)")
        }
        if let k = kept, let d = dictionary, !k.isEmpty {
            out.dictionary = d
            out.indices = k
        } else if let k = kept, !k.isEmpty {
            throw EmberError.corruptFile("\(what): dictionary-encoded values without a dictionary")
        }
        if leaf.maxRep == 0 && out.entries != rows {
            throw EmberError.corruptFile("\(what): column chunk holds \(out.entries) values for \(rows) rows")
        }
        return out
    }

    /// Checks a page's value count against what the chunk may still hold.
    private func pageValueCount(_ n: Int, pageBytes: Int, cur: ByteCursor, total: Int, have: Int) throws -> Int {
        guard n >= 0, n <= total - have else {
            throw cur.error("page has \(n) values but the column chunk has \(total - have) left")
        }
        guard n <= max(pageBytes * 8, 1 << 22) else { throw cur.error("page of \(pageBytes) bytes claims \(n) values") }
        return n
    }

    /// Decodes `count` levels; returns how many equal `max` (the defined values, for
    /// definition levels). A level above `max` is corruption.
    @discardableResult
    private func readLevels(_ cur: inout ByteCursor, count: Int, max: Int, into out: inout [UInt8], lengthPrefixed: Bool) throws -> Int {
        var c = cur
        if lengthPrefixed {
            let len = Int(try cur.u32le())
            try cur.need(len)
            c = ByteCursor(cur.buf, from: cur.pos, to: cur.pos + len, fileOffset: cur.fileOffset, what: cur.what)
            cur.pos += len
        }
        var dec = try RLEDecoder(c, bitWidth: bitWidth(for: max))
        let (equal, top) = try dec.decodeLevels(into: &out, count: count, countEqual: UInt8(max))
        if top > UInt8(max) { throw cur.error("level \(top) above the maximum \(max)") }
        return equal
    }

    // MARK: Values

    func decodeValues(
        _ cur: inout ByteCursor, encoding: Int32, count: Int, dictionary: PhysicalValues?, dictCount: Int,
        into v: inout PhysicalValues, kept: inout [UInt32]?
    ) throws {
        guard count > 0 else { return }
        let isDictionary = encoding == ParquetEncoding.plainDictionary.rawValue || encoding == ParquetEncoding.rleDictionary.rawValue
        if let k = kept, !isDictionary {
            // A page in another encoding after dictionary pages: materialize what was kept.
            if let dict = dictionary, !k.isEmpty { try gather(dict, dictCount: dictCount, k, into: &v, cur: cur) }
            kept = nil
        }
        switch ParquetEncoding(rawValue: encoding) {
        case .plain?:
            try decodePlain(&cur, count: count, into: &v)
        case .plainDictionary?, .rleDictionary?:
            guard let dict = dictionary else { throw cur.error("dictionary-encoded page without a dictionary") }
            let width = Int(try cur.byte())
            var dec = try RLEDecoder(cur, bitWidth: width)
            var idx = [UInt32](repeating: 0, count: count)
            try idx.withUnsafeMutableBufferPointer { p in
                if let b = p.baseAddress { try dec.decode(into: b, count: count) }
            }
            if kept != nil {
                var maxIndex: UInt32 = 0
                for i in idx where i > maxIndex { maxIndex = i }
                guard Int(maxIndex) < dictCount else { throw cur.error("dictionary index \(maxIndex) out of range (\(dictCount) entries)") }
                kept?.append(contentsOf: idx)
            } else {
                try gather(dict, dictCount: dictCount, idx, into: &v, cur: cur)
            }
        case .rle? where leaf.physical == .boolean:
            let len = Int(try cur.u32le())
            try cur.need(len)
            var dec = try RLEDecoder(ByteCursor(cur.buf, from: cur.pos, to: cur.pos + len, fileOffset: cur.fileOffset, what: cur.what), bitWidth: 1)
            var tmp = [UInt32](repeating: 0, count: count)
            try tmp.withUnsafeMutableBufferPointer { p in
                if let b = p.baseAddress { try dec.decode(into: b, count: count) }
            }
            for x in tmp { v.bools.append(x != 0) }
        case .deltaBinaryPacked? where leaf.physical == .int32 || leaf.physical == .int64:
            var dec = try DeltaBinaryPackedDecoder(cur)
            guard dec.total >= count else { throw cur.error("DELTA_BINARY_PACKED page has \(dec.total) values, needs \(count)") }
            if leaf.physical == .int64 {
                try dec.decodeAll(limit: count, into: &v.i64)
            } else {
                var tmp: [Int64] = []
                try dec.decodeAll(limit: count, into: &tmp)
                for x in tmp { v.i32.append(Int32(truncatingIfNeeded: x)) }
            }
        case .deltaLengthByteArray? where leaf.physical == .byteArray:
            var lengths: [Int64] = []
            var dec = try DeltaBinaryPackedDecoder(cur)
            guard dec.total >= count else { throw cur.error("DELTA_LENGTH_BYTE_ARRAY page has \(dec.total) lengths, needs \(count)") }
            try dec.decodeAll(limit: dec.total, into: &lengths)
            cur.pos = dec.position
            try appendLengths(&cur, lengths, count: count, into: &v)
        case .deltaByteArray? where leaf.physical == .byteArray || leaf.physical == .fixedLenByteArray:
            var prefixes: [Int64] = []
            var pd = try DeltaBinaryPackedDecoder(cur)
            try pd.decodeAll(limit: pd.total, into: &prefixes)
            cur.pos = pd.position
            var suffixes: [Int64] = []
            var sd = try DeltaBinaryPackedDecoder(cur)
            try sd.decodeAll(limit: sd.total, into: &suffixes)
            cur.pos = sd.position
            guard prefixes.count >= count, suffixes.count >= count else { throw cur.error("DELTA_BYTE_ARRAY page has too few values") }
            // One buffer holds the previous value; each value keeps its prefix of it.
            var value: [UInt8] = []
            for i in 0..<count {
                let p = prefixes[i], s = suffixes[i]
                guard p >= 0, p <= Int64(value.count), s >= 0 else { throw cur.error("bad DELTA_BYTE_ARRAY prefix \(p) / suffix \(s)") }
                try cur.need(Int(s))
                value.removeSubrange(Int(p)...)
                value.append(contentsOf: UnsafeRawBufferPointer(rebasing: cur.buf[cur.pos..<(cur.pos + Int(s))]))
                cur.pos += Int(s)
                try appendBytes(value, into: &v, cur: cur)
            }
        case .byteStreamSplit?:
            let width: Int
            switch leaf.physical {
            case .float, .int32: width = 4
            case .double, .int64: width = 8
            case .fixedLenByteArray: width = Int(leaf.element.typeLength ?? 0)
            default: throw cur.error("BYTE_STREAM_SPLIT on \(leaf.physical)")
            }
            try cur.need(width * count)
            var joined = [UInt8](repeating: 0, count: width * count)
            let base = cur.pos
            for k in 0..<width {
                for i in 0..<count { joined[i * width + k] = cur.buf[base + k * count + i] }
            }
            cur.pos += width * count
            try joined.withUnsafeBytes { p in
                var c = ByteCursor(p, fileOffset: cur.fileOffset, what: cur.what)
                try decodePlain(&c, count: count, into: &v)
            }
        default:
            throw EmberError.unsupported("\(cur.what): encoding \(encoding) is not supported for \(leaf.physical) values")
        }
    }

    private func appendLengths(_ cur: inout ByteCursor, _ lengths: [Int64], count: Int, into v: inout PhysicalValues) throws {
        var total = 0
        for i in 0..<count {
            guard lengths[i] >= 0 else { throw cur.error("negative byte array length") }
            total += Int(lengths[i])
        }
        try cur.need(total)
        var off = v.offsets.last ?? 0
        guard Int(off) + total <= Int(Int32.max) else { throw cur.error("column chunk over 2 GiB of strings") }
        for i in 0..<count {
            off += Int32(lengths[i])
            v.offsets.append(off)
        }
        v.data.append(contentsOf: UnsafeRawBufferPointer(rebasing: cur.buf[cur.pos..<(cur.pos + total)]))
        cur.pos += total
    }

    private func appendBytes(_ value: [UInt8], into v: inout PhysicalValues, cur: ByteCursor) throws {
        guard v.data.count + value.count <= Int(Int32.max) else { throw cur.error("column chunk over 2 GiB of strings") }
        v.data.append(contentsOf: value)
        v.offsets.append(Int32(v.data.count))
    }

    /// PLAIN encoding of `count` values.
    func decodePlain(_ cur: inout ByteCursor, count: Int, into v: inout PhysicalValues) throws {
        switch leaf.physical {
        case .boolean:
            let bytes = (count + 7) / 8
            try cur.need(bytes)
            for i in 0..<count { v.bools.append(cur.buf[cur.pos + i >> 3] & (1 << UInt8(i & 7)) != 0) }
            cur.pos += bytes
        case .int32: try appendFixed(&cur, count: count, into: &v.i32)
        case .int64: try appendFixed(&cur, count: count, into: &v.i64)
        case .float: try appendFixed(&cur, count: count, into: &v.f32)
        case .double: try appendFixed(&cur, count: count, into: &v.f64)
        case .int96:
            try cur.need(12 * count)
            for i in 0..<count {
                let o = cur.pos + 12 * i
                let nanos = Int64(bitPattern: UInt64(littleEndian: cur.buf.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
                let day = Int64(Int32(bitPattern: UInt32(littleEndian: cur.buf.loadUnaligned(fromByteOffset: o + 8, as: UInt32.self))))
                // Julian day 2440588 is 1970-01-01.
                v.i64.append((day - 2_440_588) &* 86_400_000_000 &+ nanos / 1000)
            }
            cur.pos += 12 * count
        case .byteArray:
            var off = v.offsets.last ?? 0
            let startData = cur.pos
            // First pass: lengths and bounds; second: one copy of the bytes.
            var p = cur.pos
            var total = 0
            for _ in 0..<count {
                guard cur.end - p >= 4 else { throw cur.error("truncated byte array length") }
                let len = Int(UInt32(littleEndian: cur.buf.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
                p += 4
                guard len <= cur.end - p else { throw cur.error("byte array of \(len) bytes runs past the page") }
                p += len
                total += len
            }
            guard v.data.count + total <= Int(Int32.max) else { throw cur.error("column chunk over 2 GiB of strings") }
            v.data.reserveCapacity(v.data.count + total)
            p = startData
            for _ in 0..<count {
                let len = Int(UInt32(littleEndian: cur.buf.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
                p += 4
                v.data.append(contentsOf: UnsafeRawBufferPointer(rebasing: cur.buf[p..<(p + len)]))
                p += len
                off += Int32(len)
                v.offsets.append(off)
            }
            cur.pos = p
        case .fixedLenByteArray:
            let w = Int(leaf.element.typeLength ?? 0)
            try cur.need(w * count)
            guard v.data.count + w * count <= Int(Int32.max) else { throw cur.error("column chunk over 2 GiB") }
            v.data.append(contentsOf: UnsafeRawBufferPointer(rebasing: cur.buf[cur.pos..<(cur.pos + w * count)]))
            var off = v.offsets.last ?? 0
            for _ in 0..<count {
                off += Int32(w)
                v.offsets.append(off)
            }
            cur.pos += w * count
        }
    }

    private func appendFixed<T>(_ cur: inout ByteCursor, count: Int, into a: inout [T]) throws {
        let size = MemoryLayout<T>.size
        try cur.need(size * count)
        let src = cur.buf.baseAddress.map { $0 + cur.pos }
        a.append(contentsOf: [T](unsafeUninitializedCapacity: count) { dst, n in
            if let s = src, let d = dst.baseAddress {
                UnsafeMutableRawPointer(d).copyMemory(from: s, byteCount: size * count)
            }
            n = count
        })
        cur.pos += size * count
    }

    /// Dictionary indices → values, after checking every index against the dictionary.
    private func gather(_ d: PhysicalValues, dictCount: Int, _ idx: [UInt32], into v: inout PhysicalValues, cur: ByteCursor) throws {
        var maxIndex: UInt32 = 0
        for i in idx where i > maxIndex { maxIndex = i }
        guard idx.isEmpty || Int(maxIndex) < dictCount else { throw cur.error("dictionary index \(maxIndex) out of range (\(dictCount) entries)") }
        try ParquetColumnChunkReader.gather(d, physical: leaf.physical, idx, into: &v, error: cur.error)
    }

    /// A gather index that stands for a NULL slot: the output gets a zero or an empty value.
    static let nullSlot = UInt32.max

    /// Appends `d`'s values at `idx` to `v`. Indices are in range (checked when decoded),
    /// or `nullSlot` for the physical types other than BOOLEAN, INT96 and FIXED_LEN_BYTE_ARRAY.
    static func gather(
        _ d: PhysicalValues, physical: ParquetPhysicalType, _ idx: [UInt32], into v: inout PhysicalValues,
        error: (String) -> EmberError
    ) throws {
        switch physical {
        case .boolean: for i in idx { v.bools.append(d.bools[Int(i)]) }
        case .int32: gatherFixed(d.i32, idx, zero: 0, into: &v.i32)
        case .int64, .int96: gatherFixed(d.i64, idx, zero: 0, into: &v.i64)
        case .float: gatherFixed(d.f32, idx, zero: 0, into: &v.f32)
        case .double: gatherFixed(d.f64, idx, zero: 0, into: &v.f64)
        case .byteArray, .fixedLenByteArray:
            var total = 0
            d.offsets.withUnsafeBufferPointer { o in
                for i in idx where i != nullSlot { total += Int(o[Int(i) + 1] - o[Int(i)]) }
            }
            guard v.data.count + total <= Int(Int32.max) else { throw error("column chunk over 2 GiB of strings") }
            let base = v.data.count
            let srcCount = d.data.count
            // Values of up to 32 bytes are copied as four words, past their end when the
            // source has room: one branch-free copy instead of a loop or a memmove call. The
            // destination has 32 bytes of slack; `db` points at its first byte, values go
            // from `base` on. Returns the end offset of each value.
            func copyValues(to db: UnsafeMutablePointer<UInt8>) -> [Int32] {
                d.offsets.withUnsafeBufferPointer { o in
                    d.data.withUnsafeBufferPointer { src in
                        var at = base
                        let sb = src.baseAddress
                        return [Int32](unsafeUninitializedCapacity: idx.count) { off, k in
                            for (j, i) in idx.enumerated() {
                                if i != nullSlot, let sb {
                                    let s = Int(o[Int(i)]), len = Int(o[Int(i) + 1]) - s
                                    if len <= 32 && s + 32 <= srcCount {
                                        let from = UnsafeRawPointer(sb + s), to = UnsafeMutableRawPointer(db + at)
                                        to.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
                                        to.storeBytes(of: from.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
                                        to.storeBytes(of: from.loadUnaligned(fromByteOffset: 16, as: UInt64.self), toByteOffset: 16, as: UInt64.self)
                                        to.storeBytes(of: from.loadUnaligned(fromByteOffset: 24, as: UInt64.self), toByteOffset: 24, as: UInt64.self)
                                    } else {
                                        (db + at).update(from: sb + s, count: len)
                                    }
                                    at += len
                                }
                                off[j] = Int32(at)
                            }
                            k = idx.count
                        }
                    }
                }
            }
            var newOffsets: [Int32] = []
            if base == 0 {
                // The first (often only) gather: an uninitialized buffer, nothing to zero.
                v.data = [UInt8](unsafeUninitializedCapacity: total + 32) { dst, c in
                    if let db = dst.baseAddress { newOffsets = copyValues(to: db) }
                    c = total
                }
            } else {
                // Later pages go in place after the bytes already there, so earlier pages are
                // never copied again.
                v.data.append(contentsOf: repeatElement(0, count: total + 32))
                v.data.withUnsafeMutableBufferPointer { dst in
                    if let db = dst.baseAddress { newOffsets = copyValues(to: db) }
                }
                v.data.removeLast(32)
            }
            v.offsets.append(contentsOf: newOffsets)
        }
    }

    private static func gatherFixed<T>(_ d: [T], _ idx: [UInt32], zero: T, into a: inout [T]) {
        let n = idx.count
        d.withUnsafeBufferPointer { src in
            idx.withUnsafeBufferPointer { ix in
                a.append(contentsOf: [T](unsafeUninitializedCapacity: n) { dst, c in
                    guard let db = dst.baseAddress else { c = 0; return }
                    for i in 0..<n { (db + i).initialize(to: ix[i] == nullSlot ? zero : src[Int(ix[i])]) }
                    c = n
                })
            }
        }
    }
}
