import Foundation
import GuardRules
import KubeModel
import TraefikGen

/// Plans one OdooEnvironment: from the decoded spec, the operator's configuration and what was
/// observed, the complete list of desired objects. Pure and deterministic: the same inputs give the
/// same objects in the same order, so a re-plan of an unchanged environment is a no-op.
public struct OdooPlanner: Sendable {
    /// The operator's configuration.
    public var configuration: OperatorConfiguration

    /// A planner.
    public init(configuration: OperatorConfiguration) { self.configuration = configuration }

    /// The verification of every change, as the configuration sets it.
    public var verification: ChangeVerification {
        ChangeVerification(window: TimeInterval(configuration.verification.windowSeconds),
                           rolloutDeadline: TimeInterval(configuration.verification.rolloutDeadlineSeconds),
                           restartLimit: Int64(configuration.verification.restartLimit))
    }

    /// The desired state of `environment` offline, with nothing observed (`guardctl render`): the tag
    /// images as written (or `facts`' pins), the database planned as not yet initialised.
    public func plan(_ environment: OdooEnvironment, now: Date = Date(), facts: EnvironmentFacts = EnvironmentFacts(),
                     podSecurity: PodSecuritySettings = PodSecuritySettings(), placement: PlacementPolicy = PlacementPolicy()) throws(OdooPlanError) -> DesiredState {
        try plan(environment, observation: .offline(environment, now: now), facts: facts, podSecurity: podSecurity, placement: placement)
    }

    /// The desired state of `environment` from one reconcile's observation and what it concluded.
    /// - Parameter podSecurity: the Pod Security levels the namespace's labels carry (the policy's).
    /// - Parameter placement: the policy's node pools, which every planned pod goes to.
    /// - Throws: ``OdooPlanError`` `exceedsTier` when the environment names a shared server the
    ///   configuration lacks, or asks for more than its tier's maximum or quota.
    public func plan(_ environment: OdooEnvironment, observation: EnvironmentObservation, facts: EnvironmentFacts,
                     podSecurity: PodSecuritySettings = PodSecuritySettings(), placement: PlacementPolicy = PlacementPolicy()) throws(OdooPlanError) -> DesiredState {
        guard let tier = configuration.tiers[environment.tier] else {
            throw OdooPlanError.exceedsTier("the operator configuration has no \(environment.tier.rawValue) tier")
        }
        let resources = try containerResources(environment, tier)
        var warnings: [String] = []
        let source = imageSource(environment)
        let image = facts.held?.image ?? facts.pinnedImage ?? source
        let pinned = image.contains("@sha256:")
        if !pinned { warnings.append("image \(image) is not pinned by digest yet; the operator resolves the tag in the registry before applying") }
        warnings += Self.specWarnings(environment)
        let conf = OdooConfFile(environment: environment, cpu: resources.limits["cpu"] ?? resources.requests["cpu"], memoryLimit: resources.limits["memory"])
        let budget = ConnectionBudget(environment: environment, conf: conf)
        try checkConnections(budget, environment, conf: conf, cap: tier.connectionLimit)
        let names = environment.childNames
        var context = PlanContext(environment: environment, configuration: pinningTools(observation.toolImages), tier: tier, names: names, image: image,
                                  version: facts.held?.version ?? environment.version, resources: resources, conf: conf)
        context.addonImages = facts.held?.addons ?? observation.pinnedAddons(environment)
        context.podSecurity = podSecurity
        context.placement = placement
        context.cloudNativePG = usesCloudNativePG(environment, observation: observation) ? configuration.cloudNativePG : nil
        warnings += databaseWarnings(environment, context: context)
        try checkRetention(environment, tier: tier)
        for addon in context.addonImages where !addon.image.contains("@sha256:") {
            warnings.append("addon image \(addon.image) is not pinned by digest yet; the operator resolves the tag in the registry before applying")
        }
        warnings += Self.scheduleWorkloads(&context, environment, observation: observation, facts: facts)

        var objects: [JSONValue] = [context.namespaceLabels()]
        objects.append(context.resourceQuota())
        objects.append(context.limitRange())
        objects += try context.networkPolicies()
        objects.append(context.configMap())
        objects.append(context.filestore())
        if let cloudNativePG = context.cloudNativePG {
            objects += context.cloudNativePGObjects(cloudNativePG, budget: budget)
        } else if environment.tier == .dedicated && environment.database.externalSecret == nil {
            objects += context.dedicatedPostgres(connections: budget.total)
        }
        if environment.redis.enabled && (environment.redis.mode == .dedicated || configuration.redis == nil) { objects += context.dedicatedRedis() }
        objects.append(context.webService())
        objects.append(context.webDeployment())
        if case .autoscaled(let minimum, _) = context.webReplicas, let scaling = environment.scaling {
            objects.append(context.horizontalPodAutoscaler(scaling, minimum: minimum))
        }
        objects.append(context.cronDeployment())
        if let jobs = environment.jobs { objects.append(context.queueDeployment(jobs)) }
        if let sleep = context.sleep, context.showsSleepingPage { objects += context.sleepingPage(sleep) }
        // One pod at a time may go, so with more than one web pod planned the budget never blocks a drain.
        if environment.maximumReplicas > 1 { objects.append(context.webDisruptionBudget()) }
        if environment.backup != nil {
            objects.append(context.backupScriptsConfigMap())
            objects += context.backupCronJobs()
        }
        objects += context.traefikObjects()
        var desired = DesiredState(objects: objects.map(context.placed), secrets: try context.secrets(), image: image, imagePinned: pinned, warnings: warnings)
        if facts.initialization?.isInitialized != true && environment.restoring == nil {
            desired.initJob = context.placed(context.initJob(name: names.initialization(image: image, modules: environment.database.initModules)))
        }
        desired.connectionBudget = budget
        desired.connectionRecord = budget.record(names: names, tierLimit: tier.connectionLimit)
        desired.sleep = context.sleep
        desired.webReplicas = context.webReplicas
        desired.scalingMinimum = context.scalingMinimum
        return desired
    }

