import EmberCore

/// Signatures of Spark's misc functions (kernels: EmberExec/Kernels/MiscKernels.swift).
public enum MiscFunctions {
    public static let all: [FunctionSignature] = []
}
