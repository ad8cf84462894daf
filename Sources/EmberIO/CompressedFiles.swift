import EmberCodecs
import EmberCore
import Foundation

/// Compressed input files (`.gz`, `.zst`/`.zstd`, `.snappy`, `.lz4`, `.deflate`, `.bz2`), read
/// as one stream each (not split, unlike Spark, which splits `.bz2` files): their plain bytes
/// arrive in pieces, so a reader never holds the whole compressed or plain file. Errors name
/// the file. Shared by the CSV reader and the line-oriented readers (JSON lines, text).
public enum CompressedFiles {
    /// Extensions of compressed files no `FileCodec` reads (xz, zip, brotli): readers refuse
    /// them rather than parse compressed bytes as text.
    static let unreadableExtensions = [".xz", ".zip", ".br"]

    /// Whether `path` names a compressed file (read whole, never cut into byte ranges).
    static func isCompressed(_ path: String) -> Bool {
        FileCodec.forPath(path) != nil || isUnreadable(path)
    }

    private static func isUnreadable(_ path: String) -> Bool {
        let lower = path.lowercased()
        return unreadableExtensions.contains { lower.hasSuffix($0) }
    }

    /// The codec `path`'s extension asks for (nil: a plain file), as every line reader picks
    /// it; a compressed kind that no codec reads is refused (`format`: CSV, JSON, text).
    public static func codec(for path: String, format: String) throws -> FileCodec.Kind? {
        if let kind = FileCodec.forPath(path) { return kind }
        guard isUnreadable(path) else { return nil }
        throw EmberError.unsupported(
            "Compressed \(format) input of this kind is not supported: \(path) (gzip, bzip2, zstd, snappy, lz4 and deflate are).")
    }

    /// Compressed bytes read per call.
    static let readSize = 1 << 20

    /// Decompresses `path` and calls `body` with each piece of plain bytes (at most a few
    /// hundred KiB, valid only during the call). `body` returns false to stop reading.
    public static func forEachPiece(
        path: String, kind: FileCodec.Kind, _ body: (UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        struct Stop: Error {}
        let file = try FileReader(path)
        defer { file.close() }
        let raw = ByteBuffer.take()
        defer { raw.recycle() }
        do {
            let decoder = try FileCodec.decompressor(kind)
            let sink: (UnsafeRawBufferPointer) throws -> Void = { piece in
                if try !body(piece) { throw Stop() }
            }
            var offset = 0
            while true {
                raw.count = 0
                let n = try raw.append(file, offset: offset, length: readSize)
                if n == 0 { break }
                offset += n
                try decoder.decompress(UnsafeRawBufferPointer(start: raw.base, count: n), sink: sink)
            }
            try decoder.finish(sink: sink)
        } catch is Stop {
            return
        } catch let e as EmberError {
            throw named(e, path)
        }
    }

    /// Decompresses `path` in chunks of whole lines: every chunk but the last ends just
    /// after a line terminator (one of the two `terminators` bytes; with `\n` and `\r`, a
    /// `\r\n` is never split). Chunks hold at least `chunkSize` bytes, except the last;
    /// `Int.max` gives the whole file as one chunk. `body` gets each chunk and its offset in
    /// the plain bytes, and returns false to stop reading.
    public static func forEachLineChunk(
        path: String, kind: FileCodec.Kind, terminators: (UInt8, UInt8) = (10, 13), chunkSize: Int = 8 << 20,
        _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Bool
    ) throws {
        let buf = ByteBuffer.take()
        defer { buf.recycle() }
        let (t1, t2) = terminators
        let holdCR = (t1 == 10 && t2 == 13) || (t1 == 13 && t2 == 10)
        var offset = 0
        var scanned = 0  // buf[..<scanned] is known to hold no terminator
        var stopped = false
        try forEachPiece(path: path, kind: kind) { piece in
            buf.append(piece)
            guard buf.count >= chunkSize else { return true }
            var i = buf.count - 1
            if holdCR, buf[i] == 13 { i -= 1 }  // a `\n` may follow in the next piece
            var cut = 0
            while i >= scanned {
                let c = buf[i]
                if c == t1 || c == t2 { cut = i + 1; break }
                i -= 1
            }
            guard cut > 0 else {
                scanned = max(0, buf.count - 1)
                return true
            }
            let more = try body(UnsafeBufferPointer(start: buf.base, count: cut), offset)
            offset += cut
            buf.removeFirst(cut)
            scanned = 0
            stopped = !more
            return more
        }
        if !stopped, buf.count > 0 {
            do { _ = try body(UnsafeBufferPointer(start: buf.base, count: buf.count), offset) } catch let e as EmberError {
                throw named(e, path)
            }
        }
    }

    /// The whole plain content of `path`; more than `limit` bytes is an error.
    public static func readAll(path: String, kind: FileCodec.Kind, limit: Int = Int(Int32.max)) throws -> [UInt8] {
        let buf = ByteBuffer.take()
        defer { buf.recycle() }
        try readAll(path: path, kind: kind, into: buf, limit: limit)
        return Array(UnsafeBufferPointer(start: buf.base, count: buf.count))
    }

    /// Appends the whole plain content of `path` to `buf`; more than `limit` bytes is an error.
    static func readAll(path: String, kind: FileCodec.Kind, into buf: ByteBuffer, limit: Int = Int(Int32.max)) throws {
        let start = buf.count
        try forEachPiece(path: path, kind: kind) { piece in
            guard buf.count - start + piece.count <= limit else {
                throw EmberError.io("The decompressed file is larger than \(limit) bytes")
            }
            buf.append(piece)
            return true
        }
    }

    /// `e` with the file named at the end of its message (unless it names it already).
    static func named(_ e: EmberError, _ path: String) -> EmberError {
        guard !e.message.contains(path) else { return e }
        var named = e
        named.message += " (file \(path))"
        return named
    }
}
