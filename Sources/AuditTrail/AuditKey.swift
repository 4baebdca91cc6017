import Crypto
import Foundation
import KubeModel

/// The secret that keys the audit chain (HMAC-SHA256): whoever can write the audit table but not
/// read this key cannot compute a valid link, so rewriting rows and re-linking the rest is detected.
/// It comes from a file (a mounted Secret key) and is never logged or shown.
public struct AuditKey: Sendable {
    /// The key bytes (`SymmetricKey` is not `Sendable` in this swift-crypto; it is made per use).
    private let bytes: [UInt8]

    /// The fewest key bytes accepted (256 bits, as HMAC-SHA256's own strength).
    public static let minimumBytes = 32

    /// A key from raw bytes.
    /// - Throws: ``AuditTrailError/invalidKey`` when shorter than ``minimumBytes``.
    public init(bytes: [UInt8], source: String = "the audit key") throws(AuditTrailError) {
        guard bytes.count >= Self.minimumBytes else {
            throw AuditTrailError.invalidKey("\(source) has \(bytes.count) bytes; at least \(Self.minimumBytes) are needed (for example: head -c 48 /dev/urandom | base64)")
        }
        self.bytes = bytes
    }

    /// The key in a file, without one trailing newline (what `kubectl create secret --from-file` keeps).
    /// - Throws: ``AuditTrailError/invalidKey`` naming the file when it cannot be read or is too short.
    public init(contentsOfFile path: String) throws(AuditTrailError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditTrailError.invalidKey("the audit key file \(path) cannot be read")
        }
        var bytes = [UInt8](data)
        if bytes.last == 0x0A { bytes.removeLast() }
        if bytes.last == 0x0D { bytes.removeLast() }
        try self.init(bytes: bytes, source: "the audit key file \(path)")
    }

    /// `hex(HMAC-SHA256(key, part₁ ‖ "\n" ‖ part₂ …))`.
    func mac(_ parts: [String]) -> String {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: bytes))
        for (index, part) in parts.enumerated() {
            if index > 0 { hmac.update(data: [0x0A]) }
            hmac.update(data: Array(part.utf8))
        }
        return Hex.encode(hmac.finalize())
    }
}
