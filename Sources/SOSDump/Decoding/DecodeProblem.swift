/// Why decoding a frame stopped, and where.
///
/// A frame that does not decode stops at the layer where it broke and keeps
/// every layer decoded above it (in `Dissection`); `DecodeStop` says which
/// layer broke and why. Truncation by the capture's snap length and a packet
/// that is itself malformed are different outcomes, as in tcpdump.
public struct DecodeStop: Sendable, Equatable, CustomStringConvertible {
    /// The layer that could not be decoded.
    public var layer: ProtocolLayer
    /// Where that layer starts, as a byte offset in the frame (or in the
    /// reassembled datagram, for layers above a reassembled IP datagram).
    public var offset: Int
    public var problem: DecodeProblem

    public init(layer: ProtocolLayer, offset: Int, problem: DecodeProblem) {
        self.layer = layer
        self.offset = offset
        self.problem = problem
    }

    public var isTruncation: Bool { problem.isTruncation }

    public var description: String {
        switch problem {
        case .truncated(let needed, let captured):
            "\(layer) truncated by snap length: needs \(needed) bytes, \(captured) captured"
        case .malformed(let what):
            "malformed \(layer): \(what)"
        }
    }
}

/// What went wrong while decoding one layer.
public enum DecodeProblem: Error, Sendable, Equatable {
    /// The capture kept fewer bytes than the packet had: the layer needs
    /// `needed` bytes and `captured` are there.
    case truncated(needed: Int, captured: Int)
    /// The packet itself breaks its protocol's rules.
    case malformed(Malformation)

    /// Cut by the snap length, rather than broken.
    public var isTruncation: Bool {
        if case .truncated = self { return true }
        return false
    }

    /// The outcome when a layer needs `needed` bytes from `view` and they are
    /// not all there: truncated if the wire had them, malformed if not.
    static func missing(_ needed: Int, in view: ByteView) -> DecodeProblem {
        view.shortfall(needed) == .truncated
            ? .truncated(needed: needed, captured: view.count)
            : .malformed(.tooShort(needed: needed, available: view.wireCount))
    }
}

/// How a packet breaks its protocol's rules. Each case carries the numbers a
/// person needs to see it in a hex dump.
public enum Malformation: Sendable, Equatable, CustomStringConvertible {
    /// The packet on the wire is shorter than the layer's fixed header.
    case tooShort(needed: Int, available: Int)
    /// A length field claims more bytes than the packet carries.
    case lengthBeyondPacket(field: LengthField, claimed: Int, available: Int)
    /// A length field claims fewer bytes than the header it belongs to.
    case lengthTooSmall(field: LengthField, claimed: Int, minimum: Int)
    /// The IP version nibble does not match the layer.
    case wrongVersion(found: UInt8, expected: UInt8)
    /// A field holds a value the protocol does not allow.
    case invalidField(field: LengthField, value: Int)
    /// A text field that must end in a NUL byte runs to the end of the packet.
    case unterminatedText(offset: Int)
    /// A list of options that must close with an End option (DHCP's 255)
    /// runs to the end of the packet at `offset` without one.
    case missingEndOption(offset: Int)

    public var description: String {
        switch self {
        case .tooShort(let needed, let available):
            "needs \(needed) bytes, the packet has \(available)"
        case .lengthBeyondPacket(let field, let claimed, let available):
            "\(field) is \(claimed) but only \(available) bytes follow"
        case .lengthTooSmall(let field, let claimed, let minimum):
            "\(field) is \(claimed), less than the minimum \(minimum)"
        case .wrongVersion(let found, let expected):
            "version \(found), expected \(expected)"
        case .invalidField(let field, let value):
            "\(field) has the invalid value \(value)"
        case .unterminatedText(let offset):
            "the text at byte \(offset) has no terminating NUL"
        case .missingEndOption(let offset):
            "the options end at byte \(offset) without an End option (255)"
        }
    }
}

/// The header fields whose values decide how much of a packet there is.
public enum LengthField: String, Sendable, Equatable, CustomStringConvertible {
    case ipv4HeaderLength = "IPv4 header length"
    case ipv4TotalLength = "IPv4 total length"
    case ipv6PayloadLength = "IPv6 payload length"
    case ipv6ExtensionLength = "IPv6 extension header length"
    case udpLength = "UDP length"
    case tcpDataOffset = "TCP data offset"
    case arpAddressLengths = "ARP address lengths"
    case ieee8023Length = "802.3 length"
    case sllAddressLength = "SLL address length"
    case loopbackFamily = "loopback address family"
    case tftpOpcode = "TFTP opcode"
    case dhcpOptionLength = "DHCP option length"
    case dhcpOptionOverload = "DHCP option overload"
    case sosMagic = "S.O.S. magic"
    case cdpTLVLength = "CDP TLV length"
    case cdpVersion = "CDP version"
    case lldpTLVLength = "LLDP TLV length"
    case sccpLength = "SCCP length"
    case sccpHeaderVersion = "SCCP header version"
    case sipStartLine = "SIP start line"

    public var description: String { rawValue }
}

/// The layers sosdump decodes, for saying where decoding stopped.
public enum ProtocolLayer: String, Sendable, Equatable, Codable, CustomStringConvertible {
    case ethernet = "Ethernet"
    case vlan = "802.1Q"
    case llc = "LLC"
    case linuxSLL = "SLL"
    case linuxSLL2 = "SLL2"
    case loopback = "loopback"
    case ipv4 = "IPv4"
    case ipv6 = "IPv6"
    case ipv6Extension = "IPv6 extension header"
    case arp = "ARP"
    case udp = "UDP"
    case tcp = "TCP"
    case icmpv4 = "ICMP"
    case icmpv6 = "ICMPv6"
    case tftp = "TFTP"
    case dhcp = "DHCP"
    case sos = "S.O.S."
    case cdp = "CDP"
    case lldp = "LLDP"
    case sccp = "SCCP"
    case sip = "SIP"

    public var description: String { rawValue }
}
