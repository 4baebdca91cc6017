import Foundation

/// RFC 3339 timestamps as Kubernetes writes them (`2026-11-21T10:00:00Z`, with optional fraction
/// and numeric offset), parsed without locale-dependent formatters.
public enum Timestamp {
    /// Parses an RFC 3339 date-time; `nil` when malformed or out of range.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for i in range {
                let b = bytes[i]
                guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(b - UInt8(ascii: "0"))
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                fraction += Double(bytes[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let h = number((index + 1)..<(index + 3)), let m = number((index + 4)..<(index + 6)), h < 24, m < 60 else { return nil }
            offset = (h * 3600 + m * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        default: return nil
        }
        // Days from 1970-01-01 (Howard Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// Formats a date as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds), or `YYYY-MM-DDTHH:MM:SS.mmmZ`
    /// with `milliseconds` (log lines, audit records).
    public static func format(_ date: Date, milliseconds: Bool = false) -> String {
        format(date, fractionDigits: milliseconds ? 3 : 0)
    }

    /// Formats a date as a Kubernetes `MicroTime` (`YYYY-MM-DDTHH:MM:SS.ssssssZ`, UTC): Lease and
    /// `events.k8s.io` times.
    public static func microTime(_ date: Date) -> String { format(date, fractionDigits: 6) }

    static func format(_ date: Date, fractionDigits: Int) -> String {
        var bytes: [UInt8] = []
        write(date, fractionDigits: fractionDigits, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `date` as RFC 3339 UTC text (`YYYY-MM-DDTHH:MM:SS[.fff]Z`, `fractionDigits` digits of
    /// the second) to `bytes`, digit by digit: a log line's time costs no string.
    public static func write(_ date: Date, fractionDigits: Int = 0, into bytes: inout [UInt8]) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let total = Int(seconds)
        var days = total / 86_400
        var secs = total % 86_400
        if secs < 0 { secs += 86_400; days -= 1 }
        let (year, month, day) = civil(days: days)
        func digits(_ value: Int, _ width: Int) {
            // Zero-padded to `width`; wider values (a year past 9999) keep every digit, and a year
            // before 1 BC is its sign and digits padded on the left, as `String(value)` padded was.
            if value < 0 {
                let text = String(value).utf8
                bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(0, width - text.count)))
                bytes.append(contentsOf: text)
                return
            }
            var divisor = 1
            var count = 1
            while count < width || value / divisor >= 10 { divisor *= 10; count += 1 }
            while divisor > 0 { bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10)); divisor /= 10 }
        }
        digits(year, 4); bytes.append(UInt8(ascii: "-"))
        digits(month, 2); bytes.append(UInt8(ascii: "-"))
        digits(day, 2); bytes.append(UInt8(ascii: "T"))
        digits(secs / 3600, 2); bytes.append(UInt8(ascii: ":"))
        digits(secs % 3600 / 60, 2); bytes.append(UInt8(ascii: ":"))
        digits(secs % 60, 2)
        if fractionDigits > 0 {
            var scale = 1
            for _ in 0..<fractionDigits { scale *= 10 }
            bytes.append(UInt8(ascii: "."))
            digits(min(scale - 1, Int((date.timeIntervalSince1970 - seconds) * Double(scale))), fractionDigits)
        }
        bytes.append(UInt8(ascii: "Z"))
    }

    /// The proleptic Gregorian (year, month 1–12, day 1–31) of a count of days since 1970-01-01
    /// (Howard Hinnant's `civil_from_days`).
    public static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
