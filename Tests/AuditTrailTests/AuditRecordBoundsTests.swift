import AuditTrail
import Foundation
import GuardRules
import KubeModel
import Testing
import TestSupport

/// Issue #33: an audit record (and so its log line) is bounded whatever the request: a user with
/// 200,000 groups or a 100 KB name is cut, and the chain keeps the SHA-256 of what was cut.
@Suite struct AuditRecordBoundsTests {
    @Test func hugeNamesAndGroupListsAreCutAndTheirDigestsKept() throws {
        let groups = (0..<200_000).map { "group-\($0)" }
        let name = String(repeating: "n", count: 100_000)
        var request = AuditFixtures.request(uid: "uid-big")
        request.name = name
        request.userInfo = UserInfo(username: String(repeating: "u", count: 5_000), groups: groups)
        let record = AuditRecord(request: request, decision: Decision(), endpoint: "validate", allowed: true, policyVersion: "test@1",
                                 duration: .microseconds(1), time: Date(timeIntervalSince1970: 1_700_000_000))
        let text = record.jsonValue.serializedBytes()
        #expect(text.count < 64 * 1_024, "\(text.count) bytes")
        #expect(record.groups.count == AuditRecord.maxGroups)
        #expect(record.name.hasSuffix("…") && record.name.utf8.count <= EchoBudget.value + 3)
        #expect(Set(record.truncated.keys) == ["groups", "name", "user"])
        // The digests are of the whole texts, as an independent implementation computes them.
        let expected = try PythonScript.run("""
            import hashlib, json, sys
            texts = json.load(open(sys.argv[1]))
            print(json.dumps({k: "sha256:%s (%d bytes)" % (hashlib.sha256(v.encode()).hexdigest(), len(v.encode())) for k, v in texts.items()}))
            """, input: ["groups": .string(groups.joined(separator: "\n")), "name": .string(name), "user": .string(request.userInfo.username)],
            needs: "hashlib")
        #expect(expected.stringMap == record.truncated)
        // What the chain stores reads back as the same record.
        #expect(try AuditRecord(json: record.jsonValue) == record)
        // The log line carries the cut values too.
        if case .array(let logged)? = record.logMetadata["user.groups"] { #expect(logged.count == AuditRecord.maxGroups) } else {
            Issue.record("user.groups is not a list in the log metadata")
        }
    }

    @Test func anOrdinaryRecordIsUnchanged() {
        let record = AuditFixtures.record(1)
        #expect(record.truncated.isEmpty)
        #expect(record.jsonValue["truncated"] == nil)
    }
}
