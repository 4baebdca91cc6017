import Foundation
import GuardRules
import NIOConcurrencyHelpers
import Prometheus

/// The webhook's Prometheus metrics, in a registry of its own (several servers in one process — the
/// tests — never share counters).
///
/// | metric | labels |
/// | --- | --- |
/// | `odoo_guard_admission_requests_total` | `endpoint`, `decision` (allowed, denied, error) |
/// | `odoo_guard_admission_rule_results_total` | `endpoint`, `rule`, `result` (denied, warned, audited, exempted), `mode` |
/// | `odoo_guard_admission_request_duration_seconds` (histogram) | `endpoint` |
/// | `odoo_guard_admission_in_flight_requests` | |
/// | `odoo_guard_http_rejections_total` | `reason` (body_too_large, unsupported_media_type, bad_request, read_timeout, memory_budget, transfer_encoding, …) |
/// | `odoo_guard_admission_memory_reserved_bytes`, `odoo_guard_admission_memory_budget_bytes` | |
/// | `odoo_guard_certificate_expiry_timestamp_seconds` | |
/// | `odoo_guard_certificate_reloads_total`, `odoo_guard_policy_reloads_total` | `result` (success, failure) |
/// | `odoo_guard_policy_info` (1) | `version` |
/// | `odoo_guard_audit_queue_depth`, `odoo_guard_audit_dropped_total`, `odoo_guard_audit_written_total`, `odoo_guard_audit_failed_flushes_total` | |
public final class WebhookMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry = PrometheusCollectorRegistry()
    /// Latency buckets: 250 µs to 5 s.
    static let buckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .seconds(2.5), .seconds(5),
    ]

    /// `odoo_guard_<metric>_<unit>` with its help text.
    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "odoo_guard", metricName: metric, unitName: unit, helpText: help)
    }

    static var requestsName: MetricNameDescriptor { name("admission_requests", "total", "Admission reviews answered, by endpoint and decision") }
    static var ruleResultsName: MetricNameDescriptor { name("admission_rule_results", "total", "Rule findings in answered reviews, by rule, result and mode") }
    static var rejectionsName: MetricNameDescriptor { name("http_rejections", "total", "Requests refused before evaluation, by reason") }
    static var certificateReloadsName: MetricNameDescriptor { name("certificate_reloads", "total", "Serving certificate reloads after a file change, by result") }
    static var policyReloadsName: MetricNameDescriptor { name("policy_reloads", "total", "Policy and context reloads after a file change, by result") }
    static var policyInfoName: MetricNameDescriptor { name("policy", "info", "1 for the policy version in use") }
    static var provenanceLookupsName: MetricNameDescriptor {
        name("provenance_lookups", "total", "Registry look-up results used by admissions (cached or fetched)")
    }

    /// The metrics registered only when first used (by label values), with their type and labels,
    /// for the metrics reference.
    public static var registeredOnUse: [(descriptor: MetricNameDescriptor, type: String, labels: [String])] {
        [(ruleResultsName, "counter", ["endpoint", "rule", "result", "mode"]), (rejectionsName, "counter", ["reason"]),
         (policyInfoName, "gauge", ["version"]), (provenanceLookupsName, "counter", ["kind", "result"])]
    }

    let inFlight: Gauge
    /// Memory reserved by reviews in flight (``MemoryBudget``).
    let memoryReserved: Gauge
    /// The ``MemoryBudget``'s capacity.
    let memoryBudget: Gauge
    let certificateExpiry: Gauge
    let auditQueueDepth: Gauge
    private let auditDropped: Counter
    private let auditWritten: Counter
    private let auditFailedFlushes: Counter
    private let auditSeen = AuditCounterDeltas()
    private let durations: [String: DurationHistogram]
    /// The request counters of every endpoint × decision, made once: no registry lookup per request.
    private let requestCounters: [RequestKey: Counter]
    /// The rule-result counters used so far. A registry look-up per finding built a label array and
    /// hashed it twice; this is one hash of four fields. At most endpoints × rules × results × modes.
    private let ruleCounters = NIOLockedValueBox<[RuleResultKey: Counter]>([:])

    private struct RequestKey: Hashable {
        let endpoint: String
        let decision: String
    }

    private struct RuleResultKey: Hashable {
        let endpoint: String
        let rule: RuleID
        let result: String
        let mode: RuleMode
    }

    /// A registry with every metric declared (so a scrape shows zeros before the first request).
    public init() {
        inFlight = registry.makeGauge(descriptor: Self.name("admission_in_flight", "requests", "Admission reviews being evaluated now"))
        memoryReserved = registry.makeGauge(descriptor: Self.name("admission_memory_reserved", "bytes", "Memory reserved by admission reviews in flight"))
        memoryBudget = registry.makeGauge(descriptor: Self.name("admission_memory_budget", "bytes",
                                                                "Memory admission reviews in flight may reserve together; past it they wait, then get 429"))
        certificateExpiry = registry.makeGauge(descriptor: Self.name("certificate_expiry_timestamp", "seconds",
                                                                           "Unix time at which the serving certificate in use expires"))
        auditQueueDepth = registry.makeGauge(descriptor: Self.name("audit_queue", "depth", "Audit records waiting to be written to PostgreSQL"))
        auditDropped = registry.makeCounter(descriptor: Self.name("audit_dropped", "total", "Audit records dropped because the queue was full"))
        auditWritten = registry.makeCounter(descriptor: Self.name("audit_written", "total", "Audit records written to PostgreSQL"))
        auditFailedFlushes = registry.makeCounter(descriptor: Self.name("audit_failed_flushes", "total", "Audit flushes that failed"))
        var durations: [String: DurationHistogram] = [:]
        for endpoint in ["validate", "mutate"] {
            durations[endpoint] = registry.makeDurationHistogram(
                descriptor: Self.name("admission_request_duration", "seconds", "Time from a complete request body to the response, by endpoint"),
                labels: [("endpoint", endpoint)], buckets: Self.buckets)
        }
        for result in ["success", "failure"] {
            _ = registry.makeCounter(descriptor: Self.certificateReloadsName, labels: [("result", result)])
            _ = registry.makeCounter(descriptor: Self.policyReloadsName, labels: [("result", result)])
        }
        self.durations = durations
        var counters: [RequestKey: Counter] = [:]
        for endpoint in ["validate", "mutate"] {
            for decision in ["allowed", "denied", "error"] {
                counters[RequestKey(endpoint: endpoint, decision: decision)] = registry.makeCounter(
                    descriptor: Self.requestsName, labels: [("endpoint", endpoint), ("decision", decision)])
            }
        }
        requestCounters = counters
    }

    private func requests(_ endpoint: String, _ decision: String) -> Counter {
        requestCounters[RequestKey(endpoint: endpoint, decision: decision)]
            ?? registry.makeCounter(descriptor: Self.requestsName, labels: [("endpoint", endpoint), ("decision", decision)])
    }

    /// Counts one answered review and its rule results.
    func recordDecision(endpoint: String, allowed: Bool, decision: Decision, duration: Duration) {
        requests(endpoint, allowed ? "allowed" : "denied").increment()
        durations[endpoint]?.record(duration)
        for violation in decision.violations {
            let result: String
            switch violation.mode {
            case .enforce: result = "denied"
            case .warn: result = "warned"
            case .audit: result = "audited"
            }
            ruleResult(endpoint, violation.rule, result, violation.mode).increment()
        }
        for exempted in decision.exempted {
            ruleResult(endpoint, exempted.violation.rule, "exempted", exempted.violation.mode).increment()
        }
    }

    private func ruleResult(_ endpoint: String, _ rule: RuleID, _ result: String, _ mode: RuleMode) -> Counter {
        let key = RuleResultKey(endpoint: endpoint, rule: rule, result: result, mode: mode)
        if let counter = ruleCounters.withLockedValue({ $0[key] }) { return counter }
        // The registry returns the same counter for the same labels, so a race here only looks it up twice.
        let counter = registry.makeCounter(descriptor: Self.ruleResultsName,
                                           labels: [("endpoint", endpoint), ("rule", rule.rawValue), ("result", result), ("mode", mode.rawValue)])
        ruleCounters.withLockedValue { $0[key] = counter }
        return counter
    }

    /// Counts registry look-up outcomes of one admission by kind and result
    /// (`resolution`: resolved, not_found, unavailable; `signature`: verified, refused, unavailable;
    /// `scan`: attested, refused, unavailable).
    func recordProvenance(_ facts: ImageProvenanceFacts) {
        let descriptor = Self.provenanceLookupsName
        func count(_ kind: String, _ results: [String]) {
            for result in results {
                registry.makeCounter(descriptor: descriptor, labels: [("kind", kind), ("result", result)]).increment()
            }
        }
        count("resolution", facts.resolutions.values.map { resolution in
            switch resolution {
            case .resolved: return "resolved"
            case .notFound: return "not_found"
            case .unavailable: return "unavailable"
            }
        })
        count("signature", facts.signatures.values.map { verdict in
            switch verdict {
            case .verified: return "verified"
            case .unavailable: return "unavailable"
            default: return "refused"
            }
        })
        count("scan", facts.scans.values.map { verdict in
            switch verdict {
            case .attested: return "attested"
            case .unavailable: return "unavailable"
            default: return "refused"
            }
        })
    }

    /// Counts a review that could not be evaluated (400).
    func recordError(endpoint: String) { requests(endpoint, "error").increment() }

    /// Counts a request refused before evaluation.
    func recordRejection(_ reason: String) {
        registry.makeCounter(descriptor: Self.rejectionsName, labels: [("reason", reason)]).increment()
    }

    /// Counts a certificate reload.
    func recordCertificateReload(success: Bool) {
        registry.makeCounter(descriptor: Self.certificateReloadsName, labels: [("result", success ? "success" : "failure")]).increment()
    }

    /// Counts a policy reload and publishes the version in use.
    func recordPolicyReload(success: Bool) {
        registry.makeCounter(descriptor: Self.policyReloadsName, labels: [("result", success ? "success" : "failure")]).increment()
    }

    /// Publishes the policy version in use (`odoo_guard_policy_info{version} 1`) and drops the
    /// series of the previous one, as an info metric does: a webhook whose policy changes every day
    /// keeps one series, not one per version it ever served.
    func setPolicyVersion(_ version: String, previous: String?) {
        registry.makeGauge(descriptor: Self.policyInfoName, labels: [("version", version)]).set(to: 1)
        if let previous, previous != version {
            registry.unregisterGauge(registry.makeGauge(descriptor: Self.policyInfoName, labels: [("version", previous)]))
        }
    }

    /// Brings the audit metrics up to date with the writer's counters (called at scrape time).
    func updateAudit(queued: Int, dropped: Int, written: Int, failedFlushes: Int) {
        auditQueueDepth.set(to: Double(queued))
        let deltas = auditSeen.advance(dropped: dropped, written: written, failed: failedFlushes)
        if deltas.dropped > 0 { auditDropped.increment(by: Int64(deltas.dropped)) }
        if deltas.written > 0 { auditWritten.increment(by: Int64(deltas.written)) }
        if deltas.failed > 0 { auditFailedFlushes.increment(by: Int64(deltas.failed)) }
    }

    /// The Prometheus text exposition.
    func render() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return buffer
    }
}
