import Testing
@testable import SOSDump

@Suite struct UDPTests {
    let decoder = FrameDecoder()

    @Test func badChecksumIsReportedWithTheRightValue() {
        let good = PacketBuilder.ethernetIPv4UDP()
        var bad = good
        bad[bad.count - 1] ^= 0x01
        decoder.withDecoded(bad) { d in
            guard case .invalid(let found, let expected) = d.udp?.header.checksumStatus else {
                Issue.record("not flagged"); return
            }
            #expect(found == UInt16(good[40]) << 8 | UInt16(good[41]))
            #expect(expected != found)
        }
        // Recomputing over the corrupted bytes gives the value that would fix them.
        var fixed = bad
        decoder.withDecoded(bad) { d in
            if case .invalid(_, let expected)? = d.udp?.header.checksumStatus {
                fixed[40] = UInt8(expected >> 8)
                fixed[41] = UInt8(expected & 0xFF)
            }
        }
        decoder.withDecoded(fixed) { d in #expect(d.udp?.header.checksumStatus == .valid) }
    }

    @Test func zeroChecksumOverIPv4IsAbsent() {
        let frame = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(PacketBuilder.udp(withChecksum: false, [1, 2])))
        decoder.withDecoded(frame) { d in #expect(d.udp?.header.checksumStatus == .absent) }
    }

    @Test func truncatedDatagramIsUnverified() {
        let frame = PacketBuilder.ethernetIPv4UDP(Array(repeating: 7, count: 100))
        decoder.withDecoded(Array(frame.prefix(50)), wireLength: frame.count) { d in
            #expect(d.udp?.header.checksumStatus == .unverified)
            #expect(d.udp?.payload.count == 8)
            #expect(d.udp?.payload.wireCount == 100)
            #expect(d.stop == nil)
        }
    }

    /// A decoder told to defer leaves the checksum unchecked; checking it
    /// later from the decoded header and payload gives what the verifying
    /// decoder says, for every kind of status.
    @Test func deferredChecksumCheckedLaterMatchesTheDecoder() {
        let deferring = FrameDecoder(checksums: .deferred)
        let good = PacketBuilder.ethernetIPv4UDP(Array("RECM".utf8) + [1, 2, 3])  // an odd payload length
        var bad = good
        bad[bad.count - 2] ^= 0x40
        var wrapped = good  // the checksum field alone damaged
        wrapped[41] ^= 0x01
        let absent = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(PacketBuilder.udp(withChecksum: false, [1, 2])))
        let ipv6 = PacketBuilder.ethernet(type: 0x86DD, PacketBuilder.ipv6(nextHeader: 17, PacketBuilder.udp6([9, 8, 7, 6, 5])))
        var ipv6Bad = ipv6
        ipv6Bad[ipv6Bad.count - 1] ^= 0x10
        let cases: [(String, [UInt8], Int?)] = [
            ("good", good, nil), ("bad", bad, nil), ("bad field", wrapped, nil), ("absent", absent, nil),
            ("truncated", Array(good.prefix(44)), good.count), ("ipv6", ipv6, nil), ("ipv6 bad", ipv6Bad, nil),
        ]
        var seen: Set<String> = []
        for (name, frame, wire) in cases {
            let expected = decoder.withDecoded(frame, wireLength: wire) { $0.udp?.header.checksumStatus }
            deferring.withDecoded(frame, wireLength: wire) { d in
                guard let (header, payload) = d.udp, let addresses = d.ipAddresses else {
                    Issue.record("\(name): no UDP"); return
                }
                #expect(header.checksumStatus == .notChecked, "\(name)")
                let pseudo: PseudoHeader = switch (addresses.source, addresses.destination) {
                case (.v4(let s), .v4(let t)): .v4(source: s, destination: t)
                case (.v6(let s), .v6(let t)): .v6(source: s, destination: t)
                default: .v4(source: IPv4Address(0, 0, 0, 0), destination: IPv4Address(0, 0, 0, 0))
                }
                #expect(header.checksumStatus(payload: payload, pseudoHeader: pseudo) == expected, "\(name)")
            }
            seen.insert(expected.map { $0.word } ?? "none")
        }
        #expect(seen == ["valid", "bad", "absent", "unverified"])
    }

    @Test func lengthBelowEightIsMalformed() {
        let frame = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(PacketBuilder.udp(length: 4, [1, 2])))
        decoder.withDecoded(frame) { d in
            #expect(d.stop == DecodeStop(layer: .udp, offset: 34, problem: .malformed(
                .lengthTooSmall(field: .udpLength, claimed: 4, minimum: 8))))
            guard case .ipv4 = d.network else { Issue.record("IPv4 lost"); return }
        }
    }

    @Test func lengthBeyondTheIPPayloadIsMalformed() {
        let frame = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(PacketBuilder.udp(length: 300, [1, 2])))
        decoder.withDecoded(frame) { d in
            #expect(d.stop?.problem == .malformed(.lengthBeyondPacket(field: .udpLength, claimed: 300, available: 10)))
        }
        #expect(decoder.record(frame).summary.hasSuffix("[malformed UDP: UDP length is 300 but only 10 bytes follow]"))
    }

    @Test func checksumMatchesAnIndependentSum() {
        // RFC 1071 §3's example: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2.
        var c = InternetChecksum()
        ([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7] as [UInt8]).withUnsafeBytes { c.add($0) }
        #expect(c.value == ~UInt16(0xddf2))
        // Odd lengths pad with a zero byte; any split at even offsets gives the same sum.
        let data: [UInt8] = (0..<37).map { UInt8(truncatingIfNeeded: $0 &* 89 &+ 13) }
        var whole = InternetChecksum()
        data.withUnsafeBytes { whole.add($0) }
        var naive: UInt32 = 0
        for i in stride(from: 0, to: data.count, by: 2) {
            naive += UInt32(data[i]) << 8 | UInt32(i + 1 < data.count ? data[i + 1] : 0)
        }
        while naive > 0xFFFF { naive = (naive & 0xFFFF) + (naive >> 16) }
        #expect(whole.value == ~UInt16(naive))
        var split = InternetChecksum()
        data.withUnsafeBytes {
            split.add(UnsafeRawBufferPointer(rebasing: $0[..<10]))
            split.add(UnsafeRawBufferPointer(rebasing: $0[10...]))
        }
        #expect(split.value == whole.value)
    }
}
