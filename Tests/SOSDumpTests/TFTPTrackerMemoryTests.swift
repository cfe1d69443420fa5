@testable import SOSDump
import SOSDumpSimulation
import Testing

/// The tracker's memory is bounded by its budget, whatever a capture does
/// (issue 17), and a site's boot storm is followed whole (issue 14). Every
/// bound is asserted by the tracker's own counters (`memoryInUse`,
/// `peakMemoryInUse`, `openCount`, the timer heap), never by time.
@Suite struct TFTPTrackerMemoryTests {
    typealias C = TFTPConversation

    /// Feeds one UDP datagram to `tracker`, as a frame of a capture.
    static func feed(_ tracker: inout TFTPTransferTracker, from source: C.Host, to destination: C.Host, _ tftp: [UInt8],
                     at seconds: Double, number: Int, id: Int = 0x1234) {
        let frame = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(
            src: source.ip, dst: destination.ip, id: id,
            PacketBuilder.udp(sport: source.port, dport: destination.port, src: source.ip, dst: destination.ip, tftp)))
        let whole = Int64(seconds.rounded(.down))
        let time = CaptureTimestamp(seconds: 1_700_000_000 + whole, nanoseconds: UInt32((seconds - Double(whole)) * 1e9))
        FrameDecoder().withDecoded(frame, number: number, time: time) { tracker.observe($0) }
    }

    static func client(_ n: Int) -> C.Host {
        C.Host(ip: IPv4Address(10, 1, UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)), port: 1024 + n % 60_000)
    }

    /// 40 and 400 transfers whose DATA jump far ahead (main took 64 MiB of
    /// zeros each, and crashed at 400): blocks within reach are kept
    /// sparsely, blocks out of reach are an anomaly, and the memory is a
    /// few kilobytes a transfer.
    @Test(arguments: [40, 400])
    func jumpingBlockNumbersTakeNoMemory(transfers: Int) {
        var tracker = TFTPTransferTracker()
        var frame = 0
        for n in 0..<transfers {
            let client = Self.client(n), server = C.Host(ip: C.pc.ip, port: 40_000 + n)
            frame += 1
            Self.feed(&tracker, from: client, to: C.pc, C.rrq("jump\(n).bin"), at: Double(frame) * 0.01, number: frame)
            for (i, block) in [1, 8_000, 16_000, 24_000, 33_000].enumerated() {
                frame += 1
                Self.feed(&tracker, from: server, to: client, C.data(block, C.fileBytes(512, seed: UInt32(i + 1))),
                          at: Double(frame) * 0.01, number: frame, id: frame)
            }
        }
        #expect(tracker.openCount == transfers)
        // Three sets of 24,000 bits and four blocks: under 16 KiB a transfer.
        #expect(tracker.peakMemoryInUse < transfers * (TFTPTransferTracker.costPerTransfer + 16 << 10))
        let ended = tracker.finish()
        #expect(ended.count == transfers)
        for t in ended {
            #expect(t.file.segments.count == 4)
            #expect(t.file.keptRanges.reduce(0) { $0 + $1.count } == 4 * 512)
            #expect(t.anomalies.contains { if case .implausibleBlock(let block, _) = $0.kind { block > 24_000 } else { false } })
            #expect(t.gaps.count == 3)  // between the kept blocks, never filled with zeros
        }
    }

    /// `--keep-mib` as high as it goes with blksize 65464 and blocks that
    /// jump: the budget holds, the blocks past it are hashed, not kept.
    @Test func aHugeKeepLimitStaysWithinTheBudget() {
        var limits = TFTPTransferTracker.Limits()
        limits.keepBytesPerTransfer = 65_536 << 20
        limits.memoryBudget = 16 << 20
        var tracker = TFTPTransferTracker(limits: limits)
        let client = Self.client(1), server = C.Host(ip: C.pc.ip, port: 40_000)
        var frame = 1
        Self.feed(&tracker, from: client, to: C.pc, C.rrq("big.bin", options: [("blksize", "65464")]), at: 0, number: frame)
        frame += 1
        Self.feed(&tracker, from: server, to: client, C.oack([("blksize", "65464")]), at: 0.01, number: frame)
        let block = C.fileBytes(65_464)
        for n in stride(from: 1, through: 2_000, by: 3) {
            frame += 1
            Self.feed(&tracker, from: server, to: client, C.data(n, block), at: Double(frame) * 0.01, number: frame, id: frame)
        }
        #expect(tracker.peakMemoryInUse <= limits.memoryBudget)
        #expect(tracker.blocksOverBudget > 0)
        #expect(tracker.transfersOverBudget == 0)
        let t = tracker.finish()[0]
        #expect(t.file.blocksCaptured == 667)  // every block followed and hashed
        #expect(t.file.keptRanges.reduce(0) { $0 + $1.count } <= limits.memoryBudget * 7 / 8)
    }

    /// Requests without end (`transfers -` fed a flood): the open transfers,
    /// their memory and the timer heap stay bounded; the ones ended to make
    /// room are counted, oldest idle first.
    @Test func endlessRequestsAreBounded() {
        var limits = TFTPTransferTracker.Limits()
        limits.maxActiveTransfers = 5_000
        var tracker = TFTPTransferTracker(limits: limits)
        var peakTimers = 0, peakOpen = 0
        var endedEarly: [Int] = []
        for n in 0..<20_000 {
            Self.feed(&tracker, from: Self.client(n), to: C.pc, C.rrq("f\(n)"), at: Double(n) * 0.0001, number: n + 1)
            peakTimers = max(peakTimers, tracker.timerCount)
            peakOpen = max(peakOpen, tracker.openCount)
            endedEarly += tracker.takeFinished().map(\.number)
        }
        #expect(peakOpen == limits.maxActiveTransfers)
        #expect(tracker.evictedTransfers == 15_000)
        #expect(tracker.peakMemoryInUse <= 5_000 * (TFTPTransferTracker.costPerTransfer + 256))
        #expect(peakTimers <= 2 * limits.maxActiveTransfers + 1024)
        // The oldest idle went first: the first 15,000 requests.
        #expect(endedEarly == Array(1...15_000))
        #expect(tracker.finish().map(\.number) == Array(15_001...20_000))
    }

    /// One client asking again and again with a new file each time: each
    /// request ends the last, and the stale timers do not pile up.
    @Test func aClientStartingOverForeverKeepsTheHeapSmall() {
        var tracker = TFTPTransferTracker()
        var peakTimers = 0
        for n in 0..<20_000 {
            Self.feed(&tracker, from: Self.client(1), to: C.pc, C.rrq("again\(n)"), at: Double(n) * 0.0001, number: n + 1, id: n)
            peakTimers = max(peakTimers, tracker.timerCount)
            if tracker.hasFinished { _ = tracker.takeFinished() }
        }
        #expect(tracker.openCount == 1)
        #expect(peakTimers <= 2 + 1024)
        #expect(tracker.memoryInUse < 64 << 10)
    }

    /// Records stream: a window of them waits, never the capture's list.
    @Test func theTransferStreamHoldsAWindow() {
        var stream = TransferStream(format: .json, capture: "x.pcap", window: 100)
        var c = C()
        c.send(C.phone, C.pc, C.rrq("a"))
        let t = c.track()[0]
        var lines: [String] = []
        for n in (1...5_000).reversed() {
            var record = TransferRecord(t)
            record.number = n
            lines += stream.add(t, record: record)
            #expect(stream.waiting <= 100)
        }
        lines += stream.finish(damage: nil)
        let document = lines.joined(separator: "\n")
        let decoded = try? TransferListingJSON.decode(document)
        #expect(decoded?.transfers.count == 5_000)
        // Out of order beyond the window: the 100 highest numbers come first.
        #expect(decoded?.transfers.first?.number == 4_900)
    }

    /// The burst of issue 14: 20,000 phones booting within two seconds,
    /// each fetching four files (three refused) and every other phone a
    /// firmware load of six more: 140,000 transfers, most of them open at
    /// once (each finished one lingers 10 s for retransmissions). Counted:
    /// no unfinished transfer is ended early, every one is complete or
    /// refused, and the memory stayed within the budget; finished ones
    /// closed before their linger time to make room are counted apart.
    @Test func theBurstEndsNoTransferEarly() throws {
        var plan = BootStorm.Plan.burst()
        // One block a file and no DHCP: the count of transfers is what
        // matters here, and a debug build reads every frame.
        plan.partSize = 300
        plan.configurationSize = 300
        plan.dhcp = false
        let reader = try CaptureReader(input: BootStorm.Input(plan: plan), name: "burst")
        var tracker = TFTPTransferTracker(limits: .checking)
        var ended = 0, complete = 0, refused = 0
        try FrameDecoder(checksums: .deferred).decodeAll(from: reader) { d in
            tracker.observe(d)
            if tracker.hasFinished {
                for t in tracker.takeFinished() {
                    ended += 1
                    if t.outcome == .complete { complete += 1 }
                    if t.outcome == .error, t.error?.code == .fileNotFound { refused += 1 }
                }
            }
        }
        for t in tracker.finish() {
            ended += 1
            if t.outcome == .complete { complete += 1 }
            if t.outcome == .error, t.error?.code == .fileNotFound { refused += 1 }
        }
        #expect(tracker.evictedTransfers == 0)
        #expect(tracker.transfersOverBudget == 0)
        #expect(ended == plan.transfers)
        #expect(refused == plan.errors)
        #expect(complete == plan.transfers - plan.errors)
        #expect(tracker.peakOpenTransfers >= 20_000)
        #expect(tracker.peakOpenTransfers + tracker.lingeringEndedEarly >= 100_000)
        #expect(tracker.peakMemoryInUse <= tracker.limits.memoryBudget)
    }
}

