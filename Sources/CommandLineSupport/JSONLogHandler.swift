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
            "time": .string(Timestamp.format(Date(), milliseconds: true)),
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
