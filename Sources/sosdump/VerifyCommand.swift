import ArgumentParser
import Foundation
import Glibc
import SOSDump

/// `sosdump verify`: checks a firmware image on disk as the phone's loader
/// would, and names it from the catalog.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a SPA30x/SPA50x firmware image (.bin) as the phone's recovery loader does.",
        discussion: """
            Runs every check the loader makes, in its order (header digest and randseq, then \
            each sector's bounds and MD5, inflating zlib sectors), and says which one fails with \
            the line the phone prints (`incorrect firmware digest`, `Sector 33 digest error`, …). \
            Checks the loader does not make are listed too: magic, total length, version, layout, \
            the 10 MiB the loader has room for, and which sectors it would write. The image is \
            then looked up by SHA-256 in the catalog (see `sosdump catalog`).

            With --partial the file is taken as the first bytes of an image (a transfer that \
            stopped): checks that need the rest are listed as not checked instead of failed.

            Exit status: 0 when the loader accepts the image; 1 when nothing failed but not \
            every check could be made (--partial, or more than 4096 sectors); 2 when the file or a catalog cannot be \
            read; 3 when the loader would reject the image (or it is too big for the loader's \
            memory); 4 when the file is not a firmware image at all (no KOSMOS header: a capture, \
            a zip, a text); 64 for a usage error. See docs/firmware.md for what each check means.
            """
    )

    /// What `--format` takes.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @Option(help: "text or json.")
    var format: Format = .text

    @Flag(help: "The file is the first part of an image; more was to come.")
    var partial = false

    @Option(help: "The name the phone asked for (its TFTP file name), to compare with the catalog; default: the file's name.")
    var name: String?

    @OptionGroup var catalogOptions: CatalogOptions

    @Argument(help: "The firmware image (.bin); - for standard input.")
    var image: String

    func run() throws {
        let catalog = try catalogOptions.load()
        let bytes = try readImage(image)
        // Not an image at all: say what it is instead of failing every check.
        if !partial || bytes.count >= FirmwareImageLayout.magic.count, !bytes.starts(with: FirmwareImageLayout.magic) {
            if CaptureReader.looksLikeCapture(bytes) {
                warn("\(image): this is a capture, not a firmware image: try `sosdump analyze \(image)` (or `sosdump extract` for the files it carries)")
            } else if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
                warn("\(image): this is a zip file (a vendor bundle?), not a firmware image: unzip it and verify the .bin inside, or `sosdump catalog import \(image)`")
            } else {
                warn("\(image): no KOSMOS header (it does not begin with \"SkOsMo5 fIrMwArE\"): not a firmware image")
            }
            throw ExitStatus.notAnImage
        }
        let verification = bytes.withUnsafeBytes { FirmwareVerification($0, extent: partial ? .prefix : .complete) }
        let identification = catalog.identify(verification, fileName: name ?? image)
        let report = FirmwareReport(file: image, verification: verification, identification: identification)
        var output = StandardOutput()
        switch format {
        case .text: FirmwareText().lines(report).forEach { output.write($0) }
        case .json: output.write(report.json)
        }
        output.flush()
        switch verification.verdict {
        case .accepted: return
        case .rejected: throw ExitStatus.rejected
        case .incomplete: throw ExitStatus.damaged
        }
    }
}

/// Reads a whole image or bundle (`-`: standard input; a pipe or FIFO
/// works too), or exits with the unreadable status and a plain reason.
func readImage(_ path: String) throws -> Data {
    let limit = FirmwareImport.maximumFileSize
    switch ImageFile.read(path, limit: limit) {
    case .success(let data):
        return data
    case .failure(let problem):
        let words = switch problem {
        case .tooLarge: "more than the \(limit >> 20) MiB sosdump reads: not a firmware image"
        case .folder: "a folder, not a file"
        case .system(let code): "cannot read: " + ImageFile.plainReason(code)
        }
        warn("\(path): \(words)")
        throw ExitStatus.unreadable
    }
}

/// Reads a file whole with read(2), as far as a limit: a regular file, a
/// pipe, a FIFO or standard input alike (Foundation's `Data(contentsOf:)`
/// refuses pipes with an unhelpful message).
enum ImageFile {
    enum Problem: Error {
        case tooLarge
        case folder
        case system(Int32)
    }

    static func read(_ path: String, limit: Int) -> Result<Data, Problem> {
        let fd = path == "-" ? dup(0) : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(.system(errno)) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return .failure(.folder) }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.system(errno))
            }
            if n == 0 { return .success(data) }
            data.append(contentsOf: chunk[0..<n])
            if data.count > limit { return .failure(.tooLarge) }
        }
    }

    /// The system's reason in plain words.
    static func plainReason(_ code: Int32) -> String {
        switch code {
        case ENOENT: "no such file"
        case EACCES, EPERM: "permission denied (the file's permissions do not let you read it)"
        case EISDIR: "a folder, not a file"
        default: String(cString: strerror(code))
        }
    }
}
