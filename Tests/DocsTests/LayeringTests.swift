import Foundation
import Testing
import TestSupport

/// The layering comment at the top of Package.swift is true (issue #34): every `A ← B` it draws is a
/// direct dependency of B on A in the package as SwiftPM reads it, and the pure targets import no
/// networking or other I/O library.
@Suite("Package layering")
struct LayeringTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Each target's direct dependencies on other targets of the package, from `swift package dump-package`.
    static func targets() throws -> [String: Set<String>] {
        let scratch = NSTemporaryDirectory() + "odoo-guard-dump-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let (status, output) = try Subprocess.run("/usr/bin/env", ["swift", "package", "--package-path", root.path, "--scratch-path", scratch, "dump-package"])
        guard status == 0, let start = output.firstIndex(of: "{"),
              let json = try JSONSerialization.jsonObject(with: Data(output[start...].utf8)) as? [String: Any],
              let targets = json["targets"] as? [[String: Any]] else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "swift package dump-package failed: \(output.prefix(400))"])
        }
        var result: [String: Set<String>] = [:]
        for target in targets {
            guard let name = target["name"] as? String else { continue }
            let dependencies = (target["dependencies"] as? [[String: Any]] ?? []).compactMap { dependency in
                (dependency["byName"] as? [Any] ?? dependency["target"] as? [Any])?.first as? String
            }
            result[name] = Set(dependencies)
        }
        return result
    }

    /// The comment's chains: each a list of groups of target names, `←` between groups.
    static func chains() throws -> (chains: [[[String]]], pure: Set<String>) {
        let text = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init).drop { !$0.hasPrefix("// Layers") }.dropFirst(2).prefix { $0.hasPrefix("//") }
        var chains: [[[String]]] = []
        var pure: Set<String> = []
        var section = ""
        for line in lines {
            var body = String(line.dropFirst(2))
            for label in ["Pure:", "CLI:", "Edge:", "Docs:"] where body.trimmingCharacters(in: .whitespaces).hasPrefix(label) {
                section = label
                body = body.replacingOccurrences(of: label, with: "")
            }
            body = body.replacingOccurrences(of: #"\([^)]*\)"#, with: "", options: .regularExpression)
            for chain in body.split(separator: ";") {
                let groups = chain.components(separatedBy: "←").map { group in
                    group.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                }
                guard groups.count >= 2 else { continue }
                chains.append(groups)
                if section == "Pure:" { pure.formUnion(groups.joined()) }
            }
        }
        return (chains, pure)
    }

    @Test func theCommentMatchesThePackage() throws {
        let targets = try Self.targets()
        let (chains, pure) = try Self.chains()
        #expect(chains.count >= 8, "the layering comment was not found or not read")
        #expect(pure == ["KubeModel", "GuardRules", "TraefikGen", "OdooPlan", "FuzzEntryPoints"])
        for chain in chains {
            for name in chain.joined() { #expect(targets[name] != nil, "\(name) in the layering comment is not a target") }
            for (imported, importing) in zip(chain, chain.dropFirst()) {
                for user in importing {
                    for used in imported {
                        #expect(targets[user]?.contains(used) == true, "the comment says \(user) imports \(used); Package.swift does not")
                    }
                }
            }
        }
        // The pure targets depend only on pure targets (and the parsing and crypto libraries: libyaml's
        // event parser, CLibYAML, reads bytes it is handed and does no I/O).
        for name in pure {
            let foreign = (targets[name] ?? []).subtracting(pure).subtracting(["CLibYAML"])
            #expect(foreign.isEmpty, "pure target \(name) depends on \(foreign.sorted())")
        }
    }

    @Test func pureTargetsImportNoIO() throws {
        let forbidden = ["NIO", "AsyncHTTPClient", "Hummingbird", "PostgresNIO", "KubeClient", "KubeRuntime", "Logging", "ServiceLifecycle"]
        for target in try Self.chains().pure {
            let directory = Self.root.appendingPathComponent("Sources/\(target)")
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") }
            #expect(!files.isEmpty, "\(target) has no sources")
            for file in files {
                let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") where line.hasPrefix("import ") {
                    let module = line.dropFirst("import ".count).trimmingCharacters(in: .whitespaces)
                    #expect(!forbidden.contains { module.hasPrefix($0) }, "\(target)/\(file) imports \(module)")
                }
            }
        }
    }
}
