import Testing
@testable import SOSDump

@Suite struct IPv4Tests {
    let decoder = FrameDecoder()

    @Test func badHeaderChecksumIsReportedAndDecodingGoesOn() {
        var frame = PacketBuilder.ethernetIPv4UDP()
        frame[14 + 10] ^= 0xFF
        decoder.withDecoded(frame) { d in
            guard case .ipv4(let ip) = d.network, case .invalid(let found, let expected) = ip.checksumStatus else {
                Issue.record("checksum not flagged"); return
            }
            #expect(found != expected)
            #expect(expected == UInt16(frame[24] ^ 0xFF) << 8 | UInt16(frame[25]))
            #expect(d.udp != nil)
        }
        #expect(decoder.record(frame).notes?.first?.hasPrefix("IPv4 header checksum bad: 0x") == true)
    }

    /// Deferred, the checksum is left for the reader of the header, who
    /// gets the same answer from the dissection.
    @Test func aDeferredHeaderChecksumIsCheckedWhereItIsRead() {
        var frame = PacketBuilder.ethernetIPv4UDP()
        let deferring = FrameDecoder(checksums: .deferred)
        deferring.withDecoded(frame) { d in
            guard case .ipv4(let ip) = d.network else { Issue.record("no IPv4"); return }
            #expect(ip.checksumStatus == .notChecked)
            #expect(d.ipv4ChecksumStatus == .valid)
        }
        frame[14 + 10] ^= 0xFF
        deferring.withDecoded(frame) { d in
            guard case .invalid? = d.ipv4ChecksumStatus else { Issue.record("checksum not flagged"); return }
            #expect(SOSDelivery(d)?.ipChecksumBad == true)
        }
        decoder.withDecoded(frame) { d in
            guard case .ipv4(let ip) = d.network else { Issue.record("no IPv4"); return }
            #expect(d.ipv4ChecksumStatus == ip.checksumStatus)
        }
    }

    @Test func optionsAreSkipped() {
        let frame = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(options: [0x94, 0x04, 0, 0], PacketBuilder.udp([1])))
        decoder.withDecoded(frame) { d in
            guard case .ipv4(let ip) = d.network else { Issue.record("no IPv4"); return }
            #expect(ip.headerLength == 24)
            #expect(ip.checksumStatus == .valid)
            #expect(d.udp.map { Array($0.payload) } == [1])
        }
    }

    @Test func headerLengthBelowFiveIsMalformed() {
        var ip = PacketBuilder.ipv4(PacketBuilder.udp([]))
        ip[0] = 0x44
        decoder.withDecoded(ip, linkType: .raw) { d in
            #expect(d.stop == DecodeStop(layer: .ipv4, offset: 0, problem: .malformed(
                .lengthTooSmall(field: .ipv4HeaderLength, claimed: 16, minimum: 20))))
        }
    }

    @Test func totalLengthBeyondTheFrameIsMalformed() {
        let ip = PacketBuilder.ipv4(totalLength: 1500, PacketBuilder.udp([1, 2]))
        decoder.withDecoded(ip, linkType: .raw) { d in
            #expect(d.stop == DecodeStop(layer: .ipv4, offset: 0, problem: .malformed(
                .lengthBeyondPacket(field: .ipv4TotalLength, claimed: 1500, available: 30))))
        }
        // The same frame cut by the snap length is fine: the wire had the
        // bytes, and the UDP length says the datagram is all there.
        decoder.withDecoded(ip, linkType: .raw, wireLength: 1500) { d in
            #expect(d.stop == nil)
            #expect(d.udp.map { Array($0.payload) } == [1, 2])
        }
    }

    @Test func totalLengthBelowTheHeaderIsMalformed() {
        let ip = PacketBuilder.ipv4(totalLength: 12, PacketBuilder.udp([]))
        decoder.withDecoded(ip, linkType: .raw) { d in
            #expect(d.stop?.problem == .malformed(.lengthTooSmall(field: .ipv4TotalLength, claimed: 12, minimum: 20)))
        }
    }

    @Test func unknownProtocolKeepsItsPayload() {
        let ip = PacketBuilder.ipv4(protocol: 47, [1, 2, 3, 4])
        decoder.withDecoded(ip, linkType: .raw) { d in
            guard case .other(let proto, let payload) = d.transport else { Issue.record("expected other"); return }
            #expect(proto == .gre)
            #expect(payload.count == 4)
        }
        #expect(decoder.record(ip, linkType: .raw).summary == "length 24, IP 192.0.2.1 > 234.4.8.10: GRE length 4")
    }
}

