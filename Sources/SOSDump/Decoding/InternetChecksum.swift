/// The Internet checksum (RFC 1071): the ones' complement of the ones'
/// complement sum of 16-bit big-endian words. Used by IPv4 (RFC 791), UDP
/// (RFC 768), ICMP (RFC 792) and ICMPv6 (RFC 4443).
///
/// Sums eight bytes at a time into a 64-bit accumulator (RFC 1071 §2's
/// "deferred carries"): the UDP checksum runs over every payload byte on the
/// hot path.
public struct InternetChecksum {
    @usableFromInline var sum: UInt64 = 0

    @inlinable public init() {}

    /// Adds a 16-bit word (pseudo-header fields).
    @inlinable
    public mutating func add(_ word: UInt16) {
        sum &+= UInt64(word)
    }

    @inlinable
    public mutating func add(_ word: UInt32) {
        sum &+= UInt64(word >> 16) &+ UInt64(word & 0xFFFF)
    }

    /// Adds four 16-bit words (half an IPv6 address).
    @inlinable
    public mutating func add(_ words: UInt64) {
        add(UInt32(truncatingIfNeeded: words >> 32))
        add(UInt32(truncatingIfNeeded: words))
    }

    /// Adds bytes as big-endian 16-bit words; an odd last byte is padded with
    /// zero. Call with an even count except for the last piece.
    @inlinable
    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var i = 0
        let n = bytes.count
        // Native-order 32-bit loads summed into 64 bits: the ones' complement
        // sum is byte-order independent (RFC 1071 §2.B), so swap once at the end.
        var native: UInt64 = 0
        while i &+ 8 <= n {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let (s, o) = native.addingReportingOverflow(w)
            native = s &+ (o ? 1 : 0)
            i &+= 8
        }
        if i &+ 4 <= n {
            let (s, o) = native.addingReportingOverflow(UInt64(bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
            native = s &+ (o ? 1 : 0)
            i &+= 4
        }
        if i &+ 2 <= n {
            let (s, o) = native.addingReportingOverflow(UInt64(bytes.loadUnaligned(fromByteOffset: i, as: UInt16.self)))
            native = s &+ (o ? 1 : 0)
            i &+= 2
        }
        var folded = Self.fold(native)
        folded = UInt16(bigEndian: folded)  // native order -> network order value
        sum &+= UInt64(folded)
        if i < n { sum &+= UInt64(bytes[i]) << 8 }
    }

    /// The checksum field value that makes the sum verify.
    @inlinable
    public var value: UInt16 { ~Self.fold(sum) }

    /// True when the data summed already included a correct checksum field.
    @inlinable
    public var verifies: Bool { Self.fold(sum) == 0xFFFF }

    @inlinable
    static func fold(_ x: UInt64) -> UInt16 {
        var s = (x & 0xFFFF_FFFF) &+ (x >> 32)
        s = (s & 0xFFFF) &+ (s >> 16)
        s = (s & 0xFFFF) &+ (s >> 16)
        s = (s & 0xFFFF) &+ (s >> 16)
        return UInt16(truncatingIfNeeded: s)
    }
}

/// Whether a packet's checksum was right.
public enum ChecksumStatus: Sendable, Equatable, CustomStringConvertible {
    case valid
    /// `expected` is what the field should have held.
    case invalid(found: UInt16, expected: UInt16)
    /// The sender left it out (UDP over IPv4 with checksum 0).
    case absent
    /// Not all the bytes it covers were captured.
    case unverified

    public var description: String {
        switch self {
        case .valid: "valid"
        case .invalid(let found, let expected): "bad (0x\(String(found, radix: 16)), should be 0x\(String(expected, radix: 16)))"
        case .absent: "absent"
        case .unverified: "unverified"
        }
    }
}
