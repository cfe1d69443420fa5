/// Internet Protocol version 4 (RFC 791). The header checksum is checked
/// (RFC 1071); options are skipped; the packet is narrowed to its total
/// length so that link-layer padding never reaches the payload.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Version|  IHL  |Type of Service|          Total Length         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Identification        |Flags|      Fragment Offset    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Time to Live |    Protocol   |         Header Checksum       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                       Source Address                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Destination Address                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Options                    |    Padding    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public struct IPv4Header: Sendable, Equatable {
    /// In bytes (IHL × 4).
    public var headerLength: Int
    public var typeOfService: UInt8
    public var totalLength: Int
    public var identification: UInt16
    public var dontFragment: Bool
    public var moreFragments: Bool
    /// In bytes (the field × 8).
    public var fragmentOffset: Int
    public var timeToLive: UInt8
    public var `protocol`: IPProtocol
    public var checksum: UInt16
    public var checksumStatus: ChecksumStatus
    public var source: IPv4Address
    public var destination: IPv4Address

    public static let minimumLength = 20

    /// True for any fragment of a fragmented datagram.
    public var isFragment: Bool { moreFragments || fragmentOffset != 0 }

    /// Decodes the header at the start of `packet` and returns it with its
    /// payload, narrowed to the total length.
    ///
    /// `quoted`: the header is one an ICMP error quotes, where the total
    /// length describes the original datagram, not the bytes that follow,
    /// and the checksum is not checked. `checksum`: `.deferred` leaves it
    /// `.notChecked` (`checksumStatus(header:)` checks it later).
    public static func decode(_ packet: ByteView, quoted: Bool = false,
                              checksum policy: ChecksumPolicy = .verified) throws(DecodeProblem) -> (IPv4Header, payload: ByteView) {
        guard let vihl = packet.uint8(at: 0) else { throw .missing(1, in: packet) }
        guard vihl >> 4 == 4 else { throw .malformed(.wrongVersion(found: vihl >> 4, expected: 4)) }
        let headerLength = Int(vihl & 0x0F) * 4
        guard headerLength >= minimumLength else {
            throw .malformed(.lengthTooSmall(field: .ipv4HeaderLength, claimed: headerLength, minimum: minimumLength))
        }
        guard let tos = packet.uint8(at: 1), let total = packet.uint16(at: 2), let id = packet.uint16(at: 4),
              let flagsFrag = packet.uint16(at: 6), let ttl = packet.uint8(at: 8), let proto = packet.uint8(at: 9),
              let sum = packet.uint16(at: 10), let src = IPv4Address(packet, at: 12), let dst = IPv4Address(packet, at: 16)
        else { throw .missing(minimumLength, in: packet) }
        let totalLength = Int(total)

        var status = ChecksumStatus.unverified
        if !quoted {
            guard totalLength >= headerLength else {
                throw .malformed(.lengthTooSmall(field: .ipv4TotalLength, claimed: totalLength, minimum: headerLength))
            }
            guard totalLength <= packet.wireCount else {
                throw .malformed(.lengthBeyondPacket(field: .ipv4TotalLength, claimed: totalLength, available: packet.wireCount))
            }
            if policy == .deferred {
                status = .notChecked
            } else if let headerBytes = packet.slice(at: 0, length: headerLength) {
                status = InternetChecksum().status(of: headerBytes, fieldAt: 10)
            }
        }
        guard packet.count >= headerLength || quoted else { throw .missing(headerLength, in: packet) }

        let header = IPv4Header(
            headerLength: headerLength, typeOfService: tos, totalLength: totalLength, identification: id,
            dontFragment: flagsFrag & 0x4000 != 0, moreFragments: flagsFrag & 0x2000 != 0,
            fragmentOffset: Int(flagsFrag & 0x1FFF) * 8, timeToLive: ttl, protocol: IPProtocol(rawValue: proto),
            checksum: sum, checksumStatus: status, source: src, destination: dst)

        if quoted {
            // What follows the quoted header is whatever the ICMP error kept.
            let rest = packet.dropFirst(Swift.min(headerLength, packet.count)) ?? packet
            return (header, rest)
        }
        guard let datagram = packet.prefix(wireLength: totalLength), let payload = datagram.dropFirst(headerLength) else {
            throw .missing(headerLength, in: packet)
        }
        return (header, payload)
    }

    /// The checksum status of this header, whose bytes start `packet`.
    public func checksumStatus(header packet: ByteView) -> ChecksumStatus {
        guard let headerBytes = packet.slice(at: 0, length: headerLength) else { return .unverified }
        return InternetChecksum().status(of: headerBytes, fieldAt: 10)
    }
}
