/// Capture times as text, in UTC, with as many fraction digits as the
/// capture's resolution has: no locale, no time zone database, no
/// allocation beyond the string itself.
extension CaptureTimestamp {
    /// `2026-11-21 12:24:22.123456` (tcpdump's `-tttt`, but UTC).
    public var utcText: String { format(dateTimeSeparator: UInt8(ascii: " "), suffix: "") }

    /// `2026-11-21T12:24:22.123456Z` (RFC 3339).
    public var rfc3339: String { format(dateTimeSeparator: UInt8(ascii: "T"), suffix: "Z") }

    /// `1763727862.123456`: seconds since the epoch, as tshark's `frame.time_epoch`.
    public var epochText: String { "\(seconds)" + fraction }

    private var fraction: String {
        let digits = Int(min(fractionDigits, 9))
        guard digits > 0 else { return "" }
        return String(unsafeUninitializedCapacity: digits + 1) { out in
            out[0] = UInt8(ascii: ".")
            var value = nanoseconds / Self.powersOfTen[9 - digits]
            for i in stride(from: digits, through: 1, by: -1) {
                out[i] = UInt8(48 + value % 10)
                value /= 10
            }
            return digits + 1
        }
    }

    private static let powersOfTen: [UInt32] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]

    private func format(dateTimeSeparator: UInt8, suffix: String) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (y, m, d) = Self.civilDate(daysSinceEpoch: days)
        guard (0..<10_000).contains(y) else {
            return "\(y)-\(m)-\(d)\(Character(Unicode.Scalar(dateTimeSeparator)))\(secondOfDay)s" + fraction + suffix
        }
        // YYYY-MM-DD?HH:MM:SS, written digit by digit.
        let clock = String(unsafeUninitializedCapacity: 19) { out in
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
            return 19
        }
        return clock + fraction + suffix
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
