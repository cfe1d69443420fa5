/// What the S.O.S. diagnosis finds, as typed values: the verdict codes,
/// what each frame of evidence shows, what each finding rests on, the lines
/// of a phone's timeline, the notes. No sentence is made here: the words
/// are `Report/SOSWording.swift`'s, used by every renderer, so a renderer
/// can link a frame or replace an address.

/// One code per phone, and one for the capture. The cases are in order of
/// seriousness, most serious first: the order captures/sos documents for its
/// expected verdicts (a capture's verdict is its most serious phone's).
public enum VerdictCode: String, CaseIterable, Sendable, Codable, Comparable, CustomStringConvertible {
    case loaderFirmwareMismatch = "LOADER_FIRMWARE_MISMATCH"
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
    case captureDamaged = "CAPTURE_DAMAGED"
    case captureEnded = "CAPTURE_ENDED"
    case outcomeUnknown = "OUTCOME_UNKNOWN"
    case imageMismatch = "IMAGE_MISMATCH"
    case recovered = "RECOVERED"
    case noRecoveryTraffic = "NO_RECOVERY_TRAFFIC"

    /// 0 for the most serious.
    public var rank: Int { Self.allCases.firstIndex(of: self) ?? Self.allCases.count }

    /// More serious sorts first.
    public static func < (a: VerdictCode, b: VerdictCode) -> Bool { a.rank < b.rank }

    /// Only ever a warning, never a verdict: what it says may not matter.
    /// (LOADER_FIRMWARE_MISMATCH is a warning too, except when the phone came
    /// back in recovery after a good image: then it is the verdict; see
    /// `Finding.isWarning`.)
    public var isWarning: Bool { self == .imageMismatch }

    /// The recovery worked (nothing to fix).
    public var isSuccess: Bool { self == .recovered }

    /// The capture does not show how things ended: not a failure of the phone
    /// or the PC, but of the capture.
    public var isUndecided: Bool {
        self == .captureEnded || self == .captureDamaged || self == .outcomeUnknown || self == .noRecoveryTraffic
    }

    public var description: String { rawValue }
}

/// An S.O.S. message (or a datagram to the phone's port) as findings and
/// the timeline name it.
public struct SOSMessageFacts: Sendable, Equatable {
    /// nil: no `RECM` at offset 4.
    public var kind: SOSMessageKind?
    public var opcode: UInt8
    /// The file name field of an S.O.S. message, as sent.
    public var fileName: SOSText?
    /// A firmware file name a datagram that is not an S.O.S. message carries as text.
    public var textName: String?
    public var destination: IPv4Address?
    public var destinationPort: UInt16
    public var serial: String?

    /// The file it names, as text, whichever way it names it.
    public var name: String? { fileName?.string ?? textName }
}

/// A step of the exchange the capture ended after (CAPTURE_ENDED).
public enum SOSStep: Sendable, Equatable {
    case upgradeOrder
    case upgradeEcho
    case phoneReply
    /// The first valid request; a phone is given `noReply` seconds to answer.
    case firstValidRequest(noReply: Double)
    case tftpRequest
    /// The phone's TFTP request, which nothing answered yet.
    case unansweredRequest
    /// A block of the download, its last progress.
    case lastBlock(Int)
    /// The gateway's ARP answer (the TFTP request is not in the capture).
    case gatewayAnswer
    case gatewayLookup
    /// The end of the download: what the phone did next was not read.
    case downloadEnd
}

/// What a frame of evidence shows.
public enum SOSEvidence: Sendable, Equatable {
    /// The recovery program's DHCP (option 60 `TI-dhcp 0.1`).
    case recoveryDHCP(type: DHCPMessageType?)
    /// Normal firmware's DHCP (option 60 like `Cisco SPA504G`).
    case normalDHCP(type: DHCPMessageType?, vendorClass: String)
    /// A TFTP request from another port than the recovery program's: normal firmware.
    case normalTFTPRequest(file: String, port: UInt16)
    /// The phone's TFTP request (nil file: not known; nil destination: not said).
    case tftpRequest(file: String?, to: TransportEndpoint?)
    case urlTryTFTP(file: String, to: TransportEndpoint)
    /// A TCP connection with TTL 60: the recovery program's HTTP client.
    case urlTryHTTP(to: IPv4Address, port: UInt16)
    case profileFetch(path: String)
    case sip(to: IPv4Address, port: UInt16)
    case arpRequest(target: IPv4Address, sender: IPv4Address?)
    case arpReply(sender: IPv4Address, mac: MACAddress?)
    case reply(product: String?, address: IPv4Address?, serial: String?, loader: String?)
    case upgradeEcho(file: String?)
    /// The upgrade order, or a datagram carrying the file name as text.
    case upgradeOrder(file: String?, asText: Bool)
    case message(SOSMessageFacts)
    case utilityAsksAgain
    case firstFrame
    case captureEnd
    case firstFrameAfterDownload(SOSFrameKind)
    case tftpError(TFTPTransfer.ErrorPacket)
    /// An ICMP error drawn by the transfer, as the decoder summarises it.
    case icmpUnreachable(summary: String)
    case lastTry
    /// The transfer's last new block (0: the request).
    case lastProgress(block: Int)
    case transferEnd
    case upgradeStart
    case downloadEnd(finalAck: Bool)
}

