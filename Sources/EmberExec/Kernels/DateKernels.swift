import EmberColumnar
import EmberCore
import EmberPlan

/// Kernels of Spark's date functions.
enum DateKernels {
    static let all: [(String, ScalarKernel)] = []
}
