import EmberCodecs
import EmberCore
import Foundation

/// A text part file being written (CSV, JSON lines, text), through a stream compressor when
/// the writer's `compression` option names one. Writers fill a buffer and hand it over.
struct TextFileSink {
    let handle: FileHandle
    let path: String
    let compressor: StreamCompressor?
    private var compressed: [UInt8] = []

    /// Creates (or truncates) `path` and opens it for writing.
    init(creating path: String, compression: FileCodec.Kind?) throws {
        let compressor = try compression.map { try FileCodec.compressor($0) }
        guard FileManager.default.createFile(atPath: path, contents: nil), let out = FileHandle(forWritingAtPath: path) else {
            throw EmberError.io("Cannot create \(path).")
        }
        handle = out
        self.path = path
        self.compressor = compressor
    }

    /// Writes (and empties) `buf`.
    mutating func write(_ buf: inout [UInt8]) throws {
        guard !buf.isEmpty else { return }
        if let c = compressor {
            try buf.withUnsafeBytes { try c.compress($0, into: &compressed) }
            try TextFileSink.put(&compressed, handle, path)
        } else {
            try TextFileSink.put(&buf, handle, path)
        }
        buf.removeAll(keepingCapacity: true)
    }

    /// Ends the compressed stream (its trailer); nothing for plain text.
    mutating func finish() throws {
        guard let c = compressor else { return }
        try c.finish(into: &compressed)
        try TextFileSink.put(&compressed, handle, path)
    }

    func close() { try? handle.close() }

    private static func put(_ bytes: inout [UInt8], _ handle: FileHandle, _ path: String) throws {
        guard !bytes.isEmpty else { return }
        do { try handle.write(contentsOf: bytes) } catch {
            throw EmberError.io("Cannot write \(path): \(error.localizedDescription)")
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
