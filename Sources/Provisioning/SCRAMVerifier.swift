import Crypto
import Foundation

/// A PostgreSQL `SCRAM-SHA-256` password verifier computed on the client (what libpq's
/// `PQencryptPasswordConn` sends), so `CREATE ROLE … PASSWORD` and `ALTER ROLE … PASSWORD` carry no
/// clear-text password that statement logging could record. PostgreSQL stores such a verifier as it is.
public enum SCRAMVerifier {
    /// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (RFC 5802, RFC 7677) for an ASCII
    /// password (the generated ones; SASLprep leaves ASCII printable text unchanged).
    public static func verifier(password: String, salt: [UInt8], iterations: Int = 4096) -> String {
        let key = SymmetricKey(data: Array(password.utf8))
        // PBKDF2-HMAC-SHA-256 with one output block: U1 = HMAC(salt || INT(1)), Ui = HMAC(U(i-1)).
        var block = Array(HMAC<SHA256>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var salted = block
        for _ in 1..<max(1, iterations) {
            block = Array(HMAC<SHA256>.authenticationCode(for: block, using: key))
            for index in salted.indices { salted[index] ^= block[index] }
        }
        let saltedKey = SymmetricKey(data: salted)
        let clientKey = Array(HMAC<SHA256>.authenticationCode(for: Array("Client Key".utf8), using: saltedKey))
        let storedKey = Array(SHA256.hash(data: clientKey))
        let serverKey = Array(HMAC<SHA256>.authenticationCode(for: Array("Server Key".utf8), using: saltedKey))
        return "SCRAM-SHA-256$\(iterations):\(Data(salt).base64EncodedString())$\(Data(storedKey).base64EncodedString()):\(Data(serverKey).base64EncodedString())"
    }

    /// A verifier with a fresh random 16-byte salt from the system CSPRNG.
    public static func verifier(password: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return verifier(password: password, salt: (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
