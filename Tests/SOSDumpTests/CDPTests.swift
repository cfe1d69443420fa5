import Testing
@testable import SOSDump

/// CDP byte by byte: a 7945's announcement written here by hand (apart
/// from the encoder, so a mistake in one does not hide in the other), the
/// checksum's odd-length rule, every cut, and the encoder read back.
@Suite struct CDPTests {
    static func text(_ s: String) -> [UInt8] { Array(s.utf8) }
    static func tlv(_ type: UInt16, _ value: [UInt8]) -> [UInt8] {
        [UInt8(type >> 8), UInt8(type & 0xFF), UInt8((value.count + 4) >> 8), UInt8((value.count + 4) & 0xFF)] + value
    }

    /// A phone's CDP, checksum left zero (filled by `withChecksum`):
    ///
    /// ```
    /// 0000  02 b4 00 00 00 01 00 13 53 45 50 30 30 31 31 32   ........SEP00112
    /// 0010  32 33 33 34 34 35 35 00 02 00 11 00 00 00 01 01   2334455.........
    /// 0020  01 cc 00 04 c0 00 02 0a 00 03 00 0a 50 6f 72 74   ............Port
    /// 0030  20 31 00 04 00 08 00 00 04 90 00 05 00 11 53 43    1............SC
    /// 0040  43 50 34 35 2e 38 2d 33 2d 33 53 00 06 00 17 43   CP45.8-3-3S....C
    /// ...   Cisco IP Phone 7945, VoIP VLAN query 0x20/0, power 6300 mW, duplex full
    /// ```
    static let phoneTLVs: [UInt8] = tlv(0x0001, text("SEP001122334455"))
        + tlv(0x0002, [0, 0, 0, 1, 1, 1, 0xCC, 0, 4, 192, 0, 2, 10])
        + tlv(0x0003, text("Port 1"))
        + tlv(0x0004, [0, 0, 0x04, 0x90])
        + tlv(0x0005, text("SCCP45.8-3-3S"))
        + tlv(0x0006, text("Cisco IP Phone 7945"))
        + tlv(0x000F, [0x20, 0, 0])
        + tlv(0x0010, [0x18, 0x9C])
        + tlv(0x000B, [1])

    /// RFC 1071 over the PDU with Cisco's odd-length rule, computed here
    /// the plain way (16-bit words in an Int), not through the library.
    static func ciscoSum(_ pdu: [UInt8]) -> UInt16 {
        var sum = 0
        var i = 0
        while i + 1 < pdu.count {
            sum += Int(pdu[i]) << 8 | Int(pdu[i + 1])
            i += 2
        }
        if i < pdu.count {
            let last = Int(pdu[i])
            sum += last & 0x80 != 0 ? 0xFF00 | (last - 1) : last
        }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return UInt16(~sum & 0xFFFF)
    }

    static func withChecksum(_ body: [UInt8]) -> [UInt8] {
        var pdu = [2, 180, 0, 0] + body
        let sum = ciscoSum(pdu)
        pdu[2] = UInt8(sum >> 8)
        pdu[3] = UInt8(sum & 0xFF)
        return pdu
    }

    static func decode(_ bytes: [UInt8], wireCount: Int? = nil) -> Result<CDPPacket, DecodeProblem> {
        ByteView.with(bytes, wireCount: wireCount) { v in
            do throws(DecodeProblem) { return .success(try CDPPacket.decode(v)) } catch { return .failure(error) }
        }
    }

    @Test func aPhonesAnnouncement() throws {
        let pdu = Self.withChecksum(Self.phoneTLVs)
        let p = try Self.decode(pdu).get()
        #expect(p.version == 2 && p.timeToLive == 180 && p.stop == nil)
        #expect(p.checksumStatus == .valid)
        #expect(p.deviceID == "SEP001122334455")
        #expect(p.addresses == [.ipv4(IPv4Address(192, 0, 2, 10))])
        #expect(p.portID == "Port 1")
        #expect(p.capabilities?.rawValue == 0x490 && p.capabilities?.isSuperset(of: [.host, .phone]) == true)
        #expect(p.capabilities?.description == "host phone 0x400")
        #expect(p.softwareVersion == "SCCP45.8-3-3S")
        #expect(p.platform == "Cisco IP Phone 7945")
        #expect(p.voiceVLANQuery == CDPVoiceVLAN(data: 0x20, vlan: 0))
        #expect(p.voiceVLANReply == nil && p.nativeVLAN == nil)
        #expect(p.powerMilliwatts == 6300)
        #expect(p.tlv(.duplex)?.value == .fullDuplex(true))
        #expect(p.tlvs.map(\.offset) == [4, 23, 40, 50, 58, 75, 98, 105, 111])
        #expect(p.problems.isEmpty)
    }

