import EmberCore

/// zlib (`libz.so.1`) reached through `dlopen`: GZIP pages and `.gz` / `.deflate` files.
final class Zlib: @unchecked Sendable {
    typealias InflateInit2 = @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, Int32) -> Int32
    typealias DeflateInit2 = @convention(c) (
        UnsafeMutableRawPointer?, Int32, Int32, Int32, Int32, Int32, UnsafePointer<CChar>?, Int32
    ) -> Int32
    typealias Step = @convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32
    typealias End = @convention(c) (UnsafeMutableRawPointer?) -> Int32
    typealias Version = @convention(c) () -> UnsafePointer<CChar>?

    static let okay: Int32 = 0, streamEnd: Int32 = 1, needDict: Int32 = 2, bufError: Int32 = -5
    static let noFlush: Int32 = 0, finish: Int32 = 4
    /// windowBits: 15 with +32 to accept a gzip or zlib header, +16 to write gzip.
    static let autoDetect: Int32 = 15 + 32, gzipFormat: Int32 = 15 + 16, zlibFormat: Int32 = 15

    let inflateInit2: InflateInit2
    let inflate: Step
    let inflateEnd: End
    let inflateReset: End
    let deflateInit2: DeflateInit2
    let deflate: Step
    let deflateEnd: End
    let version: UnsafePointer<CChar>?

    private init(_ lib: SystemLibrary) throws {
        inflateInit2 = try lib.function("inflateInit2_", as: InflateInit2.self)
        inflate = try lib.function("inflate", as: Step.self)
        inflateEnd = try lib.function("inflateEnd", as: End.self)
        inflateReset = try lib.function("inflateReset", as: End.self)
        deflateInit2 = try lib.function("deflateInit2_", as: DeflateInit2.self)
        deflate = try lib.function("deflate", as: Step.self)
        deflateEnd = try lib.function("deflateEnd", as: End.self)
        version = try lib.function("zlibVersion", as: Version.self)()
    }

    /// Loaded once, on first use (Swift initializes static lets exactly once, thread-safely).
    private static let shared: Result<Zlib, EmberError> = {
        SystemLibrary.open(["libz.so.1", "libz.so", "libz.1.dylib", "libz.dylib"], for: "GZIP").flatMap { lib in
            do { return .success(try Zlib(lib)) } catch let e as EmberError { return .failure(e) } catch {
                return .failure(.unsupported("GZIP: \(error)"))
            }
        }
    }()

    static func library() throws -> Zlib { try shared.get() }
}

/// A `z_stream` in memory laid out exactly as zlib's C struct on LP64 Linux and macOS
/// (x86_64 and aarch64): pointers and `uLong` 8 bytes, `uInt` 4 bytes, natural alignment.
///
///     0 next_in   8 avail_in   16 total_in   24 next_out   32 avail_out   40 total_out
///     48 msg   56 state   64 zalloc   72 zfree   80 opaque   88 data_type   96 adler
///     104 reserved   (112 bytes)
final class ZStream {
    static let size = 112
    let raw: UnsafeMutableRawPointer
    let lib: Zlib
    let inflating: Bool
    let name: String

