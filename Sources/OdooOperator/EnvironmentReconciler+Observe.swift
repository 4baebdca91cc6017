import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import OdooPlan
import TraefikGen

/// The observation: everything a reconcile reads (the caches, the registry for the image pin, the
/// Jobs' pods for their reports), gathered once into an ``EnvironmentObservation``.
extension EnvironmentReconciler {
    /// What the reconciler knows of `object` now.
    func observe(_ object: KubeObject) async -> EnvironmentObservation {
        let decoded: Result<OdooEnvironment, OdooPlanError>
        do { decoded = .success(try OdooEnvironment.decode(object.raw)) } catch { decoded = .failure(error) }
        var observation = EnvironmentObservation(object: object, environment: decoded, now: dependencies.now())
        observation.policy = dependencies.policy()
        observation.provisioning = dependencies.provisioner != nil
        guard case .success(let environment) = decoded else { return observation }
        let source = decision.planner.imageSource(environment)
        observation.imageSource = source
        observation.pin = await pin(source, recorded: observation.recorded)
        if case .failed = observation.pin { return observation }
        (observation.addonPins, observation.addonsResolvedNow, observation.addonPinFailure) = await pinAddons(environment, recorded: observation.recorded)
        if observation.addonPinFailure != nil { return observation }
        observation.toolImages = await pinnedTools()
        let names = environment.childNames
        let namespace = environment.namespace
        func workload(_ resource: ResourceType, _ name: String) -> DeploymentView? {
            stores[resource]?.get(ObjectKey(namespace: namespace, name: name)).map(DeploymentView.init)
        }
        observation.workloads = EnvironmentObservation.Workloads(web: workload(.deployments, names.deployment(.web)),
                                                                  cron: workload(.deployments, names.deployment(.cron)),
                                                                  postgres: workload(.statefulSets, names.postgres))
        observation.workloads.sleepingPage = workload(.deployments, names.sleeping)
        observation.workloads.queue = workload(.deployments, names.deployment(.queue))
        // The web pods are listed once: for their failures while a rollout is short of ready pods,
        // and for their restarts while a change is being verified.
        let verifying = observation.recorded.change?.outcome == .verifying
        var webPods: [PodView]?
        if verifying || Self.shortOfReadyPods(observation.workloads.web) { webPods = await pods(environment, .web) }
        observation.podFailures = await podFailures(environment, observation.workloads, webPods: webPods)
        if verifying {
            observation.verificationPods = webPods ?? []
            await checkLogin(environment, into: &observation)
        }
        observation.existingSecrets = existingSecrets(environment)
        observation.rpoHours = dependencies.configuration.backup.rpoHours[environment.stage]
        let addons = environment.addons(pinnedBy: observation.addonPins)
        await observeJobs(environment, changeKey: ChangeGate.changeKey(image: observation.pin.image ?? source, addons: addons), into: &observation)
        (observation.live, observation.owned) = children(of: environment)
        return observation
    }

    /// The spec image's pin: the spec's own digest, the status's while it was resolved from the same
    /// source, or the registry's answer now.
    func pin(_ source: String, recorded: EnvironmentStatus) async -> EnvironmentObservation.ImagePin {
        if source.contains("@sha256:") { return .known(source) }
        if let pinned = recorded.pin(of: source) { return .known(pinned) }
        do {
            return .resolved(try await dependencies.images.pin(source))
        } catch {
            return .failed(error.message)
        }
    }

    /// The addon images' pins: the spec's own digest, the status's for the same source, or the
    /// registry's answer now; the first that cannot be pinned is named with its field.
    func pinAddons(_ environment: OdooEnvironment, recorded: EnvironmentStatus) async -> (pins: [String: String], resolvedNow: Set<String>, failure: String?) {
        var pins: [String: String] = [:]
        var resolvedNow: Set<String> = []
        for (index, addon) in environment.addons.enumerated() {
            if addon.image.contains("@sha256:") { pins[addon.image] = addon.image; continue }
            if let known = recorded.addonPins[addon.image] { pins[addon.image] = known; continue }
            do {
                pins[addon.image] = try await dependencies.images.pin(addon.image)
                resolvedNow.insert(addon.image)
            } catch {
                return (pins, resolvedNow, "spec.addons[\(index)].image \(addon.image): \(error.message)")
            }
        }
        return (pins, resolvedNow, nil)
    }

