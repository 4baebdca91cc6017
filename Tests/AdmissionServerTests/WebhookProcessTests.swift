import AsyncHTTPClient
import CertKit
import Foundation
import GuardRules
import KubeModel
import NIOCore
import Testing
import TestSupport

/// The `guard-webhook` executable itself, as the chart runs it: where Swift's tasks run is chosen
/// once per process at start (``WebhookServer/runTasksOnEventLoops()``), which no in-process server
/// can test. Both choices answer byte for byte as the library does, shut down cleanly on SIGTERM,
/// and keep their probes answering while a large review is judged.
@Suite(.serialized) struct WebhookProcessTests {
    /// The examples' reviews the answers are compared on: allowed, denied with findings, a Pod.
    static func reviews() throws -> [[UInt8]] {
        [
            Review.body(uid: "compliant", object: try Review.manifest("examples/compliant/odoo-web.yaml", kind: "Deployment")),
            Review.body(uid: "insecure", object: try Review.manifest("examples/noncompliant/odoo-web-insecure.yaml", kind: "Deployment")),
            Review.body(uid: "pod", object: ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "debug", "namespace": "clinic-prod"],
                                             "spec": ["containers": [["name": "shell", "image": "busybox:latest"]]]]),
        ]
    }

    @Test(arguments: [true, false])
    func answersAsTheLibraryDoesAndStopsOnSIGTERM(onEventLoops: Bool) async throws {
        let reviews = try Self.reviews()
        // The library's answers, from an in-process server with the same policy and context.
        let harness = try await WebhookHarness.start()
        var expected: [[UInt8]] = []
        do {
            for review in reviews { expected.append(try await harness.post("/validate", review).body) }
        } catch { try await harness.shutdown(); throw error }
        try await harness.shutdown()

        let process = try await WebhookProcess.start(arguments: onEventLoops ? [] : ["--tasks-on-global-pool"])
        do {
            let started = try process.logLines().first { $0["message"] == "guard-webhook starting" }
            #expect(started?["tasks"]?.stringValue == (onEventLoops ? "event loops" : "global pool"), "\(String(describing: started))")
            // 16 at a time over the client's pooled connections, every review several times.
            let answers = try await withThrowingTaskGroup(of: (Int, WebhookHarness.Reply).self) { group in
                for index in 0..<48 {
                    group.addTask { (index, try await process.post("/validate", reviews[index % reviews.count])) }
                }
                var answers: [(Int, WebhookHarness.Reply)] = []
                for try await answer in group { answers.append(answer) }
                return answers
            }
            #expect(answers.count == 48)
            for (index, reply) in answers {
                #expect(reply.status == 200)
                #expect(reply.body == expected[index % reviews.count], "review \(index % reviews.count): \(reply.text)")
            }
        } catch { await process.stop(); throw error }
        let status = await process.stop()
        #expect(status == 0, "SIGTERM ends guard-webhook with status 0; log: \(process.logText())")
    }

    /// A review of a few MB is judged for about a second (more in a debug build). Judged on the event
    /// loop that read it, it would stall every connection on that loop, probes included; judged off the
    /// loops, the probes on fresh connections (spread over every loop) answer at once.
    @Test func probesAnswerWhileALargeReviewIsJudged() async throws {
        let healthPort = try FreePort.next()
        let process = try await WebhookProcess.start(arguments: ["--health-port", "\(healthPort)"])
        do {
            let containers: [JSONValue] = (0..<20).map { index in
                ["name": .string("app-\(index)"), "image": "registry.example.com/odoo/odoo:17.0",
                 "env": .array((0..<2_000).map { ["name": .string("DB_PASSWORD_\($0)"), "value": "hunter2"] })]
            }
            let object: JSONValue = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "namespace": "clinic-prod"],
                                     "spec": ["template": ["spec": ["containers": .array(containers)]]]]
            let large = Review.body(object: object)
            let clock = ContinuousClock()
            let start = clock.now
            async let judged = process.post("/validate", large)
            // Once the review is being judged (the in-flight gauge counts it), probe on fresh connections.
            // Bounded: a review over before the first look would otherwise leave this waiting forever.
            while try await process.metric("odoo_guard_admission_in_flight_requests") < 1 {
                try #require(clock.now - start < .seconds(30), "the large review was never seen in flight")
                try await Task.sleep(for: .milliseconds(5))
            }
            var slowest = Duration.zero
            for _ in 0..<8 {
                let probeStart = clock.now
                let answer = try await offPool { try LoopbackTCP.get(port: healthPort, path: "/healthz") }
                slowest = max(slowest, clock.now - probeStart)
                #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
            }
            let probesDone = clock.now - start
            let reply = try await judged
            let reviewDone = clock.now - start
            #expect(reply.status == 200)
            #expect(reply.response["allowed"] == false)
            // The test means something only if the review outlasted the probes.
            #expect(probesDone < reviewDone, "the review (\(reviewDone)) ended before the probes (\(probesDone)): make it larger")
            #expect(slowest < .milliseconds(500), "a probe waited \(slowest) while a \(large.count)-byte review was judged (\(reviewDone))")
        } catch { await process.stop(); throw error }
        #expect(await process.stop() == 0)
    }
}

