import Crypto
import GuardRules
import KubeModel

extension PolicyGate {
    /// What the gate judges in one plan, as a SHA-256: the policy's version, the namespace, the labels
    /// it is judged under, and every object's kind and bytes (keys in byte order), in order.
    ///
    /// The gate's verdict is a function of exactly these (``GuardEvaluator`` is pure), except for the
    /// time where a plan holds one of ``GuardEvaluator/timeDependentKinds``: such a plan has no
    /// judgement and is evaluated at every reconcile. The reconciler keeps the judgement of the plan
    /// the gate last passed; an identical plan passes again without being evaluated, and any other
    /// plan (a field changed, another policy version, other namespace labels) is evaluated in full.
    /// The policy's version names its content (``GuardPolicy/version``: a content hash, or the
    /// version annotation of a policy the operator reads once at start).
    public struct Judgement: Sendable, Equatable {
        /// The SHA-256, as four words (a digest type of its own is not `Sendable`).
        let words: (UInt64, UInt64, UInt64, UInt64)

        /// The judgement of `objects` (each with its `serializedBytes(.sortedKeys)`) under the policy
        /// `policyVersion` in `namespace` labelled `labels`; `nil` when the verdict can depend on the time.
        public init?(policyVersion: String, namespace: String, labels: [String: String], objects: [(kind: String, serialized: [UInt8])]) {
            if objects.contains(where: { GuardEvaluator.timeDependentKinds.contains($0.kind) }) { return nil }
            var hasher = SHA256()
            // Every field is length-prefixed, so no two different inputs write the same bytes.
            func field(_ bytes: [UInt8]) {
                withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { hasher.update(bufferPointer: $0) }
                bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            }
            func field(_ text: String) { field(Array(text.utf8)) }
            field(policyVersion)
            field(namespace)
            field(String(labels.count))
            for (key, value) in labels.sorted(by: { JSONValue.byteOrder($0.key, $1.key) }) {
                field(key)
                field(value)
            }
            field(String(objects.count))
            for object in objects {
                field(object.kind)
                field(object.serialized)
            }
            words = hasher.finalize().withUnsafeBytes { raw in
                (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                 raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
            }
        }

        /// Whether both judged the same.
        public static func == (a: Judgement, b: Judgement) -> Bool { a.words == b.words }
    }
}
