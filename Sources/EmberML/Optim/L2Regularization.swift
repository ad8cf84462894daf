/// Spark's `L2Regularization`: ½·λ·Σ sⱼ·βⱼ² over `sets` blocks of `numFeatures`
/// coefficients (intercepts after them are not penalized), where sⱼ is 1 on standardized
/// coefficients or 1/σⱼ² when the penalty is on original-scale ones.
enum L2Regularization {
    /// Adds the penalty's gradient to `grad` and returns the penalty.
    static func apply(_ l2: Double, scale: [Double]?, coefficients x: [Double], sets: Int, numFeatures d: Int, grad: inout [Double]) -> Double {
        guard l2 != 0 else { return 0 }
        var reg = 0.0
        for c in 0..<sets {
            for j in 0..<d {
                let i = c * d + j
                let s = scale?[j] ?? 1
                reg += x[i] * x[i] * s
                grad[i] += l2 * x[i] * s
            }
        }
        return 0.5 * l2 * reg
    }
}
