import Foundation

/// Eigendecomposition of a symmetric matrix by cyclic Jacobi rotations: eigenvalues in
/// descending order with unit eigenvectors (each signed so that its largest-magnitude entry
/// is positive).
public struct SymmetricEigen {
    public let eigenvalues: [Double]
    /// Column k is the eigenvector of `eigenvalues[k]` (n × n, column-major).
    public let eigenvectors: DenseMatrix

    /// Decomposes the symmetric `a` (its upper triangle is used).
    public init(_ a: DenseMatrix, maxSweeps: Int = 100) throws {
        guard a.numRows == a.numCols else { throw MLError.invalidVector("eigendecomposition needs a square matrix, got \(a.numRows) × \(a.numCols)") }
        let n = a.numRows
        var m = [Double](repeating: 0, count: n * n)
        for j in 0..<n { for i in 0...j { let x = a[i, j]; m[i + j * n] = x; m[j + i * n] = x } }
        var v = DenseMatrix.identity(n).values
        m.withUnsafeMutableBufferPointer { mv in
            v.withUnsafeMutableBufferPointer { vv in
                for _ in 0..<maxSweeps {
                    var off = 0.0, total = 0.0
                    for j in 0..<n { for i in 0..<n { let x = mv[i + j * n] * mv[i + j * n]; total += x; if i != j { off += x } } }
                    if off <= 1e-30 * Swift.max(total, 1e-300) { break }
                    for p in 0..<n {
                        for q in (p + 1)..<Swift.max(p + 1, n) {
                            let apq = mv[p + q * n]
                            if apq == 0 { continue }
                            let app = mv[p + p * n], aqq = mv[q + q * n]
                            let theta = (aqq - app) / (2 * apq)
                            let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                            let c = 1 / (t * t + 1).squareRoot(), s = t * c
                            for k in 0..<n {   // columns p, q
                                let akp = mv[k + p * n], akq = mv[k + q * n]
                                mv[k + p * n] = c * akp - s * akq
                                mv[k + q * n] = s * akp + c * akq
                            }
                            for k in 0..<n {   // rows p, q
                                let apk = mv[p + k * n], aqk = mv[q + k * n]
                                mv[p + k * n] = c * apk - s * aqk
                                mv[q + k * n] = s * apk + c * aqk
                            }
                            for k in 0..<n {
                                let vkp = vv[k + p * n], vkq = vv[k + q * n]
                                vv[k + p * n] = c * vkp - s * vkq
                                vv[k + q * n] = s * vkp + c * vkq
                            }
                        }
                    }
                }
            }
        }
        let order = (0..<n).sorted { m[$0 + $0 * n] > m[$1 + $1 * n] }
        eigenvalues = order.map { m[$0 + $0 * n] }
        var vecs = [Double](repeating: 0, count: n * n)
        for (k, src) in order.enumerated() {
            var big = 0.0
            for i in 0..<n where abs(v[i + src * n]) > abs(big) { big = v[i + src * n] }
            let sign = big < 0 ? -1.0 : 1.0
            for i in 0..<n { vecs[i + k * n] = sign * v[i + src * n] }
        }
        eigenvectors = DenseMatrix(unchecked: n, n, vecs)
    }
}
