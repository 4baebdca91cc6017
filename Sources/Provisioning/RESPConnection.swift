import NIOCore
import NIOPosix
import NIOSSL

/// A Redis reply (RESP2).
public indirect enum RESPValue: Sendable, Equatable {
    /// `+OK`.
    case simple(String)
    /// `-ERR …`.
    case error(String)
    /// `:1`.
    case integer(Int64)
    /// `$n` bytes, or `nil` for `$-1`.
    case bulk([UInt8]?)
    /// `*n` items, or `nil` for `*-1`.
    case array([RESPValue]?)

    /// The text of a simple or bulk string.
    public var text: String? {
        switch self {
        case .simple(let text): return text
        case .bulk(let bytes?): return String(decoding: bytes, as: UTF8.self)
        default: return nil
        }
    }
}

/// One TCP connection speaking the Redis protocol, one command at a time (no pipelining): what the
/// operator needs to manage ACL users, not a general client.
final class RESPConnection: Sendable {
    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private let inbound: Inbound

    private final class Inbound: @unchecked Sendable {
        // Used by one task at a time: commands are sent and read strictly in turn.
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        var buffer = ByteBuffer()
        init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.iterator = iterator }
    }

    /// Whether the connection is TLS.
    let encrypted: Bool

    private init(channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, encrypted: Bool) {
        self.channel = channel
        self.encrypted = encrypted
        inbound = Inbound(channel.inbound.makeAsyncIterator())
    }

    /// Connects (5 s timeout) in plain text, or over TLS as `tls` says; ``encrypted`` tells which it is.
    /// `prefer` falls back to plain text only when the server does not speak TLS at all (it closes,
    /// answers in plain text or stays silent past the handshake timeout), never after a certificate
    /// that fails verification: that is an attack or a misconfiguration, not a server without TLS.
    static func connect(host: String, port: Int, tls: RedisTLS = .disabled) async throws -> RESPConnection {
        switch tls.mode {
        case .disable:
            return try await plain(host: host, port: port)
        case .require:
            return try await encrypted(host: host, port: port, tls: tls)
        case .prefer:
            do {
                return try await encrypted(host: host, port: port, tls: tls)
            } catch where notOfferingTLS(error) {
                return try await plain(host: host, port: port)
            }
        }
    }

    private static func plain(host: String, port: Int) async throws -> RESPConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return RESPConnection(channel: channel, encrypted: false)
    }

    private static func encrypted(host: String, port: Int, tls: RedisTLS) async throws -> RESPConnection {
        let context = try tls.context()
        // SNI and name checks take a host name; an IP address is checked against the certificate's IP SANs.
        let serverName = (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
        let (channel, handshake) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let promise = channel.eventLoop.makePromise(of: Void.self)
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: serverName))
                    try channel.pipeline.syncOperations.addHandler(TLSHandshakeWatch(promise: promise, timeout: tls.handshakeTimeout))
                    return (try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel), promise.futureResult)
                }
            }
        do {
            try await handshake.get()
        } catch {
            channel.outbound.finish()
            try? await channel.channel.close()
            throw error
        }
        return RESPConnection(channel: channel, encrypted: true)
    }

    /// Whether a failed handshake says the server does not speak TLS (rather than that it does and failed).
    static func notOfferingTLS(_ error: any Error) -> Bool {
        if let failure = error as? RESPFailure { return failure == .timeout || failure == .closed }
        if let ssl = error as? NIOSSLError {
            if case .uncleanShutdown = ssl { return true }
            // A plain-text answer ("-ERR …") read as a TLS record.
            let text = "\(ssl)"
            return text.contains("WRONG_VERSION_NUMBER") || text.contains("PACKET_LENGTH_TOO_LONG") || text.contains("RECORD_LENGTH_MISMATCH")
        }
        return false
    }

    /// Sends a command and reads its reply (10 s timeout).
    func command(_ arguments: [String]) async throws -> RESPValue {
        var out = ByteBuffer()
        out.writeString("*\(arguments.count)\r\n")
        for argument in arguments {
            out.writeString("$\(argument.utf8.count)\r\n")
            out.writeString(argument)
            out.writeString("\r\n")
        }
        try await channel.outbound.write(out)
        return try await withThrowingTaskGroup(of: RESPValue?.self) { group in
            group.addTask { try await self.readReply() }
            group.addTask {
                try await Task.sleep(for: .seconds(10))
                return nil
            }
            defer { group.cancelAll() }
            guard let reply = try await group.next() ?? nil else { throw RESPFailure.timeout }
            return reply
        }
    }

    /// Closes the connection.
    func close() async {
        channel.outbound.finish()
        try? await channel.channel.close()
    }

    /// The most bytes one reply may take (ACL replies are a few hundred bytes): a server that sends
    /// more is refused, not buffered.
    static let maxReplyBytes = 4 * 1024 * 1024
    /// The most items of one array.
    static let maxItems = 65_536
    /// The deepest nesting of arrays (`ACL GETUSER` nests two levels).
    static let maxDepth = 8

    private func readReply() async throws -> RESPValue {
        while true {
            var view = inbound.buffer
            if let value = try RESPConnection.parse(&view) {
                inbound.buffer = view
                inbound.buffer.discardReadBytes()
                return value
            }
            guard var more = try await inbound.iterator.next() else { throw RESPFailure.closed }
            guard inbound.buffer.readableBytes + more.readableBytes <= Self.maxReplyBytes else { throw RESPFailure.malformed }
            inbound.buffer.writeBuffer(&more)
        }
    }

    /// Parses one reply from `buffer`, `nil` when it is not complete yet.
    /// - Throws: `RESPFailure.malformed` for a reply that is not RESP2 or passes the bounds (a length
    ///   past ``maxReplyBytes``, more than ``maxItems`` items, nesting deeper than ``maxDepth``).
    static func parse(_ buffer: inout ByteBuffer, depth: Int = 0) throws -> RESPValue? {
        guard depth <= maxDepth else { throw RESPFailure.malformed }
        guard let line = readLine(&buffer), let type = line.first else { return nil }
        let rest = String(decoding: line.dropFirst(), as: UTF8.self)
        switch type {
        case UInt8(ascii: "+"): return .simple(rest)
        case UInt8(ascii: "-"): return .error(rest)
        case UInt8(ascii: ":"):
            guard let number = Int64(rest) else { throw RESPFailure.malformed }
            return .integer(number)
        case UInt8(ascii: "$"):
            guard let length = Int(rest), length <= maxReplyBytes else { throw RESPFailure.malformed }
            if length < 0 { return .bulk(nil) }
            guard buffer.readableBytes >= length + 2, let bytes = buffer.readBytes(length: length) else { return nil }
            guard buffer.readBytes(length: 2) == [13, 10] else { throw RESPFailure.malformed }
            return .bulk(bytes)
        case UInt8(ascii: "*"):
            guard let count = Int(rest), count <= maxItems else { throw RESPFailure.malformed }
            if count < 0 { return .array(nil) }
            var items: [RESPValue] = []
            for _ in 0..<count {
                guard let item = try parse(&buffer, depth: depth + 1) else { return nil }
                items.append(item)
            }
            return .array(items)
        default:
            throw RESPFailure.malformed
        }
    }

    private static func readLine(_ buffer: inout ByteBuffer) -> [UInt8]? {
        let view = buffer.readableBytesView
        var index = view.startIndex
        while let found = view[index...].firstIndex(of: 13) {
            let next = view.index(after: found)
            guard next < view.endIndex else { return nil }
            if view[next] == 10 {
                let line = Array(view[view.startIndex..<found])
                buffer.moveReaderIndex(forwardBy: line.count + 2)
                return line
            }
            index = next
        }
        return nil
    }
}

/// Why a Redis exchange failed.
enum RESPFailure: Error, Equatable {
    /// No answer in time.
    case timeout
    /// The server closed the connection.
    case closed
    /// Not RESP2, or beyond the reader's bounds.
    case malformed
}
