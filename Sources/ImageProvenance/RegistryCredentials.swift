import Crypto
import Foundation
import KubeModel

/// A username and password for one registry. Printing it never shows the password.
public struct RegistryCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The user name.
    public let username: String
    /// The password or token.
    let password: String

    /// Credentials.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// The `Authorization: Basic` value.
    var basicAuthorization: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }

    /// A short, one-way identity of the credentials, for cache keys (not reversible, not logged).
    var identity: String { String(Hex.encode(SHA256.hash(data: Array("\(username)\u{0}\(password)".utf8))).prefix(16)) }

    /// `credentials of <user>`.
    public var description: String { "credentials of \(username)" }
}

/// Registry credentials by registry host, read from `.dockerconfigjson` documents (image pull
/// Secrets, an auth file). Later sources do not override earlier ones, as the kubelet tries pull
/// secrets in order.
public struct CredentialStore: Sendable, Equatable {
    private var entries: [String: RegistryCredentials] = [:]

    /// An empty store (anonymous access).
    public init() {}

    /// A store read from one `.dockerconfigjson` (`{"auths": {host: {auth | username+password}}}`) or
    /// legacy `.dockercfg` (`{host: {...}}`) document.
    /// - Parameter source: names the document in errors (`Secret clinic/pull`, `/etc/auth.json`).
    /// - Throws: ``ImageProvenanceError`` `invalidCredentials` naming the source and the entry, never its values.
    public init(dockerConfig bytes: [UInt8], source: String) throws(ImageProvenanceError) {
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch {
            throw ImageProvenanceError.invalidCredentials("\(source) is not valid JSON")
        }
        guard case .object(let top) = json else {
            throw ImageProvenanceError.invalidCredentials("\(source) must be a JSON object with \"auths\"")
        }
        let auths = top["auths"]?.objectValue ?? top
        for (host, entry) in auths {
            guard case .object(let fields) = entry else {
                throw ImageProvenanceError.invalidCredentials("\(source): auths.\(host) must be an object")
            }
            let credentials: RegistryCredentials
            if let user = fields["username"]?.stringValue, let password = fields["password"]?.stringValue, !user.isEmpty {
                credentials = RegistryCredentials(username: user, password: password)
            } else if let auth = fields["auth"]?.stringValue, let decoded = Data(base64Encoded: auth),
                      let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") {
                credentials = RegistryCredentials(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
            } else if fields["auth"] != nil {
                throw ImageProvenanceError.invalidCredentials("\(source): auths.\(host).auth must be base64 of user:password")
            } else {
                continue
            }
            let key = Self.normalise(host)
            if entries[key] == nil { entries[key] = credentials }
        }
    }

    /// This store, with entries of `other` for registries it has none for.
    public func merging(_ other: CredentialStore) -> CredentialStore {
        var result = self
        for (host, credentials) in other.entries where result.entries[host] == nil { result.entries[host] = credentials }
        return result
    }

    /// Whether no credentials are known.
    public var isEmpty: Bool { entries.isEmpty }

    /// The credentials for a registry host (`docker.io`, `registry.example.com:5000`), if any.
    public func credentials(for registry: String) -> RegistryCredentials? { entries[Self.normalise(registry)] }

    /// `https://index.docker.io/v1/` → `docker.io`; `registry.example.com/` → `registry.example.com`.
    static func normalise(_ key: String) -> String {
        var host = Substring(key)
        if let scheme = host.range(of: "://") { host = host[scheme.upperBound...] }
        if let slash = host.firstIndex(of: "/") { host = host[..<slash] }
        let lowered = host.lowercased()
        return ["index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"].contains(lowered) ? "docker.io" : lowered
    }
}
