import EmberCore

/// Streaming decoder of the snappy framing format (`sNaPpY` stream identifier, chunks with
/// masked CRC-32C checksums), which python-snappy and snzip write; `.snappy` files in this
/// format are recognized by their first byte (0xFF, impossible in Hadoop's framing).
final class SnappyFramedDecoder: StreamDecompressor {
    static let name = "SNAPPY (framed)"
    private var input = PendingInput()
    private var sawIdentifier = false
    private var buffer = [UInt8](repeating: 0, count: 65536)

    func decompress(_ chunk: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        input.append(chunk)
        while let used = try input.withBytes({ p, n in try parse(p, n, sink) }) {
            input.advance(used)
        }
    }

    func finish(sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard input.available == 0 else {
            throw EmberError.corruptData(Self.name, at: input.consumed + input.available, "the input ends inside a chunk")
        }
    }

    private func parse(_ p: UnsafePointer<UInt8>, _ n: Int, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int? {
        guard n >= 4 else { return nil }
        let at = input.consumed
        let type = p[0]
        let length = Int(p[1]) | Int(p[2]) << 8 | Int(p[3]) << 16
        guard n >= 4 + length else { return nil }
        let body = p + 4
        switch type {
        case 0xFF:
            guard length == 6, Array(UnsafeBufferPointer(start: body, count: 6)) == Array("sNaPpY".utf8) else {
                throw EmberError.corruptData(Self.name, at: at, "invalid stream identifier")
            }
            sawIdentifier = true
        case 0x00, 0x01:
            guard sawIdentifier else { throw EmberError.corruptData(Self.name, at: at, "data before the stream identifier") }
            guard length >= 4 else { throw EmberError.corruptData(Self.name, at: at, "a chunk is too short") }
            let expected = load32(body)
            let data = UnsafeRawBufferPointer(start: body + 4, count: length - 4)
            func deliver(_ plain: UnsafeRawBufferPointer) throws {
                let crc = CRC32C.checksum(plain)
                guard ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8 == expected else {
                    throw EmberError.corruptData(Self.name, at: at, "chunk checksum mismatch")
                }
                try sink(plain)
            }
            if type == 0x00 {
                let size = try Snappy.uncompressedLength(of: data)
                guard size <= 65536 else {
                    throw EmberError.corruptData(Self.name, at: at, "a chunk decodes to \(size) bytes, more than 65536")
                }
                try buffer.withUnsafeMutableBytes { d in
                    let out = UnsafeMutableRawBufferPointer(rebasing: d[0..<size])
                    try Snappy.decompress(data, into: out)
                    try deliver(UnsafeRawBufferPointer(out))
                }
            } else {
                guard data.count <= 65536 else {
                    throw EmberError.corruptData(Self.name, at: at, "an uncompressed chunk holds more than 65536 bytes")
                }
                try deliver(data)
            }
        case 0x02...0x7F:
            throw EmberError.corruptData(Self.name, at: at, "unknown chunk type 0x\(String(type, radix: 16))")
        default:
            break  // skippable chunk or padding
        }
        return 4 + length
    }
}

/// CRC-32C (Castagnoli), slicing by 8.
enum CRC32C {
    static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[i] = c
        }
        for i in 0..<256 {
            for k in 1..<8 { t[k * 256 + i] = (t[(k - 1) * 256 + i] >> 8) ^ t[Int(t[(k - 1) * 256 + i] & 0xFF)] }
        }
        return t
    }()

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard var p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        var n = bytes.count
        var c: UInt32 = 0xFFFF_FFFF
        tables.withUnsafeBufferPointer { tb in
            guard let t = tb.baseAddress else { return }
            while n >= 8 {
                let w = load64(p) ^ UInt64(c)
                c = t[7 * 256 + Int(w & 0xFF)] ^ t[6 * 256 + Int((w >> 8) & 0xFF)] ^ t[5 * 256 + Int((w >> 16) & 0xFF)]
                    ^ t[4 * 256 + Int((w >> 24) & 0xFF)] ^ t[3 * 256 + Int((w >> 32) & 0xFF)]
                    ^ t[2 * 256 + Int((w >> 40) & 0xFF)] ^ t[256 + Int((w >> 48) & 0xFF)] ^ t[Int(w >> 56)]
                p += 8
                n -= 8
            }
            while n > 0 {
                c = (c >> 8) ^ t[Int((c ^ UInt32(p.pointee)) & 0xFF)]
                p += 1
                n -= 1
            }
        }
        return ~c
    }
}
