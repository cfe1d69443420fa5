import Foundation

/// What `sosdump verify` prints: an image's verification and what the
/// catalog says of it, as one record (JSON), rendered as text by
/// `FirmwareText`. Built from the values; it decides nothing.
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
    /// The sector infos the header lists, and how many of them the loader writes.
    public var sectors: Int
    public var sectorsWritten: Int

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
        /// A check of one sector (its bounds, its MD5): the text form folds those that passed into one line.
        public var sector: Bool
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
            let sector = switch c.kind {
            case .sectorBounds, .sectorDigest: true
            default: false
            }
            return Check(check: c.title, status: c.status.rawValue, detail: c.detail, offset: c.offset, byLoader: c.isLoaderCheck,
                         loaderMessage: failed ? c.loaderMessage : nil, meaning: failed ? c.meaning : nil, sector: sector)
        }
        sectors = v.sectors.count
        sectorsWritten = v.sectors.filter(\.isWritten).count
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

    /// The JSON object, on one line.
    public var json: String { ReportJSON.text(self) }
}

extension FirmwareReport.Verdict {
    init(status: String) { self.init(status: status, check: nil, loaderMessage: nil, detail: nil, meaning: nil) }
}

extension FirmwareReport.Identification {
    init(status: String) { self.init(status: status, release: nil, imageVersion: nil, file: nil, sha256: nil, origin: nil) }
}
