@testable import EmberML
import Foundation
import XCTest

/// DenseMatrix, BLAS level 2/3, Cholesky and the symmetric eigendecomposition against numpy
/// (`scripts/ml/expected_linear.py` → expected/linear.json, key "linalg").
final class LinalgTests: XCTestCase {
    var la: [String: Any] { LinearData.expected["linalg"] as? [String: Any] ?? [:] }
    func m(_ key: String) throws -> DenseMatrix { try DenseMatrix.fromRows(LinearData.matrix(la[key])) }

    func assertMatrix(_ a: DenseMatrix, _ rows: [[Double]], _ accuracy: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.numRows, rows.count, what, file: file, line: line)
        for (i, r) in rows.enumerated() {
            for (j, x) in r.enumerated() { XCTAssertEqual(a[i, j], x, accuracy: accuracy, "\(what) (\(i), \(j))", file: file, line: line) }
        }
    }

    func testDenseMatrixLayoutAndProducts() throws {
        let a = try DenseMatrix(2, 3, [1, 2, 3, 4, 5, 6])      // column-major
        XCTAssertEqual(a.row(0), [1, 3, 5])
        XCTAssertEqual(a.transpose.row(0), [1, 2])
        XCTAssertEqual(try DenseMatrix(2, 3, [1, 3, 5, 2, 4, 6], isTransposed: true).columnMajor.values, a.values)
        XCTAssertEqual(a.description, "1.0  3.0  5.0\n2.0  4.0  6.0")
        XCTAssertThrowsError(try DenseMatrix(2, 2, [1, 2, 3]))
        let mm = try m("M"), nn = try m("N")
        assertMatrix(mm.multiply(nn), LinearData.matrix(la["MN"]), 1e-12, "gemm")
        assertMatrix(mm.columnMajor.multiply(nn.columnMajor), LinearData.matrix(la["MN"]), 1e-12, "gemm column-major")
        let mx = Expected.doubles(la["Mx"]) ?? []
        for (x, e) in zip(mm.multiply([1.0, -2.0, 0.5]), mx) { XCTAssertEqual(x, e, accuracy: 1e-12) }
        for (x, e) in zip(mm.columnMajor.multiply([1.0, -2.0, 0.5]), mx) { XCTAssertEqual(x, e, accuracy: 1e-12) }
    }

    func testBlockedGemmOnLargeMatrices() throws {
        // 300 × 200 · 200 × 50 crosses the 128/256 blocks; checked against a naive triple loop.
        let (p, q, r) = (300, 200, 50)
        let a = try DenseMatrix(p, q, (0..<(p * q)).map { Double(($0 * 7919) % 101) / 50 - 1 })
        let b = try DenseMatrix(q, r, (0..<(q * r)).map { Double(($0 * 104_729) % 97) / 40 - 1 })
        let c = a.multiply(b)
        for i in stride(from: 0, to: p, by: 37) {
            for j in stride(from: 0, to: r, by: 7) {
                var s = 0.0
                for k in 0..<q { s += a[i, k] * b[k, j] }
                XCTAssertEqual(c[i, j], s, accuracy: 1e-9)
            }
        }
    }

    func testSyrAndSpr() throws {
        let x = [1.0, -2.0, 3.0]
        var full = DenseMatrix.zeros(3, 3)
        BLAS.syr(2, x, &full)
        var packed = [Double](repeating: 0, count: 6)
        x.withUnsafeBufferPointer { xv in packed.withUnsafeMutableBufferPointer { BLAS.spr(2, xv, $0) } }
        XCTAssertEqual(packed, [2, -4, 8, 6, -12, 18])
        XCTAssertEqual(BLAS.unpackUpper(packed, n: 3), full)
        var sparse = [Double](repeating: 0, count: 6)
        let ix: [Int32] = [0, 2], vs = [1.0, 3.0]
        ix.withUnsafeBufferPointer { i in vs.withUnsafeBufferPointer { v in sparse.withUnsafeMutableBufferPointer { BLAS.spr(1, indices: i, values: v, $0) } } }
        XCTAssertEqual(sparse, [1, 0, 0, 3, 0, 9])
    }

    func testCholeskySolveAndInverse() throws {
        let s = try m("S")
        let chol = try Cholesky(s)
        let l = try DenseMatrix(5, 5, chol.lower)
        assertMatrix(l, LinearData.matrix(la["cholL"]), 1e-12, "L")
        let x = chol.solve(Expected.doubles(la["b"]) ?? [])
        for (a, e) in zip(x, Expected.doubles(la["solve"]) ?? []) { XCTAssertEqual(a, e, accuracy: 1e-10) }
        assertMatrix(chol.inverse(), LinearData.matrix(la["inverse"]), 1e-10, "inverse")
        let singular = try DenseMatrix.fromRows([[1, 2], [2, 4]])
        XCTAssertThrowsError(try Cholesky(singular)) { e in XCTAssertTrue("\(e)".contains("not positive definite (leading minor 2"), "\(e)") }
        XCTAssertThrowsError(try Cholesky(try DenseMatrix.fromRows([[-1]]))) { e in XCTAssertTrue("\(e)".contains("not positive definite"), "\(e)") }
    }

    func testSymmetricEigen() throws {
        let e = try SymmetricEigen(try m("S"))
        let vals = Expected.doubles(la["eigenvalues"]) ?? []
        for (a, b) in zip(e.eigenvalues, vals) { XCTAssertEqual(a, b, accuracy: 1e-10 * max(1, abs(b))) }
        assertMatrix(e.eigenvectors, LinearData.matrix(la["eigenvectors"]), 1e-9, "eigenvectors")
        XCTAssertEqual(try SymmetricEigen(DenseMatrix.fromRows([[2, 0], [0, 5]])).eigenvalues, [5, 2])
    }

    func testLBFGSAndOWLQNOnQuadratics() throws {
        // f(x) = Σ (i+1)(xᵢ − 1)²: minimum at 1s; with L1 weight 3, xᵢ = max(0, 1 − 1.5/(i+1)).
        let f: DiffFunction = { x, g in
            var s = 0.0
            for i in 0..<x.count { let c = Double(i + 1); s += c * (x[i] - 1) * (x[i] - 1); g[i] = 2 * c * (x[i] - 1) }
            return s
        }
        let r = try LBFGS(maxIter: 100, tol: 1e-10).minimize(f, [0, 0, 0, 0])
        for x in r.x { XCTAssertEqual(x, 1, accuracy: 1e-8) }
        XCTAssertEqual(r.objectiveHistory.first, 10)
        XCTAssertTrue(zip(r.objectiveHistory, r.objectiveHistory.dropFirst()).allSatisfy { $0 >= $1 })
        let o = try LBFGS(maxIter: 100, tol: 1e-10, l1: { _ in 3 }).minimize(f, [0, 0, 0, 0])
        let want = (0..<4).map { max(0, 1 - 1.5 / Double($0 + 1)) }
        for (x, w) in zip(o.x, want) { XCTAssertEqual(x, w, accuracy: 1e-7) }
        XCTAssertEqual(o.x[0], 0)
    }
}
