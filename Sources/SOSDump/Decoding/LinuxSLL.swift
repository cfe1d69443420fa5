/// Linux "cooked" capture header, version 1 (LINKTYPE_LINUX_SLL, 113), as
/// libpcap writes for `tcpdump -i any` (tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html).
///
/// ```
/// +---------------------------+
/// |  Packet type (2)          |  0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us
/// |  ARPHRD_ type (2)         |
/// |  Link-layer addr len (2)  |
/// |  Link-layer address (8)   |  first `len` bytes meaningful
/// |  Protocol type (2)        |  EtherType, or 0x0004 for an 802.2 LLC frame
/// +---------------------------+
/// ```
public struct LinuxSLLHeader: Sendable, Equatable {
    public var packetType: LinuxPacketType
    public var hardwareType: UInt16
    /// The sender's link-layer address (MAC for Ethernet devices), when it is 6 bytes.
    public var source: MACAddress?
    public var protocolType: UInt16

    public static let length = 16

    public static func decode(_ frame: ByteView) throws(DecodeProblem) -> (LinuxSLLHeader, payload: ByteView) {
        guard let type = frame.uint16(at: 0), let hw = frame.uint16(at: 2), let addrLen = frame.uint16(at: 4),
              let proto = frame.uint16(at: 14), let payload = frame.dropFirst(length)
        else { throw .missing(length, in: frame) }
        let source = addrLen == 6 ? MACAddress(frame, at: 6) : nil
        return (LinuxSLLHeader(packetType: LinuxPacketType(rawValue: type), hardwareType: hw, source: source, protocolType: proto), payload)
    }
}

/// Linux "cooked" capture header, version 2 (LINKTYPE_LINUX_SLL2, 276),
/// which adds the interface index (tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html).
///
/// ```
/// +---------------------------+
/// |  Protocol type (2)        |
/// |  Reserved (2)             |
/// |  Interface index (4)      |
/// |  ARPHRD_ type (2)         |
/// |  Packet type (1)          |
/// |  Link-layer addr len (1)  |
/// |  Link-layer address (8)   |
/// +---------------------------+
/// ```
public struct LinuxSLL2Header: Sendable, Equatable {
    public var protocolType: UInt16
    public var interfaceIndex: UInt32
    public var hardwareType: UInt16
    public var packetType: LinuxPacketType
    public var source: MACAddress?

    public static let length = 20

    public static func decode(_ frame: ByteView) throws(DecodeProblem) -> (LinuxSLL2Header, payload: ByteView) {
        guard let proto = frame.uint16(at: 0), let index = frame.uint32(at: 4), let hw = frame.uint16(at: 8),
              let type = frame.uint8(at: 10), let addrLen = frame.uint8(at: 11), let payload = frame.dropFirst(length)
        else { throw .missing(length, in: frame) }
        let source = addrLen == 6 ? MACAddress(frame, at: 12) : nil
        return (LinuxSLL2Header(protocolType: proto, interfaceIndex: index, hardwareType: hw,
                                packetType: LinuxPacketType(rawValue: UInt16(type)), source: source), payload)
    }
}

/// Which way a frame went, as Linux's packet socket tells (`PACKET_HOST` …).
public struct LinuxPacketType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let host = LinuxPacketType(rawValue: 0)
    public static let broadcast = LinuxPacketType(rawValue: 1)
    public static let multicast = LinuxPacketType(rawValue: 2)
    public static let otherHost = LinuxPacketType(rawValue: 3)
    public static let outgoing = LinuxPacketType(rawValue: 4)

    /// tcpdump's words: "In", "B", "M", "P", "Out".
    public var description: String {
        switch rawValue {
        case 0: "In"
        case 1: "B"
        case 2: "M"
        case 3: "P"
        case 4: "Out"
        default: "type \(rawValue)"
        }
    }
}

/// The protocol field of a cooked header: an EtherType, or one of Linux's
/// own values below 0x0600 (`ETH_P_802_2` = 4: an LLC frame follows).
enum CookedProtocol {
    static let ieee8022LLC: UInt16 = 0x0004
}
