#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SOSDump

/// A regular file is mapped, not read (`MappedFile`): what reading does
/// when the file changes under the mapping.
@Suite struct MappedFileTests {
    /// A pcap of `count` frames of 1,000 bytes (about 1 MB a thousand).
    static func capture(frames count: Int, from first: Int = 0, header: Bool = true) -> [UInt8] {
        var pcap = PcapFileBuilder()
        for i in first..<(first + count) {
            pcap.record(seconds: UInt32(1_700_000_000 + i), fraction: 0, data: [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: 1000))
        }
        return header ? pcap.bytes : Array(pcap.bytes.dropFirst(24))
    }

    /// Another program truncates the file while it is read: without the
    /// guard, the next read of a page the file lost kills the process
    /// (SIGBUS). It is reported as the file cut short, where the record
    /// that could not be read starts, and the frames before it are read.
    @Test func aFileCutWhileItIsReadIsReportedNotACrash() throws {
        let bytes = Self.capture(frames: 10_000)
        let path = try temporaryFile(bytes)
        defer { unlink(path) }
        let reader = try CaptureReader(path: path)
        #expect(reader.isMapped)
        for _ in 0..<6_000 { _ = try reader.next() }  // past a release of the pages behind
        let cutAt = 24 + 8_000 * 1016 + 500
        #expect(truncate(path, off_t(cutAt)) == 0)
        var frames = 6_000
        do {
            while try reader.next() != nil { frames += 1 }
            Issue.record("read to the end of a file cut short without an error")
        } catch {
            #expect("\(error)".contains("the file was cut short while it was read"), "\(error)")
            let offset = try #require(error.offset)
            // A record at most a page and a record before the cut: none
            // of the zeros where the file was is read as a record.
            #expect(offset <= Int64(cutAt) && offset > Int64(cutAt) - 2 * 4096 - 1016, "\(offset)")
            #expect(frames <= 8_000 && frames >= 8_000 - 10, "\(frames)")
            #expect((Int(offset) - 24) % 1016 == 0, "\(offset) is not where a record starts")
        }
    }

    /// A file that grows while it is read (a capture still being written)
    /// is read past what was mapped, to its end when that is reached.
    @Test func aFileThatGrowsWhileItIsReadIsReadToItsNewEnd() throws {
        let path = try temporaryFile(Self.capture(frames: 3_000))
        defer { unlink(path) }
        let reader = try CaptureReader(path: path)
        #expect(reader.isMapped)
        _ = try reader.next()
        let fd = open(path, O_WRONLY | O_APPEND)
        try writeAll(Self.capture(frames: 2_000, from: 3_000, header: false), to: fd)
        close(fd)
        var frames = 1
        var last: CapturedFrame?
        while let frame = try reader.next() {
            frames += 1
            last = frame
        }
        #expect(frames == 5_000)
        #expect(last?.timestamp == CaptureTimestamp(seconds: 1_700_000_000 + 4_999, nanoseconds: 0))
        #expect(last.map { Array($0.bytes) } == [UInt8](repeating: UInt8(truncatingIfNeeded: 4_999), count: 1000))
    }

    /// A file cut inside the mapping's last page has no page after it to
    /// fault: the reader asks the file's size there.
    @Test func aFileCutInItsLastPageIsReportedToo() throws {
        let bytes = Self.capture(frames: 100)
        let path = try temporaryFile(bytes)
        defer { unlink(path) }
        let reader = try CaptureReader(path: path)
        #expect(reader.isMapped)
        _ = try reader.next()
        #expect(truncate(path, off_t(bytes.count - 1016 - 100)) == 0)
        var frames = 1
        do {
            while try reader.next() != nil { frames += 1 }
            Issue.record("read to the end of a file cut short without an error")
        } catch {
            #expect("\(error)".contains("the file was cut short while it was read"), "\(error)")
            #expect(frames < 99, "\(frames)")
        }
    }

    /// Standard input, a pipe, is read: nothing to map.
    @Test func aPipeIsRead() throws {
        let (readEnd, writeEnd) = try makePipe()
        let bytes = Self.capture(frames: 10)
        try writeAll(bytes, to: writeEnd)
        close(writeEnd)
        let reader = try CaptureReader(input: FileInput(fileDescriptor: readEnd, name: "pipe", closeWhenDone: true), name: "pipe")
        #expect(!reader.isMapped)
        var frames = 0
        while try reader.next() != nil { frames += 1 }
        #expect(frames == 10)
    }
}
