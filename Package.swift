// swift-tools-version: 6.1
import PackageDescription
#if canImport(Glibc)
import Glibc
#endif

// Module map (see docs/architecture.md):
//   FulcrumCore      pure decision logic: observe → estimate → decide → plan. No IO, no clocks.
//   FulcrumTelemetry Prometheus/OpenMetrics exposition parser, engine presets, the scraper.
//   FulcrumSystemd   the actuator: worker units on every node's systemd over sd-bus, router hooks.
//   FulcrumTraces    request-trace readers and the synthetic trace generator (file IO only).
//   FulcrumSim       event-driven model of a disaggregated cluster + baseline policies.
//   FulcrumConfiguration the daemon's YAML configuration schema, read once for daemon and decide.
//   FulcrumDecisionAPI   the versioned JSON-lines decision interface (`fulcrum-sim decide`).
//   FulcrumControlAPI    the control socket's JSON views, shared by fulcrumd and fulcrumctl.
//   FulcrumCoordination  etcd over its JSON gateway: leader election, fencing, shared operator state.
//   FulcrumDaemon        fulcrumd: scrape and control loops, control socket, metrics, state file.
//   FulcrumEmu           emulated engine workers and router for end-to-end runs without GPUs.
//   FulcrumStrictDecoding the one rule that refuses unknown keys in every strict reader.
//   fulcrum-sim      command line around FulcrumSim and the decision interface.
//   fulcrumd, fulcrumctl, fulcrum-emu   the daemon, its CLI, the emulator.
//   FuzzEntries      the fuzz targets' entry points (scripts/fuzz under libFuzzer; FuzzCorpusTests
//                    run every corpus file once). Not shipped.
/// What ships to head nodes (fulcrumd, fulcrumctl) links the Swift runtime and Foundation in,
/// in release builds on Linux, as `--static-swift-stdlib` would: nothing Swift to install on a
/// head node, and a `fulcrumctl` that starts in two thirds of the time without loading some 20
/// shared libraries per run (docs/performance.md, docs/deploy.md). The main module is compiled
/// against the static runtime as well, so its autolink entries name Foundation's static
/// dependencies (CoreFoundation, ICU). Debug builds, which the tests use, stay dynamic.
///
/// Where the build host's glibc reads packed relative relocations (DT_RELR, glibc 2.36 on), the
/// toolchain's lld (which links fulcrumd in any case, `CodeLayout`) packs them: the 128,000 relocations of the static runtime take 44 KB instead
/// of the 3.1 MB that every start read, and the idle daemon's resident memory falls by 6 MB
/// (docs/performance.md). lld then marks the binary as needing glibc's `GLIBC_ABI_DT_RELR`, so an
/// older glibc refuses it by name instead of running it unrelocated.
enum StaticSwiftRuntime {
    static let condition = BuildSettingCondition.when(platforms: [.linux], configuration: .release)
    static let swiftSettings: [SwiftSetting] = [.unsafeFlags(["-static-stdlib"], condition)]
    /// `--no-export-dynamic`: nothing loads symbols from these executables, and a table of all
    /// 40,000 of them (3.7 MB) was searched by the dynamic linker on every start.
    /// `link/libstdc++.so`, a linker script found before the toolchain's shared library,
    /// links the C++ runtime in from libstdc++.a as well: fulcrumd keeps 1.1 MB less resident
    /// without libstdc++.so.6 mapped.
    static let linkerSettings: [LinkerSetting] = [
        .unsafeFlags(["-static-stdlib", "-Xlinker", "--no-export-dynamic", "-L\(Context.packageDirectory)/link"]
                     + packedRelocations, condition),
    ]

    static var packedRelocations: [String] {
        #if canImport(Glibc)
        var text = [CChar](repeating: 0, count: 64)  // "glibc 2.36"
        guard confstr(Int32(_CS_GNU_LIBC_VERSION), &text, text.count) > 0 else { return [] }
        let version = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .split(separator: " ").last?.split(separator: ".").compactMap { Int($0) } ?? []
        guard version.count >= 2, (version[0], version[1]) >= (2, 36) else { return [] }
        return ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"]
        #else
        return []
        #endif
    }
}

/// fulcrumd's release link lays out first the code it runs (Sources/fulcrumd/code-layout.order,
/// written by scripts/profile-code-layout): the kernel maps executable pages in 64 KB runs around
/// each page executed, so code run from hundreds of places across the 28 MB of text kept 17 MB
/// resident, and kept together it keeps 11 MB (docs/performance.md, "Code layout"). Symbols the
/// list names that the code no longer has are skipped, so a stale list only lays out less.
enum CodeLayout {
    static let orderFile = "code-layout.order"
    static let linkerSettings: [LinkerSetting] = [
        .unsafeFlags([
            "-use-ld=lld",
            "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/fulcrumd/\(orderFile)",
            "-Xlinker", "--no-warn-symbol-ordering",
        ], StaticSwiftRuntime.condition),
    ]
}

