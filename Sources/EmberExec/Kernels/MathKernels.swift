import EmberColumnar
import EmberCore
import EmberPlan

/// Kernels of Spark's math functions.
enum MathKernels {
    static let all: [(String, ScalarKernel)] = []
}
