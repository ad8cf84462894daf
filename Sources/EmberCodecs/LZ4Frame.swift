import EmberCore

/// The fields of an LZ4 frame header (the frame format of lz4 1.x: magic, FLG, BD,
/// optional content size and dictionary id, header checksum).
struct LZ4FrameHeader {
    static let magic: UInt32 = 0x184D_2204
    static let skippableMask: UInt32 = 0xFFFF_FFF0
    static let skippableMagic: UInt32 = 0x184D_2A50

    var blockIndependent: Bool
    var blockChecksum: Bool
    var contentChecksum: Bool
    var contentSize: UInt64?
    var blockMaxSize: Int
    /// Bytes from the magic number to the header checksum, inclusive.
    var size: Int

    /// Parses the header at `p` (which starts with the frame magic); nil when fewer than
    /// the header's bytes are available. `offset` places errors in the whole input.
    static func parse(_ p: UnsafePointer<UInt8>, _ available: Int, offset: Int) throws -> LZ4FrameHeader? {
        guard available >= 7 else { return nil }
        let flg = p[4], bd = p[5]
        let name = LZ4.frameName
        guard flg >> 6 == 1 else { throw EmberError.corruptData(name, at: offset + 4, "unsupported frame version \(flg >> 6)") }
        guard flg & 0x02 == 0, bd & 0x8F == 0 else {
            throw EmberError.corruptData(name, at: offset + 4, "reserved header bits are set")
        }
        let sizeID = Int(bd >> 4) & 7
        guard sizeID >= 4 else { throw EmberError.corruptData(name, at: offset + 5, "invalid block size id \(sizeID)") }
        let hasSize = flg & 0x08 != 0, hasDict = flg & 0x01 != 0
        let size = 7 + (hasSize ? 8 : 0) + (hasDict ? 4 : 0)
        guard available >= size else { return nil }
        let check = UInt8(truncatingIfNeeded: XXHash32.hash(UnsafeRawBufferPointer(start: p + 4, count: size - 5)) >> 8)
        guard check == p[size - 1] else { throw EmberError.corruptData(name, at: offset + size - 1, "header checksum mismatch") }
        guard !hasDict else {
            throw EmberError.unsupported("LZ4 frames that need a dictionary are not supported (byte \(offset)).")
        }
        var contentSize: UInt64?
        if hasSize { contentSize = UInt64(load32(p + 6)) | UInt64(load32(p + 10)) << 32 }
        return LZ4FrameHeader(
            blockIndependent: flg & 0x20 != 0, blockChecksum: flg & 0x10 != 0, contentChecksum: flg & 0x04 != 0,
            contentSize: contentSize, blockMaxSize: 1 << (8 + 2 * sizeID), size: size)
    }
}

extension LZ4 {
    static let frameName = "LZ4 frame"

    /// The largest block of a frame the encoder writes (the header's BD field).
    public enum FrameBlockSize: Int, Sendable {
        case max64KB = 4, max256KB = 5, max1MB = 6, max4MB = 7
        public var bytes: Int { 1 << (8 + 2 * rawValue) }
    }

    // MARK: Frame compression

    /// Compresses `src` as one LZ4 frame (independent blocks, the content size in the
    /// header, optional block and content checksums), appending to `out`.
    public static func frameCompress(
        _ src: UnsafeRawBufferPointer, into out: inout [UInt8], blockSize: FrameBlockSize = .max4MB,
        blockChecksum: Bool = false, contentChecksum: Bool = true
    ) throws {
        appendLE32(&out, LZ4FrameHeader.magic)
        let descriptorStart = out.count
        out.append(0x40 | 0x20 | (blockChecksum ? 0x10 : 0) | 0x08 | (contentChecksum ? 0x04 : 0))
        out.append(UInt8(blockSize.rawValue << 4))
        let total = UInt64(src.count)
        appendLE32(&out, UInt32(truncatingIfNeeded: total))
        appendLE32(&out, UInt32(truncatingIfNeeded: total >> 32))
        let hc = out.withUnsafeBytes { b in
            XXHash32.hash(UnsafeRawBufferPointer(rebasing: b[descriptorStart..<b.count])) >> 8
        }
        out.append(UInt8(truncatingIfNeeded: hc))
        let table = UnsafeMutablePointer<UInt32>.allocate(capacity: 1 << hashLog)
        defer { table.deallocate() }
        var pos = 0
        while pos < src.count {
            let n = min(blockSize.bytes, src.count - pos)
            let block = UnsafeRawBufferPointer(rebasing: src[pos..<pos + n])
            let sizeAt = out.count
            appendLE32(&out, 0)
            appendBytes(&out, maxCount: maxBlockCompressedLength(n)) { dst in compressBlock(block, dst, table, acceleration: 1) }
            var word = UInt32(out.count - sizeAt - 4)
            if Int(word) >= n {
                // Incompressible: store the block as it is.
                out.removeLast(Int(word))
                out.append(contentsOf: block)
                word = UInt32(n) | 0x8000_0000
            }
            out.withUnsafeMutableBytes { b in b.storeBytes(of: word.littleEndian, toByteOffset: sizeAt, as: UInt32.self) }
            if blockChecksum {
                let sum = out.withUnsafeBytes { b in XXHash32.hash(UnsafeRawBufferPointer(rebasing: b[(sizeAt + 4)...])) }
                appendLE32(&out, sum)
            }
            pos += n
        }
        appendLE32(&out, 0)
        if contentChecksum { appendLE32(&out, XXHash32.hash(src)) }
    }

