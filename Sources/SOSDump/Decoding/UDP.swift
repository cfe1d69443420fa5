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
    /// returns it with the data, narrowed to the Length field. The checksum
    /// is checked over `pseudoHeader` unless `checksum` is `.deferred`.
    public static func decode(_ segment: ByteView, pseudoHeader: PseudoHeader?,
                              checksum policy: ChecksumPolicy = .verified) throws(DecodeProblem) -> (UDPHeader, payload: ByteView) {
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
        var header = UDPHeader(sourcePort: sport, destinationPort: dport, length: length, checksum: sum, checksumStatus: .notChecked)
        if policy == .verified { header.checksumStatus = header.checksumStatus(payload: payload, pseudoHeader: pseudoHeader) }
        return (header, payload)
    }

    /// Checks the checksum field against the header's other fields, the
    /// `payload` it was decoded with and the IP layer's `pseudoHeader`:
    /// what the decoder does, or what a caller does later for the few
    /// datagrams it cares about when the decoder deferred it.
    public func checksumStatus(payload: ByteView, pseudoHeader: PseudoHeader?) -> ChecksumStatus {
        if checksum == 0, pseudoHeader?.isIPv6 != true { return .absent }
        guard let pseudoHeader, !payload.isTruncated else { return .unverified }
        var c = InternetChecksum()
        pseudoHeader.add(to: &c, protocol: .udp, length: length)
        c.add(sourcePort)
        c.add(destinationPort)
        c.add(UInt16(truncatingIfNeeded: length))
        c.add(payload.rawBytes)  // starts at an even offset: the header is 8 bytes
        var whole = c
        whole.add(checksum)
        if whole.verifies { return .valid }
        // A sum of zero is sent as 0xFFFF (RFC 768): 0 means "no checksum".
        let expected = c.value == 0 ? 0xFFFF : c.value
        return .invalid(found: checksum, expected: expected)
    }
}

extension UDPHeader {
    /// Whether the checksum field holds what a sending host leaves for its
    /// network card to finish (checksum offload): the folded sum of the
    /// pseudo-header alone. A capture taken on the sender shows it; the
    /// card wrote the real checksum on the wire. (Wireshark leaves UDP
    /// checksums unchecked by default for this reason.)
    public func isOffloadPlaceholder(pseudoHeader: PseudoHeader) -> Bool {
        var c = InternetChecksum()
        pseudoHeader.add(to: &c, protocol: .udp, length: length)
        return checksum == ~c.value || checksum == c.value
    }
}

/// Whether the decoder checks every IPv4 header and UDP checksum as it
/// decodes (what `packets` shows), or leaves them `.notChecked` for the
/// caller to check on the packets it looks at
/// (`UDPHeader.checksumStatus(payload:pseudoHeader:)`,
/// `Dissection.ipv4ChecksumStatus`). An analysis that reads one transfer
/// out of a gigabyte of other traffic would otherwise spend a tenth of its
/// time summing bytes nobody asks about (docs/performance.md).
public enum ChecksumPolicy: Sendable {
    case verified
    case deferred
}

/// The addresses of the IP header that a transport checksum covers
/// (RFC 768 for IPv4, RFC 8200 §8.1 for IPv6).
public enum PseudoHeader: Sendable, Equatable {
    case v4(source: IPv4Address, destination: IPv4Address)
    case v6(source: IPv6Address, destination: IPv6Address)

    /// The pseudo-header of a datagram between two addresses; nil when
    /// they are not of one family (they always are when read from one IP
    /// header).
    public init?(_ source: IPAddress, _ destination: IPAddress) {
        switch (source, destination) {
        case (.v6(let s), .v6(let d)): self = .v6(source: s, destination: d)
        case (.v4(let s), .v4(let d)): self = .v4(source: s, destination: d)
        default: return nil
        }
    }

    public var isIPv6: Bool {
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
