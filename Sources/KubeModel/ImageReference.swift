/// A container image reference, normalised as container runtimes do: `nginx` is
/// `docker.io/library/nginx`, a first component with a `.` or `:` or equal to `localhost` is a
/// registry host, `repo:tag@sha256:…` keeps both tag and digest.
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
        guard !text.isEmpty else { throw fail("it is empty") }
        guard text.count <= 4096 else { throw fail("it is too long") }
        var remainder = Substring(text)
        var digest: String?
        if let at = remainder.firstIndex(of: "@") {
            let digestText = remainder[remainder.index(after: at)...]
            guard ImageReference.isValidDigest(digestText) else {
                throw fail("the digest must be algorithm:hex, e.g. sha256: followed by 64 lowercase hex digits")
            }
            digest = String(digestText)
            remainder = remainder[..<at]
        }
        var tag: String?
        if let colon = remainder.lastIndex(of: ":"), !remainder[colon...].contains("/") {
            let tagText = remainder[remainder.index(after: colon)...]
            guard ImageReference.isValidTag(tagText) else {
                throw fail("the tag \"\(tagText.prefix(130))\" must be 1–128 of letters, digits, '_', '.', '-' and not start with '.' or '-'")
            }
            tag = String(tagText)
            remainder = remainder[..<colon]
        }
        var components = remainder.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !components.isEmpty, !remainder.isEmpty else { throw fail("the repository name is missing") }
        var registry = "docker.io"
        if components.count > 1, let first = components.first,
           first.contains(".") || first.contains(":") || first == "localhost" || first.contains(where: \.isUppercase) {
            registry = first
            components.removeFirst()
            guard ImageReference.isValidHost(registry) else { throw fail("the registry host \"\(registry)\" is invalid") }
        }
        if registry == "index.docker.io" || registry == "registry-1.docker.io" { registry = "docker.io" }
        if registry == "docker.io" && components.count == 1 { components.insert("library", at: 0) }
        for component in components where !ImageReference.isValidPathComponent(component) {
            throw fail("the repository path component \"\(component.prefix(100))\" must be lowercase letters and digits separated by '.', '_', '__' or '-'")
        }
        self.registry = registry
        self.repository = components.joined(separator: "/")
        self.tag = tag
        self.digest = digest
        self.original = text
    }

    /// `registry/repository`, the name without tag or digest.
    public var name: String { "\(registry)/\(repository)" }

    /// The normalised reference: `name[:tag][@digest]`.
    public var description: String {
        name + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0 } ?? "")
    }

    /// Whether the digest is a sha256 digest (the only kind registries verify today).
    public var isPinnedBySHA256: Bool { digest?.hasPrefix("sha256:") ?? false }

    static func isValidDigest(_ text: Substring) -> Bool {
        guard let colon = text.firstIndex(of: ":") else { return false }
        let algorithm = text[..<colon]
        let hex = text[text.index(after: colon)...]
        guard !algorithm.isEmpty, algorithm.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || "+._-".contains($0)) }) else { return false }
        guard hex.count >= 32, hex.allSatisfy({ $0.isASCII && $0.isHexDigit && !$0.isUppercase }) else { return false }
        if algorithm == "sha256" { return hex.count == 64 }
        if algorithm == "sha512" { return hex.count == 128 }
        return true
    }

    static func isValidTag(_ text: Substring) -> Bool {
        guard let first = text.first, text.count <= 128, first != ".", first != "-" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-") }
    }

    static func isValidHost(_ host: String) -> Bool {
        let parts = host.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.first, !name.isEmpty else { return false }
        if parts.count == 2 {
            guard let port = Int(parts[1]), (1...65535).contains(port) else { return false }
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
            && !name.hasPrefix("-") && !name.hasPrefix(".")
    }

    static func isValidPathComponent(_ component: String) -> Bool {
        guard let first = component.first, let last = component.last,
              first.isASCII, first.isLowercase || first.isNumber, last.isASCII, last.isLowercase || last.isNumber else { return false }
        var previousSeparators = ""
        for c in component {
            if c.isASCII && (c.isLowercase || c.isNumber) {
                guard previousSeparators.isEmpty || previousSeparators == "." || previousSeparators == "_"
                        || previousSeparators == "__" || previousSeparators.allSatisfy({ $0 == "-" }) else { return false }
                previousSeparators = ""
            } else if c == "." || c == "_" || c == "-" {
                previousSeparators.append(c)
            } else {
                return false
            }
        }
        return true
    }
}
