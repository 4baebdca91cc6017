import Foundation

/// Where and how to reach one API server: the resolved current context of a kubeconfig, or the
/// pod's in-cluster service account. Holds PEM bytes, not NIOSSL objects, so it stays a plain value.
public struct KubeConfig: Sendable {
    /// The API server's base URL (`https://host:port`), without a trailing slash.
    public var server: String
    /// The CA bundle (PEM) the server's certificate must chain to; `nil`: the system's roots.
    public var certificateAuthorityPEM: [UInt8]?
    /// Skip server certificate verification (`insecure-skip-tls-verify`), for test clusters only.
    public var insecureSkipTLSVerify = false
    /// A fixed bearer token.
    public var bearerToken: String?
    /// A file holding the bearer token; re-read when it changes (projected service-account tokens rotate).
    public var bearerTokenFile: String?
    /// A client certificate (PEM) for mutual TLS.
    public var clientCertificatePEM: [UInt8]?
    /// The client certificate's private key (PEM).
    public var clientKeyPEM: [UInt8]?
    /// The namespace of the context (`default` when none is set).
    public var namespace = "default"
    /// Where this came from (`kubeconfig /path (context ctx)`, `in-cluster`), for logs and errors.
    public var source: String

    /// A configuration for `server`; the rest is set field by field.
    public init(server: String, source: String) {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.source = source
    }

    /// The service account's files in a pod.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The configuration a client would pick, in controller-runtime's order: `explicitPath` (the
    /// `--kubeconfig` flag), else `KUBECONFIG` (the first of its `:`-separated files that exists),
    /// else the in-cluster service account when `KUBERNETES_SERVICE_HOST` is set, else `~/.kube/config`.
    /// - Throws: ``KubeClientError`` `invalidConfiguration` naming the file and field, or saying
    ///   that none of the places has a configuration.
    public static func resolve(explicitPath: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                               serviceAccountDirectory: String = serviceAccountDirectory) throws(KubeClientError) -> KubeConfig {
        if let explicitPath, !explicitPath.isEmpty { return try load(kubeconfig: explicitPath) }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let files = list.split(separator: ":").map(String.init)
            guard let file = files.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw KubeClientError.invalidConfiguration("KUBECONFIG names \(files.joined(separator: ", ")), and none of them exists")
            }
            return try load(kubeconfig: file)
        }
        if environment["KUBERNETES_SERVICE_HOST"] != nil {
            return try inCluster(environment: environment, directory: serviceAccountDirectory)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let file = home + "/.kube/config"
        guard FileManager.default.fileExists(atPath: file) else {
            throw KubeClientError.invalidConfiguration("no Kubernetes configuration: pass --kubeconfig, set KUBECONFIG, run in a pod, or create \(file)")
        }
        return try load(kubeconfig: file)
    }

    /// The pod's own service account: `KUBERNETES_SERVICE_HOST`/`_PORT`, the CA file and the token
    /// file (re-read as it rotates), the namespace file.
    /// - Throws: ``KubeClientError`` `invalidConfiguration` naming the variable or file that is missing.
    public static func inCluster(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 directory: String = serviceAccountDirectory) throws(KubeClientError) -> KubeConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw KubeClientError.invalidConfiguration("in-cluster: KUBERNETES_SERVICE_HOST is not set (not running in a pod?)")
        }
        let port = environment["KUBERNETES_SERVICE_PORT"].flatMap { $0.isEmpty ? nil : $0 } ?? "443"
        let shownHost = host.contains(":") ? "[\(host)]" : host
        var config = KubeConfig(server: "https://\(shownHost):\(port)", source: "in-cluster")
        let tokenFile = directory + "/token"
        guard FileManager.default.isReadableFile(atPath: tokenFile) else {
            throw KubeClientError.invalidConfiguration("in-cluster: the service-account token \(tokenFile) is missing or unreadable")
        }
        config.bearerTokenFile = tokenFile
        config.certificateAuthorityPEM = try readFile(directory + "/ca.crt", field: "the service-account CA")
        if let namespace = try? String(contentsOfFile: directory + "/namespace", encoding: .utf8) {
            let trimmed = namespace.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { config.namespace = trimmed }
        }
        return config
    }

    static func readFile(_ path: String, field: String) throws(KubeClientError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeClientError.invalidConfiguration("\(field): cannot read \(path)")
        }
        return Array(data)
    }
}
