/// A frame decoded as far as it goes: each layer that decoded, and, if
/// decoding stopped early, where and why.
///
/// A value with no references: making one allocates nothing. Its byte views
/// (payloads, VLAN tags) borrow from the reader's buffer or the reassembler
/// and are valid until the next frame is read and decoded.
public struct Dissection {
    public var frame: CapturedFrame
    public var link: LinkLayer = .none
    /// Every 802.1Q / 802.1ad tag, outermost first.
    public var vlanTags: VLANTags = .none
    public var network: NetworkLayer = .none
    public var transport: TransportLayer = .none
    /// For a fragment of an IP datagram: where it sits, or that it completed
    /// the datagram whose transport layer is decoded here.
    public var fragment: FragmentState?
    /// Set when reassembly dropped a datagram while this frame was decoded.
    public var reassemblyNotice: ReassemblyNotice?
    /// Where decoding stopped early, if it did.
    public var stop: DecodeStop?
    /// Where each decoded layer starts in the frame's bytes.
    public var offsets = LayerOffsets()

    public init(frame: CapturedFrame) { self.frame = frame }

    /// A dissection of no frame, to be filled by `FrameDecoder.decode(_:into:)`.
    public init() {
        frame = CapturedFrame(number: 0, timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0), interfaceIndex: 0,
                              linkType: .ethernet, bytes: ByteView(UnsafeRawBufferPointer(start: nil, count: 0)), fileOffset: 0)
    }

    /// The UDP header and payload, if the frame carries UDP.
    public var udp: (header: UDPHeader, payload: ByteView)? {
        if case .udp(let h, let p) = transport { return (h, p) }
        return nil
    }

    /// The IPv4 header's checksum status, checked now if the decoder
    /// deferred it (`ChecksumPolicy.deferred`); nil without IPv4.
    public var ipv4ChecksumStatus: ChecksumStatus? {
        guard case .ipv4(let ip) = network else { return nil }
        guard ip.checksumStatus == .notChecked else { return ip.checksumStatus }
        guard let at = offsets.network, let header = frame.bytes.dropFirst(at) else { return .unverified }
        return ip.checksumStatus(header: header)
    }

    /// Source and destination IP addresses, if the frame carries IP.
    public var ipAddresses: (source: IPAddress, destination: IPAddress)? {
        switch network {
        case .ipv4(let h): (.v4(h.source), .v4(h.destination))
        case .ipv6(let h): (.v6(h.source), .v6(h.destination))
        default: nil
        }
    }
}

public enum LinkLayer {
    case none
    case ethernet(EthernetHeader)
    case linuxSLL(LinuxSLLHeader)
    case linuxSLL2(LinuxSLL2Header)
    case loopback(LoopbackHeader)
    /// Raw IP: no link header.
    case raw
    /// A link type sosdump does not decode.
    case unsupported(LinkType)
}

public enum NetworkLayer {
    case none
    case ipv4(IPv4Header)
    case ipv6(IPv6Header)
    case arp(ARPPacket)
    /// An IEEE 802.3 frame with an 802.2 LLC header that does not carry an
    /// EtherType (STP, CDP as SNAP OUI 00-00-0C PID 0x2000): the header, and
    /// the bytes after it (after SNAP, when there is one), cut to the 802.3
    /// length, for the decoders above.
    case llc(LLCHeader, payload: ByteView)
    /// An EtherType sosdump does not decode (LLDP, 0x88CC): its bytes, after
    /// any VLAN tags, for the decoders above.
    case other(EtherType, payload: ByteView)
}

public enum TransportLayer {
    case none
    case udp(UDPHeader, payload: ByteView)
    case tcp(TCPHeader, payload: ByteView)
    case icmpv4(ICMPv4Message)
    case icmpv6(ICMPv6Message)
    /// An IP protocol sosdump does not decode.
    case other(IPProtocol, payload: ByteView)
}

/// Where each layer starts, as a byte offset in the frame
/// (`Dissection.frame.bytes`), so that a writer can rewrite a field in
/// place (redaction) without decoding again. Set by `FrameDecoder` for each
/// layer that decoded; nil for a layer that is absent, did not decode, or
/// is not in this frame's bytes (the layers above a reassembled IP
/// datagram, which lie in the reassembler's buffer).
public struct LayerOffsets: Sendable, Equatable {
    /// The link header (Ethernet, Linux cooked, loopback): 0; nil for raw
    /// IP, which has none, and for link types sosdump does not decode.
    public var link: Int?
    /// The network layer: the IPv4, IPv6 or ARP header, the 802.2 LLC
    /// header, or the first byte after the EtherType (and VLAN tags) for an
    /// EtherType sosdump does not decode.
    public var network: Int?
    /// The UDP, TCP or ICMP header, or the payload of another IP protocol
    /// (after any IPv6 extension headers).
    public var transport: Int?
    /// What the innermost decoded layer carries: a UDP or TCP payload, an
    /// IP protocol's payload, the bytes after an LLC (or SNAP) header, or
    /// an unknown EtherType's payload.
    public var payload: Int?

    public init(link: Int? = nil, network: Int? = nil, transport: Int? = nil, payload: Int? = nil) {
        self.link = link
        self.network = network
        self.transport = transport
        self.payload = payload
    }
}

public enum FragmentState: Sendable, Equatable {
    /// A fragment held for reassembly.
    case held(offset: Int, length: Int, moreFragments: Bool, identification: UInt32)
    /// The fragment that completed a datagram of `length` bytes from
    /// `fragments` fragments, the first in frame `firstFrame`.
    case completed(firstFrame: Int, fragments: Int, length: Int)
    /// A fragment that reassembly dropped (see the notice).
    case dropped(offset: Int, length: Int, moreFragments: Bool, identification: UInt32)
}
