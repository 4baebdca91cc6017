import KubeModel

/// `secrets.no-literal-credentials` and `secrets.foreign-secret`. Messages never repeat a value.
enum SecretRules {
    static func check(_ input: RuleInput, into findings: inout [Finding]) {
        guard input.stage != nil, let pod = input.pod else { return }
        checkLiterals(pod, input.policy.secrets, into: &findings)
        checkForeign(pod, input, into: &findings)
    }

    // MARK: literal credentials

    static func checkLiterals(_ pod: PodFacts, _ policy: SecretPolicy, into findings: inout [Finding]) {
        for container in pod.containers {
            for (i, entry) in container.env.enumerated() {
                guard let name = entry.name, let value = entry.value, !value.isEmpty, !isVariableReference(value) else { continue }
                var path: FieldPath { container.path / "env" / i / "value" }
                if let fragment = credentialFragment(in: name, policy) {
                    findings.append(Finding(rule: .secretsNoLiteralCredentials, path: path, message:
                        "\(container.label) sets \(name.echoed()) (a \(fragment.lowercased()) by its name) as a literal value; store it in a Secret and use valueFrom.secretKeyRef (the value is not shown here)"))
                } else if let kind = credentialShape(value) {
                    findings.append(Finding(rule: .secretsNoLiteralCredentials, path: path, message:
                        "\(container.label) sets \(name.echoed()) to a literal \(kind); store it in a Secret and use valueFrom.secretKeyRef (the value is not shown here)"))
                }
            }
            for (field, arguments) in [("command", container.command), ("args", container.args)] {
                for (i, argument) in arguments.enumerated() {
                    guard let text = argument.stringValue, let flag = literalPasswordFlag(text) else { continue }
                    findings.append(Finding(rule: .secretsNoLiteralCredentials, path: container.path / field / i, message:
                        "\(container.label) passes \(flag.echoed()) with a literal value on the command line; read it from a Secret via an env var ($(VAR)) or a file"))
                }
                for previous in literalPasswordFlagPairs(arguments) {
                    findings.append(Finding(rule: .secretsNoLiteralCredentials, path: container.path / field / (previous.index + 1), message:
                        "\(container.label) passes \(previous.flag.echoed()) with a literal value on the command line; read it from a Secret via an env var ($(VAR)) or a file"))
                }
            }
        }
    }

    /// The credential fragment a variable name contains, unless its suffix marks it as a reference.
    /// Compares ASCII-upper-cased bytes in place (env var names are C identifiers): no copy of the name.
    static func credentialFragment(in name: String, _ policy: SecretPolicy) -> String? {
        var name = name
        return name.withUTF8 { bytes in
            for suffix in policy.nonCredentialSuffixBytes where bytes.count >= suffix.count
                && suffix.indices.allSatisfy({ upper(bytes[bytes.count - suffix.count + $0]) == suffix[$0] }) {
                return nil
            }
            for (index, fragment) in policy.credentialNameBytes.enumerated() where contains(bytes, fragment) {
                return policy.credentialNames[index]
            }
            return nil
        }
    }

    private static func upper(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte
    }

