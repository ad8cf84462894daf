import EmberCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The optional OpenBLAS backend for gemm and gemv. Built with the package trait `OpenBLAS`
/// (`swift build --traits OpenBLAS`), Ember loads `libopenblas.so.0` (Debian's
/// `libopenblas0`) at run time with `dlopen` — no headers or link flags — and uses its
/// `cblas_dgemm`/`cblas_dgemv`. Without the trait, or when the library is missing, the
/// pure-Swift kernels run; `NativeBLAS.status` says which and why.
public enum NativeBLAS {
    typealias Dgemm = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Double, UnsafePointer<Double>?, Int32,
                                      UnsafePointer<Double>?, Int32, Double, UnsafeMutablePointer<Double>?, Int32) -> Void
    typealias Dgemv = @convention(c) (Int32, Int32, Int32, Int32, Double, UnsafePointer<Double>?, Int32,
                                      UnsafePointer<Double>?, Int32, Double, UnsafeMutablePointer<Double>?, Int32) -> Void

    struct Library {
        let dgemm: Dgemm
        let dgemv: Dgemv
    }

    static let candidates = ["libopenblas.so.0", "libopenblas.so", "libopenblasp-r0.3.so"]

    /// The loaded library, or why there is none.
    static let loaded: Result<Library, EmberError> = {
        #if EMBER_OPENBLAS
            return open()
        #else
            return .failure(EmberError.unsupported("Ember was built without the OpenBLAS trait; the Swift kernels are used."))
        #endif
    }()

    /// Opens the first OpenBLAS found.
    static func open() -> Result<Library, EmberError> {
        #if canImport(Glibc)
            var reasons: [String] = []
            for name in candidates {
                guard let h = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
                    if let e = dlerror() { reasons.append(String(cString: e)) }
                    continue
                }
                guard let g = dlsym(h, "cblas_dgemm"), let v = dlsym(h, "cblas_dgemv") else {
                    reasons.append("\(name) lacks cblas_dgemm/cblas_dgemv")
                    continue
                }
                return .success(Library(dgemm: unsafeBitCast(g, to: Dgemm.self), dgemv: unsafeBitCast(v, to: Dgemv.self)))
            }
            return .failure(EmberError.unsupported("The OpenBLAS trait is on but \(candidates[0]) could not be loaded (\(reasons.joined(separator: "; "))); install libopenblas0. The Swift kernels are used."))
        #else
            return .failure(EmberError.unsupported("OpenBLAS is loaded only on Linux; the Swift kernels are used."))
        #endif
    }

    /// Which kernels run, in words.
    public static var status: String {
        switch loaded {
        case .success: return "OpenBLAS (\(candidates[0]))"
        case .failure(let e): return e.message
        }
    }

    static let column: Int32 = 102, noTrans: Int32 = 111

    /// C := alpha·A·B + beta·C, all column-major; false when OpenBLAS is not in use or the
    /// sizes do not fit its 32-bit integers.
    static func gemm(_ alpha: Double, _ a: DenseMatrix, _ b: DenseMatrix, _ beta: Double, _ c: inout DenseMatrix) -> Bool {
        guard case .success(let lib) = loaded, !a.isTransposed, !b.isTransposed, !c.isTransposed,
              let m = Int32(exactly: a.numRows), let k = Int32(exactly: a.numCols), let n = Int32(exactly: b.numCols), m > 0, n > 0, k > 0
        else { return false }
        a.values.withUnsafeBufferPointer { av in
            b.values.withUnsafeBufferPointer { bv in
                c.values.withUnsafeMutableBufferPointer { cv in
                    lib.dgemm(column, noTrans, noTrans, m, n, k, alpha, av.baseAddress, m, bv.baseAddress, k, beta, cv.baseAddress, m)
                }
            }
        }
        return true
    }

    /// y := alpha·A·x + beta·y with A column-major; false when OpenBLAS is not in use.
    static func gemv(_ alpha: Double, _ a: DenseMatrix, _ x: [Double], _ beta: Double, _ y: inout [Double]) -> Bool {
        guard case .success(let lib) = loaded, !a.isTransposed, let m = Int32(exactly: a.numRows), let n = Int32(exactly: a.numCols), m > 0, n > 0,
              x.count >= a.numCols, y.count >= a.numRows
        else { return false }
        a.values.withUnsafeBufferPointer { av in
            x.withUnsafeBufferPointer { xv in
                y.withUnsafeMutableBufferPointer { yv in
                    lib.dgemv(column, noTrans, m, n, alpha, av.baseAddress, m, xv.baseAddress, 1, beta, yv.baseAddress, 1)
                }
            }
        }
        return true
    }
}
