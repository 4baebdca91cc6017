/// Where decisions go as evidence.
///
/// Contract: `submit` is called on the request path for every decision, so it never blocks, never
/// waits for I/O and never throws; a sink that cannot keep up counts the record as dropped.
/// Dry-run decisions are not submitted (they have no side effects).
public protocol AuditSink: Sendable {
    /// Hands one record to the sink.
    func submit(_ record: AuditRecord)
}

/// A sink that keeps nothing (no `--audit-dsn`): the JSON log line is then the only evidence.
public struct DiscardingAuditSink: AuditSink {
    /// A discarding sink.
    public init() {}
    /// Does nothing.
    public func submit(_ record: AuditRecord) {}
}
