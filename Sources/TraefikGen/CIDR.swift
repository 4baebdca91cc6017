/// An IPv4 or IPv6 network in CIDR notation (`10.20.0.0/16`, `2001:db8::/32`), parsed strictly: the
/// prefix length is required, and host bits must be zero so a typo such as `10.20.1.0/8` is reported
/// instead of silently widening the range. Written back in canonical form.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The network address: 4 bytes for IPv4, 16 for IPv6.
    public let address: [UInt8]
    /// The prefix length.
    public let prefixLength: Int

    /// Whether the network is IPv4.
    public var isIPv4: Bool { address.count == 4 }

    /// Whether the network covers every address of its family (`0.0.0.0/0`, `::/0`).
    public var isEverything: Bool { prefixLength == 0 }

    /// Parses CIDR text.
    /// - Throws: ``TraefikGenError`` `invalidValue` with a sentence saying what is wrong.
    public init(parsing text: String) throws(TraefikGenError) {
        guard let slash = text.firstIndex(of: "/") else {
            throw TraefikGenError.invalidValue("must be a network with a prefix length, such as 10.20.0.0/16 or 2001:db8::/48 (a single address is 10.20.0.1/32)")
        }
        let addressText = text[..<slash]
        let prefixText = text[text.index(after: slash)...]
        let bytes: [UInt8]
        if let v4 = IPAddressParser.ipv4(addressText) { bytes = v4 }
        else if let v6 = IPAddressParser.ipv6(addressText) { bytes = v6 }
        else { throw TraefikGenError.invalidValue("\"\(addressText)\" is not an IPv4 or IPv6 address") }
        let bits = bytes.count * 8
        guard !prefixText.isEmpty, prefixText.count <= 3, prefixText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let prefix = Int(prefixText), prefix <= bits else {
            throw TraefikGenError.invalidValue("prefix length \"\(prefixText)\" must be a number from 0 to \(bits)")
        }
        var network = bytes
        for i in 0..<network.count {
            let keep = max(0, min(8, prefix - i * 8))
            network[i] &= keep == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
        }
        self.address = network
        self.prefixLength = prefix
        guard network == bytes else {
            throw TraefikGenError.invalidValue("has host bits set; the network is \(self)")
        }
    }

    /// Canonical text: dotted quad for IPv4, RFC 5952 for IPv6.
    public var description: String {
        let host = isIPv4 ? address.map(String.init).joined(separator: ".") : IPAddressParser.formatIPv6(address)
        return "\(host)/\(prefixLength)"
    }
}

/// IP address parsing and formatting without the platform's networking APIs (pure target).
enum IPAddressParser {
    /// A dotted-quad IPv4 address; no leading zeros (ambiguous octal), each part 0–255.
    static func ipv4<S: StringProtocol>(_ text: S) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  !(part.count > 1 && part.hasPrefix("0")), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    /// An IPv6 address: eight groups, `::` once, an embedded IPv4 tail allowed; no zone.
    static func ipv6<S: StringProtocol>(_ text: S) -> [UInt8]? {
        let string = String(text)
        guard !string.isEmpty, string.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == ":" || $0 == ".") }) else { return nil }
        let halves = string.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            guard !part.isEmpty else { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, piece) in pieces.enumerated() {
                if i == pieces.count - 1, piece.contains(".") {
                    guard let v4 = ipv4(piece) else { return nil }
                    result.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    result.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                    continue
                }
                guard !piece.isEmpty, piece.count <= 4, let value = UInt16(piece, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        var all: [UInt16]
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard head.count == 8 else { return nil }
            all = head
        }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// RFC 5952 text: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::`.
    static func formatIPv6(_ bytes: [UInt8]) -> String {
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0...8 {
            if i < 8 && groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        if bestLength < 2 { return groups.map { String($0, radix: 16) }.joined(separator: ":") }
        let head = groups[..<bestStart].map { String($0, radix: 16) }.joined(separator: ":")
        let tail = groups[(bestStart + bestLength)...].map { String($0, radix: 16) }.joined(separator: ":")
        return head + "::" + tail
    }
}
