import KubeModel

extension GuardPolicy {
    /// Decodes and validates a GuardPolicy from its CRD form. Missing sections take the values of
    /// ``GuardPolicy/empty``, so a policy states only what it changes.
    /// - Throws: ``GuardRulesError`` `invalidPolicy` listing every invalid field with its path.
    public init(json: JSONValue) throws(GuardRulesError) {
        var reader = FieldReader()
        let object = KubeObject(json)
        if object.apiVersion != "odooguard.io/v1alpha1" {
            reader.errors.append(.invalid("apiVersion", "must be odooguard.io/v1alpha1, found \"\(object.apiVersion)\""))
        }
        if object.kind != "GuardPolicy" { reader.errors.append(.invalid("kind", "must be GuardPolicy, found \"\(object.kind)\"")) }
        let spec = reader.object(json["spec"], "spec", required: true) ?? [:]
        let specPath: FieldPath = "spec"
        reader.unknownKeys(spec, allowed: ["defaultMode", "rules", "stages", "tiers", "resources", "secrets", "pdb",
                                           "exceptions", "exemptions", "offlineDefaultStage", "defaultTier", "provenance",
                                           "podSecurity", "platformAdmins", "changeApproval", "promotion", "scanAttestation", "dataMasking", "placement"], specPath)
        var policy = GuardPolicy.empty
        policy.name = object.name.isEmpty ? "unnamed" : object.name
        if let mode = reader.mode(spec["defaultMode"], specPath / "defaultMode") { policy.defaultMode = mode }
        policy.ruleModes = reader.ruleModes(spec["rules"], specPath / "rules")

        if let stages = reader.object(spec["stages"], specPath / "stages") {
            policy.stages.merge(Self.decodeStages(stages, path: specPath / "stages", reader: &reader)) { $1 }
        }
        if let tiers = reader.object(spec["tiers"], specPath / "tiers") {
            policy.tiers.merge(Self.decodeTiers(tiers, path: specPath / "tiers", reader: &reader)) { $1 }
        }

        if let resources = reader.object(spec["resources"], specPath / "resources") {
            let path = specPath / "resources"
            reader.unknownKeys(resources, allowed: ["injectDefaults", "requireRequests", "requireLimits"], path)
            if let inject = reader.bool(resources["injectDefaults"], path / "injectDefaults") { policy.resources.injectDefaults = inject }
            if let requests = reader.strings(resources["requireRequests"], path / "requireRequests") { policy.resources.requireRequests = requests }
            if let limits = reader.strings(resources["requireLimits"], path / "requireLimits") { policy.resources.requireLimits = limits }
        }

        if let secrets = reader.object(spec["secrets"], specPath / "secrets") {
            policy.secrets = Self.decodeSecrets(secrets, path: specPath / "secrets", base: policy.secrets, reader: &reader)
        }

        if let pdb = reader.object(spec["pdb"], specPath / "pdb") {
            let path = specPath / "pdb"
            reader.unknownKeys(pdb, allowed: ["minReplicas", "kinds"], path)
            if let minimum = reader.bounded(pdb["minReplicas"], path / "minReplicas", 2...1_000_000, what: "replicas") { policy.pdb.minReplicas = minimum }
            if let kinds = reader.strings(pdb["kinds"], path / "kinds") { policy.pdb.kinds = kinds }
        }

        if let exceptions = reader.object(spec["exceptions"], specPath / "exceptions") {
            let path = specPath / "exceptions"
            reader.unknownKeys(exceptions, allowed: ["maxDays", "nonExemptibleRules"], path)
            if let days = reader.bounded(exceptions["maxDays"], path / "maxDays", 1...3_650, what: "days") { policy.exceptions.maxDays = Int(days) }
            if exceptions["nonExemptibleRules"] != nil {
                policy.exceptions.nonExemptibleRules = reader.ruleIDs(exceptions["nonExemptibleRules"], path / "nonExemptibleRules")
            }
        }

        Self.decodeControls(spec, path: specPath, into: &policy, reader: &reader)

        if let raw = spec["exemptions"], !raw.isNull {
            if case .array(let items) = raw {
                for (i, item) in items.enumerated() {
                    if let exemption = Self.decodeExemption(item, path: specPath / "exemptions" / i, reader: &reader) {
                        policy.exemptions.append(exemption)
                    }
                }
            } else {
                reader.errors.append(.invalid(specPath / "exemptions", "must be a list"))
            }
        }

        if let name = reader.string(spec["offlineDefaultStage"], specPath / "offlineDefaultStage") {
            if let stage = Stage(rawValue: name) { policy.offlineDefaultStage = stage } else {
                reader.errors.append(.invalid(specPath / "offlineDefaultStage", "must be development, staging or production"))
            }
        }
        if let name = reader.string(spec["defaultTier"], specPath / "defaultTier") {
            if let tier = Tier(rawValue: name) { policy.defaultTier = tier } else {
                reader.errors.append(.invalid(specPath / "defaultTier", "must be shared or dedicated"))
            }
        }

        guard reader.errors.isEmpty else {
            throw GuardRulesError.invalidPolicy("GuardPolicy \"\(policy.name)\" is invalid (\(reader.errors.count) problem\(reader.errors.count == 1 ? "" : "s"))",
                                  fieldErrors: reader.errors)
        }
        policy.version = object.annotations[GuardLabels.policyVersion] ?? "\(policy.name)@\(Self.contentHash(json["spec"] ?? .null))"
        self = policy
    }

