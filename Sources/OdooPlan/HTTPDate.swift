import Foundation
import KubeModel

/// Dates in HTTP headers (`Retry-After`).
enum HTTPDate {
    /// `date` as an HTTP date (RFC 9110 IMF-fixdate): `Thu, 03 Dec 2026 06:00:00 GMT`.
    static func format(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let (year, month, day) = Timestamp.civil(days: days)
        let inDay = seconds - days * 86_400
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        // 1970-01-01 was a Thursday.
        let weekday = weekdays[((days % 7) + 11) % 7]
        return "\(weekday), \(two(day)) \(months[(month - 1 + 12) % 12]) \(year) \(two(inDay / 3600)):\(two(inDay / 60 % 60)):\(two(inDay % 60)) GMT"
    }
}
