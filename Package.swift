// swift-tools-version:6.2
import PackageDescription

// Targets follow the layers of the system; dependencies point one way:
// command line -> training -> {networks, losses, data, distributed} -> engine -> C libraries.
let package = Package(
    name: "bstrain",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "bstrain", targets: ["BSTrainCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // Test only: counts malloc calls, for the engine's no-allocation tests.
        .package(url: "https://github.com/ordo-one/malloc-interposer", exact: "1.6.1"),
    ],
    targets: [
        // System libraries, found through pkg-config (Debian ships .pc files for all three).
        .systemLibrary(
            name: "COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CMPI", pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(
            name: "CJPEG", pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg-dev"])]),

        // Tiny C targets for what Swift cannot import: MPI's handle macros and
        // libjpeg's setjmp/longjmp error manager.
        .target(name: "CMPIBridge", dependencies: ["CMPI"]),
        .target(name: "CJPEGBridge", dependencies: ["CJPEG"]),

        .target(name: "Engine", dependencies: ["COpenBLAS"]),
        .target(name: "Networks", dependencies: ["Engine"]),
        .target(name: "Losses", dependencies: ["Engine"]),
        .target(name: "Data", dependencies: ["CJPEGBridge", "Engine"]),
        .target(name: "Distributed", dependencies: ["CMPIBridge"]),
        .target(
            name: "Training",
            dependencies: [
                "Engine", "Networks", "Losses", "Data", "Distributed",
                .product(name: "Yams", package: "Yams"),
            ]),
        .executableTarget(
            name: "BSTrainCLI",
            dependencies: [
                "Training", "Data", "Losses", "Networks", "Distributed",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(
            name: "EngineTests",
            dependencies: ["Engine", .product(name: "MallocInterposerSwift", package: "malloc-interposer")]),
        .testTarget(name: "NetworksTests", dependencies: ["Networks"]),
        // Fixtures are read through #filePath by the tests, not bundled.
        .testTarget(name: "LossesTests", dependencies: ["Losses"], exclude: ["Fixtures"]),
        .testTarget(name: "DataTests", dependencies: ["Data"]),
        .testTarget(name: "DistributedTests", dependencies: ["Distributed"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training"]),
    ]
)
