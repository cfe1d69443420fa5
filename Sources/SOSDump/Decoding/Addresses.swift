/// Link and network addresses as small values: no allocation until printed.

/// A 48-bit IEEE MAC address.
public struct MACAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The six octets in the low 48 bits, first octet most significant.
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue & 0xFFFF_FFFF_FFFF }

    public init(_ o: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)) {
        var v: UInt64 = 0
        for b in [o.0, o.1, o.2, o.3, o.4, o.5] { v = v << 8 | UInt64(b) }
        self.rawValue = v
    }

    /// The six bytes at `offset`, or nil when they are not captured.
    @inlinable @inline(__always)
    public init?(_ view: ByteView, at offset: Int) {
        guard let hi = view.uint16(at: offset), let lo = view.uint32(at: offset + 2) else { return nil }
        self.init(rawValue: UInt64(hi) << 32 | UInt64(lo))
    }

    public static let broadcast = MACAddress(rawValue: 0xFFFF_FFFF_FFFF)

    public var octets: [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: rawValue >> (40 - 8 * UInt64($0))) } }

    /// Group bit (I/G) set: multicast or broadcast.
    public var isMulticast: Bool { rawValue & 0x0100_0000_0000 != 0 }

    public var description: String {
        String(unsafeUninitializedCapacity: 17) { out in
            for i in 0..<6 {
                let byte = UInt8(truncatingIfNeeded: rawValue >> (40 - 8 * UInt64(i)))
                out[i * 3] = hexDigits[Int(byte >> 4)]
                out[i * 3 + 1] = hexDigits[Int(byte & 0xF)]
                if i < 5 { out[i * 3 + 2] = UInt8(ascii: ":") }
            }
            return 17
        }
    }

    public static func < (a: MACAddress, b: MACAddress) -> Bool { a.rawValue < b.rawValue }
}

/// An IPv4 address (RFC 791).
public struct IPv4Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        rawValue = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Dotted-quad text, e.g. "234.4.8.10"; nil if it is not exactly that.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), let n = UInt8(p) else { return nil }
            v = v << 8 | UInt32(n)
        }
        rawValue = v
    }

    @inlinable @inline(__always)
    public init?(_ view: ByteView, at offset: Int) {
        guard let v = view.uint32(at: offset) else { return nil }
        rawValue = v
    }

    public static let any = IPv4Address(rawValue: 0)
    public static let broadcast = IPv4Address(rawValue: 0xFFFF_FFFF)

    /// 224.0.0.0/4.
    public var isMulticast: Bool { rawValue >> 28 == 0xE }

    public var description: String {
        String(unsafeUninitializedCapacity: 15) { out in
            var n = 0
            for shift in [24, 16, 8, 0] as [UInt32] {
                let octet = Int(rawValue >> shift & 0xFF)
                if octet >= 100 { out[n] = UInt8(48 + octet / 100); n += 1 }
                if octet >= 10 { out[n] = UInt8(48 + octet / 10 % 10); n += 1 }
                out[n] = UInt8(48 + octet % 10); n += 1
                if shift != 0 { out[n] = UInt8(ascii: "."); n += 1 }
            }
            return n
        }
    }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.rawValue < b.rawValue }
}

/// An IPv6 address (RFC 8200), printed as RFC 5952 recommends.
public struct IPv6Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    @inlinable @inline(__always)
    public init?(_ view: ByteView, at offset: Int) {
        guard let h = view.uint64(at: offset), let l = view.uint64(at: offset + 8) else { return nil }
        high = h
        low = l
    }

    /// ff00::/8.
    public var isMulticast: Bool { high >> 56 == 0xFF }

    /// The eight 16-bit groups.
    public var groups: [UInt16] {
        (0..<4).map { UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64($0))) }
            + (0..<4).map { UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64($0))) }
    }

    public var description: String {
        let g = groups
        // RFC 5952 4.2: compress the longest run (first if tied) of two or more zero groups.
        var bestStart = -1, bestLength = 0, i = 0
        while i < 8 {
            guard g[i] == 0 else { i += 1; continue }
            var j = i
            while j < 8, g[j] == 0 { j += 1 }
            if j - i > bestLength, j - i >= 2 { bestStart = i; bestLength = j - i }
            i = j
        }
        let hex = g.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return hex.joined(separator: ":") }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }

    public static func < (a: IPv6Address, b: IPv6Address) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

/// Either kind of IP address.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    public var description: String {
        switch self {
        case .v4(let a): a.description
        case .v6(let a): a.description
        }
    }
}

/// Lower-case hex digits as ASCII bytes.
@usableFromInline
let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

/// A byte as two lower-case hex digits.
@usableFromInline
func hex2(_ b: UInt8) -> String {
    String(unsafeUninitializedCapacity: 2) { out in
        out[0] = hexDigits[Int(b >> 4)]
        out[1] = hexDigits[Int(b & 0xF)]
        return 2
    }
}

/// An IP address and a UDP or TCP port: one end of a conversation.
public struct TransportEndpoint: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public init(_ address: IPAddress, _ port: UInt16) {
        self.address = address
        self.port = port
    }

    /// `192.0.2.1:69`, or `[2001:db8::1]:69` for IPv6.
    public var description: String {
        switch address {
        case .v4(let a): "\(a):\(port)"
        case .v6(let a): "[\(a)]:\(port)"
        }
    }
}

extension IPAddress {
    public var isMulticast: Bool {
        switch self {
        case .v4(let a): a.isMulticast
        case .v6(let a): a.isMulticast
        }
    }
}
