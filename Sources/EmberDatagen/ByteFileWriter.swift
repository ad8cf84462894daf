import EmberCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file written through one fixed buffer with POSIX `write`: formatters reserve room,
/// write bytes at `cursor` and advance it; the buffer goes to the file when full.
final class ByteFileWriter {
    let path: String
    private var fd: Int32
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    /// Bytes of `base` in use.
    var count = 0
    /// Bytes written to the file so far (excluding the buffer).
    private(set) var flushed = 0

    init(path: String, capacity: Int = 1 << 20) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd < 0 { throw EmberError.io("Cannot create \(path): \(String(cString: strerror(errno)))") }
        self.capacity = max(capacity, 1 << 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        if fd >= 0 { _ = Foundation.close(fd) }
        base.deallocate()
    }

    /// Bytes written in all (flushed and buffered).
    var size: Int { flushed + count }

    /// Makes room for `n` more bytes (n ≤ capacity), flushing if needed.
    @inline(__always)
    func reserve(_ n: Int) throws {
        if count + n > capacity { try flush() }
    }

    /// The next free byte.
    @inline(__always)
    var cursor: UnsafeMutablePointer<UInt8> { base + count }

    /// Marks the bytes up to `p` as written.
    @inline(__always)
    func advance(to p: UnsafeMutablePointer<UInt8>) { count = p - base }

    func flush() throws {
        var done = 0
        while done < count {
            let n = write(fd, base + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw EmberError.io("Cannot write \(path): \(String(cString: strerror(errno)))")
            }
            done += n
        }
        flushed += count
        count = 0
    }

    func close() throws {
        try flush()
        if fd >= 0 {
            let rc = Foundation.close(fd)
            fd = -1
            if rc != 0 { throw EmberError.io("Cannot close \(path): \(String(cString: strerror(errno)))") }
        }
    }
}