/// One `guard-webhook` process on a free port with a test CA's certificate, the default policy and
/// the harness's context; its output in a file. ``stop()`` sends SIGTERM and reaps it.
final class WebhookProcess: Sendable {
    let pid: pid_t
    let port: Int
    let directory: URL
    let client: HTTPClient

    var logFile: String { directory.appendingPathComponent("webhook.log").path }

    static func start(arguments: [String]) async throws -> WebhookProcess {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("odoo-guard-process-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ca = try CertificateAuthority.generate(commonName: "odoo-guard test CA")
        try WebhookHarness.write(try ca.issueServingCertificate(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"]), to: directory)
        try Data(GuardPolicy.builtInDefaultText.utf8).write(to: directory.appendingPathComponent("policy.yaml"))
        let port = try FreePort.next()
        let file = { (name: String) in directory.appendingPathComponent(name).path }
        let context = WebhookHarness.defaultContext.flatMap { ["--context", $0] }
        let pid = try Subprocess.spawn(ExecutablePath.built("guard-webhook"), [
            "--tls-cert", file("tls.crt"), "--tls-key", file("tls.key"), "--policy", file("policy.yaml"),
            "--host", "127.0.0.1", "--port", "\(port)", "--cluster", "off", "--shutdown-delay", "0",
        ] + context + arguments, log: file("webhook.log"))
        let process = WebhookProcess(pid: pid, port: port, directory: directory, client: try WebhookHarness.client(trusting: [ca]))
        do { try await offPool { try Subprocess.waitForPort(port, timeout: 30) } } catch {
            await process.stop()
            throw Subprocess.Failed(description: "guard-webhook did not listen: \(process.logText())")
        }
        return process
    }

    private init(pid: pid_t, port: Int, directory: URL, client: HTTPClient) {
        self.pid = pid
        self.port = port
        self.directory = directory
        self.client = client
    }

    func post(_ path: String, _ body: [UInt8]) async throws -> WebhookHarness.Reply {
        var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await WebhookHarness.execute(request, client: client, timeout: .seconds(60))
    }

    /// The value of one metric sample line, 0 when absent.
    func metric(_ name: String) async throws -> Double {
        let scrape = try await WebhookHarness.execute(HTTPClientRequest(url: "https://127.0.0.1:\(port)/metrics"), client: client, timeout: .seconds(10))
        return WebhookHarness.metric(name, in: scrape.text)
    }

    func logText() -> String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    /// The JSON log lines written so far.
    func logLines() throws -> [JSONValue] {
        try logText().split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
    }

    /// SIGTERM, then the exit status (128 + signal if it had to be killed after 20 s); removes the files.
    @discardableResult
    func stop() async -> Int32 {
        try? await client.shutdown()
        let pid = self.pid
        let status: Int32 = (try? await offPool { () -> Int32 in
            kill(pid, SIGTERM)
            var status: Int32 = 0
            for _ in 0..<400 {
                if waitpid(pid, &status, WNOHANG) == pid { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f) }
                usleep(50_000)
            }
            kill(pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return 128 + SIGKILL
        }) ?? -1
        try? FileManager.default.removeItem(at: directory)
        return status
    }
}
