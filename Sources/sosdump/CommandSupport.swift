import ArgumentParser
import Foundation
import SOSDump

// What the subcommands share: the exit statuses, standard output and
// error, opening a capture, and `--keep-mib`. Each command declares its
// own `--format` values (its `Format` enum), so its help lists only those.

/// Exit statuses shared by every subcommand (see the root command's help).
enum ExitStatus {
    static let damaged = ExitCode(1)
    static let unreadable = ExitCode(2)
    /// sysexits.h EX_CANTCREAT: `extract` could not write a file.
    static let cannotWrite = ExitCode(73)
    /// The phone's loader would reject the firmware image (or could not hold it).
    static let rejected = ExitCode(3)
    /// `verify`: the file is not a firmware image at all.
    static let notAnImage = ExitCode(4)
}

/// Buffered standard output: one write per 64 KiB, not per line.
struct StandardOutput {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    mutating func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        buffer.withUnsafeBytes { _ = writeAll($0, to: 1) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes `text` at once, unbuffered: a program reading the pipe must
    /// not wait for a buffer to fill (`live`'s events).
    static func writeNow(_ text: String) {
        var text = text
        text.withUTF8 { _ = writeAll(UnsafeRawBufferPointer($0), to: 1) }
    }
}

/// Writes every byte to `fd`, again where a signal interrupted the write;
/// false when `fd` takes no more (`errno` says why).
func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    var done = 0
    while done < bytes.count {
        let n = Glibc.write(fd, base + done, bytes.count - done)
        if n < 0, errno == EINTR { continue }
        if n <= 0 { return false }
        done += n
    }
    return true
}

/// A line on standard error, after the program's name.
func warn(_ message: String) {
    FileHandle.standardError.write(Data("sosdump: \(message)\n".utf8))
}

/// Opens a capture file, or standard input for `-`; when it cannot be
/// read, says what and where on standard error and throws the unreadable
/// exit status.
func openCapture(_ path: String) throws -> CaptureReader {
    do {
        return try CaptureReader(path: path)
    } catch {
        warn("\(error)")
        throw ExitStatus.unreadable
    }
}

/// `--keep-mib`, for the commands that rebuild transferred files: how many
/// MiB of each file are kept in memory; beyond that the file is only
/// hashed. `Use` gives the help, which says what the bytes are kept for,
/// and the least value the command takes.
struct KeepOptions<Use: KeepUse>: ParsableArguments {
    @Option(help: ArgumentHelp(Use.help))
    var keepMib = 64

    @Option(help: ArgumentHelp("The memory all open TFTP transfers may hold together, in MiB: kept bytes, bytes waiting to be hashed, and their bookkeeping. Past it blocks are hashed but not kept, and new transfers end the oldest idle ones."))
    var memoryMib = 256

    func validate() throws {
        guard memoryMib >= 16, memoryMib <= 1 << 16 else {
            throw ValidationError("--memory-mib must be between 16 and 65536.")
        }
        guard keepMib >= Use.minimum, keepMib <= memoryMib else {
            throw ValidationError("--keep-mib must be between \(Use.minimum) and --memory-mib (\(memoryMib)).")
        }
    }

    /// The limit in bytes (`TFTPTransferTracker.Limits.keepBytesPerTransfer`).
    var bytes: Int { keepMib << 20 }

    /// The tracker's limits with these options: `keep` says which files'
    /// bytes the command reads.
    func trackerLimits(keep: TFTPTransferTracker.Limits.Keep) -> TFTPTransferTracker.Limits {
        var limits = keep == .everything ? TFTPTransferTracker.Limits() : .checking
        limits.keepBytesPerTransfer = bytes
        limits.memoryBudget = memoryMib << 20
        return limits
    }
}

/// What a command keeps a transferred file's bytes for (see `KeepOptions`).
protocol KeepUse {
    /// `--keep-mib`'s help.
    static var help: String { get }
    /// The least `--keep-mib` the command takes.
    static var minimum: Int { get }
}

/// `transfers`: the firmware checks of each transfer.
enum KeepForChecks: KeepUse {
    static let help = "Keep at most this many MiB of each file for the firmware checks (beyond it the file is only hashed)."
    static let minimum = 0
}

/// `extract`: the files it writes, at least 1 MiB of each.
enum KeepForWriting: KeepUse {
    static let help = "Keep at most this many MiB of each file (beyond it the file is only hashed)."
    static let minimum = 1
}

/// `analyze`: the firmware checks of each download.
enum KeepForAnalysis: KeepUse {
    static let help = "Keep at most this many MiB of each downloaded file for the firmware checks."
    static let minimum = 0
}