    private init(_ lib: Zlib, inflating: Bool, name: String) {
        raw = .allocate(byteCount: ZStream.size, alignment: 8)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: ZStream.size)
        self.lib = lib
        self.inflating = inflating
        self.name = name
    }

    /// A stream for `inflate`; `windowBits` as zlib's inflateInit2.
    static func inflater(windowBits: Int32 = Zlib.autoDetect, name: String) throws -> ZStream {
        try checkLayout()
        let z = try Zlib.library()
        let s = ZStream(z, inflating: true, name: name)
        // On failure `deinit` frees the memory (inflateEnd ignores a stream never set up).
        let rc = z.inflateInit2(s.raw, windowBits, z.version, Int32(size))
        guard rc == Zlib.okay else { throw EmberError.io("\(name): zlib inflateInit2 failed (\(rc)).") }
        return s
    }

    /// A stream for `deflate` at `level` (0...9, nil: zlib's default 6).
    static func deflater(level: Int?, windowBits: Int32, name: String) throws -> ZStream {
        try checkLayout()
        let lvl = level ?? 6
        guard (0...9).contains(lvl) else { throw EmberError.invalidArgument("\(name) compression level must be 0...9, got \(lvl).") }
        let z = try Zlib.library()
        let s = ZStream(z, inflating: false, name: name)
        let rc = z.deflateInit2(s.raw, Int32(lvl), 8, windowBits, 8, 0, z.version, Int32(size))
        guard rc == Zlib.okay else { throw EmberError.io("\(name): zlib deflateInit2 failed (\(rc)).") }
        return s
    }

    private static func checkLayout() throws {
        guard MemoryLayout<Int>.size == 8 else { throw EmberError.unsupported("zlib codecs need a 64-bit platform.") }
    }

    deinit {
        _ = inflating ? lib.inflateEnd(raw) : lib.deflateEnd(raw)
        raw.deallocate()
    }

    var nextIn: UnsafeRawPointer? {
        get { raw.load(fromByteOffset: 0, as: UnsafeRawPointer?.self) }
        set { raw.storeBytes(of: newValue, toByteOffset: 0, as: UnsafeRawPointer?.self) }
    }
    var availIn: UInt32 {
        get { raw.load(fromByteOffset: 8, as: UInt32.self) }
        set { raw.storeBytes(of: newValue, toByteOffset: 8, as: UInt32.self) }
    }
    var nextOut: UnsafeMutableRawPointer? {
        get { raw.load(fromByteOffset: 24, as: UnsafeMutableRawPointer?.self) }
        set { raw.storeBytes(of: newValue, toByteOffset: 24, as: UnsafeMutableRawPointer?.self) }
    }
    var availOut: UInt32 {
        get { raw.load(fromByteOffset: 32, as: UInt32.self) }
        set { raw.storeBytes(of: newValue, toByteOffset: 32, as: UInt32.self) }
    }
    var message: String {
        guard let m = raw.load(fromByteOffset: 48, as: UnsafePointer<CChar>?.self) else { return "invalid data" }
        return String(cString: m)
    }

    /// One `inflate`/`deflate` call over `input` and `output` (each capped at 4 GiB - 1);
    /// returns zlib's code and the bytes consumed and produced.
    func step(_ input: UnsafeRawPointer?, _ inCount: Int, _ output: UnsafeMutableRawPointer, _ outCount: Int, flush: Int32)
        -> (rc: Int32, used: Int, produced: Int)
    {
        let i = min(inCount, Int(UInt32.max)), o = min(outCount, Int(UInt32.max))
        nextIn = input
        availIn = UInt32(i)
        nextOut = output
        availOut = UInt32(o)
        let rc = inflating ? lib.inflate(raw, flush) : lib.deflate(raw, flush)
        return (rc, i - Int(availIn), o - Int(availOut))
    }

    func reset() throws {
        guard lib.inflateReset(raw) == Zlib.okay else { throw EmberError.io("\(name): zlib inflateReset failed.") }
    }
}

/// Whole-buffer gzip (and zlib) compression and decompression.
public enum Gzip {
    static let name = "GZIP"
    nonisolated(unsafe) private static let scratch = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 8)

    /// Compresses `src` as one gzip member (`zlibFormat`: a zlib stream), appending to `out`.
    public static func compress(_ src: UnsafeRawBufferPointer, into out: inout [UInt8], level: Int? = nil, zlibFormat: Bool = false) throws {
        let c = try ZlibCompressor(level: level, zlibFormat: zlibFormat)
        try c.compress(src, into: &out)
        try c.finish(into: &out)
    }

    /// Decompresses gzip (one or more members) or zlib data into `dst`, which it must
    /// fill exactly.
    public static func decompress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws {
        let s = try ZStream.inflater(name: name)
        var inPos = 0, outPos = 0
        let inBase = src.baseAddress
        let outBase = dst.baseAddress ?? scratch
        while true {
            let r = s.step(inBase.map { $0 + inPos }, src.count - inPos, outBase + outPos, dst.count - outPos, flush: Zlib.noFlush)
            inPos += r.used
            outPos += r.produced
            switch r.rc {
            case Zlib.streamEnd:
                if inPos == src.count {
                    guard outPos == dst.count else {
                        throw EmberError.corruptData(name, at: inPos, "the data decodes to \(outPos) bytes, expected \(dst.count)")
                    }
                    return
                }
                try s.reset()  // another gzip member follows
            case Zlib.okay:
                if r.used == 0, r.produced == 0 {
                    throw EmberError.corruptData(name, at: inPos, "the decoder made no progress")
                }
            case Zlib.bufError:
                if outPos == dst.count {
                    throw EmberError.corruptData(name, at: inPos, "the data decodes to more than the expected \(dst.count) bytes")
                }
                throw EmberError.corruptData(name, at: inPos, "the input ends inside the compressed stream")
            case Zlib.needDict:
                throw EmberError.corruptData(name, at: inPos, "the stream needs a preset dictionary")
            default:
                throw EmberError.corruptData(name, at: inPos, s.message)
            }
        }
    }
}

