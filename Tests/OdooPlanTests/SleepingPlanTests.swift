import Foundation
import GuardRules
import KubeModel
import OdooPlan
import TestSupport
import Testing

/// What a sleep schedule does to the plan, the status and the requeue, decided from one observation;
/// and the sleeping page's server, run for real.
@Suite("Sleeping environments")
struct SleepingPlanTests {
    static let office: JSONValue = ["timeZone": "Europe/Berlin", "awake": [["schedule": "0 7 * * 1-5", "durationMinutes": 660]]]
    /// Saturday noon: asleep until Monday 07:00 Berlin (06:00 UTC).
    static let saturday = SleepScheduleTests.utc("2026-12-05T12:00:00Z")
    /// Wednesday 10:00 UTC: awake until 17:00 UTC.
    static let wednesday = SleepScheduleTests.utc("2026-12-02T10:00:00Z")

    static func document(replicas: Int64 = 2, wakeUntil: String? = nil) -> JSONValue {
        Fixtures.environment {
            $0.set(Self.office, at: "spec.schedule")
            $0.set(.int(replicas), at: "spec.replicas")
            $0.set(["enabled": true], at: "spec.redis")
            if let wakeUntil { $0.set(["odooguard.io/wake-until": .string(wakeUntil)], at: "metadata.annotations") }
        }
    }

    /// An environment initialised and Ready before, with `sleep` recorded, the web Deployment reporting
    /// `available` pods (and cron its pod when web has any) and, when `page` is set, the sleeping
    /// page's Deployment reporting that many.
    static func observation(_ document: JSONValue, at now: Date, sleep: SleepStatus? = nil, available: Int64 = 0, page: Int64? = nil) -> EnvironmentObservation {
        DecisionTests.observation(document) { observation in
            observation.now = now
            observation.existingSecrets = ["demo-admin", "demo-db", "demo-redis"]
            var status: JSONValue = [
                "databaseInitialized": ["job": "demo-init-000000", "time": "2026-11-01T00:00:00Z"],
                "readyHistory": [["image": .string(DecisionTests.pinned), "readySince": "2026-11-01T00:00:00Z"]],
            ]
            if let sleep { status.set(sleep.json, at: "sleep") }
            var object = document
            object.set(status, at: "status")
            observation.record(object["status"])
            observation.workloads.web = DeploymentView(["metadata": ["generation": 1], "spec": ["replicas": .int(available)],
                                                        "status": ["availableReplicas": .int(available), "observedGeneration": 1, "updatedReplicas": .int(available)]])
            // Cron runs its one pod whenever web runs.
            observation.workloads.cron = DeploymentView(["metadata": ["generation": 1], "spec": ["replicas": .int(min(available, 1))],
                                                         "status": ["availableReplicas": .int(min(available, 1)), "observedGeneration": 1]])
            if let page { observation.workloads.sleepingPage = DeploymentView(["metadata": ["generation": 1], "status": ["availableReplicas": .int(page)]]) }
        }
    }

