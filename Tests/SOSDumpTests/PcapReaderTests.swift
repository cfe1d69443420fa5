import Testing
@testable import SOSDump

#if canImport(Glibc)
import Glibc
#endif

/// Bytes 0, 1, 2, … as a frame's contents, so a wrong offset shows.
func pattern(_ count: Int, from first: UInt8 = 0) -> [UInt8] {
    (0..<count).map { first &+ UInt8(truncatingIfNeeded: $0) }
}

@Suite struct PcapReaderTests {
    /// A small file with three records of different lengths.
    static func sample(order: ByteOrder, magic: PcapFileBuilder.Magic = .microseconds) -> PcapFileBuilder {
        var file = PcapFileBuilder(order: order, magic: magic, snapLength: 1500)
        file.record(seconds: 1_700_000_000, fraction: 123_456, data: pattern(60))
        file.record(seconds: 1_700_000_001, fraction: 999_999, data: pattern(14, from: 100), originalLength: 1514)
        file.record(seconds: 1_700_000_002, fraction: 0, data: pattern(33, from: 200))
        return file
    }

    @Test func readsAHandWrittenFile() throws {
        // A little-endian microsecond file, snap length 262144, Ethernet,
        // one record of 4 bytes (original length 60) at 1.5 s after the epoch.
        // 0000: d4 c3 b2 a1 02 00 04 00  00 00 00 00 00 00 00 00
        // 0010: 00 00 04 00 01 00 00 00  01 00 00 00 20 a1 07 00
        // 0020: 04 00 00 00 3c 00 00 00  de ad be ef
        let bytes: [UInt8] = [
            0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x20, 0xa1, 0x07, 0x00,
            0x04, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef,
        ]
        let reader = try CaptureReader(input: MemoryInput(bytes), name: "hand.pcap")
        #expect(reader.format == .pcap)
        #expect(reader.interfaces == [CaptureInterface(linkType: .ethernet, snapLength: 262_144)])
        let frame = try #require(try reader.next())
        #expect(frame.number == 1)
        #expect(frame.timestamp == CaptureTimestamp(seconds: 1, nanoseconds: 500_000_000))
        #expect(frame.timestamp.fractionDigits == 6)
        #expect(Array(frame.bytes) == [0xde, 0xad, 0xbe, 0xef])
        #expect(frame.capturedLength == 4 && frame.originalLength == 60 && frame.bytes.isTruncated)
        #expect(frame.linkType == .ethernet && frame.interfaceIndex == 0 && frame.fileOffset == 24)
        #expect(try reader.next() == nil)
        #expect(reader.framesRead == 1 && reader.bytesConsumed == 44)
        #expect(reader.warnings.isEmpty)
    }

