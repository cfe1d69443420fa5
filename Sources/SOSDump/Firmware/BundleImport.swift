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
        /// Members skipped and why (too large, unreadable).
        public var skipped: [String]
    }

    public struct ImportedImage: Sendable {
        /// Its name in the bundle, or the file's path.
        public var name: String
        public var verification: FirmwareVerification
        /// The catalog entry made of it; nil when the loader rejects it.
        public var entry: FirmwareCatalog.Image?
    }

    /// Reads `path` (a zip bundle, told by its first bytes, or an image) and
    /// verifies every image in it. `known` supplies the known bundles.
    public static func read(path: String, known: FirmwareCatalog) throws(FirmwareImportError) -> Report {
        let data = try readFile(path)
        let sha256 = HexDigest(SHA256.hash(data: data))
        let fileName = FirmwareCatalog.baseName(path)
        guard isZip(data) else {
            let verification = data.withUnsafeBytes { FirmwareVerification($0) }
            let entry = verification.loaderAccepts
                ? FirmwareCatalog.Image(
                    release: nil, imageVersion: verification.version, file: fileName, size: data.count,
                    sha256: verification.sha256, md5: verification.md5, origin: "file \(fileName), imported by hand")
                : nil
            return Report(path: path, sha256: sha256, size: data.count, bundle: nil, isBundle: false,
                          images: [ImportedImage(name: path, verification: verification, entry: entry)], skipped: [])
        }

        let bundle = known.bundle(sha256: sha256)
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw FirmwareImportError(path: path, reason: "not a readable zip archive: \(error)")
        }
        let release = bundle?.release ?? SPAVersion.inFileName(fileName)?.description
        let origin = bundle != nil
            ? "bundle \(fileName) (SHA-256 \(sha256), a known vendor bundle)"
            : "bundle \(fileName) (SHA-256 \(sha256), not a known vendor bundle)"
        var images: [ImportedImage] = []
        var skipped: [String] = []
        for (name, bytes) in members(of: archive, endingWith: ".bin", skipped: &skipped) {
            let verification = bytes.withUnsafeBytes { FirmwareVerification($0) }
            let entry = verification.loaderAccepts
                ? FirmwareCatalog.Image(
                    release: release, imageVersion: verification.version, file: FirmwareCatalog.baseName(name),
                    size: bytes.count, sha256: verification.sha256, md5: verification.md5, origin: origin)
                : nil
            images.append(ImportedImage(name: name, verification: verification, entry: entry))
        }
        return Report(path: path, sha256: sha256, size: data.count, bundle: bundle, isBundle: true, images: images, skipped: skipped)
    }

    /// Whether `data` starts as a zip archive does.
    static func isZip(_ data: Data) -> Bool {
        data.starts(with: [0x50, 0x4B, 0x03, 0x04]) || data.starts(with: [0x50, 0x4B, 0x05, 0x06])
    }

    /// The whole file, refused when larger than `maximumFileSize`.
    static func readFile(_ path: String) throws(FirmwareImportError) -> Data {
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
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

    /// The files of `archive` whose names end with `suffix` (any case), each
    /// read whole up to `maximumImageSize`; the others that match but cannot
    /// be read are named in `skipped`, with why.
    static func members(of archive: Archive, endingWith suffix: String, skipped: inout [String]) -> [(name: String, bytes: Data)] {
        var result: [(name: String, bytes: Data)] = []
        for member in archive where member.type == .file && member.path.lowercased().hasSuffix(suffix) {
            guard member.uncompressedSize <= UInt64(maximumImageSize) else {
                skipped.append("\(member.path): \(member.uncompressedSize) bytes, more than any image")
                continue
            }
            var bytes = Data()
            do {
                _ = try archive.extract(member) { chunk in
                    guard bytes.count + chunk.count <= maximumImageSize else { throw FirmwareImportError(path: member.path, reason: "larger than it says") }
                    bytes.append(chunk)
                }
            } catch {
                skipped.append("\(member.path): cannot extract: \(error)")
                continue
            }
            result.append((member.path, bytes))
        }
        return result
    }
}

public struct FirmwareImportError: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}
