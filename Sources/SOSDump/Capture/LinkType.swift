/// A capture's link-layer header type, as numbered by tcpdump.org's
/// LINKTYPE_ registry (the value stored in pcap and pcapng files).
///
/// An open enum: known values have names, unknown ones are kept and printed
/// as their number.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// BSD loopback, address family in host byte order (LINKTYPE_NULL).
    public static let null = LinkType(rawValue: 0)
    /// Ethernet II and IEEE 802.3 (LINKTYPE_ETHERNET).
    public static let ethernet = LinkType(rawValue: 1)
    /// Raw IPv4 or IPv6, version from the first nibble (LINKTYPE_RAW).
    public static let raw = LinkType(rawValue: 101)
    /// OpenBSD loopback, address family in network byte order (LINKTYPE_LOOP).
    public static let loop = LinkType(rawValue: 108)
    /// Linux "cooked" capture, version 1 (LINKTYPE_LINUX_SLL).
    public static let linuxSLL = LinkType(rawValue: 113)
    /// Raw IPv4 (LINKTYPE_IPV4).
    public static let ipv4 = LinkType(rawValue: 228)
    /// Raw IPv6 (LINKTYPE_IPV6).
    public static let ipv6 = LinkType(rawValue: 229)
    /// Linux "cooked" capture, version 2 (LINKTYPE_LINUX_SLL2).
    public static let linuxSLL2 = LinkType(rawValue: 276)

    /// The name tcpdump and libpcap use (`EN10MB`, `LINUX_SLL2`, …).
    public var name: String? {
        switch self {
        case .null: "NULL"
        case .ethernet: "EN10MB"
        case .raw: "RAW"
        case .loop: "LOOP"
        case .linuxSLL: "LINUX_SLL"
        case .ipv4: "IPV4"
        case .ipv6: "IPV6"
        case .linuxSLL2: "LINUX_SLL2"
        default: nil
        }
    }

    public var description: String { name ?? "LINKTYPE_\(rawValue)" }
}
