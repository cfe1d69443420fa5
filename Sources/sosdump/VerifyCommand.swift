import ArgumentParser
import Foundation
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
            memory); 64 for a usage error. See docs/firmware.md for what each check means.
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

    @Argument(help: "The firmware image (.bin).")
    var image: String

    func run() throws {
        let catalog = try catalogOptions.load()
        let bytes = try readImage(image)
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

/// Reads a whole image or bundle, or exits with the unreadable status.
func readImage(_ path: String) throws -> Data {
    let limit = FirmwareImport.maximumFileSize
    do {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        if let size = attributes[.size] as? Int, size > limit {
            warn("\(path): \(size) bytes, more than the \(limit >> 20) MiB sosdump reads: not a firmware image")
            throw ExitStatus.unreadable
        }
        return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch let exit as ExitCode {
        throw exit
    } catch {
        warn("\(path): cannot read: \(FirmwareCatalog.reason(error))")
        throw ExitStatus.unreadable
    }
}
