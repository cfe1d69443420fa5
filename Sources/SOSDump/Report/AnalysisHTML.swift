/// The HTML form of `sosdump analyze` (`--format html`): one page, whole in
/// itself — no script, no font, no style sheet or image from elsewhere (its
/// Content-Security-Policy forbids any fetch) — that reads without
/// JavaScript and prints (print CSS). Per capture: the verdict, its span
/// and comments; per phone: who it is, its verdict, the cause and the next
/// step, a lane chart of who spoke when, each download's blocks against
/// time, the image checks, the findings with their frames, the timeline.
///
/// A renderer over `AnalysisReport`'s records alone, as `AnalysisText` is:
/// it arranges them and draws them (inline SVG), and decides nothing; every
/// word is the records' (made by the diagnosis's wording) or
/// `ReportWording`'s, the words the text report uses. Everything taken
/// from the capture is escaped (`escape`). A phone of another family shows
/// the same parts, and its own records (79xx boot cycles) get a section of
/// their own beside the downloads (`familySections`).
public struct AnalysisHTML: Sendable {
    public init() {}

    /// The page for one or more captures.
    public func document(_ reports: [AnalysisReport]) -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"sosdump\">\n"
        let title = reports.map { "\($0.file): \($0.verdict)" }.joined(separator: "; ")
        out += "<title>sosdump: \(Self.escape(title))</title>\n<style>\n\(Self.style)</style>\n</head>\n<body>\n"
        for (i, r) in reports.enumerated() { out += capture(r, id: "c\(i + 1)") }
        out += "</body>\n</html>"
        return out
    }

    // MARK: A capture

    func capture(_ r: AnalysisReport, id: String) -> String {
        var out = "<article class=\"capture\" id=\"\(id)\">\n<header>\n"
        out += "<h1 class=\"file\">\(Self.escape(r.file))</h1>\n"
        out += "<p class=\"verdict \(Self.tone(r.verdict))\" data-verdict=\"\(Self.escape(r.verdict))\"><span class=\"code\">\(Self.escape(r.verdict))</span>"
        if let meaning = ReportWording.meaning(r.verdict) { out += " <span class=\"meaning\">\(Self.escape(meaning))</span>" }
        out += "</p>\n"
        // One phone: its section says it all; else the capture's own sentence (the worst phone's, or the messages').
        if r.phones.count != 1 { out += "<p class=\"explanation\">\(Self.escape(r.explanation))</p>\n" }
        if r.phones.isEmpty { out += nextStep(r.nextStep) }
        out += "<p class=\"span\">\(Self.escape(ReportWording.span(r.capture)))</p>\n"
        if r.phones.count > 1 {
            out += "<ul class=\"phone-list\">\n"
            for (n, p) in r.phones.enumerated() {
                out += "<li><a href=\"#\(id)-p\(n + 1)\">\(ReportWording.phone) \(Self.escape(p.mac))</a>: "
                out += "<span class=\"code \(Self.tone(p.verdict))\">\(Self.escape(p.verdict))</span></li>\n"
            }
            out += "</ul>\n"
        }
        for comment in r.capture.comments { out += "<blockquote class=\"comment\">\(Self.escape(comment))</blockquote>\n" }
        for c in r.capture.frameComments {
            out += "<blockquote class=\"comment\"><span class=\"label\">\(ReportWording.comment) on frame \(c.frame):</span> \(Self.escape(c.text))</blockquote>\n"
        }
        out += notes(r.notes)
        out += "</header>\n"
        let start = r.capture.start.flatMap(CaptureTimestamp.init(rfc3339:))
        let length = r.capture.start.flatMap { s in r.capture.end.map { (s, $0) } }.flatMap { s, e in
            CaptureTimestamp(rfc3339: s).flatMap { f in CaptureTimestamp(rfc3339: e).map { $0.seconds(since: f) } }
        } ?? r.capture.seconds ?? 0
        for (n, p) in r.phones.enumerated() { out += phone(p, id: "\(id)-p\(n + 1)", start: start, length: length) }
        if !r.findings.isEmpty {
            out += "<section class=\"unattributed\" id=\"\(id)-messages\">\n<h2>\(Self.escape(ReportWording.unattributed(noPhones: r.phones.isEmpty)))</h2>\n"
            out += "<h3>\(ReportWording.findings)</h3>\n" + findings(r.findings)
            if !r.timeline.isEmpty { out += "<h3>\(ReportWording.timeline)</h3>\n" + timeline(r.timeline) }
            out += "</section>\n"
        }
        out += "</article>\n"
        return out
    }

    // MARK: A phone

    func phone(_ p: PhoneRecord, id: String, start: CaptureTimestamp?, length: Double) -> String {
        var out = "<section class=\"phone\" id=\"\(id)\" data-mac=\"\(Self.escape(p.mac))\" data-family=\"\(Self.escape(p.family))\">\n"
        out += "<h2>\(ReportWording.phone) <span class=\"mac\">\(Self.escape(p.mac))</span>: "
        out += "<span class=\"code verdict \(Self.tone(p.verdict))\" data-verdict=\"\(Self.escape(p.verdict))\">\(Self.escape(p.verdict))</span></h2>\n"
        let who = ReportWording.identity(p)
        if !who.isEmpty { out += "<p class=\"identity\">\(Self.escape(who.joined(separator: ", ")))</p>\n" }
        out += "<p class=\"explanation\">\(Self.escape(p.explanation))</p>\n"
        out += nextStep(p.nextStep)
        if let start, !p.timeline.isEmpty {
            out += "<figure class=\"lanes\">\n<figcaption>\(ReportWording.laneChart)</figcaption>\n"
            out += LaneChart(phone: p, start: start, length: length).svg
            out += "</figure>\n"
        }
        out += familySections(p)
        out += "<h3>\(ReportWording.findings)</h3>\n" + findings(p.findings)
        out += notes(p.notes)
        out += "<h3>\(ReportWording.timeline)</h3>\n" + timeline(p.timeline)
        out += "</section>\n"
        return out
    }

    /// What a phone's family records besides the common parts: for an SPA
    /// phone (and any phone with downloads), each download with its chart,
    /// then the image checks. A family with records of its own (the 79xx
    /// boot cycles) adds its case here.
    func familySections(_ p: PhoneRecord) -> String {
        var out = ""
        if !p.downloads.isEmpty {
            out += "<h3>\(ReportWording.download)</h3>\n"
            for d in p.downloads {
                out += "<figure class=\"transfer\" data-transfer=\"\(d.number)\">\n"
                out += "<figcaption>\(Self.escape(ReportWording.transferTitle(d))): \(Self.escape(ReportWording.download(d)))</figcaption>\n"
                out += TransferChart(download: d).svg
                out += "</figure>\n"
            }
        }
        if let image = p.image { out += "<p class=\"image\">\(Self.escape(ReportWording.image(image)))</p>\n" }
        if !p.cycles.isEmpty { out += cycles(p) }
        return out
    }

    /// A 79xx phone's boots: side by side in time, then as the text report's table.
    func cycles(_ p: PhoneRecord) -> String {
        var out = "<h3>\(ReportWording.cycles)</h3>\n"
        out += "<figure class=\"cycles\">\n<figcaption>\(ReportWording.cycleChart)</figcaption>\n" + CycleChart(phone: p).svg + "</figure>\n"
        out += "<table class=\"cycles\">\n<thead><tr>" + ReportWording.cycleColumns.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for c in p.cycles {
            let clock = String(ReportWording.utc(c.time).split(separator: " ").last ?? "")
            let cells = [String(c.number), String(c.frame), clock, c.startedBy, c.runningLoad ?? "-", c.dhcp, c.tftpServer ?? "-", c.registration ?? "-"]
            out += "<tr class=\"cycle\" data-cycle=\"\(c.number)\">" + cells.map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>\n"
            if !c.files.isEmpty {
                let files = c.files.map { "\($0.name) \($0.outcome)" }.joined(separator: ", ")
                out += "<tr class=\"cycle-files\"><td></td><td colspan=\"7\">\(ReportWording.cycleFiles): \(Self.escape(files))</td></tr>\n"
            }
        }
        return out + "</tbody>\n</table>\n"
    }

    // MARK: Parts

    func nextStep(_ text: String) -> String {
        "<p class=\"next-step\"><strong>\(ReportWording.nextStep):</strong> \(Self.escape(text))</p>\n"
    }

    func notes(_ notes: [String]) -> String {
        guard !notes.isEmpty else { return "" }
        return "<ul class=\"notes\">\n" + notes.map { "<li><span class=\"label\">\(ReportWording.note):</span> \(Self.escape($0))</li>\n" }.joined() + "</ul>\n"
    }

    func findings(_ findings: [FindingRecord]) -> String {
        var out = "<ul class=\"findings\">\n"
        for f in findings {
            out += "<li class=\"finding \(f.warning ? "warning" : Self.tone(f.code))\" data-code=\"\(Self.escape(f.code))\">"
            if f.warning { out += "\(ReportWording.warning) " }
            out += "<span class=\"code\">\(Self.escape(f.code))</span>\(Self.escape(ReportWording.frames(f.frames))): \(Self.escape(f.explanation))"
            if let caveat = f.caveat { out += "<p class=\"caveat\">\(ReportWording.caveat): \(Self.escape(caveat))</p>" }
            if !f.evidence.isEmpty {
                out += "\n<table class=\"evidence\"><tbody>\n"
                for e in f.evidence {
                    let clock = String(ReportWording.utc(e.time).split(separator: " ").last ?? "")
                    out += "<tr><td class=\"frame\">\(e.frame)</td><td class=\"clock\">\(Self.escape(clock))</td><td>\(Self.escape(e.what))</td></tr>\n"
                }
                out += "</tbody></table>\n"
            }
            out += "</li>\n"
        }
        return out + "</ul>\n"
    }

    func timeline(_ lines: [TimelineRecord]) -> String {
        var out = "<table class=\"timeline\">\n<thead><tr>"
        out += ReportWording.timelineColumns.map { "<th>\($0)</th>" }.joined()
        out += "</tr></thead>\n<tbody>\n"
        for r in ReportWording.timelineRows(lines) {
            out += "<tr class=\"actor-\(Self.escape(r.actor))\"><td class=\"frame\">\(r.frames)</td><td class=\"clock\">\(Self.escape(r.clock))</td>"
            out += "<td class=\"delta\">\(r.delta)</td><td class=\"actor\">\(Self.escape(r.actor))</td><td>\(Self.escape(r.text))"
            for comment in r.comments { out += "<div class=\"comment\"><span class=\"label\">\(ReportWording.comment):</span> \(Self.escape(comment))</div>" }
            out += "</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    /// The class of a verdict code's colour: as the text report colours it.
    static func tone(_ code: String) -> String {
        guard let c = VerdictCode(rawValue: code) else { return "undecided" }
        return c.isSuccess ? "success" : (c.isWarning || c.isUndecided ? "undecided" : "failure")
    }

    /// Text made safe for HTML content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            // Control characters other than tab and newline are not allowed in HTML text.
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{7F}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static let style = """
        :root { --ok: #1a7f37; --bad: #c62828; --maybe: #9a6700; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0;
                --utility: #8250df; --phone: #0969da; --network: #1a7f37; --sosdump: #59636e; }
        body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--ink); margin: 2em auto; max-width: 60em; padding: 0 1em; }
        h1 { font-size: 1.3em; margin: 0 0 .3em; word-break: break-all; }
        h2 { font-size: 1.15em; margin: 1.6em 0 .4em; border-bottom: 1px solid var(--line); padding-bottom: .2em; }
        h3 { font-size: 1em; margin: 1.2em 0 .3em; text-transform: capitalize; }
        .code, .mac, .frame, .clock, .delta, .span { font-family: "DejaVu Sans Mono", ui-monospace, monospace; }
        .verdict { font-size: 1.2em; margin: .2em 0; }
        .verdict .code, h2 .code { font-weight: bold; }
        .success { color: var(--ok); } .failure { color: var(--bad); } .undecided, .warning { color: var(--maybe); }
        .finding { color: var(--ink); } .finding > .code { font-weight: bold; }
        .finding.success > .code { color: var(--ok); } .finding.failure > .code { color: var(--bad); }
        .finding.undecided > .code, .finding.warning > .code { color: var(--maybe); }
        .explanation { margin: .3em 0; }
        .next-step { background: #f6f8fa; border-left: 4px solid var(--phone); padding: .4em .8em; }
        .span, .identity, .image { color: var(--muted); }
        .comment { margin: .3em 0; padding: .2em .8em; border-left: 3px solid var(--line); color: var(--muted); white-space: pre-wrap; }
        .label { font-weight: 600; }
        ul.findings { padding-left: 1.2em; } ul.findings li { margin: .4em 0; }
        table { border-collapse: collapse; font-size: .9em; }
        table.evidence { margin: .2em 0 .4em; color: var(--muted); }
        table.evidence td { padding: 0 .8em 0 0; vertical-align: top; }
        table.timeline { width: 100%; }
        table.timeline th { text-align: left; border-bottom: 1px solid var(--line); font-weight: 600; }
        table.timeline td { padding: .1em .6em .1em 0; vertical-align: top; border-bottom: 1px solid #eef1f4; }
        td.frame, td.delta { text-align: right; white-space: nowrap; } td.clock { white-space: nowrap; }
        tr.actor-utility td.actor { color: var(--utility); } tr.actor-phone td.actor { color: var(--phone); }
        tr.actor-network td.actor { color: var(--network); } tr.actor-sosdump td.actor { color: var(--sosdump); font-style: italic; }
        figure { margin: 1em 0; break-inside: avoid; }
        figcaption { font-weight: 600; margin-bottom: .2em; overflow-wrap: anywhere; }
        svg.chart { width: 100%; height: auto; max-width: 760px; display: block; }
        svg text { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: var(--ink); }
        svg .axis line { stroke: var(--ink); } svg .axis line.grid-line { stroke: #e6eaef; }
        svg .progress { fill: none; stroke: var(--phone); stroke-width: 1.5; }
        svg .acknowledged { fill: none; stroke: var(--utility); stroke-width: 1.5; stroke-dasharray: 4 3; }
        svg .retransmission { fill: none; stroke: var(--bad); } svg .out-of-order { fill: var(--maybe); }
        svg .repeated-ack { stroke: var(--utility); } svg .gap { fill: #ffd8d3; } svg .gap.acknowledged { fill: #fff1c2; }
        svg .final { fill: var(--ok); } svg .stall { stroke: var(--bad); stroke-dasharray: 4 3; } svg .stall-mark { fill: var(--bad); }
        svg rect.cycle { fill: var(--phone); opacity: 0.35; } svg .cycle-label { font-size: 11px; } svg .lane-utility { fill: var(--utility); } svg .lane-phone { fill: var(--phone); } svg .lane-network { fill: var(--network); }
        svg .lane-sosdump { fill: var(--sosdump); } svg .stripe { fill: #f6f8fa; }
        svg .period-silence { fill: #d0d7de; } svg .period-reset-window { fill: #fb8c0022; stroke: #fb8c00; stroke-dasharray: 3 2; }
        ul.legend { list-style: none; padding: 0; margin: .2em 0; font-size: .85em; color: var(--muted); }
        ul.legend li { display: inline-block; margin-right: 1.2em; }
        ul.legend svg { vertical-align: middle; margin-right: .3em; }
        @media print {
          body { font-size: 10pt; margin: 0; max-width: none; }
          * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
          article.capture + article.capture { break-before: page; }
          section.phone { break-before: auto; } h2, h3 { break-after: avoid; }
          tr, li { break-inside: avoid; } a { color: inherit; text-decoration: none; }
          .next-step { background: none; }
        }

        """
}
