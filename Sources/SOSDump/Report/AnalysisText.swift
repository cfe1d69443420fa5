/// The text form of `sosdump analyze`: a header line with the verdict, then
/// each phone's identity, timeline, download, findings and next step. A
/// renderer over `AnalysisReport`'s records alone (a report read back from
/// its JSON renders the same); it decides nothing.
public struct AnalysisText: Sendable {
    /// ANSI colours for the verdict codes, or none.
    public struct Style: Sendable {
        public var colour: Bool
        public init(colour: Bool) { self.colour = colour }

        func code(_ code: String) -> String {
            guard colour else { return code }
            let sgr: String
            if let c = VerdictCode(rawValue: code) {
                sgr = c.isSuccess ? "1;32" : (c.isWarning || c.isUndecided ? "1;33" : "1;31")
            } else if let c = BootVerdictCode(rawValue: code) {
                sgr = c.isSuccess ? "1;32" : (c.isUndecided || c == .upgradePath ? "1;33" : "1;31")
            } else {
                return code
            }
            return "\u{1B}[\(sgr)m\(code)\u{1B}[0m"
        }

        func bold(_ text: String) -> String { colour ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
    }

    public var style: Style

    public init(style: Style = Style(colour: false)) { self.style = style }

    public func lines(_ r: AnalysisReport) -> [String] {
        var out: [String] = []
        let meaning = VerdictCode(rawValue: r.verdict)?.meaning ?? BootVerdictCode(rawValue: r.verdict)?.meaning
        out.append("\(style.bold(r.file)): \(style.code(r.verdict))" + (meaning.map { " (\($0))" } ?? ""))
        if r.phones.count > 1 {
            for p in r.phones { out.append("  phone \(p.mac): \(style.code(p.verdict))") }
        }
        var span = "\(r.capture.frames) frame\(r.capture.frames == 1 ? "" : "s")"
        if let start = r.capture.start, let end = r.capture.end {
            let seconds = CaptureTimestamp(rfc3339: start).flatMap { f in CaptureTimestamp(rfc3339: end).map { $0.seconds(since: f) } }
                ?? r.capture.seconds ?? 0
            span += ", \(Self.utc(start)) to \(Self.utc(end)) UTC (\(SOSWording.seconds(seconds)))"
        }
        out.append("  " + span)
        for note in r.notes { out += Self.wrap("note: " + note, indent: "  ") }

        for p in r.phones {
            out.append("")
            out.append("phone \(style.bold(p.mac)): \(style.code(p.verdict))")
            var who: [String] = []
            if let v = p.model { who.append("Cisco IP Phone \(v)") }
            if let v = p.product { who.append(v) }
            if let v = p.load { who.append("load \(v)") }
            if let v = p.serial { who.append("serial \(v)") }
            if let v = p.ip { who.append("ip \(v)" + (p.addresses.count > 1 ? " (before: \(p.addresses.dropLast().joined(separator: ", ")))" : "")) }
            if let v = p.loaderVersion { who.append("loader \(v)") }
            if let v = p.hardwareVersion { who.append("hardware \(v)") }
            if let v = p.gateway { who.append("gateway \(v)") }
            if !who.isEmpty { out.append("  " + who.joined(separator: ", ")) }
            out += Self.wrap(p.explanation, indent: "  ")
            if !p.timeline.isEmpty || p.cycles.isEmpty {
                out.append("  timeline:")
                out += timelineLines(p.timeline)
            }
            if !p.cycles.isEmpty {
                out.append("  cycles:")
                out += cycleLines(p.cycles)
            }
            if let t = p.transfer {
                var words = "  download: \(TransferTable.printable(t.file)), \(t.bytes) bytes"
                if t.dataNotCaptured {
                    words = "  download: \(TransferTable.printable(t.file)), DATA not in the capture (the phone acknowledged \(t.acknowledgedThrough) blocks)"
                }
                if let size = t.size, size != t.bytes { words += " of \(size)" }
                words += ", \(t.outcome)"
                if let sha = t.sha256 { words += ", sha256 \(sha)" }
                out.append(words)
            }
            if let image = p.image {
                out += Self.wrap("image \(image.version ?? "of unreadable version"): the loader \(image.loaderText); catalog: \(image.catalogText)", indent: "  ")
            }
            out.append("  findings:")
            for f in p.findings { out += findingLines(f) }
            for note in p.notes { out += Self.wrap("note: " + note, indent: "  ") }
            out += Self.wrap("next step: " + p.nextStep, indent: "  ")
        }

        if !r.findings.isEmpty {
            out.append("")
            out.append(r.phones.isEmpty ? "S.O.S. messages, no phone seen:" : "S.O.S. messages no phone in the capture can be tied to:")
            if !r.timeline.isEmpty {
                out.append("  timeline:")
                out += timelineLines(r.timeline)
            }
            out.append("  findings:")
            for f in r.findings { out += findingLines(f) }
        }
        if r.phones.isEmpty {
            out.append("")
            out += Self.wrap("next step: " + r.nextStep, indent: "")
        }
        return out
    }

