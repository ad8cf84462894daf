import EmberCore

/// LZ4 in pure Swift: the raw block format (Parquet's LZ4_RAW) and the frame format
/// (Arrow IPC's LZ4_FRAME, `.lz4` files of the `lz4` tool). Decoding checks every length
/// and offset against the buffers, so corrupt input throws.
public enum LZ4 {
    static let blockName = "LZ4"
    static let minMatch = 4
    static let lastLiterals = 5
    static let mfLimit = 12
    static let maxDistance = 65535
    /// The largest input one block may hold (LZ4_MAX_INPUT_SIZE).
    public static let maxBlockInput = 0x7E00_0000
    static let hashLog = 12

    /// The largest output `blockCompress` produces for `count` input bytes.
    public static func maxBlockCompressedLength(_ count: Int) -> Int { count + count / 255 + 16 }

    /// The most bytes `count` compressed bytes can decode to (each length-extension
    /// byte stands for at most 255 output bytes).
    static func maxBlockExpansion(_ count: Int) -> Int { count * 256 + 64 }

    // MARK: Block compression

    /// Compresses `src` as one raw LZ4 block, appending to `out`. `acceleration` above 1
    /// trades ratio for speed, as in the reference encoder.
    public static func blockCompress(_ src: UnsafeRawBufferPointer, into out: inout [UInt8], acceleration: Int = 1) throws {
        guard src.count <= maxBlockInput else {
            throw EmberError.invalidArgument("LZ4 cannot compress \(src.count) bytes in one block (at most \(maxBlockInput)).")
        }
        let table = UnsafeMutablePointer<UInt32>.allocate(capacity: 1 << hashLog)
        defer { table.deallocate() }
        appendBytes(&out, maxCount: maxBlockCompressedLength(src.count)) { dst in
            compressBlock(src, dst, table, acceleration: max(1, acceleration))
        }
    }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>) -> Int {
        // The reference encoder's 5-byte hash for 64-bit targets.
        Int(truncatingIfNeeded: ((load64(p) << 24) &* 889_523_592_379) >> UInt64(64 - hashLog))
    }

    @inline(__always)
    static func writeLength(_ op: inout UnsafeMutablePointer<UInt8>, _ length: Int) {
        var l = length
        while l >= 255 {
            op.pointee = 255
            op += 1
            l -= 255
        }
        op.pointee = UInt8(truncatingIfNeeded: l)
        op += 1
    }

    /// The reference encoder's fast greedy parse (LZ4_compress_generic) into `dst`, which
    /// has room for `maxBlockCompressedLength(src.count)` bytes; returns the bytes written.
    static func compressBlock(
        _ srcBuffer: UnsafeRawBufferPointer, _ dst: UnsafeMutablePointer<UInt8>, _ table: UnsafeMutablePointer<UInt32>,
        acceleration: Int
    ) -> Int {
        var op = dst
        let n = srcBuffer.count
        guard let src = srcBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self), n > 0 else {
            dst.pointee = 0  // an empty block is a single token with no literals
            return 1
        }
        let iend = src + n
        var anchor = src
        if n >= mfLimit + 1 {
            table.update(repeating: 0, count: 1 << hashLog)
            let mflimitPlusOne = iend - mfLimit + 1
            let matchLimit = iend - lastLiterals
            var ip = src
            table[hash(ip)] = 0
            ip += 1
            var forwardH = hash(ip)
            outer: while true {
                var match = src
                var forwardIp = ip
                var step = 1
                var searchMatchNb = acceleration << 6
                repeat {
                    let h = forwardH
                    ip = forwardIp
                    forwardIp += step
                    step = searchMatchNb >> 6
                    searchMatchNb += 1
                    if forwardIp > mflimitPlusOne { break outer }
                    match = src + Int(table[h])
                    forwardH = hash(forwardIp)
                    table[h] = UInt32(truncatingIfNeeded: ip - src)
                } while ip - match > maxDistance || load32(match) != load32(ip)

                // Extend the match backwards over equal bytes.
                while ip > anchor, match > src, ip[-1] == match[-1] {
                    ip -= 1
                    match -= 1
                }
                var token = op
                op += 1
                let literals = ip - anchor
                if literals >= 15 {
                    token.pointee = 15 << 4
                    writeLength(&op, literals - 15)
                } else {
                    token.pointee = UInt8(truncatingIfNeeded: literals << 4)
                }
                UnsafeMutableRawPointer(op).copyMemory(from: anchor, byteCount: literals)
                op += literals

                while true {
                    store16(op, UInt16(truncatingIfNeeded: ip - match))
                    op += 2
                    let extra = Snappy.matchLength(match + minMatch, ip + minMatch, matchLimit)
                    ip += extra + minMatch
                    if extra >= 15 {
                        token.pointee += 15
                        writeLength(&op, extra - 15)
                    } else {
                        token.pointee += UInt8(truncatingIfNeeded: extra)
                    }
                    anchor = ip
                    if ip >= mflimitPlusOne { break outer }
                    table[hash(ip - 2)] = UInt32(truncatingIfNeeded: ip - 2 - src)
                    let h = hash(ip)
                    match = src + Int(table[h])
                    table[h] = UInt32(truncatingIfNeeded: ip - src)
                    if ip - match <= maxDistance, load32(match) == load32(ip) {
                        token = op
                        op += 1
                        token.pointee = 0
                        continue
                    }
                    break
                }
                ip += 1
                forwardH = hash(ip)
            }
        }
        // The last literals.
        let rest = iend - anchor
        if rest >= 15 {
            op.pointee = 15 << 4
            op += 1
            writeLength(&op, rest - 15)
        } else {
            op.pointee = UInt8(truncatingIfNeeded: rest << 4)
            op += 1
        }
        UnsafeMutableRawPointer(op).copyMemory(from: anchor, byteCount: rest)
        op += rest
        return op - dst
    }

    // MARK: Block decompression

    /// Decompresses one raw LZ4 block into `dst`, which it must fill exactly.
    public static func blockDecompress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws {
        var out = OutputBuffer(fixed: dst, codec: blockName)
        let end = try decodeBlock(src, into: &out, start: 0, end: dst.count, historyStart: 0, codec: blockName, inputOffset: 0)
        guard end == dst.count else {
            throw EmberError.corruptData(blockName, at: src.count, "the block decodes to \(end) bytes, expected \(dst.count)")
        }
    }

    /// Decompresses one raw LZ4 block of unknown decoded size (at most `maxLength` bytes).
    public static func blockDecompress(_ src: UnsafeRawBufferPointer, maxLength: Int) throws -> [UInt8] {
        let cap = min(maxLength, maxBlockExpansion(src.count))
        var out = OutputBuffer(initialCapacity: cap, limit: cap, codec: blockName)
        defer { out.release() }
        out.reserve(cap)
        out.count = try decodeBlock(src, into: &out, start: 0, end: out.capacity, historyStart: 0, codec: blockName, inputOffset: 0)
        return out.take()
    }

    /// Decodes one block into `out.base[start..<end]`; matches may reach back to
    /// `historyStart` (earlier blocks of a linked frame). Returns where the output ends.
    static func decodeBlock(
        _ src: UnsafeRawBufferPointer, into out: inout OutputBuffer, start: Int, end: Int, historyStart: Int, codec: String,
        inputOffset: Int
    ) throws -> Int {
        guard let sBase = src.baseAddress?.assumingMemoryBound(to: UInt8.self), src.count > 0 else {
            throw EmberError.corruptData(codec, at: inputOffset, "an LZ4 block is empty")
        }
        let dBase = out.base
        var ip = sBase
        let ipEnd = sBase + src.count
        var op = dBase + start
        let opEnd = dBase + end
        let low = dBase + historyStart
        func fail(_ at: UnsafePointer<UInt8>, _ what: String) -> EmberError {
            EmberError.corruptData(codec, at: inputOffset + (at - sBase), what)
        }
        while true {
            let tokenAt = ip
            guard ip < ipEnd else { throw fail(ip, "the block ends without its last literals") }
            let token = ip.pointee
            ip += 1
            var literals = Int(token >> 4)
            if literals == 15 {
                var b: UInt8
                repeat {
                    guard ip < ipEnd else { throw fail(tokenAt, "a literal length is truncated") }
                    b = ip.pointee
                    ip += 1
                    literals += Int(b)
                } while b == 255
            }
            let inLeft = ipEnd - ip, outLeft = opEnd - op
            if literals <= 16, inLeft >= 18, outLeft >= 16 {
                // Common case: one 16-byte copy (a match offset always follows, so the
                // input has the bytes).
                copy16(op, ip)
            } else {
                guard literals <= inLeft else { throw fail(tokenAt, "\(literals) literals run past the end of the input") }
                guard literals <= outLeft else { throw out.tooLarge(at: inputOffset + (tokenAt - sBase)) }
                UnsafeMutableRawPointer(op).copyMemory(from: ip, byteCount: literals)
            }
            op += literals
            ip += literals
            if ip == ipEnd { break }  // the last sequence has literals only
            guard ipEnd - ip >= 2 else { throw fail(ip, "a match offset is truncated") }
            let offset = Int(load16(ip))
            ip += 2
            guard offset > 0, offset <= op - low else {
                throw fail(tokenAt, "a match refers to offset \(offset) at output position \(op - low)")
            }
            var length = Int(token & 15)
            if length == 15 {
                var b: UInt8
                repeat {
                    guard ip < ipEnd else { throw fail(tokenAt, "a match length is truncated") }
                    b = ip.pointee
                    ip += 1
                    length += Int(b)
                } while b == 255
            }
            length += minMatch
            guard length <= opEnd - op else { throw out.tooLarge(at: inputOffset + (tokenAt - sBase)) }
            copyMatch(op, offset, length, opEnd)
            op += length
        }
        return op - dBase
    }
}
