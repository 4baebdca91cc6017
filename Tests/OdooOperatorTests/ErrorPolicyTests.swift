import KubeClient
import KubeRuntime
import OdooOperator
import Testing

/// The operator's error policy, error by error.
@Suite("Operator error policy")
struct ErrorPolicyTests {
    static func withRetryAfter(_ error: KubeClientError, _ seconds: Int) -> KubeClientError {
        var error = error
        error.retryAfterSeconds = seconds
        return error
    }

    @Test(arguments: [
        (KubeClientError.forbidden("jobs.batch is forbidden"), ErrorPolicy.Action.requeue(after: .seconds(60))),
        (KubeClientError.unauthorized("token expired"), .requeue(after: .seconds(60))),
        (withRetryAfter(.tooManyRequests("slow down"), 7), .requeue(after: .seconds(7))),
        (withRetryAfter(.tooManyRequests("slow down"), 0), .requeue(after: .seconds(1))),
        (withRetryAfter(.tooManyRequests("slow down"), 86_400), .requeue(after: .seconds(600))),
        (withRetryAfter(.serverError("etcd leader changed"), 3), .requeue(after: .seconds(3))),
        (KubeClientError.serverError("etcd leader changed"), .backOff),
        (KubeClientError.conflict("the object has been modified"), .backOff),
        (KubeClientError.connection("connection refused"), .backOff),
    ])
    func action(_ error: KubeClientError, _ expected: ErrorPolicy.Action) {
        #expect(EnvironmentReconciler.errorPolicy.action(for: error, failures: 3) == expected)
    }

    @Test func otherErrorsBackOff() {
        struct Odd: Error {}
        #expect(EnvironmentReconciler.errorPolicy.action(for: Odd(), failures: 0) == .backOff)
    }
}
