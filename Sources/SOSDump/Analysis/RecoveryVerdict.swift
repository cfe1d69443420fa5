/// What sosdump concludes about an S.O.S. recovery: the verdict codes of
/// sos-model.md, and the values a verdict is made of (the finding, its
/// evidence, the phone it is about). Made by `RecoveryAnalyzer`; rendered by
/// `Report/AnalysisReport`. docs/verdicts.md explains each code to a
/// technician.

/// One code per phone, and one for the capture. The cases are in order of
/// seriousness, most serious first: the order captures/sos documents for its
/// expected verdicts (a capture's verdict is its most serious phone's).
public enum VerdictCode: String, CaseIterable, Sendable, Codable, Comparable, CustomStringConvertible {
    case revertedToRecovery = "REVERTED_TO_RECOVERY"
    case resetDuringWrite = "RESET_DURING_WRITE"
    case imageRejected = "IMAGE_REJECTED"
    case transferStalled = "TRANSFER_STALLED"
    case tftpError = "TFTP_ERROR"
    case tftpUnreachable = "TFTP_UNREACHABLE"
    case tftpNoResponse = "TFTP_NO_RESPONSE"
    case noGateway = "NO_GATEWAY"
    case utilityDeaf = "UTILITY_DEAF"
    case phoneBusy = "PHONE_BUSY"
    case requestIgnored = "REQUEST_IGNORED"
    case noPhoneReply = "NO_PHONE_REPLY"
    case captureEnded = "CAPTURE_ENDED"
    case outcomeUnknown = "OUTCOME_UNKNOWN"
    case imageMismatch = "IMAGE_MISMATCH"
    case loaderFirmwareMismatch = "LOADER_FIRMWARE_MISMATCH"
    case recovered = "RECOVERED"
    case noRecoveryTraffic = "NO_RECOVERY_TRAFFIC"

    /// 0 for the most serious.
    public var rank: Int { Self.allCases.firstIndex(of: self) ?? Self.allCases.count }

    /// More serious sorts first.
    public static func < (a: VerdictCode, b: VerdictCode) -> Bool { a.rank < b.rank }

    /// Warnings are findings, never a verdict: what they say may not matter.
    public var isWarning: Bool { self == .imageMismatch || self == .loaderFirmwareMismatch }

    /// The recovery worked (nothing to fix).
    public var isSuccess: Bool { self == .recovered }

    /// The capture does not show how things ended: not a failure of the phone
    /// or the PC, but of the capture.
    public var isUndecided: Bool { self == .captureEnded || self == .outcomeUnknown || self == .noRecoveryTraffic }

    public var description: String { rawValue }

    /// The code's meaning, in one line (sos-model.md's table).
    public var meaning: String {
        switch self {
        case .recovered: "good image transferred and the phone came back with normal firmware"
        case .noRecoveryTraffic: "no recovery attempt in the capture at all"
        case .requestIgnored: "requests the phone drops by rule (length, source port, broadcast, serial)"
        case .noPhoneReply: "valid requests, no reply"
        case .utilityDeaf: "the phone replied but the utility never reacted"
        case .phoneBusy: "the phone was trying its Recovery/Last Upgrade URL and not listening"
        case .noGateway: "after the upgrade order the phone found no gateway"
        case .tftpUnreachable: "the phone's TFTP request drew an ICMP port unreachable"
        case .tftpNoResponse: "the phone's TFTP request drew no answer at all"
        case .tftpError: "a TFTP ERROR packet ended the transfer"
        case .transferStalled: "DATA/ACK stopped before the last block"
        case .captureEnded: "the capture ends while the exchange was still progressing"
        case .imageRejected: "the transferred image fails a check the loader makes"
        case .imageMismatch: "the image is valid but not what the catalog says for its name or version"
        case .loaderFirmwareMismatch: "the community's loader/firmware pairing rule is broken (a warning)"
        case .resetDuringWrite: "good image, but the phone restarted too soon to have written its flash"
        case .revertedToRecovery: "good image, enough time, yet the phone is in recovery again: flash suspect"
        case .outcomeUnknown: "good transfer, but the capture ends before the phone came back"
        }
    }

