import Foundation
import Testing
import ZIPFoundation
@testable import SOSDump
import SOSDumpSimulation

/// The cases of "hostile input" (docs/hostile-input.md), each with the
/// bound it must keep: `extract` writes only new files in its folder,
/// sparse, and leaves nothing torn; a bundle is refused before its bytes
/// are inflated twice, and bounded in images and bytes; a catalog is
/// bounded in size and indexed; a damaged gzip trailer loses no frame.
@Suite struct HostileInputTests {
    typealias C = TFTPConversation

    // MARK: extract

    /// A capture of one transfer of `size` bytes (512-byte blocks), named
    /// `name`, missing `skipping` blocks, ending with its short block.
    static func transferCapture(name: String = "spa.bin", size: Int = 512 * 40 + 7, skipping: Set<Int> = []) throws -> (String, [UInt8]) {
        let bytes = C.fileBytes(size, seed: 7)
        var c = C()
        let server = C.Host(ip: C.pc.ip, port: 50001)
        c.send(C.phone, C.pc, C.rrq(name))
        for (i, block) in C.blocks(of: bytes, size: 512).enumerated() where !skipping.contains(i + 1) {
            c.send(server, C.phone, C.data(i + 1, block))
            c.send(C.phone, server, C.ack(i + 1))
        }
        return (try temporaryFile(c.pcap()), bytes)
    }

    static func folder() throws -> String { try CommandRunner.temporaryDirectory() }

