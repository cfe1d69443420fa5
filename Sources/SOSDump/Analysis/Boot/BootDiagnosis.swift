/// Follows every Cisco 79xx phone of a capture through its boots and says,
/// per phone and for the capture, why it did or did not come up (the codes
/// of `BootVerdictCode`). A `Diagnosis`: `CaptureAnalysis` feeds it.
///
/// Fed every decoded frame in capture order, with the TFTP tracker's event
/// for it. Most frames are let go after a look at their UDP or TCP ports or
/// their link layer; the few that matter become events of a phone's story
/// (`BootPhoneStory`), keyed by the phone's MAC address:
///
/// - CDP (802.3 LLC/SNAP): the phone's name, platform and running load; the
///   switch's own CDP is counted as a sign of a phone setup;
/// - DHCP: the phone's DISCOVER and REQUEST (a 79xx says so in option 60 or
///   option 12), the server's OFFER, ACK or NAK with the TFTP server it gives;
/// - the phone's TFTP read requests (the tracker's events) and, when the
///   tracker ends them, their transfers: the configuration's load and the
///   `.loads`' parts are read from the rebuilt bytes, then let go;
/// - the registration: SCCP over TCP 2000, SIP REGISTER over UDP 5060.
///
/// The files of this diagnosis: routing (here), a phone's story
/// (`BootPhoneStory`), the verdict rules (`BootRules`), the typed facts
/// (`BootFacts`, `BootVerdict`); the words are `Report/BootWording.swift`'s.
///
/// Memory is bounded: `Limits` caps phones, cycles per phone, files per
/// cycle and transfers awaited; the conclusion's notices say what a limit dropped.
public struct BootDiagnosis: Diagnosis {
    /// The name endings (lowercase) of the files whose bytes it reads: the
    /// configurations (`SEP<MAC>.cnf.xml`, `XMLDefault.cnf.xml`) and a load's
    /// `.loads`. The tracker keeps them (it keeps only images otherwise).
    public static let filesRead = [".cnf.xml", ".loads"]

    public static var family: PhoneFamily { .cisco79xx }

    public struct Limits: Sendable {
        /// Phones followed; later ones are counted, not followed.
        public var maxPhones = 1024
        /// Cycles kept per phone (the first and the latest).
        public var maxCyclesPerPhone = 32
        /// Files kept per cycle.
        public var maxFilesPerCycle = 64
        public init() {}
    }

    public let limits: Limits
    public let thresholds: BootThresholds
    var stories: [BootPhoneStory] = []
    var byMAC = MACIndex()
    /// The phones' addresses, for frames without a MAC (Linux cooked captures with no link address).
    var byIP: [IPv4Address: Int] = [:]
    /// The phones' TFTP requests by the tracker's transfer number, to tie transfers to them.
    var links: [Int: FileLink] = [:]
    var phonesNotFollowed = 0
    var notFollowed: Set<MACAddress> = []
    /// Frames of a 79xx setup without a phone: the switch's CDP, DHCP replies with option 150 or 66.
    var setupSigns = 0
    var firstSetupSign: BootMark?
    var switchCDP = 0
    var setupDHCPReplies = 0
    /// Whether any phone is followed (read on every frame).
    @usableFromInline var phoneCount = 0
    /// The SCCP connections (TCP 2000), reassembled.
    var sccpStreams = SCCPStreamTracker()

    public init(thresholds: BootThresholds = BootThresholds(), limits: Limits = Limits()) {
        self.thresholds = thresholds
        self.limits = limits
    }

    public func follows(_ mac: MACAddress) -> Bool { byMAC[mac] != nil }

    /// A file a phone asked for: its story, its cycle's number (cycles may
    /// be dropped from the story meanwhile) and the file's index in it.
    struct FileLink: Sendable {
        var phone: Int
        var cycle: Int
        var file: Int
    }

    // MARK: The frame

