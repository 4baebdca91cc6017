/// A container image reference, normalised as container runtimes do: `nginx` is
/// `docker.io/library/nginx`, a first component with a `.` or `:` or equal to `localhost` is a
/// registry host, `repo:tag@sha256:…` keeps both tag and digest.
///
/// Parsing works on UTF-8 bytes: it runs for every container of every admission.
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// The registry host, with port when given (`docker.io`, `registry.example.com:5000`).
    public let registry: String
    /// The repository path inside the registry (`library/nginx`, `odoo/odoo`).
    public let repository: String
    /// The tag, when written.
    public let tag: String?
    /// The digest (`sha256:…`), when written.
    public let digest: String?
    /// The reference as written.
    public let original: String

    /// Parses a reference.
    /// - Throws: ``KubeModelError`` `invalidImageReference` saying which part is wrong.
    public init(parsing text: String) throws(KubeModelError) {
        func fail(_ why: String) -> KubeModelError {
            KubeModelError(.invalidImageReference, "image \"\(text.prefix(200))\" is invalid: \(why)")
        }
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw fail("it is empty") }
        guard bytes.count <= 4096 else { throw fail("it is too long") }
        var end = bytes.count
        var digest: String?
        if let at = bytes.firstIndex(of: UInt8(ascii: "@")) {
            guard ImageReference.isValidDigest(bytes[(at + 1)...]) else {
                throw fail("the digest must be algorithm:hex, e.g. sha256: followed by 64 lowercase hex digits")
            }
            digest = String(decoding: bytes[(at + 1)...], as: UTF8.self)
            end = at
        }
        var tag: String?
        let lastSlash = bytes[..<end].lastIndex(of: UInt8(ascii: "/")) ?? -1
        if let colon = bytes[..<end].lastIndex(of: UInt8(ascii: ":")), colon > lastSlash {
            let tagBytes = bytes[(colon + 1)..<end]
            guard ImageReference.isValidTag(tagBytes) else {
                throw fail("the tag \"\(String(decoding: tagBytes.prefix(130), as: UTF8.self))\" must be 1–128 of letters, digits, '_', '.', '-' and not start with '.' or '-'")
            }
            tag = String(decoding: tagBytes, as: UTF8.self)
            end = colon
        }
        guard end > 0 else { throw fail("the repository name is missing") }
        var components = bytes[..<end].split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        var registry = "docker.io"
        if components.count > 1, let first = components.first,
           first.contains(UInt8(ascii: ".")) || first.contains(UInt8(ascii: ":")) || first.elementsEqual("localhost".utf8)
            || first.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) {
            guard ImageReference.isValidHost(first) else {
                throw fail("the registry host \"\(String(decoding: first, as: UTF8.self))\" is invalid")
            }
            registry = String(decoding: first, as: UTF8.self)
            components.removeFirst()
        }
        if registry == "index.docker.io" || registry == "registry-1.docker.io" { registry = "docker.io" }
        for component in components where !ImageReference.isValidPathComponent(component) {
            throw fail("the repository path component \"\(String(decoding: component.prefix(100), as: UTF8.self))\" must be lowercase letters and digits separated by '.', '_', '__' or '-'")
        }
        var repository = components.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/")
        if registry == "docker.io" && components.count == 1 { repository = "library/" + repository }
        self.registry = registry
        self.repository = repository
        self.name = registry + "/" + repository
        self.tag = tag
        self.digest = digest
        self.original = text
    }

    /// `registry/repository`, the name without tag or digest.
    public let name: String

    /// The normalised reference: `name[:tag][@digest]`.
    public var description: String {
        name + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0 } ?? "")
    }

    /// Whether the digest is a sha256 digest (the only kind registries verify today).
    public var isPinnedBySHA256: Bool { digest?.hasPrefix("sha256:") ?? false }

    private static func isLower(_ b: UInt8) -> Bool { b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") }
    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    private static func isLetter(_ b: UInt8) -> Bool { isLower(b) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) }

    static func isValidDigest(_ text: ArraySlice<UInt8>) -> Bool {
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let algorithm = text[..<colon]
        let hex = text[(colon + 1)...]
        guard !algorithm.isEmpty, algorithm.allSatisfy({ isLower($0) || isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) else { return false }
        guard hex.count >= 32, hex.allSatisfy({ isDigit($0) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }) else { return false }
        if algorithm.elementsEqual("sha256".utf8) { return hex.count == 64 }
        if algorithm.elementsEqual("sha512".utf8) { return hex.count == 128 }
        return true
    }

    static func isValidTag(_ text: ArraySlice<UInt8>) -> Bool {
        guard let first = text.first, text.count <= 128, first != UInt8(ascii: "."), first != UInt8(ascii: "-") else { return false }
        return text.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    static func isValidHost(_ host: ArraySlice<UInt8>) -> Bool {
        let parts = host.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.first, let first = name.first,
              first != UInt8(ascii: "-"), first != UInt8(ascii: ".") else { return false }
        if parts.count == 2 {
            let port = parts[1]
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(isDigit),
                  let value = Int(String(decoding: port, as: UTF8.self)), (1...65535).contains(value) else { return false }
        }
        return name.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
    static func isValidPathComponent(_ component: ArraySlice<UInt8>) -> Bool {
        guard let first = component.first, let last = component.last,
              isLower(first) || isDigit(first), isLower(last) || isDigit(last) else { return false }
        var separators = 0
        var separatorKind: UInt8 = 0
        for byte in component {
            if isLower(byte) || isDigit(byte) {
                if separators > 0 {
                    let ok = (separatorKind == UInt8(ascii: "-")) || (separatorKind == UInt8(ascii: ".") && separators == 1)
                        || (separatorKind == UInt8(ascii: "_") && separators <= 2)
                    guard ok else { return false }
                }
                separators = 0
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") {
                if separators > 0 && byte != separatorKind { return false }
                separatorKind = byte
                separators += 1
            } else {
                return false
            }
        }
        return true
    }
}
