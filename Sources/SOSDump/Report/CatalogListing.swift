/// What `sosdump catalog list` and `catalog import` print, as text lines.
/// Every line passes through `TerminalText.escaped`: a catalog file and a
/// bundle's member names are as hostile as a capture.
public enum CatalogListing {
    /// Images, then bundles, each in release order (unknown versions last).
    public static func lines(_ catalog: FirmwareCatalog) -> [String] {
        unescapedLines(catalog).map { TerminalText.escaped($0) }
    }

    private static func unescapedLines(_ catalog: FirmwareCatalog) -> [String] {
        var lines = ["images (\(catalog.images.count)):"]
        if catalog.images.isEmpty {
            lines.append("  none yet: `sosdump catalog import` learns them from the vendor's bundles you downloaded")
        }
        let images = catalog.images.sorted { order($0.release ?? $0.imageVersion, $1.release ?? $1.imageVersion) }
        for image in images {
            let names = [image.release, image.imageVersion.map { "image \($0)" }].compactMap { $0 }.joined(separator: ", ")
            lines.append("  \(names.isEmpty ? "?" : names)  \(image.file)  \(image.size) bytes  sha256 \(image.sha256)")
            if let origin = image.origin { lines.append("      \(origin)") }
        }
        lines.append("bundles (\(catalog.bundles.count)):")
        for bundle in catalog.bundles.sorted(by: { order($0.release, $1.release) }) {
            lines.append("  \(bundle.release ?? "?")  \(bundle.file)  \(bundle.size) bytes  sha256 \(bundle.sha256)")
        }
        return lines
    }

    private static func order(_ a: String?, _ b: String?) -> Bool {
        switch (a.flatMap(SPAVersion.init), b.flatMap(SPAVersion.init)) {
        case let (x?, y?): x < y
        case (.some, nil): true
        default: false
        }
    }

    /// What became of one imported file, all at once: its `opened` lines,
    /// a line per image, then its `finished` lines.
    public static func importLines(_ report: FirmwareImport.Report, catalogPath: String) -> [String] {
        var lines = importLines(.opened(report), isBundle: report.isBundle, catalogPath: catalogPath)
        for image in report.images { lines += importLines(.image(image), isBundle: report.isBundle, catalogPath: catalogPath) }
        return lines + finishedLines(report)
    }

    /// The lines for one step of an import, printed as it happens (so a
    /// bundle of many images shows each as it is verified).
    public static func importLines(_ step: FirmwareImport.Progress, isBundle: Bool, catalogPath: String) -> [String] {
        var lines: [String] = []
        switch step {
        case .opened(let report):
            guard report.isBundle else { break }
            if let bundle = report.bundle {
                lines.append("\(report.path): a known vendor bundle, release \(bundle.release ?? "?") (\(bundle.file))")
            } else {
                lines.append("\(report.path): not a known vendor bundle (SHA-256 \(report.sha256), \(report.size) bytes): check where it came from; its images are still checked")
            }
        case .image(let image):
            let v = image.verification
            let name = isBundle ? "  \(image.name)" : image.name
            let version = v.version.map { "version \($0)" } ?? "version unreadable"
            switch v.verdict {
            case .accepted:
                lines.append("\(name): \(version), \(v.length) bytes, the loader accepts it: recorded in \(catalogPath)")
            case .rejected(let check):
                let message = check.loaderMessage.map { "\"\($0)\"" } ?? check.title
                lines.append("\(name): \(version), the loader rejects it (\(message): \(check.detail)): not recorded")
            case .incomplete(let check):
                lines.append("\(name): \(version), not every check could be made (\(check.title)): not recorded")
            }
        }
        return lines.map { TerminalText.escaped($0) }
    }

    /// What follows a file's images: that a bundle held none, what was skipped.
    public static func finishedLines(_ report: FirmwareImport.Report) -> [String] {
        var lines: [String] = []
        if report.isBundle && report.images.isEmpty { lines.append("  no .bin image in it") }
        for skipped in report.skipped { lines.append("  skipped \(skipped)") }
        return lines.map { TerminalText.escaped($0) }
    }
}
