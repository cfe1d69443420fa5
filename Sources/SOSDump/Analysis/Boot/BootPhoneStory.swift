/// One 79xx phone's boots: a bounded state machine fed the events
/// `BootDiagnosis` reads from frames (CDP, DHCP, TFTP requests and their
/// transfers, the registration), cutting them into cycles as boot-model
/// says a cycle starts again:
///
/// ```
///  (first frame) ─► cycle 1 ── DHCP DISCOVER after it went further ─► cycle 2 ─► …
///                         └─── CDP with another load ──────────────► (restarted with it)
///                         └─── CTL/ITL/SEP…cnf.xml again after a gap ─► (restarted, DHCP not seen)
/// ```
///
/// Each cycle keeps what it showed (`BootCycle`); the rules (`BootRules`)
/// read them when the capture ends. Bounded: `maxCycles` cycles (the first
/// and the latest kept), `maxFiles` files a cycle.
struct BootPhoneStory: Sendable {
    var identity: BootPhoneIdentity
    var cycles: [BootCycle] = []
    /// Every cycle begun, kept or not.
    var cycleCount = 0
    var cyclesNotKept = 0
    let maxCycles: Int
    let maxFiles: Int
    /// Seconds between two asks for the configuration that make a new cycle when no DHCP was seen between.
    static let restartGap = 5.0
    /// The phone's last CDP with a software version: a phone sends CDP at
    /// link up, just before its DISCOVER, so the boot that DISCOVER begins runs that load.
    var lastCDP: (mark: BootMark, version: String)?

    init(mac: MACAddress, maxCycles: Int, maxFiles: Int) {
        identity = BootPhoneIdentity(mac: mac)
        self.maxCycles = max(2, maxCycles)
        self.maxFiles = max(1, maxFiles)
    }

    /// The cycle now, begun at `mark` if there is none.
    mutating func current(_ mark: BootMark) -> Int {
        if cycles.isEmpty { begin(mark, .firstSeen) }
        return cycles.count - 1
    }

    /// A new cycle; the oldest but the first goes when the limit is reached.
    mutating func begin(_ mark: BootMark, _ why: BootCycleStart) {
        if cycles.count >= maxCycles {
            cycles.remove(at: 1)
            cyclesNotKept += 1
        }
        cycleCount += 1
        var cycle = BootCycle(number: cycleCount, start: mark, startedBy: why)
        if let cdp = lastCDP, mark.time.seconds(since: cdp.mark.time) < Self.restartGap {
            cycle.runningLoad = cdp.version
            cycle.runningLoadFrame = cdp.mark
        }
        cycles.append(cycle)
    }

    mutating func touch(_ c: Int, _ mark: BootMark) {
        if cycles[c].last.time < mark.time { cycles[c].last = mark }
    }

    // MARK: Events

    /// CDP from the phone: its name, model and running load.
    mutating func cdp(_ mark: BootMark, deviceID: String?, platform: String?, version: String?) {
        if let deviceID, deviceID.uppercased().hasPrefix("SEP") { identity.deviceName = deviceID }
        if let platform, let model = Self.model(inPlatform: platform) { identity.model = model }
        var c = current(mark)
        if let version, !version.isEmpty {
            if let running = cycles[c].runningLoad, running != version {
                // A phone announces its load from its start: another load means it restarted with it.
                begin(mark, .newLoad)
                c = cycles.count - 1
            }
            if cycles[c].runningLoad == nil { cycles[c].runningLoadFrame = mark }
            cycles[c].runningLoad = version
            lastCDP = (mark, version)
        }
        touch(c, mark)
    }

    /// A DHCP DISCOVER or REQUEST from the phone.
    mutating func dhcpAsk(_ mark: BootMark, type: DHCPMessageType?, clientAddress: IPv4Address, vendorClass: String?) {
        if let vendorClass {
            identity.vendorClass = vendorClass
            if identity.model == nil, let model = Self.model(inVendorClass: vendorClass) { identity.model = model }
        }
        var c = current(mark)
        // A DISCOVER (or INIT-REBOOT's REQUEST) from a phone that had gone further: it started again.
        let fresh = type == .discover || (type == .request && clientAddress == .any)
        if fresh, cycles[c].wentBeyondDHCP || (type == .discover && Self.isAnswered(cycles[c].dhcp) && !Self.isOffer(cycles[c].dhcp)) {
            begin(mark, .dhcp)
            c = cycles.count - 1
        }
        guard type == .discover || type == .request else {
            touch(c, mark)
            return
        }
        switch cycles[c].dhcp {
        case .notSeen:
            cycles[c].dhcp = .unanswered(asks: 1, first: mark, last: mark)
        case .unanswered(let asks, let first, _):
            cycles[c].dhcp = .unanswered(asks: asks + 1, first: first, last: mark)
        case .offered, .acknowledged, .nak:
            break
        }
        touch(c, mark)
    }

    static func isAnswered(_ o: BootDHCPOutcome) -> Bool {
        switch o {
        case .notSeen, .unanswered: false
        default: true
        }
    }

    static func isOffer(_ o: BootDHCPOutcome) -> Bool {
        if case .offered = o { return true }
        return false
    }

    /// A DHCP reply to the phone.
    mutating func dhcpReply(_ mark: BootMark, type: DHCPMessageType?, server: IPv4Address, address: IPv4Address, tftp: TFTPServerChoice) {
        let c = current(mark)
        switch type {
        case .offer?:
            if case .acknowledged = cycles[c].dhcp { break }
            cycles[c].dhcp = .offered(server: server, address: address, at: mark)
        case .ack?:
            cycles[c].dhcp = .acknowledged(server: server, address: address, at: mark)
            identity.address = address
        case .nak?:
            cycles[c].dhcp = .nak(server: server, at: mark)
        default:
            return
        }
        if type != .nak {
            cycles[c].tftp = tftp
            cycles[c].tftpFrame = mark
        }
        touch(c, mark)
    }

