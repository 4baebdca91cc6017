/// Shell-style patterns for registries, namespaces and names: `*` matches within one `/`-separated
/// segment, `**` across segments, everything else literally.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        matches(Array(pattern.utf8)[...], Array(text.utf8)[...])
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

    /// Whether an image name (`registry/repository`) is allowed by a registry pattern: `*` allows all;
    /// a trailing `/*` allows everything below; a pattern without wildcards allows that repository and
    /// everything below it; otherwise the pattern must match the whole name.
    static func allowsImage(_ pattern: String, name: String) -> Bool {
        if pattern == "*" || pattern == "**" { return true }
        var base = pattern.hasSuffix("/") ? String(pattern.dropLast()) : pattern
        var below = !pattern.utf8.contains(UInt8(ascii: "*"))
        if base.hasSuffix("/*") || base.hasSuffix("/**") {
            base = String(base[..<(base.lastIndex(of: "/") ?? base.endIndex)])
            below = true
        }
        if base.utf8.contains(UInt8(ascii: "*")) {
            return matches(base, name) || (below && matches(base + "/**", name))
        }
        // Byte comparison: registry names are ASCII, and Unicode-aware hasPrefix is slow.
        let nameBytes = name.utf8
        let baseBytes = base.utf8
        if nameBytes.elementsEqual(baseBytes) { return true }
        guard below, nameBytes.count > baseBytes.count else { return false }
        return nameBytes.starts(with: baseBytes) && nameBytes.dropFirst(baseBytes.count).first == UInt8(ascii: "/")
    }
}