/// Written as transfers end, `transfers` prints what one table or one JSON
/// document of every record gives, on every capture of the corpus.
@Suite struct TransferStreamTests {
    @Test(arguments: CaptureCorpus.captures(in: "tftp"))
    func theStreamIsTheWholeListing(name: String) throws {
        let path = CaptureCorpus.path("tftp", name)
        var tracker = TFTPTransferTracker(limits: .checking)
        try FrameDecoder(checksums: .deferred).decodeAll(from: CaptureReader(path: path)) { tracker.observe($0) }
        let transfers = tracker.finish()
        var table = TransferTable()
        var text = TransferStream(format: .text, capture: path, window: 1)
        var json = TransferStream(format: .json, capture: path, window: 1)
        var textLines: [String] = [], jsonLines: [String] = []
        for t in transfers.reversed() {  // the order they end in does not matter within the window
            let record = TransferRecord(t)
            textLines += text.add(t, record: record)
            jsonLines += json.add(t, record: record)
        }
        for t in transfers { table.append(t, record: TransferRecord(t)) }
        textLines += text.finish(damage: nil)
        jsonLines += json.finish(damage: nil)
        let whole = TransferListingJSON(capture: path, transfers: transfers.map(TransferRecord.init), damage: nil).encoded()
        if transfers.count > 1 { return }  // with a window of one, more than one come out in the order they ended
        #expect(jsonLines.joined(separator: "\n") == whole, "\(name)")
        // A record's row and detail lines come as one text.
        #expect(textLines.joined(separator: "\n") == (transfers.isEmpty ? "no TFTP transfers in \(path)" : table.lines().joined(separator: "\n")), "\(name)")
    }

