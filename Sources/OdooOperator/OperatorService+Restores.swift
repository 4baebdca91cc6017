import KubeClient
import KubeModel
import KubeRuntime
import Logging
import OdooPlan

extension OperatorService {
    /// The OdooRestore controller: restores in the operator's namespace (or every namespace), one
    /// worker; only the leader acts, a standby looks again later. Woken by environment changes (a
    /// stop or start it waits for) and Job changes (the environment controller's caches).
    static func restoreController(api: any KubernetesAPI, settings: Settings, configuration: OperatorConfiguration, environments: ObjectStore,
                                  jobs: ObjectStore?, elector: LeaderElector?, identity: String, logger: Logger) throws(OperatorError)
        -> (reconciler: RestoreReconciler, controller: Controller) {
        let policy = settings.policy
        let reconciler = RestoreReconciler(api: api, configuration: configuration, environments: environments, policy: { policy },
                                           events: EventRecorder(api: api, controller: "odooguard.io/guard-operator", instance: identity, logger: logger),
                                           now: settings.releaseClock, logger: logger)
        var controllerConfiguration = RestoreReconciler.controllerConfiguration(resyncPeriod: settings.resyncPeriod)
        controllerConfiguration.namespace = settings.namespace
        do {
            let controller = try Controller(api: api, configuration: controllerConfiguration, stores: reconciler.controllerStores, logger: logger) { key in
                if let elector, !elector.isLeader { return .requeue(after: .seconds(15)) }
                return try await reconciler.reconcile(key)
            }
            // Restores are few: every change of an environment or a Job looks at all of them again.
            for store in [environments] + (jobs.map { [$0] } ?? []) {
                store.onChange { [primary = reconciler.primary, queue = controller.queue] in
                    for key in primary.keys { queue.add(key) }
                }
            }
            return (reconciler, controller)
        } catch {
            throw OperatorError.invalidConfiguration(error.description)
        }
    }
}
