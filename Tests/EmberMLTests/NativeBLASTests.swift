@testable import EmberML
import XCTest

/// The OpenBLAS backend: when libopenblas.so.0 is installed, its gemm and gemv agree with
/// the Swift kernels; when it is not, the reason names the package to install.
final class NativeBLASTests: XCTestCase {
    func testOpenBLASAgreesWithSwiftKernelsOrExplainsItsAbsence() throws {
        switch NativeBLAS.open() {
        case .failure(let e):
            XCTAssertTrue(e.message.contains("install libopenblas0"), e.message)
        case .success(let lib):
            let m = 37, k = 53, n = 29
            let a = try DenseMatrix(m, k, (0..<(m * k)).map { Double(($0 * 7) % 13) - 6 })
            let b = try DenseMatrix(k, n, (0..<(k * n)).map { Double(($0 * 5) % 11) / 4 - 1 })
            var swift = try DenseMatrix(m, n, [Double](repeating: 1, count: m * n))
            var native = swift
            BLAS.gemm(0.5, a, b, 2, &swift)  // Swift kernels unless the trait is on
            a.values.withUnsafeBufferPointer { av in
                b.values.withUnsafeBufferPointer { bv in
                    native.values.withUnsafeMutableBufferPointer { cv in
                        lib.dgemm(NativeBLAS.column, NativeBLAS.noTrans, NativeBLAS.noTrans, Int32(m), Int32(n), Int32(k), 0.5,
                                  av.baseAddress, Int32(m), bv.baseAddress, Int32(k), 2, cv.baseAddress, Int32(m))
                    }
                }
            }
            for i in 0..<(m * n) { XCTAssertEqual(native.values[i], swift.values[i], accuracy: 1e-12) }
            let x = (0..<k).map { Double($0 % 5) - 2 }
            var ys = [Double](repeating: 3, count: m), yn = ys
            BLAS.gemv(1.5, a, x, -1, &ys)
            a.values.withUnsafeBufferPointer { av in
                x.withUnsafeBufferPointer { xv in
                    yn.withUnsafeMutableBufferPointer { yv in
                        lib.dgemv(NativeBLAS.column, NativeBLAS.noTrans, Int32(m), Int32(k), 1.5, av.baseAddress, Int32(m), xv.baseAddress, 1, -1, yv.baseAddress, 1)
                    }
                }
            }
            for i in 0..<m { XCTAssertEqual(yn[i], ys[i], accuracy: 1e-12) }
        }
    }
}