    /// What to do, in plain words, when nothing more specific is known.
    public var nextStep: String {
        switch self {
        case .recovered:
            "Nothing to fix: the phone runs normal firmware. Upgrade it the usual way if you need a newer release."
        case .noRecoveryTraffic:
            "Capture on the PC's network interface that faces the phone, with no capture filter, while the recovery utility runs."
        case .requestIgnored:
            "Send what the phone takes: 160-byte requests from UDP port 4811 to 234.4.8.10 (or the phone's own address) port 4810, with the serial FFFFFFFFFFFF or the phone's exact serial; the vendor's utility does this."
        case .noPhoneReply:
            "Power-cycle the phone and run the utility within 5 s of the S.O.S. screen, with the PC and the phone on the same switch (same network segment, no VLAN between them)."
        case .utilityDeaf:
            "Open UDP 69 and multicast 234.4.8.10 in the PC's firewall (or turn the firewall off while recovering), make the utility use the network interface that faces the phone, and use a switch that passes multicast."
        case .phoneBusy:
            "Wait until the phone stops trying its Recovery/Last Upgrade URL, or power-cycle it and run the utility within 5 s of the S.O.S. screen."
        case .noGateway:
            "Give the phone a gateway that answers ARP: a router on the phone's network, or a DHCP server whose router option (3) answers, or add the gateway's address to the PC."
        case .tftpUnreachable:
            "Free UDP port 69 on the PC (stop any other TFTP server) and let the utility's TFTP server through the PC's firewall."
        case .tftpNoResponse:
            "Let the PC receive multicast 234.4.8.10 on UDP port 69 (firewall, the interface the utility uses, IGMP snooping on the switch) and free port 69."
        case .tftpError:
            "Read the error: usually the utility's TFTP server does not serve the file it ordered. Restart the utility, or use another copy of it."
        case .transferStalled:
            "Try again with a direct cable or a plain switch, keep the PC from sleeping, and let it keep receiving multicast 234.4.8.10 (the phone's ACKs go there)."
        case .captureEnded:
            "Capture the whole attempt: start the capture before the utility and stop it only when the phone shows its normal screen or S.O.S. again (a few minutes)."
        case .imageRejected:
            "Use a good image: take the recovery utility (or the .bin) again from the vendor's bundle."
        case .imageMismatch:
            "Compare the image with the vendor's: get the recovery utility from the vendor's bundle rather than another copy."
        case .loaderFirmwareMismatch:
            "If the phone comes back in recovery, try a recovery utility whose firmware pairs with the loader (7.5.2b or older for a 7.5.2b-or-older loader)."
        case .resetDuringWrite:
            "Run the recovery again and leave the phone powered for several minutes after the transfer; check its power supply or PoE."
        case .revertedToRecovery:
            "The phone's flash is suspect: try once more with another release's recovery utility; if it comes back in recovery again, the phone needs repair or replacement."
        case .outcomeUnknown:
            "Look at the phone: a normal screen means it recovered, S.O.S. means it did not. Next time, capture until the phone comes back."
        }
    }
}

/// One frame that shows a finding, and what it shows.
public struct Evidence: Sendable, Equatable {
    /// Numbered from 1, as Wireshark numbers frames.
    public var frame: Int
    public var time: CaptureTimestamp
    public var what: String

    public init(frame: Int, time: CaptureTimestamp, what: String) {
        self.frame = frame
        self.time = time
        self.what = what
    }
}

/// A conclusion about a phone (or the capture): its code, a one-sentence
/// explanation, the frames that show it and what to do next.
public struct Finding: Sendable, Equatable {
    public var code: VerdictCode
    public var explanation: String
    public var evidence: [Evidence]
    public var nextStep: String
    /// For warnings: why it may not apply.
    public var caveat: String?

    public init(_ code: VerdictCode, _ explanation: String, evidence: [Evidence], nextStep: String? = nil, caveat: String? = nil) {
        self.code = code
        self.explanation = explanation
        self.evidence = evidence
        self.nextStep = nextStep ?? code.nextStep
        self.caveat = caveat
    }

    /// The frame numbers of the evidence, in order, each once.
    public var frames: [Int] { Array(Set(evidence.map(\.frame))).sorted() }
}

