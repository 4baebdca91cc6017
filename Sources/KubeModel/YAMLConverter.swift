import Yams

/// Turns a composed YAML node into a ``JSONValue`` the way the Kubernetes API's YAML decoder does.
struct YAMLConverter {
    let firstLine: Int
    let document: Int
    private var values = 0

    init(firstLine: Int, document: Int) {
        self.firstLine = firstLine
        self.document = document
    }

    mutating func convert(_ node: Node) throws(KubeModelError) -> JSONValue {
        try convert(node, depth: 0)
    }

    private mutating func convert(_ node: Node, depth: Int) throws(KubeModelError) -> JSONValue {
        values += 1
        if values > JSONLimits.maxValues {
            var limitError = error("document expands to more than \(JSONLimits.maxValues) values (alias expansion?)", node)
            limitError = KubeModelError.limitExceeded(limitError.message, document: limitError.document, line: limitError.line, column: limitError.column)
            throw limitError
        }
        switch node {
        case .scalar(let scalar):
            return try resolve(scalar, node: node)
        case .alias:
            throw error("unresolved YAML alias", node)
        case .sequence(let sequence):
            guard depth < JSONLimits.maxDepth else { throw limit(node) }
            var array: [JSONValue] = []
            array.reserveCapacity(sequence.count)
            for element in sequence { array.append(try convert(element, depth: depth + 1)) }
            return .array(array)
        case .mapping(let mapping):
            guard depth < JSONLimits.maxDepth else { throw limit(node) }
            var object = JSONObject()
            object.reserveCapacity(mapping.count)
            var merged: [JSONObject] = []
            for (keyNode, valueNode) in mapping {
                if case .scalar(let keyScalar) = keyNode, keyScalar.string == "<<", keyScalar.style == .plain {
                    merged.append(contentsOf: try mergeSources(valueNode, depth: depth))
                    continue
                }
                let key = try keyString(keyNode)
                object[key] = try convert(valueNode, depth: depth + 1)
            }
            // Explicit keys win over merged ones; earlier merge sources win over later ones.
            for source in merged {
                for (key, value) in source where object[key] == nil { object[key] = value }
            }
            return .object(object)
        }
    }

    private mutating func mergeSources(_ node: Node, depth: Int) throws(KubeModelError) -> [JSONObject] {
        switch node {
        case .mapping:
            if case .object(let object) = try convert(node, depth: depth) { return [object] }
            return []
        case .sequence(let sequence):
            var sources: [JSONObject] = []
            for element in sequence {
                guard case .mapping = element, case .object(let object) = try convert(element, depth: depth) else {
                    throw error("a merge key (<<) takes a mapping or a list of mappings", element)
                }
                sources.append(object)
            }
            return sources
        default:
            throw error("a merge key (<<) takes a mapping or a list of mappings", node)
        }
    }

    private mutating func keyString(_ node: Node) throws(KubeModelError) -> String {
        guard case .scalar(let scalar) = node else {
            throw error("a mapping key must be a scalar to be valid JSON, found a \(node.isMapping ? "mapping" : "sequence")", node)
        }
        switch try resolve(scalar, node: node) {
        case .string(let s): return s
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return JSONValue.format(d)
        default: return scalar.string
        }
    }

    private func resolve(_ scalar: Node.Scalar, node: Node) throws(KubeModelError) -> JSONValue {
        let tag = scalar.tag.description
        switch tag {
        case "", "!":
            guard scalar.style == .plain, tag.isEmpty else { return .string(scalar.string) }
            return try YAMLScalar.resolvePlain(scalar.string) { message throws(KubeModelError) in throw error(message, node) }
        case "tag:yaml.org,2002:str", "tag:yaml.org,2002:binary", "tag:yaml.org,2002:timestamp":
            return .string(scalar.string)
        case "tag:yaml.org,2002:null":
            return .null
        case "tag:yaml.org,2002:bool":
            if let value = YAMLScalar.bool(scalar.string) { return .bool(value) }
            throw error("\"\(scalar.string.prefix(40))\" is tagged !!bool but is not a boolean", node)
        case "tag:yaml.org,2002:int":
            if let value = YAMLScalar.int(scalar.string) { return .int(value) }
            throw error("\"\(scalar.string.prefix(40))\" is tagged !!int but is not an integer", node)
        case "tag:yaml.org,2002:float":
            if let value = YAMLScalar.int(scalar.string) { return .double(Double(value)) }
            if case .double(let d)? = try? YAMLScalar.resolvePlain(scalar.string, fail: { _ throws(KubeModelError) in }) { return .double(d) }
            throw error("\"\(scalar.string.prefix(40))\" is tagged !!float but is not a finite number", node)
        default:
            // Custom tags carry no meaning for Kubernetes objects; read the value as written.
            return scalar.style == .plain
                ? try YAMLScalar.resolvePlain(scalar.string) { message throws(KubeModelError) in throw error(message, node) }
                : .string(scalar.string)
        }
    }

    private func error(_ message: String, _ node: Node) -> KubeModelError {
        let mark = node.mark
        return KubeModelError.invalidYAML(message, document: document,
                              line: mark.map { $0.line + firstLine - 1 } ?? firstLine, column: mark?.column)
    }

    private func limit(_ node: Node) -> KubeModelError {
        let mark = node.mark
        return KubeModelError.limitExceeded("nesting deeper than \(JSONLimits.maxDepth) levels", document: document,
                              line: mark.map { $0.line + firstLine - 1 } ?? firstLine, column: mark?.column)
    }

    /// Maps a Yams error to one naming the document and the stream's line.
    static func translate(_ error: YamlError, firstLine: Int, document: Int) -> KubeModelError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            var message = problem
            if let context { message = context.text.isEmpty ? problem : "\(problem) (\(context.text))" }
            return KubeModelError.invalidYAML(message, document: document, line: mark.line + firstLine - 1, column: mark.column)
        case let .reader(problem, offset, _, _):
            return KubeModelError.invalidYAML("\(problem)\(offset.map { " at byte \($0)" } ?? "")", document: document, line: firstLine)
        case let .duplicatedKeysInMapping(duplicates, context):
            return KubeModelError.invalidYAML("duplicate key\(duplicates.count == 1 ? "" : "s") \(duplicates.joined(separator: ", ")) in a mapping",
                                  document: document, line: context.mark.line + firstLine - 1, column: context.mark.column)
        default:
            return KubeModelError.invalidYAML("\(error)", document: document, line: firstLine)
        }
    }
}

private extension Node {
    var isMapping: Bool {
        if case .mapping = self { return true }
        return false
    }
}
