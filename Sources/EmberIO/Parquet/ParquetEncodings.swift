import EmberCore

/// A bounds-checked cursor over a page's bytes. Every read checks the remaining length,
/// so lying sizes in a corrupt file end in a thrown error naming the offset.
struct ByteCursor {
    let buf: UnsafeRawBufferPointer
    var pos: Int
    let end: Int
    /// Where `buf` starts in the file (for messages).
    let fileOffset: Int
    let what: String

    init(_ buf: UnsafeRawBufferPointer, from: Int = 0, to: Int? = nil, fileOffset: Int, what: String) {
        self.buf = buf
        pos = from
        end = to ?? buf.count
        self.fileOffset = fileOffset
        self.what = what
    }

    var remaining: Int { end - pos }

    func error(_ message: String) -> EmberError {
        EmberError.corruptFile("\(what): \(message) at byte \(fileOffset + pos)")
    }

    mutating func need(_ n: Int) throws {
        guard n >= 0, n <= end - pos else { throw error("needs \(n) bytes, \(end - pos) left") }
    }

    mutating func byte() throws -> UInt8 {
        try need(1)
        let b = buf[pos]
        pos += 1
        return b
    }

    mutating func uleb() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw error("varint too long") }
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func zigzag() throws -> Int64 {
        let v = try uleb()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func u32le() throws -> UInt32 {
        try need(4)
        let v = buf.loadUnaligned(fromByteOffset: pos, as: UInt32.self)
        pos += 4
        return UInt32(littleEndian: v)
    }

    /// Little-endian value of `width` bytes (RLE run values).
    mutating func le(_ width: Int) throws -> UInt64 {
        try need(width)
        var v: UInt64 = 0
        for i in 0..<width { v |= UInt64(buf[pos + i]) << UInt64(8 * i) }
        pos += width
        return v
    }
}

/// Unpacks `count` little-endian bit-packed values of `bitWidth` bits (LSB first) from
/// `src` starting at bit 0. The caller has checked that enough bytes exist.
@inline(__always)
func unpackBits(_ src: UnsafeRawPointer, bitWidth: Int, count: Int, into dst: UnsafeMutablePointer<UInt32>) {
    if bitWidth == 0 {
        dst.update(repeating: 0, count: count)
        return
    }
    let p = src.assumingMemoryBound(to: UInt8.self)
    let mask: UInt64 = bitWidth >= 32 ? 0xffff_ffff : (1 << UInt64(bitWidth)) - 1
    var bit = 0
    let bytes = (count * bitWidth + 7) >> 3
    for i in 0..<count {
        let byteIndex = bit >> 3
        let shift = UInt64(bit & 7)
        // Gather up to 8 bytes without reading past `bytes`.
        var word: UInt64 = 0
        let avail = min(8, bytes - byteIndex)
        if avail == 8 {
            word = UInt64(littleEndian: UnsafeRawPointer(p + byteIndex).loadUnaligned(as: UInt64.self))
        } else {
            for k in 0..<avail { word |= UInt64(p[byteIndex + k]) << UInt64(8 * k) }
        }
        dst[i] = UInt32(truncatingIfNeeded: (word >> shift) & mask)
        bit += bitWidth
    }
}

/// Same for 64-bit values (DELTA_BINARY_PACKED miniblocks up to 64 bits wide).
func unpackBits64(_ src: UnsafeRawPointer, bitWidth: Int, count: Int, into dst: UnsafeMutablePointer<UInt64>) {
    if bitWidth == 0 {
        dst.update(repeating: 0, count: count)
        return
    }
    let p = src.assumingMemoryBound(to: UInt8.self)
    let bytes = (count * bitWidth + 7) >> 3
    var bit = 0
    for i in 0..<count {
        var v: UInt64 = 0
        var got = 0
        var b = bit
        while got < bitWidth {
            let byteIndex = b >> 3
            let off = b & 7
            let take = min(8 - off, bitWidth - got)
            let byte = byteIndex < bytes ? UInt64(p[byteIndex]) : 0
            v |= ((byte >> UInt64(off)) & ((1 << UInt64(take)) - 1)) << UInt64(got)
            got += take
            b += take
        }
        dst[i] = v
        bit += bitWidth
    }
}

/// Decodes Parquet's RLE/bit-packed hybrid encoding (levels, dictionary indices, booleans).
struct RLEDecoder {
    var cur: ByteCursor
    let bitWidth: Int
    private var runRemaining = 0
    private var runValue: UInt32 = 0
    private var packedRemaining = 0
    private var packed: [UInt32] = []
    private var packedPos = 0

