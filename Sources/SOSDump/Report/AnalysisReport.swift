import Foundation

/// What `sosdump analyze` reports for one capture: the records of
/// docs/analysis-json.md, made from a `RecoveryAnalysis` with the words of
/// `SOSWording`. One record per concept — `PhoneRecord`, `FindingRecord`,
/// `EvidenceRecord`, `TimelineRecord`, `DownloadRecord`, `ImageRecord` —
/// encoded one way; `AnalysisText` renders them as text, `json` as JSON,
/// and `sosdump live` sends the same records.
public struct AnalysisReport: Codable, Equatable, Sendable {
    public static let formatName = "sosdump-analysis"
    /// The format's version: fields are only ever added while it is 1.
    public static let formatVersion = 1
    /// The revision of the key set: 2 added `schema_version`, a phone's
    /// `family`, and the image's `has_image_magic`; 3 added a phone's
    /// `downloads` (each with its `trace`) and `periods`, a timeline line's
    /// `last_time` and `comments`, and the capture's `comments` and
    /// `frame_comments`.
    public static let schemaVersion = 3

    public var file: String
    public var format = Self.formatName
    public var version = Self.formatVersion
    public var schemaVersion = Self.schemaVersion
    /// The capture's verdict: its most serious phone's, or what messages to no known phone show.
    public var verdict: String
    public var explanation: String
    public var nextStep: String
    public var capture: Capture
    public var thresholds: Thresholds
    public var phones: [PhoneRecord]
    /// Findings about messages no phone in the capture can be tied to.
    public var findings: [FindingRecord]
    /// Their timeline.
    public var timeline: [TimelineRecord]
    public var notes: [String]

    public struct Capture: Codable, Equatable, Sendable {
        public var frames: Int
        @Nullable public var start: String?
        @Nullable public var end: String?
        @Nullable public var seconds: Double?
        /// Where reading stopped at damage; null when the whole file was read.
        @Nullable public var damage: String?
        /// The capture file's own comments (pcapng section header `opt_comment`).
        public var comments: [String]
        /// Comments on frames (pcapng `opt_comment`) that no timeline line shows.
        public var frameComments: [FrameCommentRecord]
    }

    public struct Thresholds: Codable, Equatable, Sendable {
        public var resetWindow: Double
        public var stall: Double
        public var noReply: Double
    }

    public init(file: String, analysis a: RecoveryAnalysis, damage: String? = nil, warnings: [String] = [],
                comments: CaptureComments = CaptureComments()) {
        self.file = file
        verdict = a.code.rawValue
        explanation = a.explanation
        nextStep = a.nextStep
        var seconds: Double?
        if let f = a.firstTime, let l = a.lastTime { seconds = (l.seconds(since: f) * 1e6).rounded() / 1e6 }
        let onFrames = comments.byFrame()
        var shown = Set<Int>()
        func line(_ e: TimelineEntry) -> TimelineRecord {
            let frames = [e.frame] + (e.lastFrame.map { $0 != e.frame ? [$0] : [] } ?? [])
            shown.formUnion(frames)
            return TimelineRecord(e, comments: frames.flatMap { onFrames[$0] ?? [] })
        }
        thresholds = Thresholds(resetWindow: a.thresholds.resetWindow, stall: a.thresholds.stall, noReply: a.thresholds.noReply)
        phones = a.phones.map { PhoneRecord($0, timeline: $0.timeline.map(line)) }
        findings = a.findings.map(FindingRecord.init)
        timeline = a.timeline.map(line)
        let unshown = comments.frames.filter { !shown.contains($0.frame) }.map { FrameCommentRecord(frame: $0.frame, text: $0.text) }
        capture = Capture(frames: a.frames, start: a.firstTime?.rfc3339, end: a.lastTime?.rfc3339, seconds: seconds, damage: damage,
                          comments: comments.capture, frameComments: unshown)
        var notes = a.notices.map(SOSWording.notice)
        if comments.notKept > 0 { notes.append(ReportWording.commentsNotKept(comments.notKept, max: CaptureComments.maxFrameComments)) }
        if let damage { notes.insert("the capture is damaged: \(damage); it was analysed up to the damage", at: 0) }
        notes += warnings
        self.notes = notes
    }