    /// Feeds one decoded frame. Inlinable and always inlined, as
    /// `SOSDiagnosis.observe`: a frame is let go after a look at its ports
    /// (or its link layer), allocating nothing.
    @inlinable @inline(__always)
    public mutating func observe(_ d: borrowing Dissection, tftp: TFTPEvent?, span: CaptureSpan) {
        switch d.transport {
        case .udp(let h, let payload):
            let s = h.sourcePort, t = h.destinationPort
            if s == DHCPMessage.serverPort || s == DHCPMessage.clientPort || t == DHCPMessage.serverPort || t == DHCPMessage.clientPort {
                if case .ipv4(let ip) = d.network { dhcp(mark(d), ip, payload, sourceMAC: Self.sourceMAC(d)) }
            } else if case .request(let r)? = tftp, r.direction == .read, !r.repeated {
                tftpRequest(mark(d), r, sourceMAC: Self.sourceMAC(d))
            } else if phoneCount > 0, s == SIP.port || t == SIP.port {
                sip(d)
            }
        case .tcp(let h, _) where phoneCount > 0 && SCCPStreamTracker.isSCCP(h):
            sccp(d)
        case .none:
            if case .llc(let header, let payload) = d.network, let snap = header.snap, snap.oui == CDP.oui, snap.protocolID == CDP.protocolID {
                cdp(mark(d), payload, sourceMAC: Self.sourceMAC(d))
            }
        default:
            break
        }
    }

    @inlinable
    func mark(_ d: borrowing Dissection) -> BootMark { BootMark(frame: d.frame.number, time: d.frame.timestamp) }

    @inlinable
    static func sourceMAC(_ d: borrowing Dissection) -> MACAddress? {
        switch d.link {
        case .ethernet(let e): e.source
        case .linuxSLL(let h): h.source
        case .linuxSLL2(let h): h.source
        default: nil
        }
    }

    // MARK: Phones

    /// The phone with `mac`, made when `create` and the limit allows.
    mutating func phone(_ mac: MACAddress, create: Bool) -> Int? {
        if let i = byMAC[mac] { return i }
        guard create, !mac.isMulticast, mac != .broadcast else { return nil }
        guard stories.count < limits.maxPhones else {
            // Counted once a phone (up to a bound on what is remembered of them).
            if notFollowed.count < 4 * limits.maxPhones, notFollowed.insert(mac).inserted { phonesNotFollowed += 1 }
            return nil
        }
        byMAC.insert(mac, stories.count)
        stories.append(BootPhoneStory(mac: mac, maxCycles: limits.maxCyclesPerPhone, maxFiles: limits.maxFilesPerCycle))
        phoneCount = stories.count
        return stories.count - 1
    }

    mutating func learn(_ p: Int, address: IPv4Address) {
        guard address != .any, address != .broadcast, !address.isMulticast else { return }
        stories[p].identity.address = address
        // Bounded: one address a phone, the latest.
        if byIP[address] == nil, byIP.count >= 4 * limits.maxPhones { return }
        byIP[address] = p
    }

    /// The phone a frame comes from: by its source MAC, else its source address.
    func phone(mac: MACAddress?, address: IPv4Address) -> Int? {
        if let mac { return byMAC[mac] }
        return byIP[address]
    }

    mutating func setupSign(_ mark: BootMark) {
        setupSigns += 1
        if firstSetupSign == nil { firstSetupSign = mark }
    }
}

extension BootDiagnosis {
    // MARK: DHCP

    @usableFromInline
    mutating func dhcp(_ mark: BootMark, _ ip: IPv4Header, _ payload: ByteView, sourceMAC: MACAddress?) {
        guard let msg = try? DHCPMessage.decode(payload) else { return }
        if msg.operation == .request {
            guard let mac = msg.clientMAC ?? sourceMAC else { return }
            let hostName: String? = if case .text(let t)? = msg.option(.hostName)?.value { t } else { nil }
            let sep = BootPhoneIdentity(mac: mac).sepName
            let isPhone = msg.vendorClass.map(BootDiagnosis.isPhoneVendorClass) ?? false || hostName?.uppercased() == sep
            guard let p = phone(mac, create: isPhone) else { return }
            if msg.clientAddress != .any { learn(p, address: msg.clientAddress) }
            stories[p].dhcpAsk(mark, type: msg.messageType, clientAddress: msg.clientAddress, vendorClass: msg.vendorClass)
        } else if msg.operation == .reply {
            let choice = Self.tftpChoice(msg)
            guard let mac = msg.clientMAC, let p = phone(mac, create: false) else {
                switch choice {
                case .none, .nextServer: break
                default:
                    // A server set up for phones (option 150 or 66), answering no phone sosdump follows.
                    setupDHCPReplies += 1
                    setupSign(mark)
                }
                return
            }
            if msg.messageType == .ack { learn(p, address: msg.yourAddress) }
            let server = Self.serverIdentifier(msg) ?? ip.source
            stories[p].dhcpReply(mark, type: msg.messageType, server: server, address: msg.yourAddress, tftp: choice)
        }
    }

