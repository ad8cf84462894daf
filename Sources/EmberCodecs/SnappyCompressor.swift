import EmberCore

extension Snappy {
    /// Input is compressed in independent 64 KiB fragments, as the reference encoder does
    /// (copy offsets then fit two bytes and the hash table holds 16-bit positions).
    static let fragmentSize = 1 << 16
    static let maxTableBits = 14

    /// Compresses `src` as raw snappy, appending to `out`. Inputs of 4 GiB or more do not
    /// fit the format's length header and throw.
    public static func compress(_ src: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
        guard UInt64(src.count) <= UInt64(UInt32.max) else {
            throw EmberError.invalidArgument("SNAPPY cannot compress \(src.count) bytes in one buffer (at most 2^32 - 1).")
        }
        appendBytes(&out, maxCount: maxCompressedLength(src.count)) { dst in compress(src, to: dst) }
    }

    /// Compresses `src` (under 4 GiB) to `dst`, which has room for
    /// `maxCompressedLength(src.count)` bytes; returns the bytes written.
    static func compress(_ src: UnsafeRawBufferPointer, to dst: UnsafeMutablePointer<UInt8>) -> Int {
        var op = dst
        var v = UInt64(src.count)
        while v >= 0x80 {
            op.pointee = UInt8(truncatingIfNeeded: v) | 0x80
            op += 1
            v >>= 7
        }
        op.pointee = UInt8(v)
        op += 1
        guard let base = src.baseAddress?.assumingMemoryBound(to: UInt8.self), src.count > 0 else { return op - dst }
        let table = UnsafeMutablePointer<UInt16>.allocate(capacity: 1 << maxTableBits)
        defer { table.deallocate() }
        var pos = 0
        while pos < src.count {
            let n = min(fragmentSize, src.count - pos)
            op = compressFragment(base + pos, n, op, table)
            pos += n
        }
        return op - dst
    }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ shift: UInt32) -> Int {
        Int((load32(p) &* 0x1E35_A7BD) >> shift)
    }

    /// One fragment (at most 64 KiB): the reference encoder's greedy parse with a 4-byte
    /// hash table and its skip heuristic (the step grows while no match is found, so
    /// incompressible data passes quickly).
    static func compressFragment(
        _ input: UnsafePointer<UInt8>, _ length: Int, _ out: UnsafeMutablePointer<UInt8>, _ table: UnsafeMutablePointer<UInt16>
    ) -> UnsafeMutablePointer<UInt8> {
        var op = out
        let ipEnd = input + length
        var nextEmit = input
        let inputMargin = 15
        if length >= inputMargin {
            var bits = 8
            while bits < maxTableBits, 1 << bits < length { bits += 1 }
            table.update(repeating: 0, count: 1 << bits)
            let shift = UInt32(32 - bits)
            let ipLimit = ipEnd - inputMargin
            var ip = input + 1
            var nextHash = hash(ip, shift)
            outer: while true {
                var skip: UInt32 = 32
                var nextIp = ip
                var candidate = input
                repeat {
                    ip = nextIp
                    let h = nextHash
                    let between = Int(skip >> 5)
                    skip += 1
                    nextIp = ip + between
                    if nextIp > ipLimit { break outer }
                    nextHash = hash(nextIp, shift)
                    candidate = input + Int(table[h])
                    table[h] = UInt16(truncatingIfNeeded: ip - input)
                } while load32(ip) != load32(candidate)

                op = emitLiteral(op, nextEmit, ip - nextEmit, ipEnd)
                repeat {
                    let start = ip
                    let matched = 4 + matchLength(candidate + 4, ip + 4, ipEnd)
                    ip += matched
                    op = emitCopy(op, start - candidate, matched)
                    nextEmit = ip
                    if ip >= ipLimit { break outer }
                    table[hash(ip - 1, shift)] = UInt16(truncatingIfNeeded: ip - 1 - input)
                    let h = hash(ip, shift)
                    candidate = input + Int(table[h])
                    table[h] = UInt16(truncatingIfNeeded: ip - input)
                } while load32(ip) == load32(candidate)
                ip += 1
                nextHash = hash(ip, shift)
            }
        }
        if nextEmit < ipEnd { op = emitLiteral(op, nextEmit, ipEnd - nextEmit, ipEnd) }
        return op
    }

    /// Bytes equal at `a` and `b`, comparing `b` up to `limit` (8 at a time).
    @inline(__always)
    static func matchLength(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ limit: UnsafePointer<UInt8>) -> Int {
        var n = 0
        while b + n + 8 <= limit {
            let x = load64(a + n) ^ load64(b + n)
            if x != 0 { return n + x.trailingZeroBitCount >> 3 }
            n += 8
        }
        while b + n < limit, a[n] == b[n] { n += 1 }
        return n
    }

    @inline(__always)
    static func emitLiteral(
        _ out: UnsafeMutablePointer<UInt8>, _ literal: UnsafePointer<UInt8>, _ length: Int, _ inputEnd: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        var op = out
        let n = length - 1
        if n < 60 {
            op.pointee = UInt8(truncatingIfNeeded: n << 2)
            op += 1
            // Short literals: one 16-byte copy when the input has the bytes to read (the
            // output always has room: the bound leaves 32 spare bytes).
            if length <= 16, inputEnd - literal >= 16 {
                copy16(op, literal)
                return op + length
            }
        } else {
            var count = 0
            var v = n
            while v > 0 { v >>= 8; count += 1 }
            op.pointee = UInt8(truncatingIfNeeded: (59 + count) << 2)
            op += 1
            for k in 0..<count { op[k] = UInt8(truncatingIfNeeded: n >> (8 * k)) }
            op += count
        }
        UnsafeMutableRawPointer(op).copyMemory(from: literal, byteCount: length)
        return op + length
    }

    @inline(__always)
    static func emitCopy(_ out: UnsafeMutablePointer<UInt8>, _ offset: Int, _ length: Int) -> UnsafeMutablePointer<UInt8> {
        var op = out
        var len = length
        while len >= 68 {
            op = emitCopyAtMost64(op, offset, 64)
            len -= 64
        }
        if len > 64 {
            op = emitCopyAtMost64(op, offset, 60)
            len -= 60
        }
        return emitCopyAtMost64(op, offset, len)
    }

    @inline(__always)
    static func emitCopyAtMost64(_ op: UnsafeMutablePointer<UInt8>, _ offset: Int, _ length: Int) -> UnsafeMutablePointer<UInt8> {
        if length < 12, offset < 2048 {
            op[0] = UInt8(truncatingIfNeeded: 1 + ((length - 4) << 2) + ((offset >> 8) << 5))
            op[1] = UInt8(truncatingIfNeeded: offset)
            return op + 2
        }
        op[0] = UInt8(truncatingIfNeeded: 2 + ((length - 1) << 2))
        store16(op + 1, UInt16(truncatingIfNeeded: offset))
        return op + 3
    }
}
