import AsyncHTTPClient
import Foundation
import KubeModel
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// ``KubernetesAPI`` over HTTPS with async-http-client: bearer token (re-read as it rotates) or
/// client certificate, the configuration's CA, retries the server asks for (429, or 5xx with
/// `Retry-After`, up to ``maxRetries`` times, each wait capped at ``maxRetryWait``).
///
/// Owns an `HTTPClient`: call ``shutdown()`` when done (or use ``withClient(_:logger:_:)``).
public final class KubeHTTPClient: KubernetesAPI {
    /// The configuration in use.
    public let config: KubeConfig
    /// How often a request the server throttled is sent again.
    public let maxRetries: Int
    /// The longest wait between retries, whatever `Retry-After` says.
    public let maxRetryWait: TimeAmount
    /// The largest response body read (lists of many objects).
    public let maxBodyBytes = 256 * 1024 * 1024
    /// The deadline of an ordinary request.
    public let requestTimeout: TimeAmount
    let http: HTTPClient
    let tokens: TokenSource
    let logger: Logger
    let userAgent = "odoo-guard/KubeClient"

    /// A client for `config`.
    /// - Throws: ``KubeClientError`` `invalidConfiguration` when a PEM input cannot be parsed.
    public init(config: KubeConfig, logger: Logger, requestTimeout: TimeAmount = .seconds(30), maxRetries: Int = 10,
                maxRetryWait: TimeAmount = .seconds(10)) throws(KubeClientError) {
        self.config = config
        self.logger = logger
        self.requestTimeout = requestTimeout
        self.maxRetries = maxRetries
        self.maxRetryWait = maxRetryWait
        tokens = TokenSource(token: config.bearerToken, file: config.bearerTokenFile)
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = config.certificateAuthorityPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            if let certificate = config.clientCertificatePEM, let key = config.clientKeyPEM {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            }
        } catch {
            throw KubeClientError.invalidConfiguration("\(config.source): a certificate or key is not valid PEM (\(error))", cause: error)
        }
        if config.insecureSkipTLSVerify { tls.certificateVerification = .none }
        // Closing a connection (shutdown, a watch given up) need not wait 5 s for the peer's close_notify.
        tls.shutdownTimeout = .milliseconds(250)
        var settings = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow,
                                                timeout: .init(connect: .seconds(10)))
        settings.httpVersion = .http1Only
        // A refused connection is reported at once (callers back off), not retried until the connect timeout.
        settings.connectionPool.retryConnectionEstablishment = false
        // Every open watch holds an HTTP/1.1 connection: an operator watching fifteen kinds plus its
        // workers' requests needs more than the client's default of eight per host.
        settings.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
    }

    /// Runs `body` with a client for `config` and shuts the client down afterwards, also on errors.
    public static func withClient<T: Sendable>(_ config: KubeConfig, logger: Logger,
                                               _ body: (KubeHTTPClient) async throws -> T) async throws -> T {
        let client = try KubeHTTPClient(config: config, logger: logger)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Closes connections; the client cannot be used afterwards.
    public func shutdown() async throws { try await http.shutdown() }

    // MARK: KubernetesAPI

    public func get(_ resource: ResourceType, namespace: String?, name: String) async throws(KubeClientError) -> JSONValue {
        try await object(send(.GET, resource.path(namespace: namespace, name: name)), resource)
    }

    public func list(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws(KubeClientError) -> ObjectList {
        var query: [(String, String)] = []
        if let selector = options.labelSelector, !selector.isEmpty { query.append(("labelSelector", selector)) }
        if let selector = options.fieldSelector, !selector.isEmpty { query.append(("fieldSelector", selector)) }
        if let limit = options.limit { query.append(("limit", String(limit))) }
        if let token = options.continueToken, !token.isEmpty { query.append(("continue", token)) }
        let body = try await send(.GET, resource.path(namespace: namespace), query: query,
                                  accept: options.metadataOnly ? PartialObjectMetadata.listAccept : Self.jsonAccept)
        guard let items = body["items"]?.arrayValue ?? (body["items"] == .null ? [] : nil) else {
            throw KubeClientError.invalidResponse("the list of \(resource) has no items")
        }
        let metadata = body["metadata"]
        let token = metadata?["continue"]?.stringValue
        let reduce = options.metadataOnly
        return ObjectList(items: items.map { reduce ? PartialObjectMetadata.reduce($0, resource: resource) : Self.typed($0, resource) },
                          resourceVersion: metadata?["resourceVersion"]?.stringValue ?? "",
                          continueToken: token?.isEmpty == true ? nil : token)
    }

    public func create(_ resource: ResourceType, namespace: String?, object: JSONValue, options: WriteOptions) async throws(KubeClientError) -> JSONValue {
        try await self.object(send(.POST, resource.path(namespace: namespace), query: Self.query(options),
                                   body: object.serializedBytes()), resource)
    }

    public func update(_ resource: ResourceType, namespace: String?, object: JSONValue, subresource: String?,
                       options: WriteOptions) async throws(KubeClientError) -> JSONValue {
        let name = KubeObject(object).name
        guard !name.isEmpty else { throw KubeClientError.badRequest("an update of \(resource) needs metadata.name") }
        return try await self.object(send(.PUT, resource.path(namespace: namespace, name: name, subresource: subresource),
                                          query: Self.query(options), body: object.serializedBytes()), resource)
    }

    public func patch(_ resource: ResourceType, namespace: String?, name: String, patch: Patch, subresource: String?,
                      options: WriteOptions) async throws(KubeClientError) -> JSONValue {
        var query = Self.query(options)
        if case .apply(_, let force) = patch {
            guard options.fieldManager != nil else {
                throw KubeClientError.badRequest("server-side apply of \(resource) \(name) needs a field manager")
            }
            if force { query.append(("force", "true")) }
        }
        return try await object(send(.PATCH, resource.path(namespace: namespace, name: name, subresource: subresource),
                                     query: query, body: patch.body.serializedBytes(), contentType: patch.contentType), resource)
    }

    public func delete(_ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws(KubeClientError) -> JSONValue? {
        let body = try await send(.DELETE, resource.path(namespace: namespace, name: name), body: options.body.serializedBytes())
        return body["kind"]?.stringValue == "Status" ? nil : Self.typed(body, resource)
    }

    public func watch(_ resource: ResourceType, namespace: String?, options: WatchOptions) -> WatchEvents {
        var query: [(String, String)] = [("watch", "true")]
        if let version = options.resourceVersion { query.append(("resourceVersion", version)) }
        if let selector = options.labelSelector, !selector.isEmpty { query.append(("labelSelector", selector)) }
        if let selector = options.fieldSelector, !selector.isEmpty { query.append(("fieldSelector", selector)) }
        if options.allowWatchBookmarks { query.append(("allowWatchBookmarks", "true")) }
        if let timeout = options.timeoutSeconds { query.append(("timeoutSeconds", String(timeout))) }
        let url = self.url(resource.path(namespace: namespace), query: query)
        // The server ends the watch after timeoutSeconds; the deadline only catches a server that does not.
        let deadline = TimeAmount.seconds(Int64(options.timeoutSeconds ?? 1800) + 60)
        return WatchEvents(client: self, url: url, resource: resource, timeout: deadline, metadataOnly: options.metadataOnly)
    }

    // MARK: Requests

    static func query(_ options: WriteOptions) -> [(String, String)] {
        var query: [(String, String)] = []
        if let manager = options.fieldManager { query.append(("fieldManager", manager)) }
        if options.dryRun { query.append(("dryRun", "All")) }
        return query
    }

    func url(_ path: String, query: [(String, String)] = []) -> String {
        guard !query.isEmpty else { return config.server + path }
        return config.server + path + "?" + query.map { "\($0.0)=\(ResourceType.escape($0.1))" }.joined(separator: "&")
    }

    /// The `Accept` header of every request but metadata-only reads.
    static let jsonAccept = "application/json"

    /// A request with the configured credentials.
    func request(_ method: HTTPMethod, url: String, body: [UInt8]?, contentType: String,
                 accept: String = jsonAccept) throws(KubeClientError) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: userAgent)
        if let token = try tokens.token() { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    /// Sends one request, retrying what the server asked to be retried, and returns the decoded body.
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
              contentType: String = "application/json", accept: String = jsonAccept) async throws(KubeClientError) -> JSONValue {
        let url = self.url(path, query: query)
        var attempt = 0
        var refreshedToken = false
        while true {
            let (status, headers, bytes) = try await execute(request(method, url: url, body: body, contentType: contentType, accept: accept), url: url)
            let decoded = bytes.isEmpty ? nil : try? JSONParser.parse(bytes)
            if (200..<300).contains(status) {
                guard let decoded else { throw KubeClientError.invalidResponse("\(method) \(path): the answer is not JSON") }
                return decoded
            }
            let error = KubeClientError.fromResponse(status: status, body: decoded?["kind"]?.stringValue == "Status" ? decoded : nil,
                                                     retryAfterHeader: headers.first(name: "Retry-After"))
            if status == 401, tokens.isConfigured, !refreshedToken {
                refreshedToken = true
                tokens.invalidate()
                continue
            }
            let retryable = status == 429 || (status >= 500 && error.retryAfterSeconds != nil)
            guard retryable, attempt < maxRetries else { throw error }
            attempt += 1
            let wait = min(TimeAmount.seconds(Int64(max(error.retryAfterSeconds ?? 1, 1))), maxRetryWait)
            logger.debug("the API asked to retry", metadata: ["http.status": "\(status)", "k8s.path": "\(path)", "retry.attempt": "\(attempt)"])
            do { try await Task.sleep(nanoseconds: UInt64(wait.nanoseconds)) } catch {
                throw KubeClientError.connection("\(method) \(path): cancelled while waiting to retry")
            }
        }
    }

    /// One HTTP exchange: status, headers and the whole body.
    func execute(_ request: HTTPClientRequest, url: String) async throws(KubeClientError) -> (Int, HTTPHeaders, [UInt8]) {
        do {
            let response = try await http.execute(request, timeout: requestTimeout)
            let buffer = try await response.body.collect(upTo: maxBodyBytes)
            return (Int(response.status.code), response.headers, Array(buffer.readableBytesView))
        } catch let error as NIOTooManyBytesError {
            throw KubeClientError.invalidResponse("\(request.method) \(Self.shownPath(url)): the answer exceeds \(maxBodyBytes) bytes (\(error))", cause: error)
        } catch {
            throw KubeClientError.connection("\(request.method) \(Self.shownPath(url)) on \(config.server): \(error)", cause: error)
        }
    }

    static func shownPath(_ url: String) -> String {
        guard let start = url.range(of: "://") else { return url }
        let rest = url[start.upperBound...]
        return rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? url
    }

    func object(_ body: JSONValue, _ resource: ResourceType) throws(KubeClientError) -> JSONValue {
        guard case .object = body else { throw KubeClientError.invalidResponse("the answer for \(resource) is not an object") }
        return Self.typed(body, resource)
    }

    /// Fills in `apiVersion` and `kind`, which list items of built-in types omit.
    static func typed(_ object: JSONValue, _ resource: ResourceType) -> JSONValue {
        guard case .object(var members) = object else { return object }
        if members["apiVersion"] == nil { members["apiVersion"] = .string(resource.apiVersion) }
        if members["kind"] == nil { members["kind"] = .string(resource.kind) }
        return .object(members)
    }
}
