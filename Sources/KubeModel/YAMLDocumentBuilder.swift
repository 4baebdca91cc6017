/// Builds one document's ``JSONValue`` from YAML events (``YAMLEventReader``'s second half).
///
/// Containers under construction sit on an explicit stack. Structural errors (duplicate keys, an
/// undefined alias) throw at once; value errors are kept in ``deferred`` and building stops, so a
/// syntax error later in the document still wins, as it would in a composer that runs first.
struct YAMLDocumentBuilder {
    /// The tag libyaml's untagged quoted and block scalars carry.
    static let stringTag = "tag:yaml.org,2002:str"

    /// What an anchor names: a scalar keeps its text (an alias can be a key), a container its size.
    private enum Anchored {
        case scalar(key: String, value: JSONValue)
        case container(JSONValue, values: Int, height: Int, isMapping: Bool)
    }

    private struct Frame {
        let isMapping: Bool
        let anchor: String?
        let line: Int
        let column: Int
        /// ``values`` before this container was counted.
        let valuesBefore: Int
        /// Where this mapping's keys' positions start in ``keyMarks``.
        let keyMarksBase: Int
        var array: [JSONValue] = []
        var object = JSONObject()
        /// The key whose value comes next (mappings), `nil` while a key is awaited.
        var key: String?
        var keyIsMerge = false
        var mergeMark: (line: Int, column: Int)?
        var merges: [JSONObject] = []
        /// Container levels below and including this one.
        var height = 1
        /// Duplicated keys with the position of their first occurrence (a dictionary: a hostile mapping
        /// may repeat every one of thousands of keys).
        var duplicates: [String: (line: Int, column: Int)] = [:]
    }

    let firstLine: Int
    let document: Int
    /// The document's value once its root is complete.
    private(set) var root: JSONValue?
    /// The first value error, reported when the document turns out syntactically sound.
    private(set) var deferred: KubeModelError?
    private var stack: [Frame] = []
    private var anchors: [String: Anchored] = [:]
    /// Each open mapping's key positions in insertion order (for a duplicate's first occurrence).
    private var keyMarks: [(line: Int, column: Int)] = []
    private var values = 0

    init(firstLine: Int, document: Int) {
        self.firstLine = firstLine
        self.document = document
    }

    private var awaitingKey: Bool {
        guard let top = stack.last else { return false }
        return top.isMapping && top.key == nil && !top.keyIsMerge
    }

    /// A scalar event: a key when its mapping awaits one, else a value.
    mutating func scalar(_ text: String, tag: String?, plain: Bool, anchor: String?, line: Int, column: Int) throws(KubeModelError) {
        guard deferred == nil else { return }
        let document = document
        let fail = { (message: String) throws(KubeModelError) -> Void in
            throw KubeModelError.invalidYAML(message, document: document, line: line, column: column)
        }
        if awaitingKey {
            if plain && text == "<<" { return try mergeKey(line: line, column: column) }
            let key: String
            do throws(KubeModelError) { key = try YAMLScalar.keyText(text, tag: tag, plain: plain, fail: fail) } catch { return keep(error) }
            if let anchor { anchors[anchor] = .scalar(key: key, value: .string(key)) }
            return try setKey(key, line: line, column: column)
        }
        guard count(1, line: line, column: column) else { return }
        let value: JSONValue
        do throws(KubeModelError) { value = try YAMLScalar.resolve(text, tag: tag, plain: plain, fail: fail) } catch { return keep(error) }
        if let anchor { anchors[anchor] = .scalar(key: (try? YAMLScalar.keyText(text, tag: tag, plain: plain) { _ throws(KubeModelError) in }) ?? text, value: value) }
        add(value, height: 0, line: line, column: column)
    }

    /// An alias event: the anchored value again (or its text, as a key).
    mutating func alias(_ name: String, line: Int, column: Int) throws(KubeModelError) {
        guard deferred == nil else { return }
        guard let anchored = anchors[name] else {
            throw KubeModelError.invalidYAML("found undefined alias", document: document, line: line, column: column)
        }
        switch anchored {
        case .scalar(let key, let value):
            if awaitingKey { return try setKey(key, line: line, column: column) }
            guard count(1, line: line, column: column) else { return }
            add(value, height: 0, line: line, column: column)
        case .container(let value, let expansion, let height, let isMapping):
            if awaitingKey { return nonScalarKey(isMapping: isMapping, line: line, column: column) }
            guard stack.count + height <= JSONLimits.maxDepth else { return keep(limit(line: line, column: column)) }
            guard count(expansion, line: line, column: column) else { return }
            add(value, height: height, line: line, column: column)
        }
    }

