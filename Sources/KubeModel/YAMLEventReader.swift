import CLibYAML

/// Reads one YAML document with libyaml's event parser, building ``JSONValue``s directly: no composed
/// node tree, no object per node, and no recursion (nesting lives on an explicit stack, so a deep
/// document is a limit error, never a stack overflow).
///
/// Resolution is the Kubernetes API's (``YAMLScalar``); keys are read as written (an explicit tag such
/// as `!!int` resolves them); merge keys (`<<`) expand with explicit keys winning; anchors and aliases
/// are expanded by sharing the built value (copy-on-write), with every expansion counted against
/// ``JSONLimits/maxValues`` and ``JSONLimits/maxDepth``.
///
/// Precedence of errors, as a composer followed by a converter would report them: a syntax error
/// anywhere in the document, else the first structural error (a duplicate key, an undefined alias, a
/// second document) where the parser met it, else the first value error (no JSON form, a non-scalar
/// key, a bad merge, a limit) in document order.
enum YAMLEventReader {
    /// Parses the single document of `bytes` (UTF-8, already validated).
    /// - Parameters:
    ///   - firstLine: the stream's line where `bytes` starts (errors name stream lines).
    ///   - document: the document's 1-based index in its stream.
    /// - Throws: ``KubeModelError`` with the document, line and column.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, document: Int) throws(KubeModelError) -> JSONValue {
        // libyaml asserts its input pointer; an empty document is null.
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return .null }
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw KubeModelError.limitExceeded("libyaml could not allocate a parser", document: document, line: firstLine)
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, base, bytes.count)

        var builder = YAMLDocumentBuilder(firstLine: firstLine, document: document)
        var event = yaml_event_t()
        var documents = 0
        while true {
            guard yaml_parser_parse(parser, &event) == 1 else {
                throw syntaxError(parser.pointee, bytes: bytes, firstLine: firstLine, document: document)
            }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + firstLine
            let column = Int(event.start_mark.column) + 1
            switch event.type {
            case YAML_STREAM_END_EVENT:
                if let failure = builder.deferred { throw failure }
                return builder.root ?? .null
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    throw KubeModelError.invalidYAML("but found another document (expected a single document in the stream)",
                                                     document: document, line: line, column: column)
                }
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                // As libyaml reports it: an untagged quoted or block scalar is a string.
                let tag = scalar.quoted_implicit == 1 ? YAMLDocumentBuilder.stringTag : scalar.tag.map { String(cString: $0) }
                try builder.scalar(text, tag: tag, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE,
                                   anchor: scalar.anchor.map { String(cString: $0) }, line: line, column: column)
            case YAML_ALIAS_EVENT:
                try builder.alias(event.data.alias.anchor.map { String(cString: $0) } ?? "", line: line, column: column)
            case YAML_SEQUENCE_START_EVENT:
                try builder.start(mapping: false, anchor: event.data.sequence_start.anchor.map { String(cString: $0) }, line: line, column: column)
            case YAML_MAPPING_START_EVENT:
                try builder.start(mapping: true, anchor: event.data.mapping_start.anchor.map { String(cString: $0) }, line: line, column: column)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                try builder.end()
            default:
                break
            }
        }
    }

    /// libyaml's own error (reader, scanner or parser), located in the stream.
    static func syntaxError(_ parser: yaml_parser_t, bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, document: Int) -> KubeModelError {
        let problem = parser.problem.map { String(cString: $0) } ?? "libyaml stopped without saying why"
        switch parser.error {
        case YAML_READER_ERROR:
            let offset = min(parser.problem_offset, bytes.count)
            let prefix = UnsafeBufferPointer(rebasing: bytes[0..<offset])
            let line = prefix.reduce(firstLine) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            let characters = String(decoding: prefix, as: UTF8.self).count
            return KubeModelError.invalidYAML("\(problem) at byte \(characters)", document: document, line: line)
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR:
            var message = problem
            if let context = parser.context.map({ String(cString: $0) }), !context.isEmpty { message = "\(problem) (\(context))" }
            return KubeModelError.invalidYAML(message, document: document, line: Int(parser.problem_mark.line) + firstLine,
                                              column: Int(parser.problem_mark.column) + 1)
        default:
            return KubeModelError.limitExceeded("libyaml ran out of memory (\(problem))", document: document, line: firstLine)
        }
    }
}