    init(_ cur: ByteCursor, bitWidth: Int) throws {
        guard bitWidth >= 0 && bitWidth <= 32 else { throw cur.error("bad bit width \(bitWidth)") }
        self.cur = cur
        self.bitWidth = bitWidth
    }

    /// Fills `dst[0..<count]`; throws if the data ends first.
    mutating func decode(into dst: UnsafeMutablePointer<UInt32>, count: Int) throws {
        var i = 0
        while i < count {
            if runRemaining > 0 {
                let n = min(runRemaining, count - i)
                (dst + i).update(repeating: runValue, count: n)
                runRemaining -= n
                i += n
                continue
            }
            if packedRemaining > 0 {
                let n = min(packedRemaining, count - i)
                packed.withUnsafeBufferPointer { p in
                    if let b = p.baseAddress { (dst + i).update(from: b + packedPos, count: n) }
                }
                packedPos += n
                packedRemaining -= n
                i += n
                continue
            }
            let header = try cur.uleb()
            if header & 1 == 0 {
                let n = header >> 1
                guard n > 0, n <= UInt64(Int32.max) else {
                    if n == 0 { continue }
                    throw cur.error("RLE run of \(n) values")
                }
                runValue = UInt32(truncatingIfNeeded: try cur.le((bitWidth + 7) / 8))
                runRemaining = Int(n)
            } else {
                let groups = header >> 1
                guard groups <= (bitWidth == 0 ? 1 << 20 : UInt64(cur.remaining)) else { throw cur.error("bit-packed run of \(groups) groups past the end") }
                let n = Int(groups) * 8
                let bytes = Int(groups) * bitWidth
                try cur.need(bytes)
                if packed.count < n { packed = [UInt32](repeating: 0, count: n) }
                let start = cur.pos
                packed.withUnsafeMutableBufferPointer { p in
                    if let d = p.baseAddress, let s = cur.buf.baseAddress {
                        unpackBits(s + start, bitWidth: bitWidth, count: n, into: d)
                    }
                }
                cur.pos += bytes
                packedPos = 0
                packedRemaining = n
            }
        }
    }

    /// Decodes `count` levels (values below 256) straight into bytes appended to `dst`:
    /// runs become fills, bit-packed groups are unpacked a group at a time.
    /// Returns how many of the levels equal `countEqual` and the largest level seen
    /// (runs count in one step, so flat columns need no second pass).
    @discardableResult
    mutating func decodeLevels(into dst: inout [UInt8], count: Int, countEqual: UInt8 = 0) throws -> (equal: Int, maximum: UInt8) {
        var equal = 0
        var maximum: UInt8 = 0
        let start = dst.count
        dst.append(contentsOf: repeatElement(0, count: count))
        try dst.withUnsafeMutableBufferPointer { d in
            guard let base = d.baseAddress else { return }
            var out = base + start
            var left = count
            var group = [UInt32](repeating: 0, count: 8)
            while left > 0 {
                if runRemaining > 0 {
                    let n = min(runRemaining, left)
                    let v = UInt8(truncatingIfNeeded: runValue)
                    if runValue > 255 { maximum = 255 }
                    out.update(repeating: v, count: n)
                    maximum = max(maximum, v)
                    if v == countEqual { equal += n }
                    out += n
                    left -= n
                    runRemaining -= n
                    continue
                }
                if packedRemaining > 0 {
                    let n = min(packedRemaining, left)
                    for k in 0..<n {
                        let x = packed[packedPos + k]
                        let v = UInt8(truncatingIfNeeded: x)
                        out[k] = v
                        maximum = max(maximum, x > 255 ? 255 : v)
                        equal &+= v == countEqual ? 1 : 0
                    }
                    out += n
                    left -= n
                    packedPos += n
                    packedRemaining -= n
                    continue
                }
                let header = try cur.uleb()
                if header & 1 == 0 {
                    let n = header >> 1
                    if n == 0 { continue }
                    guard n <= UInt64(Int32.max) else { throw cur.error("RLE run of \(n) values") }
                    runValue = UInt32(truncatingIfNeeded: try cur.le((bitWidth + 7) / 8))
                    runRemaining = Int(n)
                } else {
                    let groups = header >> 1
                    guard groups <= (bitWidth == 0 ? 1 << 20 : UInt64(cur.remaining)) else { throw cur.error("bit-packed run of \(groups) groups past the end") }
                    let bytes = Int(groups) * bitWidth
                    try cur.need(bytes)
                    guard let src = cur.buf.baseAddress else { throw cur.error("empty buffer") }
                    // Whole groups that fit go straight to the output; the rest through `packed`.
                    var g = 0
                    let direct = min(Int(groups), left / 8)
                    group.withUnsafeMutableBufferPointer { gp in
                        guard let gb = gp.baseAddress else { return }
                        while g < direct {
                            unpackBits(src + cur.pos + g * bitWidth, bitWidth: bitWidth, count: 8, into: gb)
                            for k in 0..<8 {
                                let x = gb[k]
                                let v = UInt8(truncatingIfNeeded: x)
                                out[k] = v
                                maximum = max(maximum, x > 255 ? 255 : v)
                                equal &+= v == countEqual ? 1 : 0
                            }
                            out += 8
                            g += 1
                        }
                    }
                    left -= direct * 8
                    let rest = Int(groups) - direct
                    if rest > 0 {
                        let n = rest * 8
                        if packed.count < n { packed = [UInt32](repeating: 0, count: n) }
                        let at = cur.pos + direct * bitWidth
                        packed.withUnsafeMutableBufferPointer { p in
                            if let pb = p.baseAddress { unpackBits(src + at, bitWidth: bitWidth, count: n, into: pb) }
                        }
                        packedPos = 0
                        packedRemaining = n
                    }
                    cur.pos += bytes
                }
            }
        }
        return (equal, maximum)
    }
}

