import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import OdooPlan

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
        observation.workloads = EnvironmentObservation.Workloads(
            web: stores[.deployments]?.get(ObjectKey(namespace: namespace, name: names.deployment("web"))),
            cron: stores[.deployments]?.get(ObjectKey(namespace: namespace, name: names.deployment("cron"))),
            postgres: stores[.statefulSets]?.get(ObjectKey(namespace: namespace, name: names.postgres)))
        observation.workloads.sleepingPage = stores[.deployments]?.get(ObjectKey(namespace: namespace, name: names.sleeping))
        observation.podFailures = await podFailures(environment, observation.workloads)
        observation.existingSecrets = existingSecrets(environment)
        observation.rpoHours = dependencies.configuration.backup.rpoHours[environment.stage]
        observation.backups = await observeBackups(environment, recorded: observation.recorded.backups, existingSecrets: observation.existingSecrets)
        let addons = environment.addons(pinnedBy: observation.addonPins)
        observation.gateJobs = await gateJobs(environment, key: ChangeGate.changeKey(image: observation.pin.image ?? source, addons: addons))
        observation.initJobs = await initJobs(environment)
        (observation.live, observation.owned) = children(of: environment)
        return observation
    }

    /// The spec image's pin: the spec's own digest, the status's while it was resolved from the same
    /// source, or the registry's answer now.
    func pin(_ source: String, recorded: RecordedStatus) async -> EnvironmentObservation.ImagePin {
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
    func pinAddons(_ environment: OdooEnvironment, recorded: RecordedStatus) async -> (pins: [String: String], resolvedNow: Set<String>, failure: String?) {
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
        if let backup = environment.backup { candidates.append(backup.credentialsSecret ?? dependencies.configuration.backup.credentialsSecret) }
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

    /// Backups and rehearsals: the previous status, updated from the newest finished Jobs.
    func observeBackups(_ environment: OdooEnvironment, recorded: BackupObservation, existingSecrets: Set<String>) async -> BackupObservation {
        var result = recorded
        guard let backup = environment.backup else { return result }
        let credentials = backup.credentialsSecret ?? dependencies.configuration.backup.credentialsSecret
        result.credentialsPresent = existingSecrets.contains(credentials)
        let jobs = (stores[.jobs]?.list(namespace: environment.namespace) ?? []).filter {
            KubeObject($0).labels[GuardLabels.instance] == environment.name && KubeObject($0).labels[GuardLabels.name] == GuardLabels.odooName
        }
        for component in ["backup", "restore-check"] {
            let finished = jobs.filter { KubeObject($0).labels[GuardLabels.component] == component }
                .compactMap { job -> (JSONValue, ChangeGate.JobState)? in
                    let state = Self.jobState(job)
                    return state.phase == .running ? nil : (job, state)
                }
                .sorted { ($0.1.completionTime ?? .distantPast) < ($1.1.completionTime ?? .distantPast) }
            guard let (job, state) = finished.last else { continue }
            let completed = state.completionTime ?? .distantPast
            switch (component, state.phase) {
            case ("backup", .succeeded):
                if completed > (result.lastBackupTime ?? .distantPast) {
                    result.lastBackupTime = completed
                    let report = await terminationMessage(of: job, containers: ["upload"])
                    result.lastBackupSize = report.flatMap { try? JSONParser.parse($0) }?["size"]?.intValue
                }
            case ("backup", _):
                result.backupFailure = await failureMessage(of: job, state)
            case (_, .succeeded):
                if completed > (result.lastRestoreCheckTime ?? .distantPast) { result.lastRestoreCheckTime = completed }
            default:
                result.restoreFailure = await failureMessage(of: job, state)
            }
        }
        return result
    }

    /// The gate's Jobs (an on-demand backup, an upgrade) for the change `key` names, by name.
    func gateJobs(_ environment: OdooEnvironment, key: String) async -> [String: ChangeGate.JobState] {
        var result: [String: ChangeGate.JobState] = [:]
        let names = environment.childNames
        for (name, container) in [(names.changeBackup(image: key), "upload"), (names.upgrade(image: key), "upgrade")] {
            guard let job = stores[.jobs]?.get(ObjectKey(namespace: environment.namespace, name: name)) else { continue }
            var state = Self.jobState(job)
            if state.phase == .failed { state.message = await terminationMessage(of: job, containers: [container]) ?? state.message }
            result[name] = state
        }
        return result
    }

    /// The failed containers of the web and cron pods, read only while a Deployment has fewer ready
    /// pods than it asks for (pods are not cached: one list per such reconcile).
    func podFailures(_ environment: OdooEnvironment, _ workloads: EnvironmentObservation.Workloads) async -> [PodFailure] {
        var result: [PodFailure] = []
        for (component, deployment) in [("web", workloads.web), ("cron", workloads.cron)] {
            guard let deployment, let wanted = deployment["spec"]?["replicas"]?.intValue, wanted > 0,
                  (deployment["status"]?["readyReplicas"]?.intValue ?? 0) < wanted else { continue }
            let selector = environment.selector(component: component).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            guard let pods = try? await dependencies.api.list(.pods, namespace: environment.namespace, options: ListOptions(labelSelector: selector)) else { continue }
            result += pods.items.sorted { ($0["metadata"]?["name"]?.stringValue ?? "") < ($1["metadata"]?["name"]?.stringValue ?? "") }.flatMap(PodFailure.of(pod:))
        }
        return result
    }

    /// The environment's database init Jobs (component `init`), by name; a failed one with its log tail.
    func initJobs(_ environment: OdooEnvironment) async -> [String: ChangeGate.JobState] {
        var result: [String: ChangeGate.JobState] = [:]
        for job in stores[.jobs]?.list(namespace: environment.namespace) ?? [] {
            let view = KubeObject(job)
            guard view.labels[GuardLabels.instance] == environment.name, view.labels[GuardLabels.name] == GuardLabels.odooName,
                  view.labels[GuardLabels.component] == "init" else { continue }
            var state = Self.jobState(job)
            if state.phase == .failed { state.message = await terminationMessage(of: job, containers: ["init"]) ?? state.message }
            result[view.name] = state
        }
        return result
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

    /// A Job's phase from its status.
    static func jobState(_ job: JSONValue) -> ChangeGate.JobState {
        let status = job["status"]
        let conditions = status?["conditions"]?.arrayValue ?? []
        func condition(_ type: String) -> JSONValue? {
            conditions.first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
        }
        if (status?["succeeded"]?.intValue ?? 0) >= 1 || condition("Complete") != nil {
            return .init(phase: .succeeded, completionTime: (status?["completionTime"]?.stringValue ?? condition("Complete")?["lastTransitionTime"]?.stringValue).flatMap(Timestamp.parse))
        }
        if let failed = condition("Failed") {
            return .init(phase: .failed, completionTime: failed["lastTransitionTime"]?.stringValue.flatMap(Timestamp.parse),
                         message: [failed["reason"]?.stringValue, failed["message"]?.stringValue].compactMap { $0 }.joined(separator: ": "))
        }
        return .init(phase: .running)
    }

    func failureMessage(of job: JSONValue, _ state: ChangeGate.JobState) async -> String {
        let name = KubeObject(job).name
        if let message = await terminationMessage(of: job, containers: ["dump", "upload", "fetch", "check"], failedOnly: true) { return "Job \(name): \(message)" }
        return "Job \(name): \(state.message ?? "failed")"
    }

    /// The termination message (the JSON report, or the log tail of a failed container) of the first
    /// of `containers` that has one in the Job's newest pod; the pods are listed once.
    func terminationMessage(of job: JSONValue, containers: [String], failedOnly: Bool = false) async -> String? {
        let object = KubeObject(job)
        guard let namespace = object.namespace,
              let pods = try? await dependencies.api.list(.pods, namespace: namespace, options: ListOptions(labelSelector: "job-name=\(object.name)")) else { return nil }
        let newest = pods.items.max { ($0["metadata"]?["creationTimestamp"]?.stringValue ?? "") < ($1["metadata"]?["creationTimestamp"]?.stringValue ?? "") }
        let statuses = (newest?["status"]?["initContainerStatuses"]?.arrayValue ?? []) + (newest?["status"]?["containerStatuses"]?.arrayValue ?? [])
        for container in containers {
            guard let terminated = statuses.first(where: { $0["name"]?.stringValue == container })?["state"]?["terminated"] else { continue }
            if failedOnly && terminated["exitCode"]?.intValue == 0 { continue }
            let message = terminated["message"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let message, !message.isEmpty else {
                if failedOnly { return "container \(container) exited \(terminated["exitCode"]?.intValue ?? -1)" }
                continue
            }
            // The status shows the end of the log, where the error is.
            return String(message.suffix(600))
        }
        return nil
    }
}
