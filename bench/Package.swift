// swift-tools-version:6.1
// Benchmarks of odoo-guard (ordo-one/benchmark). A separate package so the main build and CI do not
// compile the benchmark harness. Run: cd bench && swift package benchmark
import Foundation
import PackageDescription

// The root package's identity is its directory name, which differs between checkouts.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent

let package = Package(
    name: "odoo-guard-bench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: root.path),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "GuardBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "GuardRules", package: rootIdentity),
                .product(name: "GuardCheck", package: rootIdentity),
                .product(name: "KubeModel", package: rootIdentity),
                .product(name: "TraefikGen", package: rootIdentity),
                .product(name: "OdooPlan", package: rootIdentity),
                .product(name: "KubeClient", package: rootIdentity),
                .product(name: "KubeRuntime", package: rootIdentity),
                .product(name: "ImageProvenance", package: rootIdentity),
                .product(name: "AdmissionServer", package: rootIdentity),
                .product(name: "AuditTrail", package: rootIdentity),
                .product(name: "CommandLineSupport", package: rootIdentity),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/GuardBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ],
    swiftLanguageModes: [.v6]
)
