/// One frame as `sosdump packets` reports it: the render model that both
/// the text line and the JSON object are made from.
///
/// Built from a ``Dissection`` after decoding; building one allocates
/// (strings), so the decoding hot path never does.
public struct PacketRecord: Codable, Equatable, Sendable {
    public var frame: Int
    /// RFC 3339, UTC.
    public var time: String
    /// Seconds since the epoch, as tshark's `frame.time_epoch`.
    public var epoch: String
    public var interface: Int
    public var interfaceName: String?
    public var linkType: String
    public var capturedLength: Int
    public var length: Int
    public var link: Link?
    public var vlan: [VLAN]?
    public var network: Network?
    public var transport: Transport?
    public var fragment: Fragment?
    /// BOOTP/DHCP, for UDP datagrams on port 67 or 68.
    public var dhcp: DHCP?
    /// An S.O.S. recovery message (`RECM` at offset 4 of a UDP payload).
    public var sos: SOS?
    /// Cisco Discovery Protocol (LLC/SNAP OUI 00-00-0C, PID 0x2000).
    public var cdp: CDP?
    /// LLDP with LLDP-MED (EtherType 0x88CC).
    public var lldp: LLDP?
    /// SCCP messages this frame completed (TCP port 2000, the stream put
    /// back in order); a message split over segments is in its last frame.
    public var sccp: [SCCP]?
    /// A SIP message (UDP or TCP port 5060).
    public var sip: SIP?
    /// Checksum problems, reassembly notices, broken DHCP options and the
    /// rules an S.O.S. message breaks, in words.
    public var notes: [String]?
    public var stop: Stop?
    /// What tcpdump -n would say after the link header.
    public var summary: String
    /// The comments the capture file holds on the frame (pcapng `opt_comment`).
    public var comments: [String]?

    public struct Link: Codable, Equatable, Sendable {
        public var kind: String
        public var source: String?
        public var destination: String?
        /// Linux cooked captures: In, Out, B, M, P.
        public var direction: String?
        public var interfaceIndex: UInt32?
        public var addressFamily: UInt32?
    }

    public struct VLAN: Codable, Equatable, Sendable {
        public var tpid: String
        public var id: UInt16
        public var priority: UInt8
    }

    public struct Network: Codable, Equatable, Sendable {
        public var `protocol`: String
        public var source: String?
        public var destination: String?
        public var ttl: UInt8?
        public var identification: UInt32?
        public var checksum: String?
        public var extensionHeaders: [String]?
        public var arpOperation: UInt16?
    }

    public struct Transport: Codable, Equatable, Sendable {
        public var `protocol`: String
        public var sourcePort: UInt16?
        public var destinationPort: UInt16?
        /// UDP: payload bytes; ICMP: message bytes.
        public var length: Int?
        public var checksum: String?
        public var icmpType: UInt8?
        public var icmpCode: UInt8?
        public var quoted: Quoted?
    }

    public struct Quoted: Codable, Equatable, Sendable {
        public var source: String
        public var destination: String
        public var `protocol`: String
        public var sourcePort: UInt16?
        public var destinationPort: UInt16?
    }

    public struct Fragment: Codable, Equatable, Sendable {
        /// held, completed or dropped.
        public var state: String
        public var offset: Int?
        public var length: Int
        public var moreFragments: Bool?
        public var firstFrame: Int?
        public var fragments: Int?
    }

    public struct DHCP: Codable, Equatable, Sendable {
        /// Request or Reply (BOOTP op).
        public var op: String
        /// Option 53 by name (Discover, Offer, ACK ...); nil for plain BOOTP.
        public var messageType: String?
        /// xid, as tcpdump prints it (0x and hex digits).
        public var transactionID: String
        public var hops: UInt8
        public var broadcast: Bool
        /// chaddr, for Ethernet.
        public var clientMAC: String?
        /// ciaddr, yiaddr, siaddr and giaddr, when not 0.0.0.0.
        public var clientAddress: String?
        public var yourAddress: String?
        public var nextServer: String?
        public var relayAgent: String?
        /// The sname and file fields as text, when they are not overloaded.
        public var sname: String?
        public var file: String?
        /// Option 60.
        public var vendorClass: String?
        /// "sos-recovery-program" when option 60 is the recovery program's `TI-dhcp 0.1`.
        public var client: String?
        public var options: [Option]
        /// Options whose bytes break their format, in words.
        public var problems: [String]?
    }

    public struct Option: Codable, Equatable, Sendable {
        public var code: UInt8
        public var name: String?
        /// Value bytes, all instances together (RFC 3396).
        public var length: Int
        /// The value in words (hex for unknown options).
        public var value: String
        /// How many instances carried it, when more than one.
        public var instances: Int?
        /// file or sname, when option overload put it there.
        public var area: String?
    }

    public struct Stop: Codable, Equatable, Sendable {
        public var layer: String
        /// truncated or malformed.
        public var kind: String
        public var detail: String
    }
}

extension PacketRecord {
    /// The report line for a frame: `number time interface/linktype summary`,
    /// through `TerminalText.escaped` (the interface name, TFTP file names,
    /// modes and options, DHCP and S.O.S. text in the summary came from the
    /// capture; the JSON record keeps them exact).
    public var textLine: String {
        // The RFC 3339 time without its "T" and "Z": 2026-11-21 12:24:22.123456.
        var clock = Array(time.utf8)
        if clock.count > 10, clock[10] == UInt8(ascii: "T") { clock[10] = UInt8(ascii: " ") }
        if clock.last == UInt8(ascii: "Z") { clock.removeLast() }
        var line = TerminalText.escaped("\(frame) \(String(decoding: clock, as: UTF8.self)) \(interfaceName ?? "#\(interface)")/\(linkType) \(summary)")
        // A comment on its own indented line(s) under the frame's, as Wireshark shows it above the frame's tree
        // (each line escaped: the line breaks are the renderer's, not the comment's).
        for comment in comments ?? [] {
            line += "\n    comment: " + comment.split(separator: "\n", omittingEmptySubsequences: false).map { TerminalText.escaped(String($0)) }
                .joined(separator: "\n             ")
        }
        return line
    }
}
