import KubeModel

/// Readers for routing values. Each records every problem with its path and returns `nil` for an
/// unusable value, so one decode reports all the problems of an input at once.
extension FieldReader {
    mutating func host(_ value: JSONValue?, _ path: FieldPath, required: Bool = false) -> HostName? {
        guard let text = string(value, path, required: required), !text.isEmpty else { return nil }
        do {
            return try HostName(parsing: text)
        } catch {
            errors.append(.invalid(path, "\"\(text)\": \(error.message)"))
            return nil
        }
    }

    /// Networks for the database manager allowlist: each a CIDR, none covering every address.
    mutating func allowlist(_ value: JSONValue?, _ path: FieldPath) -> [CIDR] {
        guard let texts = strings(value, path) else { return [] }
        var result: [CIDR] = []
        for (i, text) in texts.enumerated() {
            do {
                let cidr = try CIDR(parsing: text)
                if cidr.isEverything {
                    errors.append(.invalid(path / i, "\"\(text)\" would open the database manager to every address; list the admin networks instead"))
                } else if !result.contains(cidr) {
                    result.append(cidr)
                }
            } catch {
                errors.append(.invalid(path / i, "\"\(text)\": \(error.message)"))
            }
        }
        return result
    }

    /// `{secretName}` or `{certResolver}`: exactly one.
    mutating func tlsSource(_ value: JSONValue?, _ path: FieldPath) -> RoutingSpec.TLSSource? {
        guard let object = object(value, path, required: true) else { return nil }
        unknownKeys(object, allowed: ["secretName", "certResolver"], path)
        let secret = dnsSubdomain(object["secretName"], path / "secretName")
        let resolver = identifier(object["certResolver"], path / "certResolver")
        switch (secret, resolver) {
        case (let secret?, nil): return .secret(secret)
        case (nil, let resolver?): return .certResolver(resolver)
        case (.some, .some):
            errors.append(.invalid(path, "set either secretName or certResolver, not both"))
        case (nil, nil):
            if object["secretName"] == nil && object["certResolver"] == nil {
                errors.append(.required(path, "needs secretName (a kubernetes.io/tls Secret) or certResolver (a Traefik ACME resolver)"))
            }
        }
        return nil
    }

