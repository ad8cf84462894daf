import EmberCore

/// libbzip2 (`libbz2.so.1.0`) reached through `dlopen`: `.bz2` text files (Hadoop's
/// BZip2Codec). The function types are declared here from bzlib.h (no headers needed).
final class Bzip2Library: @unchecked Sendable {
    /// BZ2_bzDecompressInit(strm, verbosity, small)
    typealias DecompressInit = @convention(c) (UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    /// BZ2_bzCompressInit(strm, blockSize100k, verbosity, workFactor)
    typealias CompressInit = @convention(c) (UnsafeMutableRawPointer?, Int32, Int32, Int32) -> Int32
    /// BZ2_bzCompress(strm, action)
    typealias Compress = @convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32
    /// BZ2_bzDecompress(strm), BZ2_bzDecompressEnd(strm), BZ2_bzCompressEnd(strm)
    typealias Step = @convention(c) (UnsafeMutableRawPointer?) -> Int32

    static let okay: Int32 = 0, runOK: Int32 = 1, finishOK: Int32 = 3, streamEnd: Int32 = 4
    static let run: Int32 = 0, finish: Int32 = 2

    let decompressInit: DecompressInit
    let decompress: Step
    let decompressEnd: Step
    let compressInit: CompressInit
    let compress: Compress
    let compressEnd: Step

    private init(_ lib: SystemLibrary) throws {
        decompressInit = try lib.function("BZ2_bzDecompressInit", as: DecompressInit.self)
        decompress = try lib.function("BZ2_bzDecompress", as: Step.self)
        decompressEnd = try lib.function("BZ2_bzDecompressEnd", as: Step.self)
        compressInit = try lib.function("BZ2_bzCompressInit", as: CompressInit.self)
        compress = try lib.function("BZ2_bzCompress", as: Compress.self)
        compressEnd = try lib.function("BZ2_bzCompressEnd", as: Step.self)
    }

    /// Loaded once, on first use.
    private static let shared: Result<Bzip2Library, EmberError> = {
        SystemLibrary.open(["libbz2.so.1.0", "libbz2.so.1", "libbz2.so", "libbz2.1.0.dylib", "libbz2.dylib"], for: "BZIP2").flatMap { lib in
            do { return .success(try Bzip2Library(lib)) } catch let e as EmberError { return .failure(e) } catch {
                return .failure(.unsupported("BZIP2: \(error)"))
            }
        }
    }()

    static func library() throws -> Bzip2Library { try shared.get() }

    /// bzlib.h's name for an error code.
    static func describe(_ rc: Int32) -> String {
        switch rc {
        case -1: return "BZ_SEQUENCE_ERROR"
        case -2: return "BZ_PARAM_ERROR"
        case -3: return "BZ_MEM_ERROR (out of memory)"
        case -4: return "BZ_DATA_ERROR (a block or stream checksum does not match, or the data is malformed)"
        case -5: return "BZ_DATA_ERROR_MAGIC (not a bzip2 stream)"
        case -9: return "BZ_CONFIG_ERROR"
        default: return "error \(rc)"
        }
    }
}

/// A `bz_stream` laid out exactly as bzlib's C struct on LP64 platforms (pointers 8 bytes,
/// `unsigned int` 4 bytes, natural alignment); the allocator fields stay NULL (malloc).
///
///     0 next_in   8 avail_in   12 total_in_lo32   16 total_in_hi32   24 next_out
///     32 avail_out   36 total_out_lo32   40 total_out_hi32   48 state   56 bzalloc
///     64 bzfree   72 opaque   (80 bytes)
final class BzStream {
    static let size = 80
    let raw: UnsafeMutableRawPointer
    let lib: Bzip2Library
    let compressing: Bool
    /// True while the library holds state for this stream (between Init and End).
    private var live = false

    private init(_ lib: Bzip2Library, compressing: Bool) throws {
        guard MemoryLayout<Int>.size == 8 else { throw EmberError.unsupported("The bzip2 codec needs a 64-bit platform.") }
        raw = .allocate(byteCount: BzStream.size, alignment: 8)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: BzStream.size)
        self.lib = lib
        self.compressing = compressing
    }

    /// A stream for `BZ2_bzDecompress` (the fast, not the `small`, decoder).
    static func decompressor() throws -> BzStream {
        let s = try BzStream(try Bzip2Library.library(), compressing: false)
        try s.start()
        return s
    }

    /// A stream for `BZ2_bzCompress` with blocks of `blockSize` × 100 000 bytes (1...9).
    static func compressor(blockSize: Int32) throws -> BzStream {
        let lib = try Bzip2Library.library()
        let s = try BzStream(lib, compressing: true)
        let rc = lib.compressInit(s.raw, blockSize, 0, 0)
        guard rc == Bzip2Library.okay else { throw EmberError.io("BZIP2: BZ2_bzCompressInit failed: \(Bzip2Library.describe(rc)).") }
        s.live = true
        return s
    }

