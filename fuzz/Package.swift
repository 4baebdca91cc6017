// swift-tools-version:6.1
// In-process fuzzing of odoo-guard's decoders and evaluator with libFuzzer (shipped with the Swift
// toolchain). A separate package: CI does not build it; it replays the corpus through the same entry
// points in `swift test` (FuzzCorpusTests). How to run: fuzz/README.md.
import Foundation
import PackageDescription

// The root package's identity is its directory name, which differs between checkouts.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent

// gold (the default linker here) fails with an internal error on the fuzzer runtime; lld links it.
let linker: [LinkerSetting] = [.unsafeFlags(["-use-ld=lld"])]

let package = Package(
    name: "odoo-guard-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: root.path)],
    targets: [
        .executableTarget(
            name: "FuzzReview",
            dependencies: [.product(name: "FuzzEntryPoints", package: rootIdentity)],
            linkerSettings: linker
        ),
        .executableTarget(
            name: "FuzzManifest",
            dependencies: [.product(name: "FuzzEntryPoints", package: rootIdentity)],
            linkerSettings: linker
        ),
    ]
)
