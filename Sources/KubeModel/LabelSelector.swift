/// A Kubernetes label selector (`matchLabels` and `matchExpressions`), as used by PDBs, workloads and
/// policy exemptions. An empty selector matches everything; use an optional for "selects nothing".
public struct LabelSelector: Sendable, Equatable {
    /// One `matchExpressions` entry.
    public struct Requirement: Sendable, Equatable {
        /// The set-based operators.
        public enum Operator: String, Sendable {
            /// The label's value is one of ``Requirement/values``.
            case `in` = "In"
            /// The label is absent or its value is none of ``Requirement/values``.
            case notIn = "NotIn"
            /// The label is present.
            case exists = "Exists"
            /// The label is absent.
            case doesNotExist = "DoesNotExist"
        }
        /// The label key.
        public var key: String
        /// The operator.
        public var `operator`: Operator
        /// The values for `In`/`NotIn`.
        public var values: [String]

        /// A requirement.
        public init(key: String, operator: Operator, values: [String] = []) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }

        /// Whether a label set satisfies the requirement.
        public func matches(_ labels: [String: String]) -> Bool {
            switch self.operator {
            case .in: return labels[key].map(values.contains) ?? false
            case .notIn: return labels[key].map { !values.contains($0) } ?? true
            case .exists: return labels[key] != nil
            case .doesNotExist: return labels[key] == nil
            }
        }
    }

    /// Labels that must be present with exactly these values.
    public var matchLabels: [String: String]
    /// Further requirements, all of which must hold.
    public var matchExpressions: [Requirement]

    /// A selector.
    public init(matchLabels: [String: String] = [:], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// Whether the selector has no terms (and so matches every object).
    public var isEmpty: Bool { matchLabels.isEmpty && matchExpressions.isEmpty }

    /// Whether the labels of a JSON `labels` object satisfy every term (no dictionary is built).
    public func matches(labelsObject labels: JSONValue?) -> Bool {
        for (key, value) in matchLabels where labels?[key]?.stringValue != value { return false }
        guard !matchExpressions.isEmpty else { return true }
        return matchExpressions.allSatisfy { $0.matches(labels?.stringMap ?? [:]) }
    }

    /// Whether a label set satisfies every term.
    public func matches(_ labels: [String: String]) -> Bool {
        for (key, value) in matchLabels where labels[key] != value { return false }
        return matchExpressions.allSatisfy { $0.matches(labels) }
    }

    /// Reads a selector, reporting every problem with its path.
    /// - Throws: ``KubeModelError`` `invalidSelector` listing each bad field.
    public init(json: JSONValue, path: FieldPath = .root) throws(KubeModelError) {
        guard case .object(let object) = json else {
            throw KubeModelError.invalidSelector("\(path): a label selector must be an object, found \(json.typeDescription)")
        }
        var problems: [String] = []
        var labels: [String: String] = [:]
        if let raw = object["matchLabels"] {
            if case .object(let map) = raw {
                for (key, value) in map {
                    if case .string(let s) = value { labels[key] = s } else {
                        problems.append("\(path / "matchLabels" / key): must be a string, found \(value.typeDescription)")
                    }
                }
            } else if !raw.isNull {
                problems.append("\(path / "matchLabels"): must be an object")
            }
        }
        var requirements: [Requirement] = []
        if let raw = object["matchExpressions"], !raw.isNull {
            if case .array(let items) = raw {
                for (i, item) in items.enumerated() {
                    let itemPath = path / "matchExpressions" / i
                    guard let key = item["key"]?.stringValue, !key.isEmpty else {
                        problems.append("\(itemPath / "key"): is required"); continue
                    }
                    guard let opText = item["operator"]?.stringValue, let op = Requirement.Operator(rawValue: opText) else {
                        problems.append("\(itemPath / "operator"): must be one of In, NotIn, Exists, DoesNotExist"); continue
                    }
                    let values = item["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
                    let needsValues = op == .in || op == .notIn
                    if needsValues && values.isEmpty {
                        problems.append("\(itemPath / "values"): must be non-empty for \(opText)"); continue
                    }
                    if !needsValues && !values.isEmpty {
                        problems.append("\(itemPath / "values"): must be empty for \(opText)"); continue
                    }
                    requirements.append(Requirement(key: key, operator: op, values: values))
                }
            } else {
                problems.append("\(path / "matchExpressions"): must be an array")
            }
        }
        if !problems.isEmpty {
            throw KubeModelError.invalidSelector(problems.joined(separator: "; "))
        }
        self.init(matchLabels: labels, matchExpressions: requirements)
    }
}