    /// `Cisco Systems, Inc. IP Phone CP-7945G`, or `… IP Phone 7912` (the 7912 has no `CP-`).
    static func isPhoneVendorClass(_ vendor: String) -> Bool {
        vendor.hasPrefix("Cisco Systems, Inc. IP Phone")
    }

    /// Option 54, the server's identifier.
    static func serverIdentifier(_ msg: DHCPMessage) -> IPv4Address? {
        if case .address(let a)? = msg.option(.serverIdentifier)?.value { return a }
        return nil
    }

    /// The TFTP server a reply gives, as a phone reads it: option 150,
    /// else option 66, else `siaddr`. A broken option 150 is said as such:
    /// the phone cannot use it, whatever else the reply carries.
    static func tftpChoice(_ msg: DHCPMessage) -> TFTPServerChoice {
        switch msg.tftpServerList {
        case .addresses(let list)?: return .option150(list)
        case .integerEntry(let list)?:
            return .option150Integer(list.first { $0.rawValue & 0x00FF_FFFF == 0 } ?? list.first ?? .any)
        case .text(let text, _)?: return .option150Text(text)
        case .badLength(let n)?: return .option150Length(n)
        case .empty?: return .option150Length(0)
        case nil: break
        }
        switch msg.tftpServerHost {
        case .address(let a)?: return .option66(a.description)
        case .name(let name)?: return .option66(name)
        case .empty?, nil: break
        }
        if msg.nextServerAddress != .any { return .nextServer(msg.nextServerAddress) }
        return .none
    }

    // MARK: TFTP

    /// A phone's read request, as the tracker decoded it.
    @usableFromInline
    mutating func tftpRequest(_ mark: BootMark, _ r: TFTPRequestSeen, sourceMAC: MACAddress?) {
        guard case .v4(let source) = r.client.address else { return }
        let kind = BootFileKind.of(r.fileName)
        var found = phone(mac: sourceMAC, address: source)
        if found == nil, kind != .other {
            // A phone the capture shows first by its files: the MAC its name carries, else the frame's.
            if let mac = sourceMAC ?? Self.mac(inFileName: r.fileName) { found = phone(mac, create: true) }
        }
        guard let p = found else { return }
        learn(p, address: source)
        guard let at = stories[p].request(mark, file: r.fileName, to: r.destination, transfer: r.transfer) else { return }
        if links.count < 64 * limits.maxPhones || links[r.transfer] != nil {
            links[r.transfer] = FileLink(phone: p, cycle: stories[p].cycles[at.cycle].number, file: at.file)
        }
    }

    /// The MAC in `SEP001122334455.cnf.xml`, `CTLSEP….tlv`, `ITLSEP….tlv`.
    static func mac(inFileName name: String) -> MACAddress? {
        let upper = name.uppercased()
        guard let sep = upper.range(of: "SEP") else { return nil }
        let hex = upper[sep.upperBound...].prefix(12)
        guard hex.count == 12, let value = UInt64(hex, radix: 16) else { return nil }
        return MACAddress(rawValue: value)
    }

