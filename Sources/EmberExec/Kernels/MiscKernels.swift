import EmberColumnar
import EmberCore
import EmberPlan

/// Kernels of Spark's misc functions.
enum MiscKernels {
    static let all: [(String, ScalarKernel)] = []
}
