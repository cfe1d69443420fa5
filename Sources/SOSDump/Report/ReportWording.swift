/// The words an analysis report's renderers share, made from its records:
/// the headings, the capture's span, a phone's identity, a download, an
/// image, a finding's frames, the timeline's columns and the charts'
/// labels. `AnalysisText` and `AnalysisHTML` both take them from here, so
/// the text report and the HTML page say the same thing in the same words;
/// the sentences of a diagnosis are its own wording's (`SOSWording`).
enum ReportWording {
    // MARK: Headings and labels

    static let timeline = "timeline"
    static let findings = "findings"
    static let nextStep = "next step"
    static let note = "note"
    static let caveat = "caveat"
    static let warning = "warning"
    static let download = "download"
    static let comment = "comment"
    static let phone = "phone"

    /// The heading of the messages no phone can be tied to.
    static func unattributed(noPhones: Bool) -> String {
        noPhones ? "S.O.S. messages, no phone seen" : "S.O.S. messages no phone in the capture can be tied to"
    }

    static func commentsNotKept(_ n: Int, max: Int) -> String {
        "\(n) frame comments after the first \(max) were not kept"
    }

    // MARK: Lines made from records

    /// What a verdict code means, when it is one.
    static func meaning(_ code: String) -> String? { VerdictCode(rawValue: code)?.meaning ?? BootVerdictCode(rawValue: code)?.meaning }

    /// `1234 frames, 2026-11-21 12:24:22.1 to 2026-11-21 12:30:01.9 UTC (5 min)`.
    static func span(_ c: AnalysisReport.Capture) -> String {
        var span = SOSWording.plural(c.frames, "frame")
        if let start = c.start, let end = c.end {
            let seconds = CaptureTimestamp(rfc3339: start).flatMap { f in CaptureTimestamp(rfc3339: end).map { $0.seconds(since: f) } }
                ?? c.seconds ?? 0
            span += ", \(utc(start)) to \(utc(end)) UTC (\(SOSWording.seconds(seconds)))"
        }
        return span
    }

    /// Who a phone is: product, serial, addresses, loader, hardware, gateway.
    static func identity(_ p: PhoneRecord) -> [String] {
        var who: [String] = []
        if let v = p.model { who.append("Cisco IP Phone \(v)") }
        if let v = p.product { who.append(v) }
        if let v = p.load { who.append("load \(v)") }
        if let v = p.serial { who.append("serial \(v)") }
        if let v = p.ip { who.append("ip \(v)" + (p.addresses.count > 1 ? " (before: \(p.addresses.dropLast().joined(separator: ", ")))" : "")) }
        if let v = p.loaderVersion { who.append("loader \(v)") }
        if let v = p.hardwareVersion { who.append("hardware \(v)") }
        if let v = p.gateway { who.append("gateway \(v)") }
        return who
    }

    /// `/spa71f6.bin, 78899 bytes, complete, sha256 …`.
    static func download(_ t: DownloadRecord) -> String {
        var words = "\(t.file), \(t.bytes) bytes"
        if t.dataNotCaptured {
            words = "\(t.file), DATA not in the capture (the phone acknowledged \(t.acknowledgedThrough) blocks)"
        }
        if let size = t.size, size != t.bytes { words += " of \(size)" }
        words += ", \(t.outcome)"
        if let sha = t.sha256 { words += ", sha256 \(sha)" }
        return words
    }

    /// What the loader and the catalog make of the image.
    static func image(_ image: ImageRecord) -> String {
        "image \(image.version ?? "of unreadable version"): the loader \(image.loaderText); catalog: \(image.catalogText)"
    }

    /// ` (frames 3, 7)`, or nothing when a finding names no frame.
    static func frames(_ frames: [Int]) -> String {
        frames.isEmpty ? "" : " (frame\(frames.count == 1 ? "" : "s") \(frames.map(String.init).joined(separator: ", ")))"
    }

