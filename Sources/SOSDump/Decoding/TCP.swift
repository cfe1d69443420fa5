/// Transmission Control Protocol header (RFC 9293 §3.1): enough to name a
/// segment (ports, sequence numbers, flags). sosdump follows no TCP stream
/// yet; the phone's HTTP firmware fetches will need it.
///
/// ```
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          Source Port          |       Destination Port        |
/// |                        Sequence Number                        |
/// |                    Acknowledgment Number                      |
/// |  Data |       |C|E|U|A|P|R|S|F|                               |
/// | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
/// |           Checksum            |         Urgent Pointer        |
/// ```
public struct TCPHeader: Sendable, Equatable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequenceNumber: UInt32
    public var acknowledgmentNumber: UInt32
    /// In bytes (data offset × 4).
    public var headerLength: Int
    public var flags: UInt8
    public var window: UInt16

    public static let minimumLength = 20

    public static func decode(_ segment: ByteView) throws(DecodeProblem) -> (TCPHeader, payload: ByteView) {
        guard let sport = segment.uint16(at: 0), let dport = segment.uint16(at: 2), let seq = segment.uint32(at: 4),
              let ack = segment.uint32(at: 8), let off = segment.uint8(at: 12), let flags = segment.uint8(at: 13),
              let window = segment.uint16(at: 14)
        else { throw .missing(minimumLength, in: segment) }
        let headerLength = Int(off >> 4) * 4
        guard headerLength >= minimumLength else {
            throw .malformed(.lengthTooSmall(field: .tcpDataOffset, claimed: headerLength, minimum: minimumLength))
        }
        guard headerLength <= segment.wireCount else {
            throw .malformed(.lengthBeyondPacket(field: .tcpDataOffset, claimed: headerLength, available: segment.wireCount))
        }
        guard let payload = segment.dropFirst(headerLength) else { throw .missing(headerLength, in: segment) }
        return (TCPHeader(sourcePort: sport, destinationPort: dport, sequenceNumber: seq, acknowledgmentNumber: ack,
                          headerLength: headerLength, flags: flags, window: window), payload)
    }

    /// tcpdump's flag letters: S, F, P, R, U, "." for ACK, E, W.
    public var flagLetters: String {
        var s = ""
        if flags & 0x02 != 0 { s += "S" }
        if flags & 0x01 != 0 { s += "F" }
        if flags & 0x08 != 0 { s += "P" }
        if flags & 0x04 != 0 { s += "R" }
        if flags & 0x20 != 0 { s += "U" }
        if flags & 0x40 != 0 { s += "E" }
        if flags & 0x80 != 0 { s += "W" }
        if flags & 0x10 != 0 { s += "." }
        return s.isEmpty ? "none" : s
    }
}
