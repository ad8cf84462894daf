import EmberCore

/// Streaming decompression of a whole compressed file for line readers: feed compressed
/// chunks of any size, get plain bytes in order. Implementations hand out plain bytes in
/// pieces of bounded size (a few hundred KiB), so a small input that expands enormously
/// never has to be held at once.
public protocol StreamDecompressor: AnyObject {
    /// Consumes `chunk` and calls `sink` with each piece of plain bytes it completes (the
    /// piece is valid only during the call).
    func decompress(_ chunk: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws
    /// Declares the end of the input: throws if it stopped inside a frame, member or block.
    func finish(sink: (UnsafeRawBufferPointer) throws -> Void) throws
}

extension StreamDecompressor {
    /// Consumes `chunk`, appending the plain bytes it completes to `out`.
    public func decompress(_ chunk: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
        try decompress(chunk) { out.append(contentsOf: $0) }
    }

    /// Declares the end of the input, appending any remaining plain bytes to `out`.
    public func finish(into out: inout [UInt8]) throws {
        try finish { out.append(contentsOf: $0) }
    }
}

/// Streaming compression of a whole file for writers.
public protocol StreamCompressor: AnyObject {
    /// Compresses `chunk`, appending whatever compressed bytes are ready to `out`.
    func compress(_ chunk: UnsafeRawBufferPointer, into out: inout [UInt8]) throws
    /// Ends the stream, appending the remaining compressed bytes (and trailers) to `out`.
    func finish(into out: inout [UInt8]) throws
}

/// Drives a C library's streaming encoder over `count` input bytes: `step` gets the input
/// left and the scratch `buffer` to write into, and returns the bytes it consumed and
/// produced and whether this call's work is done; each call's output is appended to `out`.
func pumpEncoder(_ input: UnsafeRawPointer, _ count: Int, buffer: inout [UInt8], into out: inout [UInt8],
                 step: (_ input: UnsafeRawPointer, _ left: Int, _ output: UnsafeMutableRawPointer, _ capacity: Int) throws
                     -> (used: Int, produced: Int, done: Bool)) throws {
    var pos = 0
    let cap = buffer.count
    try buffer.withUnsafeMutableBytes { b in
        guard let o = b.baseAddress else { return }
        while true {
            let r = try step(input + pos, count - pos, o, cap)
            pos += r.used
            out.append(contentsOf: UnsafeRawBufferPointer(start: o, count: r.produced))
            if r.done { return }
        }
    }
}

/// Input bytes not yet parsed by a framing decoder (frames, blocks and chunks arrive split
/// across `decompress` calls). Bytes are appended at the end and consumed from the front.
struct PendingInput {
    private(set) var bytes: [UInt8] = []
    private(set) var start = 0
    /// Input bytes consumed before `bytes[start]`, for error offsets.
    private(set) var consumed = 0

    var available: Int { bytes.count - start }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        if start > 0, start >= bytes.count / 2 {
            bytes.removeFirst(start)
            start = 0
        }
        bytes.append(contentsOf: chunk)
    }

    mutating func advance(_ n: Int) {
        start += n
        consumed += n
        if start == bytes.count {
            bytes.removeAll(keepingCapacity: true)
            start = 0
        }
    }

    /// Calls `body` with the unconsumed bytes (a valid address even when there are none).
    func withBytes<R>(_ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { b in
            try body((b.baseAddress ?? UnsafePointer(PendingInput.none)) + start, b.count - start)
        }
    }

    nonisolated(unsafe) private static let none = UnsafeMutablePointer<UInt8>.allocate(capacity: 8)
}
