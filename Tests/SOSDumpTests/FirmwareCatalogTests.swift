import Foundation
import Testing
@testable import SOSDump
import SOSDumpSimulation

@Suite struct FirmwareCatalogTests {
    @Test func theBuiltInCatalogHoldsEveryKnownBundle() throws {
        // Decoded with the same decoder users' catalogs go through, not silently empty.
        let catalog = try FirmwareCatalog.decode(Data(FirmwareCatalog.builtInJSON.utf8), source: "built-in")
        #expect(catalog == FirmwareCatalog.builtIn)
        #expect(catalog.images.isEmpty)
        #expect(catalog.bundles.count == 25)
        #expect(Set(catalog.bundles.map(\.sha256)).count == 25)
        let sr7 = catalog.bundle(sha256: HexDigest(hex: "d9f15630ebfdeb4a96f44a6b083cf817e9f4ed8dec817ef84a1661d4265690f9")!)
        #expect(sr7?.file == "SPA30x_SPA50x_7.6.2SR7_FW.zip" && sr7?.size == 4_898_613 && sr7?.release == "7.6.2SR7")
        // Every release parses, and matches the version in its file name.
        for bundle in catalog.bundles {
            let release = try #require(bundle.release.flatMap(SPAVersion.init), "\(bundle.file)")
            #expect(SPAVersion.inFileName(bundle.file) == release, "\(bundle.file)")
        }
    }

    static let image = FirmwareCatalog.Image(
        release: "7.6.2SR7", imageVersion: "7.6.2g", file: "spa50x-30x-7-6-2g.bin", size: 100,
        sha256: HexDigest(hex: String(repeating: "ab", count: 32))!, md5: HexDigest(hex: String(repeating: "cd", count: 16)),
        origin: "test")

