import Testing
@testable import SOSDump

@Suite struct EthernetTests {
    let decoder = FrameDecoder()

    @Test func decodesTheEverydayFrame() {
        let frame = PacketBuilder.ethernetIPv4UDP()
        decoder.withDecoded(frame) { d in
            guard case .ethernet(let eth) = d.link else { Issue.record("no Ethernet"); return }
            #expect(eth.source.description == "02:00:00:00:00:01")
            #expect(eth.destination.description == "01:00:5e:04:08:0a")
            #expect(eth.destination.isMulticast)
            guard case .ipv4(let ip) = d.network else { Issue.record("no IPv4"); return }
            #expect(ip.destination.description == "234.4.8.10")
            #expect(ip.checksumStatus == .valid)
            guard let (udp, payload) = d.udp else { Issue.record("no UDP"); return }
            #expect(udp.sourcePort == 4811 && udp.destinationPort == 4810)
            #expect(udp.checksumStatus == .valid)
            #expect(Array(payload.prefix(4)) == Array("RECM".utf8))
            #expect(d.stop == nil)
        }
        // Its 8 bytes go to the phone's port 4810 but are no S.O.S. message (RECM is not at offset 4): noted.
        #expect(decoder.record(frame).summary
            == "02:00:00:00:00:01 > 01:00:5e:04:08:0a, length 50, IP 192.0.2.1.4811 > 234.4.8.10.4810: UDP, length 8"
            + " [to port 4810 but not an S.O.S. message (no RECM at offset 4): the 7.6.2f recovery program drops it]")
    }

    @Test func paddingNeverReachesThePayload() {
        // A 60-byte minimum Ethernet frame: the IPv4 total length says where the datagram ends.
        let frame = PacketBuilder.ethernetIPv4UDP([1, 2]) + Array(repeating: 0xEE, count: 16)
        decoder.withDecoded(frame) { d in
            #expect(d.udp.map { Array($0.payload) } == [1, 2])
            #expect(d.udp?.header.checksumStatus == .valid)
        }
    }

    @Test(arguments: [1, 2, 3, 5])
    func stackedTagsToAnyDepth(depth: Int) {
        let tpids = [0x88A8, 0x8100, 0x9100, 0x8100, 0x8100]
        let tags = (0..<depth).map { (tpid: tpids[$0], id: 100 + $0) }
        let frame = PacketBuilder.ethernet(type: 0x0800, tags: tags, PacketBuilder.ipv4(PacketBuilder.udp([7])))
        decoder.withDecoded(frame) { d in
            #expect(d.vlanTags.count == depth)
            #expect(d.vlanTags.all.map(\.id) == (0..<depth).map { UInt16(100 + $0) })
            #expect(d.vlanTags[0].tpid.rawValue == UInt16(tpids[0]))
            #expect(d.udp?.header.destinationPort == 4810)
        }
    }

    @Test func tagPriorityAndDropEligible() {
        let frame = PacketBuilder.ethernet(type: 0x0806, tags: [(0x8100, 0xA00A)], [])  // PCP 5, DEI 0, VID 10
        decoder.withDecoded(frame) { d in
            #expect(d.vlanTags[0] == VLANTag(tpid: .vlan, priority: 5, dropEligible: false, id: 10))
        }
    }

    @Test func ieee8023FramesAreRecognisedAndSkipped() {
        // STP BPDU: 802.3 length, LLC 42 42 03.
        let bpdu: [UInt8] = [0x42, 0x42, 0x03] + Array(repeating: 0, count: 35)
        let frame = PacketBuilder.macB + PacketBuilder.macA + PacketBuilder.be16(bpdu.count) + bpdu + [0, 0, 0, 0]
        decoder.withDecoded(frame) { d in
            guard case .llc(let llc, let payload) = d.network else { Issue.record("no LLC"); return }
            #expect(llc.dsap == 0x42 && llc.ssap == 0x42 && llc.control == 3 && llc.snap == nil)
            // The BPDU after its LLC header, cut to the 802.3 length (no padding).
            #expect(Array(payload) == Array(bpdu.dropFirst(3)))
            #expect(d.stop == nil)
        }
    }

    @Test func snapWithAnEtherTypeIsDecodedOn() {
        let ip = PacketBuilder.ipv4(PacketBuilder.udp([9]))
        let llc: [UInt8] = [0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00] + ip
        let frame = PacketBuilder.macB + PacketBuilder.macA + PacketBuilder.be16(llc.count) + llc
        decoder.withDecoded(frame) { d in
            #expect(d.udp?.header.sourcePort == 4811)
        }
    }

    @Test func cdpOverSnapIsKeptAsLLC() {
        let llc: [UInt8] = [0xAA, 0xAA, 0x03, 0x00, 0x00, 0x0C, 0x20, 0x00, 2, 180]
        let frame = PacketBuilder.macB + PacketBuilder.macA + PacketBuilder.be16(llc.count) + llc + [0, 0, 0, 0]
        // Kept as LLC for the CDP decoder above it, which finds two bytes where its header needs four.
        let record = decoder.record(frame)
        #expect(record.network?.protocol == "LLC" && record.cdp == nil)
        #expect(record.summary.hasSuffix("CDP, length 2 [malformed CDP: needs 4 bytes, the packet has 2 at byte 0]"))
        #expect(record.stop?.layer == "CDP" && record.stop?.kind == "malformed")
        decoder.withDecoded(frame) { d in
            guard case .llc(let header, let payload) = d.network else { Issue.record("no LLC"); return }
            #expect(header.snap?.oui == 0x00_000C && header.snap?.protocolID == 0x2000)
            // CDP's version and TTL, without the padding after the 802.3 length.
            #expect(Array(payload) == [2, 180] && payload.wireCount == 2)
            #expect(d.stop == nil)
        }
    }

    @Test func an8023LengthBeyondTheFrameIsMalformed() {
        let frame = PacketBuilder.macB + PacketBuilder.macA + PacketBuilder.be16(100) + [0x42, 0x42, 0x03]
        decoder.withDecoded(frame) { d in
            #expect(d.stop == DecodeStop(layer: .llc, offset: 14, problem: .malformed(
                .lengthBeyondPacket(field: .ieee8023Length, claimed: 100, available: 3))))
        }
    }

    @Test func unknownEtherTypeIsKept() {
        let frame = PacketBuilder.ethernet(type: 0x88CC, [1, 2, 3])
        decoder.withDecoded(frame) { d in
            guard case .other(let t, let payload) = d.network else { Issue.record("expected other"); return }
            #expect(t == .lldp)
            #expect(Array(payload) == [1, 2, 3])
        }
        #expect(decoder.record(PacketBuilder.ethernet(type: 0x1234, [])).summary.hasSuffix("ethertype 0x1234"))
        // Under a VLAN tag, the payload starts after the tag.
        decoder.withDecoded(PacketBuilder.ethernet(type: 0x88CC, tags: [(0x8100, 10)], [4, 5])) { d in
            guard case .other(let t, let payload) = d.network else { Issue.record("expected other"); return }
            #expect(t == .lldp && Array(payload) == [4, 5])
        }
    }
}
