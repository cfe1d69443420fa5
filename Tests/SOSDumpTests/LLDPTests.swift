import Testing
@testable import SOSDump

/// LLDP and LLDP-MED byte by byte: a switch port's LLDPDU and a phone's,
/// written by hand, every cut, and the encoder read back.
@Suite struct LLDPTests {
    static func tlv(_ type: UInt8, _ value: [UInt8]) -> [UInt8] {
        [type << 1 | UInt8(value.count >> 8), UInt8(value.count & 0xFF)] + value
    }
    static func med(_ subtype: UInt8, _ value: [UInt8]) -> [UInt8] { tlv(127, [0x00, 0x12, 0xBB, subtype] + value) }
    static func text(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// A switch port offering voice VLAN 100:
    ///
    /// ```
    /// 0000  02 07 04 00 11 22 33 44 55 04 08 05 47 69 31 2f   ....."3DU...Gi1/
    /// 0010  30 2f 31 06 02 00 78 0a 03 73 77 31 0e 04 00 14   0/1...x..sw1....
    /// 0020  00 04 fe 06 00 80 c2 01 00 01 fe 07 00 12 bb 01   ................
    /// 0030  00 33 04 fe 08 00 12 bb 02 01 40 c8 ae 00 00      .3........@....
    /// ```
    /// Network policy 01 40 c8 ae: voice, tagged, VLAN 100, priority 2, DSCP 46.
    static let switchPDU: [UInt8] = tlv(1, [4, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55]) + tlv(2, [5] + text("Gi1/0/1"))
        + tlv(3, [0, 120]) + tlv(5, text("sw1")) + tlv(7, [0x00, 0x14, 0x00, 0x04])
        + tlv(127, [0x00, 0x80, 0xC2, 1, 0x00, 0x01]) + med(1, [0x00, 0x33, 4])
        + med(2, [0x01, 0x40, 0xC8, 0xAE]) + [0, 0]

    /// A 7945 running SCCP45.9-4-2SR3-1S.
    static let phonePDU: [UInt8] = tlv(1, [4, 0x00, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE]) + tlv(2, [3, 0x00, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE])
        + tlv(3, [0, 180]) + tlv(5, text("SEP00AABBCCDDEE")) + tlv(7, [0x00, 0x24, 0x00, 0x24])
        + med(1, [0x00, 0x33, 3]) + med(2, [0x01, 0x80, 0x00, 0x00])
        + med(5, text("1")) + med(6, text("SCCP45.9-4-2SR3-1S")) + med(10, text("CP-7945G")) + [0, 0]

    static func decode(_ bytes: [UInt8], wireCount: Int? = nil) -> Result<LLDPPacket, DecodeProblem> {
        ByteView.with(bytes, wireCount: wireCount) { v in
            do throws(DecodeProblem) { return .success(try LLDPPacket.decode(v)) } catch { return .failure(error) }
        }
    }

    @Test func aSwitchPort() throws {
        let p = try Self.decode(Self.switchPDU).get()
        #expect(p.ended && p.stop == nil && p.tlvs.count == 8)
        #expect(p.chassisID?.subtype == 4 && p.chassisID?.mac(isChassis: true) == MACAddress(rawValue: 0x0011_2233_4455))
        #expect(p.portID?.description == "Gi1/0/1" && p.portID?.mac(isChassis: false) == nil)
        #expect(p.timeToLive == 120 && p.systemName == "sw1")
        #expect(p.capabilities?.system == [.bridge, .router] && p.capabilities?.enabled == [.bridge])
        #expect(p.portVLAN == 1)
        #expect(p.medCapabilities?.deviceClass == 4 && p.medCapabilities?.capabilities == 0x33)
        // 0x0140c8ae: app 1; U 0, T 1, X 0; VLAN (0x40c8ae >> 9) & 0xfff = 100; priority (>> 6) & 7 = 2; DSCP 0x2e = 46.
        #expect(p.networkPolicies == [LLDPNetworkPolicy(applicationType: 1, unknown: false, tagged: true, vlan: 100, priority: 2, dscp: 46)])
        #expect(p.voiceVLAN == 100)
        #expect(p.tlvs.map(\.offset) == [0, 9, 19, 23, 28, 34, 42, 51])
    }

    @Test func aPhone() throws {
        let p = try Self.decode(Self.phonePDU).get()
        #expect(p.portID?.mac(isChassis: false) == MACAddress(rawValue: 0x00AA_BBCC_DDEE))
        #expect(p.capabilities?.enabled.contains(.telephone) == true)
        #expect(p.medCapabilities?.deviceClass == 3)
        // The phone's own policy says "unknown": no voice VLAN from it.
        #expect(p.networkPolicies.first?.unknown == true && p.voiceVLAN == nil)
        #expect(p.firmwareRevision == "SCCP45.9-4-2SR3-1S")
        #expect(p.inventory(.hardwareRevision) == "1" && p.inventory(.model) == "CP-7945G" && p.inventory(.serialNumber) == nil)
    }

    @Test func everyCut() throws {
        let pdu = Self.switchPDU
        let whole = try Self.decode(pdu).get()
        let ends = whole.tlvs.map { $0.offset + 2 + $0.data.count }
        for n in 0..<pdu.count {
            let cut = Array(pdu.prefix(n))
            let kept = ends.filter { $0 <= n }.count
            switch Self.decode(cut, wireCount: pdu.count) {
            case .failure(let p):
                #expect(n < 2 && p == .truncated(needed: 2, captured: n), "snap cut at \(n)")
            case .success(let p):
                #expect(p.tlvs.count == kept && !p.ended && p.stop?.isTruncation == true, "snap cut at \(n)")
            }
            switch Self.decode(cut) {
            case .failure(let p):
                #expect(n < 2 && p == .malformed(.tooShort(needed: 2, available: n)), "wire cut at \(n)")
            case .success(let p):
                #expect(p.tlvs.count == kept, "wire cut at \(n)")
                #expect(ends.contains(n) == (p.stop == nil), "wire cut at \(n): \(String(describing: p.stop))")
                if let stop = p.stop { #expect(!stop.isTruncation) }
            }
        }
    }

    @Test func aLengthPastTheEnd() throws {
        let p = try Self.decode(Self.tlv(3, [0, 120]) + [0x0A, 0x20, 0x41]).get()
        #expect(p.tlvs.count == 1 && p.timeToLive == 120)
        #expect(p.stop == DecodeStop(layer: .lldp, offset: 4, problem: .malformed(.lengthBeyondPacket(field: .lldpTLVLength, claimed: 32, available: 1))))
    }

    @Test func theEncoderWritesWhatTheDecoderReads() throws {
        let mac = MACAddress(rawValue: 0x00AA_BBCC_DDEE)
        let tlvs: [LLDPTLV] = [.chassisMAC(mac), .portName("Gi1/0/7"), .timeToLive(120), .text(.systemName, "sw1"),
                               .capabilities(system: [.bridge, .telephone], enabled: [.bridge]), .managementAddress(IPv4Address(10, 0, 0, 1)),
                               .portVLAN(1), .medCapabilities(deviceClass: 4), .networkPolicy(LLDPNetworkPolicy(vlan: 300)),
                               .inventory(.firmwareRevision, "SCCP45.8-3-3S")]
        let p = try Self.decode(LLDP.encode(tlvs)).get()
        #expect(p.ended && p.stop == nil)
        #expect(p.tlvs.map(\.type) == tlvs.map(\.type) && p.tlvs.map(\.data) == tlvs.map(\.data))
        #expect(p.voiceVLAN == 300 && p.networkPolicies.first?.dscp == 46 && p.networkPolicies.first?.priority == 5)
        #expect(p.managementIPv4 == [IPv4Address(10, 0, 0, 1)] && p.firmwareRevision == "SCCP45.8-3-3S")

        let frame = LLDP.frame(source: mac, pdu: LLDP.encode(tlvs))
        try FrameDecoder().withDecoded(frame) { d in
            let q = try #require(try d.lldp?.get())
            #expect(q == p)
            #expect(d.cdp == nil)
        }
    }

    @Test func seededRandomDamageNeverCrashes() throws {
        var random = SplitMix64(seed: 0x11D9)
        for _ in 0..<3000 {
            var damaged = Self.phonePDU
            for _ in 0..<Int.random(in: 1...5, using: &random) {
                damaged[Int.random(in: 0..<damaged.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            let cut = Int.random(in: 0...damaged.count, using: &random)
            guard case .success(let p) = Self.decode(Array(damaged.prefix(cut)), wireCount: damaged.count) else { continue }
            for t in p.tlvs { #expect(t.offset + 2 + t.data.count <= cut) }
            _ = (p.chassisID?.description, p.portID?.description, p.networkPolicies, p.firmwareRevision, p.managementIPv4, p.capabilities)
        }
    }
}
