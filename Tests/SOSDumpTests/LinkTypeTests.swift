import Testing
@testable import SOSDump

/// The link types other than Ethernet: Linux cooked v1 and v2, BSD
/// loopback in both byte orders, raw IP.
@Suite struct LinkTypeTests {
    let decoder = FrameDecoder()
    let ipUDP = PacketBuilder.ipv4(PacketBuilder.udp([1, 2, 3]))

    @Test func linuxSLL() {
        let sll: [UInt8] = [0, 4, 0, 1, 0, 6] + PacketBuilder.macA + [0, 0] + [0x08, 0x00]
        decoder.withDecoded(sll + ipUDP, linkType: .linuxSLL) { d in
            guard case .linuxSLL(let h) = d.link else { Issue.record("no SLL"); return }
            #expect(h.packetType == .outgoing)
            #expect(h.source?.description == "02:00:00:00:00:01")
            #expect(d.udp?.header.sourcePort == 4811)
        }
    }

    @Test func linuxSLLWithAReinsertedVLANTag() {
        let sll: [UInt8] = [0, 0, 0, 1, 0, 6] + PacketBuilder.macA + [0, 0] + [0x81, 0x00] + [0x00, 0x0A, 0x08, 0x00]
        decoder.withDecoded(sll + ipUDP, linkType: .linuxSLL) { d in
            #expect(d.vlanTags.all.map(\.id) == [10])
            #expect(d.udp != nil)
        }
    }

    @Test func linuxSLL2() {
        let sll2: [UInt8] = [0x08, 0x00, 0, 0, 0, 0, 0, 7, 0, 1, 0, 6] + PacketBuilder.macA + [0, 0]
        decoder.withDecoded(sll2 + ipUDP, linkType: .linuxSLL2) { d in
            guard case .linuxSLL2(let h) = d.link else { Issue.record("no SLL2"); return }
            #expect(h.interfaceIndex == 7)
            #expect(h.packetType == .host)
            #expect(d.udp?.payload.count == 3)
        }
        #expect(decoder.record(sll2 + ipUDP, linkType: .linuxSLL2).summary.hasPrefix("ifindex 7 In 02:00:00:00:00:01, length"))
    }

    @Test func cookedLLCFrame() {
        let sll: [UInt8] = [0, 0, 0, 1, 0, 6] + PacketBuilder.macA + [0, 0] + [0x00, 0x04]
        decoder.withDecoded(sll + [0x42, 0x42, 0x03, 0, 0], linkType: .linuxSLL) { d in
            guard case .llc = d.network else { Issue.record("no LLC"); return }
        }
    }

    @Test(arguments: [
        ([2, 0, 0, 0] as [UInt8], LinkType.null),   // little-endian writer
        ([0, 0, 0, 2] as [UInt8], LinkType.null),   // big-endian writer
        ([0, 0, 0, 2] as [UInt8], LinkType.loop),
    ])
    func loopbackIPv4(header: [UInt8], type: LinkType) {
        decoder.withDecoded(header + ipUDP, linkType: type) { d in
            guard case .loopback(let h) = d.link else { Issue.record("no loopback"); return }
            #expect(h.family == 2)
            #expect(d.udp != nil)
        }
    }

    @Test(arguments: [24, 28, 30])
    func loopbackIPv6Families(family: UInt8) {
        let packet = PacketBuilder.ipv6(nextHeader: 17, PacketBuilder.udp6([5]))
        decoder.withDecoded([family, 0, 0, 0] + packet, linkType: .null) { d in
            #expect(d.udp?.header.checksumStatus == .valid)
        }
    }

    @Test func rawIP() {
        decoder.withDecoded(ipUDP, linkType: .raw) { d in #expect(d.udp != nil) }
        decoder.withDecoded(ipUDP, linkType: .ipv4) { d in #expect(d.udp != nil) }
        let v6 = PacketBuilder.ipv6(nextHeader: 17, PacketBuilder.udp6([5]))
        decoder.withDecoded(v6, linkType: .raw) { d in #expect(d.udp != nil) }
        decoder.withDecoded(v6, linkType: .ipv6) { d in #expect(d.udp != nil) }
        decoder.withDecoded([0x50] + ipUDP.dropFirst(), linkType: .raw) { d in
            #expect(d.stop?.problem == .malformed(.wrongVersion(found: 5, expected: 4)))
        }
    }

    @Test func unsupportedLinkTypeIsNamed() {
        decoder.withDecoded([1, 2, 3], linkType: LinkType(rawValue: 147)) { d in
            guard case .unsupported(let t) = d.link else { Issue.record("expected unsupported"); return }
            #expect(t.rawValue == 147)
        }
        #expect(decoder.record([1, 2, 3], linkType: LinkType(rawValue: 147)).summary == "LINKTYPE_147, length 3")
    }
}
