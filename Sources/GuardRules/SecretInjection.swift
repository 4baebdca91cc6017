import KubeModel

/// Mutation `secrets.injection`: a workload that asks with the `odooguard.io/inject` annotation
/// (`db,redis,admin`) or label (`db.redis.admin`, as label values cannot hold commas) gets the
/// environment's credentials as `valueFrom.secretKeyRef` env entries — never values — in every
/// container and init container that does not define them already.
enum SecretInjection {
    /// The requested set names and where the request was written, or `nil` when the workload does
    /// not ask. The object's own annotation wins, then its label, then the pod template's.
    static func requested(_ object: KubeObject, metadataPath: FieldPath?) -> (names: [String], path: FieldPath)? {
        // Cheap look first: most workloads do not ask.
        let metadata = object.raw["metadata"]
        let podMetadata = metadataPath.flatMap { object.raw[path: $0] }
        let asks = [metadata?["annotations"], metadata?["labels"], podMetadata?["annotations"], podMetadata?["labels"]]
            .contains { $0?[GuardLabels.inject] != nil }
        guard asks else { return nil }
        var places: [FieldPath] = [FieldPath([.key("metadata"), .key("annotations")]), FieldPath([.key("metadata"), .key("labels")])]
        if let metadata = metadataPath { places += [metadata / "annotations", metadata / "labels"] }
        for place in places {
            guard let text = object.raw[path: place]?[GuardLabels.inject]?.stringValue else { continue }
            let names = text.split(whereSeparator: { $0 == "," || $0 == "." || $0 == "_" || $0 == " " }).map { String($0).lowercased() }
            var seen = Set<String>()
            return (names.filter { seen.insert($0).inserted }, place / GuardLabels.inject)
        }
        return nil
    }

    /// Applies the injection to the document and to its pod facts; findings explain requests that
    /// cannot be served. Returns whether the document changed.
    static func apply(_ input: RuleInput, to document: inout JSONValue, pod: PodFacts, findings: inout [Finding]) -> Bool {
        guard input.stage != nil, let (sets, path) = requested(input.object, metadataPath: pod.metadataPath) else {
            return false
        }
        guard let environment = input.environment else {
            findings.append(Finding(rule: .secretsInjection, path: path, message:
                "the workload asks for injected credentials but has no \(GuardLabels.environment) label naming its environment"))
            return false
        }
        var variables: [(InjectedVariable, String)] = []
        for name in sets {
            guard let source = input.policy.secrets.injection[name] else {
                let known = input.policy.secrets.injection.keys.sorted().joined(separator: ", ")
                findings.append(Finding(rule: .secretsInjection, path: path, message: "unknown credential set \"\(name)\"; the policy offers \(known)"))
                continue
            }
            let secret = source.secretName(for: environment)
            for variable in source.variables { variables.append((variable, secret)) }
        }
        guard !variables.isEmpty else { return false }
        let entries: [(facts: EnvFacts, entry: JSONValue)] = variables.map { variable, secret in
            let reference = JSONObject(uncheckedUniqueKeys: ["name", "key"], values: [.string(secret), .string(variable.key)])
            let valueFrom = JSONObject(uncheckedUniqueKeys: ["secretKeyRef"], values: [.object(reference)])
            return (EnvFacts(name: variable.name, secretName: secret),
                    .object(JSONObject(uncheckedUniqueKeys: ["name", "valueFrom"], values: [.string(variable.name), .object(valueFrom)])))
        }
        var changed = false
        for container in pod.containers where container.kind != .ephemeralContainer && !container.envIsMisshapen {
            // Sized at the first missing entry: a container that has them all (the validating
            // webhook's case, after the mutating one) allocates nothing.
            var missing: [(facts: EnvFacts, entry: JSONValue)] = []
            for entry in entries {
                let wanted = entry.facts.name ?? ""
                guard !container.env.contains(where: { $0.name == wanted }) else { continue }
                if missing.isEmpty { missing.reserveCapacity(entries.count) }
                missing.append(entry)
            }
            guard !missing.isEmpty else { continue }
            var written = false
            document.modify(at: container.path) { containerValue in
                guard case .object(var containerObject) = containerValue else { return }
                containerValue = .null
                var env = containerObject["env"]?.arrayValue ?? []
                containerObject["env"] = .null
                env.reserveCapacity(env.count + missing.count)
                for entry in missing { env.append(entry.entry) }
                containerObject["env"] = .array(env)
                containerValue = .object(containerObject)
                written = true
            }
            // The facts follow the document: what the rules judge next is what was written.
            if written {
                container.env.reserveCapacity(container.env.count + missing.count)
                for entry in missing { container.env.append(entry.facts) }
            }
            changed = true
        }
        return changed
    }
}
