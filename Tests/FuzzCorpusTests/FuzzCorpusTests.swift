import Foundation
import FuzzEntryPoints
import GuardRules
import KubeModel
import Testing

/// The fuzzers' corpus, replayed on every test run: the seeds, and every input a fuzzer or the
/// reliability probe found crashing, stalling or breaking a promise (fuzz/README.md). Each must now
/// be handled without a trap, within the time bound, with no broken promise.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz/corpus")

    static func inputs(_ folder: String) -> [String] {
        let directory = corpus.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0).path }
    }

    @Test func theCorpusIsThere() {
        #expect(Self.inputs("review").count >= 20)
        #expect(Self.inputs("manifest").count >= 10)
    }

    /// Each kept input through its fuzzer's entry point.
    @Test(arguments: ["review", "manifest"])
    func everyInputIsHandled(_ target: String) throws {
        let entry: ([UInt8]) -> [String] = target == "review" ? { FuzzEntryPoints.review($0) } : { FuzzEntryPoints.manifest($0) }
        for path in Self.inputs(target) {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let started = ContinuousClock.now
            let problems = entry(bytes)
            #expect(problems.isEmpty, "\(path): \(problems)")
            // A bound against a hang or a quadratic blow-up, not a speed target (bench/ has those).
            #expect(ContinuousClock.now - started < .seconds(30), "\(path) took \(ContinuousClock.now - started)")
        }
    }
}

/// Issue #33's reproducers keep their meaning: the reviews that meant two things are refused, the
/// workloads without readable pods are denied in production.
extension FuzzCorpusTests {
    static let refusedReviews = ["no-namespace", "numeric-namespace", "kind-mismatch", "subresource-dotdot"]
    static let deniedReviews = ["template-spec-null", "containers-null", "containers-absent", "template-absent", "long-name-findings", "approver-groups"]

    @Test(arguments: refusedReviews + deniedReviews)
    func issue33ReproducersAreRefusedOrDenied(_ name: String) throws {
        let path = Self.corpus.appendingPathComponent("review/repro-\(name).json")
        let json = try JSONParser.parse([UInt8](Data(contentsOf: path)))
        guard let request = try? AdmissionReview(json: json).request else {
            #expect(Self.refusedReviews.contains(name), "\(name) was refused")
            return
        }
        #expect(Self.deniedReviews.contains(name), "\(name) was decoded")
        let context = EvaluationContext(namespace: NamespaceContext(name: "clinic", labels: [GuardLabels.stage: "production"]),
                                        now: Date(timeIntervalSince1970: 1_800_000_000))
        let decision = GuardEvaluator(policy: try GuardPolicy.builtIn()).evaluate(request, context: context, phase: .validating)
        #expect(!decision.allowed, "\(name) was allowed in production")
    }
}
