import AsyncHTTPClient
import Foundation
import KubeModel
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

extension RegistryClient {
    /// A registry answer, body read in full (up to the call's limit).
    struct RawResponse: Sendable {
        let status: HTTPResponseStatus
        let headers: HTTPHeaders
        let body: [UInt8]
    }

    /// One API call with authentication: anonymous first (or a cached token/basic header), then, on
    /// 401, the challenge's scheme — basic with the registry's credentials, or a bearer token from the
    /// challenge's realm — and one retry. Status codes become ``ImageProvenanceError`` codes.
    func send(_ method: HTTPMethod, reference: ImageReference, path: String, accept: String, access: Access,
              deadline: NIODeadline, limit: Int) async throws(ImageProvenanceError) -> RawResponse {
        let registry = reference.registry
        let scheme = access.insecureRegistries.contains(registry) ? "http" : "https"
        let url = "\(scheme)://\(Self.apiHost(registry))/v2/\(reference.repository)/\(path)"
        let what = "\(reference.name) \(path.hasPrefix("blobs/") ? "blob" : "manifest") \(path.split(separator: "/").last.map(String.init) ?? "")"
        let credentials = access.credentials.credentials(for: registry)
        let scope = "repository:\(reference.repository):pull"
        let cacheKey = registry + " " + scope + " " + (credentials?.identity ?? "anonymous")
        var authorization = tokens.authorization(for: cacheKey)
        var challenged = false
        while true {
            counters.add(path.hasPrefix("blobs/") ? \.blobRequests : \.manifestRequests)
            let response = try await perform(method, url: url, accept: accept, authorization: authorization,
                                              deadline: deadline, limit: limit, what: what)
            switch response.status.code {
            case 200..<300:
                return response
            case 401 where !challenged:
                challenged = true
                authorization = try await authorize(response, registry: registry, scope: scope, credentials: credentials,
                                                    cacheKey: cacheKey, deadline: deadline)
            case 401, 403:
                throw ImageProvenanceError.unauthorized(credentials == nil
                    ? "\(registry) requires credentials to read \(what); add an imagePullSecret (or an auth file) for it"
                    : "\(registry) refused the credentials for \(what) (HTTP \(response.status.code))")
            case 404:
                throw ImageProvenanceError.notFound("\(what) does not exist in \(registry)")
            case 429, 500..<600:
                throw ImageProvenanceError.unreachable("\(registry) answered HTTP \(response.status.code) for \(what)")
            default:
                throw ImageProvenanceError.invalidResponse("\(registry) answered HTTP \(response.status.code) for \(what)")
            }
        }
    }

