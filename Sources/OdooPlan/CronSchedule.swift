import Foundation
import KubeModel

/// A five-field cron schedule (`minute hour day-of-month month day-of-week`, UTC) as Kubernetes
/// CronJobs read it: `*`, values, ranges, lists, `*/n` and `a-b/n` steps, month and weekday names,
/// `0` and `7` both Sunday, and the macros `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`.
/// When both day fields are restricted a day matches either (as Vixie cron does).
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
    /// The schedule's text.
    public let text: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let weekdays: Set<Int>
    let dayOfMonthRestricted: Bool
    let weekdayRestricted: Bool

    /// The text.
    public var description: String { text }

    /// Parses a schedule.
    /// - Returns: the schedule, or what is wrong with the text.
    public static func parse(_ text: String) -> Result<CronSchedule, CronScheduleProblem> {
        let macros = ["@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
                      "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *"]
        let expanded = macros[text.trimmingCharacters(in: .whitespaces)] ?? text
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            return .failure(CronScheduleProblem(message: "\"\(text)\" must have five fields (minute hour day-of-month month day-of-week), found \(fields.count)"))
        }
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        do {
            let minute = try field(fields[0], "minute", 0...59, names: [])
            let hour = try field(fields[1], "hour", 0...23, names: [])
            let dom = try field(fields[2], "day of month", 1...31, names: [])
            let month = try field(fields[3], "month", 1...12, names: months, firstName: 1)
            var weekday = try field(fields[4], "day of week", 0...7, names: days, firstName: 0)
            if weekday.contains(7) { weekday.remove(7); weekday.insert(0) }
            return .success(CronSchedule(text: text, minutes: minute, hours: hour, daysOfMonth: dom, months: month, weekdays: weekday,
                                         dayOfMonthRestricted: !fields[2].hasPrefix("*"), weekdayRestricted: !fields[4].hasPrefix("*")))
        } catch {
            return .failure(CronScheduleProblem(message: "\"\(text)\": \(error.message)"))
        }
    }

    private static func field(_ text: String, _ what: String, _ range: ClosedRange<Int>, names: [String], firstName: Int = 0) throws(CronScheduleProblem) -> Set<Int> {
        func value(_ token: Substring) throws(CronScheduleProblem) -> Int {
            if let number = Int(token), range.contains(number) { return number }
            if let index = names.firstIndex(of: token.lowercased()) { return index + firstName }
            throw CronScheduleProblem(message: "\(what) \"\(token)\" is not in \(range.lowerBound)-\(range.upperBound)")
        }
        var result: Set<Int> = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, let base = pieces.first, !base.isEmpty else {
                throw CronScheduleProblem(message: "\(what) \"\(part)\" is not a value, range or step")
            }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { throw CronScheduleProblem(message: "\(what) step \"\(pieces[1])\" must be a positive number") }
                step = parsed
            }
            let bounds: ClosedRange<Int>
            if base == "*" {
                bounds = range
            } else if let dash = base.firstIndex(of: "-") {
                let low = try value(base[..<dash]), high = try value(base[base.index(after: dash)...])
                guard low <= high else { throw CronScheduleProblem(message: "\(what) range \"\(base)\" runs backwards") }
                bounds = low...high
            } else {
                let single = try value(base)
                bounds = single...(pieces.count == 2 ? range.upperBound : single)
            }
            result.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return result
    }

    /// Whether the schedule fires on the UTC day `day` (days since 1970-01-01).
    func firesOn(day: Int) -> Bool {
        let (_, month, dayOfMonth) = Timestamp.civil(days: day)
        guard months.contains(month) else { return false }
        let weekday = ((day % 7) + 11) % 7 // 1970-01-01 was a Thursday (4).
        let domMatch = daysOfMonth.contains(dayOfMonth), dowMatch = weekdays.contains(weekday)
        if dayOfMonthRestricted && weekdayRestricted { return domMatch || dowMatch }
        return domMatch && dowMatch
    }

    /// The latest start at or before `date` (to the minute), looking back at most `lookback` minutes.
    public func lastStart(atOrBefore date: Date, lookback: Int) -> Date? {
        let now = Int((date.timeIntervalSince1970 / 60).rounded(.down))
        var minute = now
        while minute >= now - lookback {
            let day = Int((Double(minute) / 1440).rounded(.down))
            if !firesOn(day: day) {
                minute = day * 1440 - 1
                continue
            }
            let inDay = minute - day * 1440
            if hours.contains(inDay / 60) && minutes.contains(inDay % 60) { return Date(timeIntervalSince1970: Double(minute) * 60) }
            minute -= 1
        }
        return nil
    }

    /// The first start strictly after `date`, within a year and a day.
    public func nextStart(after date: Date) -> Date? {
        let now = Int((date.timeIntervalSince1970 / 60).rounded(.down))
        var minute = now + 1
        while minute <= now + 527_040 {
            let day = Int((Double(minute) / 1440).rounded(.down))
            if !firesOn(day: day) {
                minute = (day + 1) * 1440
                continue
            }
            let inDay = minute - day * 1440
            if hours.contains(inDay / 60) && minutes.contains(inDay % 60) { return Date(timeIntervalSince1970: Double(minute) * 60) }
            minute += 1
        }
        return nil
    }
}

/// Why a cron schedule could not be read.
public struct CronScheduleProblem: Error, Sendable, Equatable {
    /// What is wrong, with the text.
    public let message: String
}
