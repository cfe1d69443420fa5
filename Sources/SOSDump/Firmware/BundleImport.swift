import Crypto
import Foundation
import ZIPFoundation

/// `sosdump catalog import`: learns images from what a user downloaded from
/// the vendor, a bundle (zip) or a bare `.bin`.
///
/// A bundle's SHA-256 is looked up among the known bundles; known or not,
/// every `.bin` inside is verified as the loader would, and the ones it
/// accepts become catalog entries (their origin says whether the bundle was
/// a known one). A rejected image is reported and not recorded.
public enum FirmwareImport {
    /// Larger members are not read: the loader takes at most 10 MiB, and a
    /// zip that claims more is not a vendor bundle (or is a zip bomb).
    public static let maximumImageSize = 64 << 20
    /// Larger files are not read at all.
    public static let maximumFileSize = 256 << 20

    /// What one bundle may cost: the vendor's hold three entries, one of
    /// them an image of some 5 MiB.
    public struct Limits: Sendable {
        /// The most `.bin` images read from one bundle.
        public var images = 32
        /// The most bytes inflated from one bundle, all images together.
        public var inflatedTotal = 256 << 20
        /// The most entries a bundle may list.
        public var entries = 4096
        public init() {}
    }

    public struct Report: Sendable {
        /// The path as given.
        public var path: String
        public var sha256: HexDigest
        public var size: Int
        /// For a zip: the known bundle it is, or nil when its SHA-256 is not
        /// among the known bundles. Nil for a bare image.
        public var bundle: FirmwareCatalog.Bundle?
        public var isBundle: Bool
        public var images: [ImportedImage]
        /// Members skipped and why (too large, unreadable, past a limit).
        public var skipped: [String]
    }

    public struct ImportedImage: Sendable {
        /// Its name in the bundle, or the file's path.
        public var name: String
        public var verification: FirmwareVerification
        /// The catalog entry made of it; nil when the loader rejects it.
        public var entry: FirmwareCatalog.Image?
    }

    /// What `read` has to say while it works: the file it opened (a report
    /// with no images yet), then each image as soon as it is verified, so a
    /// caller can print it at once.
    public enum Progress: Sendable {
        case opened(Report)
        case image(ImportedImage)
    }

    /// Reads `path` (a zip bundle, told by its first bytes, or an image) and
    /// verifies every image in it. `known` supplies the known bundles.
    ///
    /// A bundle whose entries overlap (two entries sharing one compressed
    /// stream, or one entry's bytes inside another's: the zip bombs that
    /// inflate one stream many times) is refused before anything is
    /// inflated; at most `limits.images` images and `limits.inflatedTotal`
    /// bytes are inflated, the rest skipped with the reason.
    public static func read(path: String, known: FirmwareCatalog, limits: Limits = Limits(),
                            progress: (Progress) -> Void = { _ in }) throws(FirmwareImportError) -> Report {
        try read(try readFile(path), path: path, known: known, limits: limits, progress: progress)
    }

