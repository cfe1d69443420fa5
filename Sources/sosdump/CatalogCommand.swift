import ArgumentParser
import Foundation
import SOSDump

/// `sosdump catalog`: the known firmware, and learning more of it.
struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "List the known firmware, or learn it from the vendor's downloads.",
        discussion: """
            sosdump knows the vendor's firmware bundles (zip files) by SHA-256. The images \
            inside them it learns from the bundles you downloaded: `sosdump catalog import` \
            checks each bundle against the known ones, verifies the .bin inside as the phone's \
            loader would, and records it in your catalog, \
            $XDG_DATA_HOME/sosdump/catalog.json (else ~/.local/share/sosdump/catalog.json), \
            or the file given with --catalog. The format is described in docs/firmware.md.
            """,
        subcommands: [ListCommand.self, ImportCommand.self]
    )

    struct ListCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the images and bundles sosdump knows (built in, and your catalog)."
        )

        /// What `--format` takes.
        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text
            case json
        }

        @Option(help: "text or json (the catalog's own JSON format).")
        var format: Format = .text

        @OptionGroup var catalogOptions: CatalogOptions

        func run() throws {
            let catalog = try catalogOptions.load()
            var output = StandardOutput()
            switch format {
            case .text: CatalogListing.lines(catalog).forEach { output.write($0) }
            case .json: output.write(String(decoding: catalog.encoded(), as: UTF8.self))
            }
            output.flush()
        }
    }

    struct ImportCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Learn images from vendor bundles (.zip) or images (.bin) you downloaded.",
            discussion: """
                A bundle whose SHA-256 is not a known vendor bundle is reported, and its images \
                are still verified and recorded (their origin says so). An image the loader \
                would reject is reported and not recorded.

                Exit status: 0 when every file was read and every image in them recorded; 2 \
                when a file or the catalog cannot be read or written; 3 when an image was \
                rejected or a bundle held none.
                """
        )

        @OptionGroup var catalogOptions: CatalogOptions

        @Argument(help: "Bundles (.zip) or images (.bin).")
        var files: [String]

        func validate() throws {
            if files.isEmpty { throw ValidationError("Name at least one bundle or image to import.") }
        }

        func run() throws {
            guard let path = catalogOptions.writablePath else {
                warn("no place for your catalog: set HOME or XDG_DATA_HOME, or give --catalog FILE")
                throw ExitStatus.unreadable
            }
            var mine = try catalogOptions.loadUserCatalog() ?? FirmwareCatalog()
            let known = FirmwareCatalog.builtIn.merging(mine)
            var output = StandardOutput()
            var unreadable = false
            var refused = false
            var added = 0
            for file in files {
                let report: FirmwareImport.Report
                do {
                    // Each image is printed as soon as it is verified.
                    var isBundle = false
                    report = try FirmwareImport.read(path: file, known: known) { step in
                        if case .opened(let r) = step { isBundle = r.isBundle }
                        CatalogListing.importLines(step, isBundle: isBundle, catalogPath: path).forEach { output.write($0) }
                        output.flush()
                    }
                } catch {
                    output.flush()
                    warn("\(error)")
                    unreadable = true
                    continue
                }
                CatalogListing.finishedLines(report).forEach { output.write($0) }
                if report.isBundle && report.images.isEmpty { refused = true }
                for image in report.images {
                    if let entry = image.entry {
                        mine.add(entry)
                        added += 1
                    } else {
                        refused = true
                    }
                }
            }
            output.flush()
            if added > 0 {
                do {
                    try mine.save(path: path)
                } catch {
                    warn("\(error)")
                    throw ExitStatus.unreadable
                }
            }
            if unreadable { throw ExitStatus.unreadable }
            if refused { throw ExitStatus.rejected }
        }
    }
}

/// `--catalog FILE`, shared by the commands that read a catalog.
struct CatalogOptions: ParsableArguments {
    @Option(
        name: .customLong("catalog"),
        help: ArgumentHelp(
            "A catalog file, used instead of your own catalog.",
            discussion: "Default: $XDG_DATA_HOME/sosdump/catalog.json, else ~/.local/share/sosdump/catalog.json.",
            valueName: "file"
        )
    )
    var path: String?

    /// Where `import` writes.
    var writablePath: String? { path ?? FirmwareCatalog.userCatalogPath() }

    /// The user's catalog: the --catalog file (which must be readable when it
    /// exists), or the per-user one; nil when there is none yet.
    func loadUserCatalog() throws -> FirmwareCatalog? {
        // Absent is fine here: import creates it; load() refuses a named file that is absent.
        guard let file = writablePath, FileManager.default.fileExists(atPath: file) else { return nil }
        do {
            return try FirmwareCatalog.load(path: file)
        } catch {
            warn("\(error)")
            throw ExitStatus.unreadable
        }
    }

    /// The built-in catalog with the user's added.
    func load() throws -> FirmwareCatalog {
        if let path, !FileManager.default.fileExists(atPath: path) {
            warn("\(path): cannot read: no such file")
            throw ExitStatus.unreadable
        }
        let mine = try loadUserCatalog()
        return mine.map { FirmwareCatalog.builtIn.merging($0) } ?? .builtIn
    }
}