    /// The report of every diagnosis of a capture, with what the capture
    /// as a whole shows (signs that it was filtered) among its notes.
    public init(file: String, conclusion: CaptureConclusion, damage: String? = nil, warnings: [String] = []) {
        self.init(file: file, analysis: conclusion.sos, damage: damage, warnings: warnings, comments: conclusion.comments)
        if let filtered = CaptureWording.filtered(conclusion.filterSigns) { notes.insert(filtered, at: damage == nil ? 0 : 1) }
    }

    /// The JSON object, on one line.
    public var json: String { ReportJSON.text(self) }
}

/// A phone and its verdict.
public struct PhoneRecord: Codable, Equatable, Sendable {
    /// Which diagnosis followed it: `sos` (SPA phones in recovery).
    public var family: String
    public var mac: String
    @Nullable public var ip: String?
    public var addresses: [String]
    @Nullable public var serial: String?
    @Nullable public var product: String?
    @Nullable public var loaderVersion: String?
    @Nullable public var hardwareVersion: String?
    @Nullable public var gateway: String?
    public var verdict: String
    public var explanation: String
    public var nextStep: String
    public var findings: [FindingRecord]
    public var attempts: Int
    /// The last attempt's download (also the last of `downloads`).
    @Nullable public var transfer: DownloadRecord?
    /// The last attempt's image.
    @Nullable public var image: ImageRecord?
    /// Every attempt's download that reached its TFTP transfer, in order.
    public var downloads: [DownloadRecord]
    public var timeline: [TimelineRecord]
    /// What sosdump marks between frames (the silence after a download, the reset window).
    public var periods: [PeriodRecord]
    public var notes: [String]

    public init(_ p: PhoneVerdict, timeline: [TimelineRecord]? = nil) {
        let id = p.identity
        family = p.family.rawValue
        mac = id.mac.description
        ip = id.address?.description
        addresses = id.addresses.map(\.description)
        serial = id.serial
        product = id.product
        loaderVersion = id.loaderVersion
        hardwareVersion = id.hardwareVersion
        gateway = id.gateway?.description
        verdict = p.code.rawValue
        explanation = p.explanation
        nextStep = p.nextStep
        findings = p.findings.map(FindingRecord.init)
        attempts = p.attempts
        downloads = p.downloads.compactMap { d in d.transfer.map { DownloadRecord($0, summary: d) } }
        if let d = p.download, d.transfer != nil { transfer = downloads.last }
        image = p.download?.image.map { ImageRecord(FirmwareReport($0)) }
        self.timeline = timeline ?? p.timeline.map { TimelineRecord($0) }
        periods = p.periods.map(PeriodRecord.init)
        notes = p.notes.map(SOSWording.note)
    }
}

/// A finding: its code, its sentence, what to do, and the frames that show it.
public struct FindingRecord: Codable, Equatable, Sendable {
    public var code: String
    public var warning: Bool
    public var explanation: String
    public var nextStep: String
    @Nullable public var caveat: String?
    public var frames: [Int]
    public var evidence: [EvidenceRecord]

    public init(_ f: Finding) {
        code = f.code.rawValue
        warning = f.isWarning
        explanation = f.explanation
        nextStep = f.nextStep
        caveat = f.caveat
        frames = f.frames
        evidence = f.evidence.map(EvidenceRecord.init)
    }
}

/// A frame, and what it shows.
public struct EvidenceRecord: Codable, Equatable, Sendable {
    public var frame: Int
    public var time: String
    public var what: String

    public init(_ e: Evidence) {
        frame = e.frame
        time = e.time.rfc3339
        what = e.what
    }
}

/// A line of a timeline.
public struct TimelineRecord: Codable, Equatable, Sendable {
    public var frame: Int
    @Nullable public var lastFrame: Int?
    public var count: Int
    public var time: String
    /// The last frame's time, for a run (or the download's end, for its line).
    @Nullable public var lastTime: String?
    /// utility, phone, network, or sosdump (a conclusion between frames).
    public var actor: String
    public var text: String
    /// The comments on the line's frames (its first and last), as the capture file holds them.
    public var comments: [String]