    /// The sections of supply-chain, isolation and change control: `provenance`, `scanAttestation`,
    /// `podSecurity`, `platformAdmins`, `promotion`, `changeApproval`, `dataMasking` and `placement`, each when present.
    static func decodeControls(_ spec: JSONObject, path specPath: FieldPath, into policy: inout GuardPolicy, reader: inout FieldReader) {
        if let provenance = reader.object(spec["provenance"], specPath / "provenance") {
            policy.provenance = Self.decodeProvenance(provenance, path: specPath / "provenance", reader: &reader)
        }
        if let scan = reader.object(spec["scanAttestation"], specPath / "scanAttestation") {
            policy.scanAttestation = Self.decodeScanAttestation(scan, path: specPath / "scanAttestation", reader: &reader)
        }

        if let podSecurity = reader.object(spec["podSecurity"], specPath / "podSecurity") {
            policy.podSecurity = Self.decodePodSecurity(podSecurity, path: specPath / "podSecurity", reader: &reader)
        }
        if let admins = reader.object(spec["platformAdmins"], specPath / "platformAdmins") {
            policy.platformAdmins = Self.decodePlatformAdmins(admins, path: specPath / "platformAdmins", reader: &reader)
        }

        if let promotion = reader.object(spec["promotion"], specPath / "promotion") {
            policy.promotion = Self.decodePromotion(promotion, path: specPath / "promotion", reader: &reader)
        }
        if let approval = reader.object(spec["changeApproval"], specPath / "changeApproval") {
            policy.changeApproval = Self.decodeChangeApproval(approval, path: specPath / "changeApproval", reader: &reader)
        }
        if let masking = reader.object(spec["dataMasking"], specPath / "dataMasking") {
            policy.dataMasking = Self.decodeDataMasking(masking, path: specPath / "dataMasking", reader: &reader)
        }
        if let placement = reader.object(spec["placement"], specPath / "placement") {
            policy.placement = Self.decodePlacement(placement, path: specPath / "placement", reader: &reader)
        }
    }

    /// `spec.stages`: each known stage's registries, digest and signature requirements and rule modes.
    static func decodeStages(_ stages: JSONObject, path base: FieldPath, reader: inout FieldReader) -> [Stage: StagePolicy] {
        var result: [Stage: StagePolicy] = [:]
        for (name, raw) in stages {
            let path = base / name
            guard let stage = Stage(rawValue: name) else {
                reader.errors.append(.invalid(path, "unknown stage; use development, staging or production")); continue
            }
            guard let fields = reader.object(raw, path) else { continue }
            reader.unknownKeys(fields, allowed: ["allowedRegistries", "requireDigest", "resolveDigests", "requireSignatures", "requireScanAttestation", "modes"], path)
            var stagePolicy = StagePolicy()
            if let registries = reader.strings(fields["allowedRegistries"], path / "allowedRegistries") {
                for (i, pattern) in registries.enumerated() where pattern.isEmpty || pattern.contains(" ") {
                    reader.errors.append(.invalid(path / "allowedRegistries" / i, "must be a registry or repository pattern such as registry.example.com/odoo/*"))
                }
                stagePolicy.allowedRegistries = registries
            }
            stagePolicy.requireDigest = reader.bool(fields["requireDigest"], path / "requireDigest") ?? false
            stagePolicy.resolveDigests = reader.bool(fields["resolveDigests"], path / "resolveDigests") ?? false
            stagePolicy.requireSignatures = reader.bool(fields["requireSignatures"], path / "requireSignatures") ?? false
            stagePolicy.requireScanAttestation = reader.bool(fields["requireScanAttestation"], path / "requireScanAttestation") ?? false
            stagePolicy.modes = reader.ruleModes(fields["modes"], path / "modes")
            result[stage] = stagePolicy
        }
        return result
    }

