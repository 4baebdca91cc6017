import Foundation
import GuardRules
import KubeModel

/// Decides what one reconcile of an OdooEnvironment does: pure and deterministic, from one
/// ``EnvironmentObservation`` to one ``Reconciliation``. In order: decode (done by the observation),
/// the image pin, the change gate, the plan, the policy check, then which Secrets to create, which
/// objects differ from their live copies, what to prune, the gate's Job and the database step.
public struct EnvironmentDecision: Sendable {
    /// The planner.
    public let planner: OdooPlanner

    /// A decision under `configuration`.
    public init(configuration: OperatorConfiguration) {
        planner = OdooPlanner(configuration: configuration)
    }

    /// Resources whose objects are never pruned: data and credentials go only with the environment,
    /// as `deletionPolicy` says, and Jobs are records of backups and upgrades (garbage collection
    /// takes them with the environment).
    public static let neverPruned: Set<ResourceType> = [.secrets, .persistentVolumeClaims, .jobs]

    /// The reconciliation of `observation`.
    public func decide(_ observation: EnvironmentObservation) -> Reconciliation {
        let backups = Self.backups(observation)
        var facts = EnvironmentFacts(initialization: observation.recorded.databaseInitialized, backups: backups)
        var report = Reconciliation.Report(environment: nil, generation: observation.object.generation, desired: nil, imageSource: observation.imageSource,
                                           observation: observation, facts: facts)
        let environment: OdooEnvironment
        switch observation.environment {
        case .failure(let error): return Reconciliation(report: report, problem: .invalidSpec(error))
        case .success(let decoded): environment = decoded
        }
        report.environment = environment
        facts.databaseSecretPresent = observation.existingSecrets.contains(environment.databaseSecretName)
        if planner.usesCloudNativePG(environment, observation: observation) { facts.database = Self.clusterCheck(environment, observation) }
        if case .secret(let name) = environment.routing.tls { facts.tlsSecretPresent = observation.existingSecrets.contains(name) }
        let source = observation.imageSource ?? planner.imageSource(environment)
        if let message = observation.pinFailure {
            report.facts = facts
            report.problemRetry = .seconds(60)
            return Reconciliation(report: report, problem: .imageResolutionFailed(message))
        }
        var events = Self.pinEvents(observation, source: source)
        facts.pinnedImage = observation.pin.image
        let desiredImage = observation.pin.image ?? source
        let desiredAddons = observation.pinnedAddons(environment)
        var gate = gateDecision(environment, observation, lastBackup: backups.lastBackupTime, desiredImage: desiredImage, desiredAddons: desiredAddons)
        let verification = planner.verification.step(environment, observation, running: gate.running,
                                                     desired: ChangeRecord.Digests(image: desiredImage, version: environment.version, addons: desiredAddons),
                                                     gate: gate.decision)
        facts.verification = verification
        if let failure = verification.failure {
            // A failed change stands: rolled back (the previous digests run, no gate Job starts) or,
            // after a migration, kept running; either way `Degraded` until the spec names other digests.
            gate.decision = .failed(reason: failure.reason, message: failure.message)
            facts.held = verification.held
            facts.gate = gate.decision
        } else if gate.decision != .proceed {
            facts.held = gate.running
            facts.gate = gate.decision
        }
        if facts.initialization?.isInitialized != true {
            facts.initialization = Self.initialization(environment, observation, image: facts.held?.image ?? desiredImage)
            if case .initialized(let job, _)? = facts.initialization { events.append(Self.initialized(environment, by: job)) }
        }
        report.facts = facts
        let desired: DesiredState
        do {
            desired = try planner.plan(environment, observation: observation, facts: facts, podSecurity: observation.policy?.podSecurity ?? PodSecuritySettings(),
                                       placement: observation.policy?.placement ?? PlacementPolicy())
        } catch {
            return Reconciliation(report: report, problem: .exceedsTier(error))
        }
        report.desired = desired
        // Each object's bytes, keys in byte order, serialized once: the gate's judgement and the
        // applied-configuration hash both read them.
        let serialized = desired.objects.map { $0.serializedBytes(.sortedKeys) }
        let judged = Self.policyGate(desired, serialized: serialized, environment, observation)
        if !judged.denials.isEmpty { return Reconciliation(report: report, problem: .policyDenied(judged.denials)) }
        var result = Reconciliation(report: report)
        result.passedGate = judged.passed
        result.events = events + (verification.event.map { [$0] } ?? [])
        result.changeOutcome = ChangeVerification.missingAnnotation(verification.record, on: observation.object)
        result.secrets = desired.secrets.filter { !observation.existingSecrets.contains($0.name) }
        // Every planned kind is in the kind catalogue: its resource is known, never a guessed plural.
        var planned: [Planned] = []
        for (object, bytes) in zip(desired.objects, serialized) {
            let view = KubeObject(object)
            guard let resource = ResourceType.known(view.gvk) else {
                return Reconciliation(report: report, problem: .uncataloguedKind("\(view.apiVersion) \(view.kind) \(view.name)"))
            }
            planned.append((reference: ChildReference(resource, namespace: view.namespace, name: view.name), object: object, serialized: bytes))
        }
        result.apply = Self.changed(planned, live: observation.live)
        result.webReplicas = Self.replicaWrite(desired.webReplicas, environment, observation, applying: result.apply)
        // A Cluster replaced by a point-in-time recovery stays until the restore that made the new one finishes.
        let previous = environment.recoveredCluster?.previous.map { ChildReference(.cnpgClusters, namespace: environment.namespace, name: $0) }
        result.prune = Self.pruned(observation.owned, keeping: planned.map(\.reference) + (previous.map { [$0] } ?? []))
        do {
            result.job = try gateJob(gate, environment, observation, image: desiredImage, addons: desiredAddons)
        } catch {
            return Reconciliation(report: report, problem: .exceedsTier(error))
        }
        // On CloudNativePG the init Job waits for the Cluster to serve (creating one takes minutes).
        if case .pending(let name)? = facts.initialization, let job = desired.initJob, facts.database?.ready != false {
            result.initJob = PlannedJob(kind: .initialize, name: name, image: desired.image, object: job)
        }
        result.database = databaseStep(environment, observation, connectionLimit: desired.connectionBudget?.total)
        return result
    }

