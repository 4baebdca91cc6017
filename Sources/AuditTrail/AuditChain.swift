import Crypto
import KubeModel

/// The tamper-evident chain: each row stores the hash of the row before it, and its own hash over
/// that previous hash and its record text. Changing, removing or reordering a row breaks the chain
/// at that row.
public enum AuditChain {
    /// The "previous hash" of the first row.
    public static let genesis = String(repeating: "0", count: 64)

    /// `hex(SHA-256(previousHash ‖ "\n" ‖ record))`.
    public static func link(previousHash: String, record: String) -> String {
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
        /// `row N: reason`.
        public var description: String { "row \(sequence): \(reason)" }
    }

    /// Checks rows incrementally, in sequence order: feed each row, the first failure is kept.
    public struct Verifier: Sendable {
        /// The hash the next row must name as its previous hash.
        public private(set) var head: String
        /// Rows checked so far.
        public private(set) var count = 0
        /// The first broken link, once found.
        public private(set) var firstBreak: Break?
        private var previousSequence: Int64?

        /// A verifier for a chain starting at ``AuditChain/genesis``.
        public init(head: String = AuditChain.genesis) { self.head = head }

        /// Checks the next row. After the first break, later rows are still counted but not judged.
        public mutating func feed(_ row: Row) {
            count += 1
            guard firstBreak == nil else { return }
            defer { previousSequence = row.sequence }
            if let previousSequence, row.sequence <= previousSequence {
                firstBreak = Break(sequence: row.sequence, reason: "sequence number does not increase after row \(previousSequence)")
                return
            }
            if row.previousHash != head {
                let after = previousSequence.map { "row \($0)" } ?? "the start of the chain"
                firstBreak = Break(sequence: row.sequence, reason:
                    "its previous-hash does not match the hash of \(after): a row was removed, inserted or reordered")
                return
            }
            let expected = AuditChain.link(previousHash: row.previousHash, record: row.record)
            if row.hash != expected {
                firstBreak = Break(sequence: row.sequence, reason: "its hash does not match its content: the record or the hash was changed")
                return
            }
            head = row.hash
        }
    }
}
