import Foundation
import Testing
@testable import SOSDump

/// The 79xx boot corpus (captures/boot/, made by scripts/make-boot-captures
/// with sosdump-sim against dnsmasq, ISC dhcpd and tftpd-hpa): it passes
/// `sosdump check`, every code of the boot table is some capture's verdict,
/// the corpus holds what the issue asks for (several phones, pcap and
/// pcapng, a VLAN-tagged capture, both families in one), and `live` reaches
/// the conclusion `analyze` reaches.
@Suite struct BootCorpusTests {
    static let group = "boot"
    static let captures = CaptureCorpus.captures(in: group)
    static let directory = CaptureCorpus.root.appendingPathComponent(group).path

    static func expectation(_ capture: String) throws -> SOSDump.Expectation {
        try SOSDump.Expectation.load(path: CaptureCorpus.path(group, (capture as NSString).deletingPathExtension + ".expected.json"))
    }

    @Test func theCorpusPassesCheck() throws {
        #expect(Self.captures.count >= 20, "captures/boot holds \(Self.captures.count) captures")
        let r = try CommandRunner.sosdump(["check", Self.directory])
        #expect(r.status == 0, "\(r.standardOutput)\(r.standardError)")
        #expect(r.standardOutput.contains("\(Self.captures.count) captures: \(Self.captures.count) match, 0 do not"))
    }

    @Test func everyBootCodeIsSomeCapturesVerdict() throws {
        var verdicts: Set<String> = []
        for capture in Self.captures {
            let e = try Self.expectation(capture)
            verdicts.insert(e.verdict)
            for p in e.phones { verdicts.insert(p.verdict) }
        }
        for code in BootVerdictCode.allCases { #expect(verdicts.contains(code.rawValue), "no capture has the verdict \(code)") }
    }

    @Test func theCorpusHoldsWhatTheIssueAsksFor() throws {
        #expect(Self.captures.contains { $0.hasSuffix(".pcap") } && Self.captures.contains { $0.hasSuffix(".pcapng") })
        #expect(try Self.captures.contains { try Self.expectation($0).phones.count >= 3 }, "several phones in one capture")
        let families = try Self.captures.map { capture in
            try CommandRunner.sosdump(["analyze", "--format", "json", CaptureCorpus.path(Self.group, capture)]).standardOutput
        }
        #expect(families.contains { $0.contains(#""family":"sos""#) && $0.contains(#""family":"79xx""#) }, "both families in one capture")
        // The voice VLAN: the phone's frames carry tag 100.
        var tagged = 0
        try FrameDecoder().decodeAll(from: try CaptureReader(path: CaptureCorpus.path(Self.group, "voice-vlan.pcapng"))) { d in
            if d.vlanTags.all.contains(where: { $0.id == 100 }) { tagged += 1 }
        }
        #expect(tagged > 10)
    }

    /// Fed frame by frame as `sosdump live` feeds them, each capture ends
    /// on the conclusion `analyze` gives, and the last 79xx verdict reported
    /// for each phone is its verdict.
    @Test(arguments: captures)
    func liveConcludesAsAnalyzeDoes(capture: String) throws {
        let path = CaptureCorpus.path(Self.group, capture)
        let live = try LiveVerdictTests.run(path)
        let concluded = try #require(live.captureConclusion)
        let (offline, _) = CaptureAnalysis.analyze(try CaptureReader(path: path))
        #expect(AnalysisReport(file: capture, conclusion: concluded).json == AnalysisReport(file: capture, conclusion: offline).json)
        for phone in offline.boot.phones {
            let reported = live.bootVerdicts.last { $0.identity.mac == phone.identity.mac }
            #expect(reported?.code == phone.code, "\(capture): phone \(phone.identity.mac)")
        }
    }
}