    /// What runs (the web Deployment, or the cron one when web was deleted by hand) and what the
    /// change gate says about rolling out `desiredImage`.
    func gateDecision(_ environment: OdooEnvironment, _ observation: EnvironmentObservation, lastBackup: Date?, desiredImage: String,
                      desiredAddons: [OdooEnvironment.Addon])
        -> (running: ChangeGate.Running?, decision: ChangeGate.Decision) {
        // Before the database is initialised nothing serves users, so there is nothing to protect;
        // pods an older operator started (running, not recorded) still are.
        let serving = observation.recorded.databaseInitialized != nil
            || [observation.workloads.web, observation.workloads.cron].contains { ($0?.replicas ?? 0) > 0 }
        let running = !serving ? nil : ChangeGate.Running(deployment: observation.workloads.web, fallbackVersion: environment.version)
            ?? ChangeGate.Running(deployment: observation.workloads.cron, fallbackVersion: environment.version)
        let decision = ChangeGate(environment: environment, desiredImage: desiredImage, rpoHours: observation.rpoHours ?? 24,
                                  desiredAddons: desiredAddons)
            .decide(running: running, lastBackup: lastBackup, jobs: observation.gateJobs, now: observation.now)
        return (running, decision)
    }

    /// The Job the change gate starts, if it starts one: an upgrade updates every module after a
    /// major-version change, otherwise the addon images' modules.
    func gateJob(_ gate: (running: ChangeGate.Running?, decision: ChangeGate.Decision), _ environment: OdooEnvironment, _ observation: EnvironmentObservation,
                 image: String, addons: [OdooEnvironment.Addon]) throws(OdooPlanError) -> PlannedJob? {
        guard case .startJob(let kind, let name, _, _) = gate.decision else { return nil }
        let runningMajor = gate.running.flatMap { Int($0.version.split(separator: ".").first ?? "") } ?? environment.majorVersion
        let job = try planner.job(kind, name: name, environment: environment, image: image, toolImages: observation.toolImages,
                                  addons: addons, updateAll: environment.majorVersion > runningMajor, placement: observation.policy?.placement ?? PlacementPolicy())
        return PlannedJob(kind: kind, name: name, image: image, object: job)
    }

    /// Where the init Job for `image` stands: not started, running, done (recorded from now on) or failed.
    static func initialization(_ environment: OdooEnvironment, _ observation: EnvironmentObservation, image: String) -> DatabaseInitialization {
        let name = environment.childNames.initialization(image: image, modules: environment.database.initModules)
        let job = observation.initJobs[name]
        switch job?.phase {
        case nil: return .pending(job: name)
        case .running?: return .running(job: name)
        case .succeeded?: return .initialized(job: name, time: job?.completionTime ?? observation.now)
        case .failed?: return .failed(job: name, message: job?.message ?? "no log")
        }
    }

