import Foundation
import GuardRules
import KubeModel
import TraefikGen

/// The status of an OdooEnvironment, computed from what was observed: `observedGeneration`, the
/// conditions `Ready`, `Progressing`, `Degraded`, `DatabaseReady`, `IngressReady` and `BackupReady`
/// (each with a reason a program can match and a message a tenant can act on), the URL and the image.
public struct EnvironmentStatus: Sendable, Equatable {
    /// Why the environment cannot be applied: it stays as it was, reported as `Degraded`.
    public struct Problem: Sendable, Equatable {
        /// CamelCase reason (`InvalidSpec`, `PolicyDenied`, `ImageResolutionFailed`, `ApplyFailed`).
        public var reason: String
        /// What is wrong and what to do.
        public var message: String
        /// A problem.
        public init(reason: String, message: String) {
            self.reason = reason
            self.message = message
        }

        /// `InvalidSpec`: the spec cannot be decoded; the message lists every field error.
        public static func invalidSpec(_ error: OdooPlanError) -> Problem {
            Problem(reason: "InvalidSpec", message: sentence(error.fieldErrors.map(\.description), or: error.message))
        }

        /// `ExceedsTier`: the environment asks for more than its tier allows.
        public static func exceedsTier(_ error: OdooPlanError) -> Problem {
            Problem(reason: "ExceedsTier", message: sentence(error.fieldErrors.map(\.description), or: error.message))
        }

        /// `ImageResolutionFailed`: the registry did not resolve the spec image's tag.
        public static func imageResolutionFailed(_ message: String) -> Problem {
            Problem(reason: "ImageResolutionFailed", message: message)
        }

        /// `PolicyDenied`: the GuardPolicy would deny planned objects (`Kind name: [rule] path: message` lines).
        public static func policyDenied(_ denials: [String]) -> Problem {
            Problem(reason: "PolicyDenied", message: "the GuardPolicy would deny " + sentence(denials, or: ""))
        }

        /// `UncataloguedKind`: the plan holds a kind the operator's kind catalogue lacks, so its resource
        /// would be guessed (a defect of the operator, reported rather than applied).
        public static func uncataloguedKind(_ object: String) -> Problem {
            Problem(reason: "UncataloguedKind", message: "the plan holds \(object), whose kind is not in the operator's kind catalogue; nothing was applied (report this to the operator's maintainers)")
        }

        /// `ApplyRejected`: the API or an admission webhook refused a write.
        public static func applyRejected(_ message: String) -> Problem {
            Problem(reason: "ApplyRejected", message: message)
        }

        /// `a; b; c` with at most five items, or `fallback` when there are none.
        static func sentence(_ items: [String], or fallback: String) -> String {
            guard !items.isEmpty else { return fallback }
            let shown = items.prefix(5).joined(separator: "; ")
            return items.count > 5 ? shown + "; and \(items.count - 5) more" : shown
        }
    }

    /// The condition types, in the order they are written.
    public static let conditionTypes = EnvironmentCondition.all

    /// The conditions, in ``conditionTypes`` order.
    public var conditions: [Condition]
    /// The generation the status describes.
    public var observedGeneration: Int64?
    /// `https://` URL of the primary host.
    public var url: String?
    /// The image running, pinned by digest.
    public var image: String?
    /// The spec image the pinned one was resolved from.
    public var imageSource: String?
    /// Database name and server.
    public var database: String?
    /// Backups and restore rehearsals.
    public var backups: BackupObservation
    /// What the plan noticed that does not stop it (sticky sessions without Redis, an unpinned image).
    public var warnings: [String]
    /// An image the spec names and its pin.
    public struct PinnedImage: Sendable, Equatable {
        /// As the spec names it.
        public var source: String
        /// Pinned by digest.
        public var image: String
    }