/// Streaming gzip/zlib decoder for `.gz` and `.deflate` files: concatenated members are
/// read one after another (as `gzip -d` and Hadoop do).
final class ZlibStreamDecoder: StreamDecompressor {
    private let stream: ZStream
    private var buffer: [UInt8]
    private var memberEnded = false
    private var sawInput = false
    private var consumed = 0
    private let name: String

    init(name: String) throws {
        self.name = name
        stream = try ZStream.inflater(name: name)
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
                if memberEnded {
                    try stream.reset()
                    memberEnded = false
                }
                var outputFull = true
                while outputFull {
                    let r = stream.step(base + pos, chunk.count - pos, o, cap, flush: Zlib.noFlush)
                    pos += r.used
                    consumed += r.used
                    if r.produced > 0 { try sink(UnsafeRawBufferPointer(start: o, count: r.produced)) }
                    outputFull = r.produced == cap
                    switch r.rc {
                    case Zlib.streamEnd:
                        memberEnded = true
                        outputFull = false
                    case Zlib.okay:
                        if r.used == 0, r.produced == 0 {
                            throw EmberError.corruptData(name, at: consumed, "the decoder made no progress")
                        }
                    case Zlib.bufError:
                        // No progress possible: all input used and all output flushed.
                        guard pos == chunk.count else {
                            throw EmberError.corruptData(name, at: consumed, "the decoder made no progress")
                        }
                        outputFull = false
                    case Zlib.needDict:
                        throw EmberError.corruptData(name, at: consumed, "the stream needs a preset dictionary")
                    default:
                        throw EmberError.corruptData(name, at: consumed, stream.message)
                    }
                }
            }
        }
    }

    func finish(sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard memberEnded || !sawInput else {
            throw EmberError.corruptData(name, at: consumed, "the input ends inside the compressed stream")
        }
    }
}

/// Streaming gzip (or zlib) encoder for writers.
final class ZlibCompressor: StreamCompressor {
    private let stream: ZStream
    private var buffer = [UInt8](repeating: 0, count: 1 << 17)
    private let name: String
    private var finished = false

    init(level: Int?, zlibFormat: Bool) throws {
        name = zlibFormat ? "DEFLATE" : "GZIP"
        stream = try ZStream.deflater(level: level, windowBits: zlibFormat ? Zlib.zlibFormat : Zlib.gzipFormat, name: name)
    }

    func compress(_ chunk: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        try run(base, chunk.count, flush: Zlib.noFlush, into: &out)
    }

    func finish(into out: inout [UInt8]) throws {
        guard !finished else { return }
        finished = true
        var none: UInt8 = 0
        try run(&none, 0, flush: Zlib.finish, into: &out)
    }

    private func run(_ input: UnsafeRawPointer, _ count: Int, flush: Int32, into out: inout [UInt8]) throws {
        try pumpEncoder(input, count, buffer: &buffer, into: &out) { i, left, o, cap in
            let r = stream.step(i, left, o, cap, flush: flush)
            switch r.rc {
            case Zlib.streamEnd: return (r.used, r.produced, true)
            case Zlib.okay, Zlib.bufError:
                if r.used == 0, r.produced == 0, flush == Zlib.finish || r.used < left {
                    throw EmberError.io("\(name) compression made no progress.")
                }
                if flush == Zlib.finish { return (r.used, r.produced, false) }
                return (r.used, r.produced, r.used == left && r.produced < cap)
            default:
                throw EmberError.io("\(name) compression failed: \(stream.message)")
            }
        }
    }
}