    /// Odoo's version as `"17.0"`, `"17"` or the YAML number `17.0`; returns the major version (8 or
    /// later), or `nil` with the problem appended to ``errors``.
    public mutating func odooMajorVersion(_ value: JSONValue?, _ path: FieldPath) -> Int? {
        let text: String
        switch value {
        case nil, .null?:
            errors.append(.required(path, "is required (Odoo's version, such as \"17.0\")"))
            return nil
        case .string(let s)?: text = s
        case .int(let i)?: text = String(i)
        case .double(let d)? where d >= 0 && d < 1000 && d.rounded() == d: text = String(Int(d))
        case let other?:
            errors.append(.invalid(path, "must be Odoo's version such as \"17.0\", found \(other.typeDescription)"))
            return nil
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let major = Int(parts[0]), major >= 8 else {
            errors.append(.invalid(path, "must be Odoo's version such as \"17.0\" (major version 8 or later), found \"\(text)\""))
            return nil
        }
        return major
    }

    mutating func rateLimit(_ value: JSONValue?, _ path: FieldPath, default fallback: RoutingSpec.RateLimit) -> RoutingSpec.RateLimit {
        guard let object = object(value, path) else { return fallback }
        unknownKeys(object, allowed: ["average", "period", "burst"], path)
        var limit = fallback
        if let average = positive(object["average"], path / "average") { limit.average = average }
        if let period = durationSeconds(object["period"], path / "period") { limit.periodSeconds = period }
        if let burst = positive(object["burst"], path / "burst") { limit.burst = burst }
        if limit.burst < limit.average && object["burst"] != nil {
            errors.append(.invalid(path / "burst", "must be at least average (\(limit.average)); a smaller burst rejects requests the average allows"))
        }
        return limit
    }

    /// An integer greater than zero.
    mutating func positive(_ value: JSONValue?, _ path: FieldPath) -> Int64? {
        guard let value, !value.isNull else { return nil }
        guard let number = value.intValue else {
            errors.append(.invalid(path, "must be a positive integer, found \(value.typeDescription)"))
            return nil
        }
        guard number > 0 else {
            errors.append(.invalid(path, "must be greater than 0, found \(number)"))
            return nil
        }
        return number
    }

    /// A duration as whole seconds: an integer (seconds) or Go duration text (`30s`, `1m`, `1h30m`).
    mutating func durationSeconds(_ value: JSONValue?, _ path: FieldPath) -> Int64? {
        guard let value, !value.isNull else { return nil }
        var seconds: Int64?
        switch value {
        case .int(let i): seconds = i
        case .string(let text): seconds = FieldReader.parseDuration(text)
        default: break
        }
        guard let seconds else {
            errors.append(.invalid(path, "must be a duration such as 30s, 1m or 1h (whole seconds), found \(value.serialized())"))
            return nil
        }
        guard seconds >= 1 && seconds <= 86_400 else {
            errors.append(.invalid(path, "must be from 1s to 24h, found \(seconds)s"))
            return nil
        }
        return seconds
    }

    /// Go duration text in whole seconds: one or more `<digits><unit>` with units `h`, `m`, `s`.
    static func parseDuration(_ text: String) -> Int64? {
        var total: Int64 = 0
        var digits: Int64 = 0
        var sawDigit = false
        var sawUnit = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "0"..."9":
                let (shifted, overflow1) = digits.multipliedReportingOverflow(by: 10)
                let (added, overflow2) = shifted.addingReportingOverflow(Int64(scalar.value - 48))
                guard !overflow1, !overflow2, added <= 1_000_000 else { return nil }
                digits = added
                sawDigit = true
            case "h", "m", "s":
                guard sawDigit else { return nil }
                total += digits * (scalar == "h" ? 3600 : scalar == "m" ? 60 : 1)
                digits = 0
                sawDigit = false
                sawUnit = true
            default: return nil
            }
        }
        guard sawUnit, !sawDigit else { return nil }
        return total
    }

    /// A size in bytes: an integer or a Kubernetes quantity (`64Mi`, `1G`), greater than zero.
    mutating func byteSize(_ value: JSONValue?, _ path: FieldPath) -> Int64? {
        guard let value, !value.isNull else { return nil }
        do {
            let quantity = try Quantity(json: value)
            guard quantity.nanoValue > 0 else {
                errors.append(.invalid(path, "must be greater than 0"))
                return nil
            }
            guard quantity.value <= Int128(1) << 40 else {
                errors.append(.invalid(path, "must be at most 1Ti"))
                return nil
            }
            return Int64(quantity.value)
        } catch {
            errors.append(.invalid(path, "must be a size such as 64Mi or a number of bytes: \(error.message)"))
            return nil
        }
    }

    /// A DNS-1123 subdomain (Kubernetes object names): lowercase letters, digits, `-` and `.`, ≤ 253.
    public mutating func dnsSubdomain(_ value: JSONValue?, _ path: FieldPath, required: Bool = false) -> String? {
        guard let text = string(value, path, required: required), !text.isEmpty else { return nil }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        let valid = text.utf8.count <= 253 && labels.allSatisfy { DNSLabel.isValid($0) }
        guard valid else {
            errors.append(.invalid(path, "\"\(text)\" must be a lowercase DNS-1123 name: letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters"))
            return nil
        }
        return text
    }

    /// A DNS-1123 label (namespaces): lowercase letters, digits and `-`, ≤ 63.
    mutating func dnsLabel(_ value: JSONValue?, _ path: FieldPath, required: Bool = false) -> String? {
        guard let text = string(value, path, required: required), !text.isEmpty else { return nil }
        guard DNSLabel.isValid(text) else {
            errors.append(.invalid(path, "\"\(text)\" must be a lowercase DNS-1123 label: letters, digits and '-', starting and ending with a letter or digit, at most 63 characters"))
            return nil
        }
        return text
    }

    /// A Traefik configuration name (entry point, certificate resolver): letters, digits, `-`, `_`.
    mutating func identifier(_ value: JSONValue?, _ path: FieldPath) -> String? {
        guard let text = string(value, path), !text.isEmpty else { return nil }
        let valid = text.utf8.count <= 63 && text.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_": return true
            default: return false
            }
        }
        guard valid, let first = text.unicodeScalars.first, first != "-", first != "_" else {
            errors.append(.invalid(path, "\"\(text)\" must be a name of letters, digits, '-' and '_' (at most 63, starting with a letter or digit)"))
            return nil
        }
        return text
    }

    /// A backend host for the file provider: a host name or an IPv4/IPv6 address.
    mutating func upstream(_ value: JSONValue?, _ path: FieldPath) -> String? {
        guard let text = string(value, path), !text.isEmpty else { return nil }
        if IPAddressParser.ipv4(text) != nil { return text }
        if let v6 = IPAddressParser.ipv6(text) { return "[" + IPAddressParser.formatIPv6(v6) + "]" }
        if let host = try? HostName(parsing: text), !host.isWildcard { return text }
        errors.append(.invalid(path, "\"\(text)\" must be a host name or an IP address"))
        return nil
    }
}
