@testable import OdooOperator
import OdooPlan
import Provisioning
import Testing

/// The admin connection's TLS mode per environment: the configuration's, except production (TLS only).
@Suite("Redis TLS mode by stage")
struct RedisTLSModeTests {
    @Test(arguments: [
        (OperatorConfiguration.RedisTLSMode.disable, OdooEnvironment.Stage.development, RedisTLS.Mode.disable),
        (.prefer, .staging, .prefer),
        (.require, .development, .require),
        (.disable, .production, .require),
        (.prefer, .production, .require),
        (.require, .production, .require),
    ])
    func mode(_ configured: OperatorConfiguration.RedisTLSMode, _ stage: OdooEnvironment.Stage, _ expected: RedisTLS.Mode) {
        #expect(ClusterTenantProvisioner.redisTLSMode(configured, stage: stage) == expected)
    }
}