    /// `spec.tiers`: each known tier's default requests and limits and its maximum, checked against each other.
    static func decodeTiers(_ tiers: JSONObject, path base: FieldPath, reader: inout FieldReader) -> [Tier: TierPolicy] {
        var result: [Tier: TierPolicy] = [:]
        for (name, raw) in tiers {
            let path = base / name
            guard let tier = Tier(rawValue: name) else {
                reader.errors.append(.invalid(path, "unknown tier; use shared or dedicated")); continue
            }
            guard let fields = reader.object(raw, path) else { continue }
            reader.unknownKeys(fields, allowed: ["defaultRequests", "defaultLimits", "maximum"], path)
            let tierPolicy = TierPolicy(defaultRequests: reader.quantities(fields["defaultRequests"], path / "defaultRequests"),
                                        defaultLimits: reader.quantities(fields["defaultLimits"], path / "defaultLimits"),
                                        maximum: reader.quantities(fields["maximum"], path / "maximum"))
            for (resource, request) in tierPolicy.defaultRequests {
                if let limit = tierPolicy.defaultLimits[resource], request > limit {
                    reader.errors.append(.invalid(path / "defaultRequests" / resource, "must not exceed defaultLimits.\(resource) (\(limit))"))
                }
            }
            for (resource, value) in tierPolicy.defaultLimits.merging(tierPolicy.defaultRequests, uniquingKeysWith: max) {
                if let maximum = tierPolicy.maximum[resource], value > maximum {
                    reader.errors.append(.invalid(path / "maximum" / resource, "is below the tier's own default (\(value))"))
                }
            }
            result[tier] = tierPolicy
        }
        return result
    }

    /// Parses a policy document (YAML or JSON text holding one GuardPolicy).
    /// - Throws: ``GuardRulesError`` `unreadablePolicy` for syntax errors, `invalidPolicy` for bad fields.
    public init(text: String) throws(GuardRulesError) {
        let documents = ManifestReader.read(Array(text.utf8))
        guard documents.count == 1, let document = documents.first else {
            throw GuardRulesError.unreadablePolicy("a policy file must hold exactly one document, found \(documents.count)")
        }
        switch document.result {
        case .success(let json): try self.init(json: json)
        case .failure(let error): throw GuardRulesError.unreadablePolicy("policy is not valid YAML or JSON: \(error)", cause: error)
        }
    }

    private static func decodeSecrets(_ secrets: JSONObject, path: FieldPath, base: SecretPolicy, reader: inout FieldReader) -> SecretPolicy {
        var result = base
        reader.unknownKeys(secrets, allowed: ["credentialNames", "nonCredentialSuffixes", "injection"], path)
        if let names = reader.strings(secrets["credentialNames"], path / "credentialNames") { result.credentialNames = names.map { $0.uppercased() } }
        if let suffixes = reader.strings(secrets["nonCredentialSuffixes"], path / "nonCredentialSuffixes") { result.nonCredentialSuffixes = suffixes.map { $0.uppercased() } }
        if let injection = reader.object(secrets["injection"], path / "injection") {
            result.injection = [:]
            for (setName, raw) in injection {
                let setPath = path / "injection" / setName
                guard let fields = reader.object(raw, setPath) else { continue }
                reader.unknownKeys(fields, allowed: ["secretName", "env"], setPath)
                let secretName = reader.string(fields["secretName"], setPath / "secretName", required: true) ?? ""
                if !secretName.isEmpty && !secretName.contains("{environment}") {
                    reader.errors.append(.invalid(setPath / "secretName", "must contain {environment} so each environment gets its own Secret"))
                }
                var variables: [InjectedVariable] = []
                if case .array(let entries)? = fields["env"] {
                    for (i, entry) in entries.enumerated() {
                        let name = reader.string(entry["name"], setPath / "env" / i / "name", required: true) ?? ""
                        let key = reader.string(entry["key"], setPath / "env" / i / "key", required: true) ?? ""
                        variables.append(InjectedVariable(name: name, key: key))
                    }
                } else {
                    reader.errors.append(.required(setPath / "env", "must be a list of {name, key} entries"))
                }
                result.injection[setName] = InjectionSource(secretName: secretName, variables: variables)
            }
        }
        return result
    }

    private static func decodeExemption(_ item: JSONValue, path: FieldPath, reader: inout FieldReader) -> Exemption? {
        guard let fields = reader.object(item, path) else { return nil }
        reader.unknownKeys(fields, allowed: ["namespaces", "objectSelector", "users", "groups", "rules", "reason"], path)
        let exemption = Exemption(
            namespaces: reader.strings(fields["namespaces"], path / "namespaces") ?? [],
            objectSelector: reader.selector(fields["objectSelector"], path / "objectSelector"),
            users: reader.strings(fields["users"], path / "users") ?? [],
            groups: reader.strings(fields["groups"], path / "groups") ?? [],
            rules: reader.ruleIDs(fields["rules"], path / "rules"),
            reason: reader.string(fields["reason"], path / "reason", required: true) ?? "")
        if exemption.namespaces.isEmpty && exemption.objectSelector == nil && exemption.users.isEmpty && exemption.groups.isEmpty {
            reader.errors.append(.invalid(path, "must name namespaces, an objectSelector, users or groups; an exemption for everything would switch the policy off"))
            return nil
        }
        return exemption
    }

    /// FNV-1a over the canonical (sorted-key) JSON of the spec, as 16 hex digits.
    static func contentHash(_ value: JSONValue) -> String {
        StableHash.hex(StableHash.fnv1a(value.serializedBytes(.sortedKeys)))
    }
}
