import Foundation
import KubeModel

/// A small, seedable PRNG so randomised tests are reproducible.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476C_E1E4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random JSON documents and structural mutations of them.
public enum RandomJSON {
    public static let keys = ["a", "b", "c/d", "e~f", "名", "", "x y"]

    public static func value(_ rng: inout SplitMix64, depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 0 ? 8 : 5), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: -1_000...1_000, using: &rng))
        case 3: return .double(Double(Int.random(in: -100...100, using: &rng)) / 8)
        case 4: return .string(keys.randomElement(using: &rng) ?? "s")
        case 5, 6:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                object[keys.randomElement(using: &rng) ?? "k"] = value(&rng, depth: depth - 1)
            }
            return .object(object)
        default:
            return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in value(&rng, depth: depth - 1) })
        }
    }

    public static func mutate(_ value: JSONValue, _ rng: inout SplitMix64) -> JSONValue {
        switch value {
        case .object(var object):
            for key in object.keys where Int.random(in: 0..<3, using: &rng) == 0 {
                object[key] = Bool.random(using: &rng) ? nil : mutate(object[key] ?? .null, &rng)
            }
            if Bool.random(using: &rng) { object["new\(Int.random(in: 0..<3, using: &rng))"] = RandomJSON.value(&rng, depth: 2) }
            return .object(object)
        case .array(var array):
            if !array.isEmpty && Bool.random(using: &rng) { array.remove(at: Int.random(in: 0..<array.count, using: &rng)) }
            if Bool.random(using: &rng) { array.insert(RandomJSON.value(&rng, depth: 2), at: Int.random(in: 0...array.count, using: &rng)) }
            if let i = array.indices.randomElement(using: &rng) { array[i] = mutate(array[i], &rng) }
            return .array(array)
        default:
            return Int.random(in: 0..<3, using: &rng) == 0 ? RandomJSON.value(&rng, depth: 2) : value
        }
    }
}

