/// An RFC 6901 JSON Pointer: a list of reference tokens, `~0`/`~1` escaped in its text form.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The unescaped reference tokens; empty for the whole document.
    public var tokens: [String]

    /// A pointer from unescaped tokens.
    public init(tokens: [String]) { self.tokens = tokens }

    /// Parses the text form (`""` or `/a/b~1c`).
    /// - Throws: ``KubeModelError`` `invalidPointer` when the text does not start with `/` or has a bad escape.
    public init(parsing text: String) throws(KubeModelError) {
        if text.isEmpty { tokens = []; return }
        guard text.hasPrefix("/") else {
            throw KubeModelError.invalidPointer("JSON Pointer \"\(text)\" must be empty or start with '/'")
        }
        var result: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var iterator = raw.makeIterator()
            while let c = iterator.next() {
                guard c == "~" else { token.append(c); continue }
                switch iterator.next() {
                case "0": token.append("~")
                case "1": token.append("/")
                default: throw KubeModelError.invalidPointer("JSON Pointer \"\(text)\" has '~' not followed by 0 or 1")
                }
            }
            result.append(token)
        }
        tokens = result
    }

    /// A pointer from a literal; an invalid literal becomes a pointer that names nothing useful
    /// (a single token equal to the text), so prefer ``init(parsing:)`` for input.
    public init(stringLiteral value: String) {
        self = (try? JSONPointer(parsing: value)) ?? JSONPointer(tokens: [value])
    }

    /// The escaped text form.
    public var description: String {
        var text = ""
        for token in tokens {
            text.append("/")
            if !token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) {
                text.append(token)
                continue
            }
            for character in token {
                switch character {
                case "~": text.append("~0")
                case "/": text.append("~1")
                default: text.append(character)
                }
            }
        }
        return text
    }

    /// The pointer to the parent, `nil` for the root.
    public var parent: JSONPointer? { tokens.isEmpty ? nil : JSONPointer(tokens: Array(tokens.dropLast())) }

    /// Whether `self` is `other` or one of its ancestors.
    public func isPrefix(of other: JSONPointer) -> Bool {
        tokens.count <= other.tokens.count && zip(tokens, other.tokens).allSatisfy(==)
    }

    /// The array index a token denotes: digits without leading zeros.
    static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              token == "0" || !token.hasPrefix("0") else { return nil }
        return Int(token)
    }
}

extension JSONValue {
    /// The value at a pointer, or `nil` when any step is missing.
    public subscript(pointer pointer: JSONPointer) -> JSONValue? {
        var current = self
        for token in pointer.tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let array):
                guard let i = JSONPointer.arrayIndex(token), i < array.count else { return nil }
                current = array[i]
            default: return nil
            }
        }
        return current
    }
}
