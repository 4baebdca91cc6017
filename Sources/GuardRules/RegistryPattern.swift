/// A registry pattern of a stage, compiled: `*` allows all; a trailing `/*` allows everything below;
/// a pattern without wildcards allows that repository and everything below it; otherwise the glob
/// must match the whole image name (`registry/repository`).
struct RegistryPattern: Sendable, Equatable {
    private enum Kind: Sendable, Equatable {
        case any
        case prefix([UInt8], below: Bool)
        case glob(String, below: Bool)
    }

    private let kind: Kind

    init(_ pattern: String) {
        if pattern == "*" || pattern == "**" { kind = .any; return }
        var base = pattern.hasSuffix("/") ? String(pattern.dropLast()) : pattern
        var below = !pattern.utf8.contains(UInt8(ascii: "*"))
        if base.hasSuffix("/*") || base.hasSuffix("/**") {
            base = String(base[..<(base.lastIndex(of: "/") ?? base.endIndex)])
            below = true
        }
        kind = base.utf8.contains(UInt8(ascii: "*")) ? .glob(base, below: below) : .prefix(Array(base.utf8), below: below)
    }

    /// Whether the image name is allowed (bytes compared; registry names are ASCII).
    func allows<Name: StringProtocol>(_ name: Name) -> Bool {
        switch kind {
        case .any: return true
        case .glob(let base, let below):
            let name = String(name)
            return Glob.matches(base, name) || (below && Glob.matches(base + "/**", name))
        case .prefix(let base, let below):
            let bytes = name.utf8
            if bytes.elementsEqual(base) { return true }
            guard below, bytes.count > base.count else { return false }
            return bytes.starts(with: base) && bytes.dropFirst(base.count).first == UInt8(ascii: "/")
        }
    }
}
