import EmberCore
import Foundation

/// Cholesky factorization A = L·Lᵀ of a symmetric positive definite matrix, with solves
/// and the inverse (Spark's `CholeskyDecomposition`, which calls LAPACK dppsv/dpptri).
public struct Cholesky {
    /// n.
    public let size: Int
    /// The lower factor L, column-major n × n (upper triangle zero).
    public let lower: [Double]

    /// The error thrown when `a` is not positive definite.
    public static func notPositiveDefinite(_ column: Int) -> EmberError {
        EmberError(errorClass: "ML_MATRIX_NOT_POSITIVE_DEFINITE", sqlState: "22023",
                   message: "Cholesky factorization failed: the matrix is not positive definite (leading minor \(column + 1) is not positive); the matrix is singular or the features are collinear")
    }

    /// Factors the symmetric matrix `a` (only its lower triangle is read).
    public init(_ a: DenseMatrix) throws {
        guard a.numRows == a.numCols else { throw MLError.invalidVector("Cholesky needs a square matrix, got \(a.numRows) × \(a.numCols)") }
        let n = a.numRows
        var l = a.columnMajor.values
        try l.withUnsafeMutableBufferPointer { lv in
            for j in 0..<n {
                var d = lv[j + j * n]
                for k in 0..<j { d -= lv[j + k * n] * lv[j + k * n] }
                guard d > 0, d.isFinite else { throw Cholesky.notPositiveDefinite(j) }
                let djj = d.squareRoot()
                lv[j + j * n] = djj
                for i in (j + 1)..<Swift.max(j + 1, n) {
                    var s = lv[i + j * n]
                    for k in 0..<j { s -= lv[i + k * n] * lv[j + k * n] }
                    lv[i + j * n] = s / djj
                }
                for i in 0..<j { lv[i + j * n] = 0 }
            }
        }
        size = n
        lower = l
    }

    /// Factors a matrix given as its packed upper triangle (see `BLAS.spr`).
    public init(packedUpper u: [Double], n: Int) throws {
        try self.init(BLAS.unpackUpper(u, n: n))
    }

    /// x with A·x = b.
    public func solve(_ b: [Double]) -> [Double] {
        let n = size
        var x = b
        lower.withUnsafeBufferPointer { l in
            x.withUnsafeMutableBufferPointer { xv in
                for i in 0..<n {        // L·y = b
                    var s = xv[i]
                    for k in 0..<i { s -= l[i + k * n] * xv[k] }
                    xv[i] = s / l[i + i * n]
                }
                var i = n - 1
                while i >= 0 {          // Lᵀ·x = y
                    var s = xv[i]
                    for k in (i + 1)..<Swift.max(i + 1, n) { s -= l[k + i * n] * xv[k] }
                    xv[i] = s / l[i + i * n]
                    i -= 1
                }
            }
        }
        return x
    }

    /// A⁻¹.
    public func inverse() -> DenseMatrix {
        let n = size
        var out = DenseMatrix.zeros(n, n)
        var e = [Double](repeating: 0, count: n)
        for j in 0..<n {
            e[j] = 1
            let col = solve(e)
            e[j] = 0
            for i in 0..<n { out.values[i + j * n] = col[i] }
        }
        return out
    }

    /// Solves A·x = b in one call.
    public static func solve(_ a: DenseMatrix, _ b: [Double]) throws -> [Double] {
        guard b.count == a.numRows else { throw MLError.invalidVector("right-hand side has \(b.count) values for a \(a.numRows) × \(a.numRows) matrix") }
        return try Cholesky(a).solve(b)
    }
}
