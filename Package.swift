// swift-tools-version:6.1
import PackageDescription

// Layers (see ../shared/DESIGN.md): pure targets first, I/O at the edge. `A ← B` says B imports A;
// LayeringTests (DocsTests) holds this comment to the targets below, and the pure ones to no I/O.
// Pure:  KubeModel (YAML through libyaml's events: CLibYAML) ← GuardRules (rules, evaluation, PolicyReports) ← OdooPlan ← FuzzEntryPoints
//        KubeModel ← TraefikGen ← OdooPlan
// CLI:   GuardRules, TraefikGen, OdooPlan ← GuardCheck ← GuardCtlCommands ← guardctl, guardctl-full
//        AuditTrail, ImageProvenance, CertKit ← guardctl-full;  GuardCheck ← guard-traefik
// Edge:  KubeModel ← KubeClient ← KubeRuntime ← OdooOperator ← guard-operator
//        GuardRules, KubeClient ← PolicyAudit (background audit) ← OdooOperator
//        PostgresAccess ← Provisioning (roles, Redis ACL users) ← OdooOperator;  ImageProvenance ← OdooOperator, AdmissionServer
//        GuardRules, PostgresAccess ← AuditTrail ← AdmissionServer ← guard-webhook
// Docs:  GuardRules, AdmissionServer, OdooOperator ← ReferenceDocs (docs/reference/ from the code) ← gen-docs
let package = Package(
    name: "odoo-guard",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "KubeModel", targets: ["KubeModel"]),
        .library(name: "GuardRules", targets: ["GuardRules"]),
        .library(name: "TraefikGen", targets: ["TraefikGen"]),
        .library(name: "GuardCheck", targets: ["GuardCheck"]),
        .executable(name: "guardctl", targets: ["guardctl"]),
        .executable(name: "guardctl-full", targets: ["guardctl-full"]),
        .executable(name: "guard-traefik", targets: ["guard-traefik"]),
        .executable(name: "guard-webhook", targets: ["guard-webhook"]),
        .library(name: "AdmissionServer", targets: ["AdmissionServer"]),
        .library(name: "AuditTrail", targets: ["AuditTrail"]),
        .library(name: "CommandLineSupport", targets: ["CommandLineSupport"]),
        .library(name: "PostgresAccess", targets: ["PostgresAccess"]),
        .library(name: "CertKit", targets: ["CertKit"]),
        .library(name: "ImageProvenance", targets: ["ImageProvenance"]),
        .library(name: "KubeClient", targets: ["KubeClient"]),
        .library(name: "KubeRuntime", targets: ["KubeRuntime"]),
        .library(name: "OdooPlan", targets: ["OdooPlan"]),
        .library(name: "OdooOperator", targets: ["OdooOperator"]),
        .library(name: "PolicyAudit", targets: ["PolicyAudit"]),
        .library(name: "Provisioning", targets: ["Provisioning"]),
        .library(name: "FuzzEntryPoints", targets: ["FuzzEntryPoints"]),
        .executable(name: "guard-operator", targets: ["guard-operator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        // Already in the graph through hummingbird; declared because AdmissionServer imports it.
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
    ],
    targets: [
        // Pure: JSON value, YAML/JSON input, object views, AdmissionReview, JSON Pointer/Patch/diff,
        // quantities, label selectors, image references, the kind catalogue, applied-configuration hashes.
        // libyaml's event parser (Debian: libyaml-dev), for the YAML reader; zlib (zlib1g-dev) for compact caches.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLibYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .target(
            name: "KubeModel",
            dependencies: [
                "CLibYAML",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        // Pure: every rule and the single evaluation entry point.
        // (Crypto only for the trusted cosign keys' P-256 parsing; no I/O.)
        .target(name: "GuardRules", dependencies: ["KubeModel", .product(name: "Crypto", package: "swift-crypto")]),
        // Pure: Traefik middlewares, routes and TLS options for Odoo environments (CRD or file provider).
        .target(name: "TraefikGen", dependencies: ["KubeModel"]),
        // Pure: an OdooEnvironment plus the operator's configuration and observations → desired objects and
        // status; one observation → one Reconciliation (the writes, the status, the requeue); the policy gate.
        .target(name: "OdooPlan", dependencies: ["KubeModel", "TraefikGen", "GuardRules", .product(name: "Crypto", package: "swift-crypto")]),
        // Pure: what the libFuzzer harnesses in fuzz/ and the corpus replay test run on each input.
        .target(name: "FuzzEntryPoints", dependencies: ["KubeModel", "GuardRules", "OdooPlan"]),
        // The offline tools behind `guardctl check` and `guard-traefik`: file walking, reports, output.
        .target(name: "GuardCheck", dependencies: ["KubeModel", "GuardRules", "TraefikGen", "OdooPlan", .product(name: "Crypto", package: "swift-crypto")]),
        // Certificates: a CA and serving certificates (ECDSA P-256) for the webhook and its tests.
        .target(
            name: "CertKit",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // I/O: decision evidence — JSON log lines and a hash-chained PostgreSQL table, written off the request path.
        // Edge: a PostgreSQL DSN (from a flag or a mounted file) turned into a postgres-nio configuration.
        .target(
            name: "PostgresAccess",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]
        ),
        .target(
            name: "AuditTrail",
            dependencies: [
                "KubeModel", "GuardRules", "PostgresAccess",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Edge: the HTTPS admission server — hardening, routes, certificate and policy reload, metrics, health.
        .target(
            name: "AdmissionServer",
            dependencies: [
                "KubeModel", "GuardRules", "AuditTrail", "PostgresAccess", "ImageProvenance", "KubeClient", "KubeRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // I/O: OCI registry client (manifests, blobs, basic and bearer auth), tag → digest resolution,
        // cosign signature verification, single-flight TTL cache.
        .target(
            name: "ImageProvenance",
            dependencies: [
                "KubeModel", "GuardRules",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // I/O: the Kubernetes API — kubeconfig and in-cluster configuration, raw and typed CRUD,
        // JSON/merge/server-side-apply patches, watch streams, Status errors.
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Controllers on top of KubeClient: watcher, reflector cache, work queue, controller service,
        // Lease leader election, event recorder, finalizers.
        .target(
            name: "KubeRuntime",
            dependencies: [
                "KubeModel", "KubeClient", "CZlib",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // I/O: the OdooEnvironment reconciler's observation (caches, registry, Job pods) and executor (Secrets →
        // server-side apply → prune → Job → database → status), its metrics and health server, `guard-operator`'s wiring.
        .target(
            name: "OdooOperator",
            dependencies: [
                "KubeModel", "KubeClient", "KubeRuntime", "OdooPlan", "TraefikGen", "GuardRules", "PolicyAudit", "ImageProvenance", "Provisioning", "PostgresAccess",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // Edge: the background audit, judging what runs with the webhook's own rules and writing PolicyReports.
        .target(
            name: "PolicyAudit",
            dependencies: [
                "KubeModel", "KubeClient", "GuardRules",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Edge: tenants' PostgreSQL roles and databases (postgres-nio) and Redis ACL users (RESP over SwiftNIO).
        .target(
            name: "Provisioning",
            dependencies: [
                "PostgresAccess",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The executables' shared exit-code contract on top of ArgumentParser.
        .target(
            name: "CommandLineSupport",
            dependencies: ["KubeModel", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log")]
        ),
        // guardctl's check, render and policy commands, shared by both executables, and the hand-over to guardctl-full.
        .target(
            name: "GuardCtlCommands",
            dependencies: ["GuardCheck", "KubeModel", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The light CLI: no PostgreSQL, HTTP client, TLS or X.509 code, so a clean `swift run guardctl check` builds in minutes.
        .executableTarget(
            name: "guardctl",
            dependencies: [
                "GuardCtlCommands", "GuardCheck", "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Every guardctl command, with audit, evidence, verify-image, certs and check --registry (guardctl starts it for those).
        .executableTarget(
            name: "guardctl-full",
            dependencies: [
                "GuardCtlCommands", "GuardCheck", "GuardRules", "KubeModel", "CommandLineSupport", "AuditTrail", "PostgresAccess", "ImageProvenance", "CertKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "guard-webhook",
            dependencies: [
                "AdmissionServer", "AuditTrail", "PostgresAccess", "CommandLineSupport", "KubeClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "guard-operator",
            dependencies: [
                "OdooOperator", "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "guard-traefik",
            dependencies: [
                "GuardCheck", "TraefikGen", "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // docs/reference/ from the code: rule catalogue, CRDs, metric registries, --help (scripts/gen-docs).
        .target(
            name: "ReferenceDocs",
            dependencies: [
                "GuardRules", "KubeModel", "AdmissionServer", "OdooOperator",
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "gen-docs",
            dependencies: ["ReferenceDocs", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Benchmark floor only (bench/webhook-load.sh): the same HTTPS stack returning a fixed AdmissionReview.
        .executableTarget(
            name: "webhook-floor",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "bench/WebhookFloor"
        ),
        // Operator load benchmark (bench/REPORT.md): guard-operator as a process against the in-process API test server.
        .executableTarget(
            name: "operator-load",
            dependencies: [
                "KubeAPITestServer", "KubeClient", "KubeModel", "KubeRuntime", "OdooOperator", "OdooPlan", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/OperatorLoad"
        ),
        // Helpers shared by the test targets: seeded random JSON, the Python jsonpatch cross-check.
        .target(
            name: "TestSupport",
            dependencies: [
                "KubeModel", "CertKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/TestSupport"
        ),
        // The in-process HTTPS Kubernetes API server the KubeClient, KubeRuntime and operator tests talk to.
        .target(
            name: "KubeAPITestServer",
            dependencies: [
                "KubeModel", "KubeClient", "CertKit", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/KubeAPITestServer"
        ),
        .testTarget(
            name: "KubeRuntimeTests",
            dependencies: [
                "KubeClient", "KubeRuntime", "KubeModel", "KubeAPITestServer", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The client against the API test server (and a real cluster with KUBECONFIG): semantics, kubeconfig, metadata-only reads.
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "KubeClient", "KubeModel", "KubeAPITestServer", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "KubeModelTests", dependencies: ["KubeModel", "TestSupport"]),
        .testTarget(name: "GuardRulesTests", dependencies: ["GuardRules", "KubeModel", "TestSupport",
                                                           .product(name: "Crypto", package: "swift-crypto")],
                    exclude: ["Golden"]),
        .testTarget(name: "GuardCheckTests", dependencies: ["GuardCheck", "GuardRules", "KubeModel", "TestSupport"]),
        .testTarget(name: "TraefikGenTests", dependencies: ["TraefikGen", "OdooPlan", "GuardCheck", "KubeModel", "TestSupport"],
                    exclude: ["Golden"]),
        .testTarget(name: "OdooPlanTests", dependencies: ["OdooPlan", "GuardCheck", "GuardRules", "KubeModel", "TestSupport"], exclude: ["Golden"]),
        .testTarget(
            name: "OdooOperatorTests",
            dependencies: [
                "OdooOperator", "OdooPlan", "GuardRules", "PolicyAudit", "KubeClient", "KubeRuntime", "KubeModel", "KubeAPITestServer", "TestSupport", "Provisioning", "TraefikGen",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "CertKitTests", dependencies: ["CertKit", "TestSupport"]),
        // Every input kept in fuzz/corpus (seeds and reproducers) through the fuzzers' entry points.
        .testTarget(name: "FuzzCorpusTests", dependencies: ["FuzzEntryPoints", "GuardRules", "KubeModel"]),
        // The README's and certs/README.md's synopses against the built executables' --help.
        .testTarget(name: "DocsTests", dependencies: ["TestSupport", "ReferenceDocs"]),
        // The Helm chart through the real helm, kubernetes-validate and openssl.
        .testTarget(name: "ChartTests", dependencies: ["KubeModel", "GuardRules", "KubeAPITestServer", "KubeClient", "TestSupport",
                                                     "AdmissionServer", "OdooOperator", "OdooPlan", "KubeRuntime"],
                    exclude: ["Alerts"]),
        .testTarget(name: "ProvisioningTests", dependencies: ["Provisioning", "PostgresAccess", "OdooPlan", "KubeModel", "TestSupport",
                                                                .product(name: "Logging", package: "swift-log"),
                                                                .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(
            name: "ImageProvenanceTests",
            dependencies: [
                "ImageProvenance", "GuardRules", "KubeModel", "CertKit", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "AuditTrailTests", dependencies: ["AuditTrail", "PostgresAccess", "GuardRules", "KubeModel", "TestSupport", "CommandLineSupport",
                                                             .product(name: "Logging", package: "swift-log")],
                    exclude: ["Golden"]),
        .testTarget(
            name: "AdmissionServerTests",
            dependencies: [
                "AdmissionServer", "AuditTrail", "ImageProvenance", "PostgresAccess", "CertKit", "GuardRules", "GuardCheck", "KubeModel", "TestSupport",
                "KubeClient", "KubeAPITestServer", "CommandLineSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
