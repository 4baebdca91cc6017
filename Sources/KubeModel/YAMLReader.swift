
/// One document of a manifest stream: its 1-based index, the line it starts on, and either its value
/// or the error that stopped it. A broken document never hides the others.
public struct ManifestDocument: Sendable {
    /// 1-based position of the document in its stream (empty documents are counted but not returned).
    public let index: Int
    /// 1-based line of the stream where the document starts.
    public let line: Int
    /// The parsed value, or why it could not be parsed.
    public let result: Result<JSONValue, KubeModelError>
}

/// Reads Kubernetes manifests — multi-document YAML or JSON — into ``JSONValue``s.
///
/// YAML is resolved as the Kubernetes API's YAML decoder does (YAML 1.1 booleans such as `yes`/`off`,
/// `0x`/octal integers, `~` as null), keys become strings, merge keys (`<<`) are expanded, and values
/// JSON cannot hold (NaN, infinities, non-scalar keys) are errors. Each document is parsed on its own,
/// so one bad document yields one error and the rest still parse.
public enum ManifestReader {
    /// The input format of a stream.
    public enum Format: Sendable {
        /// One JSON text (an object, or a `List` kind — it is not expanded here).
        case json
        /// A YAML stream of `---`-separated documents.
        case yaml
        /// JSON when the first non-blank character opens an object or array (a stream of such
        /// documents separated by `---` is read as the YAML it also is), YAML otherwise.
        case detect
    }

    /// The items of a `List` document (`kind: List`, `DeploymentList`, …), or `nil` for any other document.
    public static func listItems(_ value: JSONValue) -> [JSONValue]? {
        guard let kind = value["kind"]?.stringValue, kind.hasSuffix("List"), case .array(let items)? = value["items"] else { return nil }
        return items
    }

    /// Splits and parses a stream. Invalid UTF-8 fails the whole stream (as one document result).
    public static func read(_ bytes: [UInt8], format: Format = .detect) -> [ManifestDocument] {
        let resolved: Format
        switch format {
        case .detect:
            let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
            resolved = (first == UInt8(ascii: "{") || first == UInt8(ascii: "[")) ? .json : .yaml
        default: resolved = format
        }
        if resolved == .json {
            do {
                return [ManifestDocument(index: 1, line: 1, result: .success(try JSONParser.parse(bytes)))]
            } catch {
                // Detected only: JSON documents in a YAML stream (`{…}` `---` `{…}`) are YAML too. Only
                // then is the text read again, so a broken JSON text costs one parse.
                if format == .detect, JSONParser.startsDocumentStream(bytes), let text = String(validating: bytes, as: UTF8.self) {
                    return read(yaml: text)
                }
                var located = error
                located.document = 1
                return [ManifestDocument(index: 1, line: error.line ?? 1, result: .failure(located))]
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let offset = firstInvalidUTF8Offset(bytes)
            let line = bytes[0..<offset].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            return [ManifestDocument(index: 1, line: line, result: .failure(
                KubeModelError.invalidUTF8("input is not valid UTF-8 (byte offset \(offset))", line: line)))]
        }
        return read(yaml: text)
    }

    /// Splits and parses a YAML stream given as text.
    public static func read(yaml text: String) -> [ManifestDocument] {
        let chunks = YAMLChunk.split(text).filter { !$0.isBlank }
        // Documents are independent: parse them on all cores, keep stream order.
        return Parallel.map(count: chunks.count) { i in
            let chunk = chunks[i]
            let result: Result<JSONValue, KubeModelError>
            do throws(KubeModelError) {
                result = .success(try parseDocument(chunk.text, firstLine: chunk.line, index: chunk.index))
            } catch {
                result = .failure(error)
            }
            return ManifestDocument(index: chunk.index, line: chunk.line, result: result)
        }
    }

    /// Parses YAML text that must hold exactly one document (a policy file, a fixture).
    /// - Throws: ``KubeModelError`` naming the document and line.
    public static func parseSingle(yaml text: String) throws(KubeModelError) -> JSONValue {
        let documents = read(yaml: text)
        guard documents.count == 1, let only = documents.first else {
            throw KubeModelError.invalidYAML("expected exactly one YAML document, found \(documents.count)")
        }
        return try only.result.get()
    }

    static func parseDocument(_ text: String, firstLine: Int, index: Int) throws(KubeModelError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { bytes -> Result<JSONValue, KubeModelError> in
            do throws(KubeModelError) {
                return .success(try YAMLEventReader.parse(bytes, firstLine: firstLine, document: index))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput, .error: return offset
            }
        }
    }
}
