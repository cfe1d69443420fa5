import Crypto
import Foundation
import Testing
import ZIPFoundation
@testable import SOSDump
import SOSDumpSimulation

@Suite struct BundleImportTests {
    /// A bundle like the vendor's: the image, two programs, in a folder.
    static func makeBundle(_ members: [(String, [UInt8])], name: String) throws -> (path: String, folder: String) {
        let folder = NSTemporaryDirectory() + "sosdump-bundle-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + name
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for (member, bytes) in members {
            let data = Data(bytes)
            try archive.addEntry(with: member, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return (path, folder)
    }

    static let image = FirmwareImageBuilder().build().bytes

    @Test func unknownBundleIsReportedButItsImageVerifiedAndRecorded() throws {
        let (path, folder) = try Self.makeBundle([
            ("SPA30x_SPA50x_7.6.2SR7/spa50x-30x-7-6-2g.bin", Self.image),
            ("SPA30x_SPA50x_7.6.2SR7/spa50x-30x-7-6-2g.exe", Array("MZ not really a program".utf8)),
        ], name: "SPA30x_SPA50x_7.6.2SR7_FW.zip")
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let report = try FirmwareImport.read(path: path, known: .builtIn)
        #expect(report.isBundle && report.bundle == nil)
        #expect(report.images.count == 1)
        let imported = try #require(report.images.first)
        #expect(imported.name == "SPA30x_SPA50x_7.6.2SR7/spa50x-30x-7-6-2g.bin")
        #expect(imported.verification.loaderAccepts)
        let entry = try #require(imported.entry)
        #expect(entry.file == "spa50x-30x-7-6-2g.bin" && entry.imageVersion == "7.6.2g" && entry.release == "7.6.2SR7")
        #expect(entry.size == Self.image.count)
        #expect(entry.sha256 == HexDigest(SHA256.hash(data: Self.image)))
        #expect(entry.md5 == HexDigest(Insecure.MD5.hash(data: Self.image)))
        #expect(entry.origin == "bundle SPA30x_SPA50x_7.6.2SR7_FW.zip (SHA-256 \(report.sha256), not a known vendor bundle)")

        // Recorded, a catalog then knows the image.
        var catalog = FirmwareCatalog()
        catalog.add(entry)
        #expect(catalog.identify(FirmwareVerification(Self.image)) == .known(entry))
    }

    @Test func knownBundle() throws {
        let (path, folder) = try Self.makeBundle([("spa50x-30x-7-6-2g.bin", Self.image)], name: "bundle.zip")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sha = HexDigest(SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))))
        let known = FirmwareCatalog(bundles: [FirmwareCatalog.Bundle(release: "7.6.2SR7", file: "SPA30x_SPA50x_7.6.2SR7_FW.zip", size: 1, sha256: sha, origin: nil)])
        let report = try FirmwareImport.read(path: path, known: known)
        #expect(report.bundle?.release == "7.6.2SR7")
        #expect(report.images.first?.entry?.release == "7.6.2SR7")
        #expect(report.images.first?.entry?.origin?.hasSuffix("a known vendor bundle)") == true)
    }

    @Test func damagedImageInABundleIsNotRecorded() throws {
        var damaged = FirmwareImageBuilder().build()
        damaged.flip(at: 0x30)
        let (path, folder) = try Self.makeBundle([("spa50x-30x-7-6-2g.bin", damaged.bytes)], name: "SPA30x_SPA50x_7.6.2SR7_FW.zip")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let report = try FirmwareImport.read(path: path, known: .builtIn)
        let imported = try #require(report.images.first)
        #expect(imported.entry == nil)
        guard case .rejected(let check) = imported.verification.verdict else { Issue.record("accepted"); return }
        #expect(check.loaderMessage == "incorrect firmware digest")
    }

    @Test func bareImage() throws {
        let path = try temporaryFile(Self.image)
        defer { unlink(path) }
        let report = try FirmwareImport.read(path: path, known: .builtIn)
        #expect(!report.isBundle && report.images.count == 1)
        let entry = try #require(report.images.first?.entry)
        #expect(entry.release == nil && entry.imageVersion == "7.6.2g")
        #expect(entry.origin == "file \(FirmwareCatalog.baseName(path)), imported by hand")
    }

    @Test func unreadableFiles() throws {
        #expect(throws: FirmwareImportError.self) { try FirmwareImport.read(path: "/nonexistent/x.zip", known: .builtIn) }
        // A zip's magic, then nothing a zip reader accepts.
        let path = try temporaryFile([0x50, 0x4B, 0x03, 0x04, 1, 2, 3])
        defer { unlink(path) }
        do {
            _ = try FirmwareImport.read(path: path, known: .builtIn)
            Issue.record("read a broken zip")
        } catch {
            #expect(error.description.hasPrefix("\(path): not a readable zip archive"))
        }
    }
}
