import Foundation
import KubeModel
import Testing

@Suite("Timestamps") struct TimestampTests {
    /// RFC 3339 text written digit by digit: padding, fractions, years beyond four digits and before year 1.
    @Test(arguments: [
        (0.0, 0, "1970-01-01T00:00:00Z"),
        (1_700_000_000.125, 3, "2023-11-14T22:13:20.125Z"),
        (1_700_000_000.0005, 3, "2023-11-14T22:13:20.000Z"),
        (1_700_000_000.999_023_437_5, 3, "2023-11-14T22:13:20.999Z"),
        (1_700_000_000.25, 6, "2023-11-14T22:13:20.250000Z"),
        (-1.5, 3, "1969-12-31T23:59:58.500Z"),
        (951_782_400.0, 0, "2000-02-29T00:00:00Z"),
        (253_402_300_800.0, 0, "10000-01-01T00:00:00Z"),
        (-62_167_219_200.0 - 86_400, 0, "00-1-12-31T00:00:00Z"),
        (10_000_000_000_000.0, 0, "318857-05-20T17:46:40Z"),  // an absurd date: every digit, no overflow
    ])
    func formats(seconds: Double, digits: Int, expected: String) {
        let date = Date(timeIntervalSince1970: seconds)
        let text = digits == 6 ? Timestamp.microTime(date) : Timestamp.format(date, milliseconds: digits == 3)
        #expect(text == expected)
        var bytes: [UInt8] = Array("x".utf8)
        Timestamp.write(date, fractionDigits: digits, into: &bytes)
        #expect(bytes == Array(("x" + expected).utf8))
    }
}