    /// What a person should know about the spec that does not stop the plan: sticky sessions, a
    /// `spec.replicas` that `spec.scaling` overrides, `queue_job` not among the modules installed.
    static func specWarnings(_ environment: OdooEnvironment) -> [String] {
        var warnings: [String] = []
        if environment.routing.needsStickySessions {
            let replicas = environment.scaling.map { "up to \($0.maxReplicas) web replicas" } ?? "\(environment.replicas) web replicas"
            warnings.append("\(replicas) keep sessions on local disk: routes use sticky sessions; enable spec.redis for shared sessions")
        }
        if environment.jobs != nil && !environment.database.initModules.contains(QueueJobs.module) {
            warnings.append("spec.jobs runs OCA's queue_job, which must be installed in database \(environment.database.name): list it in spec.database.initModules for a new database, or install it; until then the worker's runner waits")
        }
        if environment.scaling != nil && environment.replicas != 1 {
            warnings.append("spec.replicas (\(environment.replicas)) has no effect: spec.scaling sets how many web pods run")
        }
        return warnings
    }

    /// A Job the change gate starts: the on-demand backup (the backup CronJob's Job) or the database
    /// upgrade with `image`, owned by the environment.
    /// - Throws: ``OdooPlanError`` as ``plan(_:observation:facts:podSecurity:)`` does.
    /// - Parameters:
    ///   - addons: the addon images the Job's pod runs (the change's).
    ///   - updateAll: whether an upgrade updates every module (a major-version change) or only the addons' modules.
    ///   - placement: the policy's node pools (the Job goes to the jobs pool).
    public func job(_ kind: ChangeGate.JobKind, name: String, environment: OdooEnvironment, image: String,
                    toolImages: [String: String] = [:], addons: [OdooEnvironment.Addon] = [], updateAll: Bool = true,
                    placement: PlacementPolicy = PlacementPolicy()) throws(OdooPlanError) -> JSONValue {
        guard let tier = configuration.tiers[environment.tier] else {
            throw OdooPlanError.exceedsTier("the operator configuration has no \(environment.tier.rawValue) tier")
        }
        let resources = try containerResources(environment, tier)
        let conf = OdooConfFile(environment: environment, cpu: resources.limits["cpu"] ?? resources.requests["cpu"], memoryLimit: resources.limits["memory"])
        var context = PlanContext(environment: environment, configuration: pinningTools(toolImages), tier: tier, names: environment.childNames, image: image,
                                  version: environment.version, resources: resources, conf: conf)
        context.addonImages = addons
        context.placement = placement
        switch kind {
        case .upgrade: return context.placed(context.upgradeJob(name: name, updateAll: updateAll))
        case .initialize: return context.placed(context.initJob(name: name))
        case .backup: return context.placed(context.object(.jobs, name, component: .backup, ["spec": context.backupJobSpec()]))
        }
    }

