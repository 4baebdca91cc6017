import Foundation
import Testing

/// Examples do not rot with the calendar (issue #39): no `expiresAt` in `examples/`, the README or
/// `docs/` falls within a year of the day the tests run, so the main job judges the same next month.
@Suite("Examples and the calendar")
struct ExampleCalendarTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every `expiresAt: <RFC 3339 time>` in `text`, with its line number.
    static func expiries(in text: String) -> [(line: Int, time: String)] {
        var result: [(Int, String)] = []
        let pattern = #/expiresAt"?\s*:\s*"?(\d{4}-\d{2}-\d{2}T[0-9:.]+Z)/#
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for match in line.matches(of: pattern) { result.append((index + 1, String(match.output.1))) }
        }
        return result
    }

    /// The files the test reads: every example, the README and every page of `docs/`.
    static func files() -> [URL] {
        var result = [root.appendingPathComponent("README.md")]
        for folder in ["examples", "docs"] {
            let enumerator = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                if ["yaml", "yml", "md", "json"].contains(url.pathExtension) { result.append(url) }
            }
        }
        return result
    }

    @Test func noExampleExpiresWithinAYear() throws {
        let limit = Date().addingTimeInterval(366 * 86_400)
        let parser = ISO8601DateFormatter()
        var seen = 0
        for file in Self.files() {
            let text = try String(contentsOf: file, encoding: .utf8)
            seen += text.components(separatedBy: "expiresIn: ").count - 1
            for (line, time) in Self.expiries(in: text) {
                seen += 1
                let date = try #require(parser.date(from: time), "\(file.path):\(line): \(time) is not an RFC 3339 time")
                #expect(date > limit, "\(file.path):\(line): expiresAt \(time) is within a year; use a far date or a relative one")
            }
        }
        #expect(seen > 0, "no expiresAt or expiresIn was found: the reader or the file list is broken")
    }

    @Test func theReaderFindsQuotedAndBareTimes() {
        let text = "a: 1\n  expiresAt: \"2026-12-10T00:00:00Z\"\n{\"expiresAt\": \"2030-01-01T00:00:00Z\"}\nexpiresAt: 2031-01-01T00:00:00.5Z"
        #expect(Self.expiries(in: text).map(\.line) == [2, 3, 4])
    }
}
