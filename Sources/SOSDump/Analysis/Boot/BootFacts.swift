/// What the boot diagnosis of Cisco 79xx phones finds, as typed values: the
/// verdict codes, what each frame of evidence shows, what each finding rests
/// on. No sentence is made here: the words are `Report/BootWording.swift`'s,
/// used by every renderer.

/// One code per 79xx phone, and one for the capture. The cases are in order
/// of seriousness, most serious first (a capture's verdict is its most
/// serious phone's): what stops a phone earliest in its boot comes first,
/// the undecided ones after the failures, success last.
public enum BootVerdictCode: String, CaseIterable, Sendable, Codable, Comparable, CustomStringConvertible {
    case noDHCPAnswer = "NO_DHCP_ANSWER"
    case noTFTPServer = "NO_TFTP_SERVER"
    case tftpOptionMalformed = "TFTP_OPTION_MALFORMED"
    case tftpServerSilent = "TFTP_SERVER_SILENT"
    case trustListMismatch = "TRUST_LIST_MISMATCH"
    case configNotFound = "CONFIG_NOT_FOUND"
    case loadNotFound = "LOAD_NOT_FOUND"
    case loadPartMissing = "LOAD_PART_MISSING"
    case upgradePath = "UPGRADE_PATH"
    case loadRejected = "LOAD_REJECTED"
    case transferStalled = "TRANSFER_STALLED"
    case registrationRejected = "REGISTRATION_REJECTED"
    case noRegistrationAnswer = "NO_REGISTRATION_ANSWER"
    case bootLoop = "BOOT_LOOP"
    case captureEnded = "CAPTURE_ENDED"
    case outcomeUnknown = "OUTCOME_UNKNOWN"
    case upgraded = "UPGRADED"
    case registered = "REGISTERED"
    case noPhoneTraffic = "NO_PHONE_TRAFFIC"

    /// 0 for the most serious.
    public var rank: Int { Self.allCases.firstIndex(of: self) ?? Self.allCases.count }

    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }

    /// The phone came up (nothing to fix).
    public var isSuccess: Bool { self == .registered || self == .upgraded }

    /// The capture does not show how things ended.
    public var isUndecided: Bool { self == .captureEnded || self == .outcomeUnknown || self == .noPhoneTraffic }

    public var description: String { rawValue }
}

/// A frame of a phone's boot, by number and time.
public struct BootMark: Sendable, Equatable {
    public var frame: Int
    public var time: CaptureTimestamp

    public init(frame: Int, time: CaptureTimestamp) {
        self.frame = frame
        self.time = time
    }
}

/// What the phone's TFTP server is, as DHCP gave it (boot-model: option
/// 150, else option 66, else siaddr), and what is wrong with it.
public enum TFTPServerChoice: Sendable, Equatable {
    /// Option 150, a proper list of addresses.
    case option150([IPv4Address])
    /// Option 150 holding an address x.0.0.0: an integer-typed entry (tftpd32's `i`).
    case option150Integer(IPv4Address)
    /// Option 150 sent as the text of an address: the phone ignores it.
    case option150Text(String)
    /// Option 150 whose length is not a multiple of 4.
    case option150Length(Int)
    /// Option 66: a name or a dotted address, as text.
    case option66(String)
    /// `siaddr` of the reply.
    case nextServer(IPv4Address)
    /// None of them.
    case none

    /// The option is broken in a way the phone cannot use.
    public var isMalformed: Bool {
        switch self {
        case .option150Integer, .option150Text, .option150Length: true
        default: false
        }
    }
}

/// How a DHCP exchange of a cycle ended.
public enum BootDHCPOutcome: Sendable, Equatable {
    /// No DHCP from the phone in this cycle (the capture began later, or the phone kept its address).
    case notSeen
    /// DISCOVERs or REQUESTs and no answer.
    case unanswered(asks: Int, first: BootMark, last: BootMark)
    case offered(server: IPv4Address, address: IPv4Address, at: BootMark)
    case acknowledged(server: IPv4Address, address: IPv4Address, at: BootMark)
    case nak(server: IPv4Address, at: BootMark)
}

