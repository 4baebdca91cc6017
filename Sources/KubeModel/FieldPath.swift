/// A location inside an object, shown to people in Kubernetes' field-path notation
/// (`spec.template.spec.containers[0].image`, `metadata.labels[app.kubernetes.io/name]`) and usable
/// as a JSON Pointer for patches.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// One step of a path.
    public enum Component: Sendable, Hashable {
        /// An object member.
        case key(String)
        /// An array element.
        case index(Int)
    }

    /// The steps from the document root.
    public var components: [Component]

    /// A path from steps.
    public init(_ components: [Component] = []) { self.components = components }

    /// A path from dot-separated member names (`"spec.template.spec"`); no indices.
    public init(stringLiteral value: String) {
        guard !value.isEmpty else { components = []; return }
        guard value.utf8.contains(UInt8(ascii: ".")) else { components = [.key(value)]; return }
        components = value.utf8.split(separator: UInt8(ascii: ".")).map { .key(String(decoding: $0, as: UTF8.self)) }
    }

    /// The document root.
    public static let root = FieldPath()

    /// The path of a member.
    public static func / (path: FieldPath, key: String) -> FieldPath {
        var components = path.components
        components.append(.key(key))
        return FieldPath(components)
    }

    /// The path of an array element.
    public static func / (path: FieldPath, index: Int) -> FieldPath {
        var components = path.components
        components.append(.index(index))
        return FieldPath(components)
    }

    /// Kubernetes' notation: identifiers joined by dots, indices and unusual keys in brackets.
    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .index(let i): text += "[\(i)]"
            case .key(let key):
                if FieldPath.isPlain(key) {
                    if !text.isEmpty { text += "." }
                    text += key
                } else {
                    text += "[\(key)]"
                }
            }
        }
        return text.isEmpty ? "<root>" : text
    }

    /// The JSON Pointer for the same location.
    public var pointer: JSONPointer {
        JSONPointer(tokens: components.map {
            switch $0 {
            case .key(let k): return k
            case .index(let i): return String(i)
            }
        })
    }

    private static func isPlain(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$")
        }
    }
}

extension JSONValue {
    /// The value at a field path, or `nil` when any step is missing.
    public subscript(path path: FieldPath) -> JSONValue? {
        var current = self
        for component in path.components {
            switch component {
            case .key(let key):
                guard let next = current[key] else { return nil }
                current = next
            case .index(let i):
                guard let next = current[i] else { return nil }
                current = next
            }
        }
        return current
    }
}
