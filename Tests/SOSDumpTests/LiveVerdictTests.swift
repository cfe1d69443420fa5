import Foundation
import Testing
@testable import SOSDump

/// The phones' verdicts of the live pipeline, fed the S.O.S. corpus frame
/// by frame: what it reports while the capture runs, and its conclusion,
/// which must be `sosdump analyze`'s on the same file.
@Suite struct LiveVerdictTests {
    struct Run {
        /// Phone verdicts reported before the capture ended, in order.
        var whileRunning: [PhoneVerdict] = []
        /// Phone verdicts reported by `finish(at:)`.
        var atTheEnd: [PhoneVerdict] = []
        var conclusion: RecoveryAnalysis?
        var captureConclusion: CaptureConclusion?
        /// 79xx verdicts reported, while running and at the end, in order.
        var bootVerdicts: [BootPhoneVerdict] = []
        var concludedEvents = 0
    }

    /// Feeds `path` as a live capture would: frame by frame, then the
    /// clock moved on past the tracker's linger time after the last frame
    /// (a live run's idle ticks while the technician waits), then the end.
    static func run(_ path: String) throws -> Run {
        let reader = try CaptureReader(path: path)
        var analysis = LiveAnalysis()
        var run = Run()
        var last = CaptureTimestamp(seconds: 0, nanoseconds: 0)
        func take(_ events: [LiveEvent], ended: Bool) {
            for event in events {
                switch event {
                case .phoneVerdict(let v, _):
                    if ended { run.atTheEnd.append(v) } else { run.whileRunning.append(v) }
                case .bootPhoneVerdict(let v, _):
                    run.bootVerdicts.append(v)
                case .concluded(let c, _):
                    run.conclusion = c.sos
                    run.captureConclusion = c
                    run.concludedEvents += 1
                default:
                    break
                }
            }
        }
        try FrameDecoder(checksums: .deferred).decodeAll(from: reader) { d in
            analysis.observe(d)
            last = d.frame.timestamp
            if analysis.hasEvents { take(analysis.takeEvents(), ended: false) }
        }
        let linger = analysis.limits.lingerSeconds
        analysis.advanceClock(to: CaptureTimestamp(seconds: last.seconds + linger + 1, nanoseconds: last.nanoseconds))
        take(analysis.takeEvents(), ended: false)
        analysis.finish(at: last)
        take(analysis.takeEvents(), ended: true)
        return run
    }

    static var corpus: [String] { CaptureCorpus.readableCaptures(in: "sos") }

    /// The conclusion is the offline analysis, to the last byte of its JSON.
    @Test(arguments: corpus)
    func theConclusionIsWhatAnalyzeSays(name: String) throws {
        let path = CaptureCorpus.path("sos", name)
        let live = try Self.run(path)
        #expect(live.concludedEvents == 1)
        let conclusion = try #require(live.conclusion)
        let (offlineConclusion, damage) = CaptureAnalysis.analyze(try CaptureReader(path: path))
        let offline = offlineConclusion.sos
        #expect(damage == nil)
        #expect(AnalysisReport(file: name, analysis: conclusion).json == AnalysisReport(file: name, analysis: offline).json)
        // The end reports each phone whose verdict changed, and ends on the conclusion's.
        for phone in offline.phones {
            let reported = (live.whileRunning + live.atTheEnd).last { $0.identity.mac == phone.identity.mac }
            #expect(reported?.code == phone.code, "\(name): phone \(phone.identity.mac)")
        }
    }

    /// While the capture runs, only decided verdicts are reported, and a
    /// verdict that an event decides (the phone came back, a TFTP error, a
    /// rejected image) is reported before the end: at the latest when the
    /// tracker closes the transfer, its linger time after the transfer's
    /// last packet. (A request answered only by ICMP unreachable stays open
    /// until the tracker's idle limit, as the phone may try again.)
    @Test(arguments: corpus)
    func decidedVerdictsComeBeforeTheEnd(name: String) throws {
        let path = CaptureCorpus.path("sos", name)
        let live = try Self.run(path)
        let conclusion = try #require(live.conclusion)
        for v in live.whileRunning {
            #expect(!LiveAnalysis.undecided.contains(v.code), "\(name): \(v.code) reported while running")
        }
        let decidedByAnEvent: Set<VerdictCode> = [.recovered, .resetDuringWrite, .revertedToRecovery, .imageRejected, .tftpError]
        for phone in conclusion.phones where decidedByAnEvent.contains(phone.code) {
            let early = live.whileRunning.last { $0.identity.mac == phone.identity.mac }
            #expect(early?.code == phone.code, "\(name): \(phone.code) for \(phone.identity.mac) came only at the end")
        }
    }

    @Test func theJSONAndTextOfAVerdict() throws {
        let live = try Self.run(CaptureCorpus.path("sos", "recovered.pcap"))
        let v = try #require(live.whileRunning.last)
        #expect(v.code == .recovered)
        let time = CaptureTimestamp(seconds: 1_795_000_000, nanoseconds: 123_456_789)
        let record = LiveEventRecord(.phoneVerdict(v, at: time))
        let line = record.encoded()
        #expect(line.hasPrefix(#"{"event":"phone-verdict","phone":{"addresses":["192.0.2.2"],"attempts":1,"cycles":[],"downloads":[{"acknowledged_through":155,"blocks":155,"#))
        let decoded = try LiveEventRecord.decode(line)
        #expect(decoded == record)
        #expect(decoded.phone?.verdict == "RECOVERED")
        #expect(decoded.phone?.findings.map(\.code) == v.findings.map(\.code.rawValue))
        let text = LiveEventText.lines(record, at: time)
        #expect(text.first == "11:06:40.123 phone \(v.identity.mac) (\(v.identity.address.map { "\($0)" } ?? "?")): RECOVERED")
        #expect(text.contains { $0.hasPrefix("    next step: ") })

        let conclusion = try #require(live.conclusion)
        let concluded = LiveEventRecord(.concluded(try #require(live.captureConclusion), at: time))
        let decodedConclusion = try #require(try LiveEventRecord.decode(concluded.encoded()).conclusion)
        #expect(decodedConclusion.verdict == "RECOVERED")
        #expect(decodedConclusion.phones.map(\.mac) == conclusion.phones.map { $0.identity.mac.description })
        #expect(decodedConclusion.phones.first?.transfer?.sha256 == conclusion.phones.first?.download?.transfer?.digests?.sha256)
        #expect(LiveEventText.lines(concluded, at: time).first == "11:06:40.123 verdict: RECOVERED (1 phone, \(conclusion.frames) frames)")
    }
}
