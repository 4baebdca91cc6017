import Foundation
import TestSupport
import Testing

/// The synopses in the guides (`docs/`, outside the generated references) and `certs/README.md`
/// against the built executables' `--help`: every option a command takes is in its synopsis, and the
/// synopsis names no option the command lacks. (`docs/reference/cli.md` is the `--help` itself.)
@Suite("Documented synopses")
struct SynopsisTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Case: Sendable, CustomStringConvertible {
        let document: String
        let synopsis: String
        let executable: String
        let arguments: [String]
        var description: String { synopsis.trimmingCharacters(in: .whitespaces) + " (\(document))" }
    }

    static let cases: [Case] = [
        Case(document: "docs/policy/check.md", synopsis: "guardctl check ", executable: "guardctl", arguments: ["check", "--help"]),
        Case(document: "docs/tenants/environments.md", synopsis: "guardctl render ", executable: "guardctl", arguments: ["render", "--help"]),
        // Through guardctl, which hands these to guardctl-full: the hand-over is part of what is documented.
        Case(document: "docs/audit/README.md", synopsis: "guardctl audit verify ", executable: "guardctl", arguments: ["audit", "verify", "--help"]),
        Case(document: "docs/audit/README.md", synopsis: "guardctl evidence ", executable: "guardctl", arguments: ["evidence", "--help"]),
        Case(document: "docs/policy/provenance.md", synopsis: "guardctl verify-image ", executable: "guardctl", arguments: ["verify-image", "--help"]),
        Case(document: "certs/README.md", synopsis: "guardctl certs generate ", executable: "guardctl", arguments: ["certs", "generate", "--help"]),
        Case(document: "certs/README.md", synopsis: "guardctl certs rotate ", executable: "guardctl", arguments: ["certs", "rotate", "--help"]),
        Case(document: "docs/tenants/routing.md", synopsis: "guard-traefik ", executable: "guard-traefik", arguments: ["--help"]),
        Case(document: "docs/install/webhook.md", synopsis: "guard-webhook ", executable: "guard-webhook", arguments: ["--help"]),
        Case(document: "docs/tenants/environments.md", synopsis: "guard-operator ", executable: "guard-operator", arguments: ["--help"]),
    ]

    /// The synopsis starting with `prefix`: in a code block, its line and the indented lines after it
    /// (the first such text with an optional part); inline, the text up to the closing backtick.
    static func synopsis(_ prefix: String, in text: String) -> String? {
        let lines = text.components(separatedBy: "\n")
        for (index, line) in lines.enumerated() {
            if line.hasPrefix("`" + prefix) {
                let rest = ([String(line.dropFirst())] + lines[(index + 1)...]).joined(separator: "\n")
                return rest.firstIndex(of: "`").map { String(rest[..<$0]) }
            }
            guard line.hasPrefix(prefix) else { continue }
            let continuation = lines[(index + 1)...].prefix { $0.hasPrefix(" ") && $0.trimmingCharacters(in: .whitespaces).hasPrefix("[") }
            let text = ([line] + continuation).joined(separator: "\n")
            // An example command line (no optional parts) is not the synopsis.
            if text.contains("[") { return text }
        }
        return nil
    }

    /// The long options `text` names (`--name`), with short ones (`-f`) as `short` maps them.
    static func options(in text: String, short: [String: String] = [:]) -> Set<String> {
        var result: Set<String> = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let boundary = index == 0 || " [(|\n".contains(characters[index - 1])
            if boundary, characters[index] == "-", index + 1 < characters.count {
                let end = characters[(index + 1)...].firstIndex { !($0.isLetter || $0.isNumber || $0 == "-") } ?? characters.count
                let word = String(characters[index..<end])
                if word.hasPrefix("--"), word.count > 2 { result.insert(word) } else if let long = short[word] { result.insert(long) }
                index = end
            } else {
                index += 1
            }
        }
        return result
    }

    /// The options `--help` lists (its option column only), and its short-to-long map.
    static func helpOptions(_ help: String) -> (options: Set<String>, short: [String: String]) {
        var options: Set<String> = []
        var short: [String: String] = [:]
        for line in help.components(separatedBy: "\n") where line.hasPrefix("  -") {
            let column = String(line.dropFirst(2)).components(separatedBy: "  ").first ?? ""
            let names = column.components(separatedBy: ", ").map { $0.components(separatedBy: " ").first ?? "" }
            guard let long = names.first(where: { $0.hasPrefix("--") }) else { continue }
            options.insert(long)
            for name in names where name.hasPrefix("-") && !name.hasPrefix("--") { short[name] = long }
        }
        return (options.subtracting(["--help", "--version"]), short)
    }

    @Test("each synopsis names exactly the options of --help", arguments: cases)
    func synopsisMatchesHelp(_ example: Case) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent(example.document), encoding: .utf8)
        let synopsis = try #require(Self.synopsis(example.synopsis, in: text), "no synopsis starting with \"\(example.synopsis)\" in \(example.document)")
        let run = try Subprocess.run(ExecutablePath.built(example.executable), example.arguments)
        #expect(run.status == 0, "\(example.arguments): \(run.output)")
        let help = Self.helpOptions(run.output)
        #expect(!help.options.isEmpty, "no options read from: \(run.output)")
        let documented = Self.options(in: synopsis, short: help.short)
        #expect(help.options.subtracting(documented).isEmpty, "\(example): undocumented \(help.options.subtracting(documented).sorted())")
        #expect(documented.subtracting(help.options).isEmpty, "\(example): documented but unknown \(documented.subtracting(help.options).sorted())")
    }

    @Test func theReaderFindsBothForms() {
        let text = "x\n```\ntool run [--a N] [--b]\n     [--c X]\nother [--d]\n```\n`tool go [--e]\n[--f]` and more [--g]."
        #expect(Self.options(in: Self.synopsis("tool run ", in: text) ?? "") == ["--a", "--b", "--c"])
        #expect(Self.options(in: Self.synopsis("tool go ", in: text) ?? "") == ["--e", "--f"])
        let help = Self.helpOptions("OPTIONS:\n  -f, --file <file>       A file.\n  --out <out>             Where; see --other.\n  -h, --help              Help.\n")
        #expect(help.options == ["--file", "--out"] && help.short == ["-f": "--file", "-h": "--help"])
    }
}
