import ArgumentParser
import Foundation
import SOSDump
import SOSDumpSimulation

/// The decoding benchmark's two halves: `generate` writes a large synthetic
/// capture with a realistic mix of frames, `decode` reads and decodes it as
/// `sosdump packets` does, without printing, and reports rates and peak
/// memory. `scripts/benchmark` runs both beside `cat` and `tcpdump` on the
/// same file and writes the table in docs/performance.md.
@main
struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sosdump-benchmark",
        abstract: "Generate a large capture, and time sosdump's decoding of it.",
        subcommands: [Generate.self, Storm.self, Decode.self, Blast.self]
    )
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a synthetic pcap of about the given size.")

    @Option(name: .customLong("size-mib"), help: "Size in MiB.")
    var sizeMiB = 1024

    @Argument(help: "Where to write the capture.")
    var file: String

    func run() throws {
        let target = Int64(sizeMiB) << 20
        var generator = SyntheticTraffic()
        guard let out = FileHandle(forWritingAtPath: file) ?? {
            _ = FileManager.default.createFile(atPath: file, contents: nil)
            return FileHandle(forWritingAtPath: file)
        }() else { throw ValidationError("cannot write \(file)") }
        try out.truncate(atOffset: 0)
        var chunk: [UInt8] = []
        chunk.reserveCapacity(8 << 20)
        chunk += SyntheticTraffic.pcapHeader
        var written: Int64 = 0
        var frames = 0
        while written + Int64(chunk.count) < target {
            generator.appendNextRecord(to: &chunk)
            frames += 1
            if chunk.count >= 8 << 20 {
                try out.write(contentsOf: chunk)
                written += Int64(chunk.count)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        try out.write(contentsOf: chunk)
        written += Int64(chunk.count)
        try out.close()
        print("wrote \(file): \(frames) frames, \(written) bytes")
    }
}

struct Storm: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a site's boot storm: 20,000 phones each getting DHCP and fetching its files by TFTP (BootStorm).")

    @Option(help: "Phones.")
    var phones = 20_000

    @Option(name: .customLong("size-mib"), help: "About this many MiB (the firmware parts are sized to it).")
    var sizeMiB = 1024

    @Flag(help: "Every phone boots within 2 s instead of 5 minutes.")
    var burst = false

    @Argument(help: "Where to write the capture.")
    var file: String

    func run() throws {
        let plan = burst ? BootStorm.Plan.burst(phones: phones, sizeMiB: sizeMiB) : .storm(phones: phones, sizeMiB: sizeMiB)
        var storm = BootStorm(plan: plan)
        guard FileManager.default.createFile(atPath: file, contents: nil), let out = FileHandle(forWritingAtPath: file) else {
            throw ValidationError("cannot write \(file)")
        }
        var chunk = BootStorm.pcapHeader
        chunk.reserveCapacity(9 << 20)
        var written = 0
        while storm.appendNextRecord(to: &chunk) {
            if chunk.count >= 8 << 20 {
                try out.write(contentsOf: chunk)
                written += chunk.count
                chunk.removeAll(keepingCapacity: true)
            }
        }
        try out.write(contentsOf: chunk)
        written += chunk.count
        try out.close()
        print("wrote \(file): \(storm.frames) frames, \(written) bytes, \(plan.phones) phones, \(plan.transfers) transfers (\(plan.errors) ERROR 1), parts of \(plan.partSize) bytes")
    }
}

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read and decode every frame without printing; report rates.")

    @Flag(inversion: .prefixedNo, help: "Follow TFTP transfers (rebuild and hash files) while decoding.")
    var tracking = true

    @Argument(help: "A pcap or pcapng file.")
    var file: String

    func run() throws {
        let start = ContinuousClock.now
        let reader = try CaptureReader(path: file)
        let decoder = FrameDecoder()
        var tracker = TFTPTransferTracker()
        var frames = 0, capturedBytes = 0, udp = 0, stops = 0, badChecksums = 0, tagged = 0, ipv6 = 0
        var d = Dissection()
        let tracking = tracking  // read the flag once, not per frame
        while let frame = try reader.next() {
            decoder.decode(frame, into: &d)
            if tracking { tracker.observe(d) }
            frames += 1
            capturedBytes += frame.capturedLength
            if let (header, _) = d.udp {
                udp += 1
                if case .invalid = header.checksumStatus { badChecksums += 1 }
            }
            if d.stop != nil { stops += 1 }
            if !d.vlanTags.isEmpty { tagged += 1 }
            if case .ipv6 = d.network { ipv6 += 1 }
        }
        let transfers = tracker.finish()
        let elapsed = start.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let fileBytes = reader.bytesConsumed
        print("""
            frames \(frames) udp \(udp) vlan \(tagged) ipv6 \(ipv6) stopped \(stops) bad_udp_checksums \(badChecksums)
            seconds \(String(format: "%.3f", seconds)) frames_per_s \(Int(Double(frames) / seconds)) \
            MB_per_s \(String(format: "%.0f", Double(fileBytes) / seconds / 1e6)) peak_rss_KiB \(usage.ru_maxrss) \
            file_bytes \(fileBytes) captured_bytes \(capturedBytes)
            """)
        for t in transfers {
            print("transfer \(t.number) \(t.fileName) \(t.outcome.rawValue) bytes \(t.file.bytesCaptured) kept \(t.file.bytes.count) sha256 \(t.digests?.sha256 ?? "-")")
        }
    }
}
