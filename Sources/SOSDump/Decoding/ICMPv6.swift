/// Internet Control Message Protocol for IPv6 (RFC 4443), with the message
/// types of Neighbor Discovery (RFC 4861) and Multicast Listener Discovery
/// (RFC 2710, RFC 3810) named. Error messages quote as much of the original
/// packet as fits; its addresses and ports are decoded.
///
/// ```
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     Type      |     Code      |          Checksum             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Message Body                          |
/// ```
public struct ICMPv6Message: Sendable, Equatable {
    public var type: UInt8
    public var code: UInt8
    public var checksum: UInt16
    public var checksumStatus: ChecksumStatus
    /// The first word of the body: identifier and sequence for echo, MTU for
    /// "packet too big", pointer for "parameter problem".
    public var firstWord: UInt32
    /// The target address of a neighbor solicitation or advertisement.
    public var target: IPv6Address?
    /// The packet an error message quotes.
    public var quoted: QuotedDatagram?

    public static let headerLength = 8

    public static let destinationUnreachable: UInt8 = 1
    public static let packetTooBig: UInt8 = 2
    public static let timeExceeded: UInt8 = 3
    public static let parameterProblem: UInt8 = 4
    public static let echoRequest: UInt8 = 128
    public static let echoReply: UInt8 = 129
    public static let neighborSolicitation: UInt8 = 135
    public static let neighborAdvertisement: UInt8 = 136

    public var isPortUnreachable: Bool { type == Self.destinationUnreachable && code == 4 }

    public static func decode(_ message: ByteView, pseudoHeader: PseudoHeader) throws(DecodeProblem) -> ICMPv6Message {
        guard let type = message.uint8(at: 0), let code = message.uint8(at: 1), let sum = message.uint16(at: 2),
              let word = message.uint32(at: 4), let body = message.dropFirst(headerLength)
        else {
            // Types without a first body word still have 4 bytes of header.
            throw .missing(headerLength, in: message)
        }
        var c = InternetChecksum()
        pseudoHeader.add(to: &c, protocol: .icmpv6, length: message.wireCount)
        let status = c.status(of: message, fieldAt: 2)
        var result = ICMPv6Message(type: type, code: code, checksum: sum, checksumStatus: status, firstWord: word)
        switch type {
        case destinationUnreachable, packetTooBig, timeExceeded, parameterProblem:
            result.quoted = QuotedDatagram.decodeIPv6(body)
        case neighborSolicitation, neighborAdvertisement:
            result.target = IPv6Address(body, at: 0)
        default:
            break
        }
        return result
    }

    /// tcpdump's words for the message.
    public var summary: String {
        switch type {
        case Self.destinationUnreachable:
            if code == 4, let q = quoted, let port = q.destinationPort {
                return "destination unreachable, \(q.destination) \(q.protocol.description.lowercased()) port \(port) unreachable"
            }
            let reasons = ["no route", "administratively prohibited", "beyond scope", "address unreachable", "port unreachable"]
            let what = Int(code) < reasons.count ? reasons[Int(code)] : "code \(code)"
            return "destination unreachable, \(what)" + (quoted.map { " (to \($0.destination))" } ?? "")
        case Self.packetTooBig: return "packet too big, mtu \(firstWord)"
        case Self.timeExceeded: return "time exceeded in-transit"
        case Self.parameterProblem: return "parameter problem, pointer \(firstWord)"
        case Self.echoRequest: return "echo request, id \(firstWord >> 16), seq \(firstWord & 0xFFFF)"
        case Self.echoReply: return "echo reply, id \(firstWord >> 16), seq \(firstWord & 0xFFFF)"
        case 130: return "multicast listener query"
        case 131: return "multicast listener report"
        case 132: return "multicast listener done"
        case 133: return "router solicitation"
        case 134: return "router advertisement"
        case Self.neighborSolicitation: return "neighbor solicitation" + (target.map { ", who has \($0)" } ?? "")
        case Self.neighborAdvertisement: return "neighbor advertisement" + (target.map { ", tgt is \($0)" } ?? "")
        case 137: return "redirect"
        case 143: return "multicast listener report v2"
        default: return "type \(type), code \(code)"
        }
    }
}

extension ICMPv6Message {
    init(type: UInt8, code: UInt8, checksum: UInt16, checksumStatus: ChecksumStatus, firstWord: UInt32) {
        self.init(type: type, code: code, checksum: checksum, checksumStatus: checksumStatus, firstWord: firstWord, target: nil, quoted: nil)
    }
}
