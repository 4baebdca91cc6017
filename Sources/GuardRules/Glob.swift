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
