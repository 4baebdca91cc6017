import Foundation
import KubeModel
import NIOConcurrencyHelpers

/// The memory that admission reviews in flight may take, so that concurrency × body size stays under
/// the container's limit: a review reserves ``cost(ofBody:)`` before its body is read and gives it back
/// when answered. Past the budget a review waits briefly, then is answered 429; it never grows the
/// process into an OOM kill that would stop every governed deploy (`failurePolicy: Fail`).
///
/// One review is always admitted when none is in flight, whatever its size, so a budget smaller than
/// one body at the limit still serves everything, one at a time.
public final class MemoryBudget: Sendable {
    /// Bytes of working memory one byte of request body costs at the peak of its review: the body as
    /// read and copied, its parsed JSON tree, the findings and the response. Measured in
    /// `bench/REPORT.md` (issue #33) on the worst shape found, a Deployment made of 150,000 env entries
    /// with literal credentials: 23× its size at the peak (6.5 MB: +150 MiB); 32 leaves headroom.
    public static let costPerBodyByte = 32
    /// Memory kept out of the budget for the process itself: code, caches, the cluster watch, TLS.
    public static let reservedBytes = 96 * 1_024 * 1_024
    /// A review of at least this many bytes asks for memory to be returned to the system after it.
    public static let largeBodyBytes = 1_024 * 1_024

    /// Bytes reviews in flight may reserve together.
    public let capacity: Int
    private let state = NIOLockedValueBox(State())

    private struct State {
        var reserved = 0
        var holders = 0
        /// Trims still wanted after a large review: memory its neighbours free a little later (connection
        /// buffers, drained bodies of refused reviews) is handed back by the next ones.
        var trimsWanted = 0
    }

    /// A budget for a container limited to `limitBytes` (`nil`: no known limit, effectively unbounded):
    /// the limit less ``reservedBytes``, and never less than a quarter of the limit.
    public init(limitBytes: Int?) {
        guard let limitBytes else { capacity = Int.max / 2; return }
        capacity = max(limitBytes - Self.reservedBytes, limitBytes / 4)
    }

    /// What a review with a body of `bytes` reserves.
    public func cost(ofBody bytes: Int) -> Int {
        let (product, overflow) = max(bytes, 4_096).multipliedReportingOverflow(by: Self.costPerBodyByte)
        return overflow ? Int.max / 2 : product
    }

    /// Reserved now, in bytes, and by how many reviews.
    public var usage: (bytes: Int, reviews: Int) { state.withLockedValue { ($0.reserved, $0.holders) } }

    /// Takes `cost` if it fits (or nothing else is in flight); `false` otherwise.
    public func tryReserve(_ cost: Int) -> Bool {
        state.withLockedValue { state in
            guard state.holders == 0 || state.reserved + cost <= capacity else { return false }
            state.reserved += cost
            state.holders += 1
            return true
        }
    }

    /// Takes `cost`, waiting up to `wait` for reviews in flight to give memory back (checked every 5 ms);
    /// `false` when it did not fit in time or the task was cancelled.
    public func reserve(_ cost: Int, within wait: Duration) async -> Bool {
        let deadline = ContinuousClock.now + wait
        while !tryReserve(cost) {
            guard ContinuousClock.now < deadline else { return false }
            do { try await Task.sleep(for: .milliseconds(5)) } catch { return false }
        }
        return true
    }

    /// Gives back what ``tryReserve(_:)`` took for a review whose body was `bodyBytes` long.
    public func release(_ cost: Int, bodyBytes: Int) {
        state.withLockedValue { state in
            state.reserved -= cost
            state.holders -= 1
            if bodyBytes >= Self.largeBodyBytes { state.trimsWanted = Self.trimsAfterLargeReview }
        }
    }

    /// Whether memory should be returned to the system now: a large review has ended within the last
    /// ``trimsAfterLargeReview`` checks (others may be in flight: trimming only hands back free pages).
    func takeTrimRequest() -> Bool {
        state.withLockedValue { state in
            guard state.trimsWanted > 0 else { return false }
            state.trimsWanted -= 1
            return true
        }
    }

    /// Checks after a large review that each return freed memory.
    static let trimsAfterLargeReview = 5

    /// A memory limit as `--memory-limit` takes it: bytes, or a Kubernetes quantity (`256Mi`, `1G`).
    /// - Throws: ``AdmissionServerError`` naming the flag when it is not a positive size that fits.
    public static func parseLimit(_ text: String) throws(AdmissionServerError) -> Int {
        let quantity: Quantity
        do { quantity = try Quantity(parsing: text) } catch {
            throw AdmissionServerError.invalidConfiguration("--memory-limit \(text.echoed()) is not a size: \(error.message)")
        }
        guard quantity.value > 0, quantity.value < Int128(1) << 60 else {
            throw AdmissionServerError.invalidConfiguration("--memory-limit \(text.echoed()) must be a positive size below 1Ei")
        }
        return Int(quantity.value)
    }

    /// The container's memory limit: cgroup v2 `memory.max`, else cgroup v1 `memory.limit_in_bytes`;
    /// `nil` when neither sets one (`max`, or the v1 "unlimited" value near 2^63).
    public static func containerLimit(root: String = "/sys/fs/cgroup") -> Int? {
        for file in ["\(root)/memory.max", "\(root)/memory/memory.limit_in_bytes"] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let bytes = Int(value), bytes > 0, bytes < 1 << 60 else { return nil }
            return bytes
        }
        return nil
    }
}
