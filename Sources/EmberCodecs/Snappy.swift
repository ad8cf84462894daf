import EmberCore

/// Raw snappy (the format of Parquet's SNAPPY pages and of the chunks inside Hadoop's
/// `.snappy` files): a varint of the uncompressed length, then literal and copy elements.
/// Pure Swift; decoding checks every length and offset, so corrupt input throws.
public enum Snappy {
    static let name = "SNAPPY"

    /// The most bytes one compressed byte can stand for (a 3-byte copy of 64 bytes):
    /// declared lengths beyond this ratio are rejected before anything is allocated.
    static let maxRatio = 22

    /// The largest output `compress` produces for `count` input bytes.
    public static func maxCompressedLength(_ count: Int) -> Int { 32 + count + count / 6 }

    /// The uncompressed length declared in the header of a raw snappy buffer.
    public static func uncompressedLength(of src: UnsafeRawBufferPointer) throws -> Int {
        try header(src).length
    }

    static func header(_ src: UnsafeRawBufferPointer) throws -> (length: Int, size: Int) {
        var value: UInt64 = 0
        for i in 0..<5 {
            guard i < src.count else { throw EmberError.corruptData(name, at: i, "the length header is truncated") }
            let b = src[i]
            value |= UInt64(b & 0x7F) << UInt64(7 * i)
            if b < 0x80 {
                guard value <= UInt64(UInt32.max) else {
                    throw EmberError.corruptData(name, at: 0, "the length header declares \(value) bytes, more than 2^32 - 1")
                }
                return (Int(value), i + 1)
            }
        }
        throw EmberError.corruptData(name, at: 5, "the length header is longer than 5 bytes")
    }

    /// Decompresses `src` into `dst`, which must be exactly the declared length.
    public static func decompress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws {
        let (length, start) = try header(src)
        guard length == dst.count else {
            throw EmberError.corruptData(name, at: 0, "the header declares \(length) uncompressed bytes, expected \(dst.count)")
        }
        try decodeBody(src, from: start, into: dst)
    }

    /// Decompresses `src` whose declared length is at most `maxLength` bytes.
    public static func decompress(_ src: UnsafeRawBufferPointer, maxLength: Int = Int(Int32.max)) throws -> [UInt8] {
        let (length, start) = try header(src)
        guard length <= maxLength else {
            throw EmberError.corruptData(name, at: 0, "the header declares \(length) uncompressed bytes, more than the limit of \(maxLength)")
        }
        guard length <= (src.count - start) * maxRatio else {
            throw EmberError.corruptData(
                name, at: 0, "the header declares \(length) uncompressed bytes, more than \(src.count) compressed bytes can hold")
        }
        return try [UInt8](unsafeUninitializedCapacity: length) { buf, n in
            try decodeBody(src, from: start, into: UnsafeMutableRawBufferPointer(buf))
            n = length
        }
    }

    /// Decodes the elements after the header; they must fill `dst` exactly.
    static func decodeBody(_ src: UnsafeRawBufferPointer, from start: Int, into dst: UnsafeMutableRawBufferPointer) throws {
        guard let sBase = src.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw EmberError.corruptData(name, at: 0, "the input is empty")
        }
        guard let dBase = dst.baseAddress?.assumingMemoryBound(to: UInt8.self), dst.count > 0 else {
            guard start == src.count else { throw EmberError.corruptData(name, at: start, "data follows an empty output") }
            return
        }
        var ip = sBase + start
        let ipEnd = sBase + src.count
        var op = dBase
        let opEnd = dBase + dst.count
        func fail(_ at: UnsafePointer<UInt8>, _ what: String) -> EmberError {
            EmberError.corruptData(name, at: at - sBase, what)
        }
        while ip < ipEnd {
            let tagAt = ip
            let tag = ip.pointee
            ip += 1
            if tag & 3 == 0 {
                var length = Int(tag >> 2) + 1
                if length > 60 {
                    let n = length - 60
                    guard ipEnd - ip >= n else { throw fail(tagAt, "a literal length is truncated") }
                    var v = 0
                    for k in 0..<n { v |= Int(ip[k]) << (8 * k) }
                    length = v + 1
                    ip += n
                }
                let inLeft = ipEnd - ip, outLeft = opEnd - op
                if length <= 16, inLeft >= 16, outLeft >= 16 {
                    copy16(op, ip)
                } else {
                    guard length <= inLeft else { throw fail(tagAt, "a literal of \(length) bytes runs past the end of the input") }
                    guard length <= outLeft else { throw fail(tagAt, "the output is longer than the declared \(dst.count) bytes") }
                    UnsafeMutableRawPointer(op).copyMemory(from: ip, byteCount: length)
                }
                op += length
                ip += length
                continue
            }
            let length: Int, offset: Int
            switch tag & 3 {
            case 1:
                guard ip < ipEnd else { throw fail(tagAt, "a copy is truncated") }
                length = Int((tag >> 2) & 7) + 4
                offset = Int(tag >> 5) << 8 | Int(ip.pointee)
                ip += 1
            case 2:
                guard ipEnd - ip >= 2 else { throw fail(tagAt, "a copy is truncated") }
                length = Int(tag >> 2) + 1
                offset = Int(load16(ip))
                ip += 2
            default:
                guard ipEnd - ip >= 4 else { throw fail(tagAt, "a copy is truncated") }
                length = Int(tag >> 2) + 1
                offset = Int(load32(ip))
                ip += 4
            }
            guard offset > 0, offset <= op - dBase else {
                throw fail(tagAt, "a copy refers to offset \(offset) at output position \(op - dBase)")
            }
            guard length <= opEnd - op else { throw fail(tagAt, "the output is longer than the declared \(dst.count) bytes") }
            copyMatch(op, offset, length, opEnd)
            op += length
        }
        guard op == opEnd else {
            throw fail(ipEnd, "the data ends after \(op - dBase) of the declared \(dst.count) bytes")
        }
    }
}
