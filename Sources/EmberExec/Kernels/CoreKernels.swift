import EmberColumnar
import EmberCore
import EmberPlan

/// Kernels of Spark's core functions.
enum CoreKernels {
    static let all: [(String, ScalarKernel)] = []
}
