/// Internet Control Message Protocol for IPv4 (RFC 792; RFC 1191 for the
/// fragmentation-needed MTU). Error messages quote the original IP header
/// and at least 8 bytes of its payload, which are decoded so that a
/// "port unreachable" names the datagram that drew it.
///
/// ```
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     Type      |     Code      |          Checksum             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   Identifier / unused / MTU   |     Sequence / unused / MTU   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   (errors) Internet Header + 64 bits of Original Data Datagram |
/// ```
public struct ICMPv4Message: Sendable, Equatable {
    public var type: UInt8
    public var code: UInt8
    public var checksum: UInt16
    public var checksumStatus: ChecksumStatus
    /// The second 32-bit word: identifier and sequence for echo, the next-hop
    /// MTU for "fragmentation needed", the gateway for redirects.
    public var restOfHeader: UInt32
    /// The datagram an error message quotes.
    public var quoted: QuotedDatagram?

    public static let headerLength = 8

    public static let echoReply: UInt8 = 0
    public static let destinationUnreachable: UInt8 = 3
    public static let redirect: UInt8 = 5
    public static let echoRequest: UInt8 = 8
    public static let timeExceeded: UInt8 = 11
    public static let parameterProblem: UInt8 = 12

    /// Code 3 of "destination unreachable".
    public var isPortUnreachable: Bool { type == Self.destinationUnreachable && code == 3 }

    public var identifier: UInt16 { UInt16(truncatingIfNeeded: restOfHeader >> 16) }
    public var sequence: UInt16 { UInt16(truncatingIfNeeded: restOfHeader) }

    public static func decode(_ message: ByteView) throws(DecodeProblem) -> ICMPv4Message {
        guard let type = message.uint8(at: 0), let code = message.uint8(at: 1), let sum = message.uint16(at: 2),
              let rest = message.uint32(at: 4), let body = message.dropFirst(headerLength)
        else { throw .missing(headerLength, in: message) }
        let status = InternetChecksum().status(of: message, fieldAt: 2)
        var result = ICMPv4Message(type: type, code: code, checksum: sum, checksumStatus: status, restOfHeader: rest, quoted: nil)
        switch type {
        case destinationUnreachable, 4, redirect, timeExceeded, parameterProblem:
            result.quoted = QuotedDatagram.decodeIPv4(body)
        default:
            break
        }
        return result
    }

    /// tcpdump's words for the message.
    public var summary: String {
        switch type {
        case Self.echoReply: return "echo reply, id \(identifier), seq \(sequence)"
        case Self.echoRequest: return "echo request, id \(identifier), seq \(sequence)"
        case Self.destinationUnreachable:
            let what: String
            switch code {
            case 0: what = "net unreachable"
            case 1: what = "host unreachable"
            case 2: what = "protocol \(quoted?.protocol.description ?? "?") unreachable"
            case 3:
                if let q = quoted, let port = q.destinationPort {
                    return "\(q.destination) \(q.protocol.description.lowercased()) port \(port) unreachable"
                }
                what = "port unreachable"
            case 4: what = "unreachable - need to frag (mtu \(sequence))"
            case 9, 10, 13: what = "unreachable - administratively prohibited (code \(code))"
            default: what = "unreachable, code \(code)"
            }
            if let q = quoted { return "\(q.destination) \(what)" }
            return what
        case Self.redirect: return "redirect, code \(code)"
        case Self.timeExceeded: return code == 0 ? "time exceeded in-transit" : "ip reassembly time exceeded"
        case Self.parameterProblem: return "parameter problem, code \(code)"
        default: return "type \(type), code \(code)"
        }
    }
}

/// The start of the datagram that an ICMP or ICMPv6 error quotes: its IP
/// addresses and protocol and, for UDP and TCP, its ports.
public struct QuotedDatagram: Sendable, Equatable {
    public var source: IPAddress
    public var destination: IPAddress
    public var `protocol`: IPProtocol
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?

    /// Decodes as much as the error kept; nil when not even the IP header's
    /// addresses are there.
    static func decodeIPv4(_ body: ByteView) -> QuotedDatagram? {
        guard let (ip, rest) = try? IPv4Header.decode(body, quoted: true) else { return nil }
        var q = QuotedDatagram(source: .v4(ip.source), destination: .v4(ip.destination), protocol: ip.protocol)
        if ip.fragmentOffset == 0 { q.readPorts(rest) }
        return q
    }

    static func decodeIPv6(_ body: ByteView) -> QuotedDatagram? {
        guard let (ip, rest) = try? IPv6Header.decode(body, quoted: true) else { return nil }
        var q = QuotedDatagram(source: .v6(ip.source), destination: .v6(ip.destination), protocol: ip.upperLayer)
        if (ip.fragment?.offset ?? 0) == 0 { q.readPorts(rest) }
        return q
    }

    private mutating func readPorts(_ transport: ByteView) {
        // Both ports or neither: half a port pair names nothing.
        guard self.protocol == .udp || self.protocol == .tcp,
              let source = transport.uint16(at: 0), let destination = transport.uint16(at: 2) else { return }
        sourcePort = source
        destinationPort = destination
    }
}
