import Foundation
import NIOConcurrencyHelpers

/// The bearer token of a configuration. A token file is re-read at most once a minute and at once
/// after a 401 (``invalidate()``), as client-go does, so rotated projected tokens are picked up.
final class TokenSource: Sendable {
    private let fixed: String?
    private let file: String?
    private let cached = NIOLockedValueBox<(token: String, readAt: Date)?>(nil)
    static let refreshInterval: TimeInterval = 60

    init(token: String?, file: String?) {
        fixed = token
        self.file = file
    }

    /// Whether a token is configured at all.
    var isConfigured: Bool { fixed != nil || file != nil }

    /// The token to send now.
    func token(now: Date = Date()) throws(KubeClientError) -> String? {
        guard let file else { return fixed }
        if let entry = cached.withLockedValue({ $0 }), now.timeIntervalSince(entry.readAt) < Self.refreshInterval {
            return entry.token
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            if let fixed { return fixed }
            throw KubeClientError.invalidConfiguration("the token file \(file) cannot be read")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        cached.withLockedValue { $0 = (token, now) }
        return token
    }

    /// Forgets the cached token so the next request re-reads the file.
    func invalidate() { cached.withLockedValue { $0 = nil } }
}
