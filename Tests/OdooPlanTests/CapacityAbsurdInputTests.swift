import Foundation
import KubeModel
import OdooPlan
import Testing

/// Absurd `spec.scaling` and `spec.jobs`: refused by count, length or type, naming the field, in
/// bounded time and without a trap.
@Suite("Absurd scaling and jobs")
struct CapacityAbsurdInputTests {
    static func refusal(_ change: (inout JSONValue) -> Void) -> [FieldError]? {
        do {
            _ = try OdooEnvironment.decode(Fixtures.environment(change))
            return nil
        } catch {
            return error.fieldErrors
        }
    }

    @Test func absurdValuesAreRefusedNamingTheirField() {
        let started = Date()
        let cases: [(String, (inout JSONValue) -> Void, String)] = [
            ("a megabyte of channels", { $0.set(["channels": .string(String(repeating: "root.a:1,", count: 120_000))], at: "spec.jobs") }, "spec.jobs.channels"),
            ("10,000 channels within the length", { $0.set(["channels": .string("root:1" + String(repeating: ",root.b:1", count: 110))], at: "spec.jobs") }, "spec.jobs.channels"),
            ("workers as text", { $0.set(["workers": "two"], at: "spec.jobs") }, "spec.jobs.workers"),
            ("workers past Int64", { $0.set(["workers": .double(1e300)], at: "spec.jobs") }, "spec.jobs.workers"),
            ("10,000 floors", { $0.set(["minReplicas": 1, "maxReplicas": 2, "floors": .array(Array(repeating: ["schedule": "* * * * *", "durationMinutes": 1440, "minReplicas": 2], count: 10_000))], at: "spec.scaling") }, "spec.scaling.floors"),
            ("a floor that is a number", { $0.set(["minReplicas": 1, "maxReplicas": 2, "floors": [7]], at: "spec.scaling") }, "spec.scaling.floors[0]"),
            ("floors as an object", { $0.set(["minReplicas": 1, "maxReplicas": 2, "floors": ["a": 1]], at: "spec.scaling") }, "spec.scaling.floors"),
            ("a maximum of Int64.max", { $0.set(["minReplicas": 1, "maxReplicas": .int(.max)], at: "spec.scaling") }, "spec.scaling.maxReplicas"),
            ("a minimum below zero", { $0.set(["minReplicas": .int(.min), "maxReplicas": 2], at: "spec.scaling") }, "spec.scaling.minReplicas"),
            ("scaling as a list", { $0.set([1, 2], at: "spec.scaling") }, "spec.scaling"),
            ("a zone of 100,000 characters", { $0.set(["minReplicas": 1, "maxReplicas": 2, "timeZone": .string(String(repeating: "Europe/", count: 14_000))], at: "spec.scaling") }, "spec.scaling.timeZone"),
        ]
        for (description, change, path) in cases {
            let errors = Self.refusal(change)
            #expect(errors?.contains { $0.path.description == path } == true, "\(description): \(errors.map { "\($0)" } ?? "accepted")")
            #expect(errors?.allSatisfy { $0.message.utf8.count < 2_000 } == true, "\(description): the message does not echo the input whole")
        }
        #expect(Date().timeIntervalSince(started) < 5, "refused by count and length, not by evaluating them")
    }
}
