#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Number parsing straight from exposition bytes, without creating a `String`.
///
/// The token is first checked against the exposition grammar (decimal floats with optional
/// sign, fraction and exponent; `NaN`, `Inf`, `Infinity` in any case with optional sign on the
/// infinities). Hex floats and anything else are rejected. Valid tokens are converted by
/// Clinger's fast path when it is exact (at most 19 significant digits holding a mantissa
/// ≤ 2^53 and a power of ten ≤ 22: one correctly rounded multiply or divide); every other token
/// goes through the C library's `strtod` on a stack copy, with `Double(String)` as the last
/// resort if `strtod` does not consume the token (a non-C locale). So every result is the
/// correctly rounded value.
enum NumberParsing {
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    @inline(__always)
    private static func lower(_ byte: UInt8) -> UInt8 { byte | 0x20 }

    /// Case-insensitive comparison of `p[start..<end]` with an ASCII lowercase word.
    private static func equalsWord(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ word: StaticString) -> Bool {
        guard end - start == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for k in 0..<(end - start) where lower(p[start + k]) != w[k] {
            return false
        }
        return true
    }

    /// Parses `p[0..<count]` as a sample value. `nil` if it is not a valid float token.
    static func parseDouble(_ p: UnsafePointer<UInt8>, count n: Int) -> Double? {
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        let first = p[0]
        if first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            i = 1
            guard i < n else { return nil }
        }
        let head = lower(p[i])
        if head == UInt8(ascii: "n") {
            // NaN carries no sign.
            return (i == 0 && equalsWord(p, i, n, "nan")) ? .nan : nil
        }
        if head == UInt8(ascii: "i") {
            guard equalsWord(p, i, n, "inf") || equalsWord(p, i, n, "infinity") else { return nil }
            return negative ? -.infinity : .infinity
        }

        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponent10 = 0
        var sawDigit = false
        var inexact = false
        while i < n, p[i] &- UInt8(ascii: "0") < 10 {
            let digit = UInt64(p[i] &- UInt8(ascii: "0"))
            sawDigit = true
            if mantissa == 0 && digit == 0 {
                // leading zero
            } else if significantDigits < 19 {
                mantissa = mantissa * 10 + digit
                significantDigits += 1
            } else {
                exponent10 += 1
                inexact = true
            }
            i += 1
        }
        if i < n, p[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, p[i] &- UInt8(ascii: "0") < 10 {
                let digit = UInt64(p[i] &- UInt8(ascii: "0"))
                sawDigit = true
                if mantissa == 0 && digit == 0 {
                    exponent10 -= 1
                } else if significantDigits < 19 {
                    mantissa = mantissa * 10 + digit
                    significantDigits += 1
                    exponent10 -= 1
                } else {
                    inexact = true
                }
                i += 1
            }
        }
        guard sawDigit else { return nil }
        if i < n, lower(p[i]) == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < n, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") {
                exponentNegative = p[i] == UInt8(ascii: "-")
                i += 1
            }
            var explicitExponent = 0
            var sawExponentDigit = false
            while i < n, p[i] &- UInt8(ascii: "0") < 10 {
                sawExponentDigit = true
                if explicitExponent < 100_000 {
                    explicitExponent = explicitExponent * 10 + Int(p[i] &- UInt8(ascii: "0"))
                }
                i += 1
            }
            guard sawExponentDigit else { return nil }
            exponent10 += exponentNegative ? -explicitExponent : explicitExponent
        }
        guard i == n else { return nil }

        if mantissa == 0 {
            return negative ? -0.0 : 0.0
        }
        if !inexact, mantissa <= (1 << 53), exponent10 >= -22, exponent10 <= 22 {
            var value = Double(mantissa)
            if exponent10 >= 0 {
                value *= powersOfTen[exponent10]
            } else {
                value /= powersOfTen[-exponent10]
            }
            return negative ? -value : value
        }
        return slowParse(p, count: n)
    }

    /// `strtod` on a NUL-terminated stack copy of an already validated token.
    private static func slowParse(_ p: UnsafePointer<UInt8>, count n: Int) -> Double? {
        let parsed: Double? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buffer in
            guard let base = buffer.baseAddress else { return nil }
            for k in 0..<n { base[k] = CChar(bitPattern: p[k]) }
            base[n] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(base, &end)
            guard let end, end - base == n else { return nil }
            return value
        }
        if let parsed { return parsed }
        return Double(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
    }

    /// Parses a text-format timestamp: an optionally signed decimal integer (milliseconds).
    static func parseInt64(_ p: UnsafePointer<UInt8>, count n: Int) -> Int64? {
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        if p[0] == UInt8(ascii: "+") || p[0] == UInt8(ascii: "-") {
            negative = p[0] == UInt8(ascii: "-")
            i = 1
        }
        guard i < n else { return nil }
        var value: Int64 = 0
        while i < n {
            let digit = p[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative
                ? times10.subtractingReportingOverflow(Int64(digit))
                : times10.addingReportingOverflow(Int64(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = next
            i += 1
        }
        return value
    }
}

extension NumberParsing {
    /// Convenience for tests and callers holding bytes in an array.
    static func parseDouble(_ bytes: [UInt8]) -> Double? {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return parseDouble(base, count: buffer.count)
        }
    }
}
