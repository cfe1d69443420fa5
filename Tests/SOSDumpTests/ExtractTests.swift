import Foundation
import Testing
@testable import SOSDump
import SOSDumpSimulation

/// `sosdump extract` and the names and gap maps it writes.
@Suite struct ExtractTests {
    typealias C = TFTPConversation

    @Test(arguments: [
        ("/spa71f6.bin", "spa71f6.bin"),
        ("../../etc/passwd", "etc_passwd"),
        ("/a/../b.bin", "a_b.bin"),
        ("C:\\firmware\\SIP.loads", "C__firmware_SIP.loads"),
        ("..", "transfer-7"),
        ("", "transfer-7"),
        (".bashrc", "_.bashrc"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1.bin", "_com1.bin"),
        ("console.bin", "console.bin"),
        ("name.\u{7}bell", "name._bell"),
        ("what?.bin", "what_.bin"),
        ("trailing. . ", "trailing"),
    ])
    func safeNames(wire: String, expected: String) {
        #expect(ExtractedFile.safeName(fromWire: wire, transferNumber: 7) == expected)
    }

    @Test func longNamesAreCutToTheLimitOnCharacterBoundaries() {
        let name = ExtractedFile.safeName(fromWire: String(repeating: "é", count: 300), transferNumber: 1)
        #expect(name.utf8.count <= ExtractedFile.maxNameBytes)
        #expect(name.utf8.count >= ExtractedFile.maxNameBytes - 1)
        #expect(name.allSatisfy { $0 == "é" })
    }

    @Test func numberedNamesKeepTheExtension() {
        #expect(ExtractedFile.numbered("spa71f6.bin", 3) == "spa71f6-3.bin")
        #expect(ExtractedFile.numbered("README", 2) == "README-2")
        #expect(ExtractedFile.numbered(".x", 2) == ".x-2")
    }

    /// A capture with a complete transfer, a stalled one with a hole, and
    /// a hostile name, written as a pcap file.
    func sampleCapture() throws -> (path: String, complete: [UInt8], partial: [UInt8]) {
        let complete = C.fileBytes(512 * 2 + 3, seed: 21), partial = C.fileBytes(512 * 5, seed: 22)
        let server = C.Host(ip: C.pc.ip, port: 50001)
        var c = C()
        c.send(C.phone, C.group, C.rrq("/spa71f6.bin"))
        for (i, b) in C.blocks(of: complete, size: 512).enumerated() {
            c.send(server, C.phone, C.data(i + 1, b))
            c.send(C.phone, C.group, C.ack(i + 1))
        }
        let other = C.Host(ip: IPv4Address(192, 0, 2, 9), port: 40000), server2 = C.Host(ip: C.pc.ip, port: 50002)
        c.send(other, C.pc, C.rrq("../../../etc/cron.d/x"))
        let blocks = C.blocks(of: partial, size: 512)
        for n in [1, 2, 4] {  // block 3 never captured; the transfer stops after 4
            c.send(server2, other, C.data(n, blocks[n - 1]))
            c.send(other, server2, C.ack(n))
        }
        return (try temporaryFile(c.pcap()), complete, partial)  // left in /tmp, like every temporaryFile
    }

    @Test func writesCompleteAndPartialFilesWithGapMapsAndNeverOverwrites() throws {
        let (capture, complete, partial) = try sampleCapture()
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try CommandRunner.sosdump(["extract", capture, "-o", dir])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(FileManager.default.contents(atPath: dir + "/spa71f6.bin") == Data(complete))
        let written = try #require(FileManager.default.contents(atPath: dir + "/etc_cron.d_x.partial"))
        #expect(Array(written) == Array(partial[0..<1024]) + [UInt8](repeating: 0, count: 512) + Array(partial[1536..<2048]))
        let gaps = try #require(FileManager.default.contents(atPath: dir + "/etc_cron.d_x.partial.gaps"))
        let lines = String(decoding: gaps, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines == ["1024\t512\t3\t3\tnot-captured"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
                == ["etc_cron.d_x.partial", "etc_cron.d_x.partial.gaps", "spa71f6.bin"])

        let again = try CommandRunner.sosdump(["extract", capture, "-o", dir])
        #expect(again.status == 73)
        #expect(again.standardError.contains("exists (use --force"))
        try Data("changed".utf8).write(to: URL(fileURLWithPath: dir + "/spa71f6.bin"))
        let forced = try CommandRunner.sosdump(["extract", "--force", capture, "-o", dir])
        #expect(forced.status == 0)
        #expect(FileManager.default.contents(atPath: dir + "/spa71f6.bin") == Data(complete))
    }

    @Test func neverFollowsASymbolicLinkInTheOutputDirectory() throws {
        let (capture, _, _) = try sampleCapture()
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = dir + "-target"
        defer { try? FileManager.default.removeItem(atPath: target) }
        FileManager.default.createFile(atPath: target, contents: Data("keep".utf8))
        try FileManager.default.createSymbolicLink(atPath: dir + "/spa71f6.bin", withDestinationPath: target)
        let result = try CommandRunner.sosdump(["extract", "--force", capture, "-o", dir])
        #expect(result.status == 73)
        #expect(FileManager.default.contents(atPath: target) == Data("keep".utf8))
    }

    @Test func transfersCommandPrintsTheTableAndJSON() throws {
        let (capture, complete, _) = try sampleCapture()
        let text = try CommandRunner.sosdump(["transfers", capture])
        #expect(text.status == 0)
        let lines = text.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("#  FRAME  TIME (UTC)") == true)
        #expect(lines.contains { $0.hasPrefix("1  1 ") && $0.contains("192.0.2.2:2000") && $0.hasSuffix("complete") })
        #expect(lines.contains("    request to 234.4.8.10:69"))
        #expect(lines.contains { $0.contains("gap: block 3 (bytes 1024..<1536): not in the capture, and nothing shows the receiver got them") })

        let json = try CommandRunner.sosdump(["transfers", "--format", "json", capture])
        #expect(json.status == 0)
        let listing = try TransferListingJSON.decode(json.standardOutput)
        #expect(listing.transfers.count == 2)
        let first = listing.transfers[0]
        #expect(first.file == "/spa71f6.bin" && first.complete && first.outcome == "complete")
        #expect(first.bytes == complete.count && first.size == complete.count)
        #expect(first.requestTo == "234.4.8.10:69" && first.server == "192.0.2.1:50001")
        // Random bytes sent as /spa71f6.bin in the S.O.S. shape: checked, and not an image.
        #expect(first.image?.hasImageMagic == false)
        #expect(first.image?.loader == "rejected")
        #expect(lines.contains { $0.hasPrefix("    not an SPA30x/SPA50x firmware image") })
        #expect(listing.transfers[1].outcome == "stalled" && listing.transfers[1].stall?.quietSide == "server")
        #expect(json.standardOutput.contains("\"request_to\""))
    }

    @Test func aDamagedCaptureStillListsWhatCameBefore() throws {
        let (capture, _, _) = try sampleCapture()
        var bytes = Array(try #require(FileManager.default.contents(atPath: capture)))
        bytes.removeLast(20)  // cut inside the last record
        let cut = try temporaryFile(bytes)
        let result = try CommandRunner.sosdump(["transfers", "--format", "json", cut])
        #expect(result.status == 1)
        #expect(result.standardError.contains("stopped after frame"))
        let listing = try TransferListingJSON.decode(result.standardOutput)
        #expect(listing.transfers.count == 2)
        #expect(listing.damage != nil)
    }
}

/// `transfers` runs the loader's checks on an image a transfer carried.
@Suite struct TransferredImageTests {
    typealias C = TFTPConversation

    func capture(carrying image: [UInt8], stopAfterBlocks: Int? = nil) throws -> String {
        let server = C.Host(ip: C.pc.ip, port: 50001)
        var c = C()
        c.send(C.phone, C.group, C.rrq("/spa71f6.bin"))
        for (i, b) in C.blocks(of: image, size: 512).enumerated() where i < (stopAfterBlocks ?? .max) {
            c.send(server, C.phone, C.data(i + 1, b))
            c.send(C.phone, C.group, C.ack(i + 1))
        }
        return try temporaryFile(c.pcap())
    }

    func imageRecord(_ path: String) throws -> TransferRecord.Image? {
        // An empty catalog of our own, so the user's catalog cannot change the answer.
        let catalog = try temporaryFile(Array(FirmwareCatalog().encoded()))
        let result = try CommandRunner.sosdump(["transfers", "--format", "json", "--catalog", catalog, path])
        #expect(result.status == 0, "\(result.standardError)")
        return try TransferListingJSON.decode(result.standardOutput).transfers.first?.image
    }

    @Test func aValidImageIsAcceptedAndUnknownToTheCatalog() throws {
        let image = FirmwareImageBuilder().build().bytes
        let record = try #require(try imageRecord(try capture(carrying: image)))
        #expect(record.loader == "accepted" && record.extent == "complete" && record.size == image.count)
        #expect(record.version == "7.6.2g")
        #expect(record.catalog == "unknown-valid")
        #expect(record.hasImageMagic)
    }

    @Test func aDamagedImageIsRejectedWithTheLoadersMessage() throws {
        var built = FirmwareImageBuilder().build()
        built.flip(at: built.data[2].offset + 100)  // a byte of a stored sector the loader writes
        let record = try #require(try imageRecord(try capture(carrying: built.bytes)))
        #expect(record.loader == "rejected")
        #expect(record.loaderMessage?.hasSuffix("digest error") == true)
        #expect(record.catalog == "invalid")
    }

    @Test func aTransferThatStoppedIsCheckedAsFarAsItGot() throws {
        let image = FirmwareImageBuilder().build().bytes
        let record = try #require(try imageRecord(try capture(carrying: image, stopAfterBlocks: 3)))
        #expect(record.extent == "prefix" && record.size == 3 * 512)
        #expect(record.loader == "incomplete")
    }

    @Test func otherFilesAreNotTreatedAsImages() throws {
        let record = try imageRecord(try {
            var c = C()
            c.send(C.phone, C.pc, C.rrq("/spa504G.cfg"))
            c.send(C.Host(ip: C.pc.ip, port: 50001), C.phone, C.data(1, Array("<flat-profile/>".utf8)))
            return try temporaryFile(c.pcap())
        }())
        #expect(record == nil)
    }
}