    @Test(arguments: [ByteOrder.little, .big], [PcapFileBuilder.Magic.microseconds, .nanoseconds])
    func readsBothByteOrdersAndResolutions(order: ByteOrder, magic: PcapFileBuilder.Magic) {
        let file = Self.sample(order: order, magic: magic)
        let result = readAll(file.bytes)
        #expect(result.error == nil)
        #expect(result.format == .pcap)
        #expect(result.interfaces == [CaptureInterface(linkType: .ethernet, snapLength: 1500)])
        let scale: UInt32 = magic == .nanoseconds ? 1 : 1000
        let digits: UInt8 = magic == .nanoseconds ? 9 : 6
        #expect(result.frames == [
            summary(1, offset: 24, seconds: 1_700_000_000, nanoseconds: 123_456 * scale, digits: digits, data: pattern(60)),
            summary(2, offset: 24 + 16 + 60, seconds: 1_700_000_001, nanoseconds: 999_999 * scale, digits: digits, data: pattern(14, from: 100), original: 1514),
            summary(3, offset: 24 + 16 + 60 + 16 + 14, seconds: 1_700_000_002, nanoseconds: 0, digits: digits, data: pattern(33, from: 200)),
        ])
        #expect(result.bytesConsumed == Int64(file.bytes.count))
        #expect(result.warnings.isEmpty)
    }

    @Test func carriesAnOverlongFractionIntoTheSeconds() throws {
        var micro = PcapFileBuilder(magic: .microseconds)
        micro.record(seconds: 10, fraction: 2_500_000, data: [1])
        var nano = PcapFileBuilder(magic: .nanoseconds)
        nano.record(seconds: 10, fraction: 4_000_000_001, data: [1])
        #expect(readAll(micro.bytes).frames.map { [$0.seconds, Int64($0.nanoseconds)] } == [[12, 500_000_000]])
        #expect(readAll(nano.bytes).frames.map { [$0.seconds, Int64($0.nanoseconds)] } == [[14, 1]])
    }

    @Test func readsTheModifiedFormat() {
        var file = PcapFileBuilder(order: .big, magic: .modified)
        file.record(seconds: 5, fraction: 7, data: pattern(20))
        file.record(seconds: 6, fraction: 8, data: pattern(3, from: 9))
        let result = readAll(file.bytes)
        #expect(result.error == nil)
        #expect(result.frames == [
            summary(1, offset: 24, seconds: 5, nanoseconds: 7000, digits: 6, data: pattern(20)),
            summary(2, offset: 24 + 24 + 20, seconds: 6, nanoseconds: 8000, digits: 6, data: pattern(3, from: 9)),
        ])
    }

    @Test func takesTheLinkTypeFromTheLow16BitsAndTheFCSLengthFromTheTop() {
        // FCS length 2 words, "FCS length present" bit, LINKTYPE_ETHERNET.
        let withFCS = PcapFileBuilder(linkTypeField: 0x2400_0001)
        #expect(readAll(withFCS.bytes).interfaces == [CaptureInterface(linkType: .ethernet, snapLength: 65535, fcsLength: 4)])
        // Top bits set but not the "present" bit: no FCS length.
        var other = PcapFileBuilder(order: .big, linkTypeField: 0x1000_0071)
        other.record(seconds: 0, fraction: 0, data: [1, 2])
        let result = readAll(other.bytes)
        #expect(result.interfaces == [CaptureInterface(linkType: .linuxSLL, snapLength: 65535)])
        #expect(result.frames.map(\.linkType) == [.linuxSLL])
    }

    @Test func warnsWhenTheCapturedLengthExceedsTheOriginalOrTheSnapLength() {
        var file = PcapFileBuilder(snapLength: 64)
        file.record(seconds: 1, fraction: 0, data: pattern(10))
        file.record(seconds: 2, fraction: 0, data: pattern(40), originalLength: 30)
        file.record(seconds: 3, fraction: 0, data: pattern(80))
        let result = readAll(file.bytes, name: "odd.pcap")
        #expect(result.error == nil)
        #expect(result.frames.map(\.data.count) == [10, 40, 80])
        #expect(result.frames.map(\.originalLength) == [10, 40, 80])
        #expect(result.warnings == [
            CaptureWarning(file: "odd.pcap", offset: 50, frame: 2, kind: .capturedLongerThanOriginal(captured: 40, original: 30)),
            CaptureWarning(file: "odd.pcap", offset: 106, frame: 3, kind: .capturedLongerThanSnapLength(captured: 80, snapLength: 64)),
        ])
        #expect(result.warnings.first?.description
            == "odd.pcap: byte offset 50 (frame 2): captured length 40 is more than the original length 30; taking 40 as the original length")
    }

    @Test func keepsAtMostTheMaximumNumberOfWarnings() {
        var file = PcapFileBuilder()
        for second in 0..<(CaptureReader.maximumWarnings + 7) {
            file.record(seconds: UInt32(second), fraction: 0, data: [1, 2], originalLength: 1)
        }
        let result = readAll(file.bytes)
        #expect(result.frames.count == CaptureReader.maximumWarnings + 7)
        #expect(result.warnings.count == CaptureReader.maximumWarnings)
        #expect(result.suppressedWarnings == 7)
    }

    // MARK: Damage

    @Test func refusesAFileWithoutPcapMagic() {
        let html = Array("<html><body>not a capture</body></html>".utf8)
        let result = readAll(html, name: "page.pcap")
        #expect(result.error == CaptureError(file: "page.pcap", offset: 0, kind: .notACapture(magic: 0x3C68_746D)))
        #expect(result.error?.description == "page.pcap: byte offset 0: not a pcap or pcapng file: it starts with 3c 68 74 6d, not a capture's magic number")
        #expect(result.frames.isEmpty)

        let gzip = readAll([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0, 0])
        #expect(gzip.error?.message.hasSuffix("(it looks gzip-compressed: decompress it first)") == true)
    }

    @Test func refusesEmptyAndShortFiles() {
        #expect(readAll([]).error == CaptureError(file: "test.cap", offset: 0, kind: .truncatedHeader(needed: 4, available: 0)))
        #expect(readAll([]).error?.description == "test.cap: byte offset 0: the file is empty")
        let header = PcapFileBuilder().bytes
        let short = readAll(Array(header[..<10]))
        #expect(short.error == CaptureError(file: "test.cap", offset: 0, kind: .truncatedHeader(needed: 24, available: 10), format: .pcap))
        #expect(short.error?.message == "the file ends after 10 bytes, inside its 24-byte header")
    }

    @Test func refusesOtherVersions() {
        let file = PcapFileBuilder(order: .big, version: (3, 0))
        let result = readAll(file.bytes)
        #expect(result.error == CaptureError(file: "test.cap", offset: 0, kind: .unsupportedVersion(major: 3, minor: 0), format: .pcap))
        #expect(result.error?.message == "pcap version 3.0 is not supported (only 2.x)")
    }

    @Test(arguments: [ByteOrder.little, .big])
    func stopsAtACapturedLengthOf2GiB(order: ByteOrder) {
        var file = PcapFileBuilder(order: order)
        file.record(seconds: 1, fraction: 0, data: pattern(60))
        file.record(seconds: 2, fraction: 0, data: pattern(60), capturedLength: 0x8000_0000)
        file.record(seconds: 3, fraction: 0, data: pattern(60))
        let result = readAll(file.bytes, name: "lie.pcap")
        #expect(result.frames.map(\.number) == [1])
        #expect(result.error == CaptureError(
            file: "lie.pcap", offset: 100,
            kind: .implausibleLength(claimed: 0x8000_0000, limit: 16 << 20), format: .pcap
        ))
        #expect(result.error?.description
            == "lie.pcap: byte offset 100: record claims 2147483648 captured bytes, more than the 16 MiB a record may have")
        #expect(result.afterEnd == nil)
        #expect(result.bytesConsumed == 100)
        #expect(result.bufferCapacity == CaptureReader.initialBufferCapacity)
    }

    @Test func stopsAtARecordLongerThanTheFile() {
        var file = PcapFileBuilder()
        file.record(seconds: 1, fraction: 0, data: pattern(60))
        file.record(seconds: 2, fraction: 0, data: pattern(40), capturedLength: 1000)
        let result = readAll(file.bytes)
        #expect(result.frames.map(\.number) == [1])
        #expect(result.error == CaptureError(
            file: "test.cap", offset: 100, kind: .recordPastEnd(claimed: 1016, available: 56), format: .pcap
        ))
        #expect(result.error?.message == "the file ends inside a record: it needs 1016 bytes, only 56 are left")
    }

    @Test func stopsAtARecordHeaderCutShort() {
        var file = PcapFileBuilder()
        file.record(seconds: 1, fraction: 0, data: pattern(60))
        file.append([1, 2, 3, 4, 5])
        let result = readAll(file.bytes)
        #expect(result.frames.count == 1)
        #expect(result.error?.kind == .recordPastEnd(claimed: 16, available: 5))
        #expect(result.error?.offset == 100)
    }

    @Test(arguments: [ByteOrder.little, .big], [PcapFileBuilder.Magic.microseconds, .nanoseconds, .modified])
    func handlesEveryPrefix(order: ByteOrder, magic: PcapFileBuilder.Magic) {
        let file = Self.sample(order: order, magic: magic)
        checkEveryPrefix(file.bytes, records: file.records)
    }

    @Test func survivesRandomCorruption() {
        checkCorruptions(of: Self.sample(order: .little).bytes, seed: 1, rounds: 1500)
        checkCorruptions(of: Self.sample(order: .big, magic: .modified).bytes, seed: 2, rounds: 500)
    }

    // MARK: Streaming

    @Test func readsTheSameWhateverTheReadSizeAndBuffer() {
        var file = PcapFileBuilder(order: .big, magic: .nanoseconds)
        for index in 0..<300 {
            file.record(seconds: UInt32(index), fraction: UInt32(index * 7), data: pattern(index % 97 + 1, from: UInt8(index % 256)))
        }
        let whole = readAll(file.bytes)
        #expect(whole.error == nil && whole.frames.count == 300)
        for (readLength, capacity) in [(1, 64), (13, 40), (4096, 100), (100_000, 1 << 20)] {
            let result = readAll(file.bytes, maximumReadLength: readLength, bufferCapacity: capacity)
            #expect(result.error == nil)
            #expect(result.frames == whole.frames, "reads of \(readLength), buffer \(capacity)")
        }
    }

    @Test func growsTheBufferForALongRecordOnlyAsFarAsNeeded() {
        var file = PcapFileBuilder(snapLength: 0)
        let big = pattern(3 << 20, from: 7)
        file.record(seconds: 1, fraction: 0, data: pattern(10))
        file.record(seconds: 2, fraction: 0, data: big)
        file.record(seconds: 3, fraction: 0, data: pattern(10))
        let result = readAll(file.bytes, maximumReadLength: 65536)
        #expect(result.error == nil)
        #expect(result.frames.map(\.data.count) == [10, 3 << 20, 10])
        #expect(result.frames[1].data == big)
        #expect(result.bufferCapacity == 4 << 20)
    }

    // MARK: Files and pipes

    @Test func readsAFileByPath() throws {
        let file = Self.sample(order: .little)
        let path = try temporaryFile(file.bytes)
        defer { unlink(path) }
        let reader = try CaptureReader(path: path)
        #expect(reader.name == path)
        var numbers: [Int] = []
        while let frame = try reader.next() { numbers.append(frame.number) }
        #expect(numbers == [1, 2, 3])
        #expect(reader.bytesConsumed == Int64(file.bytes.count))
    }

    @Test func reportsAFileThatCannotBeOpened() {
        #expect(throws: CaptureError(file: "/nonexistent/dump.pcap", offset: nil, kind: .cannotOpen("No such file or directory"))) {
            try CaptureReader(path: "/nonexistent/dump.pcap")
        }
        let error = CaptureError(file: "/nonexistent/dump.pcap", offset: nil, kind: .cannotOpen("No such file or directory"))
        #expect(error.description == "/nonexistent/dump.pcap: cannot open: No such file or directory")
    }

    @Test func reportsAReadThatFails() throws {
        // /proc/self/mem opens, but reading its offset 0 (unmapped) fails (EIO).
        #expect(throws: CaptureError(file: "/proc/self/mem", offset: 0, kind: .readFailed("Input/output error"))) {
            try CaptureReader(path: "/proc/self/mem")
        }
    }

    @Test func aFolderIsNamedAsSuch() throws {
        // A directory opens, but it is not a capture: said in plain words, not as EISDIR.
        let path = try temporaryFile([])
        unlink(path)
        #expect(mkdir(path, 0o700) == 0)
        defer { rmdir(path) }
        #expect(throws: CaptureError(file: path, offset: nil, kind: .cannotOpen("a folder, not a capture file"))) {
            try CaptureReader(path: path)
        }
    }

    @Test func dashIsStandardInput() throws {
        let input = try FileInput(path: "-")
        #expect(input.fileDescriptor == 0)
        #expect(input.name == "standard input")
    }

    @Test func readsFromAPipe() throws {
        // More than a pipe holds, so the writer blocks and the reader gets
        // whatever each read returns.
        var file = PcapFileBuilder()
        for index in 0..<2000 {
            file.record(seconds: UInt32(index), fraction: 0, data: pattern(200, from: UInt8(index % 256)))
        }
        let bytes = file.bytes
        let (readEnd, writeEnd) = try makePipe()
        let writer = startWriting(bytes, to: writeEnd)
        let result = readAll(FileInput(fileDescriptor: readEnd, name: "pipe", closeWhenDone: true), name: "pipe")
        writer.join()
        #expect(result.error == nil)
        #expect(result.frames.count == 2000)
        #expect(result.frames.last?.data == pattern(200, from: UInt8(1999 % 256)))
        #expect(result.bytesConsumed == Int64(bytes.count))
    }
}

/// A frame as the reader should deliver it.
func summary(
    _ number: Int, offset: Int64, interface: Int = 0, linkType: LinkType = .ethernet,
    seconds: Int64, nanoseconds: UInt32, digits: UInt8, data: [UInt8], original: Int? = nil
) -> FrameSummary {
    data.withUnsafeBytes { raw in
        FrameSummary(CapturedFrame(
            number: number,
            timestamp: CaptureTimestamp(seconds: seconds, nanoseconds: nanoseconds, fractionDigits: digits),
            interfaceIndex: interface,
            linkType: linkType,
            bytes: ByteView(raw, wireCount: original),
            fileOffset: offset
        ))
    }
}
