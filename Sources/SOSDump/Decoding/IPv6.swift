/// Internet Protocol version 6 (RFC 8200) with its extension headers:
/// hop-by-hop options, routing, fragment, destination options (RFC 8200 §4),
/// authentication (RFC 4302), mobility (RFC 6275), HIP and shim6 (RFC 6564's
/// uniform format). ESP (RFC 4303) ends decoding: what follows is encrypted.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Version| Traffic Class |           Flow Label                  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Payload Length        |  Next Header  |   Hop Limit   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  Source Address (128 bits)                    |
/// |               Destination Address (128 bits)                  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public struct IPv6Header: Sendable, Equatable {
    public var trafficClass: UInt8
    public var flowLabel: UInt32
    public var payloadLength: Int
    /// The Next Header field of the fixed header.
    public var nextHeader: IPProtocol
    public var hopLimit: UInt8
    public var source: IPv6Address
    public var destination: IPv6Address
    /// The extension headers, in order (empty for none).
    public var extensionHeaders: IPv6ExtensionHeaders
    /// The protocol after the last extension header.
    public var upperLayer: IPProtocol
    /// Set when a Fragment header is present.
    public var fragment: IPv6Fragment?

    public static let length = 40

    /// Decodes the fixed header and every extension header, and returns them
    /// with the upper-layer payload (narrowed to the payload length).
    ///
    /// `quoted`: the header is one an ICMPv6 error quotes; its payload length
    /// describes the original packet, not what follows.
    public static func decode(_ packet: ByteView, quoted: Bool = false) throws(DecodeProblem) -> (IPv6Header, payload: ByteView) {
        guard let first = packet.uint32(at: 0), let plen = packet.uint16(at: 4), let next = packet.uint8(at: 6),
              let hops = packet.uint8(at: 7), let src = IPv6Address(packet, at: 8), let dst = IPv6Address(packet, at: 24)
        else {
            if let v = packet.uint8(at: 0), v >> 4 != 6 { throw .malformed(.wrongVersion(found: v >> 4, expected: 6)) }
            throw .missing(length, in: packet)
        }
        guard first >> 28 == 6 else { throw .malformed(.wrongVersion(found: UInt8(first >> 28), expected: 6)) }
        let payloadLength = Int(plen)
        var rest: ByteView
        if quoted {
            rest = packet.dropFirst(length) ?? packet
        } else {
            guard length + payloadLength <= packet.wireCount else {
                throw .malformed(.lengthBeyondPacket(field: .ipv6PayloadLength, claimed: payloadLength,
                                                     available: packet.wireCount - length))
            }
            guard let datagram = packet.prefix(wireLength: length + payloadLength), let p = datagram.dropFirst(length) else {
                throw .missing(length, in: packet)
            }
            rest = p
        }
        var header = IPv6Header(
            trafficClass: UInt8(truncatingIfNeeded: first >> 20), flowLabel: first & 0xF_FFFF,
            payloadLength: payloadLength, nextHeader: IPProtocol(rawValue: next), hopLimit: hops,
            source: src, destination: dst, extensionHeaders: .init(), upperLayer: IPProtocol(rawValue: next), fragment: nil)

        // Walk the chain. Each extension header starts with Next Header and
        // (except Fragment) a length; a chain longer than the packet is malformed.
        var proto = header.nextHeader
        while let kind = IPv6ExtensionHeaders.kind(of: proto) {
            let current = proto
            let extLength: Int
            switch kind {
            case .fragment:
                extLength = 8
                guard let n = rest.uint8(at: 0), let offsetFlags = rest.uint16(at: 2), let id = rest.uint32(at: 4) else {
                    throw .missing(8, in: rest)
                }
                header.fragment = IPv6Fragment(offset: Int(offsetFlags & 0xFFF8), moreFragments: offsetFlags & 1 != 0,
                                               identification: id, nextHeader: IPProtocol(rawValue: n))
                proto = IPProtocol(rawValue: n)
            case .authentication:
                guard let n = rest.uint8(at: 0), let len = rest.uint8(at: 1) else { throw .missing(2, in: rest) }
                extLength = (Int(len) + 2) * 4
                proto = IPProtocol(rawValue: n)
            case .generic:
                guard let n = rest.uint8(at: 0), let len = rest.uint8(at: 1) else { throw .missing(2, in: rest) }
                extLength = (Int(len) + 1) * 8
                proto = IPProtocol(rawValue: n)
            }
            guard extLength <= rest.wireCount || quoted else {
                throw .malformed(.lengthBeyondPacket(field: .ipv6ExtensionLength, claimed: extLength, available: rest.wireCount))
            }
            guard let after = rest.dropFirst(extLength) else { throw .missing(extLength, in: rest) }
            header.extensionHeaders.append(current)
            rest = after
            // A fragment that is not the first carries no upper-layer header.
            if kind == .fragment, let f = header.fragment, f.offset != 0 { break }
        }
        header.upperLayer = proto
        return (header, rest)
    }
}

/// The Fragment header (RFC 8200 §4.5).
public struct IPv6Fragment: Sendable, Equatable {
    /// In bytes.
    public var offset: Int
    public var moreFragments: Bool
    public var identification: UInt32
    public var nextHeader: IPProtocol
}

/// The extension headers of an IPv6 packet, in order, held inline (up to
/// eight are remembered; more are counted).
public struct IPv6ExtensionHeaders: Sendable, Equatable {
    /// Up to eight next-header values, one per byte, first in the low byte.
    var packed: UInt64 = 0
    public private(set) var count = 0

    enum Kind { case generic, fragment, authentication }

    static func kind(of proto: IPProtocol) -> Kind? {
        switch proto {
        case .hopByHop, .routing, .destinationOptions, .mobility, .hip, .shim6: .generic
        case .fragment: .fragment
        case .authentication: .authentication
        default: nil
        }
    }

    mutating func append(_ proto: IPProtocol) {
        if count < 8 { packed |= UInt64(proto.rawValue) << (8 * UInt64(count)) }
        count += 1
    }

    /// The header types, outermost first (the first eight).
    public var all: [IPProtocol] {
        (0..<Swift.min(count, 8)).map { IPProtocol(rawValue: UInt8(truncatingIfNeeded: packed >> (8 * UInt64($0)))) }
    }

    public var isEmpty: Bool { count == 0 }
}