    /// (Re)starts decompression: a fresh stream after the previous one ended.
    func start() throws {
        end()
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: BzStream.size)
        let rc = lib.decompressInit(raw, 0, 0)
        guard rc == Bzip2Library.okay else { throw EmberError.io("BZIP2: BZ2_bzDecompressInit failed: \(Bzip2Library.describe(rc)).") }
        live = true
    }

    private func end() {
        guard live else { return }
        _ = compressing ? lib.compressEnd(raw) : lib.decompressEnd(raw)
        live = false
    }

    deinit {
        end()
        raw.deallocate()
    }

    /// One `BZ2_bzDecompress` call (`action` nil) or `BZ2_bzCompress(action)` call over
    /// `input` and `output` (each capped at 4 GiB - 1); returns bzlib's code and the bytes
    /// consumed and produced.
    func step(_ input: UnsafeRawPointer?, _ inCount: Int, _ output: UnsafeMutableRawPointer, _ outCount: Int, action: Int32?)
        -> (rc: Int32, used: Int, produced: Int)
    {
        let i = min(inCount, Int(UInt32.max)), o = min(outCount, Int(UInt32.max))
        raw.storeBytes(of: input, toByteOffset: 0, as: UnsafeRawPointer?.self)
        raw.storeBytes(of: UInt32(i), toByteOffset: 8, as: UInt32.self)
        raw.storeBytes(of: output, toByteOffset: 24, as: UnsafeMutableRawPointer?.self)
        raw.storeBytes(of: UInt32(o), toByteOffset: 32, as: UInt32.self)
        let rc = action.map { lib.compress(raw, $0) } ?? lib.decompress(raw)
        let leftIn = Int(raw.load(fromByteOffset: 8, as: UInt32.self))
        let leftOut = Int(raw.load(fromByteOffset: 32, as: UInt32.self))
        return (rc, i - leftIn, o - leftOut)
    }
}

/// Streaming bzip2 decoder for `.bz2` files: concatenated streams (pbzip2's output, or
/// `cat a.bz2 b.bz2`) are read one after another, as `bzip2 -d` and Hadoop do.
final class Bzip2StreamDecoder: StreamDecompressor {
    static let name = "BZIP2"
    private let stream: BzStream
    private var buffer: [UInt8]
    /// True when the current stream has ended (its trailer and checksum were read).
    private var streamEnded = false
    private var sawInput = false
    private var consumed = 0

    init() throws {
        stream = try BzStream.decompressor()
        buffer = [UInt8](repeating: 0, count: 1 << 18)
    }

    func decompress(_ chunk: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        sawInput = true
        var pos = 0
        let cap = buffer.count
        try buffer.withUnsafeMutableBytes { out in
            guard let o = out.baseAddress else { return }
            while pos < chunk.count {
                if streamEnded {
                    try stream.start()  // another stream follows
                    streamEnded = false
                }
                var outputFull = true
                while outputFull {
                    let r = stream.step(base + pos, chunk.count - pos, o, cap, action: nil)
                    pos += r.used
                    consumed += r.used
                    if r.produced > 0 { try sink(UnsafeRawBufferPointer(start: o, count: r.produced)) }
                    outputFull = r.produced == cap
                    switch r.rc {
                    case Bzip2Library.streamEnd:
                        streamEnded = true
                        outputFull = false
                    case Bzip2Library.okay:
                        if r.used == 0, r.produced == 0, pos < chunk.count {
                            throw EmberError.corruptData(Self.name, at: consumed, "the decoder made no progress")
                        }
                    default:
                        throw EmberError.corruptData(Self.name, at: consumed, Bzip2Library.describe(r.rc))
                    }
                }
            }
        }
    }

    func finish(sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard streamEnded || !sawInput else {
            throw EmberError.corruptData(Self.name, at: consumed, "the input ends inside the compressed stream")
        }
    }
}

/// Streaming bzip2 encoder for writers: one stream, 900 KB blocks by default (as the
/// `bzip2` tool and Hadoop's BZip2Codec).
final class Bzip2Compressor: StreamCompressor {
    private let stream: BzStream
    private var buffer = [UInt8](repeating: 0, count: 1 << 17)
    private var finished = false

    /// `level`: the block size in units of 100 000 bytes, 1...9 (nil: 9).
    init(level: Int?) throws {
        let size = level ?? 9
        guard (1...9).contains(size) else { throw EmberError.invalidArgument("BZIP2 compression level must be 1...9, got \(size).") }
        stream = try BzStream.compressor(blockSize: Int32(size))
    }

    func compress(_ chunk: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        try run(base, chunk.count, action: Bzip2Library.run, into: &out)
    }

    func finish(into out: inout [UInt8]) throws {
        guard !finished else { return }
        finished = true
        var none: UInt8 = 0
        try run(&none, 0, action: Bzip2Library.finish, into: &out)
    }

    private func run(_ input: UnsafeRawPointer, _ count: Int, action: Int32, into out: inout [UInt8]) throws {
        try pumpEncoder(input, count, buffer: &buffer, into: &out) { i, left, o, cap in
            let r = stream.step(i, left, o, cap, action: action)
            switch r.rc {
            case Bzip2Library.streamEnd:
                return (r.used, r.produced, true)
            case Bzip2Library.finishOK:
                if r.used == 0, r.produced == 0 { throw EmberError.io("BZIP2 compression made no progress.") }
                return (r.used, r.produced, false)
            case Bzip2Library.runOK:
                if r.used == left { return (r.used, r.produced, true) }
                if r.used == 0, r.produced == 0 { throw EmberError.io("BZIP2 compression made no progress.") }
                return (r.used, r.produced, false)
            default:
                throw EmberError.io("BZIP2 compression failed: \(Bzip2Library.describe(r.rc)).")
            }
        }
    }
}
