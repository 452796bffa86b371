/// An Azure trace timestamp such as `2023-11-16 18:17:03.9799600`, as integer nanoseconds since the
/// Unix epoch (UTC).
///
/// Parsed by hand rather than with `DateFormatter`: the formatter depends on locale and time-zone
/// settings, and `Date`/`Double` seconds since 1970 only resolve ~0.2 µs, while the trace carries
/// 100 ns ticks. Keeping integers until the first arrival is subtracted makes differences exact.
struct AzureTimestamp: Comparable {
    let nanosecondsSinceEpoch: Int64

    static func < (lhs: AzureTimestamp, rhs: AzureTimestamp) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    /// Accepts `YYYY-MM-DD HH:MM:SS[.fraction][Z|±HH:MM]` (a `T` separator works too); up to nine
    /// fractional digits are kept. Returns nil for anything else, including impossible dates.
    init?(_ text: Substring) {
        var scanner = DigitScanner(text.utf8)
        guard let year = scanner.number(digits: 4), scanner.skip("-"),
              let month = scanner.number(digits: 2), scanner.skip("-"),
              let day = scanner.number(digits: 2), scanner.skip(" ") || scanner.skip("T"),
              let hour = scanner.number(digits: 2), scanner.skip(":"),
              let minute = scanner.number(digits: 2), scanner.skip(":"),
              let second = scanner.number(digits: 2)
        else { return nil }
        guard (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 60
        else { return nil }

        var nanoseconds: Int64 = 0
        if scanner.skip(".") {
            var digitCount = 0
            var scale: Int64 = 100_000_000
            while let digit = scanner.digit() {
                if digitCount < 9 {
                    nanoseconds += Int64(digit) * scale
                    scale /= 10
                }
                digitCount += 1
            }
            guard digitCount > 0 else { return nil }
        }

        // The 2023 trace has no zone; some re-exports append "Z" or "+00:00". Honour any offset.
        var offsetSign: Int64 = 0
        if scanner.skip("+") {
            offsetSign = 1
        } else if scanner.skip("-") {
            offsetSign = -1
        } else {
            _ = scanner.skip("Z")
        }
        var offsetSeconds: Int64 = 0
        if offsetSign != 0 {
            guard let offsetHours = scanner.number(digits: 2), scanner.skip(":"),
                  let offsetMinutes = scanner.number(digits: 2)
            else { return nil }
            offsetSeconds = offsetSign * Int64(offsetHours * 3600 + offsetMinutes * 60)
        }
        guard scanner.isAtEnd else { return nil }

        let days = Self.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - offsetSeconds
        // Nanoseconds since 1970 fit an Int64 only from 1677 to 2262; a year outside that is not a
        // trace timestamp (found by fuzzing: year 4046 overflowed).
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow, whole <= Int64.max - nanoseconds else { return nil }
        nanosecondsSinceEpoch = whole + nanoseconds
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let shiftedYear = Int64(month <= 2 ? year - 1 : year)
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = Int64((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1)
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2:
            let isLeap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return isLeap ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }
}

/// Minimal cursor over ASCII bytes for fixed-width date parsing.
private struct DigitScanner {
    private let bytes: Substring.UTF8View
    private var index: Substring.UTF8View.Index

    init(_ bytes: Substring.UTF8View) {
        self.bytes = bytes
        index = bytes.startIndex
    }

    var isAtEnd: Bool { index == bytes.endIndex }

    mutating func digit() -> Int? {
        guard index != bytes.endIndex else { return nil }
        let byte = bytes[index]
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        index = bytes.index(after: index)
        return Int(byte - UInt8(ascii: "0"))
    }

    /// Exactly `digits` decimal digits.
    mutating func number(digits: Int) -> Int? {
        var value = 0
        for _ in 0..<digits {
            guard let next = digit() else { return nil }
            value = value * 10 + next
        }
        return value
    }

    /// Consumes `character` if it is next.
    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard index != bytes.endIndex, bytes[index] == UInt8(ascii: character) else { return false }
        index = bytes.index(after: index)
        return true
    }
}
