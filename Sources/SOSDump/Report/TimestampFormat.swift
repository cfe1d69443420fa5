/// Capture times as text, in UTC, with as many fraction digits as the
/// capture's resolution has: no locale, no time zone database, no
/// allocation beyond the string itself.
extension CaptureTimestamp {
    /// `2026-11-21 12:24:22.123456` (tcpdump's `-tttt`, but UTC).
    public var utcText: String { format(dateTimeSeparator: UInt8(ascii: " "), suffix: nil) }

    /// `2026-11-21T12:24:22.123456Z` (RFC 3339).
    public var rfc3339: String { format(dateTimeSeparator: UInt8(ascii: "T"), suffix: UInt8(ascii: "Z")) }

    /// `1763727862.123456`: seconds since the epoch, as tshark's `frame.time_epoch`.
    public var epochText: String { "\(seconds)" + fraction }

    private var fraction: String {
        String(unsafeUninitializedCapacity: fractionCount) { writeFraction(into: $0, at: 0) }
    }

    /// The bytes of `.123456`: none without fraction digits.
    private var fractionCount: Int {
        let digits = Int(min(fractionDigits, 9))
        return digits > 0 ? digits + 1 : 0
    }

    /// Writes the fraction (`fractionCount` bytes) at `start`; returns the index after it.
    private func writeFraction(into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        let digits = fractionCount - 1
        guard digits > 0 else { return start }
        out[start] = UInt8(ascii: ".")
        var value = nanoseconds / Self.powersOfTen[9 - digits]
        for i in stride(from: start + digits, through: start + 1, by: -1) {
            out[i] = UInt8(48 + value % 10)
            value /= 10
        }
        return start + digits + 1
    }

    private static let powersOfTen: [UInt32] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]

    /// Written into one string: three strings joined, three times a
    /// record, were 2.5 % of `transfers` on the boot storm.
    private func format(dateTimeSeparator: UInt8, suffix: UInt8?) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (y, m, d) = Self.civilDate(daysSinceEpoch: days)
        guard (0..<10_000).contains(y) else {
            return "\(y)-\(m)-\(d)\(Character(Unicode.Scalar(dateTimeSeparator)))\(secondOfDay)s" + fraction
                + (suffix.map { String(Character(Unicode.Scalar($0))) } ?? "")
        }
        // YYYY-MM-DD?HH:MM:SS, written digit by digit.
        return String(unsafeUninitializedCapacity: 19 + fractionCount + (suffix == nil ? 0 : 1)) { out in
            func put(_ value: Int64, _ width: Int, at start: Int) {
                var v = value
                for i in stride(from: start + width - 1, through: start, by: -1) {
                    out[i] = UInt8(48 + v % 10)
                    v /= 10
                }
            }
            put(y, 4, at: 0); out[4] = UInt8(ascii: "-")
            put(m, 2, at: 5); out[7] = UInt8(ascii: "-")
            put(d, 2, at: 8); out[10] = dateTimeSeparator
            put(secondOfDay / 3600, 2, at: 11); out[13] = UInt8(ascii: ":")
            put(secondOfDay / 60 % 60, 2, at: 14); out[16] = UInt8(ascii: ":")
            put(secondOfDay % 60, 2, at: 17)
            var end = writeFraction(into: out, at: 19)
            if let suffix {
                out[end] = suffix
                end += 1
            }
            return end
        }
    }

    /// Reads back what `rfc3339` writes (`2026-11-21T12:24:22.123456Z`, 0 to 9
    /// fraction digits, years 0000–9999), keeping the number of digits; nil
    /// for anything else. Records carry times as this text; a renderer
    /// that needs the value (a gap between two lines) reads it back.
    public init?(rfc3339 text: String) {
        let b = Array(text.utf8)
        guard b.count >= 20, b.count <= 30, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[b.count - 1] == UInt8(ascii: "Z") else { return nil }
        func number(_ from: Int, _ count: Int) -> Int64? {
            var v: Int64 = 0
            for i in from..<(from + count) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard let y = number(0, 4), let m = number(5, 2), let d = number(8, 2), let hh = number(11, 2), let mm = number(14, 2),
              let ss = number(17, 2), (1...12).contains(m), (1...31).contains(d), hh < 24, mm < 60, ss < 60 else { return nil }
        var nanoseconds: Int64 = 0
        var digits = 0
        if b.count > 20 {
            guard b[19] == UInt8(ascii: "."), b.count - 21 >= 1, let f = number(20, b.count - 21) else { return nil }
            digits = b.count - 21
            nanoseconds = f * Int64(Self.powersOfTen[9 - digits])
        }
        let days = Self.daysSinceEpoch(year: y, month: m, day: d)
        self.init(seconds: days * 86_400 + hh * 3600 + mm * 60 + ss, nanoseconds: UInt32(nanoseconds), fractionDigits: UInt8(digits))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
    /// `days_from_civil`, public domain): the inverse of `civilDate`.
    static func daysSinceEpoch(year y0: Int64, month m: Int64, day d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Proleptic Gregorian date from days since 1970-01-01 (H. Hinnant's
    /// `civil_from_days`, public domain).
    static func civilDate(daysSinceEpoch z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