    // MARK: Frame decompression

    /// Decompresses one or more concatenated LZ4 frames (skippable frames are skipped)
    /// into `dst`, which they must fill exactly.
    public static func frameDecompress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws {
        var out = OutputBuffer(fixed: dst, codec: frameName)
        try decodeFrames(src, into: &out)
        guard out.count == dst.count else {
            throw EmberError.corruptData(frameName, at: src.count, "the frames decode to \(out.count) bytes, expected \(dst.count)")
        }
    }

    /// Decompresses one or more concatenated LZ4 frames of unknown total size (at most
    /// `maxLength` bytes).
    public static func frameDecompress(_ src: UnsafeRawBufferPointer, maxLength: Int = Int(Int32.max)) throws -> [UInt8] {
        let limit = min(maxLength, maxBlockExpansion(src.count))
        var out = OutputBuffer(initialCapacity: min(limit, max(src.count * 3, 1 << 16)), limit: limit, codec: frameName)
        defer { out.release() }
        try decodeFrames(src, into: &out)
        return out.take()
    }

    static func decodeFrames(_ src: UnsafeRawBufferPointer, into out: inout OutputBuffer) throws {
        guard let s = src.baseAddress?.assumingMemoryBound(to: UInt8.self), src.count > 0 else {
            throw EmberError.corruptData(frameName, at: 0, "the input is empty")
        }
        let n = src.count
        var pos = 0
        func truncated() -> EmberError { .corruptData(frameName, at: n, "the input ends inside a frame") }
        repeat {
            guard n - pos >= 4 else { throw truncated() }
            let magic = load32(s + pos)
            if magic & LZ4FrameHeader.skippableMask == LZ4FrameHeader.skippableMagic {
                guard n - pos >= 8 else { throw truncated() }
                let size = Int(load32(s + pos + 4))
                guard size <= n - pos - 8 else { throw truncated() }
                pos += 8 + size
                continue
            }
            guard magic == LZ4FrameHeader.magic else {
                throw EmberError.corruptData(frameName, at: pos, "not an LZ4 frame (magic number 0x\(String(magic, radix: 16)))")
            }
            guard let h = try LZ4FrameHeader.parse(s + pos, n - pos, offset: pos) else { throw truncated() }
            pos += h.size
            let frameStart = out.count
            if let cs = h.contentSize {
                guard cs <= UInt64(out.limit - frameStart) else { throw out.tooLarge(at: pos) }
                out.reserve(Int(cs))
            }
            while true {
                guard n - pos >= 4 else { throw truncated() }
                let word = load32(s + pos)
                pos += 4
                if word == 0 { break }
                let size = Int(word & 0x7FFF_FFFF)
                guard size <= h.blockMaxSize else {
                    throw EmberError.corruptData(frameName, at: pos - 4, "a block of \(size) bytes exceeds the frame's \(h.blockMaxSize)")
                }
                let need = size + (h.blockChecksum ? 4 : 0)
                guard n - pos >= need else { throw truncated() }
                let block = UnsafeRawBufferPointer(start: s + pos, count: size)
                if h.blockChecksum, XXHash32.hash(block) != load32(s + pos + size) {
                    throw EmberError.corruptData(frameName, at: pos, "block checksum mismatch")
                }
                out.reserve(h.blockMaxSize)
                let start = out.count
                if word & 0x8000_0000 != 0 {
                    guard out.capacity - start >= size else { throw out.tooLarge(at: pos) }
                    (out.base + start).update(from: s + pos, count: size)
                    out.count = start + size
                } else {
                    let end = min(out.capacity, start + h.blockMaxSize)
                    let history = h.blockIndependent ? start : frameStart
                    out.count = try decodeBlock(
                        block, into: &out, start: start, end: end, historyStart: history, codec: frameName, inputOffset: pos)
                }
                pos += need
            }
            if h.contentChecksum {
                guard n - pos >= 4 else { throw truncated() }
                let sum = XXHash32.hash(UnsafeRawBufferPointer(start: out.base + frameStart, count: out.count - frameStart))
                guard sum == load32(s + pos) else { throw EmberError.corruptData(frameName, at: pos, "content checksum mismatch") }
                pos += 4
            }
            if let cs = h.contentSize, UInt64(out.count - frameStart) != cs {
                throw EmberError.corruptData(frameName, at: pos, "the frame decodes to \(out.count - frameStart) bytes, its header says \(cs)")
            }
        } while pos < n
    }
}
