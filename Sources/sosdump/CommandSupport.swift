import ArgumentParser
import Foundation
import SOSDump

// What the subcommands share: the exit statuses, standard output and
// error, and opening a capture.

/// Exit statuses shared by every subcommand (see the root command's help).
enum ExitStatus {
    static let damaged = ExitCode(1)
    static let unreadable = ExitCode(2)
    /// sysexits.h EX_CANTCREAT: `extract` could not write a file.
    static let cannotWrite = ExitCode(73)
    /// The phone's loader would reject the firmware image (or could not hold it).
    static let rejected = ExitCode(3)
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
        buffer.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var done = 0
            while done < raw.count {
                let n = Glibc.write(1, base + done, raw.count - done)
                if n <= 0 { break }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
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
