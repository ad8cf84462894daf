import EmberColumnar
import EmberCore
import EmberPlan

/// Kernels of Spark's cast functions.
enum CastKernels {
    static let all: [(String, ScalarKernel)] = []
}
