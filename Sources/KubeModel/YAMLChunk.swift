/// A `---`-separated piece of a YAML stream, with where it starts.
struct YAMLChunk {
    /// 1-based position in the stream.
    let index: Int
    /// 1-based line of the stream where the chunk's text starts.
    let line: Int
    /// The chunk's text, including its `---` line.
    let text: String

    /// Whether the chunk holds nothing but blank lines, comments, directives and markers.
    var isBlank: Bool {
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            let content = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
            guard let first = content.first else { continue }
            if first == UInt8(ascii: "#") || first == UInt8(ascii: "%") || first == 0xEF { continue }
            if YAMLChunk.isMarker(content, "---") || YAMLChunk.isMarker(content, "...") {
                let rest = content.dropFirst(3).drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
                if rest.isEmpty || rest.first == UInt8(ascii: "#") { continue }
            }
            return false
        }
        return true
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
        func flush(upTo end: Int) {
            if end > chunkStart {
                var slice = bytes[chunkStart..<end]
                if slice.last == UInt8(ascii: "\n") { slice = slice.dropLast() }
                chunks.append(YAMLChunk(index: chunks.count + 1, line: chunkLine, text: String(decoding: slice, as: UTF8.self)))
            }
            hasMarker = false
            hasContent = false
        }
        var lineStart = 0
        var lineNumber = 1
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            let line = bytes[lineStart..<lineEnd]
            let next = lineEnd + 1
            if isMarker(line, "---") {
                if hasMarker || hasContent {
                    flush(upTo: lineStart)
                    chunkStart = lineStart
                    chunkLine = lineNumber
                }
                hasMarker = true
            } else if isMarker(line, "...") {
                flush(upTo: min(next, bytes.count))
                chunkStart = min(next, bytes.count)
                chunkLine = lineNumber + 1
            } else if !isIgnorable(line) && line.first != UInt8(ascii: "%") {
                hasContent = true
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

    private static func isMarker(_ line: Substring.UTF8View, _ marker: StaticString) -> Bool {
        isMarker(ArraySlice(line), marker)
    }

    private static func isIgnorable(_ line: ArraySlice<UInt8>) -> Bool {
        let trimmed = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
        return trimmed.isEmpty || trimmed.first == UInt8(ascii: "#")
    }

    /// An upper bound on the nesting depth of a YAML document, from indentation levels, block
    /// indicators and flow brackets outside quoted scalars. Cheap; used only to choose a stack size.
    static func nestingBound(_ text: String) -> Int {
        var indents: [Int] = []
        var flowDepth = 0
        var bound = 0
        var blockScalarParent: Int?
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            var indent = 0
            for byte in line { if byte == UInt8(ascii: " ") { indent += 1 } else { break } }
            let content = line.dropFirst(indent)
            guard let first = content.first, first != UInt8(ascii: "#"), first != UInt8(ascii: "\r") else { continue }
            if let parent = blockScalarParent {
                if indent > parent { continue }
                blockScalarParent = nil
            }
            if flowDepth == 0 {
                while let top = indents.last, top >= indent { indents.removeLast() }
                indents.append(indent)
            }
            var inline = 0
            var quote: UInt8?
            var escaped = false
            var atTokenStart = true
            var previous: UInt8 = UInt8(ascii: " ")
            var lineMax = flowDepth
            var scanner = content.makeIterator()
            while let byte = scanner.next() {
                defer { previous = byte }
                if let open = quote {
                    if open == UInt8(ascii: "\"") && byte == UInt8(ascii: "\\") && !escaped { escaped = true; continue }
                    if byte == open && !escaped { quote = nil; atTokenStart = false }
                    escaped = false
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "'"):
                    if atTokenStart { quote = byte }
                    atTokenStart = false
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    if atTokenStart || flowDepth > 0 { flowDepth += 1; lineMax = max(lineMax, flowDepth); atTokenStart = true }
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    if flowDepth > 0 { flowDepth -= 1 }
                case UInt8(ascii: ","):
                    if flowDepth > 0 { atTokenStart = true }
                case UInt8(ascii: "#") where previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\t"):
                    while scanner.next() != nil {}
                case UInt8(ascii: " "), UInt8(ascii: "\t"):
                    if previous == UInt8(ascii: "-") || previous == UInt8(ascii: ":") || previous == UInt8(ascii: "?") {
                        inline += 1
                        atTokenStart = true
                    }
                default:
                    if byte != UInt8(ascii: "-") && byte != UInt8(ascii: ":") && byte != UInt8(ascii: "?") { atTokenStart = false }
                }
            }
            if previous == UInt8(ascii: ":") || previous == UInt8(ascii: "-") { inline += 1 }
            bound = max(bound, indents.count * 2 + inline + lineMax)
            if endsWithBlockIndicator(content) {
                blockScalarParent = indent
            }
        }
        return bound
    }

    /// Whether a line ends with a block scalar header such as `|`, `|-`, `>+2` (before any comment).
    private static func endsWithBlockIndicator(_ content: Substring.UTF8View.SubSequence) -> Bool {
        var bytes = Array(content)
        if let hash = bytes.firstIndex(of: UInt8(ascii: "#")), hash > 0, bytes[hash - 1] == UInt8(ascii: " ") {
            bytes = Array(bytes[..<hash])
        }
        while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\r") || last == UInt8(ascii: "\t") { bytes.removeLast() }
        while let last = bytes.last, last == UInt8(ascii: "+") || last == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(last) {
            bytes.removeLast()
        }
        guard let last = bytes.last, last == UInt8(ascii: "|") || last == UInt8(ascii: ">") else { return false }
        let before = bytes.dropLast().last
        return before == nil || before == UInt8(ascii: " ")
    }
}