    /// The base name is the last component of a split at either slash,
    /// on names made of slashes, letters, a combining accent (which makes
    /// a slash before it another character) and a CR LF.
    @Test func baseNameIsTheLastComponent() {
        let pieces = ["/", "\\", "a", "SPA525G.bin", "\u{301}", "\r\n", "é", "."]
        var random = SplitMix64(seed: 0xBA5E)
        #expect(FirmwareCatalog.baseName("") == "")
        #expect(FirmwareCatalog.baseName("//") == "//")
        #expect(FirmwareCatalog.baseName("dir/sub\\spa.bin/") == "spa.bin")
        for _ in 0..<5_000 {
            let name = (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            let split = String(name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? Substring(name))
            #expect(FirmwareCatalog.baseName(name) == split, "\(name.debugDescription)")
        }
    }

    @Test func jsonRoundTripWithSnakeCaseKeys() throws {
        var catalog = FirmwareCatalog()
        catalog.add(Self.image)
        let text = String(decoding: catalog.encoded(), as: UTF8.self)
        #expect(text.contains("\"image_version\" : \"7.6.2g\""))
        #expect(text.contains("\"sha256\" : \"\(String(repeating: "ab", count: 32))\""))
        #expect(text.contains("\"format\" : \"sosdump-firmware-catalog\""))
        #expect(try FirmwareCatalog.decode(catalog.encoded(), source: "x") == catalog)
    }

    @Test func addReplacesTheSameHashAndMergeLetsTheUserWin() {
        var catalog = FirmwareCatalog()
        let replacedFirst = catalog.add(Self.image)
        #expect(!replacedFirst)
        var renamed = Self.image
        renamed.origin = "again"
        let replacedSecond = catalog.add(renamed)
        #expect(replacedSecond)
        #expect(catalog.images.count == 1 && catalog.images[0].origin == "again")
        let merged = FirmwareCatalog.builtIn.merging(catalog)
        #expect(merged.images == [renamed] && merged.bundles.count == 25)
    }

    @Test func badCatalogsSayWhatAndWhere() {
        func error(_ json: String) -> FirmwareCatalogError? {
            do {
                _ = try FirmwareCatalog.decode(Data(json.utf8), source: "c.json")
                return nil
            } catch {
                return error
            }
        }
        #expect(error(#"{"format": "other", "version": 1}"#)?.description == #"c.json: not a firmware catalog: its format is "other", not "sosdump-firmware-catalog""#)
        #expect(error(#"{"format": "sosdump-firmware-catalog", "version": 2}"#)?.kind == .unsupportedVersion(2))
        let badHash = error(#"{"format": "sosdump-firmware-catalog", "version": 1, "images": [{"file": "a", "size": 1, "sha256": "xyz"}]}"#)
        #expect(badHash?.description.hasPrefix("c.json: not a firmware catalog: not a hex digest: xyz at .images[0].sha256") == true, "\(String(describing: badHash))")
        let missing = error(#"{"format": "sosdump-firmware-catalog", "version": 1, "bundles": [{"file": "a", "size": 1}]}"#)
        #expect(missing?.description == #"c.json: not a firmware catalog: missing "sha256" at .bundles[0]"#, "\(String(describing: missing))")
        #expect(error("not json") != nil)
    }

    @Test func saveAndLoad() throws {
        let folder = NSTemporaryDirectory() + "sosdump-catalog-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/deep/catalog.json"
        var catalog = FirmwareCatalog()
        catalog.add(Self.image)
        try catalog.save(path: path)
        #expect(try FirmwareCatalog.load(path: path) == catalog)
        #expect(throws: FirmwareCatalogError.self) { try FirmwareCatalog.load(path: folder + "/none.json") }
    }

    @Test func builtInWithTheUsersCatalog() throws {
        #expect(try FirmwareCatalog.withUserCatalog(at: nil) == .builtIn)
        #expect(try FirmwareCatalog.withUserCatalog(at: "/nonexistent/catalog.json") == .builtIn)
        let path = try temporaryFile(Array(FirmwareCatalog(images: [Self.image]).encoded()))
        defer { unlink(path) }
        let both = try FirmwareCatalog.withUserCatalog(at: path)
        #expect(both.images == [Self.image] && both.bundles.count == 25)
        let broken = try temporaryFile(Array("{".utf8))
        defer { unlink(broken) }
        #expect(throws: FirmwareCatalogError.self) { try FirmwareCatalog.withUserCatalog(at: broken) }
    }

    @Test func userCatalogLocation() {
        #expect(FirmwareCatalog.userCatalogPath(environment: ["XDG_DATA_HOME": "/data", "HOME": "/home/u"]) == "/data/sosdump/catalog.json")
        #expect(FirmwareCatalog.userCatalogPath(environment: ["HOME": "/home/u"]) == "/home/u/.local/share/sosdump/catalog.json")
        // A relative XDG_DATA_HOME is ignored, as the XDG rules say.
        #expect(FirmwareCatalog.userCatalogPath(environment: ["XDG_DATA_HOME": "data", "HOME": "/home/u"]) == "/home/u/.local/share/sosdump/catalog.json")
        #expect(FirmwareCatalog.userCatalogPath(environment: [:]) == nil)
    }

    // MARK: Identification

    @Test func identifyKnownValidInvalidAndBundle() {
        let built = FirmwareImageBuilder().build()
        let valid = FirmwareVerification(built.bytes)
        var catalog = FirmwareCatalog.builtIn

        #expect(catalog.identify(valid) == .unknownValid)
        let entry = FirmwareCatalog.Image(release: "7.6.2SR7", imageVersion: "7.6.2g", file: "spa50x-30x-7-6-2g.bin",
                                          size: built.count, sha256: valid.sha256, md5: valid.md5, origin: "test")
        catalog.add(entry)
        #expect(catalog.identify(valid) == .known(entry))
        #expect(catalog.identify(sha256: valid.sha256, verification: nil) == .known(entry))

        var damaged = built
        damaged.flip(at: damaged.data[2].offset)
        let bad = FirmwareVerification(damaged.bytes)
        guard case .invalid(let check) = catalog.identify(bad) else { Issue.record("not invalid"); return }
        #expect(check.kind == .sectorDigest(index: 2, id: 32))

        let partial = FirmwareVerification(Array(built.bytes.prefix(300)), extent: .prefix)
        guard case .incomplete = catalog.identify(partial) else { Issue.record("not incomplete"); return }

        let sr7 = HexDigest(hex: "d9f15630ebfdeb4a96f44a6b083cf817e9f4ed8dec817ef84a1661d4265690f9")!
        guard case .bundle(let bundle) = catalog.identify(sha256: sr7, verification: nil) else { Issue.record("not a bundle"); return }
        #expect(bundle.release == "7.6.2SR7")
        #expect(catalog.identify(sha256: HexDigest([1, 2, 3]), verification: nil) == .unknown)
    }

    @Test func identifyMismatchByNameOrVersion() {
        let valid = FirmwareVerification(FirmwareImageBuilder().build().bytes)
        var catalog = FirmwareCatalog()
        var other = Self.image
        other.imageVersion = "7.5.2b"
        catalog.add(other)
        // Same file name (the phone's RRQ name may carry a slash), another hash.
        #expect(catalog.identify(valid, fileName: "/SPA50X-30X-7-6-2G.BIN") == .mismatch(expected: other))
        #expect(catalog.identify(valid, fileName: "x.bin") == .unknownValid)
        // Same header version (7.6.2g, written 7.6.2SR7 in the catalog), another hash.
        other.file = "renamed.bin"
        other.imageVersion = "7.6.2SR7"
        let byVersion = FirmwareCatalog(images: [other])
        #expect(byVersion.identify(valid, fileName: "x.bin") == .mismatch(expected: other))
    }
}
