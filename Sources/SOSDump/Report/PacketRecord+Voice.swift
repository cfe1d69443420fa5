/// The IP-phone protocols of a frame, for `sosdump packets`: CDP and LLDP
/// (what a phone and its switch say, the voice VLAN, the running load),
/// SCCP messages the stream tracker completed in this frame, and SIP
/// registrations. Each has its words (the line) and its JSON object.
extension PacketRecord {
    public struct CDP: Codable, Equatable, Sendable {
        public var version: UInt8
        public var ttl: UInt8
        /// valid, bad or unverified (Cisco's odd-length rule).
        public var checksum: String
        public var deviceID: String?
        public var addresses: [String]?
        public var portID: String?
        public var capabilities: String?
        public var softwareVersion: String?
        public var platform: String?
        public var nativeVLAN: UInt16?
        /// The VLAN a VoIP VLAN query carries (0: "which is mine?").
        public var voiceVLANQuery: UInt16?
        /// The voice VLAN the switch gives.
        public var voiceVLANReply: UInt16?
        public var powerMilliwatts: UInt16?
        /// Every TLV type in order, in hex.
        public var tlvTypes: [String]
        public var problems: [String]?
    }

    public struct LLDP: Codable, Equatable, Sendable {
        public var chassisID: String?
        public var portID: String?
        public var ttl: UInt16?
        public var systemName: String?
        public var systemDescription: String?
        public var portDescription: String?
        public var capabilities: String?
        public var enabledCapabilities: String?
        public var managementAddresses: [String]?
        public var portVLAN: UInt16?
        /// LLDP-MED device class: 1–3 endpoints (a phone is 3), 4 network connectivity.
        public var medDeviceClass: UInt8?
        public var networkPolicies: [NetworkPolicy]?
        public var voiceVLAN: UInt16?
        public var hardwareRevision: String?
        public var firmwareRevision: String?
        public var softwareRevision: String?
        public var model: String?
    }

    public struct NetworkPolicy: Codable, Equatable, Sendable {
        public var application: UInt8
        public var unknown: Bool
        public var tagged: Bool
        public var vlan: UInt16
        public var priority: UInt8
        public var dscp: UInt8
    }

    public struct SCCP: Codable, Equatable, Sendable {
        public var id: UInt32
        public var name: String?
        public var headerVersion: UInt32
        public var length: Int
        /// When the message began in an earlier frame.
        public var firstFrame: Int?
        public var deviceName: String?
        public var deviceType: UInt32?
        public var stationAddress: String?
        public var keepAlive: UInt32?
        public var text: String?
        public var resetType: String?
    }

    public struct SIP: Codable, Equatable, Sendable {
        public var method: String?
        public var uri: String?
        public var status: Int?
        public var reason: String?
        public var callID: String?
        public var cseq: UInt32?
        public var cseqMethod: String?
        public var from: String?
        public var to: String?
        public var contact: String?
        public var expires: Int?
        public var userAgent: String?
    }

    // MARK: CDP

    static func cdp(_ result: Result<CDPPacket, DecodeProblem>, length: Int) -> (String, CDP?, [String], Stop?) {
        let p: CDPPacket
        switch result {
        case .failure(let problem): return ("CDP, length \(length)", nil, [], stop(.cdp, problem))
        case .success(let packet): p = packet
        }
        var words = "CDPv\(p.version), ttl \(p.timeToLive)s"
        if let id = p.deviceID { words += ", device-id \(id)" }
        if let a = p.addresses, !a.isEmpty { words += ", address " + a.map(\.description).joined(separator: " ") }
        if let port = p.portID { words += ", port \"\(port)\"" }
        if let platform = p.platform { words += ", platform \"\(platform)\"" }
        if let v = p.softwareVersion { words += ", software \"\(Self.firstLine(v))\"" }
        if let q = p.voiceVLANQuery { words += ", voice VLAN query \(q.vlan)" }
        if let r = p.voiceVLANReply { words += ", voice VLAN \(r.vlan)" }
        if let n = p.nativeVLAN { words += ", native VLAN \(n)" }
        words += ", length \(length)"
        var notes = p.problems.map { "CDP \($0.type) \($0.problem)" }
        if case .invalid = p.checksumStatus { notes.append("CDP checksum \(p.checksumStatus)") }
        let record = CDP(version: p.version, ttl: p.timeToLive, checksum: p.checksumStatus.word, deviceID: p.deviceID,
                         addresses: p.addresses?.map(\.description), portID: p.portID, capabilities: p.capabilities?.description,
                         softwareVersion: p.softwareVersion, platform: p.platform, nativeVLAN: p.nativeVLAN,
                         voiceVLANQuery: p.voiceVLANQuery?.vlan, voiceVLANReply: p.voiceVLANReply?.vlan,
                         powerMilliwatts: p.powerMilliwatts, tlvTypes: p.tlvs.map { "0x" + hex4($0.type.rawValue) },
                         problems: notes.isEmpty ? nil : notes)
        return (words, record, notes, p.stop.map { stop(.cdp, $0.problem, offset: $0.offset) })
    }

    /// A switch's software version runs over several lines; the first is enough for a line.
    static func firstLine(_ text: String) -> String { String(text.split(whereSeparator: \.isNewline).first ?? "") }

    // MARK: LLDP

