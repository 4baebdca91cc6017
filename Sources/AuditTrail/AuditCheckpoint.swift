import KubeModel
import Logging

extension AuditChain {
    /// The head of the chain after a batch was written, recorded outside the table (a log line of the
    /// webhook, which log collection keeps): whoever rewrites and re-links the table from its first row,
    /// or truncates it, cannot change what the checkpoints say. With a key, checkpoints are
    /// authenticated too, so forged ones are refused.
    public struct Checkpoint: Sendable, Equatable {
        /// The audit table.
        public var table: String
        /// The sequence number of the last row written.
        public var sequence: Int64
        /// That row's hash.
        public var head: String
        /// `hex(HMAC-SHA256(key, "odoo-guard audit checkpoint" ‖ table ‖ sequence ‖ head))`, with a key.
        public var mac: String?

        /// The log line's message.
        public static let message = "audit checkpoint"

        /// A checkpoint, authenticated when there is a key.
        public init(table: String, sequence: Int64, head: String, key: AuditKey?) {
            self.table = table
            self.sequence = sequence
            self.head = head
            mac = key.map { Self.mac(table: table, sequence: sequence, head: head, key: $0) }
        }

        private static func mac(table: String, sequence: Int64, head: String, key: AuditKey) -> String {
            key.mac(["odoo-guard audit checkpoint", table, String(sequence), head])
        }

        /// The log line's metadata.
        public var logMetadata: Logger.Metadata {
            var metadata: Logger.Metadata = ["audit.table": .string(table), "audit.sequence": .stringConvertible(sequence),
                                             "audit.head": .string(head)]
            if let mac { metadata["audit.mac"] = .string(mac) }
            return metadata
        }

        /// The checkpoints of `table` among JSON log lines (other lines are skipped). With a key, each
        /// must carry a valid MAC.
        /// - Throws: ``AuditTrailError/invalidCheckpoint`` naming the line of a malformed or forged checkpoint.
        public static func read(logLines text: String, table: String, key: AuditKey?, source: String) throws(AuditTrailError) -> [Checkpoint] {
            var result: [Checkpoint] = []
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                guard line.contains(message), let json = try? JSONParser.parse(Array(line.utf8)),
                      json["message"]?.stringValue == message, json["audit.table"]?.stringValue == table else { continue }
                let place = "\(source) line \(index + 1)"
                guard let sequence = json["audit.sequence"]?.intValue, let head = json["audit.head"]?.stringValue else {
                    throw AuditTrailError.invalidCheckpoint("\(place): a checkpoint without audit.sequence and audit.head")
                }
                let checkpoint = Checkpoint(table: table, sequence: sequence, head: head, key: key)
                if key != nil && json["audit.mac"]?.stringValue != checkpoint.mac {
                    throw AuditTrailError.invalidCheckpoint("\(place): the checkpoint for row \(sequence) is not authenticated by the audit key: forged, or written with another key")
                }
                result.append(checkpoint)
            }
            return result
        }
    }
}
