// swift-tools-version:6.2
import PackageDescription

// libFuzzer harnesses, one executable per parser of user files (Fuzz/README.md). A package of
// its own so that the main package's build and `swift test` never see the sanitizer flags:
// Scripts/fuzz builds it with -sanitize=fuzzer,address, which instruments the bstrain
// targets below as well, and libFuzzer supplies `main`.
let fuzzTarget: [SwiftSetting] = [
    // No main.swift: the entry point is LLVMFuzzerTestOneInput, called by libFuzzer's main.
    .unsafeFlags(["-parse-as-library"]),
]

let package = Package(
    name: "bstrain-fuzz",
    dependencies: [
        .package(name: "bstrain", path: ".."),
    ],
    targets: [
        // What every harness shares: input written to a temporary file, for loaders that read paths.
        .target(name: "FuzzSupport"),
        .executableTarget(
            name: "FuzzJPEG",
            dependencies: [.product(name: "Data", package: "bstrain")],
            swiftSettings: fuzzTarget),
        .executableTarget(
            name: "FuzzPNG",
            dependencies: [.product(name: "Data", package: "bstrain")],
            swiftSettings: fuzzTarget),
        .executableTarget(
            name: "FuzzDICOM",
            dependencies: [.product(name: "Data", package: "bstrain")],
            swiftSettings: fuzzTarget),
        .executableTarget(
            name: "FuzzSafetensors",
            dependencies: [.product(name: "Engine", package: "bstrain"), .product(name: "Inference", package: "bstrain")],
            swiftSettings: fuzzTarget),
        .executableTarget(
            name: "FuzzConfigYAML",
            dependencies: ["FuzzSupport", .product(name: "Training", package: "bstrain")],
            swiftSettings: fuzzTarget),
        .executableTarget(
            name: "FuzzCSV",
            dependencies: ["FuzzSupport", .product(name: "Data", package: "bstrain")],
            swiftSettings: fuzzTarget),
        .executableTarget(
            name: "FuzzNumericCSV",
            dependencies: ["FuzzSupport", .product(name: "Data", package: "bstrain")],
            swiftSettings: fuzzTarget),
    ]
)