    /// Ties a finished transfer to the phone whose request began it, and
    /// reads what the phone needs from its bytes: the configuration's load,
    /// the `.loads`' parts.
    public mutating func transferEnded(_ ended: EndedTransfer) {
        let t = ended.transfer
        guard let link = links.removeValue(forKey: t.number), link.phone < stories.count,
              let cycle = stories[link.phone].cycle(numbered: link.cycle) else { return }
        let (outcome, mark) = Self.outcome(t)
        stories[link.phone].fileEnded(cycle: cycle, file: link.file, outcome, at: mark)
        guard case .transferred = outcome else { return }
        let kind = stories[link.phone].cycles[cycle].files[link.file].kind
        switch kind {
        case .deviceConfig, .defaultConfig, .signedConfig:
            let identity = stories[link.phone].identity
            let deviceType = identity.deviceType ?? identity.model.flatMap(BootPhoneStory.deviceType(model:))
            if let load = BootFiles.configuredLoad(t.file.bytes, deviceType: deviceType) {
                stories[link.phone].configLoad(cycle: cycle, load: load, file: t.fileName)
            }
        case .loads:
            if let parts = BootFiles.loadParts(t.file.bytes) {
                stories[link.phone].loadParts(cycle: cycle, file: t.fileName, parts: parts)
            }
        default:
            break
        }
    }

    /// What became of a transfer, and the frame that shows it.
    static func outcome(_ t: TFTPTransfer) -> (BootFileOutcome, BootMark) {
        let last = BootMark(frame: t.lastFrame.frame, time: t.lastFrame.time)
        switch t.outcome {
        case .complete:
            return (.transferred(bytes: t.fileSize ?? t.file.bytesCaptured), last)
        case .error, .optionProbe:
            if let e = t.error { return (.error(e), BootMark(frame: e.at.frame, time: e.at.time)) }
            return (.unanswered(requests: t.requestCount), last)
        case .unreachable:
            if let u = t.unreachable { return (.unreachable(u), BootMark(frame: u.at.frame, time: u.at.time)) }
            return (.unanswered(requests: t.requestCount), last)
        case .unanswered:
            return (.unanswered(requests: t.requestCount), last)
        case .stalled:
            let s = t.stall
            let at = s.map { BootMark(frame: $0.at.frame, time: $0.at.time) } ?? last
            return (.stalled(block: s?.block ?? 0, bytes: t.file.bytesCaptured, at: at), at)
        }
    }
}

extension BootDiagnosis {
    // MARK: CDP

    /// A CDP packet: a phone's (capability "phone", or a `SEP…` device id)
    /// names it and its running load; a switch's that offers a voice VLAN
    /// is a sign of a phone setup.
    @usableFromInline
    mutating func cdp(_ mark: BootMark, _ pdu: ByteView, sourceMAC: MACAddress?) {
        guard let packet = try? CDPPacket.decode(pdu) else { return }
        let deviceID = packet.deviceID
        let isPhone = packet.capabilities?.contains(.phone) ?? false || deviceID.map { Self.mac(inFileName: $0) != nil } ?? false
        guard isPhone else {
            if packet.voiceVLANReply != nil {
                switchCDP += 1
                setupSign(mark)
            }
            return
        }
        guard let mac = sourceMAC ?? deviceID.flatMap(Self.mac(inFileName:)), let p = phone(mac, create: true) else { return }
        stories[p].cdp(mark, deviceID: deviceID, platform: packet.platform, version: packet.softwareVersion)
    }
}

extension BootDiagnosis {
    // MARK: The end

    /// The phones' verdicts if the capture ended at `now` (a live capture
    /// still running): `finish`'s rules, the time elapsed counted to `now`.
    public func verdictsSoFar(at now: CaptureTimestamp, span: CaptureSpan) -> [BootPhoneVerdict] {
        var end = now
        if let last = span.lastTime, last > now { end = last }
        let rules = BootRules(thresholds: thresholds, end: end, receivedFiles: receivedFiles())
        return stories.map(rules.conclude)
    }

    /// Every file some phone received whole, by its lower-cased name (a
    /// part missing under one case may be there under another).
    func receivedFiles() -> [String: String] {
        var received: [String: String] = [:]
        for s in stories {
            for c in s.cycles {
                for f in c.files {
                    if case .transferred = f.outcome, received.count < 64 * limits.maxPhones { received[f.name.lowercased()] = f.name }
                }
            }
        }
        return received
    }