    /// A TFTP read request from the phone; returns the cycle and the file's
    /// index in it, or nil when it repeats a request already kept.
    mutating func request(_ mark: BootMark, file: String, to: TransportEndpoint, transfer: Int) -> (cycle: Int, file: Int)? {
        var c = current(mark)
        let kind = BootFileKind.of(file)
        let cycle = cycles[c]
        if let same = cycle.files.lastIndex(where: { $0.transfer == transfer }) {
            touch(c, mark)
            return (c, same)
        }
        // The trust list or configuration asked for again, a while after the
        // configuration was asked for, without DHCP between: a restart whose DHCP is not in the capture.
        if kind == .trustList || kind == .deviceConfig || kind == .signedConfig,
           let asked = cycle.files.last(where: { $0.kind == .deviceConfig || $0.kind == .signedConfig || $0.kind == .defaultConfig }),
           mark.time.seconds(since: cycle.last.time) >= Self.restartGap || cycle.files.contains(where: { $0.kind == .loads }),
           mark.time.seconds(since: asked.request.time) >= Self.restartGap {
            begin(mark, .tftpAgain)
            c = cycles.count - 1
        }
        guard cycles[c].files.count < maxFiles else {
            cycles[c].filesNotKept += 1
            touch(c, mark)
            return nil
        }
        cycles[c].files.append(BootFileRequest(name: file, kind: kind, request: mark, to: to, transfer: transfer))
        touch(c, mark)
        return (c, cycles[c].files.count - 1)
    }

    /// The index of the cycle numbered `number`, if it is still kept.
    func cycle(numbered number: Int) -> Int? {
        // Cycles are kept in order: the first, then the latest ones.
        cycles.lastIndex { $0.number == number }
    }

    /// The transfer of a file the phone asked for ended.
    mutating func fileEnded(cycle c: Int, file f: Int, _ outcome: BootFileOutcome, at mark: BootMark) {
        guard c < cycles.count, f < cycles[c].files.count else { return }
        cycles[c].files[f].outcome = outcome
        cycles[c].files[f].outcomeFrame = mark.frame
        touch(c, mark)
    }

    /// The configuration the phone fetched names `load`.
    mutating func configLoad(cycle c: Int, load: String, file: String) {
        guard c < cycles.count else { return }
        cycles[c].configLoad = load
        cycles[c].configFile = file
    }

    /// The `.loads` the phone fetched lists `parts`.
    mutating func loadParts(cycle c: Int, file: String, parts: [String]) {
        guard c < cycles.count else { return }
        cycles[c].loadsFile = file
        cycles[c].loadParts = parts
    }

    /// The phone asked to register (SCCP RegisterMessage, SIP REGISTER).
    mutating func register(_ mark: BootMark, protocol p: BootProtocol, server: IPv4Address, deviceName: String?, deviceType: UInt32?) {
        if let deviceName { identity.deviceName = deviceName }
        if let deviceType {
            identity.deviceType = deviceType
            if identity.model == nil { identity.model = Self.model(deviceType: deviceType) }
        }
        let c = current(mark)
        switch cycles[c].registration {
        case .accepted, .rejected:
            // Registering again after an answer: keep the answer (a SIP re-REGISTER, an SCCP re-register).
            break
        case .sent:
            break
        case .none:
            cycles[c].registration = .sent(server: server, protocol: p, at: mark)
        }
        touch(c, mark)
    }

    /// The server answered the registration: accepted, or rejected with a reason.
    mutating func registerAnswer(_ mark: BootMark, rejected reason: String?) {
        let c = current(mark)
        guard case .sent(let server, let p, let sent) = cycles[c].registration else { return }
        if let reason {
            cycles[c].registration = .rejected(server: server, protocol: p, reason: reason, sent: sent, at: mark)
        } else {
            cycles[c].registration = .accepted(server: server, protocol: p, sent: sent, at: mark)
        }
        touch(c, mark)
    }

    // MARK: Models

    /// `7945` from `Cisco IP Phone 7945` (CDP's platform).
    static func model(inPlatform platform: String) -> String? {
        let digits = platform.split(separator: " ").last.map { $0.prefix { $0.isNumber } } ?? ""
        return digits.count == 4 && digits.hasPrefix("79") ? String(digits) : nil
    }

    /// `7945` from `Cisco Systems, Inc. IP Phone CP-7945G` or `… IP Phone 7912`.
    static func model(inVendorClass vendor: String) -> String? {
        guard let range = vendor.range(of: "IP Phone ") else { return nil }
        var rest = vendor[range.upperBound...]
        if rest.hasPrefix("CP-") { rest = rest.dropFirst(3) }
        let digits = rest.prefix { $0.isNumber }
        return digits.count == 4 && digits.hasPrefix("79") ? String(digits) : nil
    }

    /// The models by SCCP device type (boot-model).
    static let deviceTypes: [UInt32: String] = [
        8: "7940", 7: "7960", 115: "7941", 30018: "7961", 434: "7942", 404: "7962", 435: "7945", 436: "7965",
        437: "7975", 30006: "7970", 119: "7971", 307: "7911", 369: "7906",
    ]

    static func model(deviceType: UInt32) -> String? { deviceTypes[deviceType] }

    /// The device type of a model (the first when two share one).
    static func deviceType(model: String) -> UInt32? { deviceTypes.first { $0.value == model }?.key }
}
