import Foundation
import KubeModel
import Logging

/// A swift-log handler writing one JSON object per line to standard output:
/// `{"time","level","logger","message", ...metadata}` — what log collectors parse without rules.
/// Each line is one `write(2)`, so lines from concurrent requests never interleave.
public struct JSONLogHandler: LogHandler {
    /// The level below which messages are discarded.
    public var logLevel: Logger.Level
    /// Metadata added to every line of this logger.
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let fileDescriptor: Int32

    /// A handler for `label` writing to `fileDescriptor` (standard output by default).
    public init(label: String, level: Logger.Level = .info, fileDescriptor: Int32 = 1) {
        self.label = label
        logLevel = level
        self.fileDescriptor = fileDescriptor
    }

    /// Metadata by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one line.
    public func log(event: LogEvent) {
        var object: JSONObject = [
            "time": .string(Self.now()),
            "level": .string(event.level.rawValue),
            "logger": .string(label),
            "message": .string("\(event.message)"),
        ]
        let merged = metadata.isEmpty ? (event.metadata ?? [:]) : metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where object[key] == nil {
            object[key] = Self.json(value)
        }
        var bytes = JSONValue.object(object).serializedBytes()
        bytes.append(0x0A)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fileDescriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// The current UTC time as RFC 3339 with milliseconds, without Foundation's formatters (every
    /// decision writes one line).
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func put(_ value: Int, _ width: Int) {
            var digits = [UInt8](repeating: 0x30, count: width)
            var rest = value
            for index in stride(from: width - 1, through: 0, by: -1) {
                digits[index] = UInt8(0x30 + rest % 10)
                rest /= 10
            }
            bytes += digits
        }
        put(Int(parts.tm_year) + 1900, 4); bytes.append(0x2D)
        put(Int(parts.tm_mon) + 1, 2); bytes.append(0x2D)
        put(Int(parts.tm_mday), 2); bytes.append(0x54)
        put(Int(parts.tm_hour), 2); bytes.append(0x3A)
        put(Int(parts.tm_min), 2); bytes.append(0x3A)
        put(Int(parts.tm_sec), 2); bytes.append(0x2E)
        put(Int(spec.tv_nsec) / 1_000_000, 3); bytes.append(0x5A)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .stringConvertible(let convertible):
            if let bool = convertible as? Bool { return .bool(bool) }
            if let int = convertible as? Int { return .int(Int64(int)) }
            if let int = convertible as? Int64 { return .int(int) }
            return .string(convertible.description)
        case .array(let items): return .array(items.map(json))
        case .dictionary(let items):
            var object = JSONObject()
            for (key, item) in items.sorted(by: { $0.key < $1.key }) { object[key] = json(item) }
            return .object(object)
        }
    }
}
