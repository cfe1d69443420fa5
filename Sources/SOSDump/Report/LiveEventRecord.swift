import Foundation

/// A `LiveEvent` as `sosdump live --format json` prints it: one JSON object
/// per line (JSON Lines), keys in snake case and sorted.
///
///     {"event":"capture-started","time":"…","capture":{"interface":"eth0","link_type":"EN10MB",…}}
///     {"event":"transfer-started","time":"…","progress":{"number":1,"client":"192.0.2.2:2000",…}}
///     {"event":"transfer-progress","time":"…","progress":{…,"blocks":128,"bytes":65536,…}}
///     {"event":"transfer-ended","time":"…","transfer":{…the object `sosdump transfers --format json` prints…}}
///     {"event":"phone-verdict","time":"…","phone":{"mac":"00:02:fd:…","verdict":"RECOVERED","findings":[…],…}}
///     {"event":"concluded","time":"…","conclusion":{"verdict":"RECOVERED","phones":[…],…}}
///     {"event":"capture-ended","time":"…","summary":{"reason":"duration","frames":…,"dropped_by_kernel":0,…}}
///
/// `event` says which of the other keys is there. A transfer's `number` is
/// the same in all its events and in `sosdump transfers` on the written
/// file; a phone's verdict is the phone's record of `sosdump analyze
/// --format json` (docs/analysis-json.md), and the conclusion carries its
/// keys for the capture, less the capture's own timeline. New kinds of event may come as new `event`
/// values with their own key: a reader skips what it does not know.
public struct LiveEventRecord: Codable, Equatable, Sendable {
    public var event: String
    /// When it happened, RFC 3339 in UTC (capture time: the kernel's
    /// timestamp of the frame that caused it, or the clock when nothing did).
    public var time: String
    public var capture: Capture?
    public var progress: Progress?
    public var transfer: TransferRecord?
    /// A phone's verdict: the record `sosdump analyze --format json` gives the phone.
    public var phone: PhoneRecord?
    public var conclusion: Conclusion?
    public var summary: Summary?

    public enum Kind: String, Sendable, CaseIterable {
        case captureStarted = "capture-started"
        case transferStarted = "transfer-started"
        case transferProgress = "transfer-progress"
        case transferEnded = "transfer-ended"
        case phoneVerdict = "phone-verdict"
        case concluded
        case captureEnded = "capture-ended"
    }

    /// How the capture began.
    public struct Capture: Codable, Equatable, Sendable {
        public var interface: String
        public var linkType: String
        public var snapLength: Int
        public var filter: String
        public var promiscuous: Bool
        /// The pcapng file written (`-w`), if any.
        public var file: String?
    }

    /// An open transfer: the fields named as in `TransferRecord` where
    /// they are the same thing.
    public struct Progress: Codable, Equatable, Sendable {
        public var number: Int
        public var direction: String
        public var file: String
        public var client: String
        public var requestTo: String
        public var server: String?
        public var requestFrame: Int
        public var lastFrame: Int
        /// The frame that brought the newest block.
        public var lastBlockFrame: Int?
        public var blocks: Int
        public var bytes: Int
        public var highestBlock: Int
        public var blockSize: Int
        public var announcedSize: Int?
        /// The firmware image's size from its header, when it is one.
        public var imageSize: Int?
        /// The size known so far: the final block's, else tsize, else the image header's.
        public var expectedSize: Int?
        public var size: Int?
        public var bytesPerSecond: Double?
        public var retransmittedData: Int
        public var repeatedAcks: Int

        public init(_ p: TFTPTransferProgress) {
            number = p.number
            direction = p.direction.rawValue
            file = p.fileName
            client = p.client.description
            requestTo = p.requestDestination.description
            server = p.server?.description
            requestFrame = p.request.frame
            lastFrame = p.lastFrame.frame
            lastBlockFrame = p.lastNewBlock?.frame
            blocks = p.blocks
            bytes = p.bytes
            highestBlock = p.highestBlock
            blockSize = p.blockSize
            announcedSize = p.announcedSize
            imageSize = p.imageSize
            expectedSize = p.expectedSize
            size = p.size
            bytesPerSecond = p.bytesPerSecond.map { $0.rounded() }
            retransmittedData = p.retransmittedData
            repeatedAcks = p.repeatedAcks
        }
    }