    /// Which of the Secrets the environment generates or names exist (read from the metadata-only cache).
    func existingSecrets(_ environment: OdooEnvironment) -> Set<String> {
        let names = environment.childNames
        var candidates = [names.adminSecret, names.databaseSecret, names.redisSecret, environment.databaseSecretName]
        if let backup = environment.backup {
            candidates.append(backup.credentialsSecret ?? dependencies.configuration.backup.credentialsSecret)
            if let copy = dependencies.configuration.backup.copy?.credentialsSecret { candidates.append(copy) }
        }
        if case .secret(let name) = environment.routing.tls { candidates.append(name) }
        return Set(candidates.filter { stores[.secrets]?.get(ObjectKey(namespace: environment.namespace, name: $0)) != nil })
    }

    /// The live objects of the environment in its namespace (controlled by it, or labelled with it)
    /// and its Namespace; and, of those, the ones it controls.
    func children(of environment: OdooEnvironment) -> (live: [ChildReference: JSONValue], owned: [OwnedChild]) {
        var live: [ChildReference: JSONValue] = [:]
        var owned: [OwnedChild] = []
        if let namespace = stores[.namespaces]?.get(ObjectKey(namespace: nil, name: environment.namespace)) {
            live[ChildReference(.namespaces, namespace: nil, name: environment.namespace)] = namespace
        }
        for (resource, store) in stores where resource.namespaced {
            for raw in store.list(namespace: environment.namespace) {
                let child = KubeObject(raw)
                let controlled = environment.uid != nil && child.ownerReferences.contains { $0.controller && $0.uid == environment.uid }
                let labels = child.labels
                guard controlled || labels[GuardLabels.instance] == environment.name || labels[GuardLabels.environment] == environment.name else { continue }
                let reference = ChildReference(resource, namespace: environment.namespace, name: child.name)
                live[reference] = raw
                if controlled { owned.append(OwnedChild(reference, uid: child.uid)) }
            }
        }
        return (live, owned)
    }

    /// The environment's Jobs, read once: the backups and rehearsals (and whether the S3 credentials
    /// exist), the gate's Jobs for the change `changeKey` names, the database init Jobs; and in one
    /// list the pods of those whose reports are needed (a failed Job's log tail, a backup's report
    /// newer than the status).
    func observeJobs(_ environment: OdooEnvironment, changeKey: String, into observation: inout EnvironmentObservation) async {
        let jobs = (stores[.jobs]?.list(namespace: environment.namespace) ?? []).map(JobView.init).filter {
            $0.labels[GuardLabels.instance] == environment.name && $0.labels[GuardLabels.name] == GuardLabels.odooName
        }
        func component(_ job: JobView) -> String { job.labels[GuardLabels.component] ?? "" }
        var reported: [String] = []
        if let backup = environment.backup {
            let credentials = backup.credentialsSecret ?? dependencies.configuration.backup.credentialsSecret
            // The second bucket's own credentials, when it has them, are needed as much as the first's.
            let copy = dependencies.configuration.backup.copy?.credentialsSecret
            observation.backups.credentialsPresent = observation.existingSecrets.contains(credentials)
                && copy.map { observation.existingSecrets.contains($0) } ?? true
            observation.backupJobs = jobs.filter { [Component.backup.rawValue, Component.restoreCheck.rawValue].contains(component($0)) }
            let lastBackup = observation.backups.lastBackupTime ?? .distantPast
            reported += observation.backupJobs.filter { job in
                job.phase == .failed || (job.phase == .succeeded && component(job) == Component.backup.rawValue && (job.completionTime ?? .distantPast) > lastBackup)
            }.map(\.name)
        }
        let names = environment.childNames
        let gate = [(names.changeBackup(image: changeKey), JobContainer.upload), (names.upgrade(image: changeKey), .upgrade)].compactMap { name, container in
            jobs.first { $0.name == name }.map { (job: $0, container: container) }
        }
        let initializations = jobs.filter { component($0) == Component.initialize.rawValue }.map { (job: $0, container: JobContainer.initialize) }
        reported += (gate + initializations).filter { $0.job.phase == .failed }.map(\.job.name)
        if !reported.isEmpty {
            let selector = "\(JobReport.jobNameLabel) in (\(Set(reported).sorted().joined(separator: ",")))"
            if let pods = try? await dependencies.api.list(.pods, namespace: environment.namespace, options: ListOptions(labelSelector: selector)) {
                observation.jobPods = JobReport.newestByJob(pods.items.map(PodView.init))
            }
        }
        let pods = observation.jobPods
        func state(_ entry: (job: JobView, container: JobContainer)) -> ChangeGate.JobState {
            ChangeGate.JobState(entry.job, report: pods[entry.job.name].flatMap { JobReport.message(of: $0, containers: [entry.container]) })
        }
        observation.gateJobs = Dictionary(gate.map { ($0.job.name, state($0)) }, uniquingKeysWith: { first, _ in first })
        observation.initJobs = Dictionary(initializations.map { ($0.job.name, state($0)) }, uniquingKeysWith: { first, _ in first })
    }