    /// As `read(path:known:limits:progress:)`, for the bytes of a file already read.
    public static func read(_ data: Data, path: String, known: FirmwareCatalog, limits: Limits = Limits(),
                            progress: (Progress) -> Void = { _ in }) throws(FirmwareImportError) -> Report {
        let sha256 = HexDigest(SHA256.hash(data: data))
        let fileName = FirmwareCatalog.baseName(path)
        guard isZip(data) else {
            let verification = data.withUnsafeBytes { FirmwareVerification($0) }
            let entry = verification.loaderAccepts
                ? FirmwareCatalog.Image(
                    release: nil, imageVersion: verification.version, file: fileName, size: data.count,
                    sha256: verification.sha256, md5: verification.md5, origin: "file \(fileName), imported by hand")
                : nil
            let image = ImportedImage(name: path, verification: verification, entry: entry)
            var report = Report(path: path, sha256: sha256, size: data.count, bundle: nil, isBundle: false, images: [], skipped: [])
            progress(.opened(report))
            progress(.image(image))
            report.images = [image]
            return report
        }

        let archive = try openBundle(data, path: path, limits: limits)
        let bundle = known.bundle(sha256: sha256)
        let release = bundle?.release ?? SPAVersion.inFileName(fileName)?.description
        let origin = bundle != nil
            ? "bundle \(fileName) (SHA-256 \(sha256), a known vendor bundle)"
            : "bundle \(fileName) (SHA-256 \(sha256), not a known vendor bundle)"
        var report = Report(path: path, sha256: sha256, size: data.count, bundle: bundle, isBundle: true, images: [], skipped: [])
        progress(.opened(report))
        var skipped: [String] = []
        forEachMember(of: archive, endingWith: ".bin", limits: limits, skipped: &skipped) { name, bytes in
            let verification = bytes.withUnsafeBytes { FirmwareVerification($0) }
            let entry = verification.loaderAccepts
                ? FirmwareCatalog.Image(
                    release: release, imageVersion: verification.version, file: FirmwareCatalog.baseName(name),
                    size: bytes.count, sha256: verification.sha256, md5: verification.md5, origin: origin)
                : nil
            let image = ImportedImage(name: name, verification: verification, entry: entry)
            progress(.image(image))
            report.images.append(image)
        }
        report.skipped = skipped
        return report
    }

    /// Whether `data` starts as a zip archive does.
    static func isZip(_ data: Data) -> Bool {
        data.starts(with: [0x50, 0x4B, 0x03, 0x04]) || data.starts(with: [0x50, 0x4B, 0x05, 0x06])
    }

    /// The whole file, refused when it is not a regular file (a FIFO would
    /// block) or is larger than `maximumFileSize`.
    static func readFile(_ path: String) throws(FirmwareImportError) -> Data {
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            guard attributes[.type] as? FileAttributeType == .typeRegular else {
                throw FirmwareImportError(path: path, reason: "not a regular file")
            }
            if let size = attributes[.size] as? Int, size > maximumFileSize {
                throw FirmwareImportError(path: path, reason: "it is \(size) bytes, more than any firmware bundle (\(maximumFileSize >> 20) MiB read at most)")
            }
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as FirmwareImportError {
            throw error
        } catch {
            throw FirmwareImportError(path: path, reason: "cannot read: \(FirmwareCatalog.reason(error))")
        }
    }

    /// The zip in `data`, once its central directory shows no overlapping
    /// entries and no more than `limits.entries` (`ZipLayout`).
    static func openBundle(_ data: Data, path: String, limits: Limits) throws(FirmwareImportError) -> Archive {
        if let problem = data.withUnsafeBytes({ ZipLayout.problem(in: ByteView($0), maximumEntries: limits.entries) }) {
            throw FirmwareImportError(path: path, reason: problem)
        }
        do {
            return try Archive(data: data, accessMode: .read)
        } catch {
            throw FirmwareImportError(path: path, reason: "not a readable zip archive: \(error)")
        }
    }

    /// The files of `archive` whose names end with `suffix` (any case), each
    /// read whole and handed to `body` in turn, one held at a time: at most
    /// `limits.images` of them, each at most `maximumImageSize` and never
    /// more than its entry says, `limits.inflatedTotal` bytes in all. Those
    /// past a limit, or that cannot be read, are named in `skipped`, with why.
    static func forEachMember(of archive: Archive, endingWith suffix: String, limits: Limits, skipped: inout [String],
                              _ body: (_ name: String, _ bytes: Data) -> Void) {
        var handed = 0
        var inflated = 0
        for member in archive where member.type == .file && member.path.lowercased().hasSuffix(suffix) {
            guard handed < limits.images else {
                skipped.append("\(member.path): more than \(limits.images) images in one bundle")
                continue
            }
            guard member.uncompressedSize <= UInt64(maximumImageSize) else {
                skipped.append("\(member.path): \(member.uncompressedSize) bytes, more than any image")
                continue
            }
            guard inflated + Int(member.uncompressedSize) <= limits.inflatedTotal else {
                skipped.append("\(member.path): past \(limits.inflatedTotal) bytes inflated from one bundle")
                continue
            }
            var bytes = Data()
            do {
                // The sizes the zip states are checked above; the stream may still lie.
                let limit = Int(member.uncompressedSize)
                _ = try archive.extract(member) { chunk in
                    guard bytes.count + chunk.count <= limit else { throw FirmwareImportError(path: member.path, reason: "larger than it says") }
                    bytes.append(chunk)
                }
            } catch {
                skipped.append("\(member.path): cannot extract: \(error)")
                continue
            }
            inflated += bytes.count
            handed += 1
            body(member.path, bytes)
        }
    }
}