/// Writes the RLE/bit-packed hybrid encoding: repeats of 8 or more become RLE runs, the
/// values between them bit-packed groups of 8 (only the last group is padded).
enum RLEEncoder {
    static func encode(_ v: UnsafeBufferPointer<UInt32>, bitWidth: Int, into out: inout [UInt8]) {
        let n = v.count
        var i = 0
        var literalStart = 0
        while i < n {
            var j = i + 1
            while j < n && v[j] == v[i] { j += 1 }
            if j - i >= 8 {
                // Top up the pending literal values to whole groups from the run's start.
                let pending = i - literalStart
                if pending > 0 {
                    i += (8 - pending % 8) % 8
                    writeLiteral(v, literalStart..<i, bitWidth: bitWidth, into: &out)
                }
                writeRun(v[i], count: j - i, bitWidth: bitWidth, into: &out)
                literalStart = j
            }
            i = j
        }
        if literalStart < n { writeLiteral(v, literalStart..<n, bitWidth: bitWidth, into: &out) }
    }

    static func encode(_ v: [UInt32], bitWidth: Int) -> [UInt8] {
        var out: [UInt8] = []
        v.withUnsafeBufferPointer { encode($0, bitWidth: bitWidth, into: &out) }
        return out
    }

    static func writeRun(_ value: UInt32, count: Int, bitWidth: Int, into out: inout [UInt8]) {
        appendULEB(UInt64(count) << 1, to: &out)
        for b in 0..<((bitWidth + 7) / 8) { out.append(UInt8(truncatingIfNeeded: value >> UInt32(8 * b))) }
    }

    /// Bit-packs `range` of `v` (padded with zeros to a multiple of 8 values).
    static func writeLiteral(_ v: UnsafeBufferPointer<UInt32>, _ range: Range<Int>, bitWidth: Int, into out: inout [UInt8]) {
        let groups = (range.count + 7) / 8
        appendULEB(UInt64(groups) << 1 | 1, to: &out)
        var acc: UInt64 = 0
        var bits = 0
        for k in 0..<(groups * 8) {
            let x = range.lowerBound + k < range.upperBound ? UInt64(v[range.lowerBound + k]) : 0
            acc |= x << UInt64(bits)
            bits += bitWidth
            while bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: acc))
                acc >>= 8
                bits -= 8
            }
        }
        if bits > 0 { out.append(UInt8(truncatingIfNeeded: acc)) }
    }
}

func appendULEB(_ v: UInt64, to out: inout [UInt8]) {
    var v = v
    while v >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
}

/// Bits needed for values up to `maxValue`.
func bitWidth(for maxValue: Int) -> Int {
    maxValue <= 0 ? 0 : (Int.bitWidth - maxValue.leadingZeroBitCount)
}

/// DELTA_BINARY_PACKED decoder (integers), returning 64-bit values with wrapping adds.
struct DeltaBinaryPackedDecoder {
    var cur: ByteCursor
    let blockSize: Int
    let miniblocks: Int
    let total: Int
    private var last: Int64
    private var produced = 0