    /// Concludes every phone; with none, what the capture shows instead.
    public mutating func finish(span: CaptureSpan) -> BootAnalysis {
        for event in sccpStreams.finish() { sccpEvent(event, time: span.lastTime) }
        let rules = BootRules(thresholds: thresholds, end: span.lastTime, receivedFiles: receivedFiles())
        let phones = stories.map(rules.conclude)
        var noPhone: BootFinding?
        if phones.isEmpty, setupSigns > 0, let first = firstSetupSign {
            noPhone = BootFinding(.noPhoneTraffic, .noPhoneTraffic(switchCDP: switchCDP, dhcpReplies: setupDHCPReplies),
                                  evidence: [BootEvidence(first, .setup)])
        }
        var notices: [BootNotice] = []
        if phonesNotFollowed > 0 { notices.append(.phonesNotFollowed(phonesNotFollowed, max: limits.maxPhones)) }
        return BootAnalysis(phones: phones, noPhone: noPhone, setupSigns: setupSigns, thresholds: thresholds, notices: notices)
    }
}

extension BootDiagnosis {
    // MARK: Registration

    /// A segment of an SCCP connection: the messages it completes, by the
    /// stream tracker; a phone's Register, the call manager's answer.
    @usableFromInline
    mutating func sccp(_ d: borrowing Dissection) {
        let copy = copy d
        for event in sccpStreams.observe(copy) { sccpEvent(event, time: d.frame.timestamp) }
    }

    /// A message the SCCP stream tracker completed (live, or at the capture's end).
    mutating func sccpEvent(_ event: SCCPStreamEvent, time: CaptureTimestamp?) {
        guard case .message(let m, let direction, _, let frame) = event, let time else { return }
        let at = BootMark(frame: frame, time: time)
        switch m.body {
        case .register(let r):
            guard case .v4(let source) = direction.source, case .v4(let server) = direction.destination else { return }
            var p = byIP[source]
            if p == nil, let mac = Self.mac(inFileName: r.deviceName) { p = phone(mac, create: true) }
            guard let p else { return }
            learn(p, address: source)
            stories[p].register(at, protocol: .sccp, server: server, deviceName: r.deviceName, deviceType: r.deviceType)
        case .registerAck, .registerReject:
            guard case .v4(let phoneAddress) = direction.destination, let p = byIP[phoneAddress] else { return }
            var reason: String?
            if case .registerReject(let text) = m.body { reason = text }
            stories[p].registerAnswer(at, rejected: reason)
        default:
            return
        }
    }

    /// SIP over UDP 5060: a phone's REGISTER, the registrar's final answer.
    @usableFromInline
    mutating func sip(_ d: borrowing Dissection) {
        guard case .success(let m)? = d.sip, m.isRegistration, case .ipv4(let ip) = d.network else { return }
        let at = BootMark(frame: d.frame.number, time: d.frame.timestamp)
        if m.statusCode == nil {
            guard let p = phone(mac: Self.sourceMAC(d), address: ip.source) else { return }
            stories[p].register(at, protocol: .sip, server: ip.destination, deviceName: nil, deviceType: nil)
        } else if let status = m.statusCode, status >= 200, let p = byIP[ip.destination] {
            // 401 and 407 ask for credentials: the phone sends REGISTER again.
            guard status != 401, status != 407 else { return }
            var reason: String?
            if status >= 300, case .response(let code, let text) = m.startLine { reason = "\(code) \(text)" }
            stories[p].registerAnswer(at, rejected: reason)
        }
    }
}

extension BootDiagnosis {
    // MARK: What `share` keeps and scrubs

    /// The phones it followed: their MACs, addresses, and their `SEP<MAC>` names (in CDP, DHCP, file names, SCCP).
    public var followed: FollowedTraffic {
        var f = FollowedTraffic()
        for story in stories {
            f.macs.insert(story.identity.mac)
            if let a = story.identity.address { f.addresses.insert(a) }
            f.identifiers.insert(Array(story.identity.sepName.utf8))
        }
        return f
    }

    /// CDP and SCCP (TCP 2000): the 79xx phones' own protocols, whoever sent them.
    public static func isOwnProtocol(_ d: borrowing Dissection) -> Bool {
        switch d.transport {
        case .tcp(let h, _): return SCCPStreamTracker.isSCCP(h)
        case .none:
            if case .llc(let header, _) = d.network, let snap = header.snap { return snap.oui == CDP.oui && snap.protocolID == CDP.protocolID }
            return false
        default: return false
        }
    }
}