    /// `ImagePinned` for the spec image and each addon image resolved in the registry during this reconcile.
    static func pinEvents(_ observation: EnvironmentObservation, source: String) -> [EnvironmentEvent] {
        var events: [EnvironmentEvent] = []
        if case .resolved(let pinned) = observation.pin {
            events.append(EnvironmentEvent(reason: "ImagePinned", action: "Pin", note: "\(source) is \(pinned)"))
        }
        for addon in observation.addonsResolvedNow.sorted() {
            events.append(EnvironmentEvent(reason: "ImagePinned", action: "Pin", note: "addon image \(addon) is \(observation.addonPins[addon] ?? "?")"))
        }
        return events
    }

    /// The Event announcing the database initialised by `job`.
    static func initialized(_ environment: OdooEnvironment, by job: String) -> EnvironmentEvent {
        EnvironmentEvent(reason: EnvironmentCondition.initialized, action: "Initialize", note:
            "Job \(job) initialised database \(environment.database.name) (\(environment.database.initModules.joined(separator: ", "))); web and cron start")
    }

    /// A planned object: where it goes, the object, and its bytes with keys in byte order.
    typealias Planned = (reference: ChildReference, object: JSONValue, serialized: [UInt8])

    /// The planned objects whose live copy differs (or is missing), stamped for server-side apply.
    static func changed(_ planned: [Planned], live: [ChildReference: JSONValue]) -> [PlannedObject] {
        planned.compactMap { reference, object, serialized in
            let stamped = reference.resource.namespaced ? AppliedConfiguration.stamped(object, serialized: serialized) : object
            guard AppliedConfiguration.needsApply(stamped, live: live[reference]) else { return nil }
            return PlannedObject(reference: reference, object: stamped)
        }
    }

    /// Web's replica count to write apart from the Deployment under an autoscaler: before the
    /// Deployment's own apply when it exists (so dropping `spec.replicas` from that apply keeps the
    /// count), after it when it is created now, and whenever the count is outside the autoscaler's range.
    static func replicaWrite(_ replicas: WebReplicas, _ environment: OdooEnvironment, _ observation: EnvironmentObservation,
                             applying: [PlannedObject]) -> ReplicaWrite? {
        let name = environment.childNames.deployment(.web)
        let reference = ChildReference(.deployments, namespace: environment.namespace, name: name)
        let live = observation.workloads.web.map { $0.replicas ?? 1 }
        let applyingWeb = applying.contains { $0.reference == reference }
        guard let count = replicas.separateWrite(live: live, applying: applyingWeb) else { return nil }
        return ReplicaWrite(reference: reference, object: WebReplicas.object(count, name: name, namespace: environment.namespace),
                            beforeApply: live != nil)
    }

    /// The owned objects the plan no longer has (the PDB when replicas drop to one, routes of a removed
    /// feature), in resource then name order; ``neverPruned`` resources are kept. Matched by kind and name.
    static func pruned(_ owned: [OwnedChild], keeping planned: [ChildReference]) -> [OwnedChild] {
        let kept = Set(planned.map { "\($0.resource.kind)/\($0.name)" })
        return owned
            .filter { !neverPruned.contains($0.reference.resource) && !kept.contains("\($0.reference.resource.kind)/\($0.reference.name)") }
            .sorted { ($0.reference.resource.description, $0.reference.name) < ($1.reference.resource.description, $1.reference.name) }
    }

    /// The CloudNativePG Cluster's conditions, or the dedicated server's readiness from its
    /// StatefulSet; the provisioner for a shared server when one is configured; otherwise nothing
    /// (the credentials Secret decides).
    func databaseStep(_ environment: OdooEnvironment, _ observation: EnvironmentObservation, connectionLimit: Int?) -> Reconciliation.DatabaseStep {
        if planner.usesCloudNativePG(environment, observation: observation) { return .known(Self.clusterCheck(environment, observation)) }
        if environment.tier == .dedicated && environment.database.externalSecret == nil {
            let name = environment.childNames.postgres
            let ready = observation.workloads.postgres?.readyReplicas ?? 0
            return .known(ready >= 1
                ? DatabaseCheck(ready: true, reason: "DedicatedServerReady", message: "PostgreSQL StatefulSet \(name) is ready; database \(environment.database.name)")
                : DatabaseCheck(ready: false, reason: "DedicatedServerStarting", message: "PostgreSQL StatefulSet \(name) has no ready pod yet"))
        }
        return observation.provisioning ? .provision(environment, connectionLimit: connectionLimit) : .none
    }
}