/// What kind of file a phone asked for (boot-model: the TFTP sequence).
public enum BootFileKind: String, Sendable, Equatable, Codable {
    /// `CTLSEP<MAC>.tlv`, `ITLSEP<MAC>.tlv`, `ITLFile.tlv`, `CTLFile.tlv`: ERROR 1 is normal without security.
    case trustList = "trust-list"
    /// `SEP<MAC>.cnf.xml`.
    case deviceConfig = "device-config"
    /// `SEP<MAC>.cnf.xml.sgn`: asked for by a phone that holds a trust list.
    case signedConfig = "signed-config"
    /// `XMLDefault.cnf.xml`.
    case defaultConfig = "default-config"
    /// `<LOAD>.loads` or `termNN.default.loads`.
    case loads
    /// A part a `.loads` lists (`.sbn`, `.sb2`).
    case loadPart = "load-part"
    /// Locale, dial plan, softkeys, rings, `OS79XX.TXT`, `SIP<MAC>.cnf`: ERROR 1 is harmless.
    case other

    /// The configuration every phone may fall back to.
    public static let defaultConfigName = "XMLDefault.cnf.xml"

    /// Reads a requested file's kind from its name (case ignored, as the names vary in case).
    public static func of(_ name: String) -> BootFileKind {
        var lower = name.lowercased()
        while lower.hasPrefix("/") { lower.removeFirst() }
        if lower.hasSuffix(".tlv") { return .trustList }
        if lower.hasPrefix("sep"), lower.hasSuffix(".cnf.xml.sgn") { return .signedConfig }
        if lower.hasPrefix("sep"), lower.hasSuffix(".cnf.xml") { return .deviceConfig }
        if lower == defaultConfigName.lowercased() { return .defaultConfig }
        if lower.hasSuffix(".loads") { return .loads }
        if lower.hasSuffix(".sbn") || lower.hasSuffix(".sb2") { return .loadPart }
        return .other
    }
}

/// What became of one file a phone asked for.
public enum BootFileOutcome: Sendable, Equatable {
    /// Asked for, the transfer not ended yet (or not in the capture).
    case pending
    /// The whole file arrived.
    case transferred(bytes: Int)
    /// An ERROR packet answered it.
    case error(TFTPTransfer.ErrorPacket)
    /// Nothing answered.
    case unanswered(requests: Int)
    /// An ICMP unreachable answered.
    case unreachable(TFTPTransfer.Unreachable)
    /// It began but stopped: the last block that arrived, and where.
    case stalled(block: Int, bytes: Int, at: BootMark)
}

/// One file a phone asked for in a cycle.
public struct BootFileRequest: Sendable, Equatable {
    public var name: String
    public var kind: BootFileKind
    public var request: BootMark
    public var to: TransportEndpoint
    /// The tracker's transfer number.
    public var transfer: Int
    public var outcome: BootFileOutcome = .pending
    /// The frame that decided the outcome (the ERROR, the last DATA, the ICMP error).
    public var outcomeFrame: Int?
}

/// How a phone tried to register in a cycle.
public enum BootRegistration: Sendable, Equatable {
    case none
    /// SCCP RegisterMessage (or SIP REGISTER) sent, no answer yet.
    case sent(server: IPv4Address, protocol: BootProtocol, at: BootMark)
    case accepted(server: IPv4Address, protocol: BootProtocol, sent: BootMark, at: BootMark)
    /// SCCP RegisterReject with its text, or a SIP failure status.
    case rejected(server: IPv4Address, protocol: BootProtocol, reason: String, sent: BootMark, at: BootMark)
}

public enum BootProtocol: String, Sendable, Equatable, Codable {
    case sccp = "SCCP"
    case sip = "SIP"
}

/// Why sosdump says a cycle began.
public enum BootCycleStart: String, Sendable, Equatable, Codable {
    /// The phone's first frame in the capture.
    case firstSeen = "first-seen"
    /// A DHCP DISCOVER (or a REQUEST from INIT-REBOOT) from a phone that had gone further.
    case dhcp
    /// CDP announcing another load than the cycle's: the phone restarted with it.
    case newLoad = "new-load"
    /// The trust list and configuration asked for again after a gap.
    case tftpAgain = "tftp-again"
}

