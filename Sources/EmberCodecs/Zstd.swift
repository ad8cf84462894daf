import EmberCore

/// zstd (`libzstd.so.1`) reached through `dlopen`; the function types are declared here
/// from zstd.h (no headers needed at build time). `size_t` is `Int` (same width).
final class ZstdLibrary: @unchecked Sendable {
    typealias Compress = @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?, Int, Int32) -> Int
    typealias Bound = @convention(c) (Int) -> Int
    typealias Decompress = @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?, Int) -> Int
    typealias ContentSize = @convention(c) (UnsafeRawPointer?, Int) -> UInt64
    typealias IsError = @convention(c) (Int) -> UInt32
    typealias ErrorName = @convention(c) (Int) -> UnsafePointer<CChar>?
    typealias Create = @convention(c) () -> OpaquePointer?
    typealias Free = @convention(c) (OpaquePointer?) -> Int
    typealias InitD = @convention(c) (OpaquePointer?) -> Int
    typealias InitC = @convention(c) (OpaquePointer?, Int32) -> Int
    /// ZSTD_decompressStream(zds, ZSTD_outBuffer*, ZSTD_inBuffer*)
    typealias DecompressStream = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int
    /// ZSTD_compressStream2(cctx, ZSTD_outBuffer*, ZSTD_inBuffer*, ZSTD_EndDirective)
    typealias CompressStream2 = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int32) -> Int

    static let contentSizeUnknown = UInt64.max, contentSizeError = UInt64.max - 1
    static let endContinue: Int32 = 0, endFrame: Int32 = 2

    let compress: Compress
    let compressBound: Bound
    let decompress: Decompress
    let frameContentSize: ContentSize
    let isError: IsError
    let errorName: ErrorName
    let createDStream: Create
    let freeDStream: Free
    let initDStream: InitD
    let decompressStream: DecompressStream
    let createCStream: Create
    let freeCStream: Free
    let initCStream: InitC
    let compressStream2: CompressStream2

    private init(_ lib: SystemLibrary) throws {
        compress = try lib.function("ZSTD_compress", as: Compress.self)
        compressBound = try lib.function("ZSTD_compressBound", as: Bound.self)
        decompress = try lib.function("ZSTD_decompress", as: Decompress.self)
        frameContentSize = try lib.function("ZSTD_getFrameContentSize", as: ContentSize.self)
        isError = try lib.function("ZSTD_isError", as: IsError.self)
        errorName = try lib.function("ZSTD_getErrorName", as: ErrorName.self)
        createDStream = try lib.function("ZSTD_createDStream", as: Create.self)
        freeDStream = try lib.function("ZSTD_freeDStream", as: Free.self)
        initDStream = try lib.function("ZSTD_initDStream", as: InitD.self)
        decompressStream = try lib.function("ZSTD_decompressStream", as: DecompressStream.self)
        createCStream = try lib.function("ZSTD_createCStream", as: Create.self)
        freeCStream = try lib.function("ZSTD_freeCStream", as: Free.self)
        initCStream = try lib.function("ZSTD_initCStream", as: InitC.self)
        compressStream2 = try lib.function("ZSTD_compressStream2", as: CompressStream2.self)
    }

    private static let shared: Result<ZstdLibrary, EmberError> = {
        SystemLibrary.open(["libzstd.so.1", "libzstd.so", "libzstd.1.dylib", "libzstd.dylib"], for: "ZSTD").flatMap { lib in
            do { return .success(try ZstdLibrary(lib)) } catch let e as EmberError { return .failure(e) } catch {
                return .failure(.unsupported("ZSTD: \(error)"))
            }
        }
    }()

    static func library() throws -> ZstdLibrary { try shared.get() }

    func failed(_ code: Int) -> Bool { isError(code) != 0 }

    func message(_ code: Int) -> String {
        errorName(code).map { String(cString: $0) } ?? "error \(code)"
    }
}

/// `ZSTD_inBuffer` / `ZSTD_outBuffer`: a pointer and two `size_t`s (24 bytes, C layout).
struct ZstdBuffer {
    var pointer: UnsafeMutableRawPointer?
    var size: Int
    var pos: Int
}

/// Whole-buffer zstd compression and decompression.
public enum Zstd {
    static let name = "ZSTD"
    public static let defaultLevel = 3
    nonisolated(unsafe) private static let scratch = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 8)

    /// Compresses `src` as one zstd frame (with its content size), appending to `out`.
    public static func compress(_ src: UnsafeRawBufferPointer, into out: inout [UInt8], level: Int? = nil) throws {
        let z = try ZstdLibrary.library()
        let lvl = Int32(clamping: level ?? defaultLevel)
        let bound = z.compressBound(src.count)
        guard !z.failed(bound) else { throw EmberError.invalidArgument("ZSTD cannot compress \(src.count) bytes in one frame.") }
        try appendBytes(&out, maxCount: bound) { dst in
            let n = z.compress(dst, bound, src.baseAddress, src.count, lvl)
            guard !z.failed(n) else { throw EmberError.io("ZSTD compression failed: \(z.message(n))") }
            return n
        }
    }

    /// Decompresses one or more zstd frames into `dst`, which they must fill exactly.
    public static func decompress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws {
        let z = try ZstdLibrary.library()
        guard src.count > 0 else { throw EmberError.corruptData(name, at: 0, "the input is empty") }
        let declared = z.frameContentSize(src.baseAddress, src.count)
        if declared < ZstdLibrary.contentSizeError, declared > UInt64(dst.count) {
            throw EmberError.corruptData(name, at: 0, "the frame declares \(declared) bytes, expected \(dst.count)")
        }
        let n = z.decompress(dst.baseAddress ?? scratch, dst.count, src.baseAddress, src.count)
        guard !z.failed(n) else { throw EmberError.corruptData(name, at: 0, z.message(n)) }
        guard n == dst.count else {
            throw EmberError.corruptData(name, at: src.count, "the data decodes to \(n) bytes, expected \(dst.count)")
        }
    }

    /// Decompresses one or more zstd frames of unknown total size (at most `maxLength` bytes).
    public static func decompress(_ src: UnsafeRawBufferPointer, maxLength: Int = Int(Int32.max)) throws -> [UInt8] {
        let d = try ZstdStreamDecoder()
        var out: [UInt8] = []
        let sink: (UnsafeRawBufferPointer) throws -> Void = { piece in
            guard out.count + piece.count <= maxLength else {
                throw EmberError.corruptData(name, at: 0, "the output would exceed \(maxLength) bytes")
            }
            out.append(contentsOf: piece)
        }
        try d.decompress(src, sink: sink)
        try d.finish(sink: sink)
        return out
    }
}

