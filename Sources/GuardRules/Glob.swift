/// Shell-style patterns for registries, namespaces and names: `*` matches within one `/`-separated
/// segment, `**` across segments, everything else literally.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        // Literal patterns (the common case: namespace names) need no matching machinery.
        if !pattern.utf8.contains(UInt8(ascii: "*")) { return pattern.utf8.elementsEqual(text.utf8) }
        return matches(Array(pattern.utf8)[...], Array(text.utf8)[...])
    }

    private static func matches(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        var p = pattern
        var t = text
        while let c = p.first {
            if c == UInt8(ascii: "*") {
                let doubleStar = p.dropFirst().first == UInt8(ascii: "*")
                let rest = p.dropFirst(doubleStar ? 2 : 1)
                var candidate = t
                while true {
                    if matches(rest, candidate) { return true }
                    guard let next = candidate.first, doubleStar || next != UInt8(ascii: "/") else { return false }
                    candidate = candidate.dropFirst()
                }
            }
            guard let d = t.first, d == c else { return false }
            p = p.dropFirst()
            t = t.dropFirst()
        }
        return t.isEmpty
    }
}

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
    func allows(_ name: String) -> Bool {
        switch kind {
        case .any: return true
        case .glob(let base, let below):
            return Glob.matches(base, name) || (below && Glob.matches(base + "/**", name))
        case .prefix(let base, let below):
            let bytes = name.utf8
            if bytes.elementsEqual(base) { return true }
            guard below, bytes.count > base.count else { return false }
            return bytes.starts(with: base) && bytes.dropFirst(base.count).first == UInt8(ascii: "/")
        }
    }
}
