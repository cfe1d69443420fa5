import CPcap
import Foundation
import SOSDump
import Testing
@testable import SOSDumpLive

/// What `PcapngWriter` writes, read by another reader: libpcap (what
/// tcpdump and Wireshark's dumpcap use), frame for frame against the source.
@Suite struct PcapngWriterLibpcapTests {
    struct Record: Equatable {
        var seconds: Int
        var nanoseconds: Int
        var captured: UInt32
        var original: UInt32
        var bytes: [UInt8]
    }

    static func libpcapRecords(_ path: String) throws -> (linkType: Int32, records: [Record]) {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        let handle = try #require(pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer),
                                  "\(path): \(Libpcap.text(errorBuffer))")
        defer { pcap_close(handle) }
        var records: [Record] = []
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while true {
            let status = pcap_next_ex(handle, &header, &data)
            if status == PCAP_ERROR_BREAK { break }
            try #require(status == 1, "\(path): \(Libpcap.lastError(handle))")
            let h = try #require(header).pointee
            let bytes = Array(UnsafeBufferPointer(start: try #require(data), count: Int(h.caplen)))
            records.append(Record(seconds: h.ts.tv_sec, nanoseconds: h.ts.tv_usec, captured: h.caplen, original: h.len, bytes: bytes))
        }
        return (pcap_datalink(handle), records)
    }

    @Test(arguments: [("sos", "recovered.pcap"), ("net", "snaplen-64.pcap"), ("net", "ipv6.pcapng"), ("net", "any-sll2.pcap")])
    func libpcapReadsWhatTheWriterWrote(group: String, name: String) throws {
        let source = Repository.capture(group, name)
        let copy = "/tmp/sosdump-test-\(UUID().uuidString).pcapng"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let reader = try CaptureReader(path: source)
        let writer = try PcapngWriter(path: copy, application: "sosdump tests")
        try writer.addInterface(try #require(reader.interfaces.first))
        while let frame = try reader.next() { try writer.write(frame, interface: 0) }
        try writer.writeStatistics(interface: 0, time: CaptureTimestamp(seconds: 2_000_000_000, nanoseconds: 0),
                                   start: CaptureTimestamp(seconds: 1_000_000_000, nanoseconds: 0), received: 1, droppedByInterface: 0, droppedByOS: 0)
        try writer.close()

        let original = try Self.libpcapRecords(source)
        let written = try Self.libpcapRecords(copy)
        #expect(written.linkType == original.linkType)
        #expect(written.records.count == original.records.count)
        #expect(written.records == original.records)
    }
}