@Suite struct IPv6Tests {
    let decoder = FrameDecoder()

    @Test func udpOverIPv6() {
        let packet = PacketBuilder.ethernet(type: 0x86DD, PacketBuilder.ipv6(nextHeader: 17, PacketBuilder.udp6([1, 2, 3])))
        decoder.withDecoded(packet) { d in
            guard case .ipv6(let ip) = d.network else { Issue.record("no IPv6"); return }
            #expect(ip.source.description == "2001:db8::1")
            #expect(ip.extensionHeaders.isEmpty)
            #expect(d.udp?.header.checksumStatus == .valid)
        }
        #expect(decoder.record(packet).summary.hasSuffix("IP6 2001:db8::1.4811 > 2001:db8::2.4810: UDP, length 3"))
    }

    @Test func extensionHeadersAreWalked() {
        // Hop-by-hop (router alert, 8 bytes) -> destination options (16 bytes) -> UDP.
        let udp = PacketBuilder.udp6([9])
        let dst: [UInt8] = [17, 1] + Array(repeating: 0, count: 14)
        let hbh: [UInt8] = [60, 0, 5, 2, 0, 0, 1, 0]
        let packet = PacketBuilder.ipv6(nextHeader: 0, hbh + dst + udp)
        decoder.withDecoded(packet, linkType: .raw) { d in
            guard case .ipv6(let ip) = d.network else { Issue.record("no IPv6"); return }
            #expect(ip.extensionHeaders.all == [.hopByHop, .destinationOptions])
            #expect(ip.upperLayer == .udp)
            #expect(d.udp?.payload.first == 9)
        }
    }

    @Test func anExtensionHeaderLongerThanThePacketIsMalformed() {
        let hbh: [UInt8] = [17, 9, 5, 2, 0, 0, 1, 0]   // claims 80 bytes
        let packet = PacketBuilder.ipv6(nextHeader: 0, hbh)
        decoder.withDecoded(packet, linkType: .raw) { d in
            #expect(d.stop == DecodeStop(layer: .ipv6, offset: 0, problem: .malformed(
                .lengthBeyondPacket(field: .ipv6ExtensionLength, claimed: 80, available: 8))))
        }
    }

    @Test func payloadLengthBeyondTheFrameIsMalformed() {
        let packet = PacketBuilder.ipv6(nextHeader: 17, payloadLength: 400, PacketBuilder.udp6([1]))
        decoder.withDecoded(packet, linkType: .raw) { d in
            #expect(d.stop?.problem == .malformed(.lengthBeyondPacket(field: .ipv6PayloadLength, claimed: 400, available: 9)))
        }
    }

    @Test func espEndsDecoding() {
        let packet = PacketBuilder.ipv6(nextHeader: 50, [0, 0, 1, 0, 0, 0, 0, 1, 0xAB])
        decoder.withDecoded(packet, linkType: .raw) { d in
            guard case .other(let p, _) = d.transport else { Issue.record("expected other"); return }
            #expect(p == .esp)
            #expect(d.stop == nil)
        }
    }

    @Test func addressesPrintAsRFC5952Says() {
        let cases: [([UInt8], String)] = [
            ([0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1], "2001:db8::1"),
            (Array(repeating: 0, count: 16), "::"),
            (Array(repeating: 0, count: 15) + [1], "::1"),
            ([0xfe, 0x80] + Array(repeating: 0, count: 14), "fe80::"),
            ([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0], "2001:db8:0:1::1:0"),
            ([0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1], "2001:db8:1:0:1:0:1:1"),
        ]
        for (bytes, text) in cases {
            ByteView.with(bytes) { v in #expect(IPv6Address(v, at: 0)?.description == text) }
        }
    }
}
