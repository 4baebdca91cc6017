/// A container image reference, normalised as container runtimes do: `nginx` is
/// `docker.io/library/nginx`, a first component with a `.` or `:` or equal to `localhost` is a
/// registry host, `repo:tag@sha256:…` keeps both tag and digest.
///
/// Parsing works on UTF-8 bytes: it runs for every container of every admission.
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// Where each part lies in ``original`` (byte offsets); strings are made only when asked for.
    private struct Parts: Sendable, Hashable {
        /// The registry host; `nil` for Docker Hub (written or implied).
        var registry: Range<Int>?
        var path: Range<Int>
        /// Docker Hub single-name images live under `library/`.
        var library: Bool
        var tag: Range<Int>?
        var digest: Range<Int>?
    }

    /// The reference as written.
    public let original: String
    private let parts: Parts

    private func text(_ range: Range<Int>) -> String {
        original.withUTF8Bytes { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// The registry host, with port when given (`docker.io`, `registry.example.com:5000`).
    public var registry: String { parts.registry.map(text) ?? "docker.io" }
    /// The repository path inside the registry (`library/nginx`, `odoo/odoo`).
    public var repository: String { (parts.library ? "library/" : "") + text(parts.path) }
    /// The tag, when written.
    public var tag: String? { parts.tag.map(text) }
    /// The digest (`sha256:…`), when written.
    public var digest: String? { parts.digest.map(text) }
    /// `registry/repository`, the name without tag or digest: the written bytes when the registry is
    /// written and no `library/` is implied, else built once with room for every part.
    public var name: String {
        if let registry = parts.registry, !parts.library { return text(registry.lowerBound..<parts.path.upperBound) }
        let host = parts.registry.map(text) ?? "docker.io"
        var result = ""
        result.reserveCapacity(host.utf8.count + 9 + parts.path.count)
        result += host
        result += parts.library ? "/library/" : "/"
        result += text(parts.path)
        return result
    }
    /// ``name`` as a slice of ``original`` when the text holds it whole (a registry written, no
    /// `library/` implied): no allocation for the usual reference; built as ``name`` otherwise.
    public var nameSlice: Substring {
        guard let registry = parts.registry, !parts.library else { return Substring(name) }
        let bytes = original.utf8
        let start = bytes.index(bytes.startIndex, offsetBy: registry.lowerBound)
        let end = bytes.index(bytes.startIndex, offsetBy: parts.path.upperBound)
        return original[start..<end]
    }
    /// Whether a digest is written (no allocation).
    public var hasDigest: Bool { parts.digest != nil }
    /// Whether a tag is written (no allocation).
    public var hasTag: Bool { parts.tag != nil }

    /// Whether the tag is exactly `value` (no allocation).
    public func tagIs(_ value: String) -> Bool {
        guard let range = parts.tag else { return false }
        return original.withUTF8Bytes { bytes in UnsafeBufferPointer(rebasing: bytes[range]).elementsEqual(value.utf8) }
    }

    /// Parses a reference.
    /// - Throws: ``KubeModelError`` `invalidImageReference` saying which part is wrong.
    public init(parsing text: String) throws(KubeModelError) {
        var parsed: Parts?
        var failure: String?
        text.withUTF8Bytes { bytes in
            do throws(ParseFailure) {
                parsed = try ImageReference.parse(bytes)
            } catch {
                failure = error.reason
            }
        }
        guard let parsed else {
            throw KubeModelError.invalidImageReference("image \"\(text.prefix(200))\" is invalid: \(failure ?? "it cannot be read")")
        }
        original = text
        parts = parsed
    }

    private struct ParseFailure: Error {
        let reason: String
    }

    /// One pass over the bytes, recording where each part lies.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(ParseFailure) -> Parts {
        guard !bytes.isEmpty else { throw ParseFailure(reason: "it is empty") }
        guard bytes.count <= 4096 else { throw ParseFailure(reason: "it is too long") }
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        var end = bytes.count
        var digest: Range<Int>?
        if let at = bytes.firstIndex(of: UInt8(ascii: "@")) {
            guard isValidDigest(bytes[(at + 1)...]) else {
                throw ParseFailure(reason: "the digest must be algorithm:hex, e.g. sha256: followed by 64 lowercase hex digits")
            }
            digest = (at + 1)..<bytes.count
            end = at
        }
        var lastSlash = -1
        var lastColon = -1
        var firstSlash = -1
        for i in 0..<end {
            if bytes[i] == UInt8(ascii: "/") { lastSlash = i; if firstSlash < 0 { firstSlash = i } }
            else if bytes[i] == UInt8(ascii: ":") { lastColon = i }
        }
        var tag: Range<Int>?
        if lastColon > lastSlash {
            guard isValidTag(bytes[(lastColon + 1)..<end]) else {
                throw ParseFailure(reason: "the tag \"\(text((lastColon + 1)..<min(end, lastColon + 131)))\" must be 1–128 of letters, digits, '_', '.', '-' and not start with '.' or '-'")
            }
            tag = (lastColon + 1)..<end
            end = lastColon
        }
        guard end > 0 else { throw ParseFailure(reason: "the repository name is missing") }
        var registry: Range<Int>?
        var pathStart = 0
        if firstSlash > 0 && firstSlash < end {
            let first = bytes[0..<firstSlash]
            if first.contains(UInt8(ascii: ".")) || first.contains(UInt8(ascii: ":")) || first.elementsEqual("localhost".utf8)
                || first.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) {
                guard isValidHost(first) else { throw ParseFailure(reason: "the registry host \"\(text(0..<firstSlash))\" is invalid") }
                let dockerHub = ["docker.io", "index.docker.io", "registry-1.docker.io"].contains { first.elementsEqual($0.utf8) }
                registry = dockerHub ? nil : 0..<firstSlash
                pathStart = firstSlash + 1
            }
        }
        var componentStart = pathStart
        var components = 0
        for i in pathStart...end where i == end || bytes[i] == UInt8(ascii: "/") {
            guard isValidPathComponent(bytes[componentStart..<i]) else {
                throw ParseFailure(reason: "the repository path component \"\(text(componentStart..<min(i, componentStart + 100)))\" must be lowercase letters and digits separated by '.', '_', '__' or '-'")
            }
            components += 1
            componentStart = i + 1
        }
        return Parts(registry: registry, path: pathStart..<end, library: registry == nil && components == 1, tag: tag, digest: digest)
    }

    /// The normalised reference: `name[:tag][@digest]`.
    public var description: String {
        name + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0 } ?? "")
    }

    /// The `sha256:<64 hex>` digest of an image reference pinned by one, or of the bare digest; `nil` otherwise.
    public static func sha256Digest(of text: String) -> String? {
        let reference = text.hasPrefix("sha256:") ? "digest.invalid/image@" + text : text
        guard let parsed = try? ImageReference(parsing: reference), parsed.isPinnedBySHA256 else { return nil }
        return parsed.digest
    }

    /// Whether the digest is a sha256 digest (the only kind registries verify today).
    public var isPinnedBySHA256: Bool {
        guard let range = parts.digest else { return false }
        return original.withUTF8Bytes { bytes in UnsafeBufferPointer(rebasing: bytes[range]).starts(with: "sha256:".utf8) }
    }

    private static func isLower(_ b: UInt8) -> Bool { b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") }
    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    private static func isLetter(_ b: UInt8) -> Bool { isLower(b) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) }

    static func isValidDigest(_ text: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let algorithm = text[..<colon]
        let hex = text[(colon + 1)...]
        guard !algorithm.isEmpty, algorithm.allSatisfy({ isLower($0) || isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) else { return false }
        guard hex.count >= 32, hex.allSatisfy({ isDigit($0) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }) else { return false }
        if algorithm.elementsEqual("sha256".utf8) { return hex.count == 64 }
        if algorithm.elementsEqual("sha512".utf8) { return hex.count == 128 }
        return true
    }

    static func isValidTag(_ text: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        guard let first = text.first, text.count <= 128, first != UInt8(ascii: "."), first != UInt8(ascii: "-") else { return false }
        return text.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    static func isValidHost(_ host: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        // `name` or `name:port`, split without allocating.
        let colon = host.firstIndex(of: UInt8(ascii: ":"))
        let name = host[..<(colon ?? host.endIndex)]
        guard let first = name.first, first != UInt8(ascii: "-"), first != UInt8(ascii: ".") else { return false }
        if let colon {
            let port = host[(colon + 1)...]
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(isDigit) else { return false }
            let value = port.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            guard (1...65535).contains(value) else { return false }
        }
        return name.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
    static func isValidPathComponent(_ component: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
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
