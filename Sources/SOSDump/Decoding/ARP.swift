/// Address Resolution Protocol (RFC 826). Ethernet/IPv4 ARP (hardware type
/// 1, protocol 0x0800, lengths 6 and 4) is decoded in full; other kinds keep
/// their header fields only.
///
/// ```
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Hardware Type         |         Protocol Type         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  HW addr len  | Proto addr len|           Operation           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Sender HW address | Sender proto address | Target HW | Target proto
/// ```
public struct ARPPacket: Sendable, Equatable {
    public var hardwareType: UInt16
    public var protocolType: UInt16
    public var hardwareLength: UInt8
    public var protocolLength: UInt8
    public var operation: UInt16
    /// Set for Ethernet/IPv4 ARP.
    public var senderMAC: MACAddress?
    public var senderIP: IPv4Address?
    public var targetMAC: MACAddress?
    public var targetIP: IPv4Address?

    public static let fixedLength = 8
    public static let request: UInt16 = 1
    public static let reply: UInt16 = 2

    public var isEthernetIPv4: Bool { hardwareType == 1 && protocolType == 0x0800 && hardwareLength == 6 && protocolLength == 4 }

    /// A request or reply that announces the sender's own address (sender
    /// and target protocol addresses equal).
    public var isGratuitous: Bool { senderIP != nil && senderIP == targetIP }

    public static func decode(_ packet: ByteView) throws(DecodeProblem) -> ARPPacket {
        guard let htype = packet.uint16(at: 0), let ptype = packet.uint16(at: 2), let hlen = packet.uint8(at: 4),
              let plen = packet.uint8(at: 5), let op = packet.uint16(at: 6)
        else { throw .missing(fixedLength, in: packet) }
        var arp = ARPPacket(hardwareType: htype, protocolType: ptype, hardwareLength: hlen, protocolLength: plen, operation: op)
        let total = fixedLength + 2 * (Int(hlen) + Int(plen))
        guard total <= packet.wireCount else {
            throw .malformed(.lengthBeyondPacket(field: .arpAddressLengths, claimed: total, available: packet.wireCount))
        }
        guard packet.count >= total else { throw .missing(total, in: packet) }
        if arp.isEthernetIPv4 {
            arp.senderMAC = MACAddress(packet, at: 8)
            arp.senderIP = IPv4Address(packet, at: 14)
            arp.targetMAC = MACAddress(packet, at: 18)
            arp.targetIP = IPv4Address(packet, at: 24)
        }
        return arp
    }

    /// tcpdump's words.
    public var summary: String {
        guard isEthernetIPv4, let senderIP, let targetIP, let senderMAC else {
            return "ARP, hardware type \(hardwareType), protocol 0x\(hex4(protocolType)), operation \(operation)"
        }
        switch operation {
        case Self.request: return "ARP, Request who-has \(targetIP) tell \(senderIP), length 28"
        case Self.reply: return "ARP, Reply \(senderIP) is-at \(senderMAC), length 28"
        default: return "ARP, operation \(operation), \(senderIP) -> \(targetIP)"
        }
    }
}

extension ARPPacket {
    init(hardwareType: UInt16, protocolType: UInt16, hardwareLength: UInt8, protocolLength: UInt8, operation: UInt16) {
        self.init(hardwareType: hardwareType, protocolType: protocolType, hardwareLength: hardwareLength,
                  protocolLength: protocolLength, operation: operation, senderMAC: nil, senderIP: nil, targetMAC: nil, targetIP: nil)
    }
}
