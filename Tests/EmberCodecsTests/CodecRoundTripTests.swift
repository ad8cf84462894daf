import EmberCodecs
import EmberCore
import XCTest

/// Compress → decompress round trips for every codec on empty, 1-byte, random,
/// repetitive, overlapping-pattern and multi-megabyte inputs.
final class CodecRoundTripTests: XCTestCase {
    func testEveryCodecRoundTrips() throws {
        for codec in Codec.allCases {
            for (name, data) in Samples.cases {
                let c = try compressed(codec, data)
                XCTAssertEqual(try decompressed(codec, c, size: data.count), data, "\(codec) \(name)")
                // Into caller memory too.
                var into = [UInt8](repeating: 0xEE, count: data.count)
                try c.withUnsafeBytes { src in try into.withUnsafeMutableBytes { try codec.decompress(src, into: $0) } }
                XCTAssertEqual(into, data, "\(codec) \(name) into")
            }
        }
    }

    func testCompressionShrinksRedundantData() throws {
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let text = Samples.text(1 << 20)
        for codec in Codec.allCases where codec != .uncompressed {
            XCTAssertLessThan(try compressed(codec, zeros).count, 60_000, "\(codec) zeros")
            XCTAssertLessThan(try compressed(codec, text).count, text.count * 6 / 10, "\(codec) text")
        }
        // Random bytes grow only by the formats' small overheads.
        let random = Samples.random(100_000)
        XCTAssertLessThanOrEqual(try compressed(.snappy, random).count, Snappy.maxCompressedLength(random.count))
        XCTAssertLessThanOrEqual(try compressed(.lz4Raw, random).count, LZ4.maxBlockCompressedLength(random.count))
        XCTAssertLessThan(try compressed(.lz4Frame, random).count, random.count + 40)
    }

    func testCompressAppendsToExistingOutput() throws {
        let data = Samples.text(10_000)
        for codec in Codec.allCases {
            var out: [UInt8] = [1, 2, 3]
            try data.withUnsafeBytes { try codec.compress($0, into: &out) }
            XCTAssertEqual(Array(out.prefix(3)), [1, 2, 3])
            XCTAssertEqual(try decompressed(codec, Array(out.dropFirst(3)), size: data.count), data, "\(codec)")
        }
    }

    func testLevels() throws {
        let data = Samples.text(200_000)
        for level in [1, 9] { XCTAssertEqual(try decompressed(.gzip, try compressed(.gzip, data, level: level), size: data.count), data) }
        for level in [1, 19] { XCTAssertEqual(try decompressed(.zstd, try compressed(.zstd, data, level: level), size: data.count), data) }
        XCTAssertLessThan(try compressed(.zstd, data, level: 19).count, try compressed(.zstd, data, level: 1).count)
        XCTAssertThrowsEmberError(try compressed(.gzip, data, level: 12), contains: "level must be 0...9")
        // LZ4 acceleration trades ratio for speed; the output still decodes.
        let fast = try compressed(.lz4Raw, data, level: 8)
        XCTAssertEqual(try decompressed(.lz4Raw, fast, size: data.count), data)
        XCTAssertGreaterThan(fast.count, try compressed(.lz4Raw, data).count)
    }