    /// The `Authorization` value a 401 challenge asks for.
    private func authorize(_ response: RawResponse, registry: String, scope: String, credentials: RegistryCredentials?,
                           cacheKey: String, deadline: NIODeadline) async throws(ImageProvenanceError) -> String {
        guard let header = response.headers.first(name: "WWW-Authenticate"), let challenge = AuthChallenge(header: header) else {
            throw ImageProvenanceError.unauthorized("\(registry) answered 401 without a WWW-Authenticate challenge")
        }
        switch challenge.scheme {
        case "basic":
            guard let credentials else {
                throw ImageProvenanceError.unauthorized("\(registry) requires credentials; add an imagePullSecret (or an auth file) for it")
            }
            let value = credentials.basicAuthorization
            tokens.store(value, for: cacheKey, until: .distantFuture)
            return value
        case "bearer":
            guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm),
                  components.scheme == "https" || components.scheme == "http", components.host != nil else {
                throw ImageProvenanceError.unauthorized("\(registry)'s bearer challenge has no usable realm")
            }
            var query = components.queryItems ?? []
            if let service = challenge.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
            query.append(URLQueryItem(name: "scope", value: challenge.parameters["scope"] ?? scope))
            components.queryItems = query
            guard let url = components.string else {
                throw ImageProvenanceError.unauthorized("\(registry)'s bearer realm cannot be used")
            }
            counters.add(\.tokenRequests)
            let answer = try await perform(.GET, url: url, accept: "application/json", authorization: credentials?.basicAuthorization,
                                           deadline: deadline, limit: 1 << 20, what: "token for \(registry)")
            guard answer.status.code == 200 else {
                throw ImageProvenanceError.unauthorized("\(registry)'s token service answered HTTP \(answer.status.code)"
                                           + (credentials == nil ? "; it may need credentials (an imagePullSecret)" : ""))
            }
            guard let json = try? JSONParser.parse(answer.body),
                  let token = json["token"]?.stringValue ?? json["access_token"]?.stringValue, !token.isEmpty else {
                throw ImageProvenanceError.unauthorized("\(registry)'s token service did not return a token")
            }
            // The spec's default lifetime is 60 s; keep a margin so a token never expires mid-call. The
            // registry's number is clamped (10 s to 1 h) before any integer conversion: it is foreign input.
            let lifetime = min(max(json["expires_in"]?.doubleValue ?? 60, 10), 3600)
            let value = "Bearer " + token
            tokens.store(value, for: cacheKey, until: .now() + .milliseconds(Int64(lifetime * 900)))
            return value
        default:
            throw ImageProvenanceError.unauthorized("\(registry) asks for \(challenge.scheme) authentication, which is not supported")
        }
    }

    /// One HTTP exchange; redirects are followed here (at most 3), dropping `Authorization` when the
    /// host changes, as blob storage behind a registry must not see the registry's credentials.
    private func perform(_ method: HTTPMethod, url: String, accept: String, authorization: String?, deadline: NIODeadline,
                         limit: Int, what: String) async throws(ImageProvenanceError) -> RawResponse {
        var target = url
        var authorization = authorization
        for _ in 0...3 {
            var request = HTTPClientRequest(url: target)
            request.method = method
            request.headers.add(name: "Accept", value: accept)
            request.headers.add(name: "User-Agent", value: "odoo-guard")
            if let authorization { request.headers.add(name: "Authorization", value: authorization) }
            let response: HTTPClientResponse
            let body: [UInt8]
            do {
                response = try await http.execute(request, deadline: deadline, logger: logger)
                if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > limit, method != .HEAD {
                    throw ImageProvenanceError.invalidResponse("\(what) is \(length) bytes, more than the \(limit) read")
                }
                body = method == .HEAD ? [] : Array(buffer: try await response.body.collect(upTo: max(limit, 1)))
            } catch let error as ImageProvenanceError {
                throw error
            } catch let error as NIOTooManyBytesError {
                _ = error
                throw ImageProvenanceError.invalidResponse("\(what) is larger than the \(limit) bytes read")
            } catch {
                throw ImageProvenanceError.unreachable(Self.describe(error, what: what, deadline: deadline))
            }
            guard [301, 302, 303, 307, 308].contains(response.status.code),
                  let location = response.headers.first(name: "Location"),
                  let next = URL(string: location, relativeTo: URL(string: target))?.absoluteURL else {
                return RawResponse(status: response.status, headers: response.headers, body: body)
            }
            if next.host != URL(string: target)?.host { authorization = nil }
            target = next.absoluteString
        }
        throw ImageProvenanceError.invalidResponse("\(what): too many redirects")
    }

    /// A transport error in words, without request headers.
    static func describe(_ error: any Error, what: String, deadline: NIODeadline) -> String {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return "\(what): no answer in time"
        }
        if NIODeadline.now() >= deadline { return "\(what): no answer in time" }
        let text = "\(error)"
        if text.contains("Connection refused") { return "\(what): connection refused" }
        if text.contains("NIOSSL") || text.contains("handshake") || text.contains("certificate") {
            return "\(what): TLS failed (\(text)); is the registry's CA trusted (--registry-ca-file), or is it a plain-HTTP registry (insecureRegistries)?"
        }
        return "\(what): \(text)"
    }
}

/// `Authorization` values by (registry, scope, credentials), until they expire. Bounded: when full,
/// it is emptied (tokens are cheap to fetch again; an unbounded map would grow with every repository).
final class TokenCache: Sendable {
    private struct Entry: Sendable {
        let value: String
        let expires: NIODeadline
    }

    private static let capacity = 1024
    private let entries = NIOLockedValueBox<[String: Entry]>([:])

    func authorization(for key: String) -> String? {
        entries.withLockedValue { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expires > .now() else { entries[key] = nil; return nil }
            return entry.value
        }
    }

    func store(_ value: String, for key: String, until expires: NIODeadline) {
        entries.withLockedValue { entries in
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[key] = Entry(value: value, expires: expires)
        }
    }
}
