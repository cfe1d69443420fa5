/// User Datagram Protocol (RFC 768; over IPv6, RFC 8200 §8.1). The checksum
/// is checked when present and fully captured, over the pseudo-header of
/// the IP layer below.
///
/// ```
///  0      7 8     15 16    23 24    31
/// +--------+--------+--------+--------+
/// |     Source      |   Destination   |
/// |      Port       |      Port       |
/// +--------+--------+--------+--------+
/// |     Length      |    Checksum     |
/// +--------+--------+--------+--------+
/// |          data octets ...
/// +---------------- ...
/// ```
public struct UDPHeader: Sendable, Equatable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// Header plus data, in bytes, as the Length field says.
    public var length: Int
    public var checksum: UInt16
    public var checksumStatus: ChecksumStatus

    public static let headerLength = 8

    /// Decodes the header at the start of `segment` (an IP payload) and
    /// returns it with the data, narrowed to the Length field.
    public static func decode(_ segment: ByteView, pseudoHeader: PseudoHeader?) throws(DecodeProblem) -> (UDPHeader, payload: ByteView) {
        guard let sport = segment.uint16(at: 0), let dport = segment.uint16(at: 2), let len = segment.uint16(at: 4),
              let sum = segment.uint16(at: 6)
        else { throw .missing(headerLength, in: segment) }
        let length = Int(len)
        guard length >= headerLength else {
            throw .malformed(.lengthTooSmall(field: .udpLength, claimed: length, minimum: headerLength))
        }
        guard length <= segment.wireCount else {
            throw .malformed(.lengthBeyondPacket(field: .udpLength, claimed: length, available: segment.wireCount))
        }
        // Both succeed: 8 bytes were read and `length` is within the wire count.
        guard let datagram = segment.prefix(wireLength: length), let payload = datagram.dropFirst(headerLength) else {
            throw .missing(headerLength, in: segment)
        }
        var status = ChecksumStatus.unverified
        if sum == 0, pseudoHeader?.isIPv6 != true {
            status = .absent
        } else if let pseudoHeader {
            var c = InternetChecksum()
            pseudoHeader.add(to: &c, protocol: .udp, length: length)
            status = c.status(of: datagram, fieldAt: 6)
            // A sum of zero is sent as 0xFFFF (RFC 768): 0 means "no checksum".
            if case .invalid(let found, 0) = status { status = .invalid(found: found, expected: 0xFFFF) }
        }
        return (UDPHeader(sourcePort: sport, destinationPort: dport, length: length, checksum: sum, checksumStatus: status), payload)
    }
}

/// The addresses of the IP header that a transport checksum covers
/// (RFC 768 for IPv4, RFC 8200 §8.1 for IPv6).
public enum PseudoHeader: Sendable, Equatable {
    case v4(source: IPv4Address, destination: IPv4Address)
    case v6(source: IPv6Address, destination: IPv6Address)

    var isIPv6: Bool {
        if case .v6 = self { return true }
        return false
    }

    func add(to c: inout InternetChecksum, protocol proto: IPProtocol, length: Int) {
        switch self {
        case .v4(let s, let d):
            c.add(s.rawValue)
            c.add(d.rawValue)
            c.add(UInt16(proto.rawValue))
            c.add(UInt16(truncatingIfNeeded: length))
        case .v6(let s, let d):
            c.add(s.high)
            c.add(s.low)
            c.add(d.high)
            c.add(d.low)
            c.add(UInt32(truncatingIfNeeded: length))
            c.add(UInt16(proto.rawValue))
        }
    }
}