    func testSnappyHeaderAndUnknownSize() throws {
        let data = Samples.text(123_456)
        let c = try compressed(.snappy, data)
        try c.withUnsafeBytes { src in
            XCTAssertEqual(try Snappy.uncompressedLength(of: src), 123_456)
            XCTAssertEqual(try Snappy.decompress(src), data)
            XCTAssertThrowsEmberError(try Snappy.decompress(src, maxLength: 1000), contains: "more than the limit of 1000")
        }
        // 2^32 - 1 is the largest length the varint header may hold.
        let big: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x1F]
        try big.withUnsafeBytes { XCTAssertThrowsEmberError(try Snappy.uncompressedLength(of: $0), contains: "more than 2^32 - 1") }
    }

    func testLZ4FrameOptionsAndConcatenation() throws {
        let data = Samples.text(300_000)
        var framed: [UInt8] = []
        try data.withUnsafeBytes {
            try LZ4.frameCompress($0, into: &framed, blockSize: .max64KB, blockChecksum: true, contentChecksum: false)
        }
        let again = try compressed(.lz4Frame, Array(data.prefix(1000)))
        let both = framed + again
        try both.withUnsafeBytes { src in
            XCTAssertEqual(try LZ4.frameDecompress(src), data + data.prefix(1000))
            XCTAssertThrowsEmberError(try LZ4.frameDecompress(src, maxLength: 1000), contains: "would exceed 1000 bytes")
        }
        let block = try compressed(.lz4Raw, data)
        try block.withUnsafeBytes { src in
            XCTAssertEqual(try LZ4.blockDecompress(src, maxLength: 1 << 20), data)
            XCTAssertThrowsEmberError(try LZ4.blockDecompress(src, maxLength: 1000), contains: "would exceed 1000 bytes")
        }
        // XXH32 of the reference test vectors.
        XCTAssertEqual(XXHash32.hash(UnsafeRawBufferPointer(start: nil, count: 0)), 0x02CC_5D05)
        XCTAssertEqual(Array("abc".utf8).withUnsafeBytes { XXHash32.hash($0) }, 0x32D1_53FF)
        var h = XXHash32()
        let text = Array("Nobody inspects the spammish repetition".utf8)
        for piece in [text[0..<3], text[3..<20], text[20...]] { piece.withUnsafeBytes { h.update($0) } }
        XCTAssertEqual(h.digest(), text.withUnsafeBytes { XXHash32.hash($0) })
        XCTAssertEqual(h.digest(), 0xE229_3B2F)
    }

    func testHadoopBlockFraming() throws {
        let data = Samples.text(700_000)
        for inner in [HadoopBlock.Inner.snappy, .lz4] {
            var out: [UInt8] = []
            try data.withUnsafeBytes { try HadoopBlock.compress($0, inner: inner, into: &out) }
            // Blocks of Hadoop's size: a 4-byte length header, then one chunk.
            XCTAssertEqual(Int(out[0]) << 24 | Int(out[1]) << 16 | Int(out[2]) << 8 | Int(out[3]), inner.blockSize)
            XCTAssertEqual(try out.withUnsafeBytes { try HadoopBlock.decompress($0, inner: inner) }, data)
            // An empty stream is one zero-length block, as Hadoop writes it.
            var empty: [UInt8] = []
            try [UInt8]().withUnsafeBytes { try HadoopBlock.compress($0, inner: inner, into: &empty) }
            XCTAssertEqual(empty, [0, 0, 0, 0])
            XCTAssertEqual(try empty.withUnsafeBytes { try HadoopBlock.decompress($0, inner: inner) }, [])
        }
    }

    func testFileCodecStreamsRoundTrip() throws {
        for kind in FileCodec.Kind.allCases {
            for (name, data) in Samples.cases where data.count <= 1 << 20 {
                let c = try streamEncode(try FileCodec.compressor(kind), data)
                XCTAssertEqual(try streamDecode(try FileCodec.decompressor(kind), c), data, "\(kind) \(name)")
            }
            // Two whole streams back to back read as one (gzip members, zstd frames, blocks).
            let a = Samples.text(50_000), b = Samples.random(3000)
            let ab = try streamEncode(try FileCodec.compressor(kind), a) + streamEncode(try FileCodec.compressor(kind), b)
            XCTAssertEqual(try streamDecode(try FileCodec.decompressor(kind), ab, maxPiece: 999), a + b, "\(kind) concatenated")
        }
        // LZ4 frames (the lz4 tool's format) are read from `.lz4` files too.
        let data = Samples.text(200_000)
        let frame = try compressed(.lz4Frame, data)
        XCTAssertEqual(try streamDecode(try FileCodec.decompressor(.lz4), frame), data)
        // A plain-bytes piece never exceeds a few hundred KiB, however much one chunk expands.
        let zeros = [UInt8](repeating: 0, count: 20 << 20)
        for kind in FileCodec.Kind.allCases {
            let c = try streamEncode(try FileCodec.compressor(kind), zeros)
            let d = try FileCodec.decompressor(kind)
            var largest = 0, total = 0
            try c.withUnsafeBytes { src in
                try d.decompress(src) { piece in
                    largest = max(largest, piece.count)
                    total += piece.count
                }
            }
            try d.finish { total += $0.count }
            XCTAssertEqual(total, zeros.count, "\(kind)")
            XCTAssertLessThanOrEqual(largest, 4 << 20, "\(kind)")
        }
    }

    func testParquetAndArrowCodecNumbers() {
        XCTAssertEqual((0...8).map { Codec(parquet: Int32($0)) }, [.uncompressed, .snappy, .gzip, nil, nil, nil, .zstd, .lz4Raw, nil])
        for codec in Codec.allCases where codec != .lz4Frame {
            XCTAssertEqual(codec.parquetValue.flatMap { Codec(parquet: $0) }, codec)
        }
        XCTAssertNil(Codec.lz4Frame.parquetValue)
        XCTAssertEqual([Codec(arrowIPC: 0), Codec(arrowIPC: 1), Codec(arrowIPC: 2)], [.lz4Frame, .zstd, nil])
    }

    func testFileCodecNames() throws {
        XCTAssertEqual(FileCodec.forPath("/d/part-0.csv.gz"), .gzip)
        XCTAssertEqual(FileCodec.forPath("x.CSV.ZST"), .zstd)
        XCTAssertEqual(FileCodec.forPath("x.zstd"), .zstd)
        XCTAssertEqual(FileCodec.forPath("x.snappy"), .snappy)
        XCTAssertEqual(FileCodec.forPath("x.lz4"), .lz4)
        XCTAssertEqual(FileCodec.forPath("x.deflate"), .deflate)
        XCTAssertNil(FileCodec.forPath("x.csv"))
        XCTAssertEqual(FileCodec.forPath("x.json.BZ2"), .bzip2)
        XCTAssertNil(FileCodec.forPath("x.xz"))
        XCTAssertEqual(try FileCodec.Kind.forOption("GZIP"), .gzip)
        XCTAssertEqual(try FileCodec.Kind.forOption("org.apache.hadoop.io.compress.SnappyCodec"), .snappy)
        XCTAssertNil(try FileCodec.Kind.forOption("none"))
        XCTAssertNil(try FileCodec.Kind.forOption("uncompressed"))
        XCTAssertEqual(try FileCodec.Kind.forOption("bzip2"), .bzip2)
        XCTAssertEqual(try FileCodec.Kind.forOption("org.apache.hadoop.io.compress.BZip2Codec"), .bzip2)
        XCTAssertThrowsEmberError(try FileCodec.Kind.forOption("foo") as Any, contains: "The codec foo is not available.")
        XCTAssertEqual(FileCodec.Kind.allCases.map(\.fileExtension), [".gz", ".deflate", ".zst", ".snappy", ".lz4", ".bz2"])
    }
}
