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

    /// Writes one line: written straight into bytes (no intermediate JSON tree), fields in the order
    /// time, level, logger, message, then the metadata by key.
    public func log(event: LogEvent) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1_024)
        Self.field("time", first: true, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
        Timestamp.write(Date(), fractionDigits: 3, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
        Self.field("level", into: &bytes)
        JSONValue.writeString(event.level.rawValue, into: &bytes)
        Self.field("logger", into: &bytes)
        JSONValue.writeString(label, into: &bytes)
        Self.field("message", into: &bytes)
        JSONValue.writeString(event.message.description, into: &bytes)
        let merged = metadata.isEmpty ? (event.metadata ?? [:]) : metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        // The pairs sorted once, not the keys sorted and each looked up again.
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where !Self.isReserved(key) {
            Self.field(key, into: &bytes)
            Self.append(value, into: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
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

    /// Whether `key` is one of the fields every line has (time, level, logger, message); metadata of
    /// those names is left out.
    private static func isReserved(_ key: String) -> Bool {
        switch key {
        case "time", "level", "logger", "message": return true
        default: return false
        }
    }

    private static func field(_ key: String, first: Bool = false, into bytes: inout [UInt8]) {
        bytes.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        JSONValue.writeString(key, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    private static func append(_ value: Logger.MetadataValue, into bytes: inout [UInt8]) {
        switch value {
        case .string(let text): JSONValue.writeString(text, into: &bytes)
        case .stringConvertible(let convertible):
            if let bool = convertible as? Bool { bytes.append(contentsOf: (bool ? "true" : "false").utf8) }
            else if let int = convertible as? Int { bytes.append(contentsOf: String(int).utf8) }
            else if let int = convertible as? Int64 { bytes.append(contentsOf: String(int).utf8) }
            else { JSONValue.writeString(convertible.description, into: &bytes) }
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                append(item, into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .dictionary: bytes.append(contentsOf: json(value).serializedBytes())
        }
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
