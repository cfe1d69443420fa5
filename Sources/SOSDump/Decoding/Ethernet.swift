/// Ethernet II and IEEE 802.3 framing (IEEE 802.3-2022 clause 3.2; RFC 894
/// for IP over Ethernet II). LINKTYPE_ETHERNET.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  Destination MAC (6 octets)                   |
/// +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                               |                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
/// |                     Source MAC (6 octets)                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   EtherType (>= 0x0600)       |
/// |   or 802.3 length (<= 1500)   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// The frame check sequence is not in captures made on Linux.
public struct EthernetHeader: Sendable, Equatable {
    public var destination: MACAddress
    public var source: MACAddress
    /// The type/length field as it stands after the source address: an
    /// EtherType (possibly a VLAN tag's TPID), or an 802.3 length.
    public var typeOrLength: UInt16

    public static let length = 14

    /// 802.3 frames carry a length (≤ 1500) where Ethernet II has a type.
    public var ieee8023Length: Int? { typeOrLength <= 1500 ? Int(typeOrLength) : nil }

    /// Decodes the 14-byte header; returns it with the bytes that follow.
    public static func decode(_ frame: ByteView) throws(DecodeProblem) -> (EthernetHeader, payload: ByteView) {
        guard let dst = MACAddress(frame, at: 0), let src = MACAddress(frame, at: 6),
              let type = frame.uint16(at: 12), let payload = frame.dropFirst(length)
        else { throw .missing(length, in: frame) }
        return (EthernetHeader(destination: dst, source: src, typeOrLength: type), payload)
    }
}

/// An EtherType (IEEE Registration Authority). Known values are named;
/// others are kept and printed in hex.
public struct EtherType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let ipv4 = EtherType(rawValue: 0x0800)
    public static let arp = EtherType(rawValue: 0x0806)
    /// IEEE 802.1Q customer VLAN tag (C-tag).
    public static let vlan = EtherType(rawValue: 0x8100)
    public static let ipv6 = EtherType(rawValue: 0x86DD)
    /// IEEE 802.1ad service VLAN tag (S-tag, "QinQ").
    public static let qinq = EtherType(rawValue: 0x88A8)
    public static let lldp = EtherType(rawValue: 0x88CC)
    /// The pre-standard QinQ tag some switches still send.
    public static let qinqLegacy = EtherType(rawValue: 0x9100)

    /// True for the tag protocol identifiers of 802.1Q and 802.1ad.
    public var isVLANTag: Bool { self == .vlan || self == .qinq || self == .qinqLegacy }

    public var name: String? {
        switch self {
        case .ipv4: "IPv4"
        case .arp: "ARP"
        case .vlan: "802.1Q"
        case .ipv6: "IPv6"
        case .qinq: "802.1ad"
        case .lldp: "LLDP"
        case .qinqLegacy: "QinQ"
        default: nil
        }
    }

    public var description: String { name ?? "ethertype 0x" + hex4(rawValue) }
}


func hex4(_ v: UInt16) -> String {
    hex2(UInt8(v >> 8)) + hex2(UInt8(v & 0xFF))
}
