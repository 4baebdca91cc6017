import Foundation
import Testing
import KubeModel
import TraefikGen

/// Golden files: `Golden/<input>.<target>.<format>.yaml`. Regenerate after an intended change with
/// `UPDATE_GOLDEN=1 swift test --filter GoldenTests`, then review the diff.
@Suite("Golden files")
struct GoldenTests {
    struct Case: Sendable, CustomStringConvertible {
        let input: String
        let target: TraefikTarget
        let format: TraefikGenerator.Format
        var file: String { "\(input).\(target.rawValue).\(format.rawValue).yaml" }
        var description: String { file }
    }

    static let cases: [Case] = Fixtures.inputNames.flatMap { input in
        TraefikTarget.allCases.flatMap { target in TraefikGenerator.Format.allCases.map { Case(input: input, target: target, format: $0) } }
    }

    @Test("output matches the golden file", arguments: cases)
    func golden(_ goldenCase: Case) throws {
        let spec = try Fixtures.input(goldenCase.input)
        let output = try TraefikGenerator(target: goldenCase.target).yaml(for: [spec], format: goldenCase.format)
        let url = Fixtures.golden.appendingPathComponent(goldenCase.file)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try Data(output).write(to: url)
            return
        }
        let expected = try #require(FileManager.default.contents(atPath: url.path), "missing \(goldenCase.file); run with UPDATE_GOLDEN=1")
        let actualLines = Fixtures.yamlText(output).split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        if let index = zip(actualLines, expectedLines).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("\(goldenCase.file) line \(index + 1): expected \"\(expectedLines[index])\", got \"\(actualLines[index])\"")
        }
        #expect(actualLines.count == expectedLines.count, "\(goldenCase.file): line counts differ")
        #expect(Array(expected) == output)
    }
}