    /// The spec's addon images and their pins, in spec order.
    public var addonImages: [PinnedImage] = []
    /// Which Job initialised the database and when (kept once recorded).
    public var databaseInitialized: DatabaseInitialization?
    /// The periods the environment ran Ready, by digests: promotion evidence.
    public var readyHistory: [ReadyPeriod] = []
    /// Whether it sleeps, wakes or is awake (`status.sleep`), for an environment with a sleep schedule.
    public var sleep: SleepStatus?
    /// Web's autoscaling now (`status.scaling`), for an environment with `spec.scaling`.
    public var scaling: ScalingStatus?
    /// The connection budget as planned (`status.connectionBudget`), which autoscalers are judged by.
    public var connectionBudget: ConnectionBudgetRecord?
    /// The latest change of image or addons and its verification (`status.change`).
    public var change: ChangeRecord?
    /// The finished changes, oldest first, at most ``ChangeRecord/historyLimit`` (`status.changeHistory`).
    public var changeHistory: [ChangeRecord] = []
    /// The last OdooRestore of the environment: source, time, and whether masking ran (`status.lastRestore`).
    public var lastRestore: RestoreRecord?

    /// The status of an environment that was planned (and, unless `problem` says otherwise, applied).
    /// - Parameters:
    ///   - environment: the decoded environment, `nil` when its spec could not be decoded.
    ///   - generation: `metadata.generation` of the object.
    ///   - desired: the plan, when there is one.
    ///   - problem: why nothing was applied, when something stopped it.
    public init(environment: OdooEnvironment?, generation: Int64?, desired: DesiredState?, imageSource: String?,
                observation: EnvironmentObservation, facts: EnvironmentFacts, problem: Problem?) {
        observedGeneration = generation
        url = environment?.url
        // While a change is held the plan runs the old image; the status keeps the new one's pin.
        image = desired?.imagePinned == true && facts.held == nil ? desired?.image : facts.pinnedImage
        self.imageSource = image == nil ? nil : imageSource
        database = environment.map { "\($0.database.name)" }
        backups = facts.backups
        warnings = desired?.warnings ?? []
        databaseInitialized = facts.initialization?.isInitialized == true ? facts.initialization : nil
        // When a problem stops the plan nothing was scaled: the record stays as it was.
        sleep = problem != nil || desired == nil ? observation.recorded.sleep : desired?.sleep
        connectionBudget = problem != nil || desired == nil ? observation.recorded.connectionBudget : desired?.connectionRecord
        scaling = problem != nil || desired == nil ? observation.recorded.scaling
            : environment?.scaling.flatMap { scaling in
                desired?.scalingMinimum.map { ScalingStatus(scaling, minimum: $0, live: observation.workloads.web.map { $0.replicas ?? 1 }, asleep: desired?.webReplicas.fixed == 0) }
            }
        // A change is recorded only when the plan was applied.
        let verification = problem == nil ? facts.verification : nil
        change = verification.map(\.record) ?? observation.recorded.change
        changeHistory = verification?.history ?? observation.recorded.changeHistory
        lastRestore = environment?.lastRestore ?? observation.recorded.lastRestore
        addonImages = (environment?.addons ?? []).compactMap { addon in observation.addonPins[addon.image].map { PinnedImage(source: addon.image, image: $0) } }
        func condition(_ type: String, _ status: Condition.Status, _ reason: String, _ message: String) -> Condition {
            Condition(type: type, status: status, reason: reason, message: message, observedGeneration: generation)
        }
        var result: [Condition] = []
        if let problem {
            result.append(condition(EnvironmentCondition.ready, .false, problem.reason, "nothing was changed: \(problem.message)"))
            result.append(condition(EnvironmentCondition.progressing, .false, problem.reason, "the change is not rolled out until the problem is fixed"))
            result.append(condition(EnvironmentCondition.degraded, .true, problem.reason, problem.message))
            for type in [EnvironmentCondition.databaseReady, EnvironmentCondition.ingressReady, EnvironmentCondition.backupReady] {
                result.append(observation.recorded.conditions.first { $0.type == type }
                              ?? condition(type, .unknown, "NotObserved", "not checked while the environment cannot be applied"))
            }
        } else if let environment {
            result += EnvironmentStatus.liveConditions(environment, observation, facts, generation: generation, asleep: sleep?.state == .sleeping,
                                                       scaling: scaling)
            if let sleep, sleep.state != .awake { result = EnvironmentStatus.asleep(result, sleep, environment, generation: generation) }
        }
        conditions = Condition.merge(result, into: observation.recorded.conditions, now: observation.now)
        // A planned sleep (and the wake-up after it) is neither uptime nor an outage: the history waits.
        if let sleep, sleep.state != .awake, problem == nil {
            readyHistory = observation.recorded.readyHistory
            return
        }
        readyHistory = EnvironmentStatus.history(observation, ready: conditions.first { $0.type == EnvironmentCondition.ready }?.status == .true,
                                                 image: facts.held?.image ?? (desired?.imagePinned == true ? desired?.image : nil),
                                                 addons: facts.held?.addons.map(\.image) ?? environment.map { observation.pinnedAddons($0).map(\.image) } ?? [])
    }

