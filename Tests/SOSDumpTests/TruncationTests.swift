import Testing
@testable import SOSDump

/// Every sample cut at every length, two ways: by the snap length (the wire
/// had the bytes) and on the wire itself (the packet is short). Decoding
/// must never crash, must stop at the layer the cut falls in, must say
/// "truncated" for the first and "malformed" for the second, and must keep
/// every layer above the cut.
@Suite struct TruncationTests {
    struct Sample: CustomStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var linkType: LinkType
        /// (first byte of the layer, the layer), outermost first.
        var layers: [(Int, ProtocolLayer)]
        var description: String { name }
    }

    static let samples: [Sample] = [
        Sample(name: "Ethernet/IPv4/UDP", bytes: PacketBuilder.ethernetIPv4UDP(), linkType: .ethernet,
               layers: [(0, .ethernet), (14, .ipv4), (34, .udp)]),
        Sample(name: "QinQ/IPv4/UDP",
               bytes: PacketBuilder.ethernet(type: 0x0800, tags: [(0x88A8, 100), (0x8100, 10)], PacketBuilder.ipv4(PacketBuilder.udp([1]))),
               linkType: .ethernet, layers: [(0, .ethernet), (14, .vlan), (22, .ipv4), (42, .udp)]),
        Sample(name: "Ethernet/IPv6/UDP", bytes: PacketBuilder.ethernet(type: 0x86DD, PacketBuilder.ipv6(nextHeader: 17, PacketBuilder.udp6([1, 2]))),
               linkType: .ethernet, layers: [(0, .ethernet), (14, .ipv6), (54, .udp)]),
        Sample(name: "Ethernet/ARP",
               bytes: PacketBuilder.ethernet(type: 0x0806, ARPTests.arp(op: 1, senderIP: PacketBuilder.ipA, targetIP: PacketBuilder.ipB)),
               linkType: .ethernet, layers: [(0, .ethernet), (14, .arp)]),
        Sample(name: "SLL2/IPv4/UDP",
               bytes: [0x08, 0x00, 0, 0, 0, 0, 0, 7, 0, 1, 0, 6] + PacketBuilder.macA + [0, 0] + PacketBuilder.ipv4(PacketBuilder.udp([1])),
               linkType: .linuxSLL2, layers: [(0, .linuxSLL2), (20, .ipv4), (40, .udp)]),
        Sample(name: "SLL/IPv4/ICMP",
               bytes: [0, 0, 0, 1, 0, 6] + PacketBuilder.macA + [0, 0, 0x08, 0x00] + PacketBuilder.ipv4(protocol: 1, [8, 0, 0xF7, 0xFF, 0, 0, 0, 0]),
               linkType: .linuxSLL, layers: [(0, .linuxSLL), (16, .ipv4), (36, .icmpv4)]),
        Sample(name: "NULL/IPv4/TCP",
               bytes: [2, 0, 0, 0] + PacketBuilder.ipv4(protocol: 6, [0, 80, 0x1F, 0x90] + Array(repeating: 0, count: 8) + [0x50, 0x02, 0xFF, 0xFF, 0, 0, 0, 0]),
               linkType: .null, layers: [(0, .loopback), (4, .ipv4), (24, .tcp)]),
        Sample(name: "Ethernet/LLC-SNAP/CDP", bytes: cdpFrame, linkType: .ethernet, layers: [(0, .ethernet), (14, .llc)]),
        Sample(name: "Ethernet/LLDP", bytes: PacketBuilder.ethernet(type: 0x88CC, [2, 7, 4, 1, 2, 3, 4, 5, 6, 0, 0]),
               linkType: .ethernet, layers: [(0, .ethernet)]),
    ]

    /// CDP: 802.3 length, LLC/SNAP with Cisco's OUI and PID 0x2000, then
    /// version 2, TTL 180, a checksum and a Device ID TLV.
    static let cdpFrame: [UInt8] = {
        let llc: [UInt8] = [0xAA, 0xAA, 0x03, 0x00, 0x00, 0x0C, 0x20, 0x00] + [2, 180, 0x12, 0x34] + [0, 1, 0, 7] + Array("SEP".utf8)
        return PacketBuilder.macB + PacketBuilder.macA + PacketBuilder.be16(llc.count) + llc
    }()

    /// The layer a cut at `length` falls in (a cut at a boundary leaves the
    /// next layer with nothing).
    static func layer(at length: Int, in sample: Sample) -> (Int, ProtocolLayer) {
        sample.layers.last { $0.0 <= length } ?? sample.layers[0]
    }

    @Test(arguments: samples)
    func everySnapLengthCut(sample: Sample) {
        let decoder = FrameDecoder()
        for length in 0..<sample.bytes.count {
            decoder.withDecoded(Array(sample.bytes.prefix(length)), linkType: sample.linkType, wireLength: sample.bytes.count) { d in
                let (start, layer) = Self.layer(at: length, in: sample)
                guard let stop = d.stop else {
                    // A cut inside a payload leaves every header whole.
                    #expect(length >= sample.layers.last!.0 + Self.headerLength(sample.layers.last!.1), "cut at \(length)")
                    return
                }
                #expect(stop.isTruncation, "cut at \(length): \(stop)")
                #expect(stop.layer == layer, "cut at \(length): \(stop)")
                #expect(stop.offset == start, "cut at \(length): \(stop)")
                if case .truncated(let needed, let captured) = stop.problem {
                    #expect(captured == length - start)
                    #expect(needed > captured)
                }
            }
        }
    }

    @Test(arguments: samples)
    func everyWireCut(sample: Sample) {
        let decoder = FrameDecoder()
        for length in 0..<sample.bytes.count {
            decoder.withDecoded(Array(sample.bytes.prefix(length)), linkType: sample.linkType) { d in
                // Cut on the wire, nothing may claim truncation by snap length.
                if let stop = d.stop {
                    #expect(!stop.isTruncation, "cut at \(length): \(stop)")
                } else {
                    // Only a cut inside the last payload can decode cleanly... which a
                    // length field then contradicts, except for protocols without one.
                    #expect(Self.noLengthField.contains(sample.layers.last!.1) || length == sample.bytes.count, "cut at \(length)")
                }
            }
        }
    }

    /// Ethernet II has no length: an unknown EtherType's payload runs to the end.
    static let noLengthField: Set<ProtocolLayer> = [.icmpv4, .tcp, .arp, .ethernet]

    static func headerLength(_ layer: ProtocolLayer) -> Int {
        switch layer {
        case .udp, .icmpv4: 8
        case .tcp: 20
        case .arp: 28
        case .ethernet: 14
        case .llc: 8  // with SNAP
        default: 0
        }
    }

    /// A frame whose network layer sosdump does not decode keeps what was
    /// captured of its payload, at every cut, with the length it had on the wire.
    @Test(arguments: [(cdpFrame, 22), (PacketBuilder.ethernet(type: 0x88CC, [2, 7, 4, 1, 2, 3]), 14)])
    func undecodedPayloadsAreKeptAtEveryCut(frame: [UInt8], payloadOffset: Int) {
        let decoder = FrameDecoder()
        for length in payloadOffset...frame.count {
            decoder.withDecoded(Array(frame.prefix(length)), wireLength: frame.count) { d in
                let payload: ByteView
                switch d.network {
                case .llc(_, let p), .other(_, let p): payload = p
                default: Issue.record("cut at \(length): no payload kept"); return
                }
                #expect(d.stop == nil, "cut at \(length)")
                #expect(Array(payload) == Array(frame[payloadOffset..<length]), "cut at \(length)")
                #expect(payload.wireCount == frame.count - payloadOffset, "cut at \(length)")
                #expect(payload.isTruncated == (length < frame.count), "cut at \(length)")
                #expect(d.offsets.payload == payloadOffset)
            }
        }
    }

    @Test func aByteAtATimeNeverCrashes() {
        // Random-ish bytes under every link type: the decoder must only ever stop cleanly.
        let decoder = FrameDecoder()
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for linkType in [LinkType.ethernet, .linuxSLL, .linuxSLL2, .null, .loop, .raw, .ipv4, .ipv6] {
            for _ in 0..<2000 {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let length = Int(seed >> 58)
                var bytes = (0..<length).map { i in UInt8(truncatingIfNeeded: (seed >> UInt64(i % 56)) &+ UInt64(i)) }
                if length > 0, linkType == .raw || linkType == .ipv4 { bytes[0] = 0x45 }
                _ = decoder.record(bytes, linkType: linkType)
            }
        }
    }
}
