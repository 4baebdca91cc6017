/// A Kubernetes `resource.Quantity` (`100m`, `0.5`, `1Gi`, `1G`, `1e3`, `2Ki`), parsed exactly as the
/// API server accepts it and compared by value (`1000m == 1`, `1Gi > 1G`).
///
/// The value is kept in nano-units in 128 bits, so every quantity the API accepts is exact; precision
/// below a nano-unit is rounded up, as the API server does.
public struct Quantity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value in units of 10⁻⁹.
    public let nanoValue: Int128
    /// The text as written.
    public let text: String

    /// Parses a quantity.
    /// - Throws: ``KubeModelError`` `invalidQuantity` with the reason the API server would give.
    public init(parsing text: String) throws(KubeModelError) {
        func fail(_ why: String) -> KubeModelError {
            KubeModelError(.invalidQuantity, "quantity \"\(text.prefix(64))\" is invalid: \(why)")
        }
        var bytes = Substring(text).utf8[...]
        guard !bytes.isEmpty else { throw fail("it is empty") }
        guard bytes.count <= 64 else { throw fail("it is too long") }
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        let integral = bytes.prefix(while: isDigit)
        bytes = bytes.dropFirst(integral.count)
        var fraction = bytes.prefix(0)
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fraction = bytes.prefix(while: isDigit)
            bytes = bytes.dropFirst(fraction.count)
        }
        guard !integral.isEmpty || !fraction.isEmpty else { throw fail("it must start with a number") }
        // Mantissa digits without the point, and the power of ten that restores the point.
        var digits = Array(integral) + Array(fraction)
        while digits.count > 1, digits.first == UInt8(ascii: "0") { digits.removeFirst() }
        var exponent10 = -fraction.count
        var multiplier: Int128 = 1  // binary suffixes
        let suffix = String(decoding: bytes, as: UTF8.self)
        switch suffix {
        case "": break
        case "n": exponent10 -= 9
        case "u": exponent10 -= 6
        case "m": exponent10 -= 3
        case "k": exponent10 += 3
        case "M": exponent10 += 6
        case "G": exponent10 += 9
        case "T": exponent10 += 12
        case "P": exponent10 += 15
        case "E": exponent10 += 18
        case "Ki": multiplier = 1 << 10
        case "Mi": multiplier = 1 << 20
        case "Gi": multiplier = 1 << 30
        case "Ti": multiplier = 1 << 40
        case "Pi": multiplier = 1 << 50
        case "Ei": multiplier = 1 << 60
        default:
            guard let first = bytes.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E") else {
                throw fail("unknown suffix \"\(suffix.prefix(16))\" (use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent)")
            }
            var rest = bytes.dropFirst()
            var expNegative = false
            if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                expNegative = sign == UInt8(ascii: "-")
                rest = rest.dropFirst()
            }
            guard !rest.isEmpty, rest.allSatisfy(isDigit), rest.count <= 3,
                  let e = Int(String(decoding: rest, as: UTF8.self)) else {
                throw fail("an exponent needs one to three digits after e")
            }
            exponent10 += expNegative ? -e : e
        }
        // nano = digits × 10^(exponent10 + 9) × multiplier, rounded up when below a nano-unit.
        let scale = exponent10 + 9
        var value: Int128 = 0
        let limit: Int128 = Int128(1) << 120
        var keptDigits = digits.count
        if scale < 0 { keptDigits = max(0, digits.count + scale) }
        for digit in digits.prefix(keptDigits) {
            value = value * 10 + Int128(digit - UInt8(ascii: "0"))
            if value > limit { throw fail("it is too large") }
        }
        if scale < 0 {
            if digits.dropFirst(keptDigits).contains(where: { $0 != UInt8(ascii: "0") }) { value += 1 }
        } else {
            for _ in 0..<scale {
                value *= 10
                if value > limit { throw fail("it is too large") }
            }
        }
        value *= multiplier
        if value > limit { throw fail("it is too large") }
        nanoValue = negative ? -value : value
        self.text = text
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
        default: throw KubeModelError(.invalidQuantity, "a quantity must be a string or a number, found \(json.typeDescription)")
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
