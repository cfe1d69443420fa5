/// The text form of `sosdump verify`, and the sentences about an image that
/// every report shares (what the loader does with it, what the catalog says
/// of it): a renderer over `FirmwareReport`'s record.
public struct FirmwareText: Sendable {
    public init() {}

    /// The lines, each through `TerminalText.escaped` (the file name, the
    /// image's version text and the catalog's words came from files).
    public func lines(_ r: FirmwareReport) -> [String] {
        unescapedLines(r).map { TerminalText.escaped($0) }
    }

    private func unescapedLines(_ r: FirmwareReport) -> [String] {
        var lines: [String] = []
        let partial = r.extent == "prefix" ? " (the first bytes of an image)" : ""
        lines.append("\(r.file): \(r.size) bytes\(partial), version \(r.version ?? "unreadable")")
        lines.append("  sha256 \(r.sha256)  md5 \(r.md5)")
        lines.append("  loader: " + Self.loaderText(r))
        if r.verdict.status == "rejected", let meaning = r.verdict.meaning { lines.append("    \(meaning)") }
        lines.append("  catalog: " + Self.catalogText(r.catalog))
        lines.append("checks:")
        var passedSectorChecks = 0
        for check in r.checks {
            if check.sector && check.status == "passed" {
                passedSectorChecks += 1
                continue
            }
            lines.append(Self.line(check))
        }
        if passedSectorChecks > 0 {
            let all = passedSectorChecks == r.checks.filter(\.sector).count
            let what = all ? "all \(r.sectors) sectors in bounds, each with its MD5 right" : "the other \(passedSectorChecks) sector checks passed"
            // After the header checks, where the sector checks stand.
            let at = lines.firstIndex { $0.contains("  header randseq: ") }.map { $0 + 1 } ?? lines.count
            lines.insert("  ok      sectors: \(what)", at: at)
        }
        return lines
    }

    static func line(_ check: FirmwareReport.Check) -> String {
        let mark = switch check.status {
        case "passed": "ok    "
        case "failed": "FAILED"
        default: "--    "
        }
        var line = "  \(mark)  \(check.check): \(check.detail)"
        if let message = check.loaderMessage { line += " [loader: \"\(message)\"]" }
        return line
    }

    // MARK: Sentences

    /// What the loader does with the image, in a sentence.
    static func loaderText(_ r: FirmwareReport) -> String {
        switch r.verdict.status {
        case "accepted":
            return "accepts it (\"Validate firmware successful\") and writes \(r.sectorsWritten) of its \(r.sectors) sectors"
        case "rejected":
            return loaderRejects(check: r.verdict.check, detail: r.verdict.detail, loaderMessage: r.verdict.loaderMessage)
        default:
            return "cannot tell yet, the image is partial: \(r.verdict.check ?? ""): \(r.verdict.detail ?? "")"
        }
    }

    /// What the loader does with an image that fails `check`, in a sentence.
    static func loaderRejects(_ check: FirmwareCheck?) -> String {
        loaderRejects(check: check?.title, detail: check?.detail, loaderMessage: check?.loaderMessage)
    }

    static func loaderRejects(check: String?, detail: String?, loaderMessage: String?) -> String {
        if let message = loaderMessage {
            return "rejects it: it prints \"\(message)\", then \"Validate firmware failed\" (\(check ?? ""))"
        }
        return "fails on it: \(check ?? ""): \(detail ?? "")"
    }

    /// What the catalog says of the image, in a sentence.
    static func catalogText(_ catalog: FirmwareReport.Identification) -> String {
        let release = catalog.release.map { "release \($0)" }
        let image = catalog.imageVersion.map { "image \($0)" }
        let names = [release, image].compactMap { $0 }.joined(separator: ", ")
        let origin = catalog.origin.map { "; \($0)" } ?? ""
        switch catalog.status {
        case "known":
            return "known: \(names.isEmpty ? catalog.file ?? "" : names) (\(catalog.file ?? "")\(origin))"
        case "bundle":
            return "this is the vendor's bundle \(catalog.file ?? "") (\(names)), not the image inside it: unzip it and give the phone the .bin"
        case "mismatch":
            return "not the catalog's \(catalog.file ?? "") (\(names), SHA-256 \(catalog.sha256 ?? "")): valid, but edited or another build"
        case "unknown-valid":
            return "not in the catalog; the loader accepts it"
        case "invalid":
            return "not in the catalog"
        case "incomplete":
            return "not in the catalog (a partial image cannot match)"
        default:
            return "not in the catalog"
        }
    }
}
