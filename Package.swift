// swift-tools-version:6.2
import PackageDescription

// Targets follow the layers of the system; dependencies point one way (docs/architecture.md):
// command line -> {benchmarks -> training, export} -> {inference, reports -> evaluation}
//   -> {networks, losses, data, distributed} -> engine -> support and the C libraries.
let package = Package(
    name: "bstrain",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "bstrain", targets: ["BSTrainCLI"]),
        // The layers whose parsers read user files, for the fuzzing package in Fuzz/: another
        // package reaches only products, not targets.
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Data", targets: ["Data"]),
        .library(name: "Inference", targets: ["Inference"]),
        .library(name: "Training", targets: ["Training"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // The ONNX schema's generated messages (Sources/Export/Generated, Scripts/generate-onnx-proto).
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        // Test only: counts malloc calls, for the engine's no-allocation tests.
        .package(url: "https://github.com/ordo-one/malloc-interposer", exact: "1.6.1"),
    ],
    targets: [
        // System libraries, found through pkg-config (Debian ships .pc files for all four).
        .systemLibrary(
            name: "COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CMPI", pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(
            name: "CJPEG", pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(
            name: "CPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]),

        // Tiny C targets for what Swift cannot import: MPI's handle macros,
        // libjpeg's and libpng's setjmp/longjmp error handling, and DCMTK's C++.
        .target(name: "CMPIBridge", dependencies: ["CMPI"]),
        .target(name: "CJPEGBridge", dependencies: ["CJPEG"]),
        .target(name: "CPNGBridge", dependencies: ["CPNG"]),
        // DCMTK is C++: a C++ target with a C interface renders DICOM images for Swift. Its
        // libraries are named here: Debian's dcmtk.pc requires sndfile.pc, which libdcmtk-dev
        // does not install, so pkg-config cannot be asked for them.
        .target(
            name: "CDICOMBridge",
            linkerSettings: ["dcmimage", "dcmimgle", "dcmjpeg", "ijg8", "ijg12", "ijg16", "dcmjpls", "dcmtkcharls", "dcmdata", "oflog", "ofstd"]
                .map { .linkedLibrary($0) }),

        // Small utilities every layer may use: the seeded random generator, parallelFor and
        // atomic file writes.
        .target(name: "Support"),
        .target(name: "Engine", dependencies: ["Support", "COpenBLAS"]),
        .target(name: "Networks", dependencies: ["Engine", "Support"]),
        .target(name: "Losses", dependencies: ["Engine", "Support"]),
        .target(name: "Data", dependencies: ["Support", "CJPEGBridge", "CPNGBridge", "CDICOMBridge"]),
        .target(name: "Distributed", dependencies: ["CMPIBridge", "Support"]),
        // What a trained or training network is measured by: metrics, ROC, PCA, the evaluator.
        .target(name: "Evaluation", dependencies: ["Data", "Engine", "Losses", "Networks", "Support"]),
        // What a run shows a person: SVG plots, per-split reports, history and comparison tables.
        .target(name: "Reports", dependencies: ["Data", "Evaluation", "Losses", "Networks", "Support"]),
        // A trained network applied to new images: weights files, predict, embed, eval.
        .target(name: "Inference", dependencies: ["Data", "Engine", "Evaluation", "Losses", "Networks", "Support"]),
        .target(
            name: "Training",
            dependencies: [
                "Data", "Distributed", "Engine", "Evaluation", "Inference", "Losses", "Networks", "Reports", "Support",
                .product(name: "Yams", package: "Yams"),
            ]),
        // A trained network written for other runtimes: ONNX, through the schema's generated code.
        .target(
            name: "Export",
            dependencies: [
                "Data", "Engine", "Inference", "Networks",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        .target(name: "Benchmarks", dependencies: ["Distributed", "Engine", "Losses", "Networks", "Reports", "Support", "Training"]),
        .executableTarget(
            name: "BSTrainCLI",
            dependencies: [
                "Benchmarks", "Data", "Distributed", "Engine", "Evaluation", "Export", "Inference", "Losses", "Networks",
                "Reports", "Support", "Training",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(name: "SupportTests", dependencies: ["Support"]),
        .testTarget(
            name: "EngineTests",
            dependencies: ["Engine", "Support", .product(name: "MallocInterposerSwift", package: "malloc-interposer")]),
        .testTarget(name: "NetworksTests", dependencies: ["Networks", "Engine", "Support"]),
        // Fixtures are read through #filePath by the tests, not bundled.
        .testTarget(name: "LossesTests", dependencies: ["Losses", "Engine", "Support"], exclude: ["Fixtures"]),
        .testTarget(name: "DataTests", dependencies: ["Data", "Support"]),
        .testTarget(name: "DistributedTests", dependencies: ["Distributed", "CMPIBridge"]),
        // Fixtures (Scripts/make-evidence-fixtures) are read through #filePath, as LossesTests' are.
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Engine", "Support"], exclude: ["Fixtures"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Evaluation"]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference", "Data", "Engine", "Evaluation", "Networks"]),
        .testTarget(
            name: "TrainingTests",
            dependencies: ["Training", "Data", "Distributed", "Engine", "Evaluation", "Losses", "Networks", "Support"]),
        .testTarget(
            name: "ExportTests",
            dependencies: [
                "Export", "Data", "Engine", "Evaluation", "Inference", "Networks",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "Engine", "Losses", "Networks", "Training"]),
        // The command line's training options against TrainingConfiguration: names, help, merging.
        .testTarget(
            name: "BSTrainCLITests",
            dependencies: ["BSTrainCLI", "Training", "Data", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    ]
)
