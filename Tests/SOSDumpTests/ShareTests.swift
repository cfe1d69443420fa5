import Foundation
import Testing
@testable import SOSDump

/// `sosdump share`: the property over every corpus capture (the shared
/// file gives the same verdicts and findings, and holds none of the
/// original MACs, addresses or serials), the pseudonyms' promises, the
/// checksums, and the command through the binary.
@Suite struct ShareTests {
    static let key = PseudonymKey(bytes: Array(repeating: 7, count: 32))!

    /// The corpus of every family: captures/sos, and captures/boot when it is there.
    static var corpus: [(group: String, name: String)] {
        ["sos", "boot"].flatMap { group in CaptureCorpus.captures(in: group).map { (group, $0) } }
    }

    /// What the property compares: the capture's verdict, and each phone's MAC-less verdict and finding codes.
    static func codes(_ c: CaptureConclusion) -> [String] {
        [c.sos.code.rawValue] + c.sos.phones.map { p in p.code.rawValue + ": " + p.findings.map(\.code.rawValue).sorted().joined(separator: ",") }
    }

    static func catalog(_ group: String, _ name: String) throws -> FirmwareCatalog {
        let path = CaptureCorpus.path(group, (name as NSString).deletingPathExtension + ".catalog.json")
        return FileManager.default.fileExists(atPath: path) ? try FirmwareCatalog.load(path: path) : .builtIn
    }

    /// Shares `path` into a pcapng file in `dir`; returns its path.
    static func share(_ path: String, into dir: String, redact: Bool = true) throws -> (path: String, followed: FollowedTraffic, summary: CaptureShare.Summary) {
        let followed = CaptureAnalysis.analyze(try CaptureReader(path: path)).conclusion.followed
        let out = dir + "/" + (path as NSString).lastPathComponent + ".shared.pcapng"
        let writer = try PcapngWriter(path: out, application: "test", comment: ShareWording.comment(followed: followed, redacted: redact))
        let redactor = redact ? FrameRedactor(pseudonyms: Pseudonyms(key: key), followed: followed) : nil
        let summary = try CaptureShare.write(try CaptureReader(path: path), to: writer, selection: ShareSelection(followed: followed), redactor: redactor)
        return (out, followed, summary)
    }

    /// Every original identifier of a capture: the MACs and IPv4 addresses
    /// in its headers, ARP, S.O.S. replies and DHCP, and the phones' serials.
    static func originals(_ path: String, serials: [String]) throws -> [(String, [UInt8])] {
        var macs: Set<MACAddress> = [], addresses: Set<IPv4Address> = []
        // Up to any damage: what the shared file can hold.
        try? FrameDecoder().decodeAll(from: try CaptureReader(path: path)) { d in
            if case .ethernet(let e) = d.link { macs.formUnion([e.source, e.destination]) }
            if let (s, t) = d.ipAddresses, case .v4(let a) = s, case .v4(let b) = t { addresses.formUnion([a, b]) }
            if case .arp(let a) = d.network {
                macs.formUnion([a.senderMAC, a.targetMAC].compactMap { $0 })
                addresses.formUnion([a.senderIP, a.targetIP].compactMap { $0 })
            }
            if let (h, payload) = d.udp {
                if SOSMessage.isSOS(payload), let m = try? SOSMessage.decode(payload), m.kind == .reply {
                    if let mac = m.mac { macs.insert(mac) }
                    if let a = m.phoneAddress { addresses.insert(a) }
                }
                if DHCPMessage.isDHCP(sourcePort: h.sourcePort, destinationPort: h.destinationPort), let m = try? DHCPMessage.decode(payload) {
                    if let mac = m.clientMAC { macs.insert(mac) }
                    addresses.formUnion([m.clientAddress, m.yourAddress, m.nextServerAddress, m.relayAgentAddress])
                }
            }
        }
        var out: [(String, [UInt8])] = []
        for m in macs where !Pseudonyms.keeps(m) {
            out.append(("MAC \(m)", m.octets))
            out.append(("MAC \(m) as hex", Pseudonyms.hex(m, lowercase: false)))
            out.append(("MAC \(m) as text", Array(m.description.utf8)))
        }
        for a in addresses where Pseudonyms.keptPrefixLength(a) < 32 {
            out.append(("address \(a)", FrameRedactor.bytes(a)))
            out.append(("address \(a) as text", Array(a.description.utf8)))
        }
        for s in serials { out.append(("serial \(s)", Array(s.utf8))) }
        return out
    }

