import Foundation
import KubeModel

/// What a sleeping or waking environment tells people: the status message, the page its routes
/// answer with, and the `Retry-After` of that page.
extension SleepStatus {
    /// The command that keeps `environment` awake for the next two hours (GNU `date` computes the time;
    /// any RFC 3339 time works).
    public static func wakeCommand(_ environment: OdooEnvironment) -> String {
        "kubectl annotate odooenvironment \(environment.name) -n \(environment.namespace) "
            + "\(GuardLabels.wakeUntil)=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ) --overwrite"
    }

    /// When it wakes, with the weekday on the schedule's clock and in UTC.
    func untilText(_ schedule: SleepSchedule?) -> String {
        guard let until else { return "no window of spec.schedule.awake opens within a year" }
        return "\(schedule?.dayText(until) ?? Timestamp.format(until)) (\(Timestamp.format(until)))"
    }

    /// The mark the page server replaces, per request, with how long until the wake-up (`in 1 day 19 h`).
    public static let countdownMark = "@@UNTIL@@"

    /// The `Ready` condition's message while asleep or waking.
    public func message(_ environment: OdooEnvironment) -> String {
        switch state {
        case .sleeping:
            return "sleeping until \(untilText(environment.sleepSchedule)): web and cron are scaled to 0 outside spec.schedule.awake, "
                + "the routes answer with a page saying so, and the database and backups keep running. Wake it now: \(SleepStatus.wakeCommand(environment))"
        case .waking:
            return "waking up: web and cron start, and the routes keep the sleeping page until a web pod is available"
        case .fallingAsleep:
            return "falling asleep: outside spec.schedule.awake, but the sleeping page has no pod available yet; a web that serves keeps "
                + "serving, with the routes on it, until the page has one, and a web with no pod available is stopped at once with the routes "
                + "on the page; no pod-hours are counted until the page answers. If this lasts, look at the sleeping page's Deployment "
                + "(…-sleeping) and its pods"
        case .awake:
            return until == nil ? "awake" : "awake until \(untilText(environment.sleepSchedule))\(onDemand ? " (odooguard.io/wake-until)" : "")"
        }
    }

    /// The page the routes answer with (HTTP 503), as HTML.
    public func page(_ environment: OdooEnvironment) -> String {
        let name = HTMLText.escape(environment.name)
        let heading: String
        var body: [String]
        switch state {
        case .waking, .awake:
            heading = "\(name) is waking up"
            body = ["<p>It will be ready in a minute or two; this page reloads itself.</p>"]
        case .sleeping, .fallingAsleep:
            // Falling asleep, the page is made ready with what it will say once the routes reach it.
            heading = "\(name) is asleep"
            body = [
                "<p>This \(environment.stage.rawValue) Odoo environment sleeps outside its working hours to save resources. "
                    + (until == nil ? "No working hours are scheduled within a year.</p>"
                        : "It wakes on <strong>\(HTMLText.escape(untilText(environment.sleepSchedule)))</strong>, \(SleepStatus.countdownMark).</p>"),
            ]
            if let schedule = environment.sleepSchedule {
                body.append("<p>Working hours: \(HTMLText.escape(schedule.workingHours)).</p>")
            }
            body.append("<p>Nothing is lost: the database, the files and the backups are untouched.</p>")
            body.append("<p>Need it now? Someone allowed to edit OdooEnvironments in namespace \(HTMLText.escape(environment.namespace)) "
                        + "can keep it awake for two hours:</p>")
            body.append("<pre><code>\(HTMLText.escape(SleepStatus.wakeCommand(environment)))</code></pre>")
            if let contact = environment.contact {
                body.append("<p>Questions: <strong>\(HTMLText.escape(contact))</strong>.</p>")
            }
        }
        let asleep = state == .sleeping || state == .fallingAsleep
        let refresh = asleep ? 300 : 15
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="\(refresh)"><title>\(heading)</title>
            <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}pre{white-space:pre-wrap;background:#f3f3f3;padding:.5rem}</style>
            </head><body><h1>\(heading)</h1>
            \(body.joined(separator: "\n"))
            </body></html>

            """
    }

    /// The page's `Retry-After`: the wake-up time as an HTTP date while asleep (or falling asleep),
    /// seconds otherwise.
    public var retryAfter: String {
        let asleep = state == .sleeping || state == .fallingAsleep
        guard asleep, let until else { return asleep ? "3600" : "15" }
        return HTTPDate.format(until)
    }
}
