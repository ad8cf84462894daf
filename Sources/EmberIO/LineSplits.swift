import EmberCodecs
import EmberCore
import Foundation

/// The bytes of one split of a line-oriented file (JSON Lines, text), with the range of
/// records the split owns. Buffer indices, not file offsets, throughout.
struct SplitBytes {
    let buffer: ByteBuffer
    /// File offset of `buffer[0]`.
    let fileOffset: Int
    /// Where the first record this split owns starts.
    let first: Int
    /// Records starting at or after this index belong to the next split.
    let ownedEnd: Int

    var base: UnsafePointer<UInt8> { UnsafePointer(buffer.base) }
    var count: Int { buffer.count }
}

/// Splitting and record framing shared by the JSON Lines and text readers: files are cut
/// into byte ranges, and a split owns the records that start inside its range (Hadoop's
/// line-split rule, the same cut the CSV reader makes). Without `lineSep`, `\n`, `\r` and
/// `\r\n` all end a record; with it, exactly that byte sequence does.
enum LineSplits {
    /// Lists the input files and cuts each into splits of at most `maxSplitBytes`; a file
    /// read whole (`wholeFile`, or compressed) is one split. Empty files yield no split.
    static func splits(paths: [String], wholeFile: Bool, maxSplitBytes: Int) throws -> [FileSplit] {
        let chunk = max(1, maxSplitBytes)
        var out: [FileSplit] = []
        for (path, size) in try FileListing.list(paths) where size > 0 {
            if wholeFile || CompressedFiles.isCompressed(path) {
                out.append(FileSplit(path: path, start: 0, length: size, fileSize: size))
                continue
            }
            var start = 0
            while start < size {
                let len = min(chunk, size - start)
                out.append(FileSplit(path: path, start: start, length: len, fileSize: size))
                start += len
            }
        }
        return out
    }

    /// The one function every split's bytes come through. A whole-file split is read to
    /// its end (this is where a decompressing reader plugs in: a compressed file is always
    /// one whole-file split). A byte-range split is read from just before its start (to
    /// see whether it starts on a record boundary) to the end of the record that contains
    /// its last byte.
    static func load(_ split: FileSplit, wholeFile: Bool, separator: [UInt8]?, format: String) throws -> SplitBytes {
        if let kind = try CompressedFiles.codec(for: split.path, format: format) {
            // A compressed file is one whole-file split: its plain bytes, decoded as a stream
            // straight into the split's buffer.
            let buf = ByteBuffer.take()
            do {
                try CompressedFiles.readAll(path: split.path, kind: kind, into: buf)
            } catch {
                buf.recycle()
                throw error
            }
            return SplitBytes(buffer: buf, fileOffset: 0, first: 0, ownedEnd: Int.max)
        }
        let file = try FileReader(split.path)
        defer { file.close() }
        let buf = ByteBuffer.take()
        do {
            if wholeFile {
                // One record (or value) per file: bounded like any record.
                guard file.size() <= JSONReader.maxRecordBytes else {
                    throw EmberError.io("\(split.path) has \(file.size()) bytes; Ember reads at most 1 GiB as one \(format) record.")
                }
                try buf.append(file, offset: 0, length: file.size())
                // The file may have grown since it was measured.
                while try buf.append(file, offset: buf.count, length: 1 << 20) > 0 {}
                return SplitBytes(buffer: buf, fileOffset: 0, first: 0, ownedEnd: Int.max)
            }
            let back = separator?.count ?? 1
            let base = max(0, split.start - back)
            let end = split.start + split.length
            try buf.append(file, offset: base, length: end - base)
            let ownedEnd = end - base
            try extend(buf, file: file, base: base, ownedEnd: ownedEnd, separator: separator)
            let first: Int
            if split.start == 0 {
                first = 0
            } else if let sep = separator {
                first = find(sep, buf.base, buf.count, from: 0).map { $0 + sep.count } ?? buf.count
            } else {
                first = afterFirstTerminator(buf.base, buf.count, from: 0)
            }
            return SplitBytes(buffer: buf, fileOffset: base, first: first, ownedEnd: ownedEnd)
        } catch {
            buf.recycle()
            throw error
        }
    }

