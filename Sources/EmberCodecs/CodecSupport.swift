import EmberCore

extension EmberError {
    /// Corrupt or truncated compressed input: `Corrupt SNAPPY data at byte 1234: <detail>`.
    /// The offset counts compressed bytes from the start of what the decoder was given;
    /// callers that know the file add its name.
    public static func corruptData(_ codec: String, at offset: Int, _ detail: String) -> EmberError {
        .io("Corrupt \(codec) data at byte \(offset): \(detail)")
    }
}

// MARK: - Unaligned little-endian loads and stores

@inline(__always)
func load16(_ p: UnsafePointer<UInt8>) -> UInt16 {
    UInt16(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt16.self))
}

@inline(__always)
func load32(_ p: UnsafePointer<UInt8>) -> UInt32 {
    UInt32(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt32.self))
}

@inline(__always)
func load64(_ p: UnsafePointer<UInt8>) -> UInt64 {
    UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
}

@inline(__always)
func store16(_ p: UnsafeMutablePointer<UInt8>, _ v: UInt16) {
    UnsafeMutableRawPointer(p).storeBytes(of: v.littleEndian, as: UInt16.self)
}

@inline(__always)
func store32(_ p: UnsafeMutablePointer<UInt8>, _ v: UInt32) {
    UnsafeMutableRawPointer(p).storeBytes(of: v.littleEndian, as: UInt32.self)
}

/// Copies 8 bytes (any alignment; the ranges may overlap only as `copyMatch` uses it).
@inline(__always)
func copy8(_ dst: UnsafeMutablePointer<UInt8>, _ src: UnsafePointer<UInt8>) {
    UnsafeMutableRawPointer(dst).storeBytes(of: UnsafeRawPointer(src).loadUnaligned(as: UInt64.self), as: UInt64.self)
}

@inline(__always)
func copy16(_ dst: UnsafeMutablePointer<UInt8>, _ src: UnsafePointer<UInt8>) {
    copy8(dst, src)
    copy8(dst + 8, src + 8)
}

@inline(__always)
func loadBE32(_ p: UnsafePointer<UInt8>) -> UInt32 {
    UInt32(bigEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt32.self))
}

@inline(__always)
func appendBE32(_ out: inout [UInt8], _ v: UInt32) {
    out.append(UInt8(truncatingIfNeeded: v >> 24))
    out.append(UInt8(truncatingIfNeeded: v >> 16))
    out.append(UInt8(truncatingIfNeeded: v >> 8))
    out.append(UInt8(truncatingIfNeeded: v))
}

@inline(__always)
func appendLE32(_ out: inout [UInt8], _ v: UInt32) {
    out.append(UInt8(truncatingIfNeeded: v))
    out.append(UInt8(truncatingIfNeeded: v >> 8))
    out.append(UInt8(truncatingIfNeeded: v >> 16))
    out.append(UInt8(truncatingIfNeeded: v >> 24))
}

/// Copies the `length`-byte match that starts `offset` bytes before `op` to `op` (the LZ77
/// back-reference of snappy and LZ4; `offset < length` repeats a pattern). The caller has
/// checked `0 < offset <= op - start of history` and `length <= opEnd - op`. With 16 bytes
/// of room past the match it copies 8 bytes at a time, writing up to 15 bytes beyond the
/// match (inside the buffer; later output overwrites them).
@inline(__always)
func copyMatch(_ op: UnsafeMutablePointer<UInt8>, _ offset: Int, _ length: Int, _ opEnd: UnsafeMutablePointer<UInt8>) {
    var src = op - offset
    if opEnd - op >= length + 16 {
        var d = op
        let end = op + length
        if offset < 8 {
            // Double the distance until the pattern repeats at least 8 bytes apart.
            while d - src < 8 {
                copy8(d, src)
                d += d - src
                if d >= end { return }
            }
        } else if offset >= 16 {
            repeat {
                copy16(d, src)
                src += 16
                d += 16
            } while d < end
            return
        }
        repeat {
            copy8(d, src)
            src += 8
            d += 8
        } while d < end
    } else {
        for i in 0..<length { op[i] = src[i] }
    }
}

/// Appends up to `maxCount` bytes that `body` writes at the address it is given; `body`
/// returns how many it wrote. On a throw `out` is left as it was.
func appendBytes(
    _ out: inout [UInt8], maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) throws -> Int
) rethrows {
    guard maxCount > 0 else { return }
    let old = out.count
    if old == 0 {
        out = try [UInt8](unsafeUninitializedCapacity: maxCount) { buf, n in
            guard let b = buf.baseAddress else { return }
            n = try body(b)
        }
        return
    }
    out.append(contentsOf: repeatElement(0, count: maxCount))
    do {
        let written = try out.withUnsafeMutableBufferPointer { buf -> Int in
            guard let b = buf.baseAddress else { return 0 }
            return try body(b + old)
        }
        out.removeLast(maxCount - written)
    } catch {
        out.removeLast(maxCount)
        throw error
    }
}

/// Output of a decoder whose size is not known in advance: a buffer grown on demand up to
/// `limit` bytes (or fixed: the caller's memory, never grown).
struct OutputBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var count = 0
    private(set) var owned: Bool
    let limit: Int
    let codec: String

    /// A buffer over the caller's memory; decoding past it is an error.
    init(fixed dst: UnsafeMutableRawBufferPointer, codec: String) {
        // A non-nil address even for an empty buffer (nothing is ever written there).
        base = dst.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? OutputBuffer.empty
        capacity = dst.count
        owned = false
        limit = dst.count
        self.codec = codec
    }

    /// A growable buffer of at most `limit` bytes.
    init(initialCapacity: Int, limit: Int, codec: String) {
        capacity = max(64, min(initialCapacity, limit))
        base = .allocate(capacity: capacity)
        owned = true
        self.limit = limit
        self.codec = codec
    }

    nonisolated(unsafe) private static let empty = UnsafeMutablePointer<UInt8>.allocate(capacity: 16)

    /// Makes room for `extra` more bytes where possible (up to the limit); returns the room.
    @discardableResult
    mutating func reserve(_ extra: Int) -> Int {
        if owned, capacity - count < extra, capacity < limit {
            let want = min(limit, max(capacity * 2, count + extra))
            let b = UnsafeMutablePointer<UInt8>.allocate(capacity: want)
            b.update(from: base, count: count)
            base.deallocate()
            base = b
            capacity = want
        }
        return capacity - count
    }

    /// The bytes so far as an array; frees the buffer.
    mutating func take() -> [UInt8] {
        let n = count
        let b = base
        let result = [UInt8](unsafeUninitializedCapacity: n) { buf, c in
            if let d = buf.baseAddress { d.update(from: b, count: n) }
            c = n
        }
        release()
        return result
    }

    mutating func release() {
        if owned { base.deallocate() }
        owned = false
        base = OutputBuffer.empty
        capacity = 0
        count = 0
    }

    func tooLarge(at offset: Int) -> EmberError {
        owned
            ? .corruptData(codec, at: offset, "the output would exceed \(limit) bytes")
            : .corruptData(codec, at: offset, "the output is larger than the expected \(limit) bytes")
    }
}
