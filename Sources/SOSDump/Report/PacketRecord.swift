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
    /// Checksum problems and reassembly notices, in words.
    public var notes: [String]?
    public var stop: Stop?
    /// What tcpdump -n would say after the link header.
    public var summary: String

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

    public struct Stop: Codable, Equatable, Sendable {
        public var layer: String
        /// truncated or malformed.
        public var kind: String
        public var detail: String
    }
}

extension PacketRecord {
    /// The report line for a frame: `number time interface/linktype summary`.
    public var textLine: String {
        // The RFC 3339 time without its "T" and "Z": 2026-11-21 12:24:22.123456.
        var clock = Array(time.utf8)
        if clock.count > 10, clock[10] == UInt8(ascii: "T") { clock[10] = UInt8(ascii: " ") }
        if clock.last == UInt8(ascii: "Z") { clock.removeLast() }
        return "\(frame) \(String(decoding: clock, as: UTF8.self)) \(interfaceName ?? "#\(interface)")/\(linkType) \(summary)"
    }
}
