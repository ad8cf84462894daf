// swift-tools-version:6.1
import PackageDescription

// MARK: - Dependencies

let argumentParser: Package.Dependency = .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")

// MARK: - Shared settings

// Swift 5 language mode: the engine shares immutable batches across worker
// threads through its own scheduler; strict Sendable checking is added target by
// target once the concurrency annotations settle (see docs/ARCHITECTURE.md).
let settings: [SwiftSetting] = [
    .swiftLanguageMode(.v5)
]

// MARK: - Targets

let package = Package(
    name: "Ember",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Ember", targets: ["Ember"]),
        .library(name: "EmberDatagen", targets: ["EmberDatagen"]),
        .library(name: "EmberML", targets: ["EmberML"]),
        .executable(name: "ember", targets: ["ember"]),
    ],
    // `swift build --traits OpenBLAS`: gemm/gemv through the system OpenBLAS, loaded at run
    // time (see Sources/EmberML/Linalg/NativeBLAS.swift). Off by default.
    traits: [.trait(name: "OpenBLAS", description: "Use libopenblas.so.0 (loaded at run time) for gemm and gemv in EmberML")],
    dependencies: [argumentParser],
    targets: [
        .target(name: "EmberCore", swiftSettings: settings),
        .target(name: "EmberColumnar", dependencies: ["EmberCore"], swiftSettings: settings),
        .target(name: "EmberCodecs", dependencies: ["EmberCore"], swiftSettings: settings),
        .target(name: "EmberPlan", dependencies: ["EmberCore"], swiftSettings: settings),
        .target(name: "EmberSQL", dependencies: ["EmberCore", "EmberPlan"], swiftSettings: settings),
        .target(name: "EmberExec", dependencies: ["EmberCore", "EmberColumnar", "EmberPlan", "CEmberPrefetch"], swiftSettings: settings),
        .target(
            name: "EmberIO", dependencies: ["EmberCore", "EmberColumnar", "EmberPlan", "EmberExec", "EmberCodecs"], swiftSettings: settings),
        .target(
            name: "Ember",
            dependencies: ["EmberCore", "EmberColumnar", "EmberPlan", "EmberSQL", "EmberExec", "EmberIO"],
            swiftSettings: settings),
        .target(name: "CEmberPrefetch"),
        .target(
            name: "EmberML", dependencies: ["Ember", "EmberCore", "EmberColumnar", "EmberPlan", "EmberExec", "EmberIO", "CEmberPrefetch"],
            swiftSettings: settings + [.define("EMBER_OPENBLAS", .when(traits: ["OpenBLAS"]))]),
        .target(name: "EmberExamples", dependencies: ["Ember", "EmberML", "EmberDatagen", "EmberIO"], swiftSettings: settings),
        .target(name: "EmberDatagen", dependencies: ["Ember", "EmberCore", "EmberColumnar", "EmberExec", "EmberIO"], swiftSettings: settings),
        .executableTarget(
            name: "ember",
            dependencies: ["Ember", "EmberDatagen", "EmberML", "EmberExamples", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: settings),

        .testTarget(name: "EmberCoreTests", dependencies: ["EmberCore"], swiftSettings: settings),
        .testTarget(name: "EmberColumnarTests", dependencies: ["EmberColumnar"], swiftSettings: settings),
        .testTarget(name: "EmberCodecsTests", dependencies: ["EmberCodecs"], exclude: ["golden"], swiftSettings: settings),
        .testTarget(name: "EmberSQLTests", dependencies: ["EmberSQL"], swiftSettings: settings),
        .testTarget(name: "EmberExecTests", dependencies: ["EmberExec"], swiftSettings: settings),
        .testTarget(name: "EmberIOTests", dependencies: ["EmberIO", "Ember"], exclude: ["golden"], swiftSettings: settings),
        .testTarget(name: "EmberTests", dependencies: ["Ember", "EmberExec", "EmberIO"], exclude: ["sql"], swiftSettings: settings),
        .testTarget(name: "EmberMLTests", dependencies: ["EmberML", "Ember"], exclude: ["expected"], swiftSettings: settings),
        .testTarget(name: "EmberExamplesTests", dependencies: ["EmberExamples", "EmberML", "EmberDatagen", "Ember"], swiftSettings: settings),
        .testTarget(name: "EmberDatagenTests", dependencies: ["EmberDatagen", "Ember", "EmberIO"], swiftSettings: settings),
    ]
)
