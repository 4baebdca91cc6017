// swift-tools-version:6.1
import PackageDescription

// Layers (see ../shared/DESIGN.md): pure targets first, I/O at the edge.
// KubeModel ← GuardRules ← GuardCheck ← guardctl
let package = Package(
    name: "odoo-guard",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "KubeModel", targets: ["KubeModel"]),
        .library(name: "GuardRules", targets: ["GuardRules"]),
        .library(name: "GuardCheck", targets: ["GuardCheck"]),
        .executable(name: "guardctl", targets: ["guardctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // Pure: JSON value, YAML/JSON input, object views, AdmissionReview, JSON Pointer/Patch/diff,
        // quantities, label selectors, image references, the GuardPolicy model.
        .target(
            name: "KubeModel",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        // Pure: every rule and the single evaluation entry point.
        .target(name: "GuardRules", dependencies: ["KubeModel"]),
        // The offline checker behind `guardctl check`: file walking, context building, reports.
        .target(name: "GuardCheck", dependencies: ["KubeModel", "GuardRules"]),
        .executableTarget(
            name: "guardctl",
            dependencies: [
                "GuardCheck",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers shared by the test targets: seeded random JSON, the Python jsonpatch cross-check.
        .target(name: "TestSupport", dependencies: ["KubeModel"], path: "Tests/TestSupport"),
        .testTarget(name: "KubeModelTests", dependencies: ["KubeModel", "TestSupport"]),
        .testTarget(name: "GuardRulesTests", dependencies: ["GuardRules", "KubeModel", "TestSupport"]),
        .testTarget(name: "GuardCheckTests", dependencies: ["GuardCheck", "GuardRules", "KubeModel", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