    /// The web, cron and background job worker pods' failed containers, read only while a Deployment
    /// has fewer ready pods than it asks for; `webPods` are the web pods when already listed.
    func podFailures(_ environment: OdooEnvironment, _ workloads: EnvironmentObservation.Workloads, webPods: [PodView]?) async -> [PodFailure] {
        var result: [PodFailure] = []
        for (component, deployment) in [(Component.web, workloads.web), (.cron, workloads.cron), (.queue, workloads.queue)] where Self.shortOfReadyPods(deployment) {
            var listed = component == .web ? webPods : nil
            if listed == nil { listed = await pods(environment, component) }
            guard let pods = listed else { continue }
            result += pods.sorted { $0.name < $1.name }.flatMap(PodFailure.of(pod:))
        }
        return result
    }

    /// Whether a Deployment asks for pods and has fewer ready than that.
    static func shortOfReadyPods(_ deployment: DeploymentView?) -> Bool {
        guard let deployment, let wanted = deployment.replicas, wanted > 0 else { return false }
        return deployment.readyReplicas < wanted
    }

    /// The pods of one of the environment's components (pods are not cached: one list per call),
    /// `nil` when the list failed.
    func pods(_ environment: OdooEnvironment, _ component: Component) async -> [PodView]? {
        let selector = environment.selector(component: component).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return try? await dependencies.api.list(.pods, namespace: environment.namespace, options: ListOptions(labelSelector: selector)).items.map(PodView.init)
    }

    /// The synthetic login check, once the verification window of the change has ended with
    /// everything rolled out.
    func checkLogin(_ environment: OdooEnvironment, into observation: inout EnvironmentObservation) async {
        guard decision.planner.verification.loginCheckDue(environment, observation) else { return }
        guard let checker = dependencies.loginChecker else {
            observation.loginCheck = .notConfigured
            return
        }
        observation.loginCheck = await checker.check(namespace: environment.namespace, service: RoutingSpec.defaultServiceName(for: environment.name))
    }

    /// The configuration's tool images pinned through the image resolver (an hour's cache). One that
    /// cannot be pinned stays a tag: the policy gate then says which and why.
    func pinnedTools() async -> [String: String] {
        let now = dependencies.now()
        var result: [String: String] = [:]
        for image in decision.planner.toolImages {
            if image.contains("@sha256:") { continue }
            if let cached = toolPins.withLockedValue({ $0[image] }), now.timeIntervalSince(cached.at) < 3600 {
                result[image] = cached.pinned
                continue
            }
            guard let pinned = try? await dependencies.images.pin(image) else { continue }
            toolPins.withLockedValue { $0[image] = (pinned, now) }
            result[image] = pinned
        }
        return result
    }
}
