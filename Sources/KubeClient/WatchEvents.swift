import AsyncHTTPClient
import KubeModel
import NIOCore

/// The events of one watch request, read line by line as the server streams them. The request is
/// sent on the first `next()`; the sequence ends when the server closes the stream (its
/// `timeoutSeconds`, or a restart). An `ERROR` event ends it with the error the `Status` carries
/// (`gone` for 410); `next()` throws ``KubeClientError`` only.
public struct WatchEvents: AsyncSequence, Sendable {
    /// Each event.
    public typealias Element = WatchEvent
    private let start: @Sendable () async throws(KubeClientError) -> any WatchEventSource

    /// Events from a source that is opened on the first `next()` (other ``KubernetesAPI`` implementations).
    public init(_ open: @escaping @Sendable () async throws(KubeClientError) -> any WatchEventSource) {
        start = open
    }

    init(client: KubeHTTPClient, url: String, resource: ResourceType, timeout: TimeAmount, metadataOnly: Bool) {
        start = { () async throws(KubeClientError) in
            let request = try client.request(.GET, url: url, body: nil, contentType: "application/json",
                                             accept: metadataOnly ? PartialObjectMetadata.objectAccept : KubeHTTPClient.jsonAccept)
            let response: HTTPClientResponse
            do { response = try await client.http.execute(request, timeout: timeout) } catch {
                throw KubeClientError.connection("watch \(resource) on \(client.config.server): \(error)", cause: error)
            }
            guard response.status == .ok else {
                let body = try? await response.body.collect(upTo: 1 << 20)
                let decoded = body.flatMap { try? JSONParser.parse(Array($0.readableBytesView)) }
                throw KubeClientError.fromResponse(status: Int(response.status.code), body: decoded,
                                                   retryAfterHeader: response.headers.first(name: "Retry-After"))
            }
            return LineSource(body: response.body.makeAsyncIterator(), resource: resource, metadataOnly: metadataOnly)
        }
    }

    /// The iterator.
    public func makeAsyncIterator() -> Iterator { Iterator(start: start) }

    /// Reads events.
    public struct Iterator: AsyncIteratorProtocol {
        let start: @Sendable () async throws(KubeClientError) -> any WatchEventSource
        var source: (any WatchEventSource)?
        var finished = false

        /// The next event, `nil` when the server ended the watch.
        public mutating func next() async throws -> WatchEvent? {
            guard !finished else { return nil }
            do {
                if source == nil { source = try await start() }
                let event = try await source?.next()
                if event == nil { finished = true }
                return event
            } catch {
                finished = true
                throw error
            }
        }
    }
}

/// A source of watch events for ``WatchEvents`` (for ``KubernetesAPI`` implementations other than HTTP).
public protocol WatchEventSource {
    /// The next event, `nil` at the end of the stream.
    mutating func next() async throws(KubeClientError) -> WatchEvent?
}

/// Splits a streamed body into JSON lines and decodes each as a watch event.
struct LineSource: WatchEventSource {
    var body: HTTPClientResponse.Body.AsyncIterator
    let resource: ResourceType
    /// Each object is cut down to its metadata (whatever form the server answered in).
    let metadataOnly: Bool
    var pending: [UInt8] = []
    static let maxLine = 64 * 1024 * 1024

    mutating func next() async throws(KubeClientError) -> WatchEvent? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
                return try decode(line)
            }
            let chunk: ByteBuffer?
            do { chunk = try await body.next() } catch {
                throw KubeClientError.connection("watch \(resource): the stream broke (\(error))", cause: error)
            }
            guard let chunk else {
                if pending.isEmpty { return nil }
                let line = pending
                pending = []
                return try decode(line)
            }
            pending += chunk.readableBytesView
            if pending.count > Self.maxLine {
                throw KubeClientError.invalidResponse("watch \(resource): an event exceeds \(Self.maxLine) bytes")
            }
        }
    }

    func decode(_ line: [UInt8]) throws(KubeClientError) -> WatchEvent {
        let value: JSONValue
        do { value = try JSONParser.parse(line) } catch {
            throw KubeClientError.invalidResponse("watch \(resource): an event is not JSON (\(error))", cause: error)
        }
        var event = try WatchEvent.decode(value, resource: resource)
        if metadataOnly { event.object = PartialObjectMetadata.reduce(event.object, resource: resource) }
        return event
    }
}

extension WatchEvent {
    /// An event from its JSON (`{"type": …, "object": …}`); an `ERROR` event throws the error its `Status` carries.
    public static func decode(_ value: JSONValue, resource: ResourceType) throws(KubeClientError) -> WatchEvent {
        let type = value["type"]?.stringValue ?? ""
        guard let object = value["object"] else {
            throw KubeClientError.invalidResponse("watch \(resource): an event has no object")
        }
        if type == "ERROR" {
            let status = Int(object["code"]?.intValue ?? 500)
            throw KubeClientError.fromResponse(status: status, body: object, retryAfterHeader: nil)
        }
        guard let kind = Kind(rawValue: type) else {
            throw KubeClientError.invalidResponse("watch \(resource): unknown event type \"\(type)\"")
        }
        return WatchEvent(kind: kind, object: KubeHTTPClient.typed(object, resource))
    }
}
