import Foundation
import Testing
@testable import SOSDump

/// The HTML report in a real browser: headless Chromium (Debian's
/// `chromium`, which scripts/install-deps installs) renders the report of
/// every corpus capture, and the DOM it built holds, capture by capture,
/// what `analyze --format json` says: the verdict, each phone with its
/// verdict, one chart per download, a lane chart per phone, every finding;
/// and nothing that would fetch anything. A missing browser is a failure,
/// never a skip.
@Suite(.serialized) struct HTMLReportBrowserTests {
    static let chromium = URL(fileURLWithPath: "/usr/bin/chromium")

    /// Chromium's arguments: headless, as root (no sandbox), its own profile, nothing from the network.
    static func browser(_ arguments: [String], profile: String) throws -> CommandRunner.Result {
        #expect(FileManager.default.isExecutableFile(atPath: chromium.path), "chromium is not installed: scripts/install-deps installs it")
        return try CommandRunner.run(chromium.path, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                                                "--hide-scrollbars", "--user-data-dir=\(profile)", "--host-resolver-rules=MAP * ~NOTFOUND"]
                                                + arguments)
    }

    /// The groups of captures the corpus has (captures/boot once 79xx captures exist).
    static var groups: [String] {
        ["sos", "boot"].filter { FileManager.default.fileExists(atPath: CaptureCorpus.path($0, "")) && !CaptureCorpus.captures(in: $0).isEmpty }
    }

    /// The runs of `analyze` the corpus needs: the captures without a catalog of their own together (one page), each with one alone.
    static func runs(_ group: String) -> [(files: [String], catalog: [String])] {
        let captures = CaptureCorpus.captures(in: group)
        func catalog(_ capture: String) -> String? {
            let path = CaptureCorpus.path(group, (capture as NSString).deletingPathExtension + ".catalog.json")
            return FileManager.default.fileExists(atPath: path) ? path : nil
        }
        var runs = [(files: captures.filter { catalog($0) == nil }.map { CaptureCorpus.path(group, $0) }, catalog: [String]())]
        for c in captures { if let own = catalog(c) { runs.append(([CaptureCorpus.path(group, c)], ["--catalog", own])) } }
        return runs
    }

    @Test func everyCorpusReportRendersInChromium() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var rendered = 0
        #expect(Self.groups.contains("sos"))
        for group in Self.groups {
            for (n, run) in Self.runs(group).enumerated() {
                let html = try CommandRunner.sosdump(["analyze", "--format", "html"] + run.catalog + run.files)
                let json = try CommandRunner.sosdump(["analyze", "--format", "json"] + run.catalog + run.files)
                let reports = try json.standardOutput.split(separator: "\n").map { try JSONDecoder.report.decode(AnalysisReport.self, from: Data($0.utf8)) }
                #expect(reports.count == run.files.count)
                // As analyze's exit status says: 1 when a capture is damaged (its page is still written).
                let damaged = reports.contains { $0.capture.damage != nil }
                #expect(html.status == (damaged ? 1 : 0) && html.status == json.status, "\(html.standardError)")
                let page = "\(dir)/\(group)-\(n).html"
                try html.standardOutput.write(toFile: page, atomically: true, encoding: .utf8)
                let dom = try Self.browser(["--dump-dom", "file://\(page)"], profile: "\(dir)/profile")
                #expect(dom.status == 0, "\(dom.standardError)")
                let articles = Self.elements(dom.standardOutput, opening: "<article class=\"capture\"", closing: "</article>")
                #expect(articles.count == reports.count, "\(group) run \(n): \(articles.count) captures on the page, \(reports.count) analysed")
                for (article, report) in zip(articles, reports) {
                    check(article, against: report)
                    rendered += 1
                }
                for tag in ["<script", "<link", "<img", "<iframe", "<object", "<embed", "url(", "http:", "https:"] {
                    #expect(!dom.standardOutput.contains(tag), "\(group) run \(n): the page holds \(tag)")
                }
                #expect(dom.standardOutput.contains("Content-Security-Policy"))
            }
        }
        #expect(rendered == Self.groups.map { CaptureCorpus.captures(in: $0).count }.reduce(0, +))
    }

    /// One capture's part of the page against its JSON report.
    func check(_ article: String, against r: AnalysisReport) {
        let name = (r.file as NSString).lastPathComponent
        #expect(article.contains("<h1 class=\"file\">\(AnalysisHTML.escape(r.file))</h1>"), "\(name)")
        #expect(Self.values(article, of: "data-verdict").first == r.verdict, "\(name): the page's verdict")
        let phones = Self.elements(article, opening: "<section class=\"phone\"", closing: "</section>")
        #expect(phones.count == r.phones.count, "\(name): phones")
        for (section, p) in zip(phones, r.phones) {
            #expect(Self.values(section, of: "data-mac").first == p.mac, "\(name)")
            #expect(Self.values(section, of: "data-verdict").first == p.verdict, "\(name): \(p.mac)'s verdict")
            #expect(Self.count(section, "class=\"chart transfer-chart\"") == p.downloads.count, "\(name): one chart per download of \(p.mac)")
            #expect(Self.values(section, of: "data-transfer") == p.downloads.map { String($0.number) }, "\(name)")
            #expect(Self.count(section, "class=\"chart lane-chart\"") == (p.timeline.isEmpty ? 0 : 1), "\(name): \(p.mac)'s lanes")
            #expect(Self.values(section, of: "data-code") == p.findings.map(\.code), "\(name): \(p.mac)'s findings")
            #expect(Self.count(section, "<tr class=\"actor-") == p.timeline.count, "\(name): \(p.mac)'s timeline")
            // The lane chart draws a bar per timeline line, and a band per period.
            #expect(Self.count(section, "<rect class=\"lane-") == p.timeline.count, "\(name)")
            #expect(Self.count(section, "<rect class=\"period ") == p.periods.count, "\(name)")
            for d in p.downloads {
                #expect(section.contains("class=\"final-block\"") || d.trace.finalBlock == nil, "\(name)")
                if d.trace.stall != nil { #expect(section.contains("class=\"stall-point\""), "\(name)") }
            }
        }
        #expect(Self.values(article, of: "data-code").count == r.phones.map(\.findings.count).reduce(0, +) + r.findings.count, "\(name)")
    }

    /// A report's picture: what docs/report.png shows (scripts/update-screenshot makes that one).
    @Test func aReportTakesAScreenshot() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let html = try CommandRunner.sosdump(["analyze", "--format", "html", CaptureCorpus.path("sos", "transfer-stalled.pcap")])
        try html.standardOutput.write(toFile: "\(dir)/report.html", atomically: true, encoding: .utf8)
        let shot = try Self.browser(["--screenshot=\(dir)/report.png", "--window-size=1000,1600", "file://\(dir)/report.html"], profile: "\(dir)/profile")
        #expect(shot.status == 0, "\(shot.standardError)")
        let png = try #require(FileManager.default.contents(atPath: "\(dir)/report.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // IHDR: width and height, big-endian, at bytes 16 and 20.
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 1000 && height == 1600)
        // Charts and text, not a blank page (a blank one compresses to a few KB).
        #expect(png.count > 50_000)
        #expect(FileManager.default.fileExists(atPath: CaptureCorpus.root.deletingLastPathComponent().appendingPathComponent("docs/report.png").path))
    }

    // MARK: Reading the DOM

    /// Each element that opens with `opening`, up to its closing tag (these do not nest).
    static func elements(_ dom: String, opening: String, closing: String) -> [String] {
        dom.components(separatedBy: opening).dropFirst().map { opening + ($0.components(separatedBy: closing).first ?? "") }
    }

    static func values(_ dom: String, of attribute: String) -> [String] {
        dom.components(separatedBy: " \(attribute)=\"").dropFirst().compactMap { $0.split(separator: "\"", maxSplits: 1).first.map(String.init) }
    }

    static func count(_ dom: String, _ text: String) -> Int { dom.components(separatedBy: text).count - 1 }
}

extension JSONDecoder {
    /// Reads the analysis JSON (snake_case keys).
    static var report: JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }
}