/// Streaming zstd decoder for `.zst` files (concatenated frames; windows up to zstd's
/// default limit of 128 MiB).
final class ZstdStreamDecoder: StreamDecompressor {
    private let z: ZstdLibrary
    private let stream: OpaquePointer
    private var buffer: [UInt8]
    /// True between frames (a frame has been completely decoded and flushed).
    private var atFrameEnd = true
    private var consumed = 0

    init() throws {
        z = try ZstdLibrary.library()
        guard let s = z.createDStream() else { throw EmberError.io("ZSTD: cannot create a decompression stream.") }
        stream = s
        buffer = [UInt8](repeating: 0, count: 1 << 18)
        // Fully initialized from here: on a throw `deinit` frees the stream.
        let rc = z.initDStream(s)
        guard !z.failed(rc) else { throw EmberError.io("ZSTD: \(z.message(rc))") }
    }

    deinit { _ = z.freeDStream(stream) }

    func decompress(_ chunk: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard chunk.count > 0 else { return }
        var input = ZstdBuffer(pointer: UnsafeMutableRawPointer(mutating: chunk.baseAddress), size: chunk.count, pos: 0)
        let cap = buffer.count
        try buffer.withUnsafeMutableBytes { b in
            var outputFull = true
            while input.pos < input.size || outputFull {
                var output = ZstdBuffer(pointer: b.baseAddress, size: cap, pos: 0)
                let before = input.pos
                let rc = withUnsafeMutablePointer(to: &output) { o in
                    withUnsafeMutablePointer(to: &input) { i in z.decompressStream(stream, o, i) }
                }
                consumed += input.pos - before
                guard !z.failed(rc) else { throw EmberError.corruptData(Zstd.name, at: consumed, z.message(rc)) }
                if output.pos > 0 {
                    atFrameEnd = false
                    try sink(UnsafeRawBufferPointer(rebasing: b[0..<output.pos]))
                }
                if input.pos > before { atFrameEnd = false }
                if rc == 0 { atFrameEnd = true }
                outputFull = output.pos == cap
                if input.pos == before, output.pos == 0, input.pos < input.size {
                    throw EmberError.corruptData(Zstd.name, at: consumed, "the decoder made no progress")
                }
            }
        }
    }

    func finish(sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard atFrameEnd else { throw EmberError.corruptData(Zstd.name, at: consumed, "the input ends inside a frame") }
    }
}

/// Streaming zstd encoder for writers (one frame).
final class ZstdCompressor: StreamCompressor {
    private let z: ZstdLibrary
    private let stream: OpaquePointer
    private var buffer = [UInt8](repeating: 0, count: 1 << 17)
    private var finished = false

    init(level: Int?) throws {
        z = try ZstdLibrary.library()
        guard let s = z.createCStream() else { throw EmberError.io("ZSTD: cannot create a compression stream.") }
        stream = s
        // Fully initialized from here: on a throw `deinit` frees the stream.
        let rc = z.initCStream(s, Int32(clamping: level ?? Zstd.defaultLevel))
        guard !z.failed(rc) else { throw EmberError.io("ZSTD: \(z.message(rc))") }
    }

    deinit { _ = z.freeCStream(stream) }

    func compress(_ chunk: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
        guard chunk.count > 0 else { return }
        try run(chunk, ZstdLibrary.endContinue, into: &out)
    }

    func finish(into out: inout [UInt8]) throws {
        guard !finished else { return }
        finished = true
        try run(UnsafeRawBufferPointer(start: nil, count: 0), ZstdLibrary.endFrame, into: &out)
    }

    private func run(_ chunk: UnsafeRawBufferPointer, _ directive: Int32, into out: inout [UInt8]) throws {
        var input = ZstdBuffer(pointer: UnsafeMutableRawPointer(mutating: chunk.baseAddress), size: chunk.count, pos: 0)
        let cap = buffer.count
        try buffer.withUnsafeMutableBytes { b in
            while true {
                var output = ZstdBuffer(pointer: b.baseAddress, size: cap, pos: 0)
                let rc = withUnsafeMutablePointer(to: &output) { o in
                    withUnsafeMutablePointer(to: &input) { i in z.compressStream2(stream, o, i, directive) }
                }
                guard !z.failed(rc) else { throw EmberError.io("ZSTD compression failed: \(z.message(rc))") }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[0..<output.pos]))
                if directive == ZstdLibrary.endFrame ? rc == 0 : input.pos == input.size { return }
            }
        }
    }
}
