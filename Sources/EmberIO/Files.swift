import EmberCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Input file discovery shared by the file readers.
public enum FileListing {
    /// Expands each path — a file, a directory (recursively, skipping names that start
    /// with `_` or `.`, as Spark hides `_SUCCESS` and staging files) or a glob with
    /// `*`, `?`, `[...]` — into data files with their sizes, sorted by path within
    /// each argument. Throws `PATH_NOT_FOUND` for a path or glob that matches nothing.
    public static func list(_ paths: [String]) throws -> [(path: String, size: Int)] {
        var out: [(path: String, size: Int)] = []
        for raw in paths {
            let path = raw.hasPrefix("file://") ? String(raw.dropFirst(7)) : raw
            let matches: [String]
            if path.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) {
                matches = globPaths(path)
                if matches.isEmpty { throw EmberError.pathNotFound(raw) }
            } else {
                matches = [path]
            }
            for m in matches {
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: m, isDirectory: &isDir) else { throw EmberError.pathNotFound(raw) }
                if isDir.boolValue {
                    try collect(directory: m, into: &out)
                } else {
                    out.append((m, fileSize(m)))
                }
            }
        }
        return out
    }

    private static func collect(directory: String, into out: inout [(path: String, size: Int)]) throws {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted() } catch {
            throw EmberError.io("Cannot list directory \(directory): \(error.localizedDescription)")
        }
        for name in names where !name.hasPrefix("_") && !name.hasPrefix(".") {
            let p = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { continue }
            if isDir.boolValue { try collect(directory: p, into: &out) } else { out.append((p, fileSize(p))) }
        }
    }

    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    private static func globPaths(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        // Hidden and metadata files are skipped in globs too.
        return out.filter { p in
            let name = p.split(separator: "/").last.map(String.init) ?? p
            return !name.hasPrefix("_") && !name.hasPrefix(".")
        }.sorted()
    }
}

/// Reads byte ranges of a file with POSIX `pread` (no per-line Strings).
struct FileReader {
    let path: String
    let fd: Int32

    init(_ path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY)
        if fd < 0 { throw EmberError.io("Cannot open \(path): \(String(cString: strerror(errno)))") }
    }

    func close() { _ = Foundation.close(fd) }

    /// Appends up to `count` bytes at `offset` to `buffer`; returns how many were read.
    @discardableResult
    func read(into buffer: inout [UInt8], offset: Int, count: Int) throws -> Int {
        guard count > 0 else { return 0 }
        let old = buffer.count
        var failure: Int32 = 0
        // Read straight into uninitialized capacity (no zero fill, no per-byte work).
        let grown = [UInt8](unsafeUninitializedCapacity: old + count) { dst, initialized in
            guard let base = dst.baseAddress else { initialized = 0; return }
            buffer.withUnsafeBufferPointer { src in
                if let s = src.baseAddress, old > 0 { base.update(from: s, count: old) }
            }
            var total = 0
            while total < count {
                let n = pread(fd, base + old + total, count - total, off_t(offset + total))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if n == 0 { break }
                total += n
            }
            initialized = old + total
        }
        if failure != 0 { throw EmberError.io("Cannot read \(path): \(String(cString: strerror(failure)))") }
        buffer = grown
        return grown.count - old
    }

    /// The file's current size.
    func size() -> Int {
        var st = stat()
        return fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    }
}

