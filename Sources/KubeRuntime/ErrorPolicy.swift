/// What a controller does with a key whose reconcile threw (kube-rs' `error_policy`, controller-runtime's
/// per-controller rate limiter): decided from the error and how often the key has failed in a row.
/// ``KubeRuntimeError/Code/terminal`` errors never reach it: they are never retried.
public struct ErrorPolicy: Sendable {
    /// The decision for one failure.
    public enum Action: Sendable, Equatable {
        /// The work queue's per-key exponential backoff and overall token bucket (the default).
        case backOff
        /// Again after exactly this long (the error says when trying again can help: a quota window,
        /// a `Retry-After`, an RBAC change someone must make).
        case requeue(after: Duration)
        /// Not again until the object changes (or the next resync).
        case giveUp
    }

    let decide: @Sendable (_ error: any Error, _ failuresInARow: Int) -> Action

    /// A policy; `decide` is called with the error and the number of failures of the key before this one.
    public init(_ decide: @escaping @Sendable (_ error: any Error, _ failuresInARow: Int) -> Action) {
        self.decide = decide
    }

    /// Every failure backs off through the work queue.
    public static let backOff = ErrorPolicy { _, _ in .backOff }

    /// The action for `error` after `failures` earlier failures.
    public func action(for error: any Error, failures: Int) -> Action { decide(error, failures) }
}
