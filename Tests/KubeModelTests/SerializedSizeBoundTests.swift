import Foundation
import Testing
import TestSupport
@testable import KubeModel

/// The patch budget's cheap bound (issue #33) is never below the real size, or a patch over the
/// budget could be sent.
@Suite struct SerializedSizeBoundTests {
    @Test func theBoundIsNeverBelowTheSerializedSize() {
        var rng = SplitMix64(seed: 33)
        for _ in 0..<2_000 {
            let value = RandomJSON.value(&rng, depth: 4)
            #expect(value.serializedSizeBound >= value.serializedBytes().count, "\(value)")
            let before = RandomJSON.value(&rng, depth: 3)
            let patch = JSONPatch.diff(from: before, to: RandomJSON.mutate(before, &rng))
            #expect(patch.serializedSizeBound >= patch.jsonValue.serializedBytes().count, "\(patch)")
        }
        let escapes = JSONValue.string(String(repeating: "\u{01}\"\\", count: 100))
        #expect(escapes.serializedSizeBound >= escapes.serializedBytes().count)
        let moves = JSONPatch([.move(from: JSONPointer(tokens: ["a", "b~/"]), path: JSONPointer(tokens: ["c"])), .remove(JSONPointer(tokens: ["\u{0}"]))])
        #expect(moves.serializedSizeBound >= moves.jsonValue.serializedBytes().count)
        #expect(JSONValue.double(-1.7976931348623157e308).serializedSizeBound >= JSONValue.double(-1.7976931348623157e308).serializedBytes().count)
    }
}
