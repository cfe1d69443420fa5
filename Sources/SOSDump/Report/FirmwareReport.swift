import Foundation

/// What `sosdump verify` prints: an image's verification and what the
/// catalog says of it, as text lines or one JSON object. Built from the
/// values; it decides nothing.
public struct FirmwareReport: Encodable, Sendable {
    public var file: String
    public var size: Int
    /// `complete` or `prefix`.
    public var extent: String
    public var version: String?
    public var sha256: String
    public var md5: String
    public var verdict: Verdict
    public var catalog: Identification
    public var checks: [Check]

    public struct Verdict: Encodable, Sendable {
        /// `accepted`, `rejected` or `incomplete`.
        public var status: String
        /// The check that decided it, for rejected and incomplete.
        public var check: String?
        /// The loader's console line, when it prints one.
        public var loaderMessage: String?
        public var detail: String?
        public var meaning: String?
    }

    public struct Identification: Encodable, Sendable {
        /// `known`, `bundle`, `unknown-valid`, `mismatch`, `invalid`, `incomplete` or `unknown`.
        public var status: String
        public var release: String?
        public var imageVersion: String?
        public var file: String?
        public var sha256: String?
        public var origin: String?
    }

    public struct Check: Encodable, Sendable {
        public var check: String
        public var status: String
        public var detail: String
        public var offset: Int?
        public var byLoader: Bool
        /// The loader's line, when this check failed and it prints one.
        public var loaderMessage: String?
        /// Plain words, when this check failed.
        public var meaning: String?
    }

    /// The report of an image check made during an analysis.
    public init(_ check: ImageCheck) {
        self.init(file: check.file, verification: check.verification, identification: check.identification)
    }

    public init(file: String, verification v: FirmwareVerification, identification: FirmwareIdentification) {
        self.file = file
        size = v.length
        extent = v.extent.rawValue
        version = v.version
        sha256 = v.sha256.description
        md5 = v.md5.description
        switch v.verdict {
        case .accepted:
            verdict = Verdict(status: "accepted")
        case .rejected(let c):
            verdict = Verdict(status: "rejected", check: c.title, loaderMessage: c.loaderMessage, detail: c.detail, meaning: c.meaning)
        case .incomplete(let c):
            verdict = Verdict(status: "incomplete", check: c.title, detail: c.detail)
        }
        catalog = Self.identification(identification)
        checks = v.checks.map { c in
            let failed = c.status == .failed
            return Check(check: c.title, status: c.status.rawValue, detail: c.detail, offset: c.offset, byLoader: c.isLoaderCheck,
                         loaderMessage: failed ? c.loaderMessage : nil, meaning: failed ? c.meaning : nil)
        }
        sectorCount = v.sectors.count
        writtenCount = v.sectors.filter(\.isWritten).count
        sectorChecks = v.checks.map {
            switch $0.kind {
            case .sectorBounds, .sectorDigest: true
            default: false
            }
        }
    }

    // Kept for the text form only.
    private var sectorCount = 0
    private var writtenCount = 0
    private var sectorChecks: [Bool] = []

    enum CodingKeys: String, CodingKey {
        case file, size, extent, version, sha256, md5, verdict, catalog, checks
    }

    static func identification(_ i: FirmwareIdentification) -> Identification {
        switch i {
        case .known(let image):
            Identification(status: "known", release: image.release, imageVersion: image.imageVersion, file: image.file, sha256: image.sha256.description, origin: image.origin)
        case .bundle(let bundle):
            Identification(status: "bundle", release: bundle.release, file: bundle.file, sha256: bundle.sha256.description, origin: bundle.origin)
        case .mismatch(let image):
            Identification(status: "mismatch", release: image.release, imageVersion: image.imageVersion, file: image.file, sha256: image.sha256.description, origin: image.origin)
        case .unknownValid: Identification(status: "unknown-valid")
        case .invalid: Identification(status: "invalid")
        case .incomplete: Identification(status: "incomplete")
        case .unknown: Identification(status: "unknown")
        }
    }

    // MARK: Text

    public var textLines: [String] {
        var lines: [String] = []
        let partial = extent == "prefix" ? " (the first bytes of an image)" : ""
        lines.append("\(file): \(size) bytes\(partial), version \(version ?? "unreadable")")
        lines.append("  sha256 \(sha256)  md5 \(md5)")
        lines.append("  loader: " + verdictText)
        if verdict.status == "rejected", let meaning = verdict.meaning { lines.append("    \(meaning)") }
        lines.append("  catalog: " + catalogText)
        lines.append("checks:")
        var passedSectorChecks = 0
        for (check, isSector) in zip(checks, sectorChecks) {
            if isSector && check.status == "passed" {
                passedSectorChecks += 1
                continue
            }
            lines.append(Self.line(check))
        }
        if passedSectorChecks > 0 {
            let all = passedSectorChecks == sectorChecks.filter { $0 }.count
            let what = all ? "all \(sectorCount) sectors in bounds, each with its MD5 right" : "the other \(passedSectorChecks) sector checks passed"
            // After the header checks, where the sector checks stand.
            let at = lines.firstIndex { $0.contains("  header randseq: ") }.map { $0 + 1 } ?? lines.count
            lines.insert("  ok      sectors: \(what)", at: at)
        }
        return lines
    }

    /// What the loader does with the image, in a sentence.
    public var verdictText: String {
        switch verdict.status {
        case "accepted":
            return "accepts it (\"Validate firmware successful\") and writes \(writtenCount) of its \(sectorCount) sectors"
        case "rejected":
            return Self.loaderRejects(check: verdict.check, detail: verdict.detail, loaderMessage: verdict.loaderMessage)
        default:
            return "cannot tell yet, the image is partial: \(verdict.check ?? ""): \(verdict.detail ?? "")"
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
    public var catalogText: String { Self.catalogText(catalog) }

    static func catalogText(_ catalog: Identification) -> String {
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

    private static func line(_ check: Check) -> String {
        let mark = switch check.status {
        case "passed": "ok    "
        case "failed": "FAILED"
        default: "--    "
        }
        var line = "  \(mark)  \(check.check): \(check.detail)"
        if let message = check.loaderMessage { line += " [loader: \"\(message)\"]" }
        return line
    }

    /// The JSON object, on one line.
    public var json: String { ReportJSON.text(self) }
}

extension FirmwareReport.Verdict {
    init(status: String) { self.init(status: status, check: nil, loaderMessage: nil, detail: nil, meaning: nil) }
}

extension FirmwareReport.Identification {
    init(status: String) { self.init(status: status, release: nil, imageVersion: nil, file: nil, sha256: nil, origin: nil) }
}