    @Test func aSwitchsVoiceVLANReply() throws {
        let pdu = Self.withChecksum(Self.tlv(0x0001, Self.text("sw1")) + Self.tlv(0x000A, [0, 1]) + Self.tlv(0x000E, [1, 0, 100])
            + Self.tlv(0x0002, [0, 0, 0, 1, 2, 8, 0xAA, 0xAA, 3, 0, 0, 0, 0x86, 0xDD, 0, 16] + [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [7]))
        let p = try Self.decode(pdu).get()
        #expect(p.nativeVLAN == 1)
        #expect(p.voiceVLANReply == CDPVoiceVLAN(data: 1, vlan: 100))
        #expect(p.addresses?.map(\.description) == ["2001:db8::7"])
    }

    // MARK: The checksum

    @Test func anOddLengthAddsTheLastByteAsTheLowByte() throws {
        // Even: plain RFC 1071. Odd, last byte < 0x80: 0x00XX.
        for body in [Self.tlv(0x0001, Self.text("SEP0011")), Self.tlv(0x0001, Self.text("SEP00112"))] {
            let pdu = Self.withChecksum(body)
            #expect(try Self.decode(pdu).get().checksumStatus == .valid, "\(pdu.count) bytes")
        }
        // RFC 1071's reading of an odd length (0xXX00) is not Cisco's: bad.
        var pdu = [2, 180, 0, 0] + Self.tlv(0x0001, Self.text("SEP0011"))
        #expect(pdu.count % 2 == 1)
        var rfc = InternetChecksum()
        pdu.withUnsafeBytes { rfc.add($0) }
        pdu[2] = UInt8(rfc.value >> 8)
        pdu[3] = UInt8(rfc.value & 0xFF)
        guard case .invalid(let found, let expected) = try Self.decode(pdu).get().checksumStatus else {
            Issue.record("RFC 1071 padding accepted"); return
        }
        #expect(found == rfc.value && expected == Self.ciscoSum(pdu.enumerated().map { $0.offset == 2 || $0.offset == 3 ? 0 : $0.element }))
    }

    @Test func anOddLastByteWithItsTopBitSetIsSignExtended() throws {
        // Device id ending in 0xA9 (the second byte of "é"): Cisco sums 0xFFA8.
        let pdu = Self.withChecksum(Self.tlv(0x0001, Self.text("SEPé")))
        #expect(pdu.count % 2 == 1 && pdu.last == 0xA9)
        #expect(try Self.decode(pdu).get().checksumStatus == .valid)
        // The same PDU summed with 0x00XX, unsigned, is accepted and said so.
        var plain = pdu
        plain[2] = 0
        plain[3] = 0
        var sum = 0
        for i in stride(from: 0, to: plain.count - 1, by: 2) { sum += Int(plain[i]) << 8 | Int(plain[i + 1]) }
        sum += Int(plain[plain.count - 1])
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        plain[2] = UInt8((~sum & 0xFFFF) >> 8)
        plain[3] = UInt8(~sum & 0xFF)
        #expect(try Self.decode(plain).get().checksumStatus == .validUnsigned)
        #expect(CDPChecksumStatus.validUnsigned.word == "valid")
    }

    @Test func aCutPDUIsNotVerified() throws {
        let pdu = Self.withChecksum(Self.phoneTLVs)
        #expect(try Self.decode(Array(pdu.prefix(30)), wireCount: pdu.count).get().checksumStatus == .unverified)
    }

    // MARK: Damage

    @Test func everyCut() throws {
        let pdu = Self.withChecksum(Self.phoneTLVs)
        let whole = try Self.decode(pdu).get()
        let ends = whole.tlvs.map { $0.offset + 4 + $0.data.count }
        for n in 0..<pdu.count {
            let cut = Array(pdu.prefix(n))
            let kept = ends.filter { $0 <= n }.count
            // Cut by the snap length: truncated.
            switch Self.decode(cut, wireCount: pdu.count) {
            case .failure(let p):
                #expect(n < 4 && p == .truncated(needed: 4, captured: n), "snap cut at \(n)")
            case .success(let p):
                #expect(p.tlvs.count == kept, "snap cut at \(n)")
                #expect(p.stop?.isTruncation == true && p.stop?.layer == .cdp, "snap cut at \(n)")
                #expect(p.checksumStatus == .unverified)
            }
            // Cut on the wire: malformed, except exactly at a TLV's end.
            switch Self.decode(cut) {
            case .failure(let p):
                #expect(n < 4 && p == .malformed(.tooShort(needed: 4, available: n)), "wire cut at \(n)")
            case .success(let p):
                #expect(p.tlvs.count == kept, "wire cut at \(n)")
                if n == 4 || ends.contains(n) {
                    #expect(p.stop == nil, "wire cut at \(n)")
                } else {
                    #expect(p.stop != nil && p.stop?.isTruncation == false, "wire cut at \(n)")
                }
            }
        }
    }

    @Test func lengthsThatLie() throws {
        // A TLV length under 4, and one past the end.
        let short = try Self.decode([2, 180, 0, 0] + [0, 1, 0, 3, 0x41]).get()
        #expect(short.stop == DecodeStop(layer: .cdp, offset: 4, problem: .malformed(.lengthTooSmall(field: .cdpTLVLength, claimed: 3, minimum: 4))))
        let long = try Self.decode([2, 180, 0, 0] + Self.tlv(0x0001, Self.text("a")) + [0, 6, 0, 40, 0x41]).get()
        #expect(long.tlvs.count == 1)
        #expect(long.stop == DecodeStop(layer: .cdp, offset: 9, problem: .malformed(.lengthBeyondPacket(field: .cdpTLVLength, claimed: 40, available: 5))))
        // Values of the wrong size are problems of their TLV, not stops.
        let bad = try Self.decode([2, 180, 0, 0] + Self.tlv(0x0004, [1]) + Self.tlv(0x000E, [1, 0])
            + Self.tlv(0x0002, [0, 0, 0, 2, 1, 1, 0xCC, 0, 4, 10, 0, 0, 1])).get()
        #expect(bad.stop == nil && bad.capabilities == nil && bad.voiceVLANReply == nil && bad.addresses == nil)
        #expect(bad.problems.map(\.type) == [.capabilities, .voiceVLANReply, .addresses])
        #expect(bad.problems.map(\.problem.description) == ["1 bytes instead of 4", "2 bytes, less than the minimum 3",
                                                             "address 2 at byte 13 runs past the end of its TLV"])
    }

    @Test func seededRandomDamageNeverCrashes() throws {
        let pdu = Self.withChecksum(Self.phoneTLVs)
        var random = SplitMix64(seed: 0xCD9)
        for _ in 0..<3000 {
            var damaged = pdu
            for _ in 0..<Int.random(in: 1...5, using: &random) {
                damaged[Int.random(in: 0..<damaged.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            let cut = Int.random(in: 0...damaged.count, using: &random)
            guard case .success(let p) = Self.decode(Array(damaged.prefix(cut)), wireCount: damaged.count) else { continue }
            for t in p.tlvs {
                #expect(t.offset + 4 + t.data.count <= cut)
                _ = t.value
            }
            _ = (p.deviceID, p.addresses, p.problems.count, p.checksumStatus.description)
        }
    }

    // MARK: The encoder, and the frame

    @Test func theEncoderWritesWhatTheDecoderReads() throws {
        let tlvs: [CDPTLV] = [.deviceID("SEP00AABBCCDDEE"), .addresses([IPv4Address(10, 0, 0, 5)]), .portID("Port 1"),
                              .capabilities([.host, .phone]), .softwareVersion("SCCP45.9-4-2SR3-1S"),
                              .platform("Cisco IP Phone 7945"), .nativeVLAN(1), .voiceVLANReply(200), .voiceVLANQuery(),
                              .power(milliwatts: 6300), .duplex(full: true)]
        let pdu = CDP.encode(tlvs)
        let p = try Self.decode(pdu).get()
        #expect(p.checksumStatus == .valid)
        #expect(p.tlvs.map(\.type) == tlvs.map(\.type) && p.tlvs.map(\.data) == tlvs.map(\.data))
        #expect(p.voiceVLANReply?.vlan == 200 && p.addresses == [.ipv4(IPv4Address(10, 0, 0, 5))])
        #expect(Self.ciscoSum(pdu.enumerated().map { $0.offset == 2 || $0.offset == 3 ? 0 : $0.element }) == p.checksum)
        // A chosen bad checksum.
        #expect(try Self.decode(CDP.encode(tlvs, checksum: 0x1234)).get().checksumStatus != .valid)
    }

    @Test func theFrameDecodesThroughLLCAndSNAP() throws {
        let mac = MACAddress(rawValue: 0x0011_2233_4455)
        let frame = CDP.frame(source: mac, pdu: CDP.encode([.deviceID("SEP001122334455")]))
        #expect(frame.count == 60)
        try FrameDecoder().withDecoded(frame) { d in
            guard case .ethernet(let e) = d.link else { Issue.record("not Ethernet"); return }
            #expect(e.destination == CDP.multicast && e.source == mac)
            let p = try #require(try d.cdp?.get())
            // The 802.3 length cuts the Ethernet padding off.
            #expect(p.tlvs.count == 1 && p.deviceID == "SEP001122334455" && p.stop == nil)
            #expect(p.checksumStatus == .valid)
            #expect(d.lldp == nil)
        }
        // Not CDP: other SNAP, other frames.
        try FrameDecoder().withDecoded(PacketBuilder.ethernetIPv4UDP()) { d in #expect(d.cdp == nil) }
    }
}
