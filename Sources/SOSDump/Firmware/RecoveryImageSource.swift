import Foundation
import ZIPFoundation

/// The image `sosdump recover` serves, found in what a technician has: the
/// firmware `.bin`, the vendor's bundle `.zip` (the `.bin` inside, or the
/// recovery program inside), or the vendor's `*-recovery.exe`, a Windows
/// program that carries the image among its own bytes. The image is found
/// by its header (`SkOsMo5 fIrMwArE`) and its length (the header's total
/// length, else the end of its last sector), and then checked as the
/// phone's loader checks it: only an image the loader accepts is served.
public enum RecoveryImageSource {
    /// Where the image was found.
    public enum Origin: Sendable, Equatable {
        /// The file is the image.
        case file
        /// A member of a zip bundle (its path in the archive), and where in
        /// that member when it is a recovery program.
        case bundleMember(String, offset: Int?)
        /// Inside a program (or any other file), at this byte offset.
        case embedded(offset: Int)
    }

    public struct Image: Sendable {
        public var bytes: [UInt8]
        public var origin: Origin
        public var verification: FirmwareVerification
        /// The name the upgrade order gives (`/spa50x-30x-7-4-9c.bin`):
        /// what the phone asks the TFTP server for.
        public var orderName: String
    }

    /// Why no image can be served.
    public enum Refusal: Error, Sendable {
        case unreadable(FirmwareImportError)
        /// No firmware header anywhere in the file (or the bundle).
        case noImage(path: String, looked: String)
        /// An image was found but the loader would reject it (or could not
        /// hold it): the first check that fails, in the loader's order.
        case rejected(path: String, origin: Origin, verification: FirmwareVerification, check: FirmwareCheck)
    }

    /// Reads `path` and finds the image in it.
    public static func load(path: String) throws(Refusal) -> Image {
        let data: Data
        do { data = try FirmwareImport.readFile(path) } catch { throw .unreadable(error) }
        let name = FirmwareCatalog.baseName(path)
        var candidates: [Image] = []
        if FirmwareImport.isZip(data) {
            // The bundle import's bounds: no overlapping entries, images and inflated bytes capped.
            let archive: Archive
            do { archive = try FirmwareImport.openBundle(data, path: path, limits: .init()) } catch { throw .unreadable(error) }
            var skipped: [String] = []
            FirmwareImport.forEachMember(of: archive, endingWith: ".bin", limits: .init(), skipped: &skipped) { member, bytes in
                candidates += images(in: bytes, origin: { .bundleMember(member, offset: $0 == 0 ? nil : $0) }, name: member)
            }
            if candidates.isEmpty {
                FirmwareImport.forEachMember(of: archive, endingWith: ".exe", limits: .init(), skipped: &skipped) { member, bytes in
                    candidates += images(in: bytes, origin: { .bundleMember(member, offset: $0) }, name: member)
                }
            }
            if candidates.isEmpty {
                throw .noImage(path: path, looked: "no .bin or .exe in the bundle holds one" + (skipped.isEmpty ? "" : " (skipped: \(skipped.joined(separator: "; ")))"))
            }
        } else {
            candidates = images(in: data, origin: { $0 == 0 ? .file : .embedded(offset: $0) }, name: name)
            if candidates.isEmpty { throw .noImage(path: path, looked: "no firmware header (\(String(decoding: FirmwareImageLayout.magic, as: UTF8.self))) in its \(data.count) bytes") }
        }
        if let good = candidates.first(where: { $0.verification.loaderAccepts }) { return good }
        let first = candidates[0]
        let check: FirmwareCheck
        switch first.verification.verdict {
        case .rejected(let c), .incomplete(let c): check = c
        case .accepted: return first
        }
        throw .rejected(path: path, origin: first.origin, verification: first.verification, check: check)
    }

    /// More headers than this in one file are not tried.
    static let maximumCandidates = 16

    /// Every image whose header starts in `data`, cut to its length.
    static func images(in data: Data, origin: (Int) -> Origin, name: String) -> [Image] {
        var result: [Image] = []
        var from = data.startIndex
        let magic = Data(FirmwareImageLayout.magic)
        while result.count < maximumCandidates, let found = data.range(of: magic, in: from..<data.endIndex) {
            let offset = found.lowerBound - data.startIndex
            let rest = Array(data[found.lowerBound...])
            let length = imageLength(rest)
            let bytes = Array(rest.prefix(length))
            result.append(Image(bytes: bytes, origin: origin(offset), verification: FirmwareVerification(bytes),
                                orderName: orderName(for: name, version: FirmwareVerification(Array(bytes.prefix(FirmwareImageLayout.headerSize))).version)))
            from = found.upperBound
        }
        return result
    }

    /// The image's length in `bytes` (which start with its header): the
    /// header's total length when it fits, else the end of the last sector
    /// the sector infos describe, else everything.
    static func imageLength(_ bytes: [UInt8]) -> Int {
        let view = bytes.withUnsafeBytes { raw in
            (total: ByteView(raw).uint32(at: FirmwareImageLayout.totalLengthOffset).map(Int.init), count: raw.count)
        }
        if let total = view.total, total >= FirmwareImageLayout.headerSize, total <= bytes.count { return total }
        let header = FirmwareVerification(bytes, extent: .prefix)
        let end = header.sectors.map { Int($0.offset) + Int($0.size) }.max() ?? bytes.count
        return min(max(end, FirmwareImageLayout.headerSize), bytes.count)
    }

    /// `/` and the file's name with `.bin` (a program's or bundle's name
    /// without `-recovery.exe` or `.zip`), in the characters a TFTP name
    /// safely has, at most 60 bytes (the phone's echo holds 68).
    static func orderName(for path: String, version: String?) -> String {
        var base = FirmwareCatalog.baseName(path)
        for suffix in ["-recovery.exe", ".exe", ".zip", ".bin"] where base.lowercased().hasSuffix(suffix) {
            base.removeLast(suffix.count)
            break
        }
        let safe = String(base.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }.map(Character.init))
        let stem = safe.isEmpty ? "spa-" + (version ?? "firmware") : safe
        return "/" + String(stem.prefix(55)) + ".bin"
    }
}