    func findingLines(_ f: FindingRecord) -> [String] {
        let frames = f.frames.isEmpty ? "" : " (frame\(f.frames.count == 1 ? "" : "s") \(f.frames.map(String.init).joined(separator: ", ")))"
        let kind = f.warning ? "warning " : ""
        var lines = Self.wrap("\(kind)\(style.code(f.code))\(frames): \(f.explanation)", indent: "    ", hanging: "      ")
        if let caveat = f.caveat { lines += Self.wrap("caveat: " + caveat, indent: "      ") }
        return lines
    }

    /// A 79xx phone's boots as a short table, each with the files it asked for below it.
    func cycleLines(_ cycles: [CycleRecord]) -> [String] {
        var rows: [[String]] = [["#", "frame", "time", "started by", "load", "DHCP", "TFTP server", "registration"]]
        for c in cycles {
            let clock = String(Self.utc(c.time).split(separator: " ").last ?? "")
            rows.append([String(c.number), String(c.frame), clock, c.startedBy, c.runningLoad ?? "-", c.dhcp, c.tftpServer ?? "-",
                         c.registration ?? "-"])
        }
        var widths = [Int](repeating: 0, count: 8)
        for r in rows {
            for (i, cell) in r.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        var out: [String] = []
        for (i, r) in rows.enumerated() {
            var line = "    "
            for (j, cell) in r.enumerated() {
                line += j == r.count - 1 ? cell : cell.padding(toLength: widths[j] + 2, withPad: " ", startingAt: 0)
            }
            out.append(line)
            guard i > 0 else { continue }
            let c = cycles[i - 1]
            let files = c.files.map { "\(TransferTable.printable($0.name)) \($0.outcome)" }
            if !files.isEmpty { out += Self.wrap("files: " + files.joined(separator: ", "), indent: "      ", hanging: "        ") }
            if let load = c.configLoad {
                var words = "configuration names \(load)"
                if let parts = c.loadParts {
                    let loads = c.loadsFile.map(TransferTable.printable) ?? "the .loads"
                    words += "; \(loads) lists \(parts.map(TransferTable.printable).joined(separator: ", "))"
                }
                out += Self.wrap(words, indent: "      ", hanging: "        ")
            }
        }
        return out
    }

    func timelineLines(_ lines: [TimelineRecord]) -> [String] {
        var out: [String] = []
        var previous: CaptureTimestamp?
        let rows = lines.map { l -> (String, String, String, String, String) in
            let frames = l.lastFrame.map { $0 != l.frame ? "\(l.frame)-\($0)" : "\(l.frame)" } ?? "\(l.frame)"
            let time = CaptureTimestamp(rfc3339: l.time)
            let clock = String(Self.utc(l.time).split(separator: " ").last ?? "")
            let delta = previous.flatMap { p in time.map { "+" + TransferTable.fixed(max(0, $0.seconds(since: p)), 3) } } ?? ""
            previous = time
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

    /// An RFC 3339 time as `CaptureTimestamp.utcText` writes it: `2026-11-21 12:24:22.123456`.
    static func utc(_ rfc3339: String) -> String {
        var text = rfc3339
        if text.hasSuffix("Z") { text.removeLast() }
        if let t = text.firstIndex(of: "T") { text.replaceSubrange(t...t, with: " ") }
        return text
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
