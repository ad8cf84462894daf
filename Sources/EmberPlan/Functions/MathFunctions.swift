import EmberCore

/// Signatures of Spark's math functions (kernels: EmberExec/Kernels/MathKernels.swift).
public enum MathFunctions {
    public static let all: [FunctionSignature] = []
}
