import Foundation
import Testing
@testable import SOSDump
import SOSDumpSimulation

/// `sosdump recover`'s image: from a .bin, a bundle (zip) holding a .bin or
/// a recovery program, or a recovery program (the image among other bytes);
/// refused when there is none or the loader would reject it.
@Suite struct RecoveryImageSourceTests {
    static let image = FirmwareImageBuilder().build().bytes

    static func write(_ bytes: [UInt8], name: String) throws -> (path: String, folder: String) {
        let folder = NSTemporaryDirectory() + "sosdump-recover-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, folder)
    }

    /// A Windows program's shape: MZ, code, the image, resources after it.
    static func program(around image: [UInt8]) -> [UInt8] {
        Array("MZ".utf8) + [UInt8](repeating: 0x90, count: 40_000) + image + [UInt8](repeating: 0, count: 3_000)
    }

    @Test func aBinIsServedAsItIs() throws {
        let (path, folder) = try Self.write(Self.image, name: "spa50x-30x-7-6-2g.bin")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let loaded = try RecoveryImageSource.load(path: path)
        #expect(loaded.bytes == Self.image)
        #expect(loaded.origin == .file)
        #expect(loaded.verification.loaderAccepts)
        #expect(loaded.orderName == "/spa50x-30x-7-6-2g.bin")
    }

    @Test func theImageInsideARecoveryProgramIsFoundByItsHeaderAndCutToItsLength() throws {
        let (path, folder) = try Self.write(Self.program(around: Self.image), name: "spa50x-30x-7-6-2g-recovery.exe")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let loaded = try RecoveryImageSource.load(path: path)
        #expect(loaded.bytes == Self.image)
        #expect(loaded.origin == .embedded(offset: 40_002))
        #expect(loaded.orderName == "/spa50x-30x-7-6-2g.bin")
    }

    @Test func aBundleGivesItsBinOrElseTheImageInsideItsProgram() throws {
        let withBin = try BundleImportTests.makeBundle([
            ("SPA/readme.txt", Array("read me".utf8)), ("SPA/spa50x-30x-7-6-2g.bin", Self.image),
        ], name: "bundle.zip")
        defer { try? FileManager.default.removeItem(atPath: withBin.folder) }
        let a = try RecoveryImageSource.load(path: withBin.path)
        #expect(a.bytes == Self.image)
        #expect(a.origin == .bundleMember("SPA/spa50x-30x-7-6-2g.bin", offset: nil))

        let withProgram = try BundleImportTests.makeBundle([("SPA/spa50x-30x-7-6-2g-recovery.exe", Self.program(around: Self.image))],
                                                           name: "bundle.zip")
        defer { try? FileManager.default.removeItem(atPath: withProgram.folder) }
        let b = try RecoveryImageSource.load(path: withProgram.path)
        #expect(b.bytes == Self.image)
        #expect(b.origin == .bundleMember("SPA/spa50x-30x-7-6-2g-recovery.exe", offset: 40_002))
    }

    @Test func aFileWithoutAnImageIsRefused() throws {
        let (path, folder) = try Self.write(Self.program(around: Array("no image here".utf8)), name: "tool.exe")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect {
            try RecoveryImageSource.load(path: path)
        } throws: { error in
            guard case .noImage(let p, _)? = error as? RecoveryImageSource.Refusal else { return false }
            return p == path
        }
        let empty = try BundleImportTests.makeBundle([("readme.txt", Array("nothing".utf8))], name: "empty.zip")
        defer { try? FileManager.default.removeItem(atPath: empty.folder) }
        #expect(throws: RecoveryImageSource.Refusal.self) { try RecoveryImageSource.load(path: empty.path) }
    }

    /// A damaged image is refused with the check that fails in the loader's
    /// order, whether it is a .bin or inside a program.
    @Test func anImageTheLoaderRejectsIsRefusedNamingTheCheck() throws {
        var damaged = FirmwareImageBuilder().build()
        let last = try #require(damaged.data.last)
        damaged.flip(at: last.offset + last.length / 2)
        for bytes in [damaged.bytes, Self.program(around: damaged.bytes)] {
            let (path, folder) = try Self.write(bytes, name: "fw.bin")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            do {
                _ = try RecoveryImageSource.load(path: path)
                Issue.record("a damaged image was accepted")
            } catch {
                guard case .rejected(_, _, _, let check) = error else { Issue.record("\(error)"); continue }
                #expect(check.loaderMessage?.hasSuffix("digest error") == true, "\(check)")
                let words = RecoverWording.refusal(error)
                #expect(words.contains("refused: the phone's loader would reject this image"))
                #expect(words.contains("(the phone would print \"Sector "))
                #expect(words.contains("Nothing was sent."))
            }
        }
    }

    @Test func theOrderNameIsShortAndPlain() {
        #expect(RecoveryImageSource.orderName(for: "/x/SPA50x 30x (copy).zip", version: nil) == "/SPA50x30xcopy.bin")
        #expect(RecoveryImageSource.orderName(for: "/x/ë.exe", version: "7.4.9c") == "/spa-7.4.9c.bin")
        #expect(RecoveryImageSource.orderName(for: String(repeating: "a", count: 200) + ".bin", version: nil).utf8.count == 60)
    }
}