/// A growable byte buffer for split contents. Buffers are pooled: a fresh 32 MB
/// allocation per split costs page faults and kernel zeroing comparable to parsing.
final class ByteBuffer: @unchecked Sendable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var count = 0

    private static let lock = NSLock()
    nonisolated(unsafe) private static var pool: [ByteBuffer] = []

    private init(capacity: Int) {
        self.capacity = max(capacity, 4096)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    static func take() -> ByteBuffer {
        lock.lock(); defer { lock.unlock() }
        return pool.popLast() ?? ByteBuffer(capacity: 1 << 16)
    }

    /// Returns the buffer to the pool (a few buffers of moderate size are kept).
    func recycle() {
        count = 0
        guard capacity <= 256 << 20 else { return }
        ByteBuffer.lock.lock(); defer { ByteBuffer.lock.unlock() }
        if ByteBuffer.pool.count < 8 { ByteBuffer.pool.append(self) }
    }

    func reserve(_ n: Int) {
        guard n > capacity else { return }
        let c = max(n, capacity * 2)
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        b.update(from: base, count: count)
        base.deallocate()
        base = b
        capacity = c
    }

    /// Appends up to `length` bytes of `file` at `offset`; returns how many were read.
    @discardableResult
    func append(_ file: FileReader, offset: Int, length: Int) throws -> Int {
        guard length > 0 else { return 0 }
        reserve(count + length)
        var total = 0
        while total < length {
            let n = pread(file.fd, base + count + total, length - total, off_t(offset + total))
            if n < 0 {
                if errno == EINTR { continue }
                throw EmberError.io("Cannot read \(file.path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            total += n
        }
        count += total
        return total
    }

    /// Appends raw bytes.
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let src = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(count + bytes.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: src, byteCount: bytes.count)
        count += bytes.count
    }

    /// Drops the first `n` bytes, moving the rest to the front.
    func removeFirst(_ n: Int) {
        let k = min(max(0, n), count)
        if k < count { UnsafeMutableRawPointer(base).copyMemory(from: base + k, byteCount: count - k) }
        count -= k
    }

    subscript(i: Int) -> UInt8 { base[i] }
}

/// Spark's `SaveMode`.
public enum SaveMode: String, Sendable {
    case errorIfExists, append, overwrite, ignore

    public init(spark: String) throws {
        switch spark.lowercased() {
        case "error", "errorifexists", "default": self = .errorIfExists
        case "append": self = .append
        case "overwrite": self = .overwrite
        case "ignore": self = .ignore
        default:
            throw EmberError.invalidArgument(
                "Unknown save mode: \(spark). Accepted save modes are 'overwrite', 'append', 'ignore', 'error', 'errorifexists', 'default'.")
        }
    }
}

/// Atomic directory writes in the manner of Spark's file commit protocol.
public enum FileCommit {
    /// Starts a write of `target`. Returns nil for `.ignore` when the target exists; throws
    /// `PATH_ALREADY_EXISTS` for `.errorIfExists`. Part files go to a hidden staging directory
    /// next to the target, so readers never see a partial result.
    public static func begin(target: String, mode: SaveMode) throws -> FileCommitJob? {
        let fm = FileManager.default
        let path = target.hasPrefix("file://") ? String(target.dropFirst(7)) : target
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        if fm.fileExists(atPath: trimmed) {
            switch mode {
            case .errorIfExists: throw EmberError.pathExists(target)
            case .ignore: return nil
            case .append, .overwrite: break
            }
        }
        let url = URL(fileURLWithPath: trimmed)
        let parent = url.deletingLastPathComponent().path
        recoverInterruptedOverwrite(trimmed)
        let id = UUID().uuidString.lowercased()
        let staging = (parent.hasSuffix("/") ? parent : parent + "/") + ".\(url.lastPathComponent)-staging-\(id)"
        do {
            try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
        } catch {
            throw EmberError.io("Cannot create staging directory \(staging): \(error.localizedDescription)")
        }
        return FileCommitJob(target: trimmed, staging: staging, mode: mode, jobID: id)
    }
}

extension FileCommit {
    /// An overwrite moves the old data aside, then the new data in. If the process died
    /// between the two renames, the target is missing and the old data is aside: put it back.
    static func recoverInterruptedOverwrite(_ target: String) {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: target) else { return }
        let url = URL(fileURLWithPath: target)
        let parent = url.deletingLastPathComponent().path
        let prefix = ".\(url.lastPathComponent)-old-"
        guard let names = try? fm.contentsOfDirectory(atPath: parent) else { return }
        if let aside = names.filter({ $0.hasPrefix(prefix) }).sorted().last {
            try? fm.moveItem(atPath: parent + "/" + aside, toPath: target)
        }
    }
}

/// One write job: each task writes into its own attempt directory (`taskAttempt`), which
/// becomes part of the job's staging directory only when the task succeeds; the job then
/// `commit()`s (one rename makes everything visible, with `_SUCCESS`) or `abort()`s.
public final class FileCommitJob: @unchecked Sendable {
    public let target: String
    public let staging: String
    public let mode: SaveMode
    public let jobID: String

    init(target: String, staging: String, mode: SaveMode, jobID: String) {
        self.target = target
        self.staging = staging
        self.mode = mode
        self.jobID = jobID
    }

