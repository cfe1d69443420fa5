import Foundation
import Testing
@testable import SOSDump

/// The live pipeline's analysis fed from capture files: the events a live
/// capture of the same traffic would give, checked against the tracker
/// as `sosdump transfers` runs it.
@Suite struct LiveAnalysisTests {
    /// Every event of `path` fed frame by frame, finished at its last frame.
    static func events(_ path: String, progressEvery: Int = 64) throws -> [LiveEvent] {
        let reader = try CaptureReader(path: path)
        var analysis = LiveAnalysis(progressEvery: progressEvery)
        var events: [LiveEvent] = []
        var last = CaptureTimestamp(seconds: 0, nanoseconds: 0)
        try FrameDecoder().decodeAll(from: reader) { d in
            analysis.observe(d)
            last = d.frame.timestamp
            events += analysis.takeEvents()
        }
        analysis.finish(at: last)
        return events + analysis.takeEvents()
    }

    /// What `sosdump transfers` finds.
    static func offline(_ path: String) throws -> [TFTPTransfer] {
        var tracker = TFTPTransferTracker(limits: .checking)  // as `sosdump transfers`
        try FrameDecoder().decodeAll(from: CaptureReader(path: path)) { tracker.observe($0) }
        return tracker.finish()
    }

    static var corpus: [(String, String)] {
        CaptureCorpus.readableCaptures(in: "tftp").map { ("tftp", $0) } + CaptureCorpus.readableCaptures(in: "sos").map { ("sos", $0) }
    }

    @Test(arguments: corpus)
    func everyTransferStartsMovesAndEndsAsTheTrackerSays(group: String, name: String) throws {
        let path = CaptureCorpus.path(group, name)
        let events = try Self.events(path, progressEvery: 4)
        let expected = try Self.offline(path)

        var ended: [TFTPTransfer] = []
        var open: Set<Int> = []
        var blocks: [Int: Int] = [:]
        for event in events {
            switch event {
            case .transferStarted(let p, _):
                #expect(!open.contains(p.number), "\(name): transfer \(p.number) started twice")
                open.insert(p.number)
                blocks[p.number] = p.blocks
            case .transferProgress(let p, _):
                #expect(open.contains(p.number), "\(name): progress of transfer \(p.number) before it started")
                let before = blocks[p.number] ?? 0
                #expect(p.blocks / 4 > before / 4, "\(name): transfer \(p.number) reported without passing a multiple of 4 blocks")
                blocks[p.number] = p.blocks
            case .transferEnded(let t, _, _):
                #expect(open.remove(t.number) != nil, "\(name): transfer \(t.number) ended without starting")
                ended.append(t)
            case .phoneVerdict, .bootPhoneVerdict, .concluded:
                break
            case .captureStarted, .captureEnded:
                Issue.record("the analysis makes no capture events")
            }
        }
        #expect(open.isEmpty)
        ended.sort { $0.number < $1.number }
        #expect(ended.count == expected.count, "\(name)")
        for (live, offline) in zip(ended, expected) {
            let a = TransferRecord(live), b = TransferRecord(offline)
            #expect(a == b, "\(name): transfer \(live.number)")
        }
    }