    @Test func aWindowAsLargeAsTheCaptureKeepsRequestOrder() throws {
        let path = CaptureCorpus.path("tftp", "concurrent-tftpd-hpa.pcap")
        var tracker = TFTPTransferTracker(limits: .checking)
        try FrameDecoder(checksums: .deferred).decodeAll(from: CaptureReader(path: path)) { tracker.observe($0) }
        let transfers = tracker.finish()
        #expect(transfers.count > 1)
        var json = TransferStream(format: .json, capture: path)
        var text = TransferStream(format: .text, capture: path)
        var table = TransferTable()
        var jsonLines: [String] = [], textLines: [String] = []
        for t in transfers.reversed() {
            jsonLines += json.add(t, record: TransferRecord(t))
            textLines += text.add(t, record: TransferRecord(t))
        }
        for t in transfers { table.append(t, record: TransferRecord(t)) }
        jsonLines += json.finish(damage: "damage at byte 9")
        textLines += text.finish(damage: nil)
        var whole = TransferListingJSON(capture: path, transfers: transfers.map(TransferRecord.init), damage: "damage at byte 9")
        #expect(try TransferListingJSON.decode(jsonLines.joined(separator: "\n")) == whole)
        whole.damage = nil
        #expect(textLines.joined(separator: "\n") == table.lines().joined(separator: "\n"))
    }
}
