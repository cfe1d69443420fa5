import Foundation
import Testing
@testable import SOSDump

/// `PcapngWriter`: the bytes of a small file, and real captures written
/// again and read back by the offline reader, frame for frame.
@Suite struct PcapngWriterTests {
    static func temporaryPath() -> String { "/tmp/sosdump-test-\(UUID().uuidString).pcapng" }

    @Test func writesTheBlocksTheSpecificationDescribes() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try PcapngWriter(path: path, application: "t")
        try writer.addInterface(CaptureInterface(linkType: .ethernet, snapLength: 262_144, name: "lv0"))
        let frameBytes: [UInt8] = [0xde, 0xad, 0xbe]
        let failure = frameBytes.withUnsafeBytes { raw -> CaptureWriteError? in
            let frame = CapturedFrame(number: 1, timestamp: CaptureTimestamp(seconds: 1, nanoseconds: 500_000_001), interfaceIndex: 0,
                                      linkType: .ethernet, bytes: ByteView(raw, wireCount: 64), fileOffset: 0)
            do {
                try writer.write(frame, interface: 0)
                return nil
            } catch {
                return error as? CaptureWriteError
            }
        }
        if let failure { throw failure }
        try writer.close()
        #expect(writer.framesWritten == 1)

        // Little-endian. Section Header Block: version 1.0, section length
        // -1, shb_userappl "t"; Interface Description Block: Ethernet, snap
        // length 262144, if_name "lv0", if_tsresol 9; Enhanced Packet
        // Block: interface 0, 1 500 000 001 ns (0x5968_2F01), 3 of 64 bytes.
        // 0000: 0a 0d 0d 0a 28 00 00 00  4d 3c 2b 1a 01 00 00 00
        // 0010: ff ff ff ff ff ff ff ff  04 00 01 00 74 00 00 00
        // 0020: 00 00 00 00 28 00 00 00  01 00 00 00 28 00 00 00
        // 0030: 01 00 00 00 00 00 04 00  02 00 03 00 6c 76 30 00
        // 0040: 09 00 01 00 09 00 00 00  00 00 00 00 28 00 00 00
        // 0050: 06 00 00 00 24 00 00 00  00 00 00 00 00 00 00 00
        // 0060: 01 2f 68 59 03 00 00 00  40 00 00 00 de ad be 00
        // 0070: 24 00 00 00
        let expected: [UInt8] = [
            0x0a, 0x0d, 0x0d, 0x0a, 0x28, 0x00, 0x00, 0x00, 0x4d, 0x3c, 0x2b, 0x1a, 0x01, 0x00, 0x00, 0x00,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x04, 0x00, 0x01, 0x00, 0x74, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00,
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x02, 0x00, 0x03, 0x00, 0x6c, 0x76, 0x30, 0x00,
            0x09, 0x00, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00,
            0x06, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x01, 0x2f, 0x68, 0x59, 0x03, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe, 0x00,
            0x24, 0x00, 0x00, 0x00,
        ]
        let written = try #require(FileManager.default.contents(atPath: path))
        #expect(Array(written) == expected)
        #expect(writer.bytesWritten == Int64(expected.count))

        let reader = try CaptureReader(path: path)
        #expect(reader.interfaces == [CaptureInterface(linkType: .ethernet, snapLength: 262_144, name: "lv0")])
        let frame = try #require(try reader.next())
        #expect(frame.timestamp == CaptureTimestamp(seconds: 1, nanoseconds: 500_000_001))
        #expect(frame.timestamp.fractionDigits == 9)
        #expect(Array(frame.bytes) == frameBytes && frame.originalLength == 64)
        #expect(try reader.next() == nil)
    }

    /// Copies every frame of `source` into a new pcapng file, adding each
    /// interface as its first frame needs it; returns the new file's path.
    static func rewrite(_ source: String) throws -> String {
        let path = temporaryPath()
        let reader = try CaptureReader(path: source)
        let writer = try PcapngWriter(path: path, application: "sosdump tests")
        var added: [Int: Int] = [:]
        while let frame = try reader.next() {
            let index: Int
            if let known = added[frame.interfaceIndex] {
                index = known
            } else {
                index = try writer.addInterface(reader.interfaces[frame.interfaceIndex])
                added[frame.interfaceIndex] = index
            }
            try writer.write(frame, interface: index)
        }
        try writer.close()
        return path
    }

    struct FrameFacts: Equatable {
        var seconds: Int64
        var nanoseconds: UInt32
        var linkType: LinkType
        var interfaceName: String?
        var bytes: [UInt8]
        var originalLength: Int
    }

    static func facts(_ path: String) throws -> [FrameFacts] {
        let reader = try CaptureReader(path: path)
        var result: [FrameFacts] = []
        while let frame = try reader.next() {
            result.append(FrameFacts(seconds: frame.timestamp.seconds, nanoseconds: frame.timestamp.nanoseconds, linkType: frame.linkType,
                                     interfaceName: reader.interfaces[frame.interfaceIndex].name, bytes: Array(frame.bytes),
                                     originalLength: frame.originalLength))
        }
        return result
    }

    /// pcap µs and ns, a snap length that cut frames, pcapng with two
    /// interfaces of different link types, a whole S.O.S. recovery.
    @Test(arguments: [
        ("net", "udp-ipv4.pcap"), ("net", "udp-ipv4-nano.pcap"), ("net", "snaplen-64.pcap"), ("net", "mixed-linktypes.pcapng"),
        ("net", "ipv6.pcapng"), ("net", "vlan.pcap"), ("net", "any-sll2.pcap"), ("sos", "recovered.pcap"),
    ])
    func everyFrameReadsBackAsItWasRead(group: String, name: String) throws {
        let source = CaptureCorpus.path(group, name)
        let copy = try Self.rewrite(source)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let original = try Self.facts(source)
        let readBack = try Self.facts(copy)
        #expect(original.count > 0)
        #expect(readBack.count == original.count)
        for (index, (a, b)) in zip(original, readBack).enumerated() {
            #expect(b == a, "\(name) frame \(index + 1)")
        }
        let reader = try CaptureReader(path: copy)
        #expect(reader.format == .pcapng)
        #expect(reader.warnings.isEmpty)
    }

    @Test func statisticsBlocksAreSkippedByTheReader() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try PcapngWriter(path: path)
        try writer.addInterface(CaptureInterface(linkType: .ethernet, snapLength: 100, name: "lv0", description: "a veth"))
        try writer.writeStatistics(interface: 0, time: CaptureTimestamp(seconds: 10, nanoseconds: 0), start: CaptureTimestamp(seconds: 5, nanoseconds: 0),
                                   received: 7, droppedByInterface: 1, droppedByOS: 2)
        try writer.close()
        let reader = try CaptureReader(path: path)
        #expect(try reader.next() == nil)
        #expect(reader.warnings.isEmpty)
        #expect(reader.interfaces.first?.description == "a veth")
    }

    @Test func anUnwritablePathIsAnErrorThatSaysWhy() {
        #expect(throws: CaptureWriteError(file: "/nonexistent-dir/x.pcapng", reason: "No such file or directory")) {
            try PcapngWriter(path: "/nonexistent-dir/x.pcapng")
        }
    }
}