    /// Whether `needle` occurs in `haystack` compared upper-cased.
    private static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count)
        where needle.indices.allSatisfy({ upper(haystack[start + $0]) == needle[$0] }) {
            return true
        }
        return false
    }

    /// Whether a value is nothing but `$(VAR)` references, which Kubernetes expands from other vars.
    static func isVariableReference(_ value: String) -> Bool {
        value.hasPrefix("$(") && value.hasSuffix(")") && !value.dropFirst(2).dropLast().contains(where: { $0 == "(" || $0 == ")" || $0 == " " })
    }

    /// What a value looks like when it carries a credential whatever its variable is called.
    static func credentialShape(_ value: String) -> String? {
        if value.containsBytes("-----BEGIN") && value.containsBytes("PRIVATE KEY") { return "private key" }
        // scheme://user:password@host — a DSN or URL with an embedded password.
        guard let schemeEnd = value.firstByteOffset(of: "://") else { return nil }
        let bytes = Array(value.utf8)
        let scheme = bytes[..<schemeEnd]
        guard !scheme.isEmpty, scheme.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39)
            || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) else { return nil }
        let authority = bytes[(schemeEnd + 3)...].prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        guard let at = authority.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let password = userInfo[(colon + 1)...]
        if password.isEmpty || isVariableReference(String(decoding: password, as: UTF8.self)) { return nil }
        return "connection string with an embedded password"
    }

    private static let passwordFlags = ["--db_password", "--db-password", "--admin_passwd", "--admin-passwd", "--password", "--redis_password", "--redis-password"]

    /// Whether an argument could be one of ``passwordFlags`` or `-w` (cheap pre-check on bytes:
    /// a leading `-` and "ass" in any case, or exactly `-w`).
    static func mightBePasswordFlag(_ argument: String) -> Bool {
        var previous: [UInt8] = [0, 0]
        var first = true
        for byte in argument.utf8 {
            if first {
                guard byte == UInt8(ascii: "-") else { return false }
                first = false
            }
            let lower = byte | 0x20
            if lower == UInt8(ascii: "s") && previous[1] == UInt8(ascii: "s") && previous[0] == UInt8(ascii: "a") { return true }
            if byte == UInt8(ascii: "=") { break }
            previous[0] = previous[1]
            previous[1] = lower
        }
        return argument == "-w" || argument == "-W"
    }

    /// `--db_password=literal` in one argument.
    static func literalPasswordFlag(_ argument: String) -> String? {
        guard mightBePasswordFlag(argument) else { return nil }
        guard argument.utf8.first == UInt8(ascii: "-"), let equals = argument.firstByteOffset(of: "=") else { return nil }
        let bytes = Array(argument.utf8)
        let flag = String(decoding: bytes[..<equals], as: UTF8.self).lowercased()
        let value = String(decoding: bytes[(equals + 1)...], as: UTF8.self)
        guard passwordFlags.contains(flag), !value.isEmpty, !isVariableReference(value) else { return nil }
        return flag
    }

    /// `--db_password literal` (or Odoo's `-w literal`) as two arguments.
    static func literalPasswordFlagPairs(_ arguments: [JSONValue]) -> [(index: Int, flag: String)] {
        var result: [(Int, String)] = []
        for (i, argument) in arguments.enumerated() where i + 1 < arguments.count {
            guard let text = argument.stringValue, mightBePasswordFlag(text),
                  case let flag = text.lowercased(), passwordFlags.contains(flag) || flag == "-w",
                  let value = arguments[i + 1].stringValue, !value.hasPrefix("-"), !isVariableReference(value) else { continue }
            result.append((i, flag))
        }
        return result
    }

    // MARK: foreign secrets

    /// The environment that owns a Secret: its `odooguard.io/environment` label, else the
    /// OdooEnvironment present whose injection Secret name (`{environment}-db`, …) it is.
    static func owner(ofSecret name: String, _ input: RuleInput) -> String? {
        let index = input.context.index
        if let owner = index.labelledSecretOwners[name] { return owner }
        guard !index.environments.isEmpty else { return nil }
        for source in input.policy.secrets.injection.values {
            if let environment = source.environment(ownerOf: name), index.environments.contains(environment) { return environment }
        }
        return nil
    }

    static func checkForeign(_ pod: PodFacts, _ input: RuleInput, into findings: inout [Finding]) {
        let index = input.context.index
        guard !index.environments.isEmpty || !index.labelledSecretOwners.isEmpty else { return }
        let mine = input.environment
        // Each distinct name is looked up once; paths are built only when something is foreign.
        var foreign: [String: String] = [:]
        var seen = Set<String>()
        pod.forEachSecretReference { name, _ in
            guard seen.insert(name).inserted, let owner = owner(ofSecret: name, input), owner != mine else { return }
            foreign[name] = owner
        }
        guard !foreign.isEmpty else { return }
        pod.forEachSecretReference { name, path in
            guard let owner = foreign[name] else { return }
            let who = mine.map { "environment \($0)" } ?? "a workload outside any environment"
            findings.append(Finding(rule: .secretsForeignSecret, path: path(), message:
                "Secret \(name) belongs to environment \(owner); \(who) may not use it. Use your own environment's Secrets (label odooguard.io/inject does this for you)"))
        }
    }
}
