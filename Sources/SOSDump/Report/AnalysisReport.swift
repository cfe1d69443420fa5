import Foundation

/// What `sosdump analyze` prints for one capture: the JSON object of
/// docs/analysis-json.md, and the text report. Built from a
/// `RecoveryAnalysis`; strings and numbers only, so the JSON stays stable.
public struct AnalysisReport: Encodable, Sendable {
    public static let formatName = "sosdump-analysis"
    public static let formatVersion = 1

    public var file: String
    public var format = Self.formatName
    public var version = Self.formatVersion
    /// The capture's verdict: its most serious phone's, or what messages to no known phone show.
    public var verdict: String
    public var explanation: String
    public var nextStep: String
    public var capture: Capture
    public var thresholds: Thresholds
    public var phones: [Phone]
    /// Findings about messages no phone in the capture can be tied to.
    public var findings: [FindingRecord]
    /// Their timeline.
    public var timeline: [Line]
    public var notes: [String]

    public struct Capture: Encodable, Sendable {
        public var frames: Int
        public var start: String?
        public var end: String?
        public var seconds: Double?
        /// Where reading stopped at damage; null when the whole file was read.
        public var damage: String?

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(frames, forKey: .frames)
            try c.encode(start, forKey: .start)
            try c.encode(end, forKey: .end)
            try c.encode(seconds, forKey: .seconds)
            try c.encode(damage, forKey: .damage)
        }