    static func names(_ dir: String) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }

    @Test func forceNeverWritesThroughAHardLinkToAFileOutside() throws {
        let (capture, bytes) = try Self.transferCapture()
        let dir = try Self.folder(), outside = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: outside) }
        _ = FileManager.default.createFile(atPath: outside + "/precious", contents: Data("keep".utf8))
        #expect(link(outside + "/precious", dir + "/spa.bin") == 0)
        let result = try CommandRunner.sosdump(["extract", "--force", capture, "-o", dir])
        #expect(result.status == 73)
        #expect(result.standardError.contains("has 2 links"), "\(result.standardError)")
        #expect(FileManager.default.contents(atPath: outside + "/precious") == Data("keep".utf8))
        // A regular file with one link is replaced (by a new file, renamed over it).
        #expect(unlink(dir + "/spa.bin") == 0)
        _ = FileManager.default.createFile(atPath: dir + "/spa.bin", contents: Data("old".utf8))
        let forced = try CommandRunner.sosdump(["extract", "--force", capture, "-o", dir])
        #expect(forced.status == 0)
        #expect(FileManager.default.contents(atPath: dir + "/spa.bin") == Data(bytes))
        #expect(try Self.names(dir) == ["spa.bin"])
    }

    @Test func aFIFOOrADeviceIsNeverOpened() throws {
        let (capture, _) = try Self.transferCapture()
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkfifo(dir + "/spa.bin", 0o644) == 0)
        // Opening the FIFO for writing would block for ever: the run ends.
        let forced = try CommandRunner.sosdump(["extract", "--force", capture, "-o", dir])
        #expect(forced.status == 73)
        #expect(forced.standardError.contains("it is a FIFO: not replaced"), "\(forced.standardError)")
        let plain = try CommandRunner.sosdump(["extract", capture, "-o", dir])
        #expect(plain.status == 73 && plain.standardError.contains("it exists"))
        #expect(unlink(dir + "/spa.bin") == 0)
        #expect(symlink("/dev/null", dir + "/spa.bin") == 0)
        let device = try CommandRunner.sosdump(["extract", "--force", capture, "-o", dir])
        #expect(device.status == 73 && device.standardError.contains("a symbolic link"))
        #expect(try Self.names(dir) == ["spa.bin"])  // no temporary file left behind
    }

    @Test func aPartialFileIsSparseAndReadsAsZerosInItsGaps() throws {
        // Blocks 3 to 30 (14 KiB) are missing: a hole, not 14 KiB of zeros on disk.
        let (capture, bytes) = try Self.transferCapture(skipping: Set(3...30))
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try CommandRunner.sosdump(["extract", capture, "-o", dir])
        #expect(result.status == 0, "\(result.standardError)")
        let path = dir + "/spa.bin.partial"
        let written = try #require(FileManager.default.contents(atPath: path))
        var expected = bytes
        for i in 1024..<(30 * 512) { expected[i] = 0 }
        #expect(Array(written) == expected)
        // The gap takes no disk space: at least two 4 KiB blocks of it are a hole.
        var st = stat()
        #expect(stat(path, &st) == 0)
        let whole = (written.count + 4095) / 4096 * 4096
        #expect(Int(st.st_blocks) * 512 <= whole - 8192, "\(st.st_blocks) blocks of 512 bytes for \(written.count) bytes")
        #expect(try Self.names(dir) == ["spa.bin.partial", "spa.bin.partial.gaps"])
    }

    @Test func aFailedWriteLeavesNothingTornBehind() throws {
        // Under `ulimit -f 8` (8 KiB) the 20 KiB file cannot be written;
        // the small one after it still is.
        let big = C.fileBytes(512 * 40 + 7, seed: 7), small = C.fileBytes(100, seed: 8)
        var c = C()
        let server = C.Host(ip: C.pc.ip, port: 50001), server2 = C.Host(ip: C.pc.ip, port: 50002)
        c.send(C.phone, C.pc, C.rrq("big.bin"))
        for (i, block) in C.blocks(of: big, size: 512).enumerated() where i != 2 {  // a gap: a .partial and its map
            c.send(server, C.phone, C.data(i + 1, block))
            c.send(C.phone, server, C.ack(i + 1))
        }
        c.send(C.phone, C.pc, C.rrq("small.bin"), after: 20)
        c.send(server2, C.phone, C.data(1, small))
        c.send(C.phone, server2, C.ack(1))
        let capture = try temporaryFile(c.pcap())
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try CommandRunner.sosdump(["extract", capture, "-o", dir], fileSizeLimitKiB: 8)
        #expect(result.status == 73)
        #expect(result.standardError.contains("big.bin.partial: File too large"), "\(result.standardError)")
        // No truncated .partial, no map without its file, no temporary file.
        #expect(try Self.names(dir) == ["small.bin"])
        #expect(FileManager.default.contents(atPath: dir + "/small.bin") == Data(small))
    }

    // MARK: Bundles

    /// A zip with `members`, stored or deflated by ZIPFoundation.
    static func zip(_ members: [(String, [UInt8])], compression: CompressionMethod = .deflate) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (member, bytes) in members {
            let data = Data(bytes)
            try archive.addEntry(with: member, type: .file, uncompressedSize: Int64(data.count), compressionMethod: compression) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return [UInt8](try #require(archive.data))
    }

    /// `zip` with its central directory's records rewritten by `records`
    /// (each record's bytes, from the first): the end record is made to match.
    static func rewritingDirectory(_ zip: [UInt8], _ records: ([[UInt8]]) -> [[UInt8]]) -> [UInt8] {
        func u16(_ at: Int) -> Int { Int(zip[at]) | Int(zip[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        let end = zip.count - 22
        let count = u16(end + 10), start = u32(end + 16)
        var list: [[UInt8]] = []
        var at = start
        for _ in 0..<count {
            let length = 46 + u16(at + 28) + u16(at + 30) + u16(at + 32)
            list.append(Array(zip[at..<at + length]))
            at += length
        }
        let rewritten = records(list)
        var out = Array(zip[..<start])
        for r in rewritten { out += r }
        var tail = Array(zip[end...])
        func put16(_ v: Int, _ at: Int) { tail[at] = UInt8(v & 0xFF); tail[at + 1] = UInt8(v >> 8 & 0xFF) }
        put16(rewritten.count, 8)
        put16(rewritten.count, 10)
        let size = rewritten.reduce(0) { $0 + $1.count }
        put16(size & 0xFFFF, 12); put16(size >> 16, 14)
        return out + tail
    }

    static func set32(_ bytes: inout [UInt8], _ at: Int, _ value: Int) {
        for i in 0..<4 { bytes[at + i] = UInt8(value >> (8 * i) & 0xFF) }
    }

    @Test func entriesSharingOneStreamAreRefusedBeforeAnythingIsInflated() throws {
        // 2,000 entries, every one the same 16 MiB stream of zeros: 32 GB to inflate.
        let one = try Self.zip([("a.bin", [UInt8](repeating: 0, count: 16 << 20))])
        let bomb = Self.rewritingDirectory(one) { records in Array(repeating: records[0], count: 2000) }
        var steps = 0
        #expect(throws: FirmwareImportError.self) {
            try FirmwareImport.read(Data(bomb), path: "bomb.zip", known: .builtIn) { _ in steps += 1 }
        }
        #expect(steps == 0)
        do {
            _ = try FirmwareImport.read(Data(bomb), path: "bomb.zip", known: .builtIn)
        } catch {
            #expect(error.reason.contains("share one stream"), "\(error)")
        }
    }

    @Test func entriesWhoseBytesOverlapAreRefused() throws {
        // Entry b's local header lies inside entry a's stored bytes.
        let inner = Array("b.bin".utf8), payload = [UInt8](repeating: 7, count: 64)
        var header: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        header += [0, 0, 0, 0] + [64, 0, 0, 0] + [64, 0, 0, 0] + [UInt8(inner.count), 0, 0, 0]
        let zip = try Self.zip([("a.bin", header + inner + payload + [UInt8](repeating: 1, count: 100))], compression: .none)
        let overlapping = Self.rewritingDirectory(zip) { records in
            var b = records[0]
            Self.set32(&b, 20, 64)  // compressed size
            Self.set32(&b, 24, 64)
            Self.set32(&b, 42, 30 + 5)  // its local header: inside a's data
            return [records[0], b]
        }
        do {
            _ = try FirmwareImport.read(Data(overlapping), path: "overlap.zip", known: .builtIn)
            Issue.record("an overlapping zip was read")
        } catch {
            #expect(error.reason.contains("overlap"), "\(error)")
        }
    }

    @Test func anEndRecordWhoseCommentRunsPastTheEndIsRefusedBeforeZIPFoundation() throws {
        // Found by the fuzzer: ZIPFoundation's Archive(data:) leaked on it.
        var zip = try Self.zip([("a.bin", [1, 2, 3])])
        zip[zip.count - 2] = 0x77
        zip[zip.count - 1] = 0xF8
        do {
            _ = try FirmwareImport.read(Data(zip), path: "comment.zip", known: .builtIn)
            Issue.record("read a zip whose comment runs past its end")
        } catch {
            #expect(error.reason.contains("comment runs past the end of the file"), "\(error)")
        }
    }

    @Test func imagesAndInflatedBytesPerBundleAreCappedAndEachReportedAsItIsDone() throws {
        let image = FirmwareImageBuilder().build().bytes
        let members = (0..<6).map { ("spa-\($0).bin", image) }
        let bundle = Data(try Self.zip(members))
        var limits = FirmwareImport.Limits()
        limits.images = 4
        var steps: [String] = []
        let report = try FirmwareImport.read(bundle, path: "many.zip", known: .builtIn, limits: limits) { step in
            switch step {
            case .opened: steps.append("opened")
            case .image(let i): steps.append(i.name)
            }
        }
        #expect(steps == ["opened", "spa-0.bin", "spa-1.bin", "spa-2.bin", "spa-3.bin"])
        #expect(report.images.count == 4)
        #expect(report.skipped == ["spa-4.bin: more than 4 images in one bundle", "spa-5.bin: more than 4 images in one bundle"])

        limits = FirmwareImport.Limits()
        limits.inflatedTotal = image.count * 2 + 1
        let capped = try FirmwareImport.read(bundle, path: "many.zip", known: .builtIn, limits: limits)
        #expect(capped.images.count == 2)
        #expect(capped.skipped.count == 4 && capped.skipped.allSatisfy { $0.contains("inflated from one bundle") })
    }

    @Test func importPrintsEachImageAndEscapesMemberNames() throws {
        let image = FirmwareImageBuilder().build().bytes
        let path = try temporaryFile(try Self.zip([("\u{1B}]0;x\u{07}\u{202E}.bin", image)]))
        let dir = try Self.folder()
        defer { unlink(path); try? FileManager.default.removeItem(atPath: dir) }
        let result = try CommandRunner.sosdump(["catalog", "import", "--catalog", dir + "/catalog.json", path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("\\x1b]0;x\\x07\\u{202E}.bin: version"), "\(result.standardOutput)")
        let list = try CommandRunner.sosdump(["catalog", "list", "--catalog", dir + "/catalog.json"])
        for line in (result.standardOutput + list.standardOutput).split(separator: "\n") {
            #expect(TerminalText.isSafe(line), "\(line.debugDescription)")
        }
    }

    // MARK: The catalog

    static func image(_ n: Int) -> FirmwareCatalog.Image {
        var digest = [UInt8](repeating: 0, count: 32)
        for i in 0..<8 { digest[i] = UInt8(n >> (8 * i) & 0xFF) }
        return FirmwareCatalog.Image(release: nil, imageVersion: nil, file: "i\(n).bin", size: n, sha256: HexDigest(digest), md5: nil, origin: nil)
    }

    @Test func aCatalogIsIndexedBySHA256() throws {
        // 50,000 images, each named twice: one entry each, the last kept.
        var json = FirmwareCatalog(images: (0..<50_000).map(Self.image))
        var later = Self.image(17)
        later.origin = "later"
        json.add(later)
        let merged = FirmwareCatalog.builtIn.merging(json).merging(json)
        #expect(merged.images.count == 50_000)
        #expect(merged.image(sha256: later.sha256)?.origin == "later")
        #expect(merged.image(sha256: Self.image(49_999).sha256) == Self.image(49_999))
        #expect(merged.images.map(\.size) == Array(0..<50_000))  // first-added order kept
        // A file naming a SHA-256 twice keeps its last entry.
        let text = #"{"format":"sosdump-firmware-catalog","version":1,"images":[A,B]}"#
        let a = String(decoding: try JSONEncoder().encode(Self.image(1)), as: UTF8.self)
        var b1 = Self.image(1)
        b1.file = "again.bin"
        let b = String(decoding: try JSONEncoder().encode(b1), as: UTF8.self)
        let decoded = try FirmwareCatalog.decode(Data(text.replacingOccurrences(of: "A", with: a).replacingOccurrences(of: "B", with: b).utf8), source: "c")
        #expect(decoded.images == [b1])
    }

    @Test func aCatalogFileIsBoundedAndNeverAFIFO() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let big = dir + "/big.json"
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        #expect(truncate(big, off_t(FirmwareCatalog.maximumFileSize + 1)) == 0)
        #expect(throws: FirmwareCatalogError(path: big, kind: .cannotRead("larger than 32 MiB, more than any catalog"))) {
            try FirmwareCatalog.load(path: big)
        }
        let fifo = dir + "/fifo.json"
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(throws: FirmwareCatalogError(path: fifo, kind: .cannotRead("not a regular file"))) {
            try FirmwareCatalog.load(path: fifo)
        }
    }

    // MARK: gzip

    @Test func aBadGzipTrailerLosesNoFrameAndSaysWhere() throws {
        var c = C()
        for n in 0..<24 { c.send(C.phone, C.pc, C.rrq("f\(n).bin")) }
        let pcap = c.pcap()
        for (field, offset) in [("incorrect data check", 8), ("incorrect length check", 4)] {
            // Two members, the capture split between them: the second is
            // still read after the first's bad trailer.
            let half = pcap.count / 2
            var gz = GzipInputTests.gzip(Array(pcap[..<half]))
            gz[gz.count - offset] ^= 0xFF  // the CRC-32, then the length
            let path = try temporaryFile(gz + GzipInputTests.gzip(Array(pcap[half...])))
            defer { unlink(path) }
            let reader = try CaptureReader(path: path)
            var frames = 0
            while try reader.next() != nil { frames += 1 }
            #expect(frames == 24)
            #expect(reader.warnings.count == 1)
            #expect(reader.warnings.first?.kind == .gzipCheckFailed(field))
            #expect(reader.warnings.first?.offset == Int64(gz.count - 8))
            let result = try CommandRunner.sosdump(["packets", path])
            #expect(result.status == 0)
            #expect(result.standardOutput.split(separator: "\n").count == 24)
            #expect(result.standardError.contains("gzip trailer's check failed (\(field))"), "\(result.standardError)")
        }
    }
}