/// What kind of frame a phone sent after its download (for the evidence).
public enum SOSFrameKind: Sendable, Equatable {
    case udp(sourcePort: UInt16, destination: IPv4Address?, destinationPort: UInt16)
    case arp(reply: Bool)
    case tcp(destinationPort: UInt16)
    case other
}

/// One frame that shows a finding, and what it shows.
public struct Evidence: Sendable, Equatable {
    /// Numbered from 1, as Wireshark numbers frames.
    public var frame: Int
    public var time: CaptureTimestamp
    public var shows: SOSEvidence

    public init(frame: Int, time: CaptureTimestamp, shows: SOSEvidence) {
        self.frame = frame
        self.time = time
        self.shows = shows
    }
}

/// The file a download carried, as a finding names it.
public struct SOSDownloadFacts: Sendable, Equatable {
    public var file: String
    /// What made the phone download it.
    public var path: SOSDownloadPath = .upgradeOrder
    /// Its size once the final block was seen, else the bytes captured.
    public var bytes: Int
    public var version: String?
    /// What the loader makes of it; nil when it was not checked as an image.
    public var loader: ImageCheck.LoaderOutcome?
    /// The check that made the loader reject it.
    public var rejection: FirmwareCheck?
    /// The capture holds none of its DATA: only the phone's ACKs, for this
    /// many blocks, show it arrived (a filtered capture).
    public var acknowledgedOnly: Int?
}

/// What made a phone download its image: RECOVERED names it.
public enum SOSDownloadPath: Sendable, Equatable {
    /// The utility's upgrade order (opcode 2), echoed by the phone.
    case upgradeOrder
    /// A datagram naming the file as text: an older loader's variant.
    case orderAsText
    /// An order the capture does not hold (the request went to 234.4.8.10, which only follows one).
    case orderNotCaptured
    /// Its Recovery or Last Upgrade URL (tftp://).
    case url
}

/// Messages the phone drops, grouped by the rule that drops them.
public struct SOSDroppedGroup: Sendable, Equatable {
    public enum Rule: Sendable, Equatable {
        /// No `RECM` at offset 4: not an S.O.S. message.
        case notSOS(length: Int)
        case violation(SOSRuleViolation)

        /// The code of a datagram that is not an S.O.S. message, beside `SOSRuleViolation.code`.
        public static let notSOSCode = "not-sos"

        public var code: String {
            switch self {
            case .notSOS: Self.notSOSCode
            case .violation(let v): v.code
            }
        }
    }

    public var rule: Rule
    public var count: Int
    /// The first and last frames (one when alone).
    public var frames: [Int]
}

