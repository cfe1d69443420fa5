import Foundation
import Testing
@testable import SOSDump

/// Strings from a capture or a file reach a terminal only through
/// `TerminalText.escaped`: every text renderer is fed hostile strings in
/// every string field of its records, and no line it makes may hold a
/// control, bidi or zero-width character. JSON keeps the strings exact.
@Suite struct TerminalTextTests {
    typealias C = TFTPConversation

    /// What an attacker puts in a file name, an interface name, a catalog.
    static let hostile = [
        "\u{1B}]0;owned\u{07}title",  // OSC: sets the window title
        "\u{1B}[2J\u{1B}[Hclear",  // CSI: clears the screen
        "c1\u{9B}31mred\u{9D}osc",  // C1 CSI and OSC
        "cr\rnl\nnul\u{0}tab\tdel\u{7F}",
        "evil\u{202E}nib.exe",  // right-to-left override: shows as "exe.bin"
        "iso\u{2066}late\u{2069}d\u{200F}",
        "zero\u{200B}width\u{200D}join\u{FEFF}bom\u{2060}\u{00AD}",
        "line\u{2028}para\u{2029}",
    ]

    @Test func escapesEachKindAndKeepsTheRest() {
        #expect(TerminalText.escaped("\u{1B}[2J") == "\\x1b[2J")
        #expect(TerminalText.escaped("a\u{9B}b\u{7F}") == "a\\x9bb\\x7f")
        #expect(TerminalText.escaped("evil\u{202E}nib.exe") == "evil\\u{202E}nib.exe")
        #expect(TerminalText.escaped("a\u{200B}b\u{FEFF}") == "a\\u{200B}b\\u{FEFF}")
        #expect(TerminalText.escaped("spa504g.bin") == "spa504g.bin")
        // Text in any script, and emoji, pass as they are.
        #expect(TerminalText.escaped("файл-ファイル-ملف-👍🏽") == "файл-ファイル-ملف-👍🏽")
        for text in Self.hostile {
            let once = TerminalText.escaped(text)
            #expect(TerminalText.isSafe(once), "\(once.debugDescription)")
            #expect(TerminalText.escaped(once) == once)
        }
    }

    // MARK: Every renderer, every string field

    /// `value` with hostile strings in its string fields: every field at
    /// once, for each hostile string; then each field alone, with the
    /// hostile strings in turn (variants that no longer decode, a hostile
    /// verdict code say, are left out).
    static func variants<T: Codable>(of value: T) throws -> [T] {
        let encoder = ReportJSON.encoder()
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let tree = try JSONSerialization.jsonObject(with: encoder.encode(value), options: [.fragmentsAllowed])
        var leaves = 0
        _ = replace(tree, leaf: -1, with: "", counter: &leaves)
        #expect(leaves > 0)
        var out: [T] = []
        let changes = hostile.map { (-2, $0) } + (0..<leaves).map { ($0, hostile[$0 % hostile.count]) }  // -2: every leaf
        for (leaf, text) in changes {
            var counter = 0
            let changed = replace(tree, leaf: leaf, with: text, counter: &counter)
            let data = try JSONSerialization.data(withJSONObject: changed, options: [.fragmentsAllowed])
            if let variant = try? decoder.decode(T.self, from: data) { out.append(variant) }
        }
        return out
    }

    /// `tree` with string leaf number `leaf` (in walk order; -2: all)
    /// replaced by `text`; `counter` counts the leaves walked.
    static func replace(_ tree: Any, leaf: Int, with text: String, counter: inout Int) -> Any {
        switch tree {
        case let s as String:
            defer { counter += 1 }
            return leaf == -2 || leaf == counter ? text + s : s
        case let a as [Any]:
            return a.map { replace($0, leaf: leaf, with: text, counter: &counter) }
        case let d as [String: Any]:
            var out: [String: Any] = [:]
            for key in d.keys.sorted() { out[key] = replace(d[key]!, leaf: leaf, with: text, counter: &counter) }
            return out
        default:
            return tree
        }
    }

    static func expectSafe(_ lines: [String], _ renderer: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for line in lines where !TerminalText.isSafe(line) {
            Issue.record("\(renderer) let through \(line.debugDescription)", sourceLocation: sourceLocation)
        }
    }

    static func analysis(_ name: String) throws -> (report: AnalysisReport, transfers: [TFTPTransfer], live: [LiveEventRecord]) {
        let path = CaptureCorpus.path("sos", name)
        var analyzer = CaptureAnalysis()
        var tracker = TFTPTransferTracker()
        var live = LiveAnalysis()
        var records: [LiveEventRecord] = []
        var last = CaptureTimestamp(seconds: 0, nanoseconds: 0)
        try FrameDecoder(checksums: .deferred).decodeAll(from: try CaptureReader(path: path)) { d in
            _ = analyzer.observe(d)
            tracker.observe(d)
            live.observe(d)
            last = d.frame.timestamp
            records += live.takeEvents().map(LiveEventRecord.init)
        }
        live.finish(at: CaptureTimestamp(seconds: last.seconds + 300, nanoseconds: 0))
        records += live.takeEvents().map(LiveEventRecord.init)
        return (AnalysisReport(file: path, analysis: analyzer.finish().sos), tracker.finish(), records)
    }

