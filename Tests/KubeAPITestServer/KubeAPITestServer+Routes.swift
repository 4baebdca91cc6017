import Foundation
import Hummingbird
import KubeClient
import KubeModel
import NIOCore

extension KubeAPITestServer {
    /// Authenticates, injects faults, routes by the API's path layout
    /// (https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-uris) and answers
    /// objects, lists, watch streams or `Status` errors.
    func respond(to request: Request) async -> Response {
        let path = request.uri.path
        let query = Self.query(request.uri.query ?? "")
        log.withLockedValue { $0.append("\(request.method.rawValue) \(path)" + (request.uri.query.map { "?\($0)" } ?? "")) }
        guard request.headers[.authorization] == "Bearer \(token)" else {
            return Self.answer(APIError(code: 401, reason: "Unauthorized", message: "Unauthorized"))
        }
        if let failure = faults.withLockedValue({ $0.take() }) {
            var error = APIError(code: failure.status, reason: failure.status == 429 ? "TooManyRequests" : "InternalError",
                                 message: failure.status == 429 ? "the server has received too many requests and has asked us to try again later"
                                     : "an error on the server (\"injected fault\") has prevented the request from succeeding")
            error.retryAfter = failure.retryAfter
            return Self.answer(error)
        }
        if request.method == .get, let document = Self.discovery(path, isServed: isServed) { return Self.answer(200, document) }
        guard let route = Self.route(path), isServed(route.served) else {
            return Self.answer(APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource"))
        }
        let binding = ResourceBinding(served: route.served, namespace: route.namespace)
        let body: [UInt8]
        do { body = Array(try await request.body.collect(upTo: 16 * 1024 * 1024).readableBytesView) } catch {
            return Self.answer(APIError(code: 413, reason: "RequestEntityTooLarge", message: "the request is too large"))
        }
        // The test server speaks JSON only. Protobuf bodies (what kubectl's and helm's typed clients send for
        // built-in kinds) are refused with 415, as a real server refuses an encoding it does not support.
        if !body.isEmpty, (request.headers[.contentType] ?? "").hasPrefix("application/vnd.kubernetes.protobuf") {
            return Self.answer(APIError(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"))
        }
        let manager = query["fieldManager"]
        do {
            switch (request.method, route.name) {
            case (.get, nil):
                let labels: LabelSelector?
                do { labels = try query["labelSelector"].map(LabelSelector.init(parsing:)) } catch {
                    throw APIError.badRequest("unable to parse requirement: \(error)")
                }
                let fields = try query["fieldSelector"].map { try FieldSelector(parsing: $0) }
                if query["watch"] == "true" || query["watch"] == "1" {
                    let media = try negotiate(request, list: false)
                    return watchResponse(binding, query: query, labels: labels, fields: fields, metadata: media == .metadata)
                }
                let media = try negotiate(request, list: true)
                let list = try state.withLockedValue { state in
                    try state.list(binding, labels: labels, fields: fields, limit: query["limit"].flatMap(Int.init),
                                   continueToken: query["continue"])
                }
                return Self.answer(200, media == .metadata ? MediaNegotiation.partialList(list) : list)
            case (.get, let name?):
                let media = try negotiate(request, list: false)
                let object = try state.withLockedValue { state in
                    try state.get(route.served, namespace: route.namespace, name: name)
                }
                return Self.answer(200, media == .metadata ? MediaNegotiation.partial(object) : object)
            case (.post, nil):
                let object = try Self.json(body)
                return Self.answer(201, try state.withLockedValue { state in
                    try state.create(binding, body: object, fieldManager: manager)
                })
            case (.put, let name?):
                let object = try Self.json(body)
                return Self.answer(200, try state.withLockedValue { state in
                    try state.update(binding, name: name, body: object, subresource: route.subresource, fieldManager: manager)
                })
            case (.patch, let name?):
                let contentType = request.headers[.contentType] ?? ""
                let (code, object) = try state.withLockedValue { state in
                    try state.patch(binding, name: name, contentType: contentType, body: body, subresource: route.subresource,
                                    fieldManager: manager, force: query["force"] == "true")
                }
                return Self.answer(code, object)
            case (.delete, let name?):
                let options = body.isEmpty ? nil : try Self.json(body)
                let (code, object) = try state.withLockedValue { state in
                    try state.delete(binding, name: name, options: options)
                }
                return Self.answer(code, object)
            default:
                throw APIError(code: 405, reason: "MethodNotAllowed", message: "\(request.method.rawValue) is not supported on \(path)")
            }
        } catch let error as APIError {
            return Self.answer(error)
        } catch {
            return Self.answer(APIError(code: 500, reason: "InternalError", message: "\(error)"))
        }
    }

    /// A streamed watch: events as JSON lines, bookmarks every ``bookmarkInterval`` when asked
    /// for, the end after `timeoutSeconds`.
    func watchResponse(_ binding: ResourceBinding, query: [String: String], labels: LabelSelector?, fields: FieldSelector?,
                       metadata: Bool) -> Response {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        let id = state.withLockedValue { state in
            state.watch(binding, version: query["resourceVersion"], labels: labels, fields: fields, metadata: metadata,
                        sendInitialEvents: query["sendInitialEvents"] == "true" && query["allowWatchBookmarks"] == "true", continuation: continuation)
        }
        let timeout = Duration.seconds(query["timeoutSeconds"].flatMap(Int.init) ?? 1800)
        let bookmarks = query["allowWatchBookmarks"] == "true"
        let body = ResponseBody { writer in
            guard let id else {
                for await line in stream { try await writer.write(line) }
                try await writer.finish(nil)
                return
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Ends the stream at the timeout, with bookmarks on the way when asked for.
                    let clock = ContinuousClock()
                    let end = clock.now.advanced(by: timeout)
                    while clock.now < end {
                        try await Task.sleep(for: min(self.bookmarkInterval, end - clock.now))
                        if bookmarks { self.state.withLockedValue { state in state.watchers[id].map(state.bookmark) } }
                    }
                    continuation.finish()
                }
                for await line in stream { try await writer.write(line) }
                group.cancelAll()
            }
            self.state.withLockedValue { _ = $0.watchers.removeValue(forKey: id) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/json", .transferEncoding: "chunked"], body: body)
    }

    /// The media type of a read's answer from its `Accept` header; logs metadata-only reads.
    func negotiate(_ request: Request, list: Bool) throws(APIError) -> MediaNegotiation {
        let accept = request.headers[.accept]
        guard let media = MediaNegotiation.choose(accept, list: list, partialMetadata: servesPartialMetadata.withLockedValue({ $0 })) else {
            throw APIError(code: 406, reason: "NotAcceptable", message: "only the following media types are accepted: application/json, application/yaml")
        }
        if media == .metadata {
            metadataReads.withLockedValue { $0.append(request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")) }
        }
        return media
    }

    struct Route {
        var served: ServedResource
        var namespace: String?
        var name: String?
        var subresource: String?
    }

    /// `/api/v1/...` and `/apis/GROUP/VERSION/...`, then `namespaces/NS/RESOURCE[/NAME[/SUB]]` or
    /// `RESOURCE[/NAME[/SUB]]` (`namespaces/NAME[/status]` being the namespace itself).
    static func route(_ path: String) -> Route? {
        var segments = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        let group: String
        let version: String
        if segments.first == "api", segments.count >= 2 {
            group = ""
            version = segments[1]
            segments.removeFirst(2)
        } else if segments.first == "apis", segments.count >= 3 {
            group = segments[1]
            version = segments[2]
            segments.removeFirst(3)
        } else {
            return nil
        }
        var namespace: String?
        if segments.first == "namespaces", segments.count >= 3,
           ServedResource.find(group: group, version: version, resource: segments[2]) != nil {
            namespace = segments[1]
            segments.removeFirst(2)
        }
        guard let resource = segments.first, let served = ServedResource.find(group: group, version: version, resource: resource),
              segments.count <= 3 else { return nil }
        if served.type.namespaced == false { namespace = nil }
        let subresource = segments.count == 3 ? segments[2] : nil
        if let subresource, subresource != "status" || !served.hasStatus { return nil }
        return Route(served: served, namespace: namespace, name: segments.count >= 2 ? segments[1] : nil, subresource: subresource)
    }

    static func query(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
            result[key] = value
        }
        return result
    }

    static func json(_ body: [UInt8]) throws(APIError) -> JSONValue {
        do { return try JSONParser.parse(body) } catch { throw APIError.badRequest("the body is not JSON: \(error)") }
    }

    static func answer(_ code: Int, _ body: JSONValue) -> Response {
        Response(status: HTTPResponse.Status(code: code), headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.serializedBytes())))
    }

    static func answer(_ error: APIError) -> Response {
        var response = answer(error.code, error.status)
        if let retryAfter = error.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}