    static func lldp(_ result: Result<LLDPPacket, DecodeProblem>, length: Int) -> (String, LLDP?, Stop?) {
        let p: LLDPPacket
        switch result {
        case .failure(let problem): return ("LLDP, length \(length)", nil, stop(.lldp, problem))
        case .success(let packet): p = packet
        }
        var words = "LLDP"
        if let c = p.chassisID { words += ", chassis \(c)" }
        if let port = p.portID { words += ", port \(port)" }
        if let ttl = p.timeToLive { words += ", ttl \(ttl)s" }
        if let name = p.systemName { words += ", system \"\(name)\"" }
        if let vlan = p.voiceVLAN { words += ", voice VLAN \(vlan)" }
        if let fw = p.firmwareRevision { words += ", firmware \"\(fw)\"" }
        words += ", length \(length)"
        let caps = p.capabilities
        let policies = p.networkPolicies.map {
            NetworkPolicy(application: $0.applicationType, unknown: $0.unknown, tagged: $0.tagged, vlan: $0.vlan, priority: $0.priority, dscp: $0.dscp)
        }
        let record = LLDP(chassisID: p.chassisID?.description, portID: p.portID?.description, ttl: p.timeToLive, systemName: p.systemName,
                          systemDescription: p.systemDescription, portDescription: p.portDescription,
                          capabilities: caps?.system.description, enabledCapabilities: caps?.enabled.description,
                          managementAddresses: p.managementIPv4.isEmpty ? nil : p.managementIPv4.map(\.description), portVLAN: p.portVLAN,
                          medDeviceClass: p.medCapabilities?.deviceClass, networkPolicies: policies.isEmpty ? nil : policies,
                          voiceVLAN: p.voiceVLAN, hardwareRevision: p.inventory(.hardwareRevision), firmwareRevision: p.firmwareRevision,
                          softwareRevision: p.inventory(.softwareRevision), model: p.inventory(.model))
        return (words, record, p.stop.map { stop(.lldp, $0.problem, offset: $0.offset) })
    }

    // MARK: SCCP

    /// The messages and notes of the tracker's events for this frame.
    static func sccp(_ events: [SCCPStreamEvent], frame: Int) -> (String?, [SCCP], [String]) {
        var words: [String] = []
        var records: [SCCP] = []
        var notes: [String] = []
        for event in events {
            switch event {
            case .message(let m, _, let first, _):
                var r = SCCP(id: m.id.rawValue, name: m.id.name, headerVersion: m.headerVersion, length: m.length,
                             firstFrame: first == frame ? nil : first)
                var w = m.id.description
                switch m.body {
                case .register(let reg):
                    r.deviceName = reg.deviceName
                    r.deviceType = reg.deviceType
                    r.stationAddress = reg.stationAddress.description
                    w += " \(reg.deviceName) type \(reg.deviceType) \(reg.stationAddress)"
                case .registerAck(let keepAlive, _):
                    r.keepAlive = keepAlive
                    w += " keepalive \(keepAlive)s"
                case .registerReject(let text):
                    r.text = text
                    w += " \"\(text)\""
                case .reset(let type):
                    r.resetType = type.description
                    w += " \(type)"
                case .short(let needed, let available):
                    notes.append("SCCP \(m.id) has \(available) bytes of data, its fields need \(needed)")
                case .keepAlive, .keepAliveAck, .unregister, .unregisterAck, .other:
                    break
                }
                if first != frame { w += " (from frame \(first))" }
                words.append(w)
                records.append(r)
            case .gap(_, _, let bytes, let lost):
                notes.append("SCCP stream: \(bytes) bytes not captured" + (lost > 0 ? ", a message in progress (\(lost) bytes) lost" : ""))
            case .skipped(_, _, let bytes):
                notes.append("SCCP stream: \(bytes) bytes skipped to find the start of a message")
            case .unframed(_, _, let problem, let bytes):
                notes.append("SCCP stream: \(bytes) bytes are not SCCP messages (\(DecodeStop(layer: .sccp, offset: 0, problem: problem)))")
            case .evicted(let direction):
                notes.append("SCCP stream \(direction) no longer followed: too many connections at once")
            case .incomplete:
                break
            }
        }
        return (words.isEmpty ? nil : "SCCP " + words.joined(separator: "; "), records, notes)
    }

    // MARK: SIP

    static func sip(_ result: Result<SIPMessage, DecodeProblem>) -> (String?, SIP?) {
        guard case .success(let m) = result else { return (nil, nil) }
        var record = SIP(callID: m.callID, cseq: m.cseq?.number, cseqMethod: m.cseq?.method, from: m.from, to: m.to,
                         contact: m.contact, expires: m.expires, userAgent: m.userAgent)
        var words: String
        switch m.startLine {
        case .request(let method, let uri):
            record.method = method
            record.uri = uri
            words = "\(method) \(uri)"
        case .response(let status, let reason):
            record.status = status
            record.reason = reason
            words = "\(status) \(reason)"
        }
        if let cseq = m.cseq { words += ", CSeq \(cseq.number) \(cseq.method)" }
        if let id = m.callID { words += ", Call-ID \(id)" }
        return (words, record)
    }

    static func stop(_ layer: ProtocolLayer, _ problem: DecodeProblem, offset: Int = 0) -> Stop {
        let s = DecodeStop(layer: layer, offset: offset, problem: problem)
        return Stop(layer: layer.rawValue, kind: s.isTruncation ? "truncated" : "malformed", detail: "\(s) at byte \(offset)")
    }
}
