import KubeModel

extension GuardPolicy {
    /// Decodes `spec.provenance`, reporting every invalid field.
    static func decodeProvenance(_ fields: JSONObject, path: FieldPath, reader: inout FieldReader) -> ProvenancePolicy {
        var result = ProvenancePolicy()
        reader.unknownKeys(fields, allowed: ["timeoutSeconds", "insecureRegistries", "trustedKeys", "cache"], path)
        if let raw = fields["timeoutSeconds"], !raw.isNull {
            // The API server's webhook timeout is at most 30 s (default 10 s); the look-ups must end well before it.
            if let seconds = raw.doubleValue, seconds > 0, seconds <= 25 {
                result.budget = .milliseconds(Int64((seconds * 1000).rounded()))
            } else {
                reader.errors.append(.invalid(path / "timeoutSeconds", "must be a number of seconds above 0 and at most 25, well inside the webhook's timeout"))
            }
        }
        if let registries = reader.strings(fields["insecureRegistries"], path / "insecureRegistries") {
            for (i, host) in registries.enumerated() where !isHostPort(host) {
                reader.errors.append(.invalid(path / "insecureRegistries" / i, "must be a registry host with an optional port, such as 127.0.0.1:5000"))
            }
            result.insecureRegistries = registries
        }
        if let cache = reader.object(fields["cache"], path / "cache") {
            let cachePath = path / "cache"
            reader.unknownKeys(cache, allowed: ["ttlSeconds", "failureTTLSeconds", "maxEntries"], cachePath)
            // Bounded so the durations and sizes built from them cannot overflow anywhere downstream.
            if let ttl = reader.bounded(cache["ttlSeconds"], cachePath / "ttlSeconds", 0...604_800) { result.cacheTTL = .seconds(ttl) }
            if let ttl = reader.bounded(cache["failureTTLSeconds"], cachePath / "failureTTLSeconds", 0...86_400) { result.failureCacheTTL = .seconds(ttl) }
            if let size = reader.bounded(cache["maxEntries"], cachePath / "maxEntries", 1...1_000_000) { result.cacheSize = Int(size) }
        }
        result.trustedKeys = decodeKeySets(fields["trustedKeys"], path: path / "trustedKeys", reader: &reader)
        return result
    }

    /// Decodes a `trustedKeys` list (of `spec.provenance` or `spec.scanAttestation`).
    static func decodeKeySets(_ raw: JSONValue?, path: FieldPath, reader: inout FieldReader) -> [TrustedKeySet] {
        guard let raw, !raw.isNull else { return [] }
        guard case .array(let sets) = raw else {
            reader.errors.append(.invalid(path, "must be a list of {repositories, keys} entries"))
            return []
        }
        return sets.enumerated().compactMap { i, entry in decodeKeySet(entry, path: path / i, reader: &reader) }
    }

    /// Decodes `spec.scanAttestation`, reporting every invalid field.
    static func decodeScanAttestation(_ fields: JSONObject, path: FieldPath, reader: inout FieldReader) -> ScanAttestationPolicy {
        var result = ScanAttestationPolicy()
        reader.unknownKeys(fields, allowed: ["maxAgeDays", "severity", "ignoreUnfixed", "trustedKeys"], path)
        if let days = reader.bounded(fields["maxAgeDays"], path / "maxAgeDays", 1...365, what: "days") { result.maxAgeDays = Int(days) }
        if let word = reader.string(fields["severity"], path / "severity") {
            if let severity = VulnerabilitySeverity(word: word), severity != .unknown, word == severity.description {
                result.severity = severity
            } else {
                reader.errors.append(.invalid(path / "severity", "must be critical, high, medium or low: findings at or above it refuse an image"))
            }
        }
        if let ignore = reader.bool(fields["ignoreUnfixed"], path / "ignoreUnfixed") { result.ignoreUnfixed = ignore }
        result.trustedKeys = decodeKeySets(fields["trustedKeys"], path: path / "trustedKeys", reader: &reader)
        return result
    }

    private static func decodeKeySet(_ entry: JSONValue, path: FieldPath, reader: inout FieldReader) -> TrustedKeySet? {
        guard let fields = reader.object(entry, path) else { return nil }
        reader.unknownKeys(fields, allowed: ["repositories", "keys"], path)
        let repositories = reader.strings(fields["repositories"], path / "repositories") ?? []
        if repositories.isEmpty {
            reader.errors.append(.required(path / "repositories", "must list registry/repository patterns such as registry.example.com/odoo/*"))
        }
        for (i, pattern) in repositories.enumerated() where pattern.isEmpty || pattern.contains(" ") {
            reader.errors.append(.invalid(path / "repositories" / i, "must be a registry or repository pattern such as registry.example.com/odoo/*"))
        }
        var keys: [TrustedKey] = []
        if case .array(let items)? = fields["keys"], !items.isEmpty {
            for (i, item) in items.enumerated() {
                let keyPath = path / "keys" / i
                guard let keyFields = reader.object(item, keyPath) else { continue }
                reader.unknownKeys(keyFields, allowed: ["name", "publicKey"], keyPath)
                let name = reader.string(keyFields["name"], keyPath / "name", required: true) ?? ""
                guard let pem = reader.string(keyFields["publicKey"], keyPath / "publicKey", required: true) else { continue }
                do {
                    keys.append(try TrustedKey(name: name.isEmpty ? "key \(i)" : name, pem: pem))
                } catch {
                    reader.errors.append(.invalid(keyPath / "publicKey", "must be a PEM ECDSA P-256 public key (the cosign.pub `cosign generate-key-pair` writes)"))
                }
            }
        } else {
            reader.errors.append(.required(path / "keys", "must list at least one {name, publicKey} entry"))
        }
        return TrustedKeySet(repositories: repositories, keys: keys)
    }

    /// `host` or `host:port`, as in image references.
    private static func isHostPort(_ text: String) -> Bool {
        guard let reference = try? ImageReference(parsing: text + "/probe") else { return false }
        return reference.registry == text
    }
}
