import EmberColumnar
import EmberCore
import EmberPlan

/// Kernels of Spark's string functions.
enum StringKernels {
    static let all: [(String, ScalarKernel)] = []
}
