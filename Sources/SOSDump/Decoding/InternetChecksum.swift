/// The Internet checksum (RFC 1071): the ones' complement of the ones'
/// complement sum of 16-bit big-endian words. Used by IPv4 (RFC 791), UDP
/// (RFC 768), ICMP (RFC 792) and ICMPv6 (RFC 4443).
///
/// Sums 32-bit words into 64-bit accumulators (RFC 1071 §2's "deferred
/// carries"): the UDP checksum runs over every payload byte on the hot path,
/// so this loop is most of the cost of decoding a large datagram.
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
        let n = bytes.count
        var i = 0
        // Zero-extended native 32-bit words summed into 64-bit lanes cannot
        // overflow below 16 GiB, so there is no carry to track, and the loop
        // vectorises. The ones' complement sum is byte-order independent
        // (RFC 1071 §2.B): fold the native sum, then swap it once.
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0
        while i &+ 16 <= n {
            a &+= UInt64(bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self))
            b &+= UInt64(bytes.loadUnaligned(fromByteOffset: i &+ 4, as: UInt32.self))
            c &+= UInt64(bytes.loadUnaligned(fromByteOffset: i &+ 8, as: UInt32.self))
            d &+= UInt64(bytes.loadUnaligned(fromByteOffset: i &+ 12, as: UInt32.self))
            i &+= 16
        }
        while i &+ 4 <= n {
            a &+= UInt64(bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self))
            i &+= 4
        }
        if i &+ 2 <= n {
            a &+= UInt64(bytes.loadUnaligned(fromByteOffset: i, as: UInt16.self))
            i &+= 2
        }
        let native = Self.fold(a &+ b &+ c &+ d)
        sum &+= UInt64(UInt16(bigEndian: native))  // native order -> network order value
        if i < n { sum &+= UInt64(bytes[i]) << 8 }
    }

    /// The checksum field value that makes the sum verify.
    @inlinable
    public var value: UInt16 { ~Self.fold(sum) }

    /// True when the data summed already included a correct checksum field.
    @inlinable
    public var verifies: Bool { Self.fold(sum) == 0xFFFF }

    /// Checks the checksum field at `fieldOffset` of `bytes`, which must all
    /// have been captured, on top of what `self` already holds (a
    /// pseudo-header). When it is wrong, says what it should have been: the
    /// sum of everything but the field.
    func status(of bytes: ByteView, fieldAt fieldOffset: Int) -> ChecksumStatus {
        guard !bytes.isTruncated, let found = bytes.uint16(at: fieldOffset) else { return .unverified }
        var whole = self
        whole.add(bytes.rawBytes)
        if whole.verifies { return .valid }
        guard let before = bytes.slice(at: 0, length: fieldOffset), let after = bytes.dropFirst(fieldOffset + 2) else { return .unverified }
        var expected = self
        expected.add(before.rawBytes)
        expected.add(after.rawBytes)
        return .invalid(found: found, expected: expected.value)
    }

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
    /// The decoder was told not to check it (`ChecksumPolicy.deferred`).
    case notChecked

    /// One word for machine-readable output: valid, bad, absent, unverified,
    /// unchecked.
    public var word: String {
        switch self {
        case .valid: "valid"
        case .invalid: "bad"
        case .absent: "absent"
        case .unverified: "unverified"
        case .notChecked: "unchecked"
        }
    }

    public var description: String {
        switch self {
        case .valid: "valid"
        case .invalid(let found, let expected): "bad: 0x\(hex4(found)), should be 0x\(hex4(expected))"
        case .absent: "absent"
        case .unverified: "unverified"
        case .notChecked: "not checked"
        }
    }
}
