import CSystemZlib
import Foundation
import Testing
@testable import SOSDump

/// Gzip-compressed captures read as tshark reads them.
@Suite struct GzipInputTests {
    typealias C = TFTPConversation

    /// `bytes` as one gzip member, made by zlib's deflate (what gzip(1) writes).
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        #expect(deflateInit2_(&stream, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        let produced = input.withUnsafeMutableBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                stream.next_in = src.baseAddress
                stream.avail_in = UInt32(src.count)
                stream.next_out = dst.baseAddress
                stream.avail_out = UInt32(dst.count)
                #expect(deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return dst.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(produced))
    }

    func sampleCapture() -> (pcap: [UInt8], file: [UInt8]) {
        let file = C.fileBytes(512 * 40 + 17, seed: 5)
        var c = C()
        c.send(C.phone, C.group, C.rrq("/spa71f6.bin"))
        for (i, b) in C.blocks(of: file, size: 512).enumerated() {
            c.send(C.Host(ip: C.pc.ip, port: 50001), C.phone, C.data(i + 1, b))
            c.send(C.phone, C.group, C.ack(i + 1))
        }
        return (c.pcap(), file)
    }

    func frames(_ path: String) throws -> [(number: Int, length: Int)] {
        let reader = try CaptureReader(path: path)
        var result: [(Int, Int)] = []
        while let frame = try reader.next() { result.append((frame.number, frame.capturedLength)) }
        return result
    }

    @Test func aGzippedCaptureReadsLikeThePlainOne() throws {
        let (pcap, file) = sampleCapture()
        let plain = try frames(try temporaryFile(pcap))
        let path = try temporaryFile(Self.gzip(pcap))
        let inflated = try frames(path)
        #expect(inflated.elementsEqual(plain) { $0 == $1 })
        var tracker = TFTPTransferTracker()
        try FrameDecoder().decodeAll(from: try CaptureReader(path: path)) { tracker.observe($0) }
        #expect(tracker.finish().first?.file.bytes == file)
    }

    @Test func concatenatedMembersReadAsOneStream() throws {
        let (pcap, _) = sampleCapture()
        let cut = 24 + 1000  // inside a record: the second member carries the rest
        let twoMembers = Self.gzip(Array(pcap[..<cut])) + Self.gzip(Array(pcap[cut...]))
        #expect(try frames(try temporaryFile(twoMembers)).count == (try frames(try temporaryFile(pcap))).count)
    }

    @Test func aCutGzipFileReportsWhereAfterTheFramesBeforeIt() throws {
        let (pcap, _) = sampleCapture()
        let gz = Self.gzip(pcap)
        let reader = try CaptureReader(path: try temporaryFile(Array(gz.prefix(gz.count / 2))))
        var read = 0
        let error = #expect(throws: CaptureError.self) {
            while try reader.next() != nil { read += 1 }
        }
        #expect(read > 10)
        #expect(error?.description.contains("the gzip data ends before its end marker") == true)
        #expect(error?.description.contains("compressed byte \(gz.count / 2)") == true)
    }

    @Test func corruptGzipDataIsAnErrorNotACrash() throws {
        let (pcap, _) = sampleCapture()
        var gz = Self.gzip(pcap)
        for i in stride(from: 30, to: gz.count - 8, by: 97) { gz[i] ^= 0x5A }
        let path = try temporaryFile(gz)
        let error = #expect(throws: CaptureError.self) {
            let reader = try CaptureReader(path: path)
            while try reader.next() != nil {}
        }
        #expect(error?.description.contains("gzip") == true)
    }

    @Test func shortAndPlainInputsStillWork() throws {
        // One byte that is not gzip: the reader's own error, not the gzip one.
        let error = #expect(throws: CaptureError.self) { _ = try CaptureReader(path: try temporaryFile([0x1F])) }
        #expect(error?.description.contains("gzip") == false)
        // A gzip magic and nothing else: the stream is cut short.
        let cut = #expect(throws: CaptureError.self) { _ = try CaptureReader(path: try temporaryFile([0x1F, 0x8B])) }
        #expect(cut?.description.contains("gzip") == true)
    }
}
