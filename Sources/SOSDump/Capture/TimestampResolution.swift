/// The length of one timestamp unit: 10^-n or 2^-n seconds, coded as pcapng's
/// `if_tsresol` option byte (draft-ietf-opsawg-pcapng, section 4.2): high bit
/// clear, 10^-n with n the low seven bits; set, 2^-n. Classic pcap files
/// count microseconds or, with the nanosecond magic, nanoseconds.
///
/// Converts a count of units since the epoch into seconds and nanoseconds
/// for any n from 0 to 127, without overflow (truncating below a
/// nanosecond).
struct TimestampResolution: Hashable, Sendable {
    /// The `if_tsresol` byte.
    let code: UInt8
    /// Decimal digits the resolution supports: n for 10^-n and the digits a
    /// 2^-n unit needs (rounded up), at most 9.
    let fractionDigits: UInt8

    static let microseconds = TimestampResolution(code: 6)
    static let nanoseconds = TimestampResolution(code: 9)

    init(code: UInt8) {
        self.code = code
        let exponent = Int(code & 0x7F)
        if code & 0x80 == 0 {
            fractionDigits = UInt8(Swift.min(exponent, 9))
        } else if exponent >= 30 {
            fractionDigits = 9  // 2^-30 s is finer than a nanosecond
        } else {
            // The fewest decimal digits whose unit is no coarser than 2^-n.
            var digits: UInt8 = 0
            var power: UInt64 = 1
            while power < UInt64(1) << exponent { power *= 10; digits += 1 }
            fractionDigits = digits
        }
    }

    var isBinary: Bool { code & 0x80 != 0 }
    /// n in 10^-n or 2^-n.
    var exponent: Int { Int(code & 0x7F) }

    /// A count of units since the epoch as whole seconds and nanoseconds.
    @inline(__always)
    func split(_ units: UInt64) -> (seconds: UInt64, nanoseconds: UInt32) {
        switch code {
        case 6: (units / 1_000_000, UInt32(truncatingIfNeeded: units % 1_000_000) &* 1_000)
        case 9: (units / 1_000_000_000, UInt32(truncatingIfNeeded: units % 1_000_000_000))
        default: splitAnyResolution(units)
        }
    }

    @inline(never)
    func splitAnyResolution(_ units: UInt64) -> (seconds: UInt64, nanoseconds: UInt32) {
        let n = exponent
        if n == 0 { return (units, 0) }
        if isBinary {
            let seconds = n >= 64 ? 0 : units >> n
            let fraction = n >= 64 ? units : units & ((1 << n) - 1)
            // fraction * 10^9 / 2^n, in 128 bits: fraction < 2^n, so the
            // result is below 10^9.
            let product = fraction.multipliedFullWidth(by: 1_000_000_000)
            let nanoseconds: UInt64 = n >= 64
                ? product.high >> (n - 64)
                : (product.high << (64 - n)) | (product.low >> n)
            return (seconds, UInt32(truncatingIfNeeded: nanoseconds))
        }
        if n <= 9 {
            let unitsPerSecond = powerOfTen(n)
            let nanoseconds = (units % unitsPerSecond) * powerOfTen(9 - n)
            return (units / unitsPerSecond, UInt32(truncatingIfNeeded: nanoseconds))
        }
        if n <= 19 {
            let unitsPerSecond = powerOfTen(n)
            let nanoseconds = (units % unitsPerSecond) / powerOfTen(n - 9)
            return (units / unitsPerSecond, UInt32(truncatingIfNeeded: nanoseconds))
        }
        // 10^n > 2^64: under a second; 10^(n-9) units make a nanosecond.
        let unitsPerNanosecond = n - 9
        if unitsPerNanosecond > 19 { return (0, 0) }
        return (0, UInt32(truncatingIfNeeded: units / powerOfTen(unitsPerNanosecond)))
    }

    /// The time `units` after the epoch, moved by `offsetSeconds` (pcapng's
    /// `if_tsoffset`), clamped to what `Int64` seconds hold.
    @inline(__always)
    func timestamp(_ units: UInt64, offsetSeconds: Int64 = 0) -> CaptureTimestamp {
        let (whole, nanoseconds) = split(units)
        var seconds = Int64(clamping: whole)
        if offsetSeconds != 0 {
            let (sum, overflow) = seconds.addingReportingOverflow(offsetSeconds)
            seconds = overflow ? (offsetSeconds > 0 ? .max : .min) : sum
        }
        return CaptureTimestamp(seconds: seconds, nanoseconds: nanoseconds, fractionDigits: fractionDigits)
    }
}

/// 10^n for n in 0...19.
private func powerOfTen(_ n: Int) -> UInt64 {
    var result: UInt64 = 1
    for _ in 0..<n { result &*= 10 }
    return result
}
