/// Capture times as text, in UTC, with as many fraction digits as the
/// capture's resolution has: no locale, no time zone database, no
/// allocation beyond the string itself.
extension CaptureTimestamp {
    /// `2026-11-21 12:24:22.123456` (tcpdump's `-tttt`, but UTC).
    public var utcText: String { format(dateTimeSeparator: " ", suffix: "") }

    /// `2026-11-21T12:24:22.123456Z` (RFC 3339).
    public var rfc3339: String { format(dateTimeSeparator: "T", suffix: "Z") }

    /// `1763727862.123456`: seconds since the epoch, as tshark's `frame.time_epoch`.
    public var epochText: String { "\(seconds)" + fraction }

    private var fraction: String {
        guard fractionDigits > 0 else { return "" }
        var digits = String(nanoseconds)
        digits = String(repeating: "0", count: 9 - digits.count) + digits
        return "." + digits.prefix(Int(min(fractionDigits, 9)))
    }

    private func format(dateTimeSeparator: String, suffix: String) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (y, m, d) = Self.civilDate(daysSinceEpoch: days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = y >= 0 && y < 10_000 ? String(repeating: "0", count: 4 - String(y).count) + String(y) : String(y)
        return "\(year)-\(two(m))-\(two(d))\(dateTimeSeparator)\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
            + fraction + suffix
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
