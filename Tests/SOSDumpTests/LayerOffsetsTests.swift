import Testing
@testable import SOSDump

/// `Dissection.offsets`: where each layer starts in the frame, so that a
/// writer can rewrite bytes in place.
@Suite struct LayerOffsetsTests {
    let decoder = FrameDecoder()
    let udp = PacketBuilder.ipv4(PacketBuilder.udp(Array("RECM".utf8)))

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var linkType: LinkType
        var expected: LayerOffsets
        var description: String { name }
    }

    static let udpPacket = PacketBuilder.ipv4(PacketBuilder.udp(Array("RECM".utf8)))
    static let cases: [Case] = [
        Case(name: "Ethernet/IPv4/UDP", bytes: PacketBuilder.ethernet(type: 0x0800, udpPacket), linkType: .ethernet,
             expected: LayerOffsets(link: 0, network: 14, transport: 34, payload: 42)),
        Case(name: "Ethernet/VLAN/IPv4/UDP", bytes: PacketBuilder.ethernet(type: 0x0800, tags: [(0x8100, 10)], udpPacket),
             linkType: .ethernet, expected: LayerOffsets(link: 0, network: 18, transport: 38, payload: 46)),
        Case(name: "Ethernet/QinQ/IPv4/UDP", bytes: PacketBuilder.ethernet(type: 0x0800, tags: [(0x88A8, 100), (0x8100, 10)], udpPacket),
             linkType: .ethernet, expected: LayerOffsets(link: 0, network: 22, transport: 42, payload: 50)),
        Case(name: "Ethernet/IPv4 with options/UDP",
             bytes: PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(options: [1, 1, 1, 1], PacketBuilder.udp(Array("RECM".utf8)))),
             linkType: .ethernet, expected: LayerOffsets(link: 0, network: 14, transport: 38, payload: 46)),
        Case(name: "Ethernet/IPv6/UDP", bytes: PacketBuilder.ethernet(type: 0x86DD, PacketBuilder.ipv6(nextHeader: 17, PacketBuilder.udp6(Array("RECM".utf8)))),
             linkType: .ethernet, expected: LayerOffsets(link: 0, network: 14, transport: 54, payload: 62)),
        Case(name: "Ethernet/IPv4/TCP",
             bytes: PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(protocol: 6, [0, 80, 0x1F, 0x90] + Array(repeating: 0, count: 8)
                 + [0x60, 0x02, 0xFF, 0xFF, 0, 0, 0, 0] + [2, 4, 5, 0xB4] + Array("RECM".utf8))),
             linkType: .ethernet, expected: LayerOffsets(link: 0, network: 14, transport: 34, payload: 58)),
        Case(name: "Linux SLL/IPv4/UDP", bytes: [0, 4, 0, 1, 0, 6] + PacketBuilder.macA + [0, 0] + [0x08, 0x00] + udpPacket,
             linkType: .linuxSLL, expected: LayerOffsets(link: 0, network: 16, transport: 36, payload: 44)),
        Case(name: "Linux SLL/VLAN/IPv4/UDP", bytes: [0, 0, 0, 1, 0, 6] + PacketBuilder.macA + [0, 0] + [0x81, 0x00, 0x00, 0x0A, 0x08, 0x00] + udpPacket,
             linkType: .linuxSLL, expected: LayerOffsets(link: 0, network: 20, transport: 40, payload: 48)),
        Case(name: "Linux SLL2/IPv4/UDP", bytes: [0x08, 0x00, 0, 0, 0, 0, 0, 7, 0, 1, 0, 6] + PacketBuilder.macA + [0, 0] + udpPacket,
             linkType: .linuxSLL2, expected: LayerOffsets(link: 0, network: 20, transport: 40, payload: 48)),
        Case(name: "Linux SLL/LLC", bytes: [0, 0, 0, 1, 0, 6] + PacketBuilder.macA + [0, 0] + [0x00, 0x04] + [0x42, 0x42, 0x03, 0, 0],
             linkType: .linuxSLL, expected: LayerOffsets(link: 0, network: 16, payload: 19)),
        Case(name: "NULL/IPv4/UDP", bytes: [2, 0, 0, 0] + udpPacket, linkType: .null,
             expected: LayerOffsets(link: 0, network: 4, transport: 24, payload: 32)),
        Case(name: "raw IPv4/UDP", bytes: udpPacket, linkType: .raw, expected: LayerOffsets(network: 0, transport: 20, payload: 28)),
        Case(name: "Ethernet/ARP",
             bytes: PacketBuilder.ethernet(type: 0x0806, ARPTests.arp(op: 1, senderIP: PacketBuilder.ipA, targetIP: PacketBuilder.ipB)),
             linkType: .ethernet, expected: LayerOffsets(link: 0, network: 14)),
        Case(name: "Ethernet/LLC-SNAP/CDP", bytes: TruncationTests.cdpFrame, linkType: .ethernet,
             expected: LayerOffsets(link: 0, network: 14, payload: 22)),
        Case(name: "Ethernet/SNAP/IPv4/UDP (RFC 1042)",
             bytes: { () -> [UInt8] in
                 let llc: [UInt8] = [0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00] + udpPacket
                 return PacketBuilder.macB + PacketBuilder.macA + PacketBuilder.be16(llc.count) + llc
             }(), linkType: .ethernet, expected: LayerOffsets(link: 0, network: 22, transport: 42, payload: 50)),
        Case(name: "Ethernet/VLAN/LLDP", bytes: PacketBuilder.ethernet(type: 0x88CC, tags: [(0x8100, 10)], [2, 7, 4]),
             linkType: .ethernet, expected: LayerOffsets(link: 0, network: 18, payload: 18)),
        Case(name: "Ethernet/IPv4/protocol 47", bytes: PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(protocol: 47, [0, 0, 0x08, 0x00])),
             linkType: .ethernet, expected: LayerOffsets(link: 0, network: 14, transport: 34, payload: 34)),
        Case(name: "Ethernet/IPv4/ICMP", bytes: PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(protocol: 1, [8, 0, 0xF7, 0xFF, 0, 0, 0, 0])),
             linkType: .ethernet, expected: LayerOffsets(link: 0, network: 14, transport: 34)),
    ]

    @Test(arguments: cases)
    func offsetsOfEveryLayer(c: Case) {
        decoder.withDecoded(c.bytes, linkType: c.linkType) { d in
            #expect(d.stop == nil)
            #expect(d.offsets == c.expected)
        }
    }

    @Test func theOffsetsPointAtTheLayersBytes() {
        let frame = PacketBuilder.ethernet(type: 0x0800, tags: [(0x8100, 10)], udp)
        decoder.withDecoded(frame) { d in
            guard let network = d.offsets.network, let transport = d.offsets.transport, let payload = d.offsets.payload,
                  let (header, data) = d.udp else { Issue.record("offsets or UDP missing"); return }
            #expect(d.frame.bytes.uint8(at: network) == 0x45)
            #expect(d.frame.bytes.uint16(at: transport) == header.sourcePort)
            #expect(Array(frame[payload...]) == Array(data))
        }
    }

    @Test func aStopKeepsTheOffsetsOfTheLayersBeforeIt() {
        let frame = PacketBuilder.ethernet(type: 0x0800, udp)
        // Cut inside the UDP header: Ethernet and IPv4 decoded, UDP not.
        decoder.withDecoded(Array(frame.prefix(38)), wireLength: frame.count) { d in
            #expect(d.stop?.layer == .udp)
            #expect(d.offsets == LayerOffsets(link: 0, network: 14))
        }
    }

    @Test func aReassembledDatagramsLayersAreNotInTheFrame() {
        let decoder = FrameDecoder()
        let fragments = IPFragmentReassemblerTests.ipv4Fragments()
        for (i, frame) in fragments.enumerated() {
            decoder.withDecoded(frame, number: i + 1) { d in
                #expect(d.offsets.link == 0 && d.offsets.network == 14)
                if i == fragments.count - 1 {
                    #expect(d.udp != nil)
                }
                #expect(d.offsets.transport == nil && d.offsets.payload == nil)
            }
        }
    }
}
