import Foundation


/// One period an environment ran `Ready` with one set of digests (`status.readyHistory[]`): the
/// evidence a production promotion is judged by (an image that soaked in staging). A period is open
/// while the environment stays Ready with the same digests; it closes when either changes. Writes
/// happen only at those transitions, so an unchanged environment causes no status write.
public struct ReadyPeriod: Sendable, Equatable {
    /// The Odoo image ran, pinned by digest.
    public var image: String
    /// The addon images ran, pinned by digest, in spec order.
    public var addons: [String]
    /// When the environment became Ready with them.
    public var readySince: Date
    /// When it stopped (not Ready, or other digests); `nil` while it still runs them Ready.
    public var readyUntil: Date?

    /// The most periods kept; the oldest are dropped first.
    public static let limit = 30

    /// A period.
    public init(image: String, addons: [String] = [], readySince: Date, readyUntil: Date? = nil) {
        self.image = image
        self.addons = addons
        self.readySince = readySince
        self.readyUntil = readyUntil
    }

    /// The periods as recorded in `status.readyHistory` (entries that cannot be read are skipped).
    public static func recorded(_ status: JSONValue?) -> [ReadyPeriod] {
        (status?["readyHistory"]?.arrayValue ?? []).compactMap { entry in
            guard let image = entry["image"]?.stringValue, let since = entry["readySince"]?.stringValue.flatMap(Timestamp.parse) else { return nil }
            return ReadyPeriod(image: image, addons: entry["addons"]?.arrayValue?.compactMap(\.stringValue) ?? [], readySince: since,
                               readyUntil: entry["readyUntil"]?.stringValue.flatMap(Timestamp.parse))
        }
    }

    /// The history after one observation: the open period closes when the environment is no longer
    /// Ready or runs other digests, and a new one opens when it is Ready with digests no open period
    /// holds. Only digest-pinned images are recorded (a tag proves nothing about what ran).
    public static func next(_ history: [ReadyPeriod], ready: Bool, image: String?, addons: [String], now: Date) -> [ReadyPeriod] {
        var result = history
        let running = image.flatMap { image in
            image.contains("@sha256:") && addons.allSatisfy { $0.contains("@sha256:") } ? (image: image, addons: addons) : nil
        }
        if let last = result.indices.last, result[last].readyUntil == nil {
            if ready, let running, result[last].image == running.image, result[last].addons == running.addons { return result }
            result[last].readyUntil = now
        }
        if ready, let running { result.append(ReadyPeriod(image: running.image, addons: running.addons, readySince: now)) }
        return Array(result.suffix(limit))
    }

    /// Whether the period ran `digest` (`sha256:…`), as the Odoo image or an addon image.
    public func ran(digest: String) -> Bool {
        image.hasSuffix("@" + digest) || addons.contains { $0.hasSuffix("@" + digest) }
    }

    /// How long the period ran Ready, up to `now` while it is open.
    public func duration(at now: Date) -> TimeInterval { (readyUntil ?? now).timeIntervalSince(readySince) }

    /// The entry in `status.readyHistory`.
    public var json: JSONValue {
        var object: JSONObject = ["image": .string(image), "readySince": .string(Timestamp.format(readySince))]
        if !addons.isEmpty { object["addons"] = .array(addons.map(JSONValue.string)) }
        if let readyUntil { object["readyUntil"] = .string(Timestamp.format(readyUntil)) }
        return .object(object)
    }
}
