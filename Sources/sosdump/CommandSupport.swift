import ArgumentParser
import Foundation
import SOSDump
import SOSDumpLive

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
    /// not wait for a buffer to fill (`live`'s events). False when standard
    /// output takes no more (`errno` says why: EPIPE when its reader is gone).
    @discardableResult
    static func writeNow(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: 1) }
    }
}

/// Writes every byte to `fd` (at `offset`, when given, with `pwrite`),
/// again where a signal interrupted the write; false when `fd` takes no
/// more (`errno` says why).
func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32, at offset: Int? = nil) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    var done = 0
    while done < bytes.count {
        let n = offset.map { Glibc.pwrite(fd, base + done, bytes.count - done, off_t($0 + done)) }
            ?? Glibc.write(fd, base + done, bytes.count - done)
        if n < 0, errno == EINTR { continue }
        if n <= 0 { return false }
        done += n
    }
    return true
}

/// A line on standard error, after the program's name.
/// Messages name files, zip members and captures' contents, so each of
/// their lines goes through `TerminalText.escaped` as every text
/// renderer's lines do (a few messages are several lines, an unknown
/// interface's with the list of those that exist).
func warn(_ message: String) {
    let lines = message.split(separator: "\n", omittingEmptySubsequences: false).map { TerminalText.escaped($0) }
    FileHandle.standardError.write(Data("sosdump: \(lines.joined(separator: "\n"))\n".utf8))
}

/// Opens a capture file, or standard input for `-`; when it cannot be
/// read, says what and where on standard error and throws the unreadable
/// exit status.
func openCapture(_ path: String, name: String? = nil) throws -> CaptureReader {
    do {
        guard let name else { return try CaptureReader(path: path) }
        return try CaptureReader(input: try FileInput(path: path), name: name == "-" ? FileInput.standardInputName : name)
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
    var memoryMib = 80

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

/// One capture to read, as tcpdump takes it (`-r FILE`) or as a word
/// (`FILE`); `-` is standard input. `-n` is taken and changes nothing:
/// sosdump never resolves addresses or ports to names.
struct CaptureFileOption: ParsableArguments {
    @Option(name: .customShort("r"), help: ArgumentHelp("Read this capture, as tcpdump -r does (- for standard input).", valueName: "file"))
    var readFile: String?

    @Argument(help: ArgumentHelp("A pcap or pcapng file, or - for standard input (or give it with -r).", valueName: "file"))
    var word: String?

    @Flag(name: .customShort("n"), help: "Taken for tcpdump's habit; sosdump never resolves names.")
    var noNames = false

    /// The capture named.
    var file: String { readFile ?? word ?? "-" }

    func validate() throws {
        if readFile != nil, word != nil { throw ValidationError("Name the capture once: with -r or as a word, not both.") }
        if readFile == nil, word == nil { throw ValidationError("Name a capture to read (a file, -r FILE, or - for standard input).") }
    }
}

/// Captures and a read filter, as tcpdump and tshark take them: `-r FILE`
/// (again for more files) or the files as the first words, then a BPF
/// filter expression in the words after them (`packets -r f.pcap udp port
/// 69`, `packets f.pcap udp port 69`). Without -r, the leading words that
/// name a file (or `-`) are the captures; the first that does not begins
/// the filter. Several captures are read one after another as one (as
/// `mergecap -a` joins them): frames are numbered on, and a transfer
/// goes on from one file to the next (rotated captures, `tcpdump -C`).
struct CapturesAndFilter: ParsableArguments {
    @Option(name: .customShort("r"), help: ArgumentHelp("Read this capture, as tcpdump -r does (- for standard input); give -r again for more.", valueName: "file"))
    var readFiles: [String] = []

    @Flag(name: .customShort("n"), help: "Taken for tcpdump's habit; sosdump never resolves names.")
    var noNames = false

    @Argument(help: ArgumentHelp("Captures (pcap or pcapng files, - for standard input) unless given with -r, then a read filter in BPF syntax as tcpdump takes it (pcap-filter(7)), compiled by libpcap: only frames it matches are read.", valueName: "file|filter"))
    var words: [String] = []

    /// The captures named.
    var files: [String] {
        readFiles.isEmpty ? Array(words.prefix { $0 == "-" || FileManager.default.fileExists(atPath: $0) }) : readFiles
    }

    /// The filter expression, if any.
    var expression: String? {
        let rest = readFiles.isEmpty ? Array(words.drop { $0 == "-" || FileManager.default.fileExists(atPath: $0) }) : words
        return CaptureFilter.expression(fromWords: rest)
    }

    func validate() throws {
        if files.isEmpty {
            if let first = words.first { throw ValidationError("\(first): no such capture file.") }
            throw ValidationError("Name a capture to read (a file, -r FILE, or - for standard input).")
        }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("Standard input can be read only once.") }
    }

    /// The compiled filter; a usage error when it does not compile.
    func filter() throws -> FrameFilter {
        guard let expression else { return FrameFilter(filter: nil) }
        do {
            return FrameFilter(filter: try ReadFilter(expression))
        } catch {
            warn("\(error)")
            throw ExitCode(64)
        }
    }
}

/// A read filter applied frame by frame: the first link type it does not
/// compile for is kept, and reported when reading is done (a usage error).
final class FrameFilter {
    let filter: ReadFilter?
    private(set) var error: LiveCaptureError?

    init(filter: ReadFilter?) { self.filter = filter }

    func passes(_ frame: CapturedFrame) -> Bool {
        guard let filter else { return true }
        do throws(LiveCaptureError) {
            return try filter.matches(frame)
        } catch {
            self.error = self.error ?? error
            return false
        }
    }

    /// Throws the usage status when the expression failed to compile for a link type met.
    func check() throws {
        guard let error else { return }
        warn("\(error)")
        throw ExitCode(64)
    }
}

/// tcpdump's habit of a value joined to its short option (`-c1`, `-rfile`):
/// split into two words, for the short options that take a value.
func splittingJoinedShortOptions(_ arguments: [String]) -> [String] {
    var out: [String] = []
    var rest = false
    for a in arguments {
        if rest || a == "--" {
            rest = true
            out.append(a)
            continue
        }
        if a.count > 2, a.hasPrefix("-"), !a.hasPrefix("--"), let letter = a.dropFirst().first, "crowisB".contains(letter) {
            out.append("-\(letter)")
            out.append(String(a.dropFirst(2)))
        } else {
            out.append(a)
        }
    }
    return out
}