        enum CodingKeys: String, CodingKey { case frames, start, end, seconds, damage }
    }

    public struct Thresholds: Encodable, Sendable {
        public var resetWindow: Double
        public var stall: Double
        public var noReply: Double
    }

    public struct Phone: Encodable, Sendable {
        public var mac: String
        public var ip: String?
        public var addresses: [String]
        public var serial: String?
        public var product: String?
        public var loaderVersion: String?
        public var hardwareVersion: String?
        public var gateway: String?
        public var verdict: String
        public var explanation: String
        public var nextStep: String
        public var findings: [FindingRecord]
        public var attempts: Int
        public var transfer: Transfer?
        public var image: Image?
        public var timeline: [Line]
        public var notes: [String]

        enum CodingKeys: String, CodingKey {
            case mac, ip, addresses, serial, product, loaderVersion, hardwareVersion, gateway, verdict, explanation, nextStep,
                 findings, attempts, transfer, image, timeline, notes
        }

        // Every key is written, null when unknown, so that the shape never changes.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(mac, forKey: .mac)
            try c.encode(ip, forKey: .ip)
            try c.encode(addresses, forKey: .addresses)
            try c.encode(serial, forKey: .serial)
            try c.encode(product, forKey: .product)
            try c.encode(loaderVersion, forKey: .loaderVersion)
            try c.encode(hardwareVersion, forKey: .hardwareVersion)
            try c.encode(gateway, forKey: .gateway)
            try c.encode(verdict, forKey: .verdict)
            try c.encode(explanation, forKey: .explanation)
            try c.encode(nextStep, forKey: .nextStep)
            try c.encode(findings, forKey: .findings)
            try c.encode(attempts, forKey: .attempts)
            try c.encode(transfer, forKey: .transfer)
            try c.encode(image, forKey: .image)
            try c.encode(timeline, forKey: .timeline)
            try c.encode(notes, forKey: .notes)
        }
    }

    public struct FindingRecord: Encodable, Sendable {
        public var code: String
        public var warning: Bool
        public var explanation: String
        public var nextStep: String
        public var caveat: String?
        public var frames: [Int]
        public var evidence: [EvidenceRecord]

        init(_ f: Finding) {
            code = f.code.rawValue
            warning = f.code.isWarning
            explanation = f.explanation
            nextStep = f.nextStep
            caveat = f.caveat
            frames = f.frames
            evidence = f.evidence.map { EvidenceRecord(frame: $0.frame, time: $0.time.rfc3339, what: $0.what) }
        }

        enum CodingKeys: String, CodingKey { case code, warning, explanation, nextStep, caveat, frames, evidence }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(code, forKey: .code)
            try c.encode(warning, forKey: .warning)
            try c.encode(explanation, forKey: .explanation)
            try c.encode(nextStep, forKey: .nextStep)
            try c.encode(caveat, forKey: .caveat)
            try c.encode(frames, forKey: .frames)
            try c.encode(evidence, forKey: .evidence)
        }
    }

    public struct EvidenceRecord: Encodable, Sendable {
        public var frame: Int
        public var time: String
        public var what: String
    }

    /// The download of the phone's last attempt.
    public struct Transfer: Encodable, Sendable {
        /// The file name in the phone's TFTP request.
        public var file: String
        /// The name the upgrade order gave (null when the order is not in the capture).
        public var orderedFile: String?
        /// The order was a datagram carrying the name as text: a loader variant sosdump does not know.
        public var orderAsText: Bool
        /// Bytes of DATA captured.
        public var bytes: Int
        /// The file's size, once its final block was seen.
        public var size: Int?
        /// The capture holds the whole file.
        public var complete: Bool
        public var sha256: String?
        /// The tracker's outcome: complete, error, unreachable, unanswered, stalled.
        public var outcome: String
        public var requestTo: String
        public var server: String?
        public var requests: Int
        public var requestFrame: Int
        public var lastFrame: Int
        public var blocks: Int
        public var finalBlockAcknowledged: Bool

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
        }

        enum CodingKeys: String, CodingKey {
            case file, orderedFile, orderAsText, bytes, size, complete, sha256, outcome, requestTo, server, requests, requestFrame, lastFrame,
                 blocks, finalBlockAcknowledged
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(file, forKey: .file)
            try c.encode(orderedFile, forKey: .orderedFile)
            try c.encode(orderAsText, forKey: .orderAsText)
            try c.encode(bytes, forKey: .bytes)
            try c.encode(size, forKey: .size)
            try c.encode(complete, forKey: .complete)
            try c.encode(sha256, forKey: .sha256)
            try c.encode(outcome, forKey: .outcome)
            try c.encode(requestTo, forKey: .requestTo)
            try c.encode(server, forKey: .server)
            try c.encode(requests, forKey: .requests)
            try c.encode(requestFrame, forKey: .requestFrame)
            try c.encode(lastFrame, forKey: .lastFrame)
            try c.encode(blocks, forKey: .blocks)
            try c.encode(finalBlockAcknowledged, forKey: .finalBlockAcknowledged)
        }
    }

    /// The loader's checks and the catalog's word on the downloaded image.
    public struct Image: Encodable, Sendable {
        /// The header's version text; null when unreadable.
        public var version: String?
        /// `complete`, or `prefix` for the first bytes of an image that did not arrive whole.
        public var extent: String
        /// The bytes checked.
        public var size: Int
        /// `accepted`, `rejected` or `incomplete`.
        public var loader: String
        public var failedCheck: String?
        /// The line the phone's console prints for the failed check.
        public var loaderMessage: String?
        /// `known`, `bundle`, `unknown-valid`, `mismatch`, `invalid`, `incomplete`, `unknown`.
        public var catalog: String
        /// The catalog's release for a known (or mismatching) image.
        public var release: String?
        public var loaderText: String
        public var catalogText: String

        init(_ report: FirmwareReport) {
            let r = TransferRecord.Image(report)
            version = r.version
            extent = r.extent
            size = r.size
            loader = r.loader
            failedCheck = r.failedCheck
            loaderMessage = r.loaderMessage
            catalog = r.catalog
            release = r.release
            loaderText = r.loaderText
            catalogText = r.catalogText
        }

        enum CodingKeys: String, CodingKey {
            case version, extent, size, loader, failedCheck, loaderMessage, catalog, release, loaderText, catalogText
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(version, forKey: .version)
            try c.encode(extent, forKey: .extent)
            try c.encode(size, forKey: .size)
            try c.encode(loader, forKey: .loader)
            try c.encode(failedCheck, forKey: .failedCheck)
            try c.encode(loaderMessage, forKey: .loaderMessage)
            try c.encode(catalog, forKey: .catalog)
            try c.encode(release, forKey: .release)
            try c.encode(loaderText, forKey: .loaderText)
            try c.encode(catalogText, forKey: .catalogText)
        }
    }

    public struct Line: Encodable, Sendable {
        public var frame: Int
        public var lastFrame: Int?
        public var count: Int
        public var time: String
        /// utility, phone, network, or sosdump (a conclusion between frames).
        public var actor: String
        public var text: String
        // Kept for the text form only.
        var timestamp: CaptureTimestamp

        init(_ e: TimelineEntry) {
            frame = e.frame
            lastFrame = e.lastFrame
            count = e.count
            time = e.time.rfc3339
            actor = e.actor.rawValue
            text = e.text
            timestamp = e.time
        }

        enum CodingKeys: String, CodingKey { case frame, lastFrame, count, time, actor, text }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(frame, forKey: .frame)
            try c.encode(lastFrame, forKey: .lastFrame)
            try c.encode(count, forKey: .count)
            try c.encode(time, forKey: .time)
            try c.encode(actor, forKey: .actor)
            try c.encode(text, forKey: .text)
        }
    }

    enum CodingKeys: String, CodingKey {
        case file, format, version, verdict, explanation, nextStep, capture, thresholds, phones, findings, timeline, notes
    }

    // Kept for the text form only.
    private var firstTime: CaptureTimestamp?
    private var lastTime: CaptureTimestamp?

    public init(file: String, analysis a: RecoveryAnalysis, damage: String? = nil, warnings: [String] = []) {
        self.file = file
        verdict = a.code.rawValue
        explanation = a.explanation
        nextStep = a.nextStep
        firstTime = a.firstTime
        lastTime = a.lastTime
        var seconds: Double?
        if let f = a.firstTime, let l = a.lastTime { seconds = (l.seconds(since: f) * 1e6).rounded() / 1e6 }
        capture = Capture(frames: a.frames, start: a.firstTime?.rfc3339, end: a.lastTime?.rfc3339, seconds: seconds, damage: damage)
        thresholds = Thresholds(resetWindow: a.thresholds.resetWindow, stall: a.thresholds.stall, noReply: a.thresholds.noReply)
        phones = a.phones.map(Phone.init)
        findings = a.findings.map(FindingRecord.init)
        timeline = a.timeline.map(Line.init)
        var notes = a.notices
        if let damage { notes.insert("the capture is damaged: \(damage); it was analysed up to the damage", at: 0) }
        notes += warnings
        self.notes = notes
    }

    // MARK: JSON

    /// The JSON object, on one line.
    public var json: String { ReportJSON.text(self) }

    // MARK: Text

    /// ANSI colours for the verdict codes, or none.
    public struct Style: Sendable {
        public var colour: Bool
        public init(colour: Bool) { self.colour = colour }

        func code(_ code: String) -> String {
            guard colour, let c = VerdictCode(rawValue: code) else { return code }
            let sgr = c.isSuccess ? "1;32" : (c.isWarning || c.isUndecided ? "1;33" : "1;31")
            return "\u{1B}[\(sgr)m\(code)\u{1B}[0m"
        }

        func bold(_ text: String) -> String { colour ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
        func dim(_ text: String) -> String { colour ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
    }

    /// The text report: a header line with the verdict, then each phone's
    /// identity, timeline, download, findings and next step.
    public func textLines(style: Style = Style(colour: false)) -> [String] {
        var out: [String] = []
        out.append("\(style.bold(file)): \(style.code(verdict))" + (VerdictCode(rawValue: verdict).map { " (\($0.meaning))" } ?? ""))
        if phones.count > 1 {
            for p in phones { out.append("  phone \(p.mac): \(style.code(p.verdict))") }
        }
        var span = "\(capture.frames) frame\(capture.frames == 1 ? "" : "s")"
        if let f = firstTime, let l = lastTime {
            span += ", \(f.utcText) to \(l.utcText) UTC (\(RecoveryAnalyzer.seconds(l.seconds(since: f))))"
        }
        out.append("  " + span)
        for note in notes { out += Self.wrap("note: " + note, indent: "  ") }

        for p in phones {
            out.append("")
            out.append("phone \(style.bold(p.mac)): \(style.code(p.verdict))")
            var who: [String] = []
            if let v = p.product { who.append(v) }
            if let v = p.serial { who.append("serial \(v)") }
            if let v = p.ip { who.append("ip \(v)" + (p.addresses.count > 1 ? " (before: \(p.addresses.dropLast().joined(separator: ", ")))" : "")) }
            if let v = p.loaderVersion { who.append("loader \(v)") }
            if let v = p.hardwareVersion { who.append("hardware \(v)") }
            if let v = p.gateway { who.append("gateway \(v)") }
            if !who.isEmpty { out.append("  " + who.joined(separator: ", ")) }
            out += Self.wrap(p.explanation, indent: "  ")
            out.append("  timeline:")
            out += Self.timelineLines(p.timeline, style: style)
            if let t = p.transfer {
                var words = "  download: \(TransferTable.printable(t.file)), \(t.bytes) bytes"
                if let size = t.size, size != t.bytes { words += " of \(size)" }
                words += ", \(t.outcome)"
                if let sha = t.sha256 { words += ", sha256 \(sha)" }
                out.append(words)
            }
            if let image = p.image {
                out += Self.wrap("image \(image.version ?? "of unreadable version"): the loader \(image.loaderText); catalog: \(image.catalogText)", indent: "  ")
            }
            out.append("  findings:")
            for f in p.findings { out += Self.findingLines(f, style: style) }
            for note in p.notes { out += Self.wrap("note: " + note, indent: "  ") }
            out += Self.wrap("next step: " + p.nextStep, indent: "  ")
        }

        if !findings.isEmpty {
            out.append("")
            out.append(phones.isEmpty ? "S.O.S. messages, no phone seen:" : "S.O.S. messages no phone in the capture can be tied to:")
            if !timeline.isEmpty {
                out.append("  timeline:")
                out += Self.timelineLines(timeline, style: style)
            }
            out.append("  findings:")
            for f in findings { out += Self.findingLines(f, style: style) }
        }
        if phones.isEmpty {
            out.append("")
            out += Self.wrap("next step: " + nextStep, indent: "")
        }
        return out
    }

    static func findingLines(_ f: FindingRecord, style: Style) -> [String] {
        let frames = f.frames.isEmpty ? "" : " (frame\(f.frames.count == 1 ? "" : "s") \(f.frames.map(String.init).joined(separator: ", ")))"
        let kind = f.warning ? "warning " : ""
        var lines = wrap("\(kind)\(style.code(f.code))\(frames): \(f.explanation)", indent: "    ", hanging: "      ")
        if let caveat = f.caveat { lines += wrap("caveat: " + caveat, indent: "      ") }
        return lines
    }

    static func timelineLines(_ lines: [Line], style: Style) -> [String] {
        var out: [String] = []
        var previous: CaptureTimestamp?
        let rows = lines.map { l -> (String, String, String, String, String) in
            let frames = l.lastFrame.map { $0 != l.frame ? "\(l.frame)-\($0)" : "\(l.frame)" } ?? "\(l.frame)"
            let clock = String(l.timestamp.utcText.split(separator: " ").last ?? "")
            let delta = previous.map { "+" + TransferTable.fixed(max(0, l.timestamp.seconds(since: $0)), 3) } ?? ""
            previous = l.timestamp
            let times = l.count > 1 ? " (\(l.count) times)" : ""
            return (frames, clock, delta, l.actor, l.text + times)
        }
        let w0 = rows.map(\.0.count).max() ?? 0, w1 = rows.map(\.1.count).max() ?? 0, w2 = rows.map(\.2.count).max() ?? 0
        for r in rows {
            let head = "    " + r.0.padding(toLength: w0 + 2, withPad: " ", startingAt: 0) + r.1.padding(toLength: w1 + 2, withPad: " ", startingAt: 0)
                + String(repeating: " ", count: w2 - r.2.count) + r.2 + "  " + r.3.padding(toLength: 9, withPad: " ", startingAt: 0)
            out.append(head + r.4)
        }
        return out
    }

    /// Words wrapped at 100 columns.
    static func wrap(_ text: String, indent: String, hanging: String? = nil, width: Int = 100) -> [String] {
        var lines: [String] = []
        var line = indent
        var empty = true
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !empty, line.count + 1 + word.count > width {
                lines.append(line)
                line = (hanging ?? indent)
                empty = true
            }
            line += (empty ? "" : " ") + word
            empty = false
        }
        if !empty { lines.append(line) }
        return lines
    }
}

extension AnalysisReport.Phone {
    /// A phone's verdict as the report shows it (`sosdump live` shows the same).
    public init(_ p: PhoneVerdict) {
        let id = p.identity
        var transfer: AnalysisReport.Transfer?
        if let d = p.download, let t = d.transfer { transfer = AnalysisReport.Transfer(t, summary: d) }
        self.init(mac: id.mac.description, ip: id.address?.description, addresses: id.addresses.map(\.description),
                  serial: id.serial, product: id.product, loaderVersion: id.loaderVersion, hardwareVersion: id.hardwareVersion,
                  gateway: id.gateway?.description, verdict: p.code.rawValue, explanation: p.explanation, nextStep: p.nextStep,
                  findings: p.findings.map(AnalysisReport.FindingRecord.init), attempts: p.attempts, transfer: transfer,
                  image: p.download?.image.map(AnalysisReport.Image.init), timeline: p.timeline.map(AnalysisReport.Line.init), notes: p.notes)
    }
}
