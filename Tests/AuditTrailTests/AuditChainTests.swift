import AuditTrail
import Foundation
import GuardRules
import KubeModel
import Testing

/// The chain itself, without a database: links, and every kind of tampering found at the right row.
@Suite struct AuditChainTests {
    static func rows(_ count: Int) -> [AuditChain.Row] {
        var head = AuditChain.genesis
        return (1...count).map { index in
            let record = #"{"uid":"u-\#(index)","decision":"allowed"}"#
            let hash = AuditChain.link(previousHash: head, record: record)
            defer { head = hash }
            return AuditChain.Row(sequence: Int64(index * 2), record: record, previousHash: head, hash: hash)
        }
    }

    static func verify(_ rows: [AuditChain.Row]) -> AuditChain.Verifier {
        var verifier = AuditChain.Verifier()
        for row in rows { verifier.feed(row) }
        return verifier
    }

    @Test func intactChainVerifiesAndLinkIsSHA256OfPreviousAndRecord() {
        let rows = Self.rows(5)
        let verifier = Self.verify(rows)
        #expect(verifier.firstBreak == nil)
        #expect(verifier.count == 5)
        #expect(verifier.head == rows.last?.hash)
        // Independent value: printf '%s\n%s' "$(printf '0%.0s' {1..64})" 'x' | sha256sum
        #expect(AuditChain.link(previousHash: AuditChain.genesis, record: "x")
                == "0152f4f98e11e409b35bfa9b5e18c329427b7f29deedbc071733db222ce38158")
    }

    @Test(arguments: [
        ("edited record", 2, "its hash does not match its content"),
        ("removed row", 2, "previous-hash does not match"),
        ("swapped rows", 1, "previous-hash does not match"),
        ("rewritten hash", 3, "previous-hash does not match"),
    ])
    func tamperingIsFoundAtTheFirstAffectedRow(kind: String, index: Int, reason: String) {
        var rows = Self.rows(5)
        switch kind {
        case "edited record": rows[index].record = rows[index].record.replacingOccurrences(of: "allowed", with: "denied")
        case "removed row": rows.remove(at: index)
        case "swapped rows": rows.swapAt(index, index + 1); (rows[index].sequence, rows[index + 1].sequence) = (rows[index + 1].sequence, rows[index].sequence)
        default: rows[index - 1].hash = AuditChain.link(previousHash: rows[index - 1].previousHash, record: "forged")
            rows[index - 1].record = "forged"
        }
        let verifier = Self.verify(rows)
        let broken = verifier.firstBreak
        #expect(broken?.sequence == rows[index].sequence, "\(kind)")
        #expect(broken?.reason.contains(reason) == true, "\(kind): \(broken?.reason ?? "")")
    }
}

@Suite("Change evidence in audit records")
struct ChangeEvidenceRecordTests {
    @Test func anApprovedProductionChangeCarriesItsEvidenceAndOtherRecordsAreUnchanged() throws {
        var decision = Decision()
        decision.auditAnnotations = ["decision": "allowed", "change-ref": "CHG-42", "approval": "clinic-prod/chg-42", "approved-by": "bob",
                                     "requested-by": "alice", "image-digest": "sha256:" + String(repeating: "b", count: 64),
                                     "promoted-from": "sha256:bbb clinic-staging/clinic 30.0 h", "stage": "production"]
        let record = AuditRecord(request: AuditFixtures.request(uid: "chg"), decision: decision, endpoint: "validate", allowed: true,
                                 policyVersion: "test@1", duration: .microseconds(7), time: Date(timeIntervalSince1970: 1_700_000_000))
        let evidence = try #require(record.jsonValue["evidence"]?.objectValue)
        #expect(Array(evidence.keys) == ["approval", "approved-by", "change-ref", "image-digest", "promoted-from", "requested-by"])
        #expect(evidence["approved-by"] == "bob" && evidence["requested-by"] == "alice")
        #expect(AuditFixtures.record(1).jsonValue["evidence"] == nil, "a record without evidence keeps its text")
        let link = AuditChain.link(previousHash: "", record: String(decoding: record.jsonValue.serializedBytes(), as: UTF8.self))
        #expect(link.count == 64, "the evidence is part of the hashed text")
    }
}
