@testable import SOSDump

/// Builds frames byte by byte for decoder tests, with correct lengths and
/// checksums unless a test breaks them on purpose.
enum PacketBuilder {
    static let macA: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01]
    static let macB: [UInt8] = [0x01, 0x00, 0x5e, 0x04, 0x08, 0x0a]
    static let ipA = IPv4Address(192, 0, 2, 1)
    static let ipB = IPv4Address(234, 4, 8, 10)
    static let ip6A: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1]
    static let ip6B: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [2]

    static func be16(_ v: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
    static func be32(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) } }

    static func ethernet(type: Int, tags: [(tpid: Int, id: Int)] = [], _ payload: [UInt8]) -> [UInt8] {
        var out = macB + macA
        var nextType = type
        if let first = tags.first { nextType = first.tpid }
        out += be16(nextType)
        for (i, tag) in tags.enumerated() {
            out += be16(tag.id)
            out += be16(i + 1 < tags.count ? tags[i + 1].tpid : type)
        }
        return out + payload
    }

    static func checksum(_ bytes: [UInt8], pseudo: [UInt8] = []) -> UInt16 {
        var c = InternetChecksum()
        (pseudo + bytes).withUnsafeBytes { c.add($0) }
        return c.value
    }

    static func ipv4(protocol proto: UInt8 = 17, src: IPv4Address = ipA, dst: IPv4Address = ipB, id: Int = 0x1234,
                     flagsFragment: Int = 0, options: [UInt8] = [], totalLength: Int? = nil, _ payload: [UInt8]) -> [UInt8] {
        let ihl = (20 + options.count) / 4
        var h: [UInt8] = [UInt8(0x40 | ihl), 0] + be16(totalLength ?? (20 + options.count + payload.count)) + be16(id)
            + be16(flagsFragment) + [64, proto, 0, 0] + be32(src.rawValue) + be32(dst.rawValue) + options
        let sum = checksum(h)
        h[10] = UInt8(sum >> 8)
        h[11] = UInt8(sum & 0xFF)
        return h + payload
    }

    static func udp(sport: Int = 4811, dport: Int = 4810, src: IPv4Address = ipA, dst: IPv4Address = ipB,
                    length: Int? = nil, withChecksum: Bool = true, _ payload: [UInt8]) -> [UInt8] {
        let len = length ?? (8 + payload.count)
        var d = be16(sport) + be16(dport) + be16(len) + [0, 0] + payload
        if withChecksum {
            let pseudo = be32(src.rawValue) + be32(dst.rawValue) + [0, 17] + be16(8 + payload.count)
            var sum = checksum(d, pseudo: pseudo)
            if sum == 0 { sum = 0xFFFF }
            d[6] = UInt8(sum >> 8)
            d[7] = UInt8(sum & 0xFF)
        }
        return d
    }

    static func udp6(sport: Int = 4811, dport: Int = 4810, _ payload: [UInt8]) -> [UInt8] {
        var d = be16(sport) + be16(dport) + be16(8 + payload.count) + [0, 0] + payload
        let pseudo = ip6A + ip6B + be32(UInt32(8 + payload.count)) + [0, 0, 0, 17]
        var sum = checksum(d, pseudo: pseudo)
        if sum == 0 { sum = 0xFFFF }
        d[6] = UInt8(sum >> 8)
        d[7] = UInt8(sum & 0xFF)
        return d
    }

    static func ipv6(nextHeader: UInt8, payloadLength: Int? = nil, _ payload: [UInt8]) -> [UInt8] {
        [0x60, 0, 0, 0] + be16(payloadLength ?? payload.count) + [nextHeader, 64] + ip6A + ip6B + payload
    }

    /// A UDP datagram in IPv4 in Ethernet: the decoder's everyday frame.
    static func ethernetIPv4UDP(_ payload: [UInt8] = Array("RECM".utf8) + [0, 0, 0, 0]) -> [UInt8] {
        ethernet(type: 0x0800, ipv4(udp(payload)))
    }
}

extension FrameDecoder {
    /// Decodes `bytes` as frame `number` of `linkType`, `wireLength` long on
    /// the wire, and hands the dissection to `body` while its bytes live.
    func withDecoded<R>(_ bytes: [UInt8], linkType: LinkType = .ethernet, wireLength: Int? = nil, number: Int = 1,
                        time: CaptureTimestamp = CaptureTimestamp(seconds: 1_700_000_000, nanoseconds: 0),
                        _ body: (Dissection) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { raw in
            let frame = CapturedFrame(number: number, timestamp: time, interfaceIndex: 0, linkType: linkType,
                                      bytes: ByteView(raw, wireCount: wireLength), fileOffset: 0)
            return try body(decode(frame))
        }
    }

    /// The report record of `bytes` decoded as one frame.
    func record(_ bytes: [UInt8], linkType: LinkType = .ethernet, wireLength: Int? = nil, number: Int = 1,
                time: CaptureTimestamp = CaptureTimestamp(seconds: 1_700_000_000, nanoseconds: 0)) -> PacketRecord {
        withDecoded(bytes, linkType: linkType, wireLength: wireLength, number: number, time: time) { PacketRecord($0, interface: nil) }
    }
}
