import Crypto
import KubeModel

/// The tamper-evident chain: each row stores the hash of the row before it, and its own hash over
/// that previous hash and its record text. Changing, removing or reordering a row breaks the chain
/// at that row.
///
/// With an ``AuditKey`` the link is an HMAC (`hmac-sha256:<hex>`), so someone who can write the
/// table but does not hold the key cannot re-link rows after changing one. Rows written before a key
/// was configured keep their plain SHA-256 links; once a keyed row appears, every later row must be
/// keyed. What re-linking from the first row would still hide, ``Checkpoint``s recorded outside the
/// table reveal.
public enum AuditChain {
    /// The "previous hash" of the first row.
    public static let genesis = String(repeating: "0", count: 64)
    /// How a keyed link starts.
    public static let keyedPrefix = "hmac-sha256:"

    /// `hex(SHA-256(previousHash ‖ "\n" ‖ record))`, or with a key
    /// `"hmac-sha256:" ‖ hex(HMAC-SHA256(key, previousHash ‖ "\n" ‖ record))`.
    public static func link(previousHash: String, record: String, key: AuditKey? = nil) -> String {
        if let key { return keyedPrefix + key.mac([previousHash, record]) }
        var hasher = SHA256()
        hasher.update(data: Array(previousHash.utf8))
        hasher.update(data: [0x0A])
        hasher.update(data: Array(record.utf8))
        return Hex.encode(hasher.finalize())
    }

    /// One stored row as the verifier reads it.
    public struct Row: Sendable, Equatable {
        /// The row's sequence number (ascending; gaps are normal, they come from rolled-back inserts).
        public var sequence: Int64
        /// The record text as stored.
        public var record: String
        /// The stored hash of the previous row.
        public var previousHash: String
        /// The stored hash of this row.
        public var hash: String

        /// A row.
        public init(sequence: Int64, record: String, previousHash: String, hash: String) {
            self.sequence = sequence
            self.record = record
            self.previousHash = previousHash
            self.hash = hash
        }
    }

    /// The first broken link of a chain.
    public struct Break: Sendable, Equatable, CustomStringConvertible {
        /// The sequence number of the first row that does not verify.
        public var sequence: Int64
        /// Why: the row's content changed, or its link to the previous row does not hold.
        public var reason: String
        /// Whether the row is linked with the audit key and no key was given: the chain was not
        /// verified, which is not evidence that it was changed.
        public var needsKey = false
        /// `row N: reason`.
        public var description: String { "row \(sequence): \(reason)" }

        /// A break.
        public init(sequence: Int64, reason: String, needsKey: Bool = false) {
            self.sequence = sequence
            self.reason = reason
            self.needsKey = needsKey
        }
    }

    /// Checks rows incrementally, in sequence order: feed each row, the first failure is kept.
    public struct Verifier: Sendable {
        /// The hash the next row must name as its previous hash.
        public private(set) var head: String
        /// Rows checked so far.
        public private(set) var count = 0
        /// Rows with plain (unkeyed) links, all before the first keyed row (and, with a key, at most up to `unkeyedThrough`).
        public private(set) var unkeyedCount = 0
        /// The first broken link, once found.
        public private(set) var firstBreak: Break?
        private var previousSequence: Int64?
        private let key: AuditKey?
        /// Checkpoints by ascending sequence, and the first not yet matched with a row.
        private let checkpoints: [Checkpoint]
        private var nextCheckpoint = 0
        private var seenKeyed = false
        private let unkeyedThrough: Int64?

        /// A verifier for a chain starting at ``AuditChain/genesis``; with the key that links were
        /// made with, and the checkpoints recorded while they were written (already authenticated).
        /// With a key every row must be keyed, except rows up to `unkeyedThrough` (those written
        /// before the key was configured).
        public init(head: String = AuditChain.genesis, key: AuditKey? = nil, unkeyedThrough: Int64? = nil, checkpoints: [Checkpoint] = []) {
            self.head = head
            self.key = key
            self.unkeyedThrough = unkeyedThrough
            self.checkpoints = checkpoints.sorted { $0.sequence < $1.sequence }
        }

        /// Checks the next row. After the first break, later rows are still counted but not judged.
        public mutating func feed(_ row: Row) {
            count += 1
            guard firstBreak == nil else { return }
            defer { previousSequence = row.sequence }
            if let problem = problem(with: row) {
                firstBreak = Break(sequence: row.sequence, reason: problem, needsKey: problem == Self.needsKeyReason)
                return
            }
            head = row.hash
        }

        /// After the last row: a checkpoint naming a row that was never read means rows were removed.
        public mutating func finish() {
            guard firstBreak == nil, nextCheckpoint < checkpoints.count else { return }
            let missing = checkpoints[nextCheckpoint]
            firstBreak = Break(sequence: missing.sequence, reason: "a checkpoint recorded this row with hash \(missing.head), but the table no longer has it: rows were removed")
        }

        static let needsKeyReason = "it is linked with the audit key; verify with that key (--key-file)"

        private mutating func problem(with row: Row) -> String? {
            if let previousSequence, row.sequence <= previousSequence {
                return "sequence number does not increase after row \(previousSequence)"
            }
            if row.previousHash != head {
                let after = previousSequence.map { "row \($0)" } ?? "the start of the chain"
                return "its previous-hash does not match the hash of \(after): a row was removed, inserted or reordered"
            }
            let keyed = row.hash.hasPrefix(AuditChain.keyedPrefix)
            if keyed {
                guard let key else { return Self.needsKeyReason }
                seenKeyed = true
                if row.hash != AuditChain.link(previousHash: row.previousHash, record: row.record, key: key) {
                    return "its keyed hash does not match its content: the record or the hash was changed, or the key is not the one it was written with"
                }
            } else {
                if seenKeyed { return "it is not keyed although earlier rows are: the chain was re-linked without the key" }
                if key != nil && row.sequence > (unkeyedThrough ?? .min) {
                    return "it is not keyed: the chain was re-linked without the key (rows written before the key was configured are accepted with --unkeyed-through)"
                }
                if row.hash != AuditChain.link(previousHash: row.previousHash, record: row.record) {
                    return "its hash does not match its content: the record or the hash was changed"
                }
                unkeyedCount += 1
            }
            // Sequence numbers only grow, so checkpoints are matched in one pass alongside the rows.
            while nextCheckpoint < checkpoints.count, checkpoints[nextCheckpoint].sequence <= row.sequence {
                let checkpoint = checkpoints[nextCheckpoint]
                nextCheckpoint += 1
                if checkpoint.sequence < row.sequence {
                    return "row \(checkpoint.sequence), recorded by a checkpoint, is missing before this row: rows were removed"
                }
                if checkpoint.head != row.hash {
                    return "a checkpoint recorded this row with hash \(checkpoint.head), the table has \(row.hash): the chain was rewritten and re-linked"
                }
            }
            return nil
        }
    }
}
