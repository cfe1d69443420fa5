import Testing
@testable import SOSDump

@Suite struct ICMPTests {
    let decoder = FrameDecoder()

    /// A port unreachable for an RRQ to 192.0.2.1:69, as a Linux host sends it.
    static func portUnreachable(quoting original: [UInt8]) -> [UInt8] {
        var icmp: [UInt8] = [3, 3, 0, 0, 0, 0, 0, 0] + original
        let sum = PacketBuilder.checksum(icmp)
        icmp[2] = UInt8(sum >> 8)
        icmp[3] = UInt8(sum & 0xFF)
        return PacketBuilder.ipv4(protocol: 1, src: PacketBuilder.ipB, dst: PacketBuilder.ipA, icmp)
    }

    @Test func portUnreachableNamesTheDatagramThatDrewIt() {
        let rrq = PacketBuilder.ipv4(src: PacketBuilder.ipA, dst: IPv4Address(192, 0, 2, 2),
                                     PacketBuilder.udp(sport: 2000, dport: 69, dst: IPv4Address(192, 0, 2, 2), [0, 1] + Array("f\0octet\0".utf8)))
        let frame = PacketBuilder.ethernet(type: 0x0800, Self.portUnreachable(quoting: rrq))
        decoder.withDecoded(frame) { d in
            guard case .icmpv4(let m) = d.transport else { Issue.record("no ICMP"); return }
            #expect(m.isPortUnreachable)
            #expect(m.checksumStatus == .valid)
            #expect(m.quoted == QuotedDatagram(source: .v4(PacketBuilder.ipA), destination: .v4(IPv4Address(192, 0, 2, 2)),
                                               protocol: .udp, sourcePort: 2000, destinationPort: 69))
        }
        #expect(decoder.record(frame).summary.hasSuffix("ICMP 192.0.2.2 udp port 69 unreachable"))
    }

    @Test func quotedDatagramWithOnlyEightBytesAfterTheHeader() {
        // RFC 792 promises the header and 64 bits: exactly the UDP header.
        let original = Array(PacketBuilder.ipv4(PacketBuilder.udp(sport: 2000, dport: 69, Array(repeating: 1, count: 40))).prefix(28))
        decoder.withDecoded(Self.portUnreachable(quoting: original), linkType: .raw) { d in
            guard case .icmpv4(let m) = d.transport else { Issue.record("no ICMP"); return }
            #expect(m.quoted?.destinationPort == 69)
        }
    }

    @Test func echo() {
        var icmp: [UInt8] = [8, 0, 0, 0, 0x12, 0x34, 0, 7, 1, 2, 3]
        let sum = PacketBuilder.checksum(icmp)
        icmp[2] = UInt8(sum >> 8)
        icmp[3] = UInt8(sum & 0xFF)
        let r = decoder.record(PacketBuilder.ipv4(protocol: 1, icmp), linkType: .raw)
        #expect(r.summary.hasSuffix("ICMP echo request, id 4660, seq 7"))
        #expect(r.transport?.checksum == "valid")
    }

    @Test func icmpv6PortUnreachable() {
        let original = PacketBuilder.ipv6(nextHeader: 17, PacketBuilder.udp6(sport: 2000, dport: 69, [0, 1]))
        var icmp: [UInt8] = [1, 4, 0, 0, 0, 0, 0, 0] + original
        let pseudo = PacketBuilder.ip6B + PacketBuilder.ip6A + PacketBuilder.be32(UInt32(icmp.count)) + [0, 0, 0, 58]
        let sum = PacketBuilder.checksum(icmp, pseudo: pseudo)
        icmp[2] = UInt8(sum >> 8)
        icmp[3] = UInt8(sum & 0xFF)
        let packet = [0x60, 0, 0, 0] + PacketBuilder.be16(icmp.count) + [58, 64] + PacketBuilder.ip6B + PacketBuilder.ip6A + icmp
        decoder.withDecoded(packet, linkType: .raw) { d in
            guard case .icmpv6(let m) = d.transport else { Issue.record("no ICMPv6"); return }
            #expect(m.isPortUnreachable)
            #expect(m.checksumStatus == .valid)
            #expect(m.quoted?.destinationPort == 69)
            #expect(m.quoted?.protocol == .udp)
        }
    }
}

@Suite struct ARPTests {
    let decoder = FrameDecoder()

    static func arp(op: Int, senderIP: IPv4Address, targetIP: IPv4Address) -> [UInt8] {
        [0, 1, 8, 0, 6, 4] + PacketBuilder.be16(op) + PacketBuilder.macA + PacketBuilder.be32(senderIP.rawValue)
            + [0, 0, 0, 0, 0, 0] + PacketBuilder.be32(targetIP.rawValue)
    }

    @Test func requestForTheGateway() {
        let frame = PacketBuilder.ethernet(type: 0x0806, Self.arp(op: 1, senderIP: IPv4Address(192, 0, 2, 10), targetIP: IPv4Address(192, 0, 2, 1)))
            + Array(repeating: 0, count: 18)
        decoder.withDecoded(frame) { d in
            guard case .arp(let a) = d.network else { Issue.record("no ARP"); return }
            #expect(a.operation == ARPPacket.request)
            #expect(a.targetIP == IPv4Address(192, 0, 2, 1))
            #expect(a.senderMAC?.description == "02:00:00:00:00:01")
            #expect(!a.isGratuitous)
        }
        #expect(decoder.record(frame).summary.hasSuffix("ARP, Request who-has 192.0.2.1 tell 192.0.2.10, length 28"))
    }

    @Test func gratuitous() {
        let ip = IPv4Address(169, 254, 87, 1)
        decoder.withDecoded(PacketBuilder.ethernet(type: 0x0806, Self.arp(op: 1, senderIP: ip, targetIP: ip))) { d in
            guard case .arp(let a) = d.network else { Issue.record("no ARP"); return }
            #expect(a.isGratuitous)
        }
    }

    @Test func addressLengthsBeyondThePacketAreMalformed() {
        var body = Self.arp(op: 2, senderIP: PacketBuilder.ipA, targetIP: PacketBuilder.ipB)
        body[4] = 200
        decoder.withDecoded(PacketBuilder.ethernet(type: 0x0806, body)) { d in
            #expect(d.stop?.problem == .malformed(.lengthBeyondPacket(field: .arpAddressLengths, claimed: 416, available: 28)))
        }
    }
}