    /// A sequence or mapping starts.
    /// - Throws: the nesting limit at once, unlike other value errors: libyaml scans unclosed flow
    ///   collections in quadratic time, so reading on for a later syntax error took minutes on a
    ///   hostile text (100,000 `[` took 35 s).
    mutating func start(mapping: Bool, anchor: String?, line: Int, column: Int) throws(KubeModelError) {
        guard deferred == nil else { return }
        if awaitingKey { return nonScalarKey(isMapping: mapping, line: line, column: column) }
        guard stack.count < JSONLimits.maxDepth else { throw limit(line: line, column: column) }
        let before = values
        guard count(1, line: line, column: column) else { return }
        stack.append(Frame(isMapping: mapping, anchor: anchor, line: line, column: column, valuesBefore: before, keyMarksBase: keyMarks.count))
    }

    /// The innermost sequence or mapping ends.
    mutating func end() throws(KubeModelError) {
        guard deferred == nil, let frame = stack.popLast() else { return }
        keyMarks.removeSubrange(frame.keyMarksBase...)
        if let first = frame.duplicates.min(by: { $0.key < $1.key })?.value {
            // Named in key order, at most ten of them (echoed keys are the caller's text).
            let keys = frame.duplicates.keys.sorted()
            let named = keys.prefix(10).joined(separator: ", ") + (keys.count > 10 ? " and \(keys.count - 10) more" : "")
            throw KubeModelError.invalidYAML("duplicate key\(keys.count == 1 ? "" : "s") \(named) in a mapping",
                                             document: document, line: first.line, column: first.column)
        }
        let value: JSONValue
        if frame.isMapping {
            var object = frame.object
            // Explicit keys win over merged ones; earlier merge sources win over later ones.
            for source in frame.merges {
                for (key, merged) in source where object[key] == nil { object[key] = merged }
            }
            value = .object(object)
        } else {
            value = .array(frame.array)
        }
        if let anchor = frame.anchor {
            anchors[anchor] = .container(value, values: values - frame.valuesBefore, height: frame.height, isMapping: frame.isMapping)
        }
        add(value, height: frame.height, line: frame.line, column: frame.column)
    }

    // MARK: - Keys

    private mutating func mergeKey(line: Int, column: Int) throws(KubeModelError) {
        guard let index = stack.indices.last else { return }
        if let first = stack[index].mergeMark {
            if stack[index].duplicates["<<"] == nil {
                stack[index].duplicates["<<"] = first
            }
        } else {
            stack[index].mergeMark = (line, column)
        }
        stack[index].keyIsMerge = true
    }

    private mutating func setKey(_ key: String, line: Int, column: Int) throws(KubeModelError) {
        guard let index = stack.indices.last else { return }
        let base = stack[index].keyMarksBase
        if let existing = stack[index].object.index(forKey: key) {
            if stack[index].duplicates[key] == nil {
                let first = keyMarks[base + existing]
                stack[index].duplicates[key] = first
            }
        } else {
            keyMarks.append((line, column))
        }
        stack[index].key = key
    }

    private mutating func nonScalarKey(isMapping: Bool, line: Int, column: Int) {
        keep(KubeModelError.invalidYAML("a mapping key must be a scalar to be valid JSON, found a \(isMapping ? "mapping" : "sequence")",
                                         document: document, line: line, column: column))
    }

    // MARK: - Values

    /// Places a finished value in its parent, or makes it the root.
    private mutating func add(_ value: JSONValue, height: Int, line: Int, column: Int) {
        guard let index = stack.indices.last else {
            root = value
            return
        }
        stack[index].height = max(stack[index].height, height + 1)
        guard stack[index].isMapping else {
            stack[index].array.append(value)
            return
        }
        if stack[index].keyIsMerge {
            stack[index].keyIsMerge = false
            switch value {
            case .object(let source):
                stack[index].merges.append(source)
            case .array(let sources):
                for source in sources {
                    guard case .object(let object) = source else { return keep(badMerge(line: line, column: column)) }
                    stack[index].merges.append(object)
                }
            default:
                keep(badMerge(line: line, column: column))
            }
            return
        }
        guard let key = stack[index].key else { return }
        stack[index].object[key] = value
        stack[index].key = nil
    }

    /// Counts values against the expansion limit; `false` (with the error kept) past it.
    private mutating func count(_ added: Int, line: Int, column: Int) -> Bool {
        values += added
        guard values > JSONLimits.maxValues else { return true }
        keep(KubeModelError.limitExceeded("document expands to more than \(JSONLimits.maxValues) values (alias expansion?)",
                                           document: document, line: line, column: column))
        return false
    }

    private mutating func keep(_ error: KubeModelError) {
        if deferred == nil { deferred = error }
    }

    private func limit(line: Int, column: Int) -> KubeModelError {
        KubeModelError.limitExceeded("nesting deeper than \(JSONLimits.maxDepth) levels", document: document, line: line, column: column)
    }

    private func badMerge(line: Int, column: Int) -> KubeModelError {
        KubeModelError.invalidYAML("a merge key (<<) takes a mapping or a list of mappings", document: document, line: line, column: column)
    }
}
