/// A Kubernetes `resource.Quantity` (`100m`, `0.5`, `1Gi`, `1G`, `1e3`, `2Ki`), parsed exactly as the
/// API server accepts it and compared by value (`1000m == 1`, `1Gi > 1G`).
///
/// The value is kept in nano-units in 128 bits, so every quantity the API accepts is exact; precision
/// below a nano-unit is rounded up, as the API server does. Magnitudes above ``maximumNanoValue``
/// (about 1.3 × 10²⁷ units, far above the 2⁶³ − 1 the API server saturates at) are refused as out of
/// range, never wrapped or trapped, so sums of a few billion quantities cannot overflow either.
public struct Quantity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value in units of 10⁻⁹.
    public let nanoValue: Int128
    /// The text as written.
    public let text: String
    /// The largest magnitude in nano-units: 2¹²⁰.
    public static let maximumNanoValue: Int128 = Int128(1) << 120

    /// Parses a quantity.
    /// - Throws: ``KubeModelError`` `invalidQuantity` with the reason the API server would give.
    public init(parsing text: String) throws(KubeModelError) {
        // Over 80 lines on purpose: one pass over the bytes (sign, digits, fraction, exponent or suffix) as
        // the API server's parser reads them; split, the states would have to be passed between functions.
        func fail(_ why: String) -> KubeModelError {
            KubeModelError.invalidQuantity("quantity \"\(text.prefix(64))\" is invalid: \(why)")
        }
        var bytes = Substring(text).utf8[...]
        guard !bytes.isEmpty else { throw fail("it is empty") }
        guard bytes.count <= 64 else { throw fail("it is too long") }
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        // One pass over the digits: the mantissa as an integer (at most 40 significant digits are
        // kept exactly; more cannot be a valid Kubernetes quantity), the count of fraction digits.
        let limit = Quantity.maximumNanoValue
        var mantissa: Int128 = 0
        var digitCount = 0
        var fractionDigits = 0
        var droppedNonZero = false
        var seenPoint = false
        while let byte = bytes.first {
            if byte == UInt8(ascii: ".") && !seenPoint {
                seenPoint = true
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digitCount += 1
                if mantissa < limit / 10 {
                    mantissa = mantissa * 10 + Int128(byte - UInt8(ascii: "0"))
                    if seenPoint { fractionDigits += 1 }
                } else if seenPoint {
                    droppedNonZero = droppedNonZero || byte != UInt8(ascii: "0")
                } else {
                    throw fail("it is out of range")
                }
            } else {
                break
            }
            bytes = bytes.dropFirst()
        }
        guard digitCount > 0 else { throw fail("it must start with a number") }
        var exponent10 = -fractionDigits
        var multiplier: Int128 = 1  // binary suffixes
        switch bytes.count {
        case 0: break
        case 1:
            switch bytes.first ?? 0 {
            case UInt8(ascii: "n"): exponent10 -= 9
            case UInt8(ascii: "u"): exponent10 -= 6
            case UInt8(ascii: "m"): exponent10 -= 3
            case UInt8(ascii: "k"): exponent10 += 3
            case UInt8(ascii: "M"): exponent10 += 6
            case UInt8(ascii: "G"): exponent10 += 9
            case UInt8(ascii: "T"): exponent10 += 12
            case UInt8(ascii: "P"): exponent10 += 15
            case UInt8(ascii: "E"): exponent10 += 18
            default: throw Quantity.unknownSuffix(bytes, fail)
            }
        case 2 where bytes.last == UInt8(ascii: "i"):
            switch bytes.first ?? 0 {
            case UInt8(ascii: "K"): multiplier = 1 << 10
            case UInt8(ascii: "M"): multiplier = 1 << 20
            case UInt8(ascii: "G"): multiplier = 1 << 30
            case UInt8(ascii: "T"): multiplier = 1 << 40
            case UInt8(ascii: "P"): multiplier = 1 << 50
            case UInt8(ascii: "E"): multiplier = 1 << 60
            default: throw Quantity.unknownSuffix(bytes, fail)
            }
        default:
            guard let first = bytes.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E") else {
                throw Quantity.unknownSuffix(bytes, fail)
            }
            var rest = bytes.dropFirst()
            var expNegative = false
            if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                expNegative = sign == UInt8(ascii: "-")
                rest = rest.dropFirst()
            }
            guard !rest.isEmpty, rest.count <= 3, rest.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                throw fail("an exponent needs one to three digits after e")
            }
            let e = rest.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            exponent10 += expNegative ? -e : e
        }
        // nano = mantissa × 10^(exponent10 + 9) × multiplier, rounded up when below a nano-unit.
        var value = mantissa
        var scale = exponent10 + 9
        if scale < 0 {
            while scale < 0 && value != 0 {
                if value % 10 != 0 { droppedNonZero = true }
                value /= 10
                scale += 1
            }
            if droppedNonZero { value += 1 }
        } else {
            if droppedNonZero { value += 1 }
            for _ in 0..<scale where value != 0 {
                value *= 10
                if value > limit { throw fail("it is out of range") }
            }
        }
        // value ≤ 2¹²⁰ and multiplier ≤ 2⁶⁰: the product can pass Int128, so it is checked, not trapped.
        let (scaled, overflow) = value.multipliedReportingOverflow(by: multiplier)
        guard !overflow, scaled <= limit else { throw fail("it is out of range") }
        value = scaled
        nanoValue = negative ? -value : value
        self.text = text
    }

    private static func unknownSuffix(_ bytes: Substring.UTF8View.SubSequence, _ fail: (String) -> KubeModelError) -> KubeModelError {
        fail("unknown suffix \"\(String(decoding: bytes.prefix(16), as: UTF8.self))\" (use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent)")
    }

    /// A quantity of whole units (cores, bytes).
    public init(units: Int64) {
        nanoValue = Int128(units) * 1_000_000_000
        text = String(units)
    }

    /// Reads a quantity from a JSON string or number (the API accepts both).
    public init(json: JSONValue) throws(KubeModelError) {
        switch json {
        case .string(let s): try self.init(parsing: s)
        case .int(let i): try self.init(parsing: String(i))
        case .double(let d): try self.init(parsing: "\(d)")
        default: throw KubeModelError.invalidQuantity("a quantity must be a string or a number, found \(json.typeDescription)")
        }
    }

    /// The value in thousandths, rounded up (CPU in millicores).
    public var milliValue: Int128 { Quantity.ceilDiv(nanoValue, 1_000_000) }
    /// The value in whole units, rounded up (bytes, cores).
    public var value: Int128 { Quantity.ceilDiv(nanoValue, 1_000_000_000) }
    /// Whether the value is below zero.
    public var isNegative: Bool { nanoValue < 0 }

    /// Orders by value.
    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.nanoValue < rhs.nanoValue }
    /// Equal values are equal quantities whatever their text (`1000m == 1`).
    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { lhs.nanoValue == rhs.nanoValue }
    /// Hashes the value, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(nanoValue) }
    /// The text as written.
    public var description: String { text }

    private static func ceilDiv(_ a: Int128, _ b: Int128) -> Int128 {
        let q = a / b
        return (a % b != 0 && a > 0) ? q + 1 : q
    }
}
