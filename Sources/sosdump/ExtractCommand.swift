import ArgumentParser
import Foundation
import SOSDump

/// `sosdump extract`: writes the file each TFTP transfer carried.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Write the file each TFTP transfer carried into a directory.",
        discussion: """
            Every transfer that carried DATA is rebuilt from its blocks (in any order, \
            retransmissions once) and written to DIR. A complete file is written as NAME; an \
            incomplete one as NAME.partial, its missing ranges zero-filled, with NAME.partial.gaps \
            beside it listing each missing byte range and why (not captured though acknowledged, \
            not captured, cut by the snap length, not kept).

            Names come from the wire, so they are made safe: the path is flattened (`/a/../b.bin` \
            becomes `a_b.bin`), control characters and characters Windows forbids become `_`, \
            device names (CON, NUL, COM1 ...) and names starting with `.` get a leading `_`, and \
            a name used twice gets the transfer's number (`spa71f6-3.bin`). An existing file is \
            never replaced without --force, and a symbolic link is never followed.

            Exit status: 0 when every file was written; 1 when the capture is damaged (the files \
            read before the damage are written); 2 when it cannot be read; 73 when a file could \
            not be written (it exists, or DIR is not writable).
            """
    )

    @Option(name: .shortAndLong, help: "The directory to write into (created if missing).")
    var output: String

    @Flag(help: "Replace files that already exist.")
    var force = false

    @OptionGroup var keepOptions: KeepOptions<KeepForWriting>

    @Argument(help: "A pcap or pcapng file, or - for standard input.")
    var file: String

    func run() throws {
        let reader = try openCapture(file)
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            warn("cannot create \(output): \(error.localizedDescription)")
            throw ExitStatus.cannotWrite
        }
        let limits = keepOptions.trackerLimits(keep: .everything)
        var tracker = TFTPTransferTracker(limits: limits)
        var writer = Writer(directory: output, force: force)
        var damage: String?
        do {
            // The tracker does not look at UDP checksums: they are not computed.
            try FrameDecoder(udpChecksums: .deferred).decodeAll(from: reader) { d in
                tracker.observe(d)
                if tracker.hasFinished { writer.write(tracker.takeFinished()) }
            }
        } catch {
            damage = PacketListing.damageLine(error, framesRead: reader.framesRead)
        }
        writer.write(tracker.finish())
        writer.output.flush()
        if let damage { warn(damage) }
        for warning in reader.warnings { warn("warning: \(warning)") }
        if writer.transfers == 0 { warn("no TFTP transfers in \(file)") }
        if writer.failures > 0 { throw ExitStatus.cannotWrite }
        if damage != nil { throw ExitStatus.damaged }
    }

    /// Writes transfers' files as they finish, so their bytes are released.
    struct Writer {
        let directory: String
        let force: Bool
        var output = StandardOutput()
        var used: Set<String> = []
        var failures = 0
        var transfers = 0

        mutating func write(_ finished: [TFTPTransfer]) {
            for t in finished { write(t) }
        }

        private mutating func write(_ t: TFTPTransfer) {
            transfers += 1
            let label = "#\(t.number) \(TransferTable.printable(t.fileName))"
            guard t.file.blocksCaptured > 0 else {
                output.write("skipped \(label): no DATA captured (\(t.outcome.rawValue))")
                return
            }
            var name = ExtractedFile.safeName(fromWire: t.fileName, transferNumber: t.number)
            if used.contains(name) { name = ExtractedFile.numbered(name, t.number) }
            used.insert(name)
            let whole = t.file.isKeptWhole
            let path = directory + "/" + (whole ? name : name + ".partial")
            guard save(t.file.bytes, to: path) else { return }
            if whole {
                output.write("wrote \(path): \(t.file.bytes.count) bytes, complete, sha256 \(t.digests?.sha256 ?? "-")")
            } else {
                guard save(Array(ExtractedFile.gapMap(of: t, writtenBytes: t.file.bytes.count).utf8), to: path + ".gaps") else { return }
                let of = t.file.size.map { " of \($0)" } ?? ""
                output.write("wrote \(path): \(t.file.bytesCaptured)\(of) bytes captured, gap map in \(path).gaps")
            }
        }

        /// Creates `path` (never through a symbolic link; replacing a file
        /// only with --force) and writes `bytes`.
        private mutating func save(_ bytes: [UInt8], to path: String) -> Bool {
            let flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (force ? O_TRUNC : O_EXCL)
            let fd = open(path, flags, 0o644)
            guard fd >= 0 else {
                let reason = errno == EEXIST ? "it exists (use --force to replace it)" : String(cString: strerror(errno))
                warn("not written: \(path): \(reason)")
                failures += 1
                return false
            }
            defer { close(fd) }
            let ok = bytes.withUnsafeBytes { writeAll($0, to: fd) }
            if !ok {
                warn("not written: \(path): \(String(cString: strerror(errno)))")
                failures += 1
            }
            return ok
        }
    }
}