    /// Refuses an environment whose worst case does not fit the tier's connection cap, saying by how
    /// much and how to fit.
    func checkConnections(_ budget: ConnectionBudget, _ environment: OdooEnvironment, conf: OdooConfFile, cap: Int) throws(OdooPlanError) {
        guard budget.total > cap else { return }
        let perWorker = conf.connectionsPerProcess * budget.webPods
        let fitting = budget.replicasFitting(cap)
        let subject = "OdooEnvironment \(environment.namespace)/\(environment.name) needs more database connections than its tier allows"
        let alternative = environment.tier == .shared ? ", or use the dedicated tier" : ""
        let jobsHint = environment.jobs.map { ", or spec.jobs.workers (\($0.workers) hold \(budget.queue))" } ?? ""
        if let scaling = environment.scaling {
            let lower = fitting >= scaling.minReplicas ? "Lower spec.scaling.maxReplicas to \(fitting) (the most that fits)" : "Lower spec.scaling.maxReplicas"
            let message = "maxReplicas \(scaling.maxReplicas) with \(conf.workers) workers needs up to \(budget.total) PostgreSQL connections at full scale (\(budget.arithmetic)); the \(environment.tier.rawValue) tier allows \(cap)."
                + " \(lower), or spec.workers (each worker adds \(perWorker))\(jobsHint)\(alternative)"
            throw OdooPlanError.exceedsTier(subject, fieldErrors: [.invalid("spec.scaling.maxReplicas", message)])
        }
        let message = "\(environment.replicas) web replicas with \(conf.workers) workers need up to \(budget.total) PostgreSQL connections (\(budget.arithmetic)); the \(environment.tier.rawValue) tier allows \(cap)."
            + " Lower spec.workers (each worker adds \(perWorker)) or spec.replicas\(jobsHint)\(alternative)"
        throw OdooPlanError.exceedsTier(subject, fieldErrors: [.invalid(environment.workers == nil ? "spec.replicas" : "spec.workers", message)])
    }

    /// The configuration with its tool images replaced by their pins where `pins` has them.
    func pinningTools(_ pins: [String: String]) -> OperatorConfiguration {
        guard !pins.isEmpty else { return configuration }
        var result = configuration
        result.postgresImage = pins[configuration.postgresImage] ?? configuration.postgresImage
        result.redisImage = pins[configuration.redisImage] ?? configuration.redisImage
        result.s3ClientImage = pins[configuration.s3ClientImage] ?? configuration.s3ClientImage
        return result
    }

    /// The tool images of the configuration (to pin before planning).
    public var toolImages: [String] { [configuration.postgresImage, configuration.redisImage, configuration.s3ClientImage] }

    /// The image the spec asks for: `spec.image`, or the configured repository tagged with the version.
    public func imageSource(_ environment: OdooEnvironment) -> String {
        environment.image ?? "\(configuration.imageRepository):\(environment.version)"
    }

