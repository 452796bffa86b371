// swift-tools-version: 6.1
import PackageDescription

// Module map (see docs/architecture.md):
//   FulcrumCore      pure decision logic: observe → estimate → decide → plan. No IO, no clocks.
//   FulcrumTelemetry Prometheus/OpenMetrics exposition parser and engine presets.
//   FulcrumTraces    request-trace readers and the synthetic trace generator (file IO only).
//   FulcrumSim       event-driven model of a disaggregated cluster + baseline policies.
//   fulcrum-sim      command line around FulcrumSim.
let package = Package(
    name: "Fulcrum",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "FulcrumCore", targets: ["FulcrumCore"]),
        .library(name: "FulcrumTraces", targets: ["FulcrumTraces"]),
        .library(name: "FulcrumSim", targets: ["FulcrumSim"]),
        .library(name: "FulcrumTelemetry", targets: ["FulcrumTelemetry"]),
        .executable(name: "fulcrum-sim", targets: ["fulcrum-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics.git", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        .target(
            name: "FulcrumCore",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")]
        ),
        .target(
            name: "FulcrumTelemetry",
            dependencies: ["FulcrumCore"]
        ),
        .executableTarget(
            name: "ParserBenchmark",
            dependencies: ["FulcrumTelemetry", "FulcrumCore"],
            path: "Benchmarks/ParserBenchmark"
        ),
        .target(
            name: "FulcrumTraces",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "FulcrumSim",
            dependencies: [
                "FulcrumCore",
                "FulcrumTraces",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "fulcrum-sim",
            dependencies: [
                "FulcrumSim",
                "FulcrumTraces",
                "FulcrumCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "FulcrumCoreTests",
            dependencies: [
                "FulcrumCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "FulcrumTelemetryTests",
            dependencies: [
                "FulcrumTelemetry",
                "FulcrumCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "FulcrumTracesTests",
            dependencies: ["FulcrumTraces"]
        ),
        .testTarget(
            name: "FulcrumSimTests",
            dependencies: ["FulcrumSim", "FulcrumCore", "FulcrumTraces"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
