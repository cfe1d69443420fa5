/// What the S.O.S. diagnosis concludes: per phone (`PhoneVerdict`) and for
/// the capture (`RecoveryAnalysis`), as typed values (`SOSFacts.swift` has
/// the codes, facts and evidence). Made by `SOSDiagnosis`; worded by
/// `Report/SOSWording.swift`; docs/verdicts.md explains each code to a
/// technician.

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

/// The firmware download of a phone's last attempt, as the verdict needs it.
public struct DownloadSummary: Sendable {
    /// The TFTP transfer (its bytes released); nil when the phone never sent its request.
    public var transfer: TFTPTransfer?
    /// The loader's checks and the catalog's word on the image, when it carried one.
    public var image: ImageCheck?
    /// The file name the upgrade order gave.
    public var orderedFile: String?
    /// The order was a datagram carrying the name as text (an older loader's variant).
    public var orderAsText: Bool = false
    /// What made the phone download.
    public var path: SOSDownloadPath = .upgradeOrder
}

/// The story of one phone and what sosdump concludes from it.
public struct PhoneVerdict: Sendable {
    /// Which diagnosis followed the phone.
    public var family: PhoneFamily { .sos }
    public var identity: PhoneIdentity
    /// The outcome of the phone's story (its last attempt, or why none began).
    public var verdict: Finding
    public var code: VerdictCode { verdict.code }
    /// Every finding, most serious first; the verdict's own among them.
    public var findings: [Finding]
    /// Download attempts seen (upgrade orders acted on).
    public var attempts: Int
    /// Every attempt's download, in order (kept attempts only).
    public var downloads: [DownloadSummary]
    /// The last attempt's download.
    public var download: DownloadSummary? { downloads.last }
    public var timeline: [TimelineEntry]
    /// What sosdump marks between frames: the silence after each complete
    /// download, the reset window after a good image.
    public var periods: [SOSPeriod]
    /// What is worth knowing besides the findings: an upgrade order of a
    /// variant sosdump does not know, limits that dropped something, frames
    /// seen twice.
    public var notes: [SOSPhoneNote]
}

/// What a whole capture says.
public struct RecoveryAnalysis: Sendable {
    /// Where the capture's verdict comes from.
    public enum Verdict: Sendable {
        /// The most serious phone's (an index into `phones`).
        case phone(Int)
        /// With no phone: what the S.O.S. messages sent to no known phone show, or that there are none.
        case capture(Finding)
    }

    public var verdict: Verdict
    /// The most serious phone's verdict; with no phone, what the S.O.S.
    /// messages sent to no known phone show.
    public var code: VerdictCode {
        switch verdict {
        case .phone(let i): phones[i].code
        case .capture(let f): f.code
        }
    }
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
    public var notices: [SOSNotice]
}

/// The timing thresholds of docs/verdicts.md, each a command-line option.
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