    /// `part-00003-<job uuid>-c000.csv`, as Spark names task outputs.
    public func partPath(_ index: Int, ext: String) -> String {
        staging + "/" + partName(index, file: 0, ext: ext)
    }

    /// The name of a task's `file`-th output file.
    public func partName(_ index: Int, file: Int, ext: String) -> String {
        let n = String(index)
        let padded = n.count >= 5 ? n : String(repeating: "0", count: 5 - n.count) + n
        let f = String(file)
        let c = f.count >= 3 ? f : String(repeating: "0", count: 3 - f.count) + f
        return "part-\(padded)-\(jobID)-c\(c).\(ext)"
    }

    /// A fresh directory for one attempt of task `index`.
    public func taskAttempt(_ index: Int) throws -> String {
        let dir = staging + "/_temporary/attempt-\(index)-\(UUID().uuidString.lowercased())"
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw EmberError.io("Cannot create task directory \(dir): \(error.localizedDescription)")
        }
        return dir
    }

    /// Moves a successful attempt's files (and partition directories) into the staging area.
    public func commitTask(_ attemptDir: String) throws {
        let fm = FileManager.default
        do {
            guard let e = fm.enumerator(atPath: attemptDir) else { return }
            var files: [String] = []
            while let rel = e.nextObject() as? String {
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: attemptDir + "/" + rel, isDirectory: &isDir), !isDir.boolValue { files.append(rel) }
            }
            for rel in files {
                let dest = staging + "/" + rel
                let dir = URL(fileURLWithPath: dest).deletingLastPathComponent().path
                try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
                if fm.fileExists(atPath: dest) { try fm.removeItem(atPath: dest) }
                try fm.moveItem(atPath: attemptDir + "/" + rel, toPath: dest)
            }
            try? fm.removeItem(atPath: attemptDir)
        } catch {
            throw EmberError.io("Cannot commit task output \(attemptDir): \(error.localizedDescription)")
        }
    }

    /// Discards a failed attempt's files.
    public func abortTask(_ attemptDir: String) {
        try? FileManager.default.removeItem(atPath: attemptDir)
    }

    /// Moves the staged files into place. Overwrite renames the old target aside before
    /// renaming staging in, and deletes it only afterwards, so a failure at any step
    /// leaves either the old or the new data complete.
    public func commit() throws {
        let fm = FileManager.default
        do {
            try? fm.removeItem(atPath: staging + "/_temporary")
            _ = fm.createFile(atPath: staging + "/_SUCCESS", contents: Data())
            let exists = fm.fileExists(atPath: target)
            switch mode {
            case .append where exists:
                // Files (also inside partition directories) join the existing ones.
                if let e = fm.enumerator(atPath: staging) {
                    var files: [String] = []
                    while let rel = e.nextObject() as? String {
                        var isDir: ObjCBool = false
                        if rel != "_SUCCESS", fm.fileExists(atPath: staging + "/" + rel, isDirectory: &isDir), !isDir.boolValue { files.append(rel) }
                    }
                    for rel in files {
                        let dest = target + "/" + rel
                        try fm.createDirectory(atPath: URL(fileURLWithPath: dest).deletingLastPathComponent().path, withIntermediateDirectories: true)
                        try fm.moveItem(atPath: staging + "/" + rel, toPath: dest)
                    }
                }
                _ = fm.createFile(atPath: target + "/_SUCCESS", contents: Data())
                try? fm.removeItem(atPath: staging)
            case .overwrite where exists:
                let url = URL(fileURLWithPath: target)
                let aside = url.deletingLastPathComponent().path + "/.\(url.lastPathComponent)-old-\(jobID)"
                try fm.moveItem(atPath: target, toPath: aside)
                do {
                    try fm.moveItem(atPath: staging, toPath: target)
                } catch {
                    // Put the old data back so the target never goes missing.
                    try? fm.moveItem(atPath: aside, toPath: target)
                    throw error
                }
                try? fm.removeItem(atPath: aside)
            default:
                try fm.moveItem(atPath: staging, toPath: target)
            }
        } catch let e as EmberError {
            throw e
        } catch {
            abort()
            throw EmberError.io("Cannot commit write to \(target): \(error.localizedDescription)")
        }
    }

    /// Discards everything written so far; the target is untouched.
    public func abort() {
        try? FileManager.default.removeItem(atPath: staging)
    }
}
