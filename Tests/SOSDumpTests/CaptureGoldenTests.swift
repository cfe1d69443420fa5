import Foundation
import Testing
@testable import SOSDump

/// Golden tests over the captures made by real programs (captures/README.md
/// says how each was made). `scripts/update-expected` regenerates the
/// expected listings; the tshark references are made by
/// `scripts/update-references` and are never derived from sosdump.
@Suite struct CaptureGoldenTests {
    /// The folders of captures/ walked (captures/net: link layers and file
    /// formats; captures/tftp: TFTP transfers). A capture is named "folder/file".
    static let groups = ["net", "tftp"]
    static let captures = groups.flatMap { group in CaptureCorpus.captures(in: group).map { "\(group)/\($0)" } }

    @Test func theCorpusIsThere() {
        // A missing corpus must fail, not silently run no golden test.
        for group in Self.groups {
            let count = CaptureCorpus.captures(in: group).count
            #expect(count >= 15, "captures/\(group) holds \(count) captures")
        }
    }

    /// "folder/file" → (folder, file)
    static func split(_ capture: String) -> (group: String, file: String) {
        let parts = capture.split(separator: "/", maxSplits: 1).map(String.init)
        return (parts[0], parts[1])
    }

    @Test(arguments: captures)
    func listingMatchesExpected(capture: String) throws {
        let (group, file) = Self.split(capture)
        let expected = try #require(CaptureCorpus.text(group, file + ".packets.txt"),
                                    "no expected listing: run scripts/update-expected")
        let path = CaptureCorpus.path(group, file)
        let (lines, damageAbsolute) = try CaptureCorpus.listing(path)
        // The expected warning names the file as scripts/update-expected gave it.
        let damage = damageAbsolute?.replacing(path, with: "captures/\(capture)")
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(lines.count == want.count, "\(capture): \(lines.count) lines, expected \(want.count)")
        for (i, (got, exp)) in zip(lines, want).enumerated() where got != exp {
            Issue.record("\(capture) line \(i + 1):\n  got      \(got)\n  expected \(exp)")
            break
        }
        let expectedDamage = CaptureCorpus.text(group, file + ".packets.err")?.trimmingCharacters(in: .newlines)
        #expect(damage == expectedDamage, "\(capture)")
    }

    /// sosdump's decoding, field by field, against tshark's on the same file
    /// (reassembly off, as the references were made).
    @Test(arguments: captures)
    func agreesWithTshark(capture: String) throws {
        let (group, file) = Self.split(capture)
        let tsv = try #require(CaptureCorpus.text(group, file + ".tshark.tsv"), "no tshark reference")
        var rows = tsv.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let header = rows.removeFirst()
        let records = try CaptureCorpus.records(CaptureCorpus.path(group, file))
        #expect(records.count == rows.count, "\(capture): sosdump read \(records.count) frames, tshark \(rows.count)")

        for (record, row) in zip(records, rows) {
            var field: [String: String] = [:]
            for (name, value) in zip(header, row) { field[name] = value }
            func first(_ name: String) -> String? {
                guard let v = field[name], !v.isEmpty else { return nil }
                return String(v.split(separator: ",").first ?? "")
            }
            let at = "\(capture) frame \(record.frame)"
            #expect(first("frame.number") == String(record.frame), "\(at)")
            #expect(Self.nanoseconds(first("frame.time_epoch")) == Self.nanoseconds(record.epoch), "\(at): time")
            #expect(first("frame.cap_len") == String(record.capturedLength), "\(at): captured length")
            #expect(first("frame.len") == String(record.length), "\(at): length")
            if record.link?.kind == "ethernet" {
                #expect(first("eth.src") == record.link?.source, "\(at): eth.src")
                #expect(first("eth.dst") == record.link?.destination, "\(at): eth.dst")
            }
            // tshark files an 802.1ad outer tag under ieee8021ad.id, the 802.1Q ones under vlan.id.
            let tsharkTags = [field["ieee8021ad.id"] ?? "", field["vlan.id"] ?? ""].filter { !$0.isEmpty }.joined(separator: ",")
            #expect(tsharkTags == (record.vlan?.map { String($0.id) }.joined(separator: ",") ?? ""), "\(at): vlan")
            if record.network?.protocol == "IPv4" {
                #expect(first("ip.src") == record.network?.source, "\(at): ip.src")
                #expect(first("ip.dst") == record.network?.destination, "\(at): ip.dst")
            } else if record.network?.protocol == "IPv6" {
                #expect(first("ipv6.src") == record.network?.source, "\(at): ipv6.src")
                #expect(first("ipv6.dst") == record.network?.destination, "\(at): ipv6.dst")
            } else if record.stop == nil {
                #expect(first("ip.src") == nil && first("ipv6.src") == nil, "\(at): tshark saw IP, sosdump \(record.summary)")
            }
            if record.network?.protocol == "ARP" {
                #expect(first("arp.opcode") == record.network?.arpOperation.map(String.init), "\(at): arp")
            }
            // With reassembly off tshark decodes a first fragment's UDP header; sosdump
            // holds fragments until reassembly, so ports are compared on whole datagrams.
            guard record.fragment == nil else { continue }
            let ports = record.transport?.quoted.map { ($0.sourcePort, $0.destinationPort) }
                ?? (record.transport?.protocol == "UDP" ? (record.transport?.sourcePort, record.transport?.destinationPort) : (nil, nil))
            #expect(first("udp.srcport") == ports.0.map(String.init), "\(at): udp.srcport")
            #expect(first("udp.dstport") == ports.1.map(String.init), "\(at): udp.dstport")
            if record.transport?.protocol == "ICMP" {
                #expect(first("icmp.type") == record.transport?.icmpType.map(String.init), "\(at): icmp.type")
            }
            if record.transport?.protocol == "ICMPv6" {
                #expect(first("icmpv6.type") == record.transport?.icmpType.map(String.init), "\(at): icmpv6.type")
            }
        }
    }

    /// Seconds.fraction text as nanoseconds, whatever the number of digits.
    static func nanoseconds(_ text: String?) -> Int64? {
        guard let text else { return nil }
        let parts = text.split(separator: ".")
        guard let s = Int64(parts[0]) else { return nil }
        let fraction = parts.count > 1 ? String(parts[1].prefix(9)) : ""
        let padded = fraction + String(repeating: "0", count: 9 - fraction.count)
        return s * 1_000_000_000 + (Int64(padded) ?? 0)
    }
}
