import Foundation
import Testing

/// Every link in the README and `docs/` resolves (issue #39): a relative link names a file or folder
/// that exists, and a `#fragment` a heading of its target, as GitHub makes anchors of headings.
@Suite("Documentation links")
struct LinkTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The Markdown files the test reads.
    static func pages() -> [URL] {
        var result = [root.appendingPathComponent("README.md")]
        let enumerator = FileManager.default.enumerator(at: root.appendingPathComponent("docs"), includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            if url.pathExtension == "md" { result.append(url) }
        }
        return result.sorted { $0.path < $1.path }
    }

    /// The links of `text` outside code (fenced blocks and inline spans): each target with its line.
    static func links(in text: String) -> [(line: Int, target: String)] {
        var result: [(Int, String)] = []
        var fenced = false
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if raw.hasPrefix("```") { fenced.toggle(); continue }
            guard !fenced else { continue }
            // Inline code spans are dropped first: a `[x](y)` inside one is not a link.
            let line = raw.replacing(#/`[^`]*`/#, with: "")
            for match in line.matches(of: #/\]\(([^)\s]+)\)/#) { result.append((index + 1, String(match.output.1))) }
        }
        return result
    }

    /// GitHub's anchor of a heading: lower case, code marks and punctuation other than `-` and `_`
    /// dropped, spaces as `-`.
    static func anchor(_ heading: String) -> String {
        heading.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == " " }
            .replacingOccurrences(of: " ", with: "-")
    }

    /// The anchors of a Markdown file's headings.
    static func anchors(of url: URL) throws -> Set<String> {
        var result: Set<String> = []
        var fenced = false
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            if line.hasPrefix("```") { fenced.toggle(); continue }
            guard !fenced, line.hasPrefix("#") else { continue }
            result.insert(anchor(String(line.drop { $0 == "#" }).trimmingCharacters(in: .whitespaces)))
        }
        return result
    }

    @Test func everyLinkResolves() throws {
        var checked = 0
        for page in Self.pages() {
            let text = try String(contentsOf: page, encoding: .utf8)
            for (line, target) in Self.links(in: text) {
                if target.hasPrefix("http://") || target.hasPrefix("https://") || target.hasPrefix("mailto:") { continue }
                checked += 1
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let file = parts[0].isEmpty ? page : page.deletingLastPathComponent().appendingPathComponent(parts[0]).standardizedFileURL
                let place = "\(page.path.replacingOccurrences(of: Self.root.path + "/", with: "")):\(line): \(target)"
                guard FileManager.default.fileExists(atPath: file.path) else {
                    Issue.record("\(place) names a file that does not exist")
                    continue
                }
                if parts.count == 2, file.pathExtension == "md" {
                    #expect(try Self.anchors(of: file).contains(parts[1]), "\(place): no heading makes the anchor #\(parts[1])")
                }
            }
        }
        #expect(checked > 50, "only \(checked) links were read: the reader is broken")
    }

    @Test func theReaderAndTheAnchorsAreGitHubs() {
        let text = "see [a](b.md#c) and `[not](x.md)`\n```\n[no](y.md)\n```\n[d](#e-f)"
        #expect(Self.links(in: text).map(\.target) == ["b.md#c", "#e-f"])
        #expect(Self.anchor("`guardctl policy masking-sql`") == "guardctl-policy-masking-sql")
        #expect(Self.anchor("Status conditions") == "status-conditions")
        #expect(Self.anchor("Sleeping outside working hours (development and staging)") == "sleeping-outside-working-hours-development-and-staging")
    }

    @Test func theReadmeIsAFrontDoor() throws {
        let lines = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count <= 250, "the README has \(lines.count) lines; move the detail to docs/")
    }
}