    static func objects(_ reconciliation: Reconciliation) -> [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: (reconciliation.report.desired?.objects ?? []).map { object in
            let view = KubeObject(object)
            return ("\(view.gvk.kind)/\(view.name)", object)
        })
    }

    static func routedServices(_ objects: [String: JSONValue]) -> Set<String> {
        Set(objects.filter { $0.key.hasPrefix("IngressRoute/") }.values.flatMap { route in
            (route["spec"]?["routes"]?.arrayValue ?? []).flatMap { ($0["services"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue } }
        })
    }

    @Test func asleepScalesToZeroAndRoutesToThePage() throws {
        let reconciliation = DecisionTests.decision.decide(Self.observation(Self.document(), at: Self.saturday, available: 2, page: 1))
        #expect(reconciliation.problem == nil)
        let objects = Self.objects(reconciliation)
        #expect(objects["Deployment/demo-web"]?["spec"]?["replicas"] == .int(0))
        #expect(objects["Deployment/demo-cron"]?["spec"]?["replicas"] == .int(0))
        #expect(objects["Deployment/demo-sleeping"]?["spec"]?["replicas"] == .int(1))
        #expect(objects["Service/demo-sleeping"] != nil)
        #expect(Self.routedServices(objects) == ["demo-sleeping"])
        // Backups keep their schedule: nothing else in the plan changes.
        let page = try #require(objects["ConfigMap/demo-sleeping"]?["data"])
        #expect(page["retry-after"] == "Mon, 07 Dec 2026 06:00:00 GMT")
        let html = page["index.html"]?.stringValue ?? ""
        // The wake-up with its weekday, how long until then (filled in per request), the working hours,
        // and a command that works as pasted.
        #expect(html.contains("It wakes on <strong>Monday 7 December 2026, 07:00 Europe/Berlin (2026-12-07T06:00:00Z)</strong>, @@UNTIL@@."))
        #expect(html.contains("Working hours: Mon–Fri from 07:00 for 11 h (Europe/Berlin)."), "\(html)")
        #expect(html.contains("odooguard.io/wake-until=$(date -u -d &#39;+2 hours&#39; +%Y-%m-%dT%H:%M:%SZ) --overwrite"), "\(html)")
        #expect(!html.contains("Questions:"), "no contact is named")
        #expect(page["until"] == "1796623200")
        // The pod runs the environment's own pinned image, small and restricted.
        let container = objects["Deployment/demo-sleeping"]?["spec"]?["template"]?["spec"]?["containers"]?[0]
        #expect(container?["image"] == .string(DecisionTests.pinned))
        #expect(container?["resources"]?["requests"]?["memory"] == "32Mi")

        let settled = reconciliation.settle(Reconciliation.Outcome())
        let ready = settled.status.conditions.first { $0.type == EnvironmentCondition.ready }
        #expect(ready?.status == .false && ready?.reason == "Sleeping")
        #expect(ready?.message.contains("sleeping until Monday 7 December 2026, 07:00 Europe/Berlin") == true)
        #expect(settled.status.conditions.first { $0.type == EnvironmentCondition.degraded }?.status == .false)
        #expect(settled.status.json["sleep"]?["state"] == "Sleeping")
        #expect(settled.status.json["sleep"]?["stoppedPods"] == .int(3))
        // A planned sleep is not an outage: the open Ready period stays open.
        #expect(settled.status.readyHistory.last?.readyUntil == nil)
        // It looks again when Monday's window opens.
        #expect(settled.requeue == .seconds(Int64(SleepScheduleTests.utc("2026-12-07T06:00:00Z").timeIntervalSince(Self.saturday))))
    }

    @Test func fallingAsleepKeepsServingUntilThePageIsAvailable() {
        // The window just closed while two web pods serve: the page is created, web and the routes stay.
        let first = DecisionTests.decision.decide(Self.observation(Self.document(), at: Self.saturday, available: 2))
        var objects = Self.objects(first)
        #expect(objects["Deployment/demo-web"]?["spec"]?["replicas"] == .int(2))
        #expect(objects["Deployment/demo-cron"]?["spec"]?["replicas"] == .int(1))
        #expect(objects["Deployment/demo-sleeping"] != nil)
        #expect(Self.routedServices(objects) == ["demo-web"])
        #expect(objects["ConfigMap/demo-sleeping"]?["data"]?["index.html"]?.stringValue?.contains("demo is asleep") == true,
                "the page is made ready with what it says once the routes reach it")
        let status = first.settle(Reconciliation.Outcome()).status
        #expect(status.sleep?.state == .fallingAsleep && status.sleep?.stoppedPods == 0)
        let ready = status.conditions.first { $0.type == EnvironmentCondition.ready }
        #expect(ready?.message.contains("falling asleep") == true, "\(ready?.message ?? "")")
        // The page has a pod: web and cron go to 0 and the routes switch.
        let switched = DecisionTests.decision.decide(Self.observation(Self.document(), at: Self.saturday.addingTimeInterval(5), sleep: status.sleep,
                                                                      available: 2, page: 1))
        objects = Self.objects(switched)
        #expect(objects["Deployment/demo-web"]?["spec"]?["replicas"] == .int(0))
        #expect(Self.routedServices(objects) == ["demo-sleeping"])
        let asleep = switched.settle(Reconciliation.Outcome()).status.sleep
        #expect(asleep?.state == .sleeping && asleep?.since == Self.saturday.addingTimeInterval(5) && asleep?.stoppedPods == 3,
                "the two web pods and the cron pod that ran")
        // Nobody was served (a new environment, or web already down): web stops at once, but the
        // record says Sleeping only once the page answers, and counts no pod that never ran.
        let idle = DecisionTests.decision.decide(Self.observation(Self.document(), at: Self.saturday, available: 0))
        objects = Self.objects(idle)
        #expect(objects["Deployment/demo-web"]?["spec"]?["replicas"] == .int(0))
        #expect(Self.routedServices(objects) == ["demo-sleeping"])
        let idleStatus = idle.settle(Reconciliation.Outcome()).status
        #expect(idleStatus.sleep?.state == .fallingAsleep)
        let idleReady = idleStatus.conditions.first { $0.type == EnvironmentCondition.ready }?.message ?? ""
        #expect(idleReady.contains("a web with no pod available is stopped at once with the routes on the page") && !idleReady.contains("stay as they are"),
                "Ready never says web and the routes stay while they are stopped: \(idleReady)")
    }

    @Test func theContactIsOnThePage() throws {
        var document = Self.document()
        _ = document.set(["odooguard.io/contact": "clinic-team@example.com, #clinic-ops <on call>"], at: "metadata.annotations")
        let objects = Self.objects(DecisionTests.decision.decide(Self.observation(document, at: Self.saturday, available: 0, page: 1)))
        let html = objects["ConfigMap/demo-sleeping"]?["data"]?["index.html"]?.stringValue ?? ""
        #expect(html.contains("Questions: <strong>clinic-team@example.com, #clinic-ops &lt;on call&gt;</strong>."), "\(html)")
        var bad = Self.document()
        _ = bad.set(["odooguard.io/contact": .string(String(repeating: "x", count: 201))], at: "metadata.annotations")
        let error = try #require(throws: OdooPlanError.self) { try OdooEnvironment.decode(bad) }
        #expect(error.fieldErrors.map(\.path.description) == ["metadata.annotations[odooguard.io/contact]"], "\(error.fieldErrors)")
        for value: JSONValue in [42, "", "line one\nline two", .string(String(repeating: "x", count: 100_000))] {
            var absurd = Self.document()
            _ = absurd.set(["odooguard.io/contact": value], at: "metadata.annotations")
            #expect(throws: OdooPlanError.self) { try OdooEnvironment.decode(absurd) }
        }
    }

    @Test("working hours in words", arguments: [
        ("0 7 * * 1-5", 660, "Mon–Fri from 07:00 for 11 h"), ("30 6 * * *", 90, "every day from 06:30 for 1 h 30 min"),
        ("0 9 * * 1,3,5", 45, "Mon, Wed, Fri from 09:00 for 45 min"), ("0 0 1 * *", 2880, "0 0 1 * * for 2 days"),
        ("0 8 * * 6,0", 240, "Sat, Sun from 08:00 for 4 h"), ("0 7 * * 0-6", 60, "every day from 07:00 for 1 h"),
    ])
    func workingHoursInWords(_ cron: String, _ minutes: Int, _ text: String) throws {
        let schedule = try CronSchedule.parse(cron).get()
        #expect(CronWindow(schedule: schedule, durationMinutes: minutes).text == text)
    }

    @Test func awakeHasNoPage() {
        let reconciliation = DecisionTests.decision.decide(Self.observation(Self.document(), at: Self.wednesday, available: 2))
        let objects = Self.objects(reconciliation)
        #expect(objects["Deployment/demo-web"]?["spec"]?["replicas"] == .int(2))
        #expect(objects["Deployment/demo-sleeping"] == nil)
        #expect(Self.routedServices(objects) == ["demo-web"])
        let settled = reconciliation.settle(Reconciliation.Outcome())
        #expect(settled.status.json["sleep"]?["state"] == "Awake")
        #expect(settled.requeue == .seconds(7 * 3600))
    }

    @Test func wakingKeepsThePageUntilAWebPodIsAvailable() {
        let asleep = SleepStatus(state: .sleeping, since: SleepScheduleTests.utc("2026-12-04T17:00:00Z"), until: SleepScheduleTests.utc("2026-12-07T06:00:00Z"), stoppedPods: 3)
        // Woken on demand on Saturday: web and cron start, the routes still show the page.
        let document = Self.document(wakeUntil: "2026-12-05T18:00:00Z")
        let waking = DecisionTests.decision.decide(Self.observation(document, at: Self.saturday, sleep: asleep, available: 0))
        var objects = Self.objects(waking)
        #expect(objects["Deployment/demo-web"]?["spec"]?["replicas"] == .int(2))
        #expect(objects["Deployment/demo-cron"]?["spec"]?["replicas"] == .int(1))
        #expect(Self.routedServices(objects) == ["demo-sleeping"])
        #expect(objects["ConfigMap/demo-sleeping"]?["data"]?["index.html"]?.stringValue?.contains("demo is waking up") == true)
        let settled = waking.settle(Reconciliation.Outcome())
        #expect(settled.status.conditions.first { $0.type == EnvironmentCondition.ready }?.reason == "Waking")
        // Waking keeps the wake-up's end, so a wake-up that never gets a web pod still ends on time.
        #expect(settled.status.sleep?.until == SleepScheduleTests.utc("2026-12-05T18:00:00Z"))
        // 19 hours of 3 pods.
        #expect(settled.status.json["sleep"]?["podHoursSaved"] == .int(57))
        // A web pod is available: the routes go back to Odoo and the page is pruned.
        let awake = DecisionTests.decision.decide(Self.observation(document, at: Self.saturday.addingTimeInterval(60), sleep: settled.status.sleep, available: 1))
        objects = Self.objects(awake)
        #expect(Self.routedServices(objects) == ["demo-web"])
        #expect(objects["Deployment/demo-sleeping"] == nil)
        let woken = awake.settle(Reconciliation.Outcome()).status
        #expect(woken.sleep?.state == .awake && woken.sleep?.onDemand == true && woken.sleep?.until == SleepScheduleTests.utc("2026-12-05T18:00:00Z"))
    }

    @Test func aRefusedPlanKeepsTheRecordedSleep() {
        let recorded = SleepStatus(state: .awake, since: SleepScheduleTests.utc("2026-12-04T06:00:00Z"), until: SleepScheduleTests.utc("2026-12-04T17:00:00Z"))
        var document = Self.document()
        document.set("staging", at: "spec.stage")
        document.set(.string(DecisionTests.foreign), at: "spec.image")
        var observation = Self.observation(document, at: Self.saturday, sleep: recorded, available: 2)
        observation.pin = .known(DecisionTests.foreign)
        observation.policy = try? GuardPolicy.builtIn()
        let reconciliation = DecisionTests.decision.decide(observation)
        #expect(reconciliation.problem?.reason == "PolicyDenied" && reconciliation.apply.isEmpty)
        // Nothing was scaled down, so the status does not claim a sleep.
        #expect(reconciliation.settle(Reconciliation.Outcome()).status.sleep == recorded)
    }

    @Test func wakeUntilWithoutScheduleWarns() throws {
        let document = Fixtures.environment { $0.set(["odooguard.io/wake-until": "2026-12-05T18:00:00Z"], at: "metadata.annotations") }
        let desired = try OdooPlanner(configuration: Fixtures.configuration).plan(try OdooEnvironment.decode(document))
        #expect(desired.warnings.contains { $0.contains("has no effect") })
        #expect(desired.sleep == nil)
    }

    /// The page's server, with this machine's Python (the Odoo image's is the same standard library):
    /// every path answers 503 with the page and `Retry-After`, `/healthz` answers 200.
    @Test func pageServerAnswers() throws {
        let reconciliation = DecisionTests.decision.decide(Self.observation(Self.document(), at: Self.saturday, available: 2, page: 1))
        let data = try #require(Self.objects(reconciliation)["ConfigMap/demo-sleeping"]?["data"])
        let script = """
            import json, os, socket, subprocess, sys, tempfile, time, urllib.error, urllib.request
            files = json.load(open(sys.argv[1]))
            root = tempfile.mkdtemp()
            for name, text in files.items():
                open(os.path.join(root, name), "w").write(text)
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            server = subprocess.Popen([sys.executable, os.path.join(root, "serve.py"), root, str(port)])
            result = {}
            try:
                for _ in range(100):
                    try:
                        result["healthz"] = urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=2).status
                        break
                    except OSError:
                        time.sleep(0.05)
                for method, path in [("GET", "/web/login"), ("POST", "/web/login"), ("HEAD", "/")]:
                    request = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method, data=b"x=1" if method == "POST" else None)
                    try:
                        urllib.request.urlopen(request, timeout=2)
                        result[method] = {"status": 200}
                    except urllib.error.HTTPError as error:
                        result[method] = {"status": error.code, "retry": error.headers.get("Retry-After"), "body": error.read().decode()}
            finally:
                server.kill()
                server.wait()
            print(json.dumps(result))
            """
        let result = try PythonScript.run(script, input: data, needs: "python3")
        #expect(result["healthz"] == .int(200))
        for method in ["GET", "POST", "HEAD"] {
            #expect(result[method]?["status"] == .int(503), "\(method): \(result)")
            #expect(result[method]?["retry"] == "Mon, 07 Dec 2026 06:00:00 GMT", "\(method)")
        }
        #expect(result["GET"]?["body"]?.stringValue?.contains("demo is asleep") == true)
        // The countdown is filled in at the time of the request (this test runs on any day).
        let body = result["GET"]?["body"]?.stringValue ?? ""
        #expect(!body.contains("@@UNTIL@@") && (body.contains("Europe/Berlin (2026-12-07T06:00:00Z)</strong>, in ")
                                               || body.contains("(2026-12-07T06:00:00Z)</strong>, any moment now")), "\(body)")
        #expect(result["HEAD"]?["body"] == "")
    }
}
