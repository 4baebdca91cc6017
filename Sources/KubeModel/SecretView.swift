import Foundation

/// A read view over a core/v1 Secret.
public struct SecretView: Sendable {
    /// The object.
    public let object: KubeObject
    /// A view when the object is a Secret.
    public init?(_ object: KubeObject) {
        guard object.kind == "Secret", object.apiVersion == "v1" else { return nil }
        self.object = object
    }
    /// `type`, default `Opaque`.
    public var type: String { object.raw["type"]?.stringValue ?? "Opaque" }
    /// Decoded entries of `data` (base64) and `stringData`; undecodable entries are skipped.
    /// Never log these.
    public var decodedEntries: [String: String] {
        var result: [String: String] = [:]
        for (key, value) in object.raw["data"]?.objectValue ?? [:] {
            if let text = value.stringValue, let data = Data(base64Encoded: text),
               let decoded = String(data: data, encoding: .utf8) { result[key] = decoded }
        }
        for (key, value) in object.raw["stringData"]?.stringMap ?? [:] { result[key] = value }
        return result
    }
}
