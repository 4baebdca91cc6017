import Foundation

/// The events an ``EventRecorder`` wrote lately, so a repeat updates the first one's series: at
/// most ``capacity`` entries. When full it drops what is past the repeat window (no repeat can use
/// it any more) and, if that leaves it over three quarters full, keeps only the newest half. So an
/// insertion costs a constant on average, where dropping the single oldest entry read every entry
/// each time (a 4,096-entry scan per Event once the operator had written that many: 11.9 % of its
/// CPU at 10,000 environments).
struct RecentEvents {
    /// One written Event.
    struct Entry: Equatable {
        var name: String
        var namespace: String
        var count: Int
        var lastUsed: Date
    }

    /// The most entries kept.
    let capacity: Int
    /// How long a repeat counts as the same event.
    let repeatWindow: TimeInterval
    private(set) var entries: [String: Entry] = [:]

    init(capacity: Int, repeatWindow: TimeInterval) {
        self.capacity = max(capacity, 2)
        self.repeatWindow = repeatWindow
    }

    /// The entry for `key` when it was used within the repeat window.
    func current(_ key: String, now: Date) -> Entry? {
        guard let entry = entries[key], now.timeIntervalSince(entry.lastUsed) < repeatWindow else { return nil }
        return entry
    }

    /// Stores `entry` under `key`, making room first when full.
    mutating func store(_ entry: Entry, for key: String, now: Date) {
        if entries[key] == nil && entries.count >= capacity { makeRoom(now: now) }
        entries[key] = entry
    }

    /// Forgets `key`.
    mutating func remove(_ key: String) {
        entries.removeValue(forKey: key)
    }

    private mutating func makeRoom(now: Date) {
        entries = entries.filter { now.timeIntervalSince($0.value.lastUsed) < repeatWindow }
        guard entries.count > capacity * 3 / 4 else { return }
        let newest = entries.sorted { $0.value.lastUsed > $1.value.lastUsed }.prefix(capacity / 2)
        entries = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
    }
}