    /// A timeline line's columns: its frames, its clock time, the time since
    /// the line before, who, and what (with how many times).
    struct TimelineRow {
        var frames: String
        var clock: String
        var delta: String
        var actor: String
        var text: String
        var comments: [String]
    }

    /// The timeline table's column heads (HTML).
    static let timelineColumns = ["frames", "time (UTC)", "+s", "who", "what"]

    static func timelineRows(_ lines: [TimelineRecord]) -> [TimelineRow] {
        var previous: CaptureTimestamp?
        return lines.map { l in
            let frames = l.lastFrame.map { $0 != l.frame ? "\(l.frame)-\($0)" : "\(l.frame)" } ?? "\(l.frame)"
            let time = CaptureTimestamp(rfc3339: l.time)
            let clock = String(utc(l.time).split(separator: " ").last ?? "")
            let delta = previous.flatMap { p in time.map { "+" + TransferTable.fixed(max(0, $0.seconds(since: p)), 3) } } ?? ""
            previous = time
            let times = l.count > 1 ? " (\(l.count) times)" : ""
            return TimelineRow(frames: frames, clock: clock, delta: delta, actor: l.actor, text: l.text + times, comments: l.comments)
        }
    }

    /// An RFC 3339 time as `CaptureTimestamp.utcText` writes it: `2026-11-21 12:24:22.123456`.
    static func utc(_ rfc3339: String) -> String {
        var text = rfc3339
        if text.hasSuffix("Z") { text.removeLast() }
        if let t = text.firstIndex(of: "T") { text.replaceSubrange(t...t, with: " ") }
        return text
    }

    // MARK: Charts

    static let transferChart = "blocks against time"
    static let laneChart = "who spoke when"
    /// A 79xx phone's boots: the heading, the table's columns and the chart's.
    static let cycles = "cycles"
    static let cycleColumns = ["#", "frame", "time", "started by", "load", "DHCP", "TFTP server", "registration"]
    static let cycleChart = "its boots side by side"
    static let cycleFiles = "files"
    static func cycleLabel(_ c: CycleRecord) -> String {
        "#\(c.number) \(c.startedBy), load \(c.runningLoad ?? "?"), registration \(c.registration ?? "none")"
    }
    static let secondsSinceRequest = "seconds since the request"
    static let secondsSinceStart = "seconds since the capture's first frame"
    static let block = "block"
    static let newBlocks = "new blocks"
    static let acknowledged = "blocks acknowledged"
    static let retransmission = "DATA sent again"
    static let outOfOrder = "block out of order"
    static let repeatedAck = "ACK repeated"
    static let gapMissing = "blocks not in the capture"
    static let gapAcknowledged = "blocks not in the capture, acknowledged"
    /// The lanes of the lane chart: a timeline line's actors, in this order.
    static let lanes = [TimelineEntry.Actor.utility, .phone, .network, .sosdump].map(\.rawValue)

    static func transferTitle(_ t: DownloadRecord) -> String { "TFTP transfer \(t.number)" }

    static func finalBlock(_ block: Int) -> String { "final block \(block)" }

    static func stall(_ block: Int) -> String { block == 0 ? "stalled at the request" : "stalled after block \(block)" }

    static func gap(_ g: TransferRecord.Gap) -> String {
        let blocks = g.firstBlock == g.lastBlock ? "block \(g.firstBlock)" : "blocks \(g.firstBlock)-\(g.lastBlock)"
        return g.acknowledged ? "\(blocks) not in the capture (acknowledged: they got through)" : "\(blocks) not in the capture"
    }

    static func eventsNotKept(_ n: Int) -> String { "\(n) more events not drawn" }

    /// A point's tooltip: `frame 812: block 40, 3.25 s`.
    static func point(_ p: BlockTraceRecord.Point, _ what: String) -> String {
        "frame \(p.frame): \(what) \(p.block), \(TransferTable.fixed(p.seconds, 3)) s"
    }
}