    /// The conditions of an environment that was planned and applied: Ready, Progressing, Degraded,
    /// DatabaseReady, IngressReady and BackupReady, from what was observed.
    /// While `asleep`, web and cron are rolled out at 0 pods.
    static func liveConditions(_ environment: OdooEnvironment, _ observation: EnvironmentObservation, _ facts: EnvironmentFacts, generation: Int64?,
                               asleep: Bool = false, scaling: ScalingStatus? = nil) -> [Condition] {
        func condition(_ type: String, _ status: Condition.Status, _ reason: String, _ message: String) -> Condition {
            Condition(type: type, status: status, reason: reason, message: message, observedGeneration: generation)
        }
        var conditions: [Condition] = []
        // Under an autoscaler, the count it decided last (the Deployment's) is what rolls out.
        let webWanted = asleep ? 0 : scaling?.replicas ?? environment.replicas
        let web = Rollout(webWanted, observation.workloads.web)
        let cron = Rollout(asleep ? 0 : 1, observation.workloads.cron)
        let database = EnvironmentStatus.databaseCondition(environment, facts, generation: generation)
        let ingress: Condition
        if facts.tlsSecretPresent == false, case .secret(let name) = environment.routing.tls {
            ingress = condition(EnvironmentCondition.ingressReady, .false, "TLSSecretMissing",
                                "Secret \(name) named by spec.ingress.tls.secretName does not exist in namespace \(environment.namespace); create a kubernetes.io/tls Secret or use certResolver")
        } else {
            ingress = condition(EnvironmentCondition.ingressReady, .true, "RoutesApplied", "\(environment.url) is routed by IngressRoute \(environment.childNames.objects.secureRoute)")
        }
        let backup = EnvironmentStatus.backupCondition(environment, observation, facts, generation: generation)
        let rolledOut = web.done && cron.done
        var progress = "web: \(web.summary); cron: \(cron.summary)"
        var held: (reason: String, message: String)?
        var failure: (reason: String, message: String)?
        switch facts.gate {
        case .hold(let reason, let message, _)?, .startJob(_, _, let reason, let message)?: held = (reason, message)
        case .failed(let reason, let message)?: failure = (reason, message)
        case .proceed?, nil: break
        }
        if failure == nil, case .failed? = facts.initialization { failure = (database.reason, database.message) }
        if failure == nil, let first = observation.podFailures.first {
            let more = observation.podFailures.count > 1 ? " (and \(observation.podFailures.count - 1) more)" : ""
            failure = (first.reason, first.description + more)
        }
        if let hold = held ?? failure { progress = hold.message + "; " + progress }
        var waiting: [(String, String)] = []
        // An uninitialised database explains the stopped pods: it is named first.
        let initializing = facts.initialization.map { !$0.isInitialized } ?? false
        if database.status != .true && initializing { waiting.append((database.reason, database.message)) }
        if !rolledOut { waiting.append(("RollingOut", progress)) }
        if database.status != .true && !initializing { waiting.append((database.reason, database.message)) }
        if ingress.status != .true { waiting.append((ingress.reason, ingress.message)) }
        // A change that failed its verification and could not be rolled back does not serve users.
        if let failure, failure.reason == EnvironmentCondition.verificationFailed { waiting.insert(failure, at: 0) }
        let serving = facts.held?.version ?? environment.version
        conditions.append(waiting.isEmpty
                      ? condition(EnvironmentCondition.ready, .true, "Available", "\(environment.url) serves Odoo \(serving) with \(webWanted) web replica\(webWanted == 1 ? "" : "s")"
                                    + (scaling.map { " (autoscaled \($0.minReplicas)–\($0.maxReplicas))" } ?? ""))
                      : condition(EnvironmentCondition.ready, .false, waiting[0].0, waiting.map(\.1).joined(separator: "; ")))
        if let hold = held ?? failure {
            conditions.append(condition(EnvironmentCondition.progressing, .false, hold.reason, progress))
        } else {
            conditions.append(rolledOut ? condition(EnvironmentCondition.progressing, .false, "RolloutComplete", progress)
                                    : condition(EnvironmentCondition.progressing, .true, "RollingOut", progress))
        }
        conditions.append(failure.map { condition(EnvironmentCondition.degraded, .true, $0.reason, $0.message) }
                      ?? condition(EnvironmentCondition.degraded, .false, "AsExpected", "every object is applied as planned"))
        conditions += [database, ingress, backup]
        return conditions
    }

