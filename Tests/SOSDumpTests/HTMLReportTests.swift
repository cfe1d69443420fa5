import Foundation
import FoundationXML
import Testing
@testable import SOSDump

/// The HTML report without a browser (HTMLReportBrowserTests renders it in
/// one): what comes from the capture is escaped, the charts draw what the
/// records hold, a transfer's trace stays bounded, the capture's comments
/// reach the report; and `check --bless` and `--junit`.
@Suite struct HTMLReportTests {
    static func report(_ capture: String, comments: CaptureComments = CaptureComments()) throws -> AnalysisReport {
        let (conclusion, _) = CaptureAnalysis.analyze(try CaptureReader(path: CaptureCorpus.path("sos", capture)))
        var c = conclusion.comments
        c.capture += comments.capture
        for f in comments.frames { c.add(frame: f.frame, text: f.text) }
        return AnalysisReport(file: "captures/sos/\(capture)", analysis: conclusion.sos, comments: c)
    }

    /// A 79xx phone's boots: one bar in the chart and one row in the table
    /// per cycle its record holds, each with what the cycle record says.
    @Test func aBootLoopShowsItsCyclesSideBySide() throws {
        let (conclusion, _) = CaptureAnalysis.analyze(try CaptureReader(path: CaptureCorpus.path("boot", "boot-loop.pcap")))
        let report = AnalysisReport(file: "captures/boot/boot-loop.pcap", conclusion: conclusion)
        let phone = try #require(report.phones.first { $0.family == "79xx" })
        try #require(phone.cycles.count >= 2, "a boot loop has cycles")
        let page = AnalysisHTML().document([report])
        #expect(HTMLReportBrowserTests.count(page, "<rect class=\"cycle\"") == phone.cycles.count)
        #expect(HTMLReportBrowserTests.count(page, "<tr class=\"cycle\"") == phone.cycles.count)
        for c in phone.cycles {
            #expect(page.contains("data-cycle=\"\(c.number)\""))
            #expect(page.contains(AnalysisHTML.escape(ReportWording.cycleLabel(c))))
        }
    }