/// Who a phone is, from everything it sent.
public struct PhoneIdentity: Sendable, Equatable {
    public var mac: MACAddress
    /// Its last known IPv4 address.
    public var address: IPv4Address?
    /// Every address it had, in the order seen (a phone may change address).
    public var addresses: [IPv4Address] = []
    public var serial: String?
    /// `SPA504G`, from its S.O.S. reply or its DHCP vendor class.
    public var product: String?
    /// The recovery program's own version, from its reply (`7.4.4rec`).
    public var loaderVersion: String?
    public var hardwareVersion: String?
    /// The gateway it asked ARP for, or the router DHCP gave it.
    public var gateway: IPv4Address?

    public init(mac: MACAddress) { self.mac = mac }
}

/// A line of a phone's story: a frame (or a run of alike frames) that matters.
public struct TimelineEntry: Sendable, Equatable {
    public enum Actor: String, Sendable, Codable {
        /// The recovery utility (or whatever sends S.O.S. messages to the phone).
        case utility
        case phone
        /// The TFTP server, the gateway, DHCP servers.
        case network
        /// What sosdump concludes between frames (a silence, the transfer's result).
        case sosdump
    }

    public var frame: Int
    /// The last frame of a run of alike frames (nil for one frame).
    public var lastFrame: Int?
    public var count: Int
    public var time: CaptureTimestamp
    public var actor: Actor
    public var text: String

    public init(frame: Int, lastFrame: Int? = nil, count: Int = 1, time: CaptureTimestamp, actor: Actor, text: String) {
        self.frame = frame
        self.lastFrame = lastFrame
        self.count = count
        self.time = time
        self.actor = actor
        self.text = text
    }
}

/// The firmware download of a phone's last attempt, as the verdict needs it.
public struct DownloadSummary: Sendable {
    /// The TFTP transfer (its bytes released); nil when the phone never sent its request.
    public var transfer: TFTPTransfer?
    /// The loader's checks and the catalog's word on the image, when it carried one.
    public var image: FirmwareReport?
    /// The file name the upgrade order gave.
    public var orderedFile: String?
    /// The order was a datagram carrying the name as text (an older loader's variant).
    public var orderAsText: Bool = false
}

/// The story of one phone and what sosdump concludes from it.
public struct PhoneVerdict: Sendable {
    public var identity: PhoneIdentity
    /// The outcome of the phone's story (its last attempt, or why none began).
    public var code: VerdictCode
    public var explanation: String
    public var nextStep: String
    /// Every finding, most serious first; the verdict's own among them.
    public var findings: [Finding]
    /// Download attempts seen (upgrade orders acted on).
    public var attempts: Int
    /// The last attempt's download.
    public var download: DownloadSummary?
    public var timeline: [TimelineEntry]
    /// What is worth knowing besides the findings: an upgrade order of a
    /// variant sosdump does not know, limits that dropped something, frames
    /// seen twice.
    public var notes: [String]
}

/// What a whole capture says.
public struct RecoveryAnalysis: Sendable {
    /// The most serious phone's verdict; with no phone, what the S.O.S.
    /// messages sent to no known phone show.
    public var code: VerdictCode
    public var explanation: String
    public var nextStep: String
    public var phones: [PhoneVerdict]
    /// Findings about messages no phone in the capture can be tied to.
    public var findings: [Finding]
    /// Their timeline (requests to an address no phone had, or sent when no phone was seen).
    public var timeline: [TimelineEntry]
    public var frames: Int
    public var firstTime: CaptureTimestamp?
    public var lastTime: CaptureTimestamp?
    public var thresholds: RecoveryThresholds
    /// Limits that dropped something, and frames seen twice (two interfaces).
    public var notices: [String]
}

/// The timing thresholds of sos-model.md, each a command-line option.
public struct RecoveryThresholds: Sendable, Equatable {
    /// Seconds after the final ACK of a good image within which a phone heard
    /// from again has restarted too soon to have written its flash
    /// (RESET_DURING_WRITE; later: REVERTED_TO_RECOVERY).
    public var resetWindow: Double = 20
    /// Seconds without progress after which a transfer, a TFTP request or a
    /// gateway lookup has failed rather than been cut by the capture's end.
    public var stall: Double = 10
    /// Seconds valid requests (or replies) go unanswered before sosdump
    /// calls it NO_PHONE_REPLY (or UTILITY_DEAF) rather than CAPTURE_ENDED.
    public var noReply: Double = 10

    public init(resetWindow: Double = 20, stall: Double = 10, noReply: Double = 10) {
        self.resetWindow = resetWindow
        self.stall = stall
        self.noReply = noReply
    }
}
