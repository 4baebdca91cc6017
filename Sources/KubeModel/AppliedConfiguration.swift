/// Decides, without a request, whether a server-side apply of a desired object would change the
/// object as last seen, so a reconcile of an unchanged environment makes no writes.
///
/// The desired object carries a hash of itself in an annotation. An apply is needed when the object
/// does not exist, when its hash differs (the desired object changed, including fields it no longer
/// sets, which the apply would remove), or when any desired field differs from the live object
/// (someone edited it: drift). Fields the server or others added are not the applier's business.
public enum AppliedConfiguration {
    /// The annotation holding the hash of the applied configuration.
    public static let annotation = "odooguard.io/applied-hash"

    /// `desired` with ``annotation`` set to the hash of the rest of it; cluster-scoped objects (a
    /// Namespace the applier labels but does not own) are returned unchanged.
    public static func stamped(_ desired: JSONValue, namespaced: Bool = true) -> JSONValue {
        guard namespaced else { return desired }
        return stamped(desired, serialized: desired.serializedBytes(.sortedKeys))
    }

    /// ``stamped(_:namespaced:)`` of a namespaced object whose bytes the caller already has:
    /// `serialized` must be `desired.serializedBytes(.sortedKeys)`.
    public static func stamped(_ desired: JSONValue, serialized: [UInt8]) -> JSONValue {
        var object = desired
        let hash = StableHash.hex(StableHash.fnv1a(serialized))
        object.set(.string(hash), at: FieldPath([.key("metadata"), .key("annotations"), .key(annotation)]))
        return object
    }

    /// Whether applying `desired` (as returned by ``stamped(_:namespaced:)``) would change `live`.
    public static func needsApply(_ desired: JSONValue, live: JSONValue?) -> Bool {
        guard let live else { return true }
        return !contains(live, desired)
    }

    /// Whether every field of `desired` is in `live` with an equal value. Lists must have the same
    /// length and match item by item; quantities compare by value (`1000m` equals `1`), as the API
    /// server may rewrite them into canonical form.
    public static func contains(_ live: JSONValue, _ desired: JSONValue) -> Bool {
        switch (live, desired) {
        case (.object(let have), .object(let want)):
            for (key, value) in want {
                guard let present = have[key], contains(present, value) else { return false }
            }
            return true
        case (.array(let have), .array(let want)):
            guard have.count == want.count else { return false }
            return zip(have, want).allSatisfy { contains($0, $1) }
        case (.string(let have), .string(let want)):
            if have == want { return true }
            guard let a = try? Quantity(parsing: have), let b = try? Quantity(parsing: want) else { return false }
            return a == b
        case (.int(let have), .double(let want)): return Double(have) == want
        case (.double(let have), .int(let want)): return have == Double(want)
        default: return live == desired
        }
    }
}
