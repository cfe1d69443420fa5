/// A frame's capture time: seconds since the Unix epoch (UTC) and
/// nanoseconds, whatever resolution the file stored, with that resolution
/// kept so times print with as many digits as the file had.
public struct CaptureTimestamp: Hashable, Comparable, Sendable {
    public var seconds: Int64
    /// 0 ..< 1_000_000_000.
    public var nanoseconds: UInt32
    /// Decimal digits the file's resolution supports, 0...9 (6 for
    /// microseconds, 9 for nanoseconds; a binary resolution is rounded up).
    public var fractionDigits: UInt8

    public init(seconds: Int64, nanoseconds: UInt32, fractionDigits: UInt8 = 9) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.fractionDigits = fractionDigits
    }

    /// Nanoseconds since the epoch (wraps in the year 2262).
    public var totalNanoseconds: Int64 { seconds &* 1_000_000_000 &+ Int64(nanoseconds) }

    public static func < (a: CaptureTimestamp, b: CaptureTimestamp) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }

    public static func == (a: CaptureTimestamp, b: CaptureTimestamp) -> Bool {
        a.seconds == b.seconds && a.nanoseconds == b.nanoseconds
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(seconds)
        hasher.combine(nanoseconds)
    }

    /// Seconds from `earlier` to `self`, as a Double (for rates and gaps).
    public func seconds(since earlier: CaptureTimestamp) -> Double {
        Double(seconds - earlier.seconds) + (Double(nanoseconds) - Double(earlier.nanoseconds)) / 1e9
    }
}