    /// `status.readyHistory` after this observation (the running digests: the held ones while a
    /// change waits, else the plan's).
    static func history(_ observation: EnvironmentObservation, ready: Bool, image: String?, addons: [String]) -> [ReadyPeriod] {
        ReadyPeriod.next(observation.recorded.readyHistory, ready: ready, image: image, addons: addons, now: observation.now)
    }

    /// `BackupReady`: true while the last good backup is younger than the stage's RPO and the
    /// newest rehearsal did not fail.
    static func backupCondition(_ environment: OdooEnvironment, _ observation: EnvironmentObservation, _ facts: EnvironmentFacts,
                                generation: Int64?) -> Condition {
        func condition(_ status: Condition.Status, _ reason: String, _ message: String) -> Condition {
            Condition(type: EnvironmentCondition.backupReady, status: status, reason: reason, message: message, observedGeneration: generation)
        }
        guard let schedule = environment.backup?.schedule else {
            return condition(.false, "NoBackupSchedule", "no backups are taken; set spec.backup.schedule (production needs a recent backup before image changes)")
        }
        let backups = facts.backups
        if backups.credentialsPresent == false {
            return condition(.false, EnvironmentCondition.credentialsMissing, "the S3 credentials Secret for backups does not exist in namespace \(environment.namespace); create it with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
        if let failure = backups.backupFailure { return condition(.false, "BackupFailed", "the last backup failed: \(failure)") }
        if let failure = backups.restoreFailure { return condition(.false, "RestoreCheckFailed", "the last restore rehearsal failed: \(failure)") }
        guard let last = backups.lastBackupTime else {
            return condition(.false, "NoBackupYet", "backups run on schedule \(schedule) (UTC); none has completed yet")
        }
        let rpo = observation.rpoHours ?? 24
        let age = observation.now.timeIntervalSince(last)
        let size = backups.lastBackupSize.map { ", \($0) bytes" } ?? ""
        if age >= Double(rpo) * 3600 {
            return condition(.false, "BackupStale", "the last good backup (\(Timestamp.format(last))\(size)) is older than the \(environment.stage.rawValue) RPO of \(rpo) h")
        }
        let rehearsal = backups.lastRestoreCheckTime.map { "; last restore rehearsal \(Timestamp.format($0))" } ?? "; no restore rehearsal yet"
        return condition(.true, "BackupRecent", "last good backup \(Timestamp.format(last))\(size), within the \(rpo) h RPO\(rehearsal)")
    }

    /// A Deployment's rollout as its status reports it.
    struct Rollout {
        let done: Bool
        let summary: String

        init(_ replicas: Int, _ deployment: DeploymentView?) {
            guard let deployment else {
                done = false
                summary = "not created yet"
                return
            }
            done = deployment.rolledOut(Int64(replicas))
            summary = deployment.observedGeneration < deployment.generation ? "the change is not picked up yet"
                : "\(min(deployment.updatedReplicas, deployment.availableReplicas)) of \(replicas) pods updated and available"
        }
    }
}
