/// The text form of `sosdump analyze`: a header line with the verdict, then
/// each phone's identity, timeline, download, findings and next step. A
/// renderer over `AnalysisReport`'s records alone (a report read back from
/// its JSON renders the same); it decides nothing. Every string of a record
/// goes through `TerminalText.escaped` (`e`) before it is placed; only the
/// style's own colour codes reach the terminal as escapes.
public struct AnalysisText: Sendable {
    /// ANSI colours for the verdict codes, or none.
    public struct Style: Sendable {
        public var colour: Bool
        public init(colour: Bool) { self.colour = colour }

        func code(_ code: String) -> String {
            guard colour else { return TerminalText.escaped(code) }
            let sgr: String
            if let c = VerdictCode(rawValue: code) {
                sgr = c.isSuccess ? "1;32" : (c.isWarning || c.isUndecided ? "1;33" : "1;31")
            } else if let c = BootVerdictCode(rawValue: code) {
                sgr = c.isSuccess ? "1;32" : (c.isUndecided || c == .upgradePath ? "1;33" : "1;31")
            } else {
                return TerminalText.escaped(code)
            }
            return "\u{1B}[\(sgr)m\(code)\u{1B}[0m"
        }

        func bold(_ text: String) -> String { colour ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
    }

    public var style: Style

    public init(style: Style = Style(colour: false)) { self.style = style }

    public func lines(_ r: AnalysisReport) -> [String] {
        var out: [String] = []
        out.append("\(style.bold(e(r.file))): \(style.code(r.verdict))" + (ReportWording.meaning(r.verdict).map { " (\($0))" } ?? ""))
        if r.phones.count > 1 {
            for p in r.phones { out.append("  \(ReportWording.phone) \(e(p.mac)): \(style.code(p.verdict))") }
        }
        out.append(e("  " + ReportWording.span(r.capture)))
        // A comment's own lines stay lines (each escaped and wrapped).
        for comment in r.capture.comments {
            for (i, line) in comment.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                out += Self.wrap((i == 0 ? "\(ReportWording.comment): " : "  ") + e(String(line)), indent: "  ", hanging: "    ")
            }
        }
        for c in r.capture.frameComments { out += Self.wrap("\(ReportWording.comment) on frame \(c.frame): " + e(c.text), indent: "  ") }
        for note in r.notes { out += Self.wrap("\(ReportWording.note): " + e(note), indent: "  ") }

        for p in r.phones {
            out.append("")
            out.append("\(ReportWording.phone) \(style.bold(e(p.mac))): \(style.code(p.verdict))")
            let who = ReportWording.identity(p)
            if !who.isEmpty { out.append(e("  " + who.joined(separator: ", "))) }
            out += Self.wrap(e(p.explanation), indent: "  ")
            if !p.timeline.isEmpty || p.cycles.isEmpty {
                out.append("  \(ReportWording.timeline):")
                out += timelineLines(p.timeline)
            }
            if !p.cycles.isEmpty {
                out.append("  \(ReportWording.cycles):")
                out += cycleLines(p.cycles)
            }
            if let t = p.transfer { out.append(e("  \(ReportWording.download): " + ReportWording.download(t))) }
            if let image = p.image { out += Self.wrap(e(ReportWording.image(image)), indent: "  ") }
            out.append("  \(ReportWording.findings):")
            for f in p.findings { out += findingLines(f) }
            for note in p.notes { out += Self.wrap("\(ReportWording.note): " + e(note), indent: "  ") }
            out += Self.wrap("\(ReportWording.nextStep): " + e(p.nextStep), indent: "  ")
        }

        if !r.findings.isEmpty {
            out.append("")
            out.append(ReportWording.unattributed(noPhones: r.phones.isEmpty) + ":")
            if !r.timeline.isEmpty {
                out.append("  \(ReportWording.timeline):")
                out += timelineLines(r.timeline)
            }
            out.append("  \(ReportWording.findings):")
            for f in r.findings { out += findingLines(f) }
        }
        if r.phones.isEmpty {
            out.append("")
            out += Self.wrap("\(ReportWording.nextStep): " + e(r.nextStep), indent: "")
        }
        return out
    }

    func findingLines(_ f: FindingRecord) -> [String] {
        let kind = f.warning ? ReportWording.warning + " " : ""
        var lines = Self.wrap("\(kind)\(style.code(f.code))\(ReportWording.frames(f.frames)): \(e(f.explanation))", indent: "    ", hanging: "      ")
        if let caveat = f.caveat { lines += Self.wrap("\(ReportWording.caveat): " + e(caveat), indent: "      ") }
        return lines
    }

    /// A 79xx phone's boots as a short table, each with the files it asked for below it.
    func cycleLines(_ cycles: [CycleRecord]) -> [String] {
        var rows: [[String]] = [ReportWording.cycleColumns]
        for c in cycles {
            let clock = String(ReportWording.utc(c.time).split(separator: " ").last ?? "")
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
            out.append(e(line))
            guard i > 0 else { continue }
            let c = cycles[i - 1]
            let files = c.files.map { "\($0.name) \($0.outcome)" }
            if !files.isEmpty { out += Self.wrap("\(ReportWording.cycleFiles): " + e(files.joined(separator: ", ")), indent: "      ", hanging: "        ") }
            if let load = c.configLoad {
                var words = "configuration names \(load)"
                if let parts = c.loadParts {
                    let loads = c.loadsFile ?? "the .loads"
                    words += "; \(loads) lists \(parts.joined(separator: ", "))"
                }
                out += Self.wrap(e(words), indent: "      ", hanging: "        ")
            }
        }
        return out
    }

    func timelineLines(_ lines: [TimelineRecord]) -> [String] {
        let rows = ReportWording.timelineRows(lines)
        let w0 = rows.map(\.frames.count).max() ?? 0, w1 = rows.map(\.clock.count).max() ?? 0, w2 = rows.map(\.delta.count).max() ?? 0
        var out: [String] = []
        for r in rows {
            let head = "    " + r.frames.padding(toLength: w0 + 2, withPad: " ", startingAt: 0) + r.clock.padding(toLength: w1 + 2, withPad: " ", startingAt: 0)
                + String(repeating: " ", count: w2 - r.delta.count) + r.delta + "  " + r.actor.padding(toLength: 9, withPad: " ", startingAt: 0)
            out.append(e(head + r.text))
            for comment in r.comments { out += Self.wrap("\(ReportWording.comment): " + e(comment), indent: String(repeating: " ", count: head.count)) }
        }
        return out
    }

    private func e(_ text: String) -> String { TerminalText.escaped(text) }

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