/// What a frame of evidence shows.
public enum BootSign: Sendable, Equatable {
    case cdp(deviceID: String?, platform: String?, version: String?)
    /// The frame a boot began with, and why sosdump says it began there.
    case cycleStart(BootCycleStart)
    case dhcpAsk(type: DHCPMessageType?, vendorClass: String?)
    case dhcpReply(type: DHCPMessageType?, server: IPv4Address, address: IPv4Address, tftp: TFTPServerChoice)
    case tftpRequest(file: String, to: TransportEndpoint)
    case tftpError(file: String, TFTPTransfer.ErrorPacket)
    case icmpUnreachable(file: String, summary: String)
    case fileArrived(file: String, bytes: Int)
    case lastProgress(file: String, block: Int)
    case register(protocol: BootProtocol, deviceName: String?, deviceType: UInt32?, server: IPv4Address)
    case registerAck(protocol: BootProtocol)
    case registerReject(protocol: BootProtocol, reason: String)
    case reset
    /// The first frame of a phone setup with no phone: the switch's CDP with a voice VLAN, a DHCP reply with option 150 or 66.
    case setup
    case captureEnd
}

/// One frame that shows a finding, and what it shows.
public struct BootEvidence: Sendable, Equatable {
    public var frame: Int
    public var time: CaptureTimestamp
    public var shows: BootSign

    public init(_ mark: BootMark, _ shows: BootSign) {
        frame = mark.frame
        time = mark.time
        self.shows = shows
    }
}

/// What a finding rests on: one case per sentence the wording has.
public enum BootFact: Sendable, Equatable {
    /// Signs of a boot setup, and no phone: the switch's CDP, DHCP servers answering, TFTP requests.
    case noPhoneTraffic(switchCDP: Int, dhcpReplies: Int)
    case dhcpUnanswered(asks: Int, seconds: Double)
    case dhcpNak(server: IPv4Address)
    case noTFTPServer(server: IPv4Address)
    /// Option 150 cannot be used; `server` is the DHCP server (the likely TFTP server, in the fix).
    case optionMalformed(TFTPServerChoice, server: IPv4Address)
    case tftpSilent(file: String, to: TransportEndpoint, requests: Int, unreachable: Bool)
    case configNotFound(device: String?, fallback: String?, server: TransportEndpoint)
    case trustList(file: String, restarts: Int)
    case loadNotFound(file: String, named: LoadSource, server: TransportEndpoint)
    case partMissing(part: String, loads: String, otherCase: String?)
    case loadRejected(load: String, running: String?, fetches: Int)
    case upgradePath(running: String, target: String, step: String)
    case stalled(file: String, block: Int, bytes: Int, quiet: Double)
    case registrationRejected(protocol: BootProtocol, reason: String, server: IPv4Address)
    case noRegistrationAnswer(protocol: BootProtocol, server: IPv4Address, waited: Double)
    case bootLoop(cycles: Int, seconds: Double)
    case captureEnded(after: Double)
    case outcomeUnknown(load: String, silence: Double)
    case upgraded(from: String?, to: String)
    case registered(protocol: BootProtocol, server: IPv4Address, load: String?)

    /// Where a load's name came from.
    public enum LoadSource: Sendable, Equatable {
        case config(String)
        /// A phone with no load (after a factory reset) asks for its model's default.
        case factoryDefault
    }
}

/// A conclusion about a phone: its code, what it rests on, the frames that show it.
public struct BootFinding: Sendable, Equatable {
    public var code: BootVerdictCode
    public var fact: BootFact
    public var evidence: [BootEvidence]
    /// An explanation beside another verdict (e.g. UPGRADE_PATH before the load is even fetched).
    public var isWarning: Bool

    public init(_ code: BootVerdictCode, _ fact: BootFact, evidence: [BootEvidence], warning: Bool = false) {
        self.code = code
        self.fact = fact
        self.evidence = evidence
        isWarning = warning
    }

    /// The frame numbers of the evidence, in order, each once.
    public var frames: [Int] { Array(Set(evidence.map(\.frame))).sorted() }
}

/// Worth knowing about a phone besides its findings.
public enum BootPhoneNote: Sendable, Equatable {
    case cyclesNotKept(Int, max: Int)
    case filesNotKept(Int, max: Int)
    /// A phone whose capture begins mid-cycle: what came before is not in it.
    case beganMidCycle(frame: Int)
}

/// Worth knowing about the whole boot analysis.
public enum BootNotice: Sendable, Equatable {
    case phonesNotFollowed(Int, max: Int)
}