/// Where a zip's entries lie, read from its central directory (PKWARE
/// APPNOTE 6.3, sections 4.3.7, 4.3.12, 4.3.16): ZIPFoundation reads
/// entries but does not say where their bytes are, and a bundle must be
/// refused before inflating when two entries share bytes.
enum ZipLayout {
    /// Why the archive is refused, in words (entries that overlap, too
    /// many, a directory that does not hold together), or nil.
    static func problem(in archive: ByteView, maximumEntries: Int) -> String? {
        // The end of central directory record: within the last 64 KiB + 22 bytes.
        var end: Int?
        var at = archive.count - 22
        while at >= max(0, archive.count - 22 - 0xFFFF) {
            if archive.uint32(at: at, .little) == 0x0605_4B50 { end = at; break }
            at -= 1
        }
        guard let end, let count = archive.uint16(at: end + 10, .little), let directoryOffset = archive.uint32(at: end + 16, .little),
              let commentLength = archive.uint16(at: end + 20, .little) else {
            return "not a readable zip archive: no end of central directory record"
        }
        // ZIPFoundation reads the comment too; when it cannot, Archive(data:)
        // throws without closing its memory file, which then leaks.
        guard end + 22 + Int(commentLength) <= archive.count else {
            return "not a readable zip archive: the end of central directory record's comment runs past the end of the file"
        }
        if count == 0xFFFF || directoryOffset == 0xFFFF_FFFF { return "not a vendor bundle: a ZIP64 archive (no vendor bundle is one)" }
        guard Int(count) <= maximumEntries else {
            return "not a vendor bundle: \(count) entries, more than \(maximumEntries)"
        }
        var spans: [(range: Range<Int>, name: String)] = []
        var record = Int(directoryOffset)
        for _ in 0..<Int(count) {
            guard archive.uint32(at: record, .little) == 0x0201_4B50,
                  let compressed = archive.uint32(at: record + 20, .little),
                  let nameLength = archive.uint16(at: record + 28, .little),
                  let extraLength = archive.uint16(at: record + 30, .little),
                  let commentLength = archive.uint16(at: record + 32, .little),
                  let local = archive.uint32(at: record + 42, .little),
                  let nameBytes = archive.slice(at: record + 46, length: Int(nameLength))
            else { return "not a readable zip archive: central directory record at byte \(record) is cut or damaged" }
            let name = String(decoding: nameBytes, as: UTF8.self)
            let header = Int(local)
            guard archive.uint32(at: header, .little) == 0x0403_4B50,
                  let localName = archive.uint16(at: header + 26, .little),
                  let localExtra = archive.uint16(at: header + 28, .little)
            else { return "not a readable zip archive: entry \(name): no local header at byte \(header)" }
            let dataEnd = header + 30 + Int(localName) + Int(localExtra) + Int(compressed)
            guard dataEnd <= archive.count else { return "not a readable zip archive: entry \(name): its data runs past the end of the file" }
            spans.append((header..<dataEnd, name))
            record += 46 + Int(nameLength) + Int(extraLength) + Int(commentLength)
        }
        spans.sort { $0.range.lowerBound < $1.range.lowerBound }
        for (a, b) in zip(spans, spans.dropFirst()) where a.range.overlaps(b.range) {
            return a.range.lowerBound == b.range.lowerBound
                ? "not a vendor bundle: entries \(a.name) and \(b.name) share one stream (byte \(a.range.lowerBound))"
                : "not a vendor bundle: entries \(a.name) and \(b.name) overlap (bytes \(b.range.lowerBound)..<\(min(a.range.upperBound, b.range.upperBound)))"
        }
        return nil
    }
}

public struct FirmwareImportError: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}