    /// The Odoo containers' requests and limits: the spec's, the tier's defaults where the spec sets
    /// none, checked against the tier's maximum and (for all pods of the environment) its quota.
    func containerResources(_ environment: OdooEnvironment, _ tier: OperatorConfiguration.TierLimits) throws(OdooPlanError) -> (requests: [String: Quantity], limits: [String: Quantity]) {
        var requests = tier.defaultRequests.merging(environment.requests) { $1 }
        let limits = tier.defaultLimits.merging(environment.limits) { $1 }
        // A limit without a request: Kubernetes would default the request to the limit.
        for (name, limit) in limits where requests[name] == nil { requests[name] = limit }
        var problems: [FieldError] = []
        for (name, maximum) in tier.maximum.sorted(by: { $0.key < $1.key }) {
            for (kind, values) in [("limits", limits), ("requests", requests)] {
                if let value = values[name], value > maximum {
                    problems.append(.invalid(FieldPath("spec.resources") / kind / name, "\(value.text) is above the \(environment.tier.rawValue) tier's maximum of \(maximum.text)"))
                }
            }
        }
        // Web replicas (at the autoscaler's maximum), the cron pod and one surge pod during a rollout must fit the quota.
        let pods = Int128(environment.maximumReplicas + 2 + (environment.jobs == nil ? 0 : 1))
        let replicasPath: FieldPath = environment.scaling == nil ? "spec.replicas" : "spec.scaling.maxReplicas"
        let replicasText = (environment.scaling == nil ? "\(environment.replicas) web replicas" : "maxReplicas \(environment.maximumReplicas)")
            + (environment.jobs == nil ? "" : ", the background job worker")
        for (quotaKey, resource, values) in [("requests.cpu", "cpu", requests), ("requests.memory", "memory", requests), ("limits.memory", "memory", limits)] {
            guard let hard = tier.quota[quotaKey], let each = values[resource] else { continue }
            if each.nanoValue * pods > hard.nanoValue {
                problems.append(.invalid(replicasPath, "\(replicasText), the cron pod and a rollout surge need \(quotaKey) \(OdooPlanner.format(each.nanoValue * pods, resource)); the \(environment.tier.rawValue) tier's quota is \(hard.text)"))
            }
        }
        if let scaling = environment.scaling, requests["cpu"] == nil {
            problems.append(.invalid("spec.scaling.cpuUtilization", "scaling on \(scaling.cpuUtilization)% CPU utilisation needs a CPU request: set spec.resources.requests.cpu (the \(environment.tier.rawValue) tier sets no default)"))
        }
        if let pvcQuota = tier.quota["requests.storage"], environment.filestore.size > pvcQuota {
            problems.append(.invalid("spec.filestore.size", "\(environment.filestore.size.text) is above the \(environment.tier.rawValue) tier's storage quota of \(pvcQuota.text)"))
        }
        if environment.tier == .shared && environment.database.externalSecret == nil && configuration.databaseServer(named: environment.database.sharedServer) == nil {
            let known = configuration.databaseServers.map(\.name).joined(separator: ", ")
            problems.append(.invalid("spec.database.sharedServer", environment.database.sharedServer.map { "\"\($0)\" is not a shared server of this cluster (known: \(known.isEmpty ? "none" : known))" }
                                     ?? "the cluster has no shared PostgreSQL server configured; name an externalSecret"))
        }
        guard problems.isEmpty else {
            throw OdooPlanError.exceedsTier("OdooEnvironment \(environment.namespace)/\(environment.name) asks for more than its tier allows", fieldErrors: problems)
        }
        return (requests, limits)
    }

    /// A total as a quantity a person reads: millicores for CPU, MiB otherwise.
    static func format(_ nano: Int128, _ resource: String) -> String {
        resource == "cpu" ? "\(nano / 1_000_000)m" : "\(nano / 1_000_000_000 / 1_048_576)Mi"
    }
}
