import Foundation
import Testing
@testable import SOSDump

/// The IP-phone protocols in captures made over real interfaces and
/// sockets (scripts/make-voip-captures; captures/README.md says how), and
/// in the 79xx boot corpus when it is there: the listing against its
/// expected output, and sosdump's CDP, LLDP, SCCP and SIP decoders against
/// tshark's reading of every frame (scripts/update-voip-references), field
/// by field.
@Suite struct VoIPCaptureTests {
    static let groups = ["voip", "boot"]
    static let captures: [(String, String)] = groups.flatMap { g in CaptureCorpus.captures(in: g).map { (g, $0) } }
    static let voip = CaptureCorpus.captures(in: "voip")

    @Test func theCorpusIsThere() {
        #expect(Self.voip.count >= 5, "captures/voip holds \(Self.voip.count) captures")
    }

    @Test(arguments: voip)
    func listingMatchesExpected(capture: String) throws {
        try CaptureCorpus.checkListing(group: "voip", capture: capture)
    }

    /// tshark's rows for one protocol, by frame number (none when the capture has no such frame).
    static func rows(_ group: String, _ capture: String, _ proto: String) -> [Int: [String: String]] {
        var out: [Int: [String: String]] = [:]
        for row in CaptureCorpus.table(group, "\(capture).\(proto).tsv") ?? [] {
            if let n = row["frame.number"].flatMap(Int.init) { out[n] = row }
        }
        return out
    }

    static func hex(_ v: UInt32, digits: Int) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    /// Every frame decoded once: CDP, LLDP and SIP per frame, SCCP through one stream tracker.
    struct Decoded {
        var cdp: [Int: CDPPacket] = [:]
        var lldp: [Int: LLDPPacket] = [:]
        var sip: [Int: SIPMessage] = [:]
        var sccp: [Int: [SCCPMessage]] = [:]
        var sccpEvents: [SCCPStreamEvent] = []
    }

    static func decode(_ path: String) throws -> Decoded {
        let reader = try CaptureReader(path: path)
        let decoder = FrameDecoder()
        var tracker = SCCPStreamTracker()
        var out = Decoded()
        while let frame = try reader.next() {
            let d = decoder.decode(frame)
            let n = frame.number
            if case .success(let p)? = d.cdp { out.cdp[n] = p }
            if case .success(let p)? = d.lldp { out.lldp[n] = p }
            if case .success(let m)? = d.sip { out.sip[n] = m }
            for event in tracker.observe(d) {
                out.sccpEvents.append(event)
                if case .message(let m, _, _, let last) = event { out.sccp[last, default: []].append(m) }
            }
        }
        out.sccpEvents += tracker.finish()
        return out
    }

