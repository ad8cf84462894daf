import EmberCore

/// Signatures of Spark's string functions (kernels: EmberExec/Kernels/StringKernels.swift).
public enum StringFunctions {
    public static let all: [FunctionSignature] = []
}
