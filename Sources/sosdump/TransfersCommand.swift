import ArgumentParser
import Foundation
import SOSDump

/// `sosdump transfers`: every TFTP transfer in a capture, as a table or JSON.
struct TransfersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfers",
        abstract: "List every TFTP transfer: who asked, who answered, how far it got, and why it stopped.",
        discussion: """
            A transfer is followed from its read or write request (to port 69 of any address, \
            a multicast group included) by the client's address and port; the server's port is \
            taken from its first reply, as TFTP clients do, so transfers whose DATA comes from \
            another address than the request went to (the S.O.S. recovery's) are followed too. \
            Block numbers past 65535, negotiated block and window sizes, retransmissions, gaps \
            in the capture, ERROR packets and ICMP unreachables are all accounted for.

            Each row gives the transfer's number, its request frame and time, the client and \
            the server (address:port), read or write, the file name, the bytes and blocks of \
            DATA captured, the seconds from request to last packet, the rate, and the outcome: \
            complete, error, option-probe (a client that only asked for the size: not a \
            failure), unreachable, unanswered or stalled. Indented lines below a row say the \
            rest: options, the file's SHA-256, retransmissions, gaps, the error, and where a \
            transfer that did not finish stopped and which side went quiet. When a transfer \
            carried a firmware image (or a .bin the phone took for one), the phone's loader \
            checks run on it and the catalog names it, as `sosdump verify` does; a transfer \
            that stopped is checked as far as it got.

            Each transfer is written as it ends (in request order, within a window of 1000), \
            so memory holds only the transfers still open. With --format json the output is one \
            JSON object: {"capture", "transfers": [...], "damage"}; see docs/tftp-tracking.md \
            for every field.

            As with tcpdump: `-r FILE` (or the file as a word; several files are read one after \
            another as one capture, so a transfer goes on across rotated files), `-n` (sosdump \
            never resolves names), and a read filter after the files in BPF syntax (`sosdump \
            transfers -r f.pcap host 192.0.2.2`), compiled by libpcap.
            """
    )

    /// What `--format` takes.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @Option(help: "text or json.")
    var format: Format = .text

    /// What `--digests` takes.
    enum Digests: String, ExpressibleByArgument, CaseIterable {
        case sha256
        case all
    }

    @Option(help: "sha256 (and MD5 of firmware images), or all: SHA-1 and MD5 of every file as well.")
    var digests: Digests = .sha256

    @OptionGroup var keepOptions: KeepOptions<KeepForChecks>

    @OptionGroup var catalogOptions: CatalogOptions

    @OptionGroup var input: CapturesAndFilter

    func run() throws {
        let catalog = try catalogOptions.load()
        let filter = try input.filter()
        let file = input.files.joined(separator: ", ")
        var limits = keepOptions.trackerLimits(keep: .images)
        if digests == .all { limits.digests.formUnion(.all) }
        var tracker = TFTPTransferTracker(limits: limits)
        var stream = TransferStream(format: format == .json ? .json : .text, capture: file)
        var output = StandardOutput()
        // Each transfer is checked as it ends, its record written and its
        // bytes let go: memory holds the files still arriving and a window
        // of records, not every record of the capture.
        func take(_ finished: [TFTPTransfer]) {
            for t in finished {
                var record = TransferRecord(t)
                record.image = TransferredImage.examine(t, catalog: catalog).map { ImageRecord(FirmwareReport($0)) }
                for line in stream.add(t, record: record) { output.write(line) }
            }
        }
        var damage: String?
        var warnings: [CaptureWarning] = []
        // The tracker does not look at UDP checksums: they are not computed.
        // Several captures are one: frames numbered on, transfers going on from file to file.
        let decoder = FrameDecoder(checksums: .deferred)
        var numbered = 0
        var d = Dissection()
        for name in input.files where damage == nil {
            let reader = try openCapture(name)
            do {
                while var frame = try reader.next() {
                    guard filter.passes(frame) else { continue }
                    frame.number += numbered
                    decoder.decode(frame, into: &d)
                    tracker.observe(d)
                    if tracker.hasFinished { take(tracker.takeFinished()) }
                }
            } catch {
                damage = PacketListing.damageLine(error, framesRead: reader.framesRead)
            }
            numbered += reader.framesRead
            warnings += reader.warnings
        }
        try filter.check()
        tracker.finish { take([$0]) }
        for line in stream.finish(damage: damage) { output.write(line) }
        output.flush()
        if let damage { warn(damage) }
        for warning in warnings { warn("warning: \(warning)") }
        if tracker.evictedTransfers > 0 {
            warn("warning: \(tracker.evictedTransfers) unfinished transfers were ended early: \(tracker.peakOpenTransfers) were open at once, all the \(limits.memoryBudget >> 20) MiB memory budget (--memory-mib) holds")
        }
        if tracker.lingeringEndedEarly > 0 {
            warn("note: \(tracker.lingeringEndedEarly) finished transfers were closed before their \(limits.lingerSeconds) s linger to make room (\(tracker.peakOpenTransfers) open at once, the \(limits.memoryBudget >> 20) MiB memory budget): their outcome stands, but a late retransmission of one would not be counted")
        }
        if tracker.blocksOverBudget > 0 || tracker.transfersOverBudget > 0 {
            warn("warning: the \(limits.memoryBudget >> 20) MiB memory budget for open transfers (--memory-mib) was reached: \(tracker.blocksOverBudget) blocks were hashed but not kept, and \(tracker.transfersOverBudget) transfers stopped following later blocks")
        }
        if damage != nil { throw ExitStatus.damaged }
    }
}