/// What a finding rests on: one case per sentence the wording has.
public enum SOSFact: Sendable, Equatable {
    case noRecoveryTraffic
    case inRecoveryNoUtility(frame: Int)
    case busyAtOrder(reply: Int, order: Int, urlTry: Int)
    case busyWhileAsked(requests: Int, first: Int, last: Int, urlTries: Int, firstTry: Int)
    case orderNotEchoed(reply: Int, order: Int, waited: Double)
    case noReply(requests: Int, span: Double, first: Int, last: Int, phone: MACAddress?)
    case utilityDeaf(replies: Int, first: Int, last: Int, laterRequests: Int)
    case ignored(count: Int, total: Int, groups: [SOSDroppedGroup])
    /// The capture ends `after` seconds after a step (nil: with it).
    case captureEnded(step: SOSStep, frame: Int, after: Double?)
    case tftpError(file: String, error: TFTPTransfer.ErrorPacket?)
    case tftpUnreachable(file: String, destination: TransportEndpoint, reporter: IPAddress?, frame: Int?, requests: Int)
    case tftpNoResponse(file: String, destination: TransportEndpoint, requests: Int, span: Double)
    case stalled(file: String, block: Int, bytes: Int, frame: Int, quietSide: TFTPTransfer.Side?, quiet: Double, unreachableFrame: Int?)
    case gatewayUnanswered(gateway: IPv4Address, asks: Int)
    case noGatewaySet(frame: Int)
    case imageRejected(SOSDownloadFacts, backInRecovery: Evidence?, after: Double?)
    case recovered(SOSDownloadFacts, after: Double, normal: Evidence)
    /// Back with normal firmware after a try of its Recovery/Last Upgrade
    /// URL whose download the capture does not rebuild (HTTP).
    case recoveredFromURL(url: Evidence, normal: Evidence, after: Double)
    case resetDuringWrite(SOSDownloadFacts, gap: Double, heard: Evidence, back: Evidence?, window: Double)
    case revertedToRecovery(SOSDownloadFacts, gap: Double, back: Evidence)
    case outcomeUnknown(SOSDownloadFacts, silence: Double, heard: Evidence?)
    /// Valid for the loader, but not the catalog's image of that name or version.
    case imageMismatch(expected: FirmwareCatalog.Image)
    /// The community's pairing rule broken: the loader is `oldLoader` (7.5.2b or older) and the image is not, or the reverse.
    case pairing(loader: String, image: String, oldLoader: Bool)
    /// A good image written for long enough, the phone back in recovery,
    /// and the pairing rule broken: the likelier cause, before the flash.
    case pairingReverted(SOSDownloadFacts, loader: String, image: String, oldLoader: Bool, gap: Double, back: Evidence)
    /// Reading stopped at damage in the file while the exchange was still
    /// going (after `step`, or before any of it when nil).
    case captureDamaged(step: SOSStep?, frame: Int, damage: CaptureDamage)
}

/// What to do, when the code's own next step is not the best.
public enum SOSNextStep: Sendable, Equatable {
    case codeDefault
    case unzipBundle
    case serveFile(String)
    case typeSerial
    case notBroadcast
    case answerGateway(IPv4Address)
    /// Run the recovery again with a utility release whose firmware pairs
    /// with the loader (old: 7.5.2b or older); if that fails too, the flash.
    case pairingRelease(oldLoader: Bool)
}

/// A conclusion about a phone (or the capture): its code, what it rests
/// on, the frames that show it and what to do next.
public struct Finding: Sendable, Equatable {
    public var code: VerdictCode
    public var fact: SOSFact
    public var evidence: [Evidence]
    public var next: SOSNextStep

    public init(_ code: VerdictCode, _ fact: SOSFact, evidence: [Evidence], next: SOSNextStep = .codeDefault) {
        self.code = code
        self.fact = fact
        self.evidence = evidence
        self.next = next
    }

    /// The frame numbers of the evidence, in order, each once.
    public var frames: [Int] { Array(Set(evidence.map(\.frame))).sorted() }

    /// A warning's caveat applies (the pairing rule is the community's, not a certainty).
    public var hasCaveat: Bool {
        switch fact {
        case .pairing, .pairingReverted: true
        default: false
        }
    }

    /// A warning: worth knowing, never a verdict. The pairing rule is one,
    /// unless the phone came back in recovery after a good image.
    public var isWarning: Bool {
        if case .pairing = fact { return true }
        return code.isWarning
    }
}

/// A line of a phone's timeline: a frame (or a run of alike frames) that matters.
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
    /// The last frame's time (nil for one frame).
    public var lastTime: CaptureTimestamp?
    public var actor: Actor
    public var event: SOSTimelineEvent

    public init(frame: Int, lastFrame: Int? = nil, count: Int = 1, time: CaptureTimestamp, lastTime: CaptureTimestamp? = nil, actor: Actor,
                event: SOSTimelineEvent) {
        self.frame = frame
        self.lastFrame = lastFrame
        self.count = count
        self.time = time
        self.lastTime = lastTime
        self.actor = actor
        self.event = event
    }
}