    /// Reads past the split's end until the record holding its last byte is complete.
    private static func extend(_ buf: ByteBuffer, file: FileReader, base: Int, ownedEnd: Int, separator: [UInt8]?) throws {
        var chunk = 4096
        if let sep = separator {
            var scan = max(0, ownedEnd - sep.count)
            while find(sep, buf.base, buf.count, from: scan) == nil {
                scan = max(scan, buf.count - sep.count + 1)
                if try buf.append(file, offset: base + buf.count, length: chunk) == 0 { return }
                chunk = min(chunk * 2, 1 << 24)
            }
            return
        }
        var scan = max(0, ownedEnd - 1)
        while true {
            while scan < buf.count, buf[scan] != 10, buf[scan] != 13 { scan += 1 }
            if scan < buf.count {
                // One more byte, so that a `\r\n` is seen whole.
                if scan + 1 >= buf.count { try buf.append(file, offset: base + buf.count, length: 1) }
                return
            }
            if try buf.append(file, offset: base + buf.count, length: chunk) == 0 { return }
            chunk = min(chunk * 2, 1 << 24)
        }
    }

    /// Index of the first occurrence of `sep` at or after `from`.
    static func find(_ sep: [UInt8], _ b: UnsafeMutablePointer<UInt8>, _ n: Int, from: Int) -> Int? {
        guard let first = sep.first else { return nil }
        var i = from
        let last = n - sep.count
        while i <= last {
            if b[i] == first {
                var k = 1
                while k < sep.count, b[i + k] == sep[k] { k += 1 }
                if k == sep.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// Just past the first `\n`, `\r` or `\r\n` at or after `from` (or `n`).
    static func afterFirstTerminator(_ b: UnsafeMutablePointer<UInt8>, _ n: Int, from: Int) -> Int {
        let e = lineEnd(UnsafePointer(b), n, from)
        return nextStart(UnsafePointer(b), n, e)
    }

    /// The first `\n` or `\r` at or after `from` (or `n`), eight bytes at a time.
    @inline(__always)
    static func lineEnd(_ b: UnsafePointer<UInt8>, _ n: Int, _ from: Int) -> Int {
        var i = from
        while i + 8 <= n {
            let w = UInt64(littleEndian: UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self))
            let m = zeroBytes(w ^ 0x0A0A_0A0A_0A0A_0A0A) | zeroBytes(w ^ 0x0D0D_0D0D_0D0D_0D0D)
            if m != 0 { return i + (m.trailingZeroBitCount >> 3) }
            i += 8
        }
        while i < n, b[i] != 10, b[i] != 13 { i += 1 }
        return i
    }

    /// Where the record after a terminator at `e` starts.
    @inline(__always)
    static func nextStart(_ b: UnsafePointer<UInt8>, _ n: Int, _ e: Int) -> Int {
        if e >= n { return n }
        if b[e] == 13, e + 1 < n, b[e + 1] == 10 { return e + 2 }
        return e + 1
    }

    /// Exact for the lowest flagged byte (higher ones may be false positives).
    @inline(__always)
    static func zeroBytes(_ x: UInt64) -> UInt64 {
        (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    /// Calls `body(start, end)` for each record the split owns, in order (`end` excludes
    /// the terminator). At the start of a file a UTF-8 byte order mark is skipped.
    static func forEachRecord(
        _ s: SplitBytes, separator: [UInt8]?, _ body: (Int, Int) throws -> Void
    ) rethrows {
        let b = s.base
        let n = s.count
        var pos = s.first
        // The first record of a file is owned by the first split even when a byte order
        // mark moves its text past the split's end.
        var bom = s.fileOffset == 0 && pos == 0 && n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF
        if let sep = separator {
            while pos < n, pos < s.ownedEnd {
                if bom { pos = 3; bom = false }
                let e = find(sep, s.buffer.base, n, from: pos) ?? n
                try body(pos, e)
                pos = e >= n ? n : e + sep.count
            }
            return
        }
        while pos < n, pos < s.ownedEnd {
            if bom { pos = 3; bom = false }
            let e = lineEnd(b, n, pos)
            try body(pos, e)
            pos = nextStart(b, n, e)
        }
    }

    /// 1-based line number of byte `offset` of a file (for error messages only).
    static func lineNumber(path: String, offset: Int) -> Int { CSVReader.lineNumber(path: path, offset: offset) }
}
