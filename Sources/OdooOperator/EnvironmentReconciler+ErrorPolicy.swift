import KubeClient
import KubeRuntime

extension EnvironmentReconciler {
    /// How long a reconcile refused for its permissions (403) or credentials (401) waits: a person has
    /// to change RBAC or the token, and an exponential backoff would leave the fix unused for up to
    /// 16 minutes afterwards.
    public static let permissionRetry: Duration = .seconds(60)

    /// The operator's ``ErrorPolicy``: refused permissions are retried every ``permissionRetry``; an
    /// API that said when to come back (429 or 5xx with `Retry-After`, after the client's own retries)
    /// is asked again then; everything else (conflicts, transport failures, timeouts) backs off.
    public static let errorPolicy = ErrorPolicy { error, _ in
        guard let failure = error as? KubeClientError else { return .backOff }
        if failure == .forbidden || failure == .unauthorized { return .requeue(after: permissionRetry) }
        if let seconds = failure.retryAfterSeconds, failure == .tooManyRequests || failure == .serverError {
            return .requeue(after: .seconds(min(max(seconds, 1), 600)))
        }
        return .backOff
    }
}
