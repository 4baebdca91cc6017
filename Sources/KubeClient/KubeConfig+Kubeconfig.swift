import Foundation
import KubeModel

extension KubeConfig {
    /// The current context of a kubeconfig file, as kubectl reads it: `current-context` → the
    /// context's cluster, user and namespace; relative file paths are relative to the kubeconfig's
    /// directory; `*-data` fields are base64.
    /// - Throws: ``KubeClientError`` `invalidConfiguration` naming the file and the field
    ///   (`users[1].user.client-key-data`), including for credential plugins (`exec`,
    ///   `auth-provider`), which are not supported.
    public static func load(kubeconfig path: String, context requested: String? = nil) throws(KubeClientError) -> KubeConfig {
        let bytes = try readFile(path, field: "kubeconfig")
        let documents = ManifestReader.read(bytes)
        guard let document = documents.first else {
            throw KubeClientError.invalidConfiguration("kubeconfig \(path) is empty")
        }
        let root: JSONValue
        switch document.result {
        case .success(let value): root = value
        case .failure(let error): throw KubeClientError.invalidConfiguration("kubeconfig \(path): \(error)", cause: error)
        }
        let reader = KubeconfigReader(root: root, file: path)
        return try reader.config(context: requested)
    }
}

/// Reads the fields of one kubeconfig document, naming the file and field in every error.
struct KubeconfigReader {
    let root: JSONValue
    let file: String

    private func fail(_ field: String, _ problem: String) -> KubeClientError {
        KubeClientError.invalidConfiguration("kubeconfig \(file): \(field) \(problem)")
    }

    /// The named entry of `clusters`, `users` or `contexts`, with its index for messages.
    private func entry(_ list: String, named name: String, member: String) throws(KubeClientError) -> (JSONValue, String) {
        let items = root[list]?.arrayValue ?? []
        guard let index = items.firstIndex(where: { $0["name"]?.stringValue == name }) else {
            throw fail(list, "has no entry named \"\(name)\"")
        }
        guard let value = items[index][member], case .object = value else {
            throw fail("\(list)[\(index)].\(member)", "is missing")
        }
        return (value, "\(list)[\(index)].\(member)")
    }

    func config(context requested: String?) throws(KubeClientError) -> KubeConfig {
        guard let contextName = requested ?? root["current-context"]?.stringValue, !contextName.isEmpty else {
            throw fail("current-context", "is not set")
        }
        let (context, contextPath) = try entry("contexts", named: contextName, member: "context")
        guard let clusterName = context["cluster"]?.stringValue else { throw fail("\(contextPath).cluster", "is missing") }
        let (cluster, clusterPath) = try entry("clusters", named: clusterName, member: "cluster")
        guard let server = cluster["server"]?.stringValue, server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw fail("\(clusterPath).server", "must be an http(s) URL")
        }
        var config = KubeConfig(server: server, source: "kubeconfig \(file) (context \(contextName))")
        config.insecureSkipTLSVerify = cluster["insecure-skip-tls-verify"]?.boolValue ?? false
        if cluster["tls-server-name"] != nil {
            throw fail("\(clusterPath).tls-server-name", "is not supported; put the certificate's name in the server URL")
        }
        config.certificateAuthorityPEM = try pem(cluster, "certificate-authority", at: clusterPath)
        if let namespace = context["namespace"]?.stringValue, !namespace.isEmpty { config.namespace = namespace }
        if let userName = context["user"]?.stringValue, !userName.isEmpty {
            let (user, userPath) = try entry("users", named: userName, member: "user")
            for plugin in ["exec", "auth-provider"] where user[plugin] != nil {
                throw fail("\(userPath).\(plugin)", "is a credential plugin, which odoo-guard does not run; use a token, tokenFile or client certificate")
            }
            config.bearerToken = user["token"]?.stringValue
            config.bearerTokenFile = user["tokenFile"]?.stringValue.map(resolvePath)
            config.clientCertificatePEM = try pem(user, "client-certificate", at: userPath)
            config.clientKeyPEM = try pem(user, "client-key", at: userPath)
            if (config.clientCertificatePEM == nil) != (config.clientKeyPEM == nil) {
                throw fail(userPath, "has a client certificate without its key (or a key without its certificate)")
            }
            if user["username"] != nil, config.bearerToken == nil, config.clientCertificatePEM == nil {
                throw fail("\(userPath).username", "is basic authentication, which Kubernetes no longer supports")
            }
        }
        return config
    }

    /// `NAME-data` (base64) or `NAME` (a file path), as PEM bytes.
    private func pem(_ object: JSONValue, _ name: String, at path: String) throws(KubeClientError) -> [UInt8]? {
        if let data = object["\(name)-data"]?.stringValue {
            guard let decoded = Data(base64Encoded: data, options: .ignoreUnknownCharacters), !decoded.isEmpty else {
                throw fail("\(path).\(name)-data", "is not base64")
            }
            return Array(decoded)
        }
        if let file = object[name]?.stringValue {
            let resolved = resolvePath(file)
            guard let data = FileManager.default.contents(atPath: resolved) else {
                throw fail("\(path).\(name)", "names \(resolved), which cannot be read")
            }
            return Array(data)
        }
        return nil
    }

    private func resolvePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let directory = (file as NSString).deletingLastPathComponent
        return directory.isEmpty ? path : directory + "/" + path
    }
}