let package = Package(
    name: "Fulcrum",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "FulcrumCore", targets: ["FulcrumCore"]),
        .library(name: "FulcrumTraces", targets: ["FulcrumTraces"]),
        .library(name: "FulcrumSim", targets: ["FulcrumSim"]),
        .library(name: "FulcrumTelemetry", targets: ["FulcrumTelemetry"]),
        .executable(name: "fulcrum-sim", targets: ["fulcrum-sim"]),
        .library(name: "FulcrumEmu", targets: ["FulcrumEmu"]),
        .library(name: "FulcrumSystemd", targets: ["FulcrumSystemd"]),
        .library(name: "FulcrumConfiguration", targets: ["FulcrumConfiguration"]),
        .library(name: "FulcrumDecisionAPI", targets: ["FulcrumDecisionAPI"]),
        .library(name: "FulcrumControlAPI", targets: ["FulcrumControlAPI"]),
        .library(name: "FulcrumDaemon", targets: ["FulcrumDaemon"]),
        .executable(name: "fulcrumd", targets: ["fulcrumd"]),
        .executable(name: "fulcrum-emu", targets: ["fulcrum-emu"]),
        .executable(name: "fulcrumctl", targets: ["fulcrumctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics.git", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // Already in the graph through AsyncHTTPClient; named for TLS in the etcd and scrape clients.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .target(
            name: "FulcrumCore",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")]
        ),
        .target(
            name: "FulcrumTelemetry",
            dependencies: [
                "FulcrumCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "ParserBenchmark",
            dependencies: ["FulcrumTelemetry", "FulcrumCore"],
            path: "Benchmarks/ParserBenchmark"
        ),
        .target(
            name: "FulcrumStrictDecoding"
        ),
        .target(
            name: "FulcrumFileInput",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "FulcrumTraces",
            dependencies: ["FulcrumCore", "FulcrumStrictDecoding", "FulcrumFileInput", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "FulcrumSim",
            dependencies: [
                "FulcrumCore",
                "FulcrumTraces",
                "FulcrumFileInput",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CGlibcMalloc"),
        .target(
            name: "FulcrumSystemd",
            dependencies: [
                "CSystemd", "FulcrumCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .executableTarget(
            name: "ActuatorBenchmark",
            dependencies: ["FulcrumSystemd", "FulcrumCore", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/ActuatorBenchmark"
        ),
        .executableTarget(
            name: "fulcrumd",
            dependencies: [
                "FulcrumDaemon",
                "FulcrumConfiguration",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: [CodeLayout.orderFile],
            swiftSettings: StaticSwiftRuntime.swiftSettings,
            linkerSettings: StaticSwiftRuntime.linkerSettings + CodeLayout.linkerSettings
        ),
        .target(
            name: "FulcrumConfiguration",
            dependencies: ["FulcrumCore", "FulcrumFileInput", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "FulcrumDecisionAPI",
            dependencies: ["FulcrumCore", "FulcrumConfiguration", "FulcrumStrictDecoding"]
        ),
        .target(
            name: "FulcrumControlAPI",
            dependencies: ["FulcrumCore", "FulcrumDecisionAPI"]
        ),
        .target(
            name: "FulcrumCoordination",
            dependencies: [
                "FulcrumConfiguration",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "FulcrumDaemon",
            dependencies: [
                "CGlibcMalloc",
                "FulcrumCore",
                "FulcrumCoordination",
                "FulcrumConfiguration",
                "FulcrumControlAPI",
                "FulcrumDecisionAPI",
                "FulcrumTelemetry",
                "FulcrumSystemd",
                "CSystemd",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "FulcrumEmu",
            dependencies: [
                "FulcrumCore", "FulcrumSim", "FulcrumTraces", "FulcrumTelemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "fulcrum-emu",
            dependencies: [
                "FulcrumEmu", "FulcrumSim", "FulcrumTraces", "FulcrumFileInput",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "fulcrum-sim",
            dependencies: [
                "FulcrumSim",
                "FulcrumDecisionAPI",
                "FulcrumConfiguration",
                "FulcrumTraces",
                "FulcrumFileInput",
                "FulcrumCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "fulcrumctl",
            dependencies: [
                "FulcrumControlAPI",
                "FulcrumTelemetry",
                "FulcrumCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: StaticSwiftRuntime.swiftSettings,
            linkerSettings: StaticSwiftRuntime.linkerSettings
        ),
        .executableTarget(
            name: "ScrapeBenchmark",
            dependencies: [
                "FulcrumTelemetry",
                "FulcrumCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/ScrapeBenchmark"
        ),
        .executableTarget(
            name: "FrontierBenchmark",
            dependencies: ["FulcrumSim", "FulcrumTraces", "FulcrumCore"],
            path: "Benchmarks/FrontierBenchmark"
        ),
        .target(
            name: "CAllocationCounter",
            path: "Benchmarks/CAllocationCounter"
        ),
        .executableTarget(
            name: "ControllerBenchmark",
            dependencies: ["FulcrumCore", "CAllocationCounter"],
            path: "Benchmarks/ControllerBenchmark",
            // The allocation counter's malloc must be visible to the runtime's shared libraries.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"])]
        ),
        .executableTarget(
            name: "SimulatorBenchmark",
            dependencies: ["FulcrumSim", "FulcrumTraces", "FulcrumCore"],
            path: "Benchmarks/SimulatorBenchmark"
        ),
        .testTarget(
            name: "FulcrumCoreTests",
            dependencies: [
                "FulcrumCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .target(
            name: "FuzzEntries",
            dependencies: [
                "FulcrumTelemetry", "FulcrumConfiguration", "FulcrumDecisionAPI", "FulcrumTraces", "FulcrumDaemon", "FulcrumCore",
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Fuzz/FuzzEntries"
        ),
        .testTarget(
            name: "FuzzCorpusTests",
            dependencies: ["FuzzEntries", "FulcrumTestSupport"]
        ),
        .testTarget(
            name: "FulcrumTelemetryTests",
            dependencies: [
                "FulcrumTelemetry", "FuzzEntries",
                "FulcrumCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "FulcrumCoordinationTests",
            dependencies: [
                "FulcrumCoordination", "FulcrumConfiguration", "FulcrumTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "FulcrumDaemonTests",
            dependencies: [
                "FulcrumDaemon", "FulcrumConfiguration", "FulcrumControlAPI", "FulcrumCore", "FulcrumTelemetry", "FulcrumTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "FulcrumEmuTests",
            dependencies: [
                "FulcrumEmu", "FulcrumSim", "FulcrumTelemetry", "FulcrumCore", "FulcrumTraces",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "FulcrumTestSupport",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Tests/FulcrumTestSupport"
        ),
        .testTarget(
            name: "FulcrumSystemdTests",
            dependencies: [
                "FulcrumSystemd", "FulcrumCore", "FulcrumTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "FulcrumScraperTests",
            dependencies: [
                "FulcrumTelemetry", "FulcrumTestSupport",
                "FulcrumCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "FulcrumctlTests",
            dependencies: [
                // Built before the tests, which run the binary itself.
                "fulcrumctl", "FulcrumTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "FulcrumTracesTests",
            dependencies: ["FulcrumTraces"]
        ),
        .testTarget(
            name: "FulcrumDecisionAPITests",
            dependencies: [
                "FulcrumDecisionAPI", "FulcrumConfiguration", "FulcrumCore",
                // Built before the tests, which also drive `fulcrum-sim decide` as a process.
                "fulcrum-sim",
            ]
        ),
        .testTarget(
            name: "FulcrumStrictDecodingTests",
            dependencies: ["FulcrumStrictDecoding"]
        ),
        .testTarget(
            name: "FulcrumConfigurationTests",
            dependencies: ["FulcrumConfiguration", "FulcrumCore", "FulcrumTestSupport"]
        ),
        .testTarget(
            name: "FulcrumControlAPITests",
            dependencies: ["FulcrumControlAPI", "FulcrumDecisionAPI", "FulcrumCore"]
        ),
        .testTarget(
            name: "FulcrumSimTests",
            dependencies: ["FulcrumSim", "FulcrumCore", "FulcrumTraces"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer driver links LLVMFuzzerRunDriver, which exists only with -sanitize=fuzzer, so it
// is part of the package only when scripts/fuzz builds it (FULCRUM_FUZZ=1).
if Context.environment["FULCRUM_FUZZ"] != nil {
    package.targets.append(.executableTarget(name: "fulcrum-fuzz", dependencies: ["FuzzEntries"], path: "Fuzz/Driver"))
    package.products.append(.executable(name: "fulcrum-fuzz", targets: ["fulcrum-fuzz"]))
}