/// A stretch of a phone's story that sosdump marks, between frames: the
/// silence after a complete download (while the phone should be writing
/// its flash), and the reset window after it (a phone heard from within it
/// restarted too soon to have written: RESET_DURING_WRITE).
public struct SOSPeriod: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// From the download's last frame to the phone's next frame (or the capture's end).
        case silence
        /// From the download's last frame, `RecoveryThresholds.resetWindow` seconds long
        /// (after a good image only: a rejected one is not written).
        case resetWindow = "reset-window"
    }

    public var kind: Kind
    public var start: CaptureTimestamp
    public var end: CaptureTimestamp
    /// The download's last frame, where the period begins.
    public var frame: Int
}

/// What a line of the timeline says.
public enum SOSTimelineEvent: Sendable, Equatable {
    /// A frame, shown as its evidence is.
    case frame(SOSEvidence)
    case dhcpAck(server: IPv4Address, address: IPv4Address, prefix: Int?, router: IPv4Address?)
    case asksFile(file: String, to: TransportEndpoint)
    case urlTryTFTP(file: String, to: TransportEndpoint)
    case urlTryHTTP(to: IPv4Address, port: UInt16)
    case arpAsk(target: IPv4Address, isGateway: Bool)
    case gatewayAnswers(sender: IPv4Address, mac: MACAddress?)
    case urlTryResult(file: String, outcome: TFTPTransfer.Outcome)
    case echo(file: String?)
    case sip(to: IPv4Address, port: UInt16)
    case message(SOSMessageFacts, disposition: SOSMessageDisposition)
    /// The download, in one line (bytes released).
    case transfer(TFTPTransferSummary)
    case image(version: String?, loader: ImageCheck.LoaderOutcome, loaderMessage: String?)
    case silence(seconds: Double)
    /// The capture ends (seconds after the line before, if any).
    case captureEnds(after: Double?)
    case linesLeftOut(Int)
}

/// What became of a message to phones.
public enum SOSMessageDisposition: Sendable, Equatable {
    case taken
    case notSOS
    /// The phone drops it, by this rule (the first that drops it).
    case dropped(SOSRuleViolation)
    /// A datagram naming the file as text that a phone acted on.
    case unknownVariant

    /// The code of the rule that drops it; nil when no rule does. Alike
    /// messages fold into one timeline line only with the same fate.
    public var dropCode: String? {
        switch self {
        case .dropped(let rule): rule.code
        case .notSOS: SOSDroppedGroup.Rule.notSOSCode
        case .taken, .unknownVariant: nil
        }
    }
}

/// A transfer as a timeline line tells it.
public struct TFTPTransferSummary: Sendable, Equatable {
    public var server: TransportEndpoint?
    public var blocks: Int
    public var bytes: Int
    public var outcome: TFTPTransfer.Outcome
    public var fileComplete: Bool
    public var finalBlockAcknowledged: Bool
    public var requests: Int
    public var stallBlock: Int?
    public var retransmittedData: Int
    public var repeatedAcks: Int
    /// The capture holds none of the DATA: the receiver's ACKs for this many blocks show it arrived.
    public var acknowledgedOnly: Int?
    /// DATA with a failing UDP checksum (not delivered).
    public var corruptedData: Int

    public init(_ t: TFTPTransfer) {
        server = t.server
        blocks = t.file.blocksCaptured
        bytes = t.file.bytesCaptured
        outcome = t.outcome
        fileComplete = t.file.isComplete
        finalBlockAcknowledged = t.finalBlockAcknowledged
        requests = t.requestCount
        stallBlock = t.stall?.block
        retransmittedData = t.retransmittedData.count
        repeatedAcks = t.repeatedAcks.count
        acknowledgedOnly = t.dataNotCaptured ? t.acknowledgedThrough : nil
        corruptedData = t.corruptedData.count
    }
}

/// Worth knowing about a phone besides its findings.
public enum SOSPhoneNote: Sendable, Equatable {
    /// A datagram that is not an S.O.S. message named the file as text, and the phone asked for it.
    case orderAsText(frame: Int, file: String, request: Int)
    case eventsNotKept(Int, max: Int)
    case attemptsNotKept(Int, max: Int)
    case duplicates(Int)
}

/// Worth knowing about the whole analysis.
public enum SOSNotice: Sendable, Equatable {
    case phonesNotFollowed(Int, max: Int)
    case messagesNotKept(Int, max: Int)
    case duplicateFrames(Int)
    case transfersEvicted(Int, max: Int)
}
