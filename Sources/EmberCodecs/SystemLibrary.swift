import EmberCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A shared C library opened at run time with `dlopen` (no headers or link-time dependency:
/// zlib and zstd are present on every Debian system, but their headers need not be).
struct SystemLibrary: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    let name: String

    /// Opens the first of `candidates` that loads; the error names the codec and library.
    static func open(_ candidates: [String], for codec: String) -> Result<SystemLibrary, EmberError> {
        var reasons: [String] = []
        for name in candidates {
            if let h = dlopen(name, RTLD_NOW | RTLD_LOCAL) { return .success(SystemLibrary(handle: h, name: name)) }
            if let e = dlerror() { reasons.append(String(cString: e)) }
        }
        let detail = reasons.isEmpty ? "" : " (\(reasons.joined(separator: "; ")))"
        return .failure(.unsupported("\(codec) needs \(candidates[0]), not found\(detail)."))
    }

    /// The function `symbol` as the C function type `T`.
    func function<T>(_ symbol: String, as type: T.Type) throws -> T {
        guard let p = dlsym(handle, symbol) else {
            throw EmberError.unsupported("\(name) has no function \(symbol) (too old a version?).")
        }
        return unsafeBitCast(p, to: type)
    }
}
