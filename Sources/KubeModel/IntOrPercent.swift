/// An integer or a percentage, as in PDB `minAvailable`/`maxUnavailable`.
public enum IntOrPercent: Sendable, Equatable {
    /// An absolute count.
    case int(Int64)
    /// A percentage (`"25%"` is 25).
    case percent(Int64)

    /// Reads `3`, `"3"`-free percentages like `"25%"`; other strings are `nil`.
    public init?(json: JSONValue) {
        switch json {
        case .int(let i): self = .int(i)
        case .string(let s) where s.hasSuffix("%"):
            guard let p = Int64(s.dropLast()) else { return nil }
            self = .percent(p)
        default:
            if let i = json.intValue { self = .int(i) } else { return nil }
        }
    }

    /// The absolute value for a total, rounding percentages up (as the disruption controller does
    /// for `minAvailable`) or down (for `maxUnavailable`). Exact for any 64-bit input (the product
    /// is computed in 128 bits) and clamped to the 64-bit range, so no input can trap.
    public func resolve(total: Int64, roundUp: Bool) -> Int64 {
        switch self {
        case .int(let i): return i
        case .percent(let p):
            let scaled = Int128(total) * Int128(p)
            let divided = roundUp ? (scaled + 99) / 100 : scaled / 100
            return Int64(clamping: divided)
        }
    }
}
