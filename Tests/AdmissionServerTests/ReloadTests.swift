import AdmissionServer
import AsyncHTTPClient
import CertKit
import Foundation
import GuardRules
import KubeModel
import NIOCore
import Testing
import TestSupport

/// Certificate rotation under load, broken pairs, policy hot reload, graceful shutdown.
@Suite struct ReloadTests {
    static func waitUntil(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<100 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("condition not met within 5 s")
    }

    @Test func certificateRotatesUnderLoadWithoutAFailedRequestAndABrokenPairKeepsTheOld() async throws {
        let harness = try await WebhookHarness.start()
        do {
            let newCA = harness.nextCA
            let object = try Review.manifest("examples/noncompliant/odoo-web-insecure.yaml", kind: "Deployment")
            // Load: 4 workers, each with its own client (new connections are made as pools recycle).
            let failures = Failures()
            let load = Task {
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            while !Task.isCancelled {
                                _ = try? await WebhookHarness.withClient(trusting: [harness.ca, newCA]) { client in
                                    for _ in 0..<5 where !Task.isCancelled {
                                        do {
                                            let reply = try await harness.post("/validate", Review.body(object: object), using: client)
                                            if reply.status != 200 { await failures.add("status \(reply.status)") }
                                        } catch {
                                            if !Task.isCancelled { await failures.add("\(error)") }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            let leaf = try newCA.issueServingCertificate(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
            try WebhookHarness.write(leaf, to: harness.directory)
            try await Self.waitUntil { try await harness.metric(#"odoo_guard_certificate_reloads_total{result="success"}"#) == 1 }
            try await Task.sleep(for: .milliseconds(300))
            load.cancel()
            _ = await load.value
            let failed = await failures.list
            #expect(failed.isEmpty, "\(failed.prefix(3))")

            // New handshakes present the new pair: a client trusting only the new CA succeeds, only the old CA fails.
            let viaNew = try await WebhookHarness.withClient(trusting: [newCA]) { onlyNew in
                try await harness.post("/validate", Review.body(object: object), using: onlyNew).status
            }
            #expect(viaNew == 200)
            try await WebhookHarness.withClient(trusting: [harness.ca], connectTimeout: .milliseconds(500)) { onlyOld in
                await #expect(throws: (any Error).self) { _ = try await harness.post("/validate", Review.body(object: object), using: onlyOld) }
            }

            // A broken pair (key of another certificate) is refused; the current one keeps serving and /readyz stays up.
            // Counted from what the rotation left: the certificate and the key are written one after the other, and a
            // poll between the two writes can see a mismatched pair and count a failure (Kubernetes swaps both at once).
            let failuresBefore = try await harness.metric(#"odoo_guard_certificate_reloads_total{result="failure"}"#)
            let other = try newCA.issueServingCertificate(dnsNames: ["other"])
            try Data(other.privateKeyPEM.utf8).write(to: URL(fileURLWithPath: harness.keyFile))
            try await Self.waitUntil {
                try await harness.metric(#"odoo_guard_certificate_reloads_total{result="failure"}"#) == failuresBefore + 1
            }
            let viaFresh = try await WebhookHarness.withClient(trusting: [newCA]) { fresh in
                try await harness.post("/validate", Review.body(object: object), using: fresh).status
            }
            #expect(viaFresh == 200)
            #expect(try await harness.get("/readyz").status == 200)
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }

    @Test func policyChangesApplyAtomicallyAndAnInvalidPolicyKeepsTheOld() async throws {
        let harness = try await WebhookHarness.start()
        do {
            let object = try Review.manifest("examples/noncompliant/odoo-web-insecure.yaml", kind: "Deployment")
            let before = try await harness.post("/validate", Review.body(object: object)).response
            #expect(before["allowed"] == .bool(false))
            let oldVersion = harness.server.policies.state.policyVersion

            // Every rule in warn mode: the same object is now allowed, with warnings.
            let relaxed = GuardPolicy.builtInDefaultText.replacingOccurrences(of: "mode: enforce", with: "mode: warn")
                .replacingOccurrences(of: ": enforce", with: ": warn")
            try Data(relaxed.utf8).write(to: URL(fileURLWithPath: harness.policyFile))
            try await Self.waitUntil { harness.server.policies.state.policyVersion != oldVersion }
            let after = try await harness.post("/validate", Review.body(object: object)).response
            #expect(after["allowed"] == .bool(true), "\(after)")
            #expect(after["warnings"]?.arrayValue?.isEmpty == false)
            #expect(after["auditAnnotations"]?["policy-version"]?.stringValue == harness.server.policies.state.policyVersion)

            // An invalid policy: the relaxed one stays in force and the failure is counted.
            let newVersion = harness.server.policies.state.policyVersion
            try Data("apiVersion: odooguard.io/v1alpha1\nkind: GuardPolicy\nspec:\n  defaultMode: maybe\n".utf8)
                .write(to: URL(fileURLWithPath: harness.policyFile))
            try await Self.waitUntil { try await harness.metric(#"odoo_guard_policy_reloads_total{result="failure"}"#) == 1 }
            #expect(harness.server.policies.state.policyVersion == newVersion)
            #expect(try await harness.post("/validate", Review.body(object: object)).response["allowed"] == .bool(true))

            // The probe's crash: a quantity past the range in a policy trapped every replica on reload.
            // Now it is one more failed reload, and the server keeps answering.
            try Data(Self.outOfRangePolicy.utf8).write(to: URL(fileURLWithPath: harness.policyFile))
            try await Self.waitUntil { try await harness.metric(#"odoo_guard_policy_reloads_total{result="failure"}"#) == 2 }
            #expect(try await harness.post("/validate", Review.body(object: object)).response["allowed"] == .bool(true))
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()
    }

    static let outOfRangePolicy = "apiVersion: odooguard.io/v1alpha1\nkind: GuardPolicy\nmetadata: {name: p}\nspec:\n  tiers: {shared: {maximum: {memory: 99999999999999999999Ti}}}\n"

    @Test func aPolicyWithAnOutOfRangeQuantityIsRefusedAtStartByItsPath() async throws {
        do {
            let harness = try await WebhookHarness.start(policy: Self.outOfRangePolicy)
            try await harness.shutdown()
            Issue.record("the webhook started with an out-of-range policy")
        } catch let error as AdmissionServerError {
            #expect(error.description.contains("spec.tiers.shared.maximum.memory"), "\(error)")
            #expect(error.description.contains("out of range"), "\(error)")
        }
    }

    @Test func shutdownFinishesTheRequestInFlight() async throws {
        let harness = try await WebhookHarness.start()
        do {
            let object = try Review.manifest("examples/noncompliant/odoo-web-insecure.yaml", kind: "Deployment")
            let body = Review.body(uid: "in-flight", object: object)
            let (reply, answered, stopped) = try await WebhookHarness.withClient(trusting: [harness.ca]) { client in
                let inFlight = Task {
                    var request = HTTPClientRequest(url: harness.baseURL + "/validate")
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .stream(SlowBody(bytes: body), length: .known(Int64(body.count)))
                    return try await harness.execute(request, client: client)
                }
                try await Task.sleep(for: .milliseconds(200))
                let clock = ContinuousClock.now
                let stopping = Task { try await harness.shutdown() }
                let reply = try await inFlight.value
                let answered = ContinuousClock.now - clock
                try await stopping.value
                return (reply, answered, ContinuousClock.now - clock)
            }
            #expect(reply.status == 200)
            #expect(reply.response["uid"] == "in-flight")
            // Bounds against a hang, not speed: the grace period the harness configures is 10 s, plus the
            // 1 s cancellation allowance; an answer at the grace period would mean the request was not served first.
            #expect(answered < .seconds(9), "answered after \(answered)")
            #expect(stopped < .seconds(12), "answered after \(answered), stopped after \(stopped)")
            // The listener is gone after shutdown.
            try await WebhookHarness.withClient(trusting: [harness.ca], connectTimeout: .milliseconds(500)) { after in
                await #expect(throws: (any Error).self) { _ = try await harness.execute(HTTPClientRequest(url: harness.baseURL + "/healthz"), client: after) }
            }
        } catch {
            try? await harness.shutdown()
            throw error
        }
    }
}

/// Failures seen by the load workers.
actor Failures {
    var list: [String] = []
    func add(_ failure: String) { list.append(failure) }
}

/// A request body sent in two halves 600 ms apart.
struct SlowBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let bytes: [UInt8]
    struct AsyncIterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        var part = 0
        mutating func next() async throws -> ByteBuffer? {
            defer { part += 1 }
            switch part {
            case 0: return ByteBuffer(bytes: bytes.prefix(bytes.count / 2))
            case 1:
                try await Task.sleep(for: .milliseconds(600))
                return ByteBuffer(bytes: bytes.suffix(from: bytes.count / 2))
            default: return nil
            }
        }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes) }
}
