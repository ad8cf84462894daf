import EmberCore

/// Signatures of Spark's date functions (kernels: EmberExec/Kernels/DateKernels.swift).
public enum DateFunctions {
    public static let all: [FunctionSignature] = []
}