    @Test(arguments: corpus.map { "\($0.group)/\($0.name)" })
    func theSharedCaptureSaysTheSameAndHidesTheOriginals(_ capture: String) throws {
        let parts = capture.split(separator: "/").map(String.init)
        let path = CaptureCorpus.path(parts[0], parts[1])
        let catalog = try Self.catalog(parts[0], parts[1])
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let original = CaptureAnalysis.analyze(try CaptureReader(path: path), catalog: catalog)
        let shared = try Self.share(path, into: dir)
        let again = CaptureAnalysis.analyze(try CaptureReader(path: shared.path), catalog: catalog)
        #expect(Self.codes(again.conclusion) == Self.codes(original.conclusion))
        // A damaged capture is shared up to its damage, and the shared file ends in damage too.
        #expect((again.damage == nil) == (original.damage == nil))
        #expect(shared.summary.framesKept <= shared.summary.framesRead)

        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: shared.path)))
        let serials = original.conclusion.sos.phones.compactMap(\.identity.serial)
        for (what, pattern) in try Self.originals(path, serials: serials) {
            #expect(FrameEdit(bytes: bytes).find(pattern, from: 0) == nil, "\(what) is still in the shared file")
        }
        // The phones are there, under their pseudonyms, with their maker's OUI.
        var pseudonyms = Pseudonyms(key: Self.key)
        #expect(Set(again.conclusion.sos.phones.map(\.identity.mac)) == Set(original.conclusion.sos.phones.map { pseudonyms.mac($0.identity.mac) }))
        for p in again.conclusion.sos.phones {
            #expect(original.conclusion.sos.phones.contains { $0.identity.mac.rawValue >> 24 == p.identity.mac.rawValue >> 24 })
        }
    }

    /// --keep-addresses only filters: the same verdicts, every kept frame's bytes as they were.
    @Test func keepingAddressesOnlyFilters() throws {
        let path = CaptureCorpus.path("sos", "recovered.pcap")
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let shared = try Self.share(path, into: dir, redact: false)
        #expect(shared.summary.replaced == nil)
        #expect(shared.summary.framesKept < shared.summary.framesRead)
        var originals: [[UInt8]] = []
        let reader = try CaptureReader(path: path)
        while let f = try reader.next() { originals.append(Array(f.bytes.rawBytes)) }
        let out = try CaptureReader(path: shared.path)
        var kept = 0
        while let f = try out.next() {
            if f.bytes.isEmpty { continue }  // the capture's end, marked
            #expect(originals.contains(Array(f.bytes.rawBytes)))
            kept += 1
        }
        #expect(kept > 300)
    }

    /// Frames of hosts the diagnosis did not follow are left out.
    @Test func otherHostsAreLeftOut() throws {
        var followed = FollowedTraffic()
        followed.macs = [MACAddress(rawValue: 0x0002_FD66_8073)]
        followed.addresses = [IPv4Address(192, 0, 2, 2)]
        let selection = ShareSelection(followed: followed)
        let decoder = FrameDecoder()
        func keeps(_ frame: [UInt8]) -> Bool {
            frame.withUnsafeBytes { raw in
                let f = CapturedFrame(number: 1, timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0), interfaceIndex: 0, linkType: .ethernet,
                                      bytes: ByteView(raw), fileOffset: 0)
                return selection.keeps(decoder.decode(f))
            }
        }
        func frame(to destination: IPv4Address) -> [UInt8] {
            let other = IPv4Address(192, 0, 2, 9)
            let udp = PacketBuilder.udp(sport: 5000, dport: 53, src: other, dst: destination, [1, 2, 3])
            return PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(src: other, dst: destination, udp))
        }
        #expect(!keeps(frame(to: IPv4Address(192, 0, 2, 10))))
        #expect(keeps(frame(to: IPv4Address(192, 0, 2, 2))))
        #expect(keeps(PacketBuilder.ethernetIPv4UDP()))  // an S.O.S. message, whoever sent it
    }

    /// The capture's recorded end is written (a statistics block with its
    /// time only), and read back as the end, later than the last frame.
    @Test func theRecordedEndIsKept() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/end.pcapng"
        let writer = try PcapngWriter(path: path, comment: "a test")
        let i = try writer.addInterface(CaptureInterface(linkType: .ethernet, snapLength: 65535), timestampDigits: 6)
        let frame = PacketBuilder.ethernetIPv4UDP()
        try frame.withUnsafeBytes { raw in
            try writer.write(CapturedFrame(number: 1, timestamp: CaptureTimestamp(seconds: 1000, nanoseconds: 123_456_000, fractionDigits: 6),
                                           interfaceIndex: 0, linkType: .ethernet, bytes: ByteView(raw), fileOffset: 0), interface: i)
        }
        try writer.writeEnd(interface: i, time: CaptureTimestamp(seconds: 1100, nanoseconds: 0))
        try writer.close()
        let reader = try CaptureReader(path: path)
        let read = try #require(try reader.next())
        #expect(read.timestamp == CaptureTimestamp(seconds: 1000, nanoseconds: 123_456_000, fractionDigits: 6))
        #expect(try reader.next() == nil)
        #expect(reader.recordedEnd?.seconds == 1100)
    }

    // MARK: The pseudonyms

    @Test func macsKeepTheirMakerAndNeverCollide() {
        var p = Pseudonyms(key: Self.key)
        var seen: Set<MACAddress> = []
        for low in 0..<4096 as Range<UInt64> {
            let m = MACAddress(rawValue: 0x0002_FD00_0000 | low)
            let q = p.mac(m)
            #expect(q.rawValue >> 24 == 0x0002FD)
            seen.insert(q)
        }
        #expect(seen.count == 4096)
        #expect(p.mac(.broadcast) == .broadcast)
        #expect(p.mac(SOSRecovery.groupMAC) == SOSRecovery.groupMAC)
        var other = Pseudonyms(key: PseudonymKey(bytes: Array(repeating: 8, count: 32))!)
        #expect(other.mac(MACAddress(rawValue: 0x0002_FD66_8073)) != p.mac(MACAddress(rawValue: 0x0002_FD66_8073)))
    }

    @Test func addressesKeepTheirSubnetsAndTheSpecialOnes() {
        var p = Pseudonyms(key: Self.key)
        for kept in [IPv4Address.any, .broadcast, SOSRecovery.group, IPv4Address(224, 0, 0, 1), IPv4Address(127, 0, 0, 1)] {
            #expect(p.ipv4(kept) == kept)
        }
        let a = p.ipv4(IPv4Address(10, 1, 2, 3)), b = p.ipv4(IPv4Address(10, 1, 2, 200)), c = p.ipv4(IPv4Address(10, 1, 3, 3))
        let d = p.ipv4(IPv4Address(10, 9, 2, 3))
        #expect(a != IPv4Address(10, 1, 2, 3))
        #expect(a.rawValue >> 24 == 10 && a.rawValue & 0xFF == 3)
        #expect(a.rawValue >> 8 == b.rawValue >> 8)    // one /24
        #expect(a.rawValue >> 8 != c.rawValue >> 8 && a.rawValue >> 16 == c.rawValue >> 16)  // one /16, two /24s
        #expect(a.rawValue >> 16 != d.rawValue >> 16)
        #expect(p.ipv4(IPv4Address(192, 168, 1, 20)).rawValue >> 16 == 0xC0A8)  // still private
        #expect(p.ipv4(IPv4Address(192, 168, 1, 255)).rawValue & 0xFF == 255)  // a /24's broadcast stays one
    }

    @Test func namesKeepTheirShapeAndDeviceNamesFollowTheirMAC() {
        var p = Pseudonyms(key: Self.key)
        let serial = p.name(Array("CBT12345678".utf8))
        #expect(serial.count == 11 && serial != Array("CBT12345678".utf8))
        #expect(serial.prefix(3).allSatisfy { (0x41...0x5A).contains($0) } && serial.dropFirst(3).allSatisfy { (0x30...0x39).contains($0) })
        #expect(p.name(Array("CBT12345678".utf8)) == serial)
        let mac = MACAddress(rawValue: 0x0011_2233_4455)
        #expect(p.name(Array("SEP001122334455".utf8)) == Array("SEP".utf8) + Pseudonyms.hex(p.mac(mac), lowercase: false))
    }

    /// A link-layer payload (CDP over LLC/SNAP) loses the phone's device
    /// name, MAC and address, as text and as bytes; the name becomes its
    /// MAC's pseudonym.
    @Test func linkLayerPayloadsAreScanned() throws {
        let phone = MACAddress(rawValue: 0x0002_FD66_8073), address = IPv4Address(192, 0, 2, 2)
        var followed = FollowedTraffic()
        followed.macs = [phone]
        followed.addresses = [address]
        let data = Array("SEP0002FD668073".utf8) + [0, 1] + FrameRedactor.bytes(address) + [0, 2] + phone.octets
        let llc: [UInt8] = [0xAA, 0xAA, 0x03, 0x00, 0x00, 0x0C, 0x20, 0x00]
        let frame = [0x01, 0x00, 0x0C, 0xCC, 0xCC, 0xCC] + phone.octets + PacketBuilder.be16(llc.count + data.count) + llc + data
        var bytes = frame
        var redactor = FrameRedactor(pseudonyms: Pseudonyms(key: Self.key), followed: followed)
        frame.withUnsafeBytes { raw in
            let f = CapturedFrame(number: 1, timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0), interfaceIndex: 0, linkType: .ethernet,
                                  bytes: ByteView(raw), fileOffset: 0)
            redactor.redact(&bytes, FrameDecoder().decode(f))
        }
        var p = Pseudonyms(key: Self.key)
        let edit = FrameEdit(bytes: bytes)
        for original in [phone.octets, FrameRedactor.bytes(address), Array("0002FD668073".utf8)] { #expect(edit.find(original, from: 0) == nil) }
        #expect(edit.find(Array("SEP".utf8) + Pseudonyms.hex(p.mac(phone), lowercase: false), from: 0) != nil)
        #expect(edit.find(FrameRedactor.bytes(p.ipv4(address)), from: 0) != nil)
        #expect(bytes.prefix(6).elementsEqual([0x01, 0x00, 0x0C, 0xCC, 0xCC, 0xCC]))  // the CDP group address is kept
    }

    // MARK: Checksums

    /// A right checksum stays right, a wrong one stays wrong (by the same amount).
    @Test func checksumsAreUpdated() throws {
        var p = Pseudonyms(key: Self.key)
        let (source, destination) = (IPv4Address(192, 0, 2, 1), IPv4Address(192, 0, 2, 2))
        let udp = PacketBuilder.udp(sport: 5000, dport: 5001, src: source, dst: destination, Array(repeating: 0x41, count: 20))
        let good = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(src: source, dst: destination, udp))
        var bad = good
        bad[14 + 20 + 6] ^= 0x01
        for (frame, wasGood) in [(good, true), (bad, false)] {
            var bytes = frame
            var redactor = FrameRedactor(pseudonyms: p, followed: FollowedTraffic())
            frame.withUnsafeBytes { raw in
                let f = CapturedFrame(number: 1, timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0), interfaceIndex: 0, linkType: .ethernet,
                                      bytes: ByteView(raw), fileOffset: 0)
                redactor.redact(&bytes, FrameDecoder().decode(f))
            }
            #expect(bytes[(14 + 12)..<(14 + 16)].elementsEqual(FrameRedactor.bytes(p.ipv4(IPv4Address(192, 0, 2, 1)))))
            bytes.withUnsafeBytes { raw in
                let f = CapturedFrame(number: 1, timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0), interfaceIndex: 0, linkType: .ethernet,
                                      bytes: ByteView(raw), fileOffset: 0)
                let d = FrameDecoder().decode(f)
                guard case .ipv4(let ip) = d.network, let (h, _) = d.udp else { Issue.record("not UDP"); return }
                #expect(ip.checksumStatus == .valid)
                #expect((h.checksumStatus == .valid) == wasGood)
            }
        }
    }

    // MARK: The commands

    /// `share` writes a pcapng file with its comment, and `analyze --redact`
    /// on the original prints the shared file's report.
    @Test func shareAndAnalyzeRedactAgree() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let capture = CaptureCorpus.path("sos", "two-phones.pcap")
        let out = dir + "/shared.pcapng"
        let key = dir + "/key/share.key"
        let s = try CommandRunner.sosdump(["share", "--key-file", key, "-r", capture, "-o", out])
        #expect(s.status == 0, "\(s.standardError)")
        #expect(s.standardError.contains("wrote ") && s.standardError.contains("replaced 3 MAC addresses"))
        #expect(FileManager.default.fileExists(atPath: key))
        let shared = try [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(FrameEdit(bytes: shared).find(Array("Shared by sosdump share.".utf8), from: 0) != nil)
        let redacted = try CommandRunner.sosdump(["analyze", "--redact", "--key-file", key, "--format", "json", capture])
        let direct = try CommandRunner.sosdump(["analyze", "--format", "json", out])
        #expect(redacted.status == 0 && direct.status == 0)
        func phones(_ json: String) throws -> [String] {
            let object = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            return try #require(object["phones"] as? [[String: Any]]).map { "\($0["mac"] ?? "") \($0["ip"] ?? "") \($0["serial"] ?? "")" }
        }
        #expect(try phones(redacted.standardOutput) == phones(direct.standardOutput))
        // The text reports are the same but for the file named on the first line (times keep their digits too).
        let redactedText = try CommandRunner.sosdump(["analyze", "--redact", "--key-file", key, capture]).standardOutput
        let directText = try CommandRunner.sosdump(["analyze", out]).standardOutput
        #expect(redactedText.split(separator: "\n").dropFirst() == directText.split(separator: "\n").dropFirst())
        #expect(redactedText.split(separator: "\n").count > 10)
        #expect(!redacted.standardOutput.contains("CBT99990001"))
        let plain = try CommandRunner.sosdump(["analyze", capture])
        #expect(plain.standardOutput.contains("CBT99990001"))
    }
}
