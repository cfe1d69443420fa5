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
            incomplete one as NAME.partial, its missing ranges left as holes (a sparse file: they \
            read as zeros and take no disk space), with NAME.partial.gaps beside it listing each \
            missing byte range and why (not captured though acknowledged, not captured, cut by \
            the snap length, not kept).

            Names come from the wire, so they are made safe: the path is flattened (`/a/../b.bin` \
            becomes `a_b.bin`), control characters and characters Windows forbids become `_`, \
            device names (CON, NUL, COM1 ...) and names starting with `.` get a leading `_`, and \
            a name used twice gets the transfer's number (`spa71f6-3.bin`). Each file is written \
            to a new file created in DIR and then renamed to its name, so a failed write leaves \
            nothing behind and never a .partial without its .gaps. An existing name is never \
            replaced without --force, and with --force only when it is a regular file with one \
            link (never a symbolic link, a hard link to a file elsewhere, a FIFO or a device).

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

    @OptionGroup var input: CaptureFileOption

    var file: String { input.file }

    func run() throws {
        let reader = try openCapture(file)
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            warn("cannot create \(output): \(FirmwareCatalog.reason(error))")
            throw ExitStatus.cannotWrite
        }
        let limits = keepOptions.trackerLimits(keep: .everything)
        var tracker = TFTPTransferTracker(limits: limits)
        // A full disk or `ulimit -f` must fail a write (EFBIG), not kill the run.
        signal(SIGXFSZ, SIG_IGN)
        let folder: SafeFolder
        do {
            folder = try SafeFolder(path: output, replacing: force)
        } catch {
            warn("cannot write into \(output): \(error)")
            throw ExitStatus.cannotWrite
        }
        var writer = Writer(folder: folder)
        var damage: String?
        do {
            // The tracker does not look at UDP checksums: they are not computed.
            try FrameDecoder(checksums: .deferred).decodeAll(from: reader) { d in
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
        let folder: SafeFolder
        var output = StandardOutput()
        var used: Set<String> = []
        var failures = 0
        var transfers = 0

        mutating func write(_ finished: [TFTPTransfer]) {
            for t in finished { write(t) }
        }

        private mutating func write(_ t: TFTPTransfer) {
            transfers += 1
            let label = "#\(t.number) \(t.fileName)"
            guard t.file.blocksCaptured > 0 else {
                say("skipped \(label): no DATA captured (\(t.outcome.rawValue))")
                return
            }
            var name = ExtractedFile.safeName(fromWire: t.fileName, transferNumber: t.number)
            if used.contains(name) { name = ExtractedFile.numbered(name, t.number) }
            used.insert(name)
            let whole = t.file.isKeptWhole
            let target = whole ? name : name + ".partial"
            let path = folder.path + "/" + target
            let length = t.file.bytes.count
            // Present ranges are written, gaps left as holes (a sparse file).
            let ranges = ExtractedFile.presentRanges(of: t.file, writtenBytes: length)
            var files = [SafeFolder.NewFile(name: target, length: length) { fd in
                t.file.bytes.withUnsafeBytes { raw in
                    ranges.allSatisfy { writeAll(UnsafeRawBufferPointer(rebasing: raw[$0]), to: fd, at: $0.lowerBound) }
                }
            }]
            if !whole {
                // The gap map goes in first: a .partial never stands without it.
                let map = Array(ExtractedFile.gapMap(of: t, writtenBytes: length).utf8)
                files.insert(SafeFolder.NewFile(name: target + ".gaps", length: map.count) { fd in
                    map.withUnsafeBytes { writeAll($0, to: fd, at: 0) }
                }, at: 0)
            }
            do {
                try folder.write(files)
            } catch {
                output.flush()
                warn("not written: \(error)")
                failures += 1
                return
            }
            if whole {
                say("wrote \(path): \(length) bytes, complete, sha256 \(t.digests?.sha256 ?? "-")")
            } else {
                let of = t.file.size.map { " of \($0)" } ?? ""
                say("wrote \(path): \(t.file.bytesCaptured)\(of) bytes captured, gap map in \(path).gaps")
            }
        }

        /// A line naming wire file names and paths: escaped for the terminal.
        private mutating func say(_ line: String) { output.write(TerminalText.escaped(line)) }
    }
}