    public init(_ e: TimelineEntry, comments: [String] = []) {
        frame = e.frame
        lastFrame = e.lastFrame
        count = e.count
        time = e.time.rfc3339
        lastTime = e.lastTime?.rfc3339
        actor = e.actor.rawValue
        text = e.text
        self.comments = comments
    }
}

/// A comment the capture file holds on a frame.
public struct FrameCommentRecord: Codable, Equatable, Sendable {
    public var frame: Int
    public var text: String
}

/// A stretch of time sosdump marks between frames.
public struct PeriodRecord: Codable, Equatable, Sendable {
    /// `silence` (after a complete download) or `reset-window`.
    public var kind: String
    public var start: String
    public var end: String
    public var seconds: Double
    /// The download's last frame, where it begins.
    public var frame: Int
    public var text: String

    public init(_ p: SOSPeriod) {
        kind = p.kind.rawValue
        start = p.start.rfc3339
        end = p.end.rfc3339
        seconds = (p.end.seconds(since: p.start) * 1e6).rounded() / 1e6
        frame = p.frame
        text = SOSWording.period(p)
    }
}

/// The download of a phone's last attempt.
public struct DownloadRecord: Codable, Equatable, Sendable {
    /// The file name in the phone's TFTP request.
    public var file: String
    /// The name the upgrade order gave (null when the order is not in the capture).
    @Nullable public var orderedFile: String?
    /// The order was a datagram carrying the name as text: a loader variant sosdump does not know.
    public var orderAsText: Bool
    /// Bytes of DATA captured.
    public var bytes: Int
    /// The file's size, once its final block was seen.
    @Nullable public var size: Int?
    /// The capture holds the whole file.
    public var complete: Bool
    @Nullable public var sha256: String?
    /// The tracker's outcome: complete, error, unreachable, unanswered, stalled.
    public var outcome: String
    public var requestTo: String
    @Nullable public var server: String?
    public var requests: Int
    public var requestFrame: Int
    public var lastFrame: Int
    public var blocks: Int
    public var finalBlockAcknowledged: Bool
    /// What made the phone download: upgrade-order, order-as-text, order-not-captured, url.
    public var path: String
    /// The highest block the phone acknowledged (0: none): its ACKs prove blocks 1 to it arrived.
    public var acknowledgedThrough: Int
    /// The capture holds none of the DATA (only the phone's ACKs): the image cannot be checked.
    public var dataNotCaptured: Bool
    /// The TFTP transfer's number, as `sosdump transfers` numbers it.
    public var number: Int
    /// The request's time, and the transfer's last frame's.
    public var start: String
    public var end: String
    /// Its block numbers against time, bounded, for a chart.
    public var trace: BlockTraceRecord

    init(_ t: TFTPTransfer, summary: DownloadSummary) {
        file = t.fileName
        orderedFile = summary.orderedFile
        orderAsText = summary.orderAsText
        bytes = t.file.bytesCaptured
        size = t.fileSize
        complete = t.file.isComplete
        sha256 = t.digests?.sha256
        outcome = t.outcome.rawValue
        requestTo = t.requestDestination.description
        server = t.server?.description
        requests = t.requestCount
        requestFrame = t.request.frame
        lastFrame = t.lastFrame.frame
        blocks = t.file.blocksCaptured
        finalBlockAcknowledged = t.finalBlockAcknowledged
        path = switch summary.path {
        case .upgradeOrder: "upgrade-order"
        case .orderAsText: "order-as-text"
        case .orderNotCaptured: "order-not-captured"
        case .url: "url"
        }
        acknowledgedThrough = t.acknowledgedThrough
        dataNotCaptured = t.dataNotCaptured
        number = t.number
        start = t.request.time.rfc3339
        end = t.lastFrame.time.rfc3339
        trace = BlockTraceRecord(t)
    }
}

