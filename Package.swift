// swift-tools-version:6.1
import PackageDescription

// Layers (see ../shared/DESIGN.md): pure targets first, I/O at the edge.
// KubeModel ← GuardRules ← GuardCheck ← guardctl
// KubeModel ← TraefikGen ← GuardCheck ← guard-traefik
let package = Package(
    name: "odoo-guard",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "KubeModel", targets: ["KubeModel"]),
        .library(name: "GuardRules", targets: ["GuardRules"]),
        .library(name: "TraefikGen", targets: ["TraefikGen"]),
        .library(name: "GuardCheck", targets: ["GuardCheck"]),
        .executable(name: "guardctl", targets: ["guardctl"]),
        .executable(name: "guard-traefik", targets: ["guard-traefik"]),
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
        // Pure: Traefik middlewares, routes and TLS options for Odoo environments (CRD or file provider).
        .target(name: "TraefikGen", dependencies: ["KubeModel"]),
        // The offline tools behind `guardctl check` and `guard-traefik`: file walking, reports, output.
        .target(name: "GuardCheck", dependencies: ["KubeModel", "GuardRules", "TraefikGen"]),
        // The executables' shared exit-code contract on top of ArgumentParser.
        .target(
            name: "CommandLineSupport",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "guardctl",
            dependencies: [
                "GuardCheck", "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "guard-traefik",
            dependencies: [
                "GuardCheck", "TraefikGen", "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers shared by the test targets: seeded random JSON, the Python jsonpatch cross-check.
        .target(name: "TestSupport", dependencies: ["KubeModel"], path: "Tests/TestSupport"),
        .testTarget(name: "KubeModelTests", dependencies: ["KubeModel", "TestSupport"]),
        .testTarget(name: "GuardRulesTests", dependencies: ["GuardRules", "KubeModel", "TestSupport"]),
        .testTarget(name: "GuardCheckTests", dependencies: ["GuardCheck", "GuardRules", "KubeModel", "TestSupport"]),
        .testTarget(name: "TraefikGenTests", dependencies: ["TraefikGen", "GuardCheck", "KubeModel", "TestSupport"],
                    exclude: ["Golden"]),
    ],
    swiftLanguageModes: [.v6]
)
