import NIOCore
import NIOPosix

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

    private init(channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
        self.channel = channel
        inbound = Inbound(channel.inbound.makeAsyncIterator())
    }

    /// Connects (5 s timeout).
    static func connect(host: String, port: Int) async throws -> RESPConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return RESPConnection(channel: channel)
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
        try? await channel.channel.close()
    }

    private func readReply() async throws -> RESPValue {
        while true {
            var view = inbound.buffer
            if let value = try RESPConnection.parse(&view) {
                inbound.buffer = view
                inbound.buffer.discardReadBytes()
                return value
            }
            guard var more = try await inbound.iterator.next() else { throw RESPFailure.closed }
            inbound.buffer.writeBuffer(&more)
        }
    }

    /// Parses one reply from `buffer`, `nil` when it is not complete yet.
    static func parse(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        guard let line = readLine(&buffer), let type = line.first else { return nil }
        let rest = String(decoding: line.dropFirst(), as: UTF8.self)
        switch type {
        case UInt8(ascii: "+"): return .simple(rest)
        case UInt8(ascii: "-"): return .error(rest)
        case UInt8(ascii: ":"):
            guard let number = Int64(rest) else { throw RESPFailure.malformed }
            return .integer(number)
        case UInt8(ascii: "$"):
            guard let length = Int(rest) else { throw RESPFailure.malformed }
            if length < 0 { return .bulk(nil) }
            guard buffer.readableBytes >= length + 2, let bytes = buffer.readBytes(length: length) else { return nil }
            buffer.moveReaderIndex(forwardBy: 2)
            return .bulk(bytes)
        case UInt8(ascii: "*"):
            guard let count = Int(rest) else { throw RESPFailure.malformed }
            if count < 0 { return .array(nil) }
            var items: [RESPValue] = []
            for _ in 0..<count {
                guard let item = try parse(&buffer) else { return nil }
                items.append(item)
            }
            return .array(items)
        default:
            throw RESPFailure.malformed
        }
    }

    private static func readLine(_ buffer: inout ByteBuffer) -> [UInt8]? {
        guard let bytes = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes),
              let end = bytes.indices.first(where: { $0 + 1 < bytes.count && bytes[$0] == 13 && bytes[$0 + 1] == 10 }) else { return nil }
        buffer.moveReaderIndex(forwardBy: end + 2)
        return Array(bytes[..<end])
    }
}

/// Why a Redis exchange failed.
enum RESPFailure: Error {
    case timeout, closed, malformed
}
