import KubeModel

/// `secrets.no-literal-credentials` and `secrets.foreign-secret`. Messages never repeat a value.
enum SecretRules {
    static func check(_ input: RuleInput, into findings: inout [Finding]) {
        guard input.stage != nil, let template = input.template else { return }
        checkLiterals(template, input.policy.secrets, into: &findings)
        checkForeign(template, input, into: &findings)
    }

    // MARK: literal credentials

    static func checkLiterals(_ template: PodTemplate, _ policy: SecretPolicy, into findings: inout [Finding]) {
        for container in template.containers {
            for (i, entry) in container.env.enumerated() {
                guard let name = entry["name"]?.stringValue, case .string(let value)? = entry["value"],
                      !value.isEmpty, !isVariableReference(value) else { continue }
                var path: FieldPath { container.path / "env" / i / "value" }
                if let fragment = credentialFragment(in: name, policy) {
                    findings.append(Finding(rule: .secretsNoLiteralCredentials, path: path, message:
                        "\(container.label) sets \(name) (a \(fragment.lowercased()) by its name) as a literal value; store it in a Secret and use valueFrom.secretKeyRef (the value is not shown here)"))
                } else if let kind = credentialShape(value) {
                    findings.append(Finding(rule: .secretsNoLiteralCredentials, path: path, message:
                        "\(container.label) sets \(name) to a literal \(kind); store it in a Secret and use valueFrom.secretKeyRef (the value is not shown here)"))
                }
            }
            for field in ["command", "args"] {
                for (i, argument) in (container.raw[field]?.arrayValue ?? []).enumerated() {
                    guard let text = argument.stringValue, let flag = literalPasswordFlag(text) else { continue }
                    findings.append(Finding(rule: .secretsNoLiteralCredentials, path: container.path / field / i, message:
                        "\(container.label) passes \(flag) with a literal value on the command line; read it from a Secret via an env var ($(VAR)) or a file"))
                }
                for previous in literalPasswordFlagPairs(container.raw[field]?.arrayValue ?? []) {
                    findings.append(Finding(rule: .secretsNoLiteralCredentials, path: container.path / field / (previous.index + 1), message:
                        "\(container.label) passes \(previous.flag) with a literal value on the command line; read it from a Secret via an env var ($(VAR)) or a file"))
                }
            }
        }
    }

    /// The credential fragment a variable name contains, unless its suffix marks it as a reference.
    static func credentialFragment(in name: String, _ policy: SecretPolicy) -> String? {
        let upper = name.uppercased()
        if policy.referenceSuffixes.contains(where: { upper.hasSuffixBytes($0) }) { return nil }
        return policy.credentialNames.first { upper.containsBytes($0) }
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

    /// `--db_password=literal` in one argument.
    static func literalPasswordFlag(_ argument: String) -> String? {
        guard let equals = argument.firstIndex(of: "=") else { return nil }
        let flag = String(argument[..<equals]).lowercased()
        let value = String(argument[argument.index(after: equals)...])
        guard passwordFlags.contains(flag), !value.isEmpty, !isVariableReference(value) else { return nil }
        return flag
    }

    /// `--db_password literal` (or Odoo's `-w literal`) as two arguments.
    static func literalPasswordFlagPairs(_ arguments: [JSONValue]) -> [(index: Int, flag: String)] {
        var result: [(Int, String)] = []
        for (i, argument) in arguments.enumerated() where i + 1 < arguments.count {
            guard let flag = argument.stringValue?.lowercased(), passwordFlags.contains(flag) || flag == "-w",
                  let value = arguments[i + 1].stringValue, !value.hasPrefix("-"), !isVariableReference(value) else { continue }
            result.append((i, flag))
        }
        return result
    }

    // MARK: foreign secrets

    /// Which environment owns each Secret name in the namespace, from Secret labels and from the
    /// injection templates of the OdooEnvironments present.
    static func secretOwners(_ input: RuleInput) -> [String: String] {
        var owners: [String: String] = [:]
        for environment in input.context.peers(ofKind: "OdooEnvironment") where !environment.name.isEmpty {
            for source in input.policy.secrets.injection.values {
                owners[source.secretName(for: environment.name)] = environment.name
            }
        }
        for secret in input.context.peers(ofKind: "Secret") {
            if let owner = secret.labels[GuardLabels.environment] { owners[secret.name] = owner }
        }
        return owners
    }

    static func checkForeign(_ template: PodTemplate, _ input: RuleInput, into findings: inout [Finding]) {
        let owners = secretOwners(input)
        guard !owners.isEmpty else { return }
        let mine = input.environment
        let names = template.secretNames
        guard names.contains(where: { owners[$0] != nil && owners[$0] != mine }) else { return }
        for reference in template.secretReferences {
            guard let owner = owners[reference.name], owner != mine else { continue }
            let who = mine.map { "environment \($0)" } ?? "a workload outside any environment"
            findings.append(Finding(rule: .secretsForeignSecret, path: reference.path, message:
                "Secret \(reference.name) belongs to environment \(owner); \(who) may not use it. Use your own environment's Secrets (label odooguard.io/inject does this for you)"))
        }
    }
}