    /// The analysis of the whole capture, as `sosdump analyze --format json`
    /// begins: the capture's verdict, then each phone's.
    public struct Conclusion: Codable, Equatable, Sendable {
        public var verdict: String
        public var explanation: String
        public var nextStep: String
        public var frames: Int
        public var phones: [PhoneRecord]
        /// Findings about messages that reached no phone.
        public var findings: [FindingRecord]
        public var notes: [String]
    }

    /// How the capture ended.
    public struct Summary: Codable, Equatable, Sendable {
        /// `count`, `duration`, `signal` or `failed`.
        public var reason: String
        /// The signal's name (`SIGINT`, `SIGTERM`) for `signal`.
        public var signal: String?
        /// Why reading failed, for `failed`.
        public var error: String?
        public var seconds: Double
        public var frames: Int
        public var transfers: Int
        public var received: UInt64?
        public var droppedByKernel: UInt64?
        public var droppedByInterface: UInt64?
        public var framesWritten: Int?
    }

    /// The record of `event`.
    public init(_ event: LiveEvent) {
        switch event {
        case .captureStarted(let s):
            self.init(.captureStarted, s.time)
            capture = Capture(interface: s.interface, linkType: s.linkType.description, snapLength: s.snapLength,
                              filter: s.filter, promiscuous: s.promiscuous, file: s.writingTo)
        case .transferStarted(let p, let time):
            self.init(.transferStarted, time)
            progress = Progress(p)
        case .transferProgress(let p, let time):
            self.init(.transferProgress, time)
            progress = Progress(p)
        case .transferEnded(let t, let image, let time):
            self.init(.transferEnded, time)
            var record = TransferRecord(t)
            record.image = image.map { ImageRecord(FirmwareReport($0)) }
            transfer = record
        case .phoneVerdict(let v, let time):
            self.init(.phoneVerdict, time)
            phone = PhoneRecord(v)
        case .concluded(let a, let time):
            self.init(.concluded, time)
            let report = AnalysisReport(file: "", analysis: a)
            conclusion = Conclusion(verdict: report.verdict, explanation: report.explanation, nextStep: report.nextStep,
                                    frames: a.frames, phones: report.phones,
                                    findings: report.findings, notes: report.notes)
        case .captureEnded(let s):
            self.init(.captureEnded, s.time)
            var summary = Summary(reason: "", seconds: (s.seconds * 1e3).rounded() / 1e3, frames: s.frames, transfers: s.transfers,
                                  received: s.received, droppedByKernel: s.droppedByKernel,
                                  droppedByInterface: s.droppedByInterface, framesWritten: s.framesWritten)
            switch s.reason {
            case .count: summary.reason = "count"
            case .duration: summary.reason = "duration"
            case .signal(let number):
                summary.reason = "signal"
                summary.signal = Self.signalName(number)
            case .failed(let message):
                summary.reason = "failed"
                summary.error = message
            }
            self.summary = summary
        }
    }

    private init(_ kind: Kind, _ time: CaptureTimestamp) {
        event = kind.rawValue
        self.time = time.rfc3339
    }

    public var kind: Kind? { Kind(rawValue: event) }

    /// One line of JSON, in the style of every report (`ReportJSON`).
    public func encoded() -> String { ReportJSON.text(self) }

    public static func decode(_ line: String) throws -> LiveEventRecord {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(LiveEventRecord.self, from: Data(line.utf8))
    }

    /// `SIGINT`, `SIGTERM`, … (`signal 7` for others).
    public static func signalName(_ number: Int32) -> String {
        switch number {
        case 1: "SIGHUP"
        case 2: "SIGINT"
        case 13: "SIGPIPE"
        case 15: "SIGTERM"
        default: "signal \(number)"
        }
    }
}