    @Test func everythingFromTheCaptureIsEscaped() throws {
        var comments = CaptureComments(capture: ["</blockquote><script>alert(1)</script>"])
        comments.add(frame: 1, text: "<img src=x onerror=alert(2)> & \"quoted\"")
        var r = try Self.report("recovered.pcap", comments: comments)
        r.file = "<b onmouseover='x'>evil.pcap"
        r.phones[0].product = "SPA<svg onload=alert(3)>"
        r.phones[0].timeline[0].text = "a\u{1}b <tag>"
        let page = AnalysisHTML().document([r])
        for raw in ["<script", "<img", "<b ", "<svg onload", "<tag>", "\u{1}"] { #expect(!page.contains(raw), "\(raw)") }
        #expect(page.contains("&lt;b onmouseover=&#39;x&#39;&gt;evil.pcap"))
        #expect(page.contains("&lt;/blockquote&gt;&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(page.contains("&lt;img src=x onerror=alert(2)&gt; &amp; &quot;quoted&quot;"))
        #expect(page.contains("a\u{FFFD}b &lt;tag&gt;"))
        // Nothing is fetched: no URL at all, and a policy that forbids it.
        #expect(!page.contains("http:") && !page.contains("https:") && !page.contains("url("))
        #expect(page.contains("default-src 'none'"))
    }

    @Test func theChartsDrawWhatTheRecordsHold() throws {
        var r = try Self.report("transfer-stalled.pcap")
        var d = try #require(r.phones.first?.downloads.first)
        #expect(d.trace.stall?.block == 60 && d.trace.finalBlock == nil && d.trace.repeatedAcks.count == 4)
        // The phone acknowledged every block it got: its ACK line ends where the DATA did.
        #expect(d.trace.acknowledged.last?.block == 60 && d.trace.progress.last?.block == 60)
        d.trace.retransmissions = [.init(frame: 20, seconds: 0.01, block: 5), .init(frame: 40, seconds: 0.02, block: 15)]
        d.trace.outOfOrder = [.init(frame: 41, seconds: 0.021, block: 14)]
        d.trace.gaps = [.init(firstBlock: 20, lastBlock: 22, offset: 9728, length: 1536, acknowledged: false, cutBySnapLength: false),
                        .init(firstBlock: 30, lastBlock: 30, offset: 14848, length: 512, acknowledged: true, cutBySnapLength: false)]
        r.phones[0].downloads = [d]
        let page = AnalysisHTML().document([r])
        #expect(HTMLReportBrowserTests.count(page, "<circle class=\"retransmission\"") == 2)
        #expect(page.contains("<title>frame 40: DATA sent again 15, 0.020 s</title>"))
        #expect(HTMLReportBrowserTests.count(page, "<path class=\"out-of-order\"") == 1)
        #expect(HTMLReportBrowserTests.count(page, "<path class=\"repeated-ack\"") == 4)
        #expect(HTMLReportBrowserTests.count(page, "<polyline class=\"acknowledged\"") == 1 && page.contains("blocks acknowledged</li>"))
        #expect(page.contains("<rect class=\"gap\" ") && page.contains("<title>blocks 20-22 not in the capture</title>"))
        #expect(page.contains("<rect class=\"gap acknowledged\" ") && page.contains("block 30 not in the capture (acknowledged: they got through)"))
        #expect(page.contains("class=\"stall-point\"") && page.contains(">stalled after block 60</text>"))
        // Axes labelled, numbers on them.
        #expect(page.contains(">seconds since the request</text>") && page.contains(">block</text>"))
        #expect(page.contains(">seconds since the capture&#39;s first frame</text>"))
        // The legend names only what is drawn.
        #expect(page.contains("DATA sent again</li>") && !page.contains("final block 0"))
    }

    @Test func theLanesShowTheResetWindowAndTheSilence() throws {
        let r = try Self.report("reset-during-write.pcap")
        let p = try #require(r.phones.first)
        #expect(p.periods.map(\.kind) == ["silence", "reset-window"])
        #expect(p.periods[1].seconds == 20)
        // The phone was heard 9 s after its download: inside the window.
        #expect(p.periods[0].seconds > 8.9 && p.periods[0].seconds < 9.1)
        let page = AnalysisHTML().document([r])
        #expect(page.contains("<rect class=\"period period-reset-window\""))
        #expect(page.contains("<rect class=\"period period-silence\""))
        // A rejected image is not written: no reset window.
        #expect(try Self.report("image-rejected.pcap").phones[0].periods.map(\.kind) == ["silence"])
    }

    @Test func aTraceStaysBounded() {
        var trace = TFTPBlockTrace()
        let t0 = CaptureTimestamp(seconds: 1000, nanoseconds: 0)
        for block in 1...10_000 {
            trace.newBlock(.init(frame: block, time: t0.adding(Double(block) / 100), block: block), isFinal: block == 10_000, outOfOrder: false)
        }
        for i in 0..<200 { trace.retransmitted(.init(frame: 20_000 + i, time: t0, block: 7)) }
        for block in 1...300 { trace.newHighestAck(.init(frame: 30_000 + block, time: t0, block: block)) }
        #expect(trace.acknowledged.count <= TFTPBlockTrace.maxProgressPoints && trace.lastAcknowledged?.block == 300)
        #expect(trace.progress.count <= TFTPBlockTrace.maxProgressPoints && trace.progress.count >= TFTPBlockTrace.maxProgressPoints / 2)
        #expect(trace.progress.first?.block == 1 && trace.lastProgress?.block == 10_000 && trace.finalBlock?.block == 10_000)
        // Spread evenly: every step between kept points is the same.
        let steps = Set(zip(trace.progress, trace.progress.dropFirst()).map { $1.block - $0.block })
        #expect(steps.count == 1)
        #expect(trace.retransmissions.count == TFTPBlockTrace.maxEventsPerKind && trace.eventsNotKept == 200 - TFTPBlockTrace.maxEventsPerKind)
    }

    // MARK: Comments

    @Test func theCapturesCommentsReachTheReport() throws {
        let path = CaptureCorpus.path("net", "secrets-comments.pcapng")
        let reader = try CaptureReader(path: path)
        var frames: [(Int, [String])] = []
        while let f = try reader.next() { if !f.comments.isEmpty { frames.append((f.number, f.comments)) } }
        #expect(reader.comments == ["sosdump test capture: udp-ipv4.pcap with a comment and a DSB added by editcap"])
        #expect(frames.map(\.0) == [1, 3] && frames[0].1 == ["first frame: ARP request from the phone"])

        let r = try CommandRunner.sosdump(["analyze", "--format", "json", path])
        let report = try JSONDecoder.report.decode(AnalysisReport.self, from: Data(r.standardOutput.utf8))
        #expect(report.capture.comments == reader.comments)
        #expect(report.capture.frameComments == [.init(frame: 1, text: "first frame: ARP request from the phone"), .init(frame: 3, text: "ICMP echo request")])
        let text = try CommandRunner.sosdump(["analyze", path]).standardOutput
        #expect(text.contains("\n  comment: sosdump test capture: udp-ipv4.pcap"))
        #expect(text.contains("\n  comment on frame 3: ICMP echo request"))
        let packets = try CommandRunner.sosdump(["packets", "--format", "json", path]).standardOutput.split(separator: "\n")
        #expect(packets.first?.contains(#""comments":["first frame: ARP request from the phone"]"#) == true)
        #expect(packets.dropFirst().first?.contains("comments") == false)
    }

    /// A comment on a frame of the timeline shows on its line, and nowhere else.
    @Test func aFrameCommentGoesToItsTimelineLine() throws {
        var comments = CaptureComments()
        comments.add(frame: 4, text: "the upgrade order")
        comments.add(frame: 3, text: "a frame no line shows")
        let r = try Self.report("recovered.pcap", comments: comments)
        let line = try #require(r.phones[0].timeline.first { $0.frame == 4 })
        #expect(line.comments == ["the upgrade order"])
        #expect(r.capture.frameComments == [.init(frame: 3, text: "a frame no line shows")])
        let text = AnalysisText().lines(r)
        let at = try #require(text.firstIndex { $0.contains("S.O.S. upgrade order") })
        #expect(text[at + 1].hasSuffix("comment: the upgrade order"))
        #expect(AnalysisHTML().document([r]).contains("<div class=\"comment\"><span class=\"label\">comment:</span> the upgrade order</div>"))
    }

    // MARK: check --bless, --junit

    @Test func blessWritesTheExpectationAndJUnitReportsTheRun() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["recovered.pcap", "no-gateway.pcap", "reverted.pcap"] {
            try FileManager.default.copyItem(atPath: CaptureCorpus.path("sos", name), toPath: "\(dir)/\(name)")
        }
        try FileManager.default.copyItem(atPath: CaptureCorpus.path("sos", "recovered.expected.json"), toPath: "\(dir)/recovered.expected.json")
        try #"{"verdict": "RECOVERED", "phones": []}"#.write(toFile: "\(dir)/reverted.expected.json", atomically: true, encoding: .utf8)

        let before = try CommandRunner.sosdump(["check", "--junit", "\(dir)/junit.xml", dir])
        #expect(before.status == 1)
        #expect(before.standardOutput.contains("FAIL  no-gateway.pcap: no expectation (no-gateway.expected.json is missing)"))
        #expect(before.standardOutput.contains("3 captures: 1 match, 2 do not"))
        let xml = try XMLDocument(contentsOf: URL(fileURLWithPath: "\(dir)/junit.xml"))
        let suite = try #require(try xml.nodes(forXPath: "/testsuites/testsuite").first as? XMLElement)
        #expect(suite.attribute(forName: "tests")?.stringValue == "3" && suite.attribute(forName: "failures")?.stringValue == "2")
        let failures = try xml.nodes(forXPath: "//testcase[failure]/@name").compactMap(\.stringValue)
        #expect(failures.sorted() == ["no-gateway.pcap", "reverted.pcap"])
        let reverted = try xml.nodes(forXPath: "//testcase[@name='reverted.pcap']/failure").first?.stringValue ?? ""
        #expect(reverted.contains("verdict: expected RECOVERED, got REVERTED_TO_RECOVERY"))

        let blessed = try CommandRunner.sosdump(["check", "--bless", dir])
        #expect(blessed.status == 0, "\(blessed.standardOutput)")
        #expect(blessed.standardOutput.contains("bless no-gateway.pcap: no-gateway.expected.json written"))
        #expect(blessed.standardOutput.contains("3 captures: 1 match, 0 do not, 2 blessed"))
        // The file it wrote is an expectation the corpus's own agrees with, and the one that matched is left as it was.
        let written = try Expectation.load(path: "\(dir)/no-gateway.expected.json")
        let corpus = try Expectation.load(path: CaptureCorpus.path("sos", "no-gateway.expected.json"))
        #expect(written.verdict == corpus.verdict && written.phones.map(\.verdict) == corpus.phones.map(\.verdict))
        #expect(Set(written.phones.flatMap { $0.findings.map(\.code) }) == Set(corpus.phones.flatMap { $0.findings.map(\.code) }))
        #expect(FileManager.default.contents(atPath: "\(dir)/recovered.expected.json") == FileManager.default.contents(atPath: CaptureCorpus.path("sos", "recovered.expected.json")))
        let after = try CommandRunner.sosdump(["check", dir])
        #expect(after.status == 0 && after.standardOutput.contains("3 captures: 3 match, 0 do not"))
    }
}
