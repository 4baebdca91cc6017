/// A `---`-separated piece of a YAML stream, with where it starts.
struct YAMLChunk {
    /// 1-based position in the stream.
    let index: Int
    /// 1-based line of the stream where the chunk's text starts.
    let line: Int
    /// The chunk's text, including its `---` line.
    let text: String

    /// Whether the chunk holds nothing but blank lines, comments, directives and markers (found
    /// while splitting, so the stream is read once).
    let isBlank: Bool

    /// Whether one line of a chunk is blank in the sense of ``isBlank``: empty once leading blanks are
    /// dropped, a comment, a directive, a byte-order mark, or a marker followed by nothing or a comment.
    private static func isBlankLine(_ line: ArraySlice<UInt8>) -> Bool {
        let content = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
        guard let first = content.first else { return true }
        if first == UInt8(ascii: "#") || first == UInt8(ascii: "%") || first == 0xEF { return true }
        guard isMarker(content, "---") || isMarker(content, "...") else { return false }
        let rest = content.dropFirst(3).drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
        return rest.isEmpty || rest.first == UInt8(ascii: "#")
    }

    /// Splits a stream at document markers (`---` or `...` at the start of a line). Block scalar
    /// content is always indented, so a marker at column 0 always ends a document.
    static func split(_ text: String) -> [YAMLChunk] {
        var chunks: [YAMLChunk] = []
        let bytes = Array(text.utf8)
        var chunkStart = 0       // byte offset of the current chunk
        var chunkLine = 1
        var hasMarker = false
        var hasContent = false
        var blank = true         // every line of the current chunk so far is blank (isBlankLine)
        func flush(upTo end: Int) {
            if end > chunkStart {
                var slice = bytes[chunkStart..<end]
                if slice.last == UInt8(ascii: "\n") { slice = slice.dropLast() }
                chunks.append(YAMLChunk(index: chunks.count + 1, line: chunkLine, text: String(decoding: slice, as: UTF8.self),
                                        isBlank: blank))
            }
            hasMarker = false
            hasContent = false
            blank = true
        }
        var lineStart = 0
        var lineNumber = 1
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            let line = bytes[lineStart..<lineEnd]
            let next = lineEnd + 1
            let lineIsBlank = isBlankLine(line)
            if isMarker(line, "---") {
                if hasMarker || hasContent {
                    flush(upTo: lineStart)
                    chunkStart = lineStart
                    chunkLine = lineNumber
                }
                hasMarker = true
                blank = blank && lineIsBlank
            } else if isMarker(line, "...") {
                blank = blank && lineIsBlank
                flush(upTo: min(next, bytes.count))
                chunkStart = min(next, bytes.count)
                chunkLine = lineNumber + 1
            } else {
                if !isIgnorable(line) && line.first != UInt8(ascii: "%") { hasContent = true }
                blank = blank && lineIsBlank
            }
            lineStart = next
            lineNumber += 1
        }
        flush(upTo: bytes.count)
        return chunks
    }

    private static func isMarker(_ line: ArraySlice<UInt8>, _ marker: StaticString) -> Bool {
        guard line.count >= 3 else { return false }
        let matches = marker.withUTF8Buffer { line.prefix(3).elementsEqual($0) }
        guard matches else { return false }
        let rest = line.dropFirst(3)
        return rest.isEmpty || rest.first == UInt8(ascii: " ") || rest.first == UInt8(ascii: "\t") || rest.first == UInt8(ascii: "\r")
    }

    private static func isIgnorable(_ line: ArraySlice<UInt8>) -> Bool {
        let trimmed = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
        return trimmed.isEmpty || trimmed.first == UInt8(ascii: "#")
    }}
