import Foundation
import Testing
@testable import SOSDump
import SOSDumpSimulation

/// `sosdump verify` prints these lines and this JSON; the command only
/// chooses between them and sets the exit status from the verdict.
@Suite struct FirmwareReportTests {
    static let valid = FirmwareImageBuilder().build()

    @Test func acceptedImageText() {
        let v = FirmwareVerification(Self.valid.bytes)
        let lines = FirmwareText().lines(FirmwareReport(file: "good.bin", verification: v, identification: .unknownValid))
        #expect(lines[0] == "good.bin: \(Self.valid.count) bytes, version 7.6.2g")
        #expect(lines[2] == "  loader: accepts it (\"Validate firmware successful\") and writes 3 of its 5 sectors")
        #expect(lines[3] == "  catalog: not in the catalog; the loader accepts it")
        #expect(lines[4] == "checks:")
        #expect(lines.contains("  ok      sectors: all 5 sectors in bounds, each with its MD5 right"))
        #expect(lines.count == 5 + 9)
        #expect(!lines.contains { $0.contains("FAILED") })
    }

    @Test func rejectedImageTextNamesTheLoadersLineAndWhere() {
        var image = Self.valid
        image.flip(at: image.data[3].offset + image.data[3].length - 2)
        let v = FirmwareVerification(image.bytes)
        let lines = FirmwareText().lines(FirmwareReport(file: "bad.bin", verification: v, identification: .invalid(v.checks[0])))
        #expect(lines[2] == "  loader: rejects it: it prints \"Sector 33 digest error\", then \"Validate firmware failed\" (sector #3 (id 33) digest)")
        #expect(lines[3] == "    A part of the image was damaged (in transit or on disk): get the image again.")
        let failed = lines.filter { $0.contains("FAILED") }
        #expect(failed == ["  FAILED  sector #3 (id 33) digest: the zlib data at byte 0x\(String(image.data[3].offset, radix: 16)) (\(image.data[3].length) bytes) does not inflate: zlib: incorrect data check [loader: \"Sector 33 digest error\"]"])
        #expect(lines.contains("  ok      sectors: the other 9 sector checks passed"))
    }

    @Test func jsonHasEveryCheckAndTheVerdict() throws {
        var image = Self.valid
        image.flip(at: 0x30)
        let v = FirmwareVerification(image.bytes)
        let known = FirmwareCatalog.Image(release: "7.6.2SR7", imageVersion: "7.6.2g", file: "a.bin", size: 1, sha256: v.sha256, md5: nil, origin: "o")
        let json = FirmwareReport(file: "x.bin", verification: v, identification: .known(known)).json
        #expect(!json.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let verdict = try #require(object["verdict"] as? [String: Any])
        #expect(verdict["status"] as? String == "rejected")
        #expect(verdict["loader_message"] as? String == "incorrect firmware digest")
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.count == v.checks.count)
        #expect(checks.filter { $0["status"] as? String == "failed" }.map { $0["check"] as? String } == ["header digest"])
        #expect(checks[5]["offset"] as? Int == 0x30 && checks[5]["by_loader"] as? Bool == true)
        let catalog = try #require(object["catalog"] as? [String: Any])
        #expect(catalog["status"] as? String == "known" && catalog["release"] as? String == "7.6.2SR7" && catalog["image_version"] as? String == "7.6.2g")
        #expect(object["sha256"] as? String == v.sha256.description && object["extent"] as? String == "complete")
    }

    @Test func partialImageText() {
        let v = FirmwareVerification(Array(Self.valid.bytes.prefix(1000)), extent: .prefix)
        let lines = FirmwareText().lines(FirmwareReport(file: "part.bin", verification: v, identification: .incomplete(v.checks[0])))
        #expect(lines[0] == "part.bin: 1000 bytes (the first bytes of an image), version 7.6.2g")
        #expect(lines[2].hasPrefix("  loader: cannot tell yet, the image is partial: sector #0 (id 0) bounds: "))
        #expect(lines.contains { $0.hasPrefix("  --      total length: ") })
    }

    @Test func catalogListingInReleaseOrder() {
        let lines = CatalogListing.lines(.builtIn)
        #expect(lines[0] == "images (0):")
        #expect(lines[2] == "bundles (25):")
        #expect(lines[3].hasPrefix("  7.4.6  spa50x-30x-7-4-6.zip  11734840 bytes  sha256 0fa3ba66"))
        #expect(lines.last?.hasPrefix("  7.6.2SR7  SPA30x_SPA50x_7.6.2SR7_FW.zip  4898613 bytes") == true)
        let i = lines.firstIndex { $0.contains("7.5.6_XU") }, j = lines.firstIndex { $0.contains("7.5.6a") }
        #expect(i != nil && j != nil && i! < j!)
    }
}
