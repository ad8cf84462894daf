/// Level-2 and level-3 kernels on `DenseMatrix` and packed symmetric matrices (pure Swift,
/// tight loops over unsafe buffers).
extension BLAS {
    /// y := alpha·A·x + beta·y
    public static func gemv(_ alpha: Double, _ a: DenseMatrix, _ x: [Double], _ beta: Double, _ y: inout [Double]) {
        let m = a.numRows, n = a.numCols
        guard x.count >= n, y.count >= m else { return }
        if NativeBLAS.gemv(alpha, a, x, beta, &y) { return }
        a.values.withUnsafeBufferPointer { av in
            x.withUnsafeBufferPointer { xv in
                y.withUnsafeMutableBufferPointer { yv in
                    if beta != 1 { for i in 0..<m { yv[i] = beta == 0 ? 0 : beta * yv[i] } }
                    if alpha == 0 { return }
                    if a.isTransposed {
                        // Row-major: each y[i] is a dot product of a contiguous row.
                        for i in 0..<m {
                            var s = 0.0
                            let base = i * n
                            for j in 0..<n { s += av[base + j] * xv[j] }
                            yv[i] += alpha * s
                        }
                    } else {
                        for j in 0..<n {
                            let t = alpha * xv[j]
                            if t == 0 { continue }
                            let base = j * m
                            for i in 0..<m { yv[i] += t * av[base + i] }
                        }
                    }
                }
            }
        }
    }

    /// C := alpha·A·B + beta·C, with C column-major (not transposed). Blocked over the
    /// inner dimension and the rows so that a panel of A stays in cache.
    public static func gemm(_ alpha: Double, _ a: DenseMatrix, _ b: DenseMatrix, _ beta: Double, _ c: inout DenseMatrix) {
        let m = a.numRows, k = a.numCols, n = b.numCols
        guard b.numRows == k, c.numRows == m, c.numCols == n else { return }
        if c.isTransposed { c = c.columnMajor }
        let ac = a.columnMajor, bc = b.columnMajor
        if NativeBLAS.gemm(alpha, ac, bc, beta, &c) { return }
        let blockK = 128, blockM = 256
        ac.values.withUnsafeBufferPointer { av in
            bc.values.withUnsafeBufferPointer { bv in
                c.values.withUnsafeMutableBufferPointer { cv in
                    if beta != 1 { for i in 0..<(m * n) { cv[i] = beta == 0 ? 0 : beta * cv[i] } }
                    if alpha == 0 { return }
                    var i0 = 0
                    while i0 < m {
                        let i1 = Swift.min(m, i0 + blockM)
                        var p0 = 0
                        while p0 < k {
                            let p1 = Swift.min(k, p0 + blockK)
                            for j in 0..<n {
                                let cBase = j * m
                                for p in p0..<p1 {
                                    let t = alpha * bv[j * k + p]
                                    if t == 0 { continue }
                                    let aBase = p * m
                                    for i in i0..<i1 { cv[cBase + i] += t * av[aBase + i] }
                                }
                            }
                            p0 = p1
                        }
                        i0 = i1
                    }
                }
            }
        }
    }

    /// A := alpha·x·xᵀ + A for a full symmetric n × n column-major `a` (both triangles).
    public static func syr(_ alpha: Double, _ x: [Double], _ a: inout DenseMatrix) {
        let n = x.count
        guard a.numRows == n, a.numCols == n else { return }
        x.withUnsafeBufferPointer { xv in
            a.values.withUnsafeMutableBufferPointer { av in
                for j in 0..<n {
                    let t = alpha * xv[j]
                    if t == 0 { continue }
                    let base = j * n
                    for i in 0..<n { av[base + i] += t * xv[i] }
                }
            }
        }
    }

    /// U := alpha·x·xᵀ + U for the packed upper triangle `u` (column-major: U[i, j] with
    /// i ≤ j at j·(j+1)/2 + i), as Spark's `BLAS.spr`.
    public static func spr(_ alpha: Double, _ x: UnsafeBufferPointer<Double>, _ u: UnsafeMutableBufferPointer<Double>) {
        let n = x.count
        var col = 0
        for j in 0..<n {
            let t = alpha * x[j]
            if t != 0 {
                for i in 0...j { u[col + i] += t * x[i] }
            }
            col += j + 1
        }
    }

    /// `spr` for a sparse x (entries `indices[k]`, `values[k]`, indices increasing).
    public static func spr(_ alpha: Double, indices: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<Double>, _ u: UnsafeMutableBufferPointer<Double>) {
        for b in 0..<values.count {
            let j = Int(indices[b])
            let t = alpha * values[b]
            let col = j * (j + 1) / 2
            for a in 0...b { u[col + Int(indices[a])] += t * values[a] }
        }
    }

    /// The full symmetric matrix of a packed upper triangle.
    public static func unpackUpper(_ u: [Double], n: Int) -> DenseMatrix {
        var m = DenseMatrix.zeros(n, n)
        var col = 0
        for j in 0..<n {
            for i in 0...j {
                m.values[i + j * n] = u[col + i]
                m.values[j + i * n] = u[col + i]
            }
            col += j + 1
        }
        return m
    }
}
