import Foundation
import SOSDump
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `sosdump live` on real traffic: network namespaces, a veth pair, the
/// simulator playing phone and recovery utility (scripts/live-recovery).
/// Needs root; CI is root, so these never skip there (see `Privileges`).
@Suite(.serialized, .enabled(if: Privileges.mayRunLabTests, "\(Privileges.notRoot)"))
struct LiveLabTests {
    static var sosdump: String { Repository.binaries.appendingPathComponent("sosdump").path }

    /// The recovery watched live with `--format json -w live.pcapng
    /// --duration 15`. The events must agree with `sosdump transfers` and
    /// `sosdump analyze` on the file written, and the file must hold exactly
    /// what tcpdump captured on the same interface at the same time.
    @Test(.timeLimit(.minutes(2)))
    func aRecoveryWatchedLiveAgreesWithTheFileItWrote() throws {
        try #require(Privileges.isRoot, "\(Privileges.notRoot)")
        let out = "/tmp/sosdump-test-live-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let script = Repository.root.appendingPathComponent("scripts/live-recovery").path
        let lab = try Processes.run(script, [out], environment: ["SOSDUMP_BIN": Repository.binaries.path])
        try #require(lab.status == 0, "scripts/live-recovery failed (\(lab.status)):\n\(lab.error)")

        // The events: JSON Lines, framed by the capture's start and end.
        let lines = try String(contentsOfFile: "\(out)/live.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        let events = try lines.map { try LiveEventRecord.decode($0) }
        try #require(events.count >= 4, "\(lines)")
        #expect(events.first?.kind == .captureStarted)
        #expect(events.first?.capture?.interface == "lvpc0")
        #expect(events.first?.capture?.linkType == "EN10MB")
        let summary = try #require(events.last?.summary, "the last event is not capture-ended")
        #expect(summary.reason == "duration")
        #expect(summary.droppedByKernel == 0)
        #expect(summary.frames > 0 && summary.framesWritten == summary.frames)
        #expect(events.dropFirst().dropLast().allSatisfy { $0.kind != .captureStarted && $0.kind != .captureEnded })

        // Each transfer: started, progress every 8 blocks, ended.
        var open: [Int: Int] = [:]
        var ended: [TransferRecord] = []
        for event in events {
            if let p = event.progress {
                if event.kind == .transferStarted {
                    #expect(open[p.number] == nil)
                    open[p.number] = p.blocks
                } else {
                    let before = try #require(open[p.number], "progress of transfer \(p.number) before it started")
                    #expect(p.blocks / 8 > before / 8)
                    open[p.number] = p.blocks
                }
            }
            if let t = event.transfer {
                #expect(open.removeValue(forKey: t.number) != nil, "transfer \(t.number) ended without starting")
                ended.append(t)
            }
        }
        #expect(open.isEmpty)
        #expect(summary.transfers == ended.count)

        // The download: complete, the image served, progress shown on the way.
        let image = try String(contentsOfFile: "\(out)/fw.sha256", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let download = try #require(ended.first { $0.file == "/spa71f6.bin" }, "no transfer of the image")
        #expect(download.outcome == "complete")
        #expect(download.sha256 == image)
        #expect(download.requestTo == "234.4.8.10:69")
        #expect(download.image?.loader == "accepted")
        #expect(events.contains { $0.kind == .transferProgress && $0.progress?.number == download.number && $0.progress?.expectedSize != nil })

        // The same transfers, outcomes and digests as `sosdump transfers` on the file written.
        let offline = try Processes.run(Self.sosdump, ["transfers", "--format", "json", "\(out)/live.pcapng"])
        try #require(offline.status == 0, "sosdump transfers: \(offline.error)")
        let listing = try TransferListingJSON.decode(offline.output)
        #expect(listing.transfers.count == ended.count)
        for (live, file) in zip(ended.sorted { $0.number < $1.number }, listing.transfers) {
            let label = "transfer \(file.number)"
            #expect(live.number == file.number, "\(label)")
            #expect(live.outcome == file.outcome, "\(label)")
            #expect(live.sha256 == file.sha256, "\(label)")
            #expect(live.file == file.file && live.client == file.client && live.server == file.server, "\(label)")
            #expect(live.blocks == file.blocks && live.bytes == file.bytes && live.complete == file.complete, "\(label)")
            #expect(live.requestFrame == file.requestFrame, "\(label)")
        }

        // The verdicts: the conclusion is what `sosdump analyze` says of the
        // file written, phone by phone and finding by finding, and every
        // phone's verdict was reported as an event on the way.
        let analyzed = try Processes.run(Self.sosdump, ["analyze", "--format", "json", "\(out)/live.pcapng"])
        try #require(analyzed.status == 0, "sosdump analyze: \(analyzed.error)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(analyzed.output.utf8)) as? [String: Any])
        let phones = try #require(report["phones"] as? [[String: Any]])
        let concluded = try #require(events.last { $0.kind == .concluded }?.conclusion, "no concluded event")
        #expect(events.firstIndex { $0.kind == .concluded } == events.count - 2, "concluded is not just before capture-ended")
        #expect(concluded.verdict == report["verdict"] as? String)
        #expect(concluded.explanation == report["explanation"] as? String)
        #expect(concluded.frames == summary.frames)
        try #require(concluded.phones.count == phones.count && !phones.isEmpty, "\(concluded.phones.count) phones live, \(phones.count) in the file")
        for (live, file) in zip(concluded.phones, phones) {
            let mac = live.mac
            #expect(mac == file["mac"] as? String)
            #expect(live.verdict == file["verdict"] as? String, "\(mac)")
            #expect(live.explanation == file["explanation"] as? String, "\(mac)")
            let findings = try #require(file["findings"] as? [[String: Any]])
            #expect(live.findings.map(\.code) == findings.map { $0["code"] as? String ?? "" }, "\(mac)")
            #expect(live.findings.map(\.frames) == findings.map { $0["frames"] as? [Int] ?? [] }, "\(mac)")
            let transfer = file["transfer"] as? [String: Any]
            #expect(live.transfer?.sha256 == transfer?["sha256"] as? String, "\(mac)")
            let reported = events.last { $0.kind == .phoneVerdict && $0.phone?.mac == mac }
            #expect(reported?.phone?.verdict == live.verdict, "\(mac): its verdict was not reported as an event")
        }

        // live.pcapng holds exactly what tcpdump captured: frame for frame,
        // bytes, lengths and the kernel's timestamps.
        let written = try Self.frames("\(out)/live.pcapng")
        let tcpdump = try Self.frames("\(out)/tcpdump.pcap")
        #expect(written.count == summary.frames)
        #expect(written.count == tcpdump.count)
        for (index, (a, b)) in zip(written, tcpdump).enumerated() {
            #expect(a == b, "frame \(index + 1)")
            if a != b { break }
        }
        let reader = try CaptureReader(path: "\(out)/live.pcapng")
        _ = try reader.next()
        #expect(reader.interfaces == [CaptureInterface(linkType: .ethernet, snapLength: 1980, name: "lvpc0")])
    }

    /// A server that stops sending after block 12. The technician is
    /// waiting: `live` must say TRANSFER_STALLED when the stall threshold
    /// (10 s, `--stall`) has passed since the last block, within a second
    /// (its verdicts are looked at once a second), not when the tracker
    /// closes the quiet transfer (120 s later, after the run has ended).
    @Test(.timeLimit(.minutes(1)))
    func aStalledTransferIsReportedWithinItsThreshold() throws {
        try #require(Privileges.isRoot, "\(Privileges.notRoot)")
        let out = "/tmp/sosdump-test-live-stall-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let script = Repository.root.appendingPathComponent("scripts/live-recovery").path
        let lab = try Processes.run(script, [out], environment: ["SOSDUMP_BIN": Repository.binaries.path,
                                                                 "LIVE_SCENARIO": "stall", "LIVE_DURATION": "20"])
        try #require(lab.status == 0, "scripts/live-recovery failed (\(lab.status)):\n\(lab.error)")
        let lines = try String(contentsOfFile: "\(out)/live.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        let events = try lines.map { try LiveEventRecord.decode($0) }
        let verdict = try #require(events.first { $0.kind == .phoneVerdict && $0.phone?.verdict == "TRANSFER_STALLED" },
                                   "no TRANSFER_STALLED event: \(lines)")
        // The tracker closes the quiet transfer only when the run ends: the verdict came before.
        let verdictIndex = try #require(events.firstIndex { $0.kind == .phoneVerdict && $0.phone?.verdict == "TRANSFER_STALLED" })
        let endIndex = events.firstIndex { $0.transfer?.file == "/spa71f6.bin" } ?? events.count
        #expect(verdictIndex < endIndex, "the verdict waited for the tracker to close the transfer")

        // The last block, from the file written.
        let offline = try Processes.run(Self.sosdump, ["transfers", "--format", "json", "\(out)/live.pcapng"])
        let listing = try TransferListingJSON.decode(offline.output)
        let download = try #require(listing.transfers.first { $0.file == "/spa71f6.bin" })
        let stall = try #require(download.stall, "\(download)")
        #expect(stall.block == 12)
        let said = try #require(CaptureTimestamp(rfc3339: verdict.time))
        let lastBlock = try #require(CaptureTimestamp(rfc3339: stall.time))
        let delay = said.seconds(since: lastBlock)
        // The phone's five tries of its last ACK (8 s) or the 10 s threshold, whichever first, and a second.
        #expect(delay >= 8 && delay <= 11.5, "TRANSFER_STALLED came \(delay) s after the last block; the threshold is 10 s")
    }

    struct Frame: Equatable {
        var seconds: Int64
        var nanoseconds: UInt32
        var bytes: [UInt8]
        var originalLength: Int
    }

    static func frames(_ path: String) throws -> [Frame] {
        let reader = try CaptureReader(path: path)
        var frames: [Frame] = []
        while let frame = try reader.next() {
            frames.append(Frame(seconds: frame.timestamp.seconds, nanoseconds: frame.timestamp.nanoseconds,
                                bytes: Array(frame.bytes), originalLength: frame.originalLength))
        }
        return frames
    }

    /// Ctrl-C ends a run with the summary and status 0; plain text lines
    /// when standard output is not a terminal.
    @Test(.timeLimit(.minutes(1)))
    func ctrlCEndsTheRunWithASummary() throws {
        try #require(Privileges.isRoot, "\(Privileges.notRoot)")
        let ip = try #require(Processes.which("ip"), "ip (iproute2) is missing: scripts/install-deps installs it")
        let namespace = "sos-lv-\(getpid())-int"
        try Processes.run(ip, ["netns", "add", namespace])
        defer { _ = try? Processes.run(ip, ["netns", "del", namespace]) }
        try Processes.run(ip, ["-n", namespace, "link", "set", "lo", "up"])

        let live = try Processes.start(ip, ["netns", "exec", namespace, Self.sosdump, "live", "-i", "lo", "icmp"])
        try #require(live.waitForOutput(containing: "listening on lo", seconds: 10), "sosdump live did not start: \(live.error)")
        let ping = try Processes.run(ip, ["netns", "exec", namespace, "ping", "-c", "2", "-i", "0.2", "127.0.0.1"])
        #expect(ping.status == 0)
        usleep(200_000)
        // `ip netns exec` runs sosdump in its own process (it execs it).
        kill(live.pid, SIGINT)
        #expect(live.wait(seconds: 10), "sosdump live did not stop at SIGINT")
        let result = live.result()
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.first?.contains("listening on lo (EN10MB, snap length 65600 bytes, promiscuous); filter: icmp") == true)
        let last = try #require(lines.last.map(String.init))
        #expect(last.contains("capture ended (SIGINT) after "), "\(last)")
        #expect(last.contains(": 4 frames, 0 transfers; libpcap: "), "\(last)")
        #expect(last.contains(" 0 dropped by the kernel"), "\(last)")
        #expect(!result.output.contains("\u{1B}"), "terminal escapes in plain output")
    }
}

extension LiveLabTests {
    /// A `-w` file that cannot be written: status 73 and the reason, at
    /// once (cannot create) or when writing fails (a full disk).
    @Test(arguments: [("/nonexistent-dir/out.pcapng", "No such file or directory"), ("/dev/full", "No space left on device")])
    func anUnwritableFileEndsWithStatus73(path: String, reason: String) throws {
        try #require(Privileges.isRoot, "\(Privileges.notRoot)")
        let ip = try #require(Processes.which("ip"), "ip (iproute2) is missing: scripts/install-deps installs it")
        let namespace = "sos-lv-\(getpid())-w\(path.count)"
        try Processes.run(ip, ["netns", "add", namespace])
        defer { _ = try? Processes.run(ip, ["netns", "del", namespace]) }
        try Processes.run(ip, ["-n", namespace, "link", "set", "lo", "up"])
        let result = try Processes.run(ip, ["netns", "exec", namespace, Self.sosdump, "live", "-i", "lo", "-w", path, "--duration", "1"])
        #expect(result.status == 73)
        #expect(result.error.contains("sosdump: \(path): cannot write: \(reason)"), "\(result.error)")
        #expect(!result.error.contains("Fatal error"))
    }
}