    init(_ cur: ByteCursor) throws {
        self.cur = cur
        let bs = try self.cur.uleb()
        let mb = try self.cur.uleb()
        let tc = try self.cur.uleb()
        last = try self.cur.zigzag()
        guard bs > 0, bs % 128 == 0, bs <= 1 << 20, mb > 0, bs % mb == 0, (bs / mb) % 32 == 0 else {
            throw cur.error("bad DELTA_BINARY_PACKED header (block \(bs), miniblocks \(mb))")
        }
        guard tc <= UInt64(Int32.max) else { throw cur.error("DELTA_BINARY_PACKED count \(tc)") }
        blockSize = Int(bs)
        miniblocks = Int(mb)
        total = Int(tc)
    }

    /// Decodes all values (at most `limit`) into `out`.
    mutating func decodeAll(limit: Int, into out: inout [Int64]) throws {
        let n = min(total, limit)
        guard n > 0 else { return }
        out.reserveCapacity(out.count + n)
        out.append(last)
        produced = 1
        let perMini = blockSize / miniblocks
        var scratch = [UInt64](repeating: 0, count: perMini)
        while produced < n {
            let minDelta = try cur.zigzag()
            try cur.need(miniblocks)
            var widths = [Int](repeating: 0, count: miniblocks)
            for i in 0..<miniblocks {
                widths[i] = Int(cur.buf[cur.pos + i])
                guard widths[i] <= 64 else { throw cur.error("miniblock bit width \(widths[i])") }
            }
            cur.pos += miniblocks
            for m in 0..<miniblocks where produced < n {
                let w = widths[m]
                let bytes = perMini * w / 8
                // The last miniblocks of the last block may be absent.
                let avail = min(bytes, cur.remaining)
                let needValues = min(perMini, n - produced)
                guard avail * 8 >= needValues * w else { throw cur.error("truncated DELTA_BINARY_PACKED miniblock") }
                if let s = cur.buf.baseAddress {
                    let start = cur.pos
                    scratch.withUnsafeMutableBufferPointer { d in
                        if let dp = d.baseAddress { unpackBits64(s + start, bitWidth: w, count: needValues, into: dp) }
                    }
                }
                cur.pos += avail
                for k in 0..<needValues {
                    last = last &+ minDelta &+ Int64(bitPattern: scratch[k])
                    out.append(last)
                }
                produced += needValues
            }
        }
    }

    /// Where the encoded values end (for DELTA_LENGTH_BYTE_ARRAY, whose data follows).
    var position: Int { cur.pos }
}

/// DELTA_BINARY_PACKED encoder: blocks of 128 values, 4 miniblocks of 32.
struct DeltaBinaryPackedEncoder {
    static func encode(_ values: [Int64]) -> [UInt8] {
        var w = ThriftCompactWriter()
        w.varint(128)
        w.varint(4)
        w.varint(UInt64(values.count))
        w.zigzag(values.first ?? 0)
        var i = 1
        while i < values.count {
            let end = min(i + 128, values.count)
            var deltas = [Int64](repeating: 0, count: 128)
            var minDelta = Int64.max
            for k in i..<end {
                let d = values[k] &- values[k - 1]
                deltas[k - i] = d
                minDelta = min(minDelta, d)
            }
            w.zigzag(minDelta)
            var packed = [UInt64](repeating: 0, count: 128)
            for k in 0..<(end - i) { packed[k] = UInt64(bitPattern: deltas[k] &- minDelta) }
            var widths = [Int](repeating: 0, count: 4)
            for m in 0..<4 {
                var mx: UInt64 = 0
                for k in (m * 32)..<min(m * 32 + 32, end - i) { mx |= packed[k] }
                widths[m] = mx == 0 ? 0 : 64 - mx.leadingZeroBitCount
            }
            for m in 0..<4 { w.out.append(UInt8(widths[m])) }
            for m in 0..<4 where m * 32 < end - i {
                let wd = widths[m]
                var acc: UInt64 = 0
                var accBits = 0
                for k in 0..<32 {
                    var v = packed[m * 32 + k]
                    var left = wd
                    while left > 0 {
                        let take = min(64 - accBits, left)
                        let part = take == 64 ? v : v & ((1 << UInt64(take)) - 1)
                        acc |= part << UInt64(accBits)
                        accBits += take
                        left -= take
                        v = take == 64 ? 0 : v >> UInt64(take)
                        if accBits == 64 {
                            for b in 0..<8 { w.out.append(UInt8(truncatingIfNeeded: acc >> UInt64(8 * b))) }
                            acc = 0
                            accBits = 0
                        }
                    }
                }
                var b = 0
                while b < accBits { w.out.append(UInt8(truncatingIfNeeded: acc >> UInt64(b))); b += 8 }
            }
            i = end
        }
        return w.out
    }
}
