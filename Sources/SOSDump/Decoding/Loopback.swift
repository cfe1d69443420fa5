/// BSD loopback encapsulation: a 4-byte address family before the IP
/// packet. LINKTYPE_NULL (0) stores the family in the byte order of the
/// machine that wrote the capture; LINKTYPE_LOOP (108) in network order
/// (tcpdump.org/linktypes/LINKTYPE_NULL.html).
///
/// The families differ between systems: 2 is IPv4 everywhere; IPv6 is 24
/// (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD, DragonFly) or 30 (macOS).
public struct LoopbackHeader: Sendable, Equatable {
    public var family: UInt32

    public static let length = 4

    /// The IP version the family names, or nil for another family.
    public var ipVersion: UInt8? {
        switch family {
        case 2: 4
        case 24, 28, 30, 10: 6
        default: nil
        }
    }

    /// `hostOrder`: LINKTYPE_NULL. The writer's byte order is unknown, so a
    /// value that only makes sense swapped (a family above 0xFFFF) is
    /// swapped, as libpcap and Wireshark do.
    public static func decode(_ frame: ByteView, hostOrder: Bool) throws(DecodeProblem) -> (LoopbackHeader, payload: ByteView) {
        guard let raw = frame.uint32(at: 0, hostOrder ? .little : .big), let payload = frame.dropFirst(length) else {
            throw .missing(length, in: frame)
        }
        let family = hostOrder && raw > 0xFFFF ? raw.byteSwapped : raw
        return (LoopbackHeader(family: family), payload)
    }
}
