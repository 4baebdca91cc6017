import NIOConcurrencyHelpers

/// The last audit counter values published, so scrapes add only what changed since the last one.
final class AuditCounterDeltas: Sendable {
    private let seen = NIOLockedValueBox((dropped: 0, written: 0, failed: 0))

    /// Stores the new totals and returns how much each grew.
    func advance(dropped: Int, written: Int, failed: Int) -> (dropped: Int, written: Int, failed: Int) {
        seen.withLockedValue { last in
            defer { last = (dropped, written, failed) }
            return (max(0, dropped - last.dropped), max(0, written - last.written), max(0, failed - last.failed))
        }
    }
}