    @Test(arguments: captures.map { "\($0.0)/\($0.1)" })
    func agreesWithTshark(_ name: String) throws {
        let parts = name.split(separator: "/").map(String.init)
        let (group, capture) = (parts[0], parts[1])
        let decoded = try Self.decode(CaptureCorpus.path(group, capture))
        func check(_ row: [String: String], _ field: String, _ mine: String?, _ at: String) {
            #expect((row[field] ?? "") == (mine ?? ""), "\(at): \(field)")
        }

        let cdpRows = Self.rows(group, capture, "cdp")
        #expect(Set(cdpRows.keys) == Set(decoded.cdp.keys), "\(name): CDP frames")
        for (frame, row) in cdpRows {
            guard let p = decoded.cdp[frame] else { continue }
            let at = "\(name) frame \(frame)"
            check(row, "cdp.version", String(p.version), at)
            check(row, "cdp.ttl", String(p.timeToLive), at)
            check(row, "cdp.checksum", "0x" + hex4(p.checksum), at)
            // tshark: 1 good, 0 bad, 2 unverified.
            check(row, "cdp.checksum.status", p.checksumStatus.word == "valid" ? "1" : p.checksumStatus.word == "bad" ? "0" : "2", at)
            check(row, "cdp.deviceid", p.deviceID, at)
            if p.portID?.allSatisfy(\.isASCII) != false { check(row, "cdp.portid", p.portID, at) }
            check(row, "cdp.capabilities", p.capabilities.map { Self.hex($0.rawValue, digits: 8) }, at)
            // tshark lists a multi-line version's lines joined by ",".
            check(row, "cdp.software_version", p.softwareVersion?.split(whereSeparator: \.isNewline).joined(separator: ","), at)
            check(row, "cdp.platform", p.platform, at)
            check(row, "cdp.native_vlan", p.nativeVLAN.map(String.init), at)
            check(row, "cdp.voice_vlan", [p.voiceVLANQuery?.vlan, p.voiceVLANReply?.vlan].compactMap { $0.map(String.init) }.joined(separator: ","), at)
            check(row, "cdp.power_consumption", p.powerMilliwatts.map(String.init), at)
            check(row, "cdp.number_of_addresses", p.addresses.map { String($0.count) }, at)
            check(row, "cdp.nrgyz.ip_address", p.addresses?.map(\.description).joined(separator: ","), at)
            check(row, "cdp.tlv.type", p.tlvs.map { "0x" + hex4($0.type.rawValue) }.joined(separator: ","), at)
        }

        let lldpRows = Self.rows(group, capture, "lldp")
        #expect(Set(lldpRows.keys) == Set(decoded.lldp.keys), "\(name): LLDP frames")
        for (frame, row) in lldpRows {
            guard let p = decoded.lldp[frame] else { continue }
            let at = "\(name) frame \(frame)"
            check(row, "lldp.chassis.id.mac", p.chassisID?.mac(isChassis: true)?.description, at)
            let portMAC = p.portID?.mac(isChassis: false)
            check(row, "lldp.port.id.mac", portMAC?.description, at)
            check(row, "lldp.port.id", portMAC == nil ? p.portID?.description : nil, at)
            check(row, "lldp.time_to_live", p.timeToLive.map(String.init), at)
            check(row, "lldp.tlv.system.name", p.systemName, at)
            check(row, "lldp.tlv.system_cap", p.capabilities.map { "0x" + hex4($0.system.rawValue) }, at)
            check(row, "lldp.tlv.enable_system_cap", p.capabilities.map { "0x" + hex4($0.enabled.rawValue) }, at)
            check(row, "lldp.mgn.addr.ip4", p.managementIPv4.map(\.description).joined(separator: ","), at)
            check(row, "lldp.ieee.802_1.port_vlan.id", p.portVLAN.map(String.init), at)
            check(row, "lldp.media.subtype.class", p.medCapabilities.map { String($0.deviceClass) }, at)
            let policies = p.networkPolicies
            func policy(_ f: (LLDPNetworkPolicy) -> String) -> String { policies.map(f).joined(separator: ",") }
            check(row, "lldp.media.app_type", policy { String($0.applicationType) }, at)
            check(row, "lldp.media.policy_flag", policy { $0.unknown ? "1" : "0" }, at)
            check(row, "lldp.media.tag_flag", policy { $0.tagged ? "1" : "0" }, at)
            check(row, "lldp.media.vlan_id", policy { String($0.vlan) }, at)
            check(row, "lldp.media.l2_prio", policy { String($0.priority) }, at)
            check(row, "lldp.media.dscp", policy { String($0.dscp) }, at)
            check(row, "lldp.media.firmware", p.firmwareRevision, at)
            check(row, "lldp.media.hardware", p.inventory(.hardwareRevision), at)
            check(row, "lldp.media.software", p.inventory(.softwareRevision), at)
            check(row, "lldp.media.model", p.inventory(.model), at)
        }

        let skinnyRows = Self.rows(group, capture, "skinny")
        #expect(Set(skinnyRows.keys) == Set(decoded.sccp.keys), "\(name): SCCP frames")
        for (frame, row) in skinnyRows {
            guard let messages = decoded.sccp[frame] else { continue }
            let at = "\(name) frame \(frame)"
            func list(_ f: (SCCPMessage) -> String?) -> String { messages.compactMap(f).joined(separator: ",") }
            check(row, "skinny.messageId", list { String($0.id.rawValue) }, at)
            check(row, "skinny.hdr_version", list { Self.hex($0.headerVersion, digits: 8) }, at)
            check(row, "skinny.data_length", list { String($0.length) }, at)
            check(row, "skinny.DeviceName", list { if case .register(let r) = $0.body { r.deviceName } else { nil } }, at)
            check(row, "skinny.deviceType", list { if case .register(let r) = $0.body { Self.hex(r.deviceType, digits: 8) } else { nil } }, at)
            check(row, "skinny.stationIpAddr", list { if case .register(let r) = $0.body { r.stationAddress.description } else { nil } }, at)
            check(row, "skinny.keepAliveInterval", list { if case .registerAck(let k, _) = $0.body { String(k) } else { nil } }, at)
            check(row, "skinny.text", list { if case .registerReject(let t) = $0.body { t } else { nil } }, at)
            check(row, "skinny.resetType", list { if case .reset(let t) = $0.body { Self.hex(t.rawValue, digits: 8) } else { nil } }, at)
        }

        let sipRows = Self.rows(group, capture, "sip")
        #expect(Set(sipRows.keys) == Set(decoded.sip.keys), "\(name): SIP frames")
        for (frame, row) in sipRows {
            guard let m = decoded.sip[frame] else { continue }
            let at = "\(name) frame \(frame)"
            check(row, "sip.Method", m.method, at)
            if case .request(_, let uri) = m.startLine { check(row, "sip.r-uri", uri, at) }
            check(row, "sip.Status-Code", m.statusCode.map(String.init), at)
            check(row, "sip.Call-ID", m.callID, at)
            check(row, "sip.CSeq.seq", m.cseq.map { String($0.number) }, at)
            check(row, "sip.CSeq.method", m.cseq?.method, at)
            check(row, "sip.Expires", m.expires.map(String.init), at)
            check(row, "sip.User-Agent", m.userAgent, at)
        }
    }

