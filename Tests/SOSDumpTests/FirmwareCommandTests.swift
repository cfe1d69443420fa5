import Foundation
import Testing
@testable import SOSDump
import SOSDumpSimulation

/// `sosdump verify` and `sosdump catalog`, run as the built binary. Every
/// run names its catalog (--catalog), so no test reads or writes the user's.
@Suite struct FirmwareCommandTests {
    let folder: String
    let catalog: String

    init() throws {
        folder = try CommandRunner.temporaryDirectory()
        catalog = folder + "/catalog.json"
        try FirmwareCatalog().save(path: catalog)
    }

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func verifyAValidImage() throws {
        let image = try write(FirmwareImageBuilder().build().bytes, "good.bin")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try CommandRunner.sosdump(["verify", "--catalog", catalog, image])
        #expect(run.status == 0)
        #expect(run.standardOutput.contains("  loader: accepts it (\"Validate firmware successful\") and writes 3 of its 5 sectors\n"))
        #expect(run.standardOutput.contains("  catalog: not in the catalog; the loader accepts it\n"))
        #expect(run.standardError.isEmpty)
    }

    @Test func verifyADamagedImageExitsThree() throws {
        var built = FirmwareImageBuilder().build()
        built.flip(at: built.data[2].offset + 7)
        let image = try write(built.bytes, "bad.bin")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try CommandRunner.sosdump(["verify", "--catalog", catalog, image])
        #expect(run.status == 3)
        #expect(run.standardOutput.contains("loader: rejects it: it prints \"Sector 32 digest error\", then \"Validate firmware failed\""))
        #expect(run.standardOutput.contains("  FAILED  sector #2 (id 32) digest: "))

        let json = try CommandRunner.sosdump(["verify", "--format", "json", "--catalog", catalog, image])
        #expect(json.status == 3)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        #expect((object["verdict"] as? [String: Any])?["loader_message"] as? String == "Sector 32 digest error")
    }

    @Test func verifyPartialUnreadableAndUsage() throws {
        let part = try write(Array(FirmwareImageBuilder().build().bytes.prefix(3000)), "part.bin")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let partial = try CommandRunner.sosdump(["verify", "--partial", "--catalog", catalog, part])
        #expect(partial.status == 1)
        #expect(partial.standardOutput.contains("loader: cannot tell yet, the image is partial"))
        // The same bytes as a whole image: the loader rejects them.
        #expect(try CommandRunner.sosdump(["verify", "--catalog", catalog, part]).status == 3)

        let missing = try CommandRunner.sosdump(["verify", "--catalog", catalog, folder + "/none.bin"])
        #expect(missing.status == 2)
        #expect(missing.standardError == "sosdump: \(folder)/none.bin: cannot read: no such file\n")
        let noCatalog = try CommandRunner.sosdump(["verify", "--catalog", folder + "/none.json", part])
        #expect(noCatalog.status == 2)
        #expect(try CommandRunner.sosdump(["verify"]).status == 64)
        #expect(try CommandRunner.sosdump(["verify", "--format", "xml", part]).status == 64)
    }

    /// Not an image at all: said in plain words, with status 4, and the
    /// command to use for a capture; a folder and a pipe are files like
    /// others, in plain words too.
    @Test func verifySaysWhatANonImageIs() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let capture = CaptureCorpus.path("sos", "recovered.pcap")
        let onCapture = try CommandRunner.sosdump(["verify", "--catalog", catalog, capture])
        #expect(onCapture.status == 4)
        #expect(onCapture.standardOutput.isEmpty)
        #expect(onCapture.standardError.contains("this is a capture, not a firmware image: try `sosdump analyze \(capture)`"))
        let text = try write(Array("# not firmware\n".utf8), "notes.txt")
        let onText = try CommandRunner.sosdump(["verify", "--catalog", catalog, text])
        #expect(onText.status == 4)
        #expect(onText.standardError.contains("no KOSMOS header"))
        let onFolder = try CommandRunner.sosdump(["verify", "--catalog", catalog, folder])
        #expect(onFolder.status == 2)
        #expect(onFolder.standardError == "sosdump: \(folder): a folder, not a file\n")
        #expect(!onFolder.standardError.contains("NSCocoaErrorDomain"))
        // A pipe: /dev/stdin of a shell reading the image.
        let image = try write(FirmwareImageBuilder().build().bytes, "good.bin")
        let piped = try CommandRunner.run("/bin/sh", ["-c", "cat '\(image)' | '\(CommandRunner.executable.path)' verify --catalog '\(catalog)' -"])
        #expect(piped.status == 0, "\(piped.standardError)")
        #expect(piped.standardOutput.contains("loader: accepts it"))
    }

    @Test func importThenVerifyKnowsTheImage() throws {
        let bytes = FirmwareImageBuilder().build().bytes
        let (bundle, bundleFolder) = try BundleImportTests.makeBundle([("spa50x-30x-7-6-2g.bin", bytes)], name: "SPA30x_SPA50x_7.6.2SR7_FW.zip")
        defer {
            try? FileManager.default.removeItem(atPath: folder)
            try? FileManager.default.removeItem(atPath: bundleFolder)
        }
        let imported = try CommandRunner.sosdump(["catalog", "import", "--catalog", catalog, bundle])
        #expect(imported.status == 0)
        #expect(imported.standardOutput.contains("not a known vendor bundle"))
        #expect(imported.standardOutput.contains("  spa50x-30x-7-6-2g.bin: version 7.6.2g, \(bytes.count) bytes, the loader accepts it: recorded in \(catalog)\n"))

        let image = try write(bytes, "rebuilt.bin")
        let verified = try CommandRunner.sosdump(["verify", "--catalog", catalog, image])
        #expect(verified.status == 0)
        #expect(verified.standardOutput.contains("  catalog: known: release 7.6.2SR7, image 7.6.2g (spa50x-30x-7-6-2g.bin; bundle SPA30x_SPA50x_7.6.2SR7_FW.zip"))

        let list = try CommandRunner.sosdump(["catalog", "list", "--catalog", catalog])
        #expect(list.status == 0 && list.standardOutput.hasPrefix("images (1):\n  7.6.2SR7, image 7.6.2g  spa50x-30x-7-6-2g.bin"))
        let json = try CommandRunner.sosdump(["catalog", "list", "--format", "json", "--catalog", catalog])
        let decoded = try FirmwareCatalog.decode(Data(json.standardOutput.utf8), source: "stdout")
        #expect(decoded.images.count == 1 && decoded.bundles.count == 25)
    }

    @Test func importARejectedImageExitsThreeAndRecordsNothing() throws {
        var built = FirmwareImageBuilder().build()
        built.flip(at: 0x30)
        let image = try write(built.bytes, "bad.bin")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try CommandRunner.sosdump(["catalog", "import", "--catalog", catalog, image])
        #expect(run.status == 3)
        #expect(run.standardOutput.contains("the loader rejects it (\"incorrect firmware digest\": "))
        #expect(try FirmwareCatalog.load(path: catalog).images.isEmpty)
        #expect(try CommandRunner.sosdump(["catalog", "import", "--catalog", catalog, folder + "/none.zip"]).status == 2)
    }
}