    /// captures/sos/recovered.pcap: the S.O.S. download of a 7.4.9c image.
    /// Its size is known from the image header after the first block, so
    /// the live view can draw a real progress bar.
    @Test func theImageHeaderGivesTheSizeOfAnSOSDownload() throws {
        let events = try Self.events(CaptureCorpus.path("sos", "recovered.pcap"), progressEvery: 8)
        let progress = events.compactMap { (event: LiveEvent) -> TFTPTransferProgress? in
            if case .transferProgress(let p, _) = event, p.number == 1 { return p }
            return nil
        }
        let end = try #require(events.lazy.compactMap { (event: LiveEvent) -> TFTPTransfer? in
            if case .transferEnded(let t, _, _) = event, t.number == 1 { return t }
            return nil
        }.first)
        let size = try #require(end.fileSize)
        #expect(progress.count == end.file.blocksCaptured / 8)
        #expect(progress.allSatisfy { $0.imageSize == size && $0.expectedSize == size && $0.announcedSize == nil })
        #expect(progress.map(\.blocks) == Array(stride(from: 8, through: end.file.blocksCaptured, by: 8)))
        #expect(progress.allSatisfy { $0.lastNewBlock != nil && $0.server != nil })
    }

    /// Live, a transfer that completed ends when its linger time has passed
    /// on the clock, without waiting for another frame.
    @Test func theClockEndsATransferWithoutAFrame() throws {
        let reader = try CaptureReader(path: CaptureCorpus.path("tftp", "plain-atftp.pcap"))
        var analysis = LiveAnalysis()
        var last = CaptureTimestamp(seconds: 0, nanoseconds: 0)
        var events: [LiveEvent] = []
        try FrameDecoder().decodeAll(from: reader) { d in
            analysis.observe(d)
            last = d.frame.timestamp
            events += analysis.takeEvents()
        }
        #expect(!events.contains { if case .transferEnded = $0 { true } else { false } })
        #expect(analysis.openTransfers.count == 1)
        analysis.advanceClock(to: CaptureTimestamp(seconds: last.seconds + 5, nanoseconds: 0))
        #expect(!analysis.hasEvents)
        analysis.advanceClock(to: CaptureTimestamp(seconds: last.seconds + analysis.limits.lingerSeconds + 2, nanoseconds: 0))
        let ended = analysis.takeEvents()
        #expect(ended.count == 1)
        guard case .transferEnded(let t, _, _)? = ended.first else { return }
        #expect(t.outcome == .complete)
        #expect(analysis.openTransfers.isEmpty)
    }

    @Test func theJSONOfEachEvent() throws {
        let events = try Self.events(CaptureCorpus.path("sos", "recovered.pcap"), progressEvery: 32)
        let lines = events.map { LiveEventRecord($0).encoded() }
        let started = try #require(lines.first)
        #expect(started.hasPrefix(#"{"event":"transfer-started","progress":{"block_size":512,"blocks":0,"bytes":0,"client":"#))
        let progress = try #require(lines.first { $0.contains(#""event":"transfer-progress""#) })
        let decoded = try LiveEventRecord.decode(progress)
        #expect(decoded.kind == .transferProgress)
        #expect(decoded.progress?.blocks == 32)
        #expect(decoded.progress?.requestTo == "234.4.8.10:69")
        let ended = try #require(lines.first { $0.contains(#""event":"transfer-ended""#) })
        let record = try #require(try LiveEventRecord.decode(ended).transfer)
        #expect(record.outcome == "complete")
        #expect(record.sha256 != nil)
        for line in lines {
            #expect(!line.contains("\n"))
            #expect(try LiveEventRecord.decode(line) == LiveEventRecord.decode(line))
        }

        let summary = LiveEventRecord(.captureEnded(LiveCaptureSummary(
            time: CaptureTimestamp(seconds: 1_795_000_000, nanoseconds: 5), reason: .signal(2), seconds: 12.3456, frames: 9, transfers: 1,
            received: 10, droppedByKernel: 0, droppedByInterface: 0, framesWritten: 9)))
        #expect(summary.encoded() == #"{"event":"capture-ended","summary":{"dropped_by_interface":0,"dropped_by_kernel":0,"frames":9,"frames_written":9,"reason":"signal","received":10,"seconds":12.346,"signal":"SIGINT","transfers":1},"time":"2026-11-18T11:06:40.000000005Z"}"#)
    }

    static func progress(blocks: Int, size: Int?, imageSize: Int? = nil, server: Bool = true) -> TFTPTransferProgress {
        let t0 = CaptureTimestamp(seconds: 100, nanoseconds: 0)
        let mark = TFTPTransfer.FrameMark(frame: 3, time: t0)
        let later = TFTPTransfer.FrameMark(frame: 40, time: CaptureTimestamp(seconds: 102, nanoseconds: 0))
        return TFTPTransferProgress(
            number: 1, direction: .read, fileName: "/spa504g.bin", client: TransportEndpoint(.v4(IPv4Address(192, 0, 2, 2)), 2000),
            requestDestination: TransportEndpoint(.v4(IPv4Address(234, 4, 8, 10)), 69),
            server: server ? TransportEndpoint(.v4(IPv4Address(192, 0, 2, 1)), 50000) : nil, request: mark,
            firstReply: server ? mark : nil, lastFrame: later, lastNewBlock: blocks > 0 ? later : nil, blocks: blocks,
            bytes: blocks * 512, highestBlock: blocks, blockSize: 512, announcedSize: size, size: nil, retransmittedData: 0,
            repeatedAcks: 0, failed: false, isDone: false, imageSize: imageSize)
    }

    @Test func theStatusLineOfAnOpenTransfer() {
        let now = CaptureTimestamp(seconds: 102, nanoseconds: 250_000_000)
        #expect(LiveEventText.statusLine(Self.progress(blocks: 100, size: 102_400), now: now, width: 200)
            == "#1 /spa504g.bin [##########..........] 50% 100 blk 51200/102400 B 25.0 KiB/s last block 0.3 s ago")
        // Unknown size: a marker moves with the blocks.
        #expect(LiveEventText.statusLine(Self.progress(blocks: 16, size: nil), now: now, width: 200)
            == "#1 /spa504g.bin [..#.................] 16 blk 8192 B 4.0 KiB/s last block 0.3 s ago")
        #expect(LiveEventText.statusLine(Self.progress(blocks: 0, size: nil, server: false), now: now, width: 200)
            == "#1 /spa504g.bin [....................] 0 blk 0 B waiting for a reply 2.3 s")
        let narrow = LiveEventText.statusLine(Self.progress(blocks: 100, size: nil, imageSize: 204_800), now: now, width: 40)
        #expect(narrow.count == 40 && narrow.hasSuffix("…"))
        #expect(narrow.hasPrefix("#1 /spa504g.bin [#####..............."))
    }

    @Test func theTextLinesOfEvents() throws {
        let time = CaptureTimestamp(seconds: 1_795_000_000, nanoseconds: 123_456_789)
        let started = LiveEventRecord(.transferStarted(Self.progress(blocks: 0, size: nil, server: false), at: time))
        #expect(LiveEventText.lines(started, at: time)
            == [#"11:06:40.123 transfer 1 started (frame 3): 192.0.2.2:2000 reads "/spa504g.bin", request to 234.4.8.10:69"#])
        let moved = LiveEventRecord(.transferProgress(Self.progress(blocks: 64, size: 65536), at: time))
        #expect(LiveEventText.lines(moved, at: time)
            == ["11:06:40.123 transfer 1: 64 blocks, 32768 of 65536 bytes (50%), 16.0 KiB/s, from 192.0.2.1:50000"])
        let start = LiveEventRecord(.captureStarted(LiveCaptureStart(
            time: time, interface: "lv0", linkType: .ethernet, snapLength: 262_144, filter: "udp", promiscuous: true, writingTo: "out.pcapng")))
        #expect(LiveEventText.lines(start, at: time)
            == ["11:06:40.123 listening on lv0 (EN10MB, snap length 262144 bytes, promiscuous); filter: udp; writing out.pcapng"])
        let end = LiveEventRecord(.captureEnded(LiveCaptureSummary(time: time, reason: .duration, seconds: 10, frames: 1, transfers: 0,
                                                                   received: 1, droppedByKernel: 0, droppedByInterface: 0)))
        #expect(LiveEventText.lines(end, at: time)
            == ["11:06:40.123 capture ended (--duration reached) after 10.000 s: 1 frame, 0 transfers; libpcap: 1 received, 0 dropped by the kernel, 0 dropped by the interface"])
    }
}

extension LiveAnalysisTests {
    @Test func aFinishedTransferSaysSoWhileItLingers() {
        var p = Self.progress(blocks: 200, size: 102_400)
        p.isDone = true
        p.size = 102_400
        let line = LiveEventText.statusLine(p, now: CaptureTimestamp(seconds: 105, nanoseconds: 0), width: 200)
        #expect(line == "#1 /spa504g.bin [####################] 100% 200 blk 102400/102400 B 50.0 KiB/s done")
    }
}
