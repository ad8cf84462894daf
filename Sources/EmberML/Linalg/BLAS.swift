/// Level-1 and level-2 kernels over unsafe buffers (pure Swift; the optimizer vectorizes
/// these loops).
public enum BLAS {
    public static func dot(_ x: [Double], _ y: [Double]) -> Double {
        let n = Swift.min(x.count, y.count)
        return x.withUnsafeBufferPointer { a in
            y.withUnsafeBufferPointer { b in
                var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                var i = 0
                while i + 4 <= n {
                    s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3]
                    i += 4
                }
                while i < n { s0 += a[i] * b[i]; i += 1 }
                return (s0 + s1) + (s2 + s3)
            }
        }
    }

    /// y += a·x
    public static func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
        let n = Swift.min(x.count, y.count)
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                for i in 0..<n { yb[i] += a * xb[i] }
            }
        }
    }

    /// x *= a
    public static func scal(_ a: Double, _ x: inout [Double]) {
        x.withUnsafeMutableBufferPointer { b in for i in 0..<b.count { b[i] *= a } }
    }
}