    /// What the captures were made to show, beyond tshark's fields.
    @Test func whatTheCapturesShow() throws {
        let registered = try Self.decode(CaptureCorpus.path("voip", "sccp-registered.pcap"))
        // The register came in two segments: its first frame is the one before its last.
        let register = registered.sccpEvents.compactMap { e -> (Int, Int)? in
            if case .message(let m, _, let first, let last) = e, m.id == .register { (first, last) } else { nil }
        }
        #expect(register.count == 1 && register.first.map { $0.0 < $0.1 } == true)
        #expect(registered.sccp.values.flatMap { $0 }.map(\.id).contains(.reset))

        // The register's first segment removed: a gap of 20 bytes, said as such, and no register.
        let lost = try Self.decode(CaptureCorpus.path("voip", "sccp-lost-segment.pcap"))
        #expect(lost.sccpEvents.contains { if case .gap(_, _, 20, _) = $0 { true } else { false } })
        #expect(!lost.sccp.values.flatMap { $0 }.map(\.id).contains(.register))
        #expect(lost.sccp.values.flatMap { $0 }.map(\.id).contains(.registerAck))

        let links = try Self.decode(CaptureCorpus.path("voip", "link-layer.pcap"))
        #expect(links.cdp.values.contains { $0.voiceVLANReply?.vlan == 100 })
        #expect(links.lldp.values.contains { $0.voiceVLAN == 100 })
        #expect(links.cdp.values.allSatisfy { $0.checksumStatus == .valid })
        // The odd-length CDP whose last byte has its top bit set.
        #expect(links.cdp.values.contains { $0.tlvs.last?.data.last.map { $0 & 0x80 != 0 } == true })
    }
}

extension VoIPCaptureTests {
    /// The records `packets` prints (text and JSON come from them).
    @Test func theRecordsCarryThePhoneProtocols() throws {
        let links = try CaptureCorpus.records(CaptureCorpus.path("voip", "link-layer.pcap"))
        #expect(links[0].cdp?.deviceID == "SEP020000000202" && links[0].cdp?.voiceVLANQuery == 0 && links[0].cdp?.checksum == "valid")
        #expect(links[1].cdp?.voiceVLANReply == 100 && links[1].cdp?.nativeVLAN == 1)
        #expect(links[3].lldp?.voiceVLAN == 100 && links[3].lldp?.networkPolicies?.first?.dscp == 46)
        #expect(links[4].lldp?.firmwareRevision == "SCCP45.8-3-3S" && links[4].lldp?.medDeviceClass == 3)

        let sccp = try CaptureCorpus.records(CaptureCorpus.path("voip", "sccp-registered.pcap"))
        let register = try #require(sccp.first { $0.sccp?.first?.name == "RegisterMessage" })
        #expect(register.sccp?.first?.deviceName == "SEP020000000202" && register.sccp?.first?.deviceType == 435)
        #expect(register.sccp?.first?.firstFrame == register.frame - 2)
        #expect(sccp.contains { $0.sccp?.map(\.name) == ["KeepAliveMessage", "VersionReqMessage"] })
        let lost = try CaptureCorpus.records(CaptureCorpus.path("voip", "sccp-lost-segment.pcap"))
        #expect(lost.contains { $0.notes?.contains("SCCP stream: 20 bytes not captured") == true })

        let sip = try CaptureCorpus.records(CaptureCorpus.path("voip", "sip-register.pcap"))
        #expect(sip.map { $0.sip?.method } == ["REGISTER", nil] && sip.map { $0.sip?.status } == [nil, 200])
        #expect(sip[1].sip?.cseqMethod == "REGISTER" && sip[0].sip?.userAgent == "Cisco-CP7945G/9.4.2")

        // The JSON carries the same objects.
        let (lines, _) = try CaptureCorpus.listing(CaptureCorpus.path("voip", "sccp-rejected.pcap"), format: .json)
        #expect(lines.contains { $0.contains("\"sccp\":[{") && $0.contains("Device not in database") })
    }
}
