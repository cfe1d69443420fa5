import Testing
@testable import SOSDump

@Suite struct IPFragmentReassemblerTests {
    static let payload: [UInt8] = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) }

    /// The UDP datagram `payload` is carried in, split into IPv4 fragments
    /// of `size` payload bytes (a multiple of 8).
    static func ipv4Fragments(id: Int = 0x4242, size: Int = 1480, payload: [UInt8] = payload) -> [[UInt8]] {
        let datagram = PacketBuilder.udp(sport: 5000, dport: 6000, payload)
        return stride(from: 0, to: datagram.count, by: size).map { offset in
            let end = min(offset + size, datagram.count)
            let more = end < datagram.count ? 0x2000 : 0
            return PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(id: id, flagsFragment: more | offset / 8, Array(datagram[offset..<end])))
        }
    }

    static func time(_ s: Int64) -> CaptureTimestamp { CaptureTimestamp(seconds: s, nanoseconds: 0) }

    @Test func inOrder() {
        let decoder = FrameDecoder()
        let frames = Self.ipv4Fragments()
        #expect(frames.count == 3)
        for (i, frame) in frames.enumerated() {
            decoder.withDecoded(frame, number: 10 + i) { d in
                if i < 2 {
                    #expect(d.fragment == .held(offset: i * 1480, length: 1480, moreFragments: true, identification: 0x4242))
                    guard case .none = d.transport else { Issue.record("transport before completion"); return }
                } else {
                    #expect(d.fragment == .completed(firstFrame: 10, fragments: 3, length: 3008))
                    #expect(d.udp?.header.checksumStatus == .valid)
                    #expect(d.udp.map { Array($0.payload) } == Self.payload)
                }
            }
        }
        #expect(decoder.reassembler.incompleteDatagrams.isEmpty)
    }

    @Test func outOfOrderAndDuplicated() {
        let decoder = FrameDecoder()
        let f = Self.ipv4Fragments()
        var completed = 0
        for (n, frame) in [f[2], f[0], f[0], f[1]].enumerated() {
            decoder.withDecoded(frame, number: n + 1) { d in
                if case .completed = d.fragment {
                    completed += 1
                    #expect(d.udp.map { Array($0.payload) } == Self.payload)
                }
            }
        }
        #expect(completed == 1)
    }

    @Test func aMissingFragmentNeverCompletesAndIsListed() {
        let decoder = FrameDecoder()
        let f = Self.ipv4Fragments()
        for frame in [f[0], f[2]] { _ = decoder.record(frame) }
        #expect(decoder.reassembler.incompleteDatagrams.count == 1)
        #expect(decoder.reassembler.incompleteDatagrams.first?.fragments == 2)
    }

    @Test func timeoutDropsAndSaysSo() {
        let decoder = FrameDecoder(reassemblyLimits: .init(timeout: 30))
        let f = Self.ipv4Fragments()
        _ = decoder.record(f[0], number: 1, time: Self.time(100))
        let other = Self.ipv4Fragments(id: 7)
        decoder.withDecoded(other[0], number: 2, time: Self.time(131)) { d in
            #expect(d.reassemblyNotice?.reason == .timedOut(after: 30))
            #expect(d.reassemblyNotice?.firstFrame == 1)
        }
        #expect(decoder.reassembler.droppedDatagrams == 1)
        // The late fragments of the dropped datagram start over and never complete.
        decoder.withDecoded(f[1], number: 3, time: Self.time(132)) { d in
            if case .held = d.fragment {} else { Issue.record("expected held") }
        }
    }

    @Test func datagramsInFlightAreBounded() {
        let decoder = FrameDecoder(reassemblyLimits: .init(datagrams: 4))
        var notices: [ReassemblyNotice] = []
        for id in 0..<10 {
            decoder.withDecoded(Self.ipv4Fragments(id: id)[0], number: id + 1) { d in
                if let n = d.reassemblyNotice { notices.append(n) }
            }
        }
        #expect(decoder.reassembler.incompleteDatagrams.count == 4)
        #expect(notices.count == 6)
        #expect(notices.first?.reason == .tooManyDatagrams(limit: 4))
        #expect(notices.first?.firstFrame == 1)
    }

    @Test func bytesHeldAreBounded() {
        let decoder = FrameDecoder(reassemblyLimits: .init(bytes: 4000))
        var reasons: [ReassemblyNotice.Reason] = []
        for id in 0..<3 {
            decoder.withDecoded(Self.ipv4Fragments(id: id)[1], number: id + 1) { d in
                if let n = d.reassemblyNotice { reasons.append(n.reason) }
            }
        }
        // Each held datagram needs 2960 bytes (up to the end of its second fragment).
        #expect(decoder.reassembler.incompleteDatagrams.count == 1)
        #expect(reasons == [.tooManyBytes(limit: 4000), .tooManyBytes(limit: 4000)])
    }

    @Test func oversizeDatagramIsDropped() {
        let decoder = FrameDecoder()
        // Offset 65528 plus 1480 bytes is past the 65,535 a datagram can be.
        let frame = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(flagsFragment: 0x2000 | 8191, Array(repeating: 0, count: 1480)))
        decoder.withDecoded(frame) { d in
            #expect(d.reassemblyNotice?.reason == .datagramTooLarge(frame: 1, size: 65528 + 1480, limit: 65_535))
            if case .dropped = d.fragment {} else { Issue.record("expected dropped") }
        }
    }

    @Test func aFragmentCutBySnapLengthCannotBeReassembled() {
        let decoder = FrameDecoder()
        let f = Self.ipv4Fragments()
        _ = decoder.record(f[0], number: 1)
        decoder.withDecoded(Array(f[1].prefix(100)), wireLength: f[1].count, number: 2) { d in
            #expect(d.reassemblyNotice?.reason == .fragmentTruncated(frame: 2))
        }
        decoder.withDecoded(f[2], number: 3) { d in
            if case .completed = d.fragment { Issue.record("completed without its middle") }
        }
    }

    /// IPv6 fragments, each behind a Fragment header (RFC 8200 §4.5).
    static func ipv6Fragments(size: Int = 1232) -> [[UInt8]] {
        let datagram = PacketBuilder.udp6(sport: 5000, dport: 6000, payload)
        return stride(from: 0, to: datagram.count, by: size).map { offset in
            let end = min(offset + size, datagram.count)
            let more = end < datagram.count ? 1 : 0
            let header: [UInt8] = [17, 0] + PacketBuilder.be16(offset | more) + PacketBuilder.be32(0xCAFE)
            return PacketBuilder.ethernet(type: 0x86DD, PacketBuilder.ipv6(nextHeader: 44, header + datagram[offset..<end]))
        }
    }

    @Test func ipv6InOrder() {
        let decoder = FrameDecoder()
        let frames = Self.ipv6Fragments()
        for (i, frame) in frames.enumerated() {
            decoder.withDecoded(frame, number: i + 1) { d in
                guard case .ipv6(let ip) = d.network else { Issue.record("no IPv6"); return }
                #expect(ip.extensionHeaders.all == [.fragment])
                if i == frames.count - 1 {
                    #expect(d.fragment == .completed(firstFrame: 1, fragments: frames.count, length: 3008))
                    #expect(d.udp?.header.checksumStatus == .valid)
                    #expect(d.udp.map { Array($0.payload) } == Self.payload)
                }
            }
        }
    }

    @Test func ipv6OverlapDiscardsTheDatagram() {
        let decoder = FrameDecoder()
        let f = Self.ipv6Fragments()
        _ = decoder.record(f[0], number: 1)
        // A fragment at offset 8 overlaps the first: RFC 5722 says drop it all.
        let header: [UInt8] = [17, 0] + PacketBuilder.be16(8 | 1) + PacketBuilder.be32(0xCAFE)
        let overlapping = PacketBuilder.ethernet(type: 0x86DD, PacketBuilder.ipv6(nextHeader: 44, header + Array(repeating: 0, count: 16)))
        decoder.withDecoded(overlapping, number: 2) { d in
            #expect(d.reassemblyNotice?.reason == .overlap(frame: 2))
        }
        #expect(decoder.reassembler.incompleteDatagrams.isEmpty)
    }

    @Test func ipv4OverlapKeepsTheFirstCopy() {
        let decoder = FrameDecoder()
        let f = Self.ipv4Fragments()
        _ = decoder.record(f[0], number: 1)
        // A rogue copy of the middle fragment with other bytes, then the real one, then the last.
        let datagram = PacketBuilder.udp(sport: 5000, dport: 6000, Self.payload)
        let rogue = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(id: 0x4242, flagsFragment: 0x2000 | 1480 / 8,
                                                                            Array(repeating: 0xAA, count: 1480)))
        _ = decoder.record(rogue, number: 2)
        _ = decoder.record(f[1], number: 3)
        decoder.withDecoded(f[2], number: 4) { d in
            #expect(d.fragment == .completed(firstFrame: 1, fragments: 4, length: datagram.count))
            // First copy won: the checksum no longer matches.
            if case .invalid = d.udp?.header.checksumStatus {} else { Issue.record("rogue bytes not kept") }
        }
    }
}
