extension LabelSelector {
    /// Reads the API's text form of a selector (the `labelSelector` query parameter, `kubectl -l`):
    /// comma-separated `key`, `!key`, `key=value`, `key==value`, `key!=value`, `key in (a,b)`,
    /// `key notin (a,b)`. The empty string selects everything.
    /// - Throws: ``KubeModelError`` `invalidSelector` naming the term that cannot be read.
    public init(parsing text: String) throws(KubeModelError) {
        var labels: [String: String] = [:]
        var requirements: [Requirement] = []
        for term in Self.terms(text) {
            let term = term.trimmed
            if term.isEmpty { throw KubeModelError.invalidSelector("label selector \"\(text)\": an empty term") }
            if term.hasPrefix("!") {
                let key = String(term.dropFirst()).trimmed
                try Self.checkKey(key, in: text)
                requirements.append(Requirement(key: key, operator: .doesNotExist))
            } else if let range = term.range(of: "!=") {
                let key = String(term[..<range.lowerBound]).trimmed
                try Self.checkKey(key, in: text)
                requirements.append(Requirement(key: key, operator: .notIn, values: [String(term[range.upperBound...]).trimmed]))
            } else if let range = term.range(of: "==") ?? term.range(of: "=") {
                let key = String(term[..<range.lowerBound]).trimmed
                try Self.checkKey(key, in: text)
                let value = String(term[range.upperBound...]).trimmed
                if let existing = labels[key], existing != value {
                    requirements.append(Requirement(key: key, operator: .in, values: [value]))
                } else {
                    labels[key] = value
                }
            } else if let open = term.firstIndex(of: "(") {
                guard term.hasSuffix(")") else { throw KubeModelError.invalidSelector("label selector \"\(text)\": \"\(term)\" lacks \")\"") }
                let head = term[..<open].split(separator: " ", omittingEmptySubsequences: true)
                guard head.count == 2, let op = ["in": Requirement.Operator.in, "notin": .notIn][String(head[1])] else {
                    throw KubeModelError.invalidSelector("label selector \"\(text)\": \"\(term)\" must be KEY in (…) or KEY notin (…)")
                }
                let key = String(head[0])
                try Self.checkKey(key, in: text)
                let inner = term[term.index(after: open)..<term.index(before: term.endIndex)]
                let values = inner.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmed }
                requirements.append(Requirement(key: key, operator: op, values: values))
            } else {
                try Self.checkKey(term, in: text)
                requirements.append(Requirement(key: term, operator: .exists))
            }
        }
        self.init(matchLabels: labels, matchExpressions: requirements)
    }

    /// The API's text form (`a=b,c in (x,y),!d`), keys of `matchLabels` sorted; `""` selects everything.
    public var text: String {
        var terms = matchLabels.keys.sorted().map { "\($0)=\(matchLabels[$0] ?? "")" }
        for requirement in matchExpressions {
            switch requirement.operator {
            case .in: terms.append("\(requirement.key) in (\(requirement.values.joined(separator: ",")))")
            case .notIn: terms.append("\(requirement.key) notin (\(requirement.values.joined(separator: ",")))")
            case .exists: terms.append(requirement.key)
            case .doesNotExist: terms.append("!\(requirement.key)")
            }
        }
        return terms.joined(separator: ",")
    }

    /// Splits on commas outside parentheses.
    private static func terms(_ text: String) -> [String] {
        guard !text.trimmed.isEmpty else { return [] }
        var terms: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1; current.append(character)
            case ")": depth -= 1; current.append(character)
            case "," where depth == 0: terms.append(current); current = ""
            default: current.append(character)
            }
        }
        terms.append(current)
        return terms
    }

    private static func checkKey(_ key: String, in text: String) throws(KubeModelError) {
        let allowed = key.unicodeScalars.allSatisfy { scalar in
            (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
                || scalar == "-" || scalar == "_" || scalar == "." || scalar == "/"
        }
        guard !key.isEmpty, allowed else {
            throw KubeModelError.invalidSelector("label selector \"\(text)\": \"\(key)\" is not a valid label key")
        }
    }
}

extension StringProtocol {
    var trimmed: String {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}
