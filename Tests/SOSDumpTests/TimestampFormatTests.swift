import Testing
@testable import SOSDump

@Suite struct TimestampFormatTests {
    @Test(arguments: [
        (Int64(0), UInt32(0), UInt8(6), "1970-01-01 00:00:00.000000", "0.000000"),
        (1_763_727_862, 123_456_789, 9, "2025-11-21 12:24:22.123456789", "1763727862.123456789"),
        (1_763_727_862, 123_456_789, 6, "2025-11-21 12:24:22.123456", "1763727862.123456"),
        (951_782_400, 5_000_000, 3, "2000-02-29 00:00:00.005", "951782400.005"),     // leap day
        (-1, 0, 0, "1969-12-31 23:59:59", "-1"),
        (4_102_444_800, 1, 9, "2100-01-01 00:00:00.000000001", "4102444800.000000001"),
    ])
    func formats(seconds: Int64, nanoseconds: UInt32, digits: UInt8, utc: String, epoch: String) {
        let t = CaptureTimestamp(seconds: seconds, nanoseconds: nanoseconds, fractionDigits: digits)
        #expect(t.utcText == utc)
        #expect(t.epochText == epoch)
        #expect(t.rfc3339 == utc.replacing(" ", with: "T") + "Z")
    }

    @Test func civilDateMatchesAKnownCalendar() {
        // Every first of March from 1900 to 2400 is the day after the last of February.
        for year in Int64(1900)...2400 {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            var days: Int64 = 0
            for y in 1970..<max(year, 1970) { days += ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 366 : 365 }
            for y in min(year, 1970)..<1970 { days -= ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 366 : 365 }
            let march1 = days + 31 + (leap ? 29 : 28)
            let date = CaptureTimestamp.civilDate(daysSinceEpoch: march1)
            #expect(date.year == year && date.month == 3 && date.day == 1, "\(year)")
        }
    }
}

extension TimestampFormatTests {
    /// Records carry times as RFC 3339 text; a renderer reads them back.
    @Test func rfc3339ReadsBackWhatItWrites() {
        for (seconds, nanoseconds, digits) in [(0, 0, 0), (1_763_727_862, 123_456_000, 6), (1_795_000_000, 123_456_789, 9),
                                                (951_782_400, 500_000_000, 1), (4_102_444_799, 999_999_999, 9), (-86_401, 0, 0)] as [(Int64, UInt32, UInt8)] {
            let t = CaptureTimestamp(seconds: seconds, nanoseconds: nanoseconds, fractionDigits: digits)
            let back = CaptureTimestamp(rfc3339: t.rfc3339)
            #expect(back == t && back?.fractionDigits == digits, "\(t.rfc3339)")
        }
        for bad in ["", "2026-11-21 12:24:22Z", "2026-11-21T12:24:22", "2026-13-01T00:00:00Z", "2026-11-21T24:00:00Z",
                    "2026-11-21T12:24:22.Z", "2026-11-21T12:24:22.1234567890Z", "2026-1a-21T12:24:22Z"] {
            #expect(CaptureTimestamp(rfc3339: bad) == nil, "\(bad)")
        }
    }
}