    @Test(arguments: ["recovered.pcap", "image-rejected.pcap", "unknown-variant.pcap", "tftp-error.pcap", "two-phones.pcap"])
    func analysisTransfersAndLiveRenderNoEscape(capture: String) throws {
        let (report, transfers, live) = try Self.analysis(capture)
        var rendered = 0
        for variant in try Self.variants(of: report) {
            Self.expectSafe(AnalysisText().lines(variant), "AnalysisText")
            // JSON carries the strings exactly.
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            #expect(try decoder.decode(AnalysisReport.self, from: Data(variant.json.utf8)) == variant)
            rendered += 1
        }
        #expect(rendered > Self.hostile.count)
        for t in transfers {
            for variant in try Self.variants(of: TransferRecord(t)) {
                var table = TransferTable()
                table.append(t, record: variant)
                Self.expectSafe(table.lines(), "TransferTable")
            }
        }
        for record in live {
            for variant in try Self.variants(of: record) {
                Self.expectSafe(LiveEventText.lines(variant, at: CaptureTimestamp(seconds: 0, nanoseconds: 0)), "LiveEventText")
            }
        }
    }

    @Test func packetLinesAndTheLiveStatusLineRenderNoEscape() throws {
        for record in try CaptureCorpus.records(CaptureCorpus.path("sos", "recovered.pcap")).prefix(40) {
            for variant in try Self.variants(of: record) { Self.expectSafe([variant.textLine], "PacketRecord.textLine") }
        }
        for text in Self.hostile { Self.expectSafe([LiveEventText.shortName(text + text)], "LiveEventText.shortName") }
    }

    @Test func catalogAndVerifyRenderNoEscape() throws {
        var catalog = FirmwareCatalog()
        catalog.add(FirmwareCatalog.Image(release: "7.6.2SR7", imageVersion: "7.6.2g", file: "spa50x-30x-7-6-2g.bin", size: 4,
                                          sha256: HexDigest(hex: String(repeating: "ab", count: 32))!, md5: nil, origin: "bundle x.zip"))
        catalog.add(FirmwareCatalog.builtIn.bundles[0])
        for variant in try Self.variants(of: catalog) { Self.expectSafe(CatalogListing.lines(variant), "CatalogListing") }

        let image = [UInt8](repeating: 0, count: 64)
        let verification = FirmwareVerification(image)
        for text in Self.hostile {
            var report = FirmwareReport(file: text, verification: verification, identification: .known(catalog.images[0]))
            report.version = text
            report.verdict.check = text
            report.verdict.detail = text
            report.verdict.loaderMessage = text
            report.verdict.meaning = text
            report.catalog.release = text
            report.catalog.file = text
            report.catalog.origin = text
            report.catalog.imageVersion = text
            report.checks = report.checks.map { c in
                var c = c
                c.check = text + c.check
                c.detail = text
                c.loaderMessage = text
                return c
            }
            Self.expectSafe(FirmwareText().lines(report), "FirmwareText")
        }
    }

    // MARK: The commands

    /// A capture whose interface name, TFTP file name, options and ERROR
    /// message are escape sequences.
    static func hostileCapture() throws -> String {
        var c = C()
        let server = C.Host(ip: C.pc.ip, port: 50001)
        c.send(C.phone, C.pc, C.rrq("\u{1B}]0;owned\u{07}\u{202E}nib.exe", options: [("blksize\u{1B}[2J", "512\u{9B}")]))
        c.send(server, C.phone, C.data(1, C.fileBytes(100, seed: 3)))
        c.send(C.phone, server, C.ack(1))
        c.send(C.phone, C.pc, C.rrq("x\u{1B}[31m.bin"))
        c.send(C.pc, C.phone, C.error(1, "no \u{1B}[5m file \u{200B}"))
        var file = PcapngFileBuilder()
        file.section()
        file.interface(options: [.interfaceName("eth0\u{1B}]0;title\u{07}\u{202E}"), .timestampResolution(6)])
        for f in c.frames {
            file.enhancedPacket(timestamp: UInt64((1_700_000_000 + f.time) * 1e6), data: f.bytes)
        }
        return try temporaryFile(file.bytes)
    }

    @Test func commandsPrintNoEscapeAndTheirJSONStaysExact() throws {
        let path = try Self.hostileCapture()
        defer { unlink(path) }
        for arguments in [["packets", path], ["transfers", path], ["analyze", path]] {
            let result = try CommandRunner.sosdump(arguments)
            #expect(!result.standardOutput.isEmpty)
            for line in result.standardOutput.split(separator: "\n") + result.standardError.split(separator: "\n") {
                #expect(TerminalText.isSafe(line), "\(arguments[0]): \(line.debugDescription)")
            }
            #expect(result.standardOutput.contains("\\x1b]0;owned\\x07\\u{202E}nib.exe") || arguments[0] == "analyze")
        }
        let packets = try CommandRunner.sosdump(["packets", "--format", "json", path])
        let first = try JSONDecoder().decode([String: AnyCodable].self, from: Data(packets.standardOutput.split(separator: "\n")[0].utf8))
        #expect(first["interface_name"]?.text == "eth0\u{1B}]0;title\u{07}\u{202E}")
        let transfers = try CommandRunner.sosdump(["transfers", "--format", "json", path])
        #expect(try TransferListingJSON.decode(transfers.standardOutput).transfers.first?.file == "\u{1B}]0;owned\u{07}\u{202E}nib.exe")
    }

    /// Just enough of a JSON value to read one string field.
    struct AnyCodable: Decodable {
        var text: String?
        init(from decoder: any Decoder) throws { text = try? decoder.singleValueContainer().decode(String.self) }
    }
}