/// A transfer's blocks against time (`TFTPBlockTrace`), in seconds since
/// its request: enough to draw its progress, bounded whatever its length.
public struct BlockTraceRecord: Codable, Equatable, Sendable {
    public struct Point: Codable, Equatable, Sendable {
        public var frame: Int
        /// Seconds since the request.
        public var seconds: Double
        public var block: Int
    }

    /// New blocks in the order they came, thinned to a few hundred (the last new block is always among them).
    public var progress: [Point]
    /// The receiver's ACKs of a block above every one before, thinned the same way (the last always among them).
    public var acknowledged: [Point]
    public var retransmissions: [Point]
    public var outOfOrder: [Point]
    public var repeatedAcks: [Point]
    /// Events past the limit, counted only.
    public var eventsNotKept: Int
    /// The final (short) block's DATA.
    @Nullable public var finalBlock: Point?
    /// Where progress stopped, for a transfer that did not finish (block 0: at the request).
    @Nullable public var stall: Point?
    /// Runs of blocks the capture lacks, as `sosdump transfers` gives them.
    public var gaps: [TransferRecord.Gap]
    /// Seconds from the request to the transfer's last frame.
    public var seconds: Double

    init(_ t: TFTPTransfer) {
        let start = t.request.time
        func point(_ p: TFTPBlockTrace.Point) -> Point {
            Point(frame: p.frame, seconds: (p.time.seconds(since: start) * 1e6).rounded() / 1e6, block: p.block)
        }
        let trace = t.trace
        func withLast(_ points: [TFTPBlockTrace.Point], _ last: TFTPBlockTrace.Point?) -> [Point] {
            (points + (last.map { $0.frame != points.last?.frame ? [$0] : [] } ?? [])).map(point)
        }
        progress = withLast(trace.progress, trace.lastProgress)
        acknowledged = withLast(trace.acknowledged, trace.lastAcknowledged)
        retransmissions = trace.retransmissions.map(point)
        outOfOrder = trace.outOfOrder.map(point)
        repeatedAcks = trace.repeatedAcks.map(point)
        eventsNotKept = trace.eventsNotKept
        finalBlock = trace.finalBlock.map(point)
        stall = t.stall.map { point(TFTPBlockTrace.Point(frame: $0.at.frame, time: $0.at.time, block: $0.block)) }
        gaps = t.gaps.map(TransferRecord.Gap.init)
        seconds = (t.lastFrame.time.seconds(since: start) * 1e6).rounded() / 1e6
    }
}

/// The loader's checks and the catalog's word on a transferred image
/// (`sosdump verify` gives every check: `FirmwareReport`).
public struct ImageRecord: Codable, Equatable, Sendable {
    /// The header's version text; null when unreadable.
    @Nullable public var version: String?
    /// `complete`, or `prefix` for the first bytes of an image that did not arrive whole.
    public var extent: String
    /// The bytes checked.
    public var size: Int
    /// `accepted`, `rejected` or `incomplete`.
    public var loader: String
    @Nullable public var failedCheck: String?
    /// The line the phone's console prints for the failed check.
    @Nullable public var loaderMessage: String?
    /// `known`, `bundle`, `unknown-valid`, `mismatch`, `invalid`, `incomplete`, `unknown`.
    public var catalog: String
    /// The catalog's release for a known (or mismatching) image.
    @Nullable public var release: String?
    /// The image's first bytes are the SPA image magic.
    public var hasImageMagic: Bool
    /// The two sentences: what the loader does, what the catalog says.
    public var loaderText: String
    public var catalogText: String

    public init(_ report: FirmwareReport) {
        version = report.version
        extent = report.extent
        size = report.size
        loader = report.verdict.status
        failedCheck = report.verdict.check
        loaderMessage = report.verdict.loaderMessage
        catalog = report.catalog.status
        release = report.catalog.release
        hasImageMagic = report.checks.first { $0.check == "magic" }?.status != "failed"
        loaderText = FirmwareText.loaderText(report)
        catalogText = FirmwareText.catalogText(report.catalog)
    }
}
