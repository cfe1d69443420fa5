import SOSDump
import SOSDumpSimulation

/// A deterministic stream of frames with the mix a phone segment's capture
/// has: TFTP-sized UDP, TCP bulk, small UDP and ARP, VLAN-tagged and
/// QinQ-tagged frames, IPv6, ICMP, and IPv4 fragments. Every checksum is
/// right, so the decoder does all its work (and the run checks that it
/// finds no bad one).
struct SyntheticTraffic {
    /// Classic pcap, little-endian, nanosecond timestamps, snap length 262144, Ethernet.
    static let pcapHeader: [UInt8] = le32(0xA1B2_3C4D) + le16(2) + le16(4) + le32(0) + le32(0) + le32(262_144) + le32(1)

    private var templates: [[UInt8]] = []
    /// Template indices in the order they repeat (weights as repetitions).
    private var schedule: [Int] = []
    private var position = 0
    private var time: UInt64 = 1_763_700_000 * 1_000_000_000
    private var recovery = RecoveryTransfer()
    private var emitted = 0

    init() {
        var weighted: [([UInt8], Int)] = []
        for i in 0..<8 {
            let host = UInt8(10 + i)
            // TFTP DATA: 516-byte UDP payloads, 40 %.
            weighted.append((Self.ethernet(0x0800, Self.ipv4(17, host, Self.udp(host, 69 + UInt16(i), 2000, Self.payload(516, seed: i)))), 5))
            // TFTP ACK: 4 bytes, padded to the 60-byte minimum, 10 %.
            weighted.append((Self.pad(Self.ethernet(0x0800, Self.ipv4(17, host, Self.udp(host, 2000, 69, [0, 4, 0, UInt8(i)])))), 1))
            // TCP bulk, 1448-byte segments, 15 %.
            weighted.append((Self.ethernet(0x0800, Self.ipv4(6, host, Self.tcp(Self.payload(1448, seed: i)))), 2))
            // 802.1Q voice VLAN UDP (RTP-sized), 10 %.
            weighted.append((Self.ethernet(0x0800, tags: [(0x8100, 100)], Self.ipv4(17, host, Self.udp(host, 16384, 16386, Self.payload(172, seed: i)))), 1))
            // QinQ, 5 % (every other round).
            if i % 2 == 0 {
                weighted.append((Self.ethernet(0x0800, tags: [(0x88A8, 200), (0x8100, 100)], Self.ipv4(17, host, Self.udp(host, 5060, 5060, Self.payload(300, seed: i)))), 1))
            }
            // IPv6 UDP, 10 %.
            weighted.append((Self.ethernet(0x86DD, Self.ipv6udp(host, Self.payload(300, seed: i))), 1))
            // ARP and ICMP echo.
            if i % 2 == 1 {
                weighted.append((Self.pad(Self.ethernet(0x0806, Self.arp(host))), 1))
                weighted.append((Self.ethernet(0x0800, Self.ipv4(1, host, Self.icmpEcho(Self.payload(56, seed: i)))), 1))
            }
        }
        // A fragmented 3000-byte UDP datagram: three frames in a row.
        let datagram = Self.udp(42, 7000, 7001, Self.payload(2992, seed: 9))
        for (offset, more) in [(0, true), (1480, true), (2960, false)] {
            let part = Array(datagram[offset..<min(offset + 1480, datagram.count)])
            weighted.append((Self.ethernet(0x0800, Self.ipv4(17, 42, part, fragment: (offset, more))), 1))
        }
        for (frame, weight) in weighted {
            let index = templates.count
            templates.append(frame)
            schedule += Array(repeating: index, count: weight)
        }
        // Interleave deterministically, but keep the three fragments in order.
        var rng: UInt64 = 0x5EED
        let fragmentIndices = Set(templates.indices.suffix(3))
        var body = schedule.filter { !fragmentIndices.contains($0) }
        for i in body.indices.reversed() where i > 0 {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            body.swapAt(i, Int(rng >> 33) % (i + 1))
        }
        schedule = body + templates.indices.suffix(3)
    }

    mutating func appendNextRecord(to out: inout [UInt8]) {
        emitted += 1
        let frame: [UInt8]
        if emitted % RecoveryTransfer.spacing == 0, let step = recovery.next() {
            frame = step
        } else {
            frame = templates[schedule[position]]
            position = (position + 1) % schedule.count
        }
        time += 37_000 + UInt64(position % 7) * 1_000
        out += Self.le32(UInt32(time / 1_000_000_000)) + Self.le32(UInt32(time % 1_000_000_000))
        out += Self.le32(UInt32(frame.count)) + Self.le32(UInt32(frame.count))
        out += frame
    }

    // MARK: Frame building

    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: v >> $0) } }
    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }

    static func payload(_ n: Int, seed: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) } }
    static func pad(_ frame: [UInt8]) -> [UInt8] { frame + Array(repeating: 0, count: max(0, 60 - frame.count)) }

    /// The phone in recovery: only the recovery transfer comes from it.
    static let macPhone: [UInt8] = [0x00, 0x02, 0xFD, 0xFF, 0x21, 0x03]
    static let macPC: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01]
    /// The other hosts on the segment, which send the background traffic.
    static let macHosts: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x10, 0x01]

    static func ethernet(_ type: UInt16, tags: [(UInt16, UInt16)] = [], _ payload: [UInt8]) -> [UInt8] {
        var out = macPC + macHosts
        for (tpid, id) in tags { out += be16(tpid) + be16(id) }
        return out + be16(type) + payload
    }

    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var c = InternetChecksum()
        bytes.withUnsafeBytes { c.add($0) }
        return c.value
    }

    static func ipv4(_ proto: UInt8, _ host: UInt8, _ payload: [UInt8], fragment: (offset: Int, more: Bool)? = nil) -> [UInt8] {
        ipv4(proto, source: [192, 0, 2, host], destination: [192, 0, 2, 1], id: fragment == nil ? UInt16(host) : 0x7777, payload, fragment: fragment)
    }

    static func ipv4(_ proto: UInt8, source: [UInt8], destination: [UInt8], id: UInt16, _ payload: [UInt8],
                     fragment: (offset: Int, more: Bool)? = nil) -> [UInt8] {
        let frag = fragment.map { UInt16($0.offset / 8) | ($0.more ? 0x2000 : 0) } ?? 0x4000
        var h: [UInt8] = [0x45, 0] + be16(UInt16(20 + payload.count)) + be16(id) + be16(frag)
            + [64, proto, 0, 0] + source + destination
        let sum = checksum(h)
        h[10] = UInt8(sum >> 8)
        h[11] = UInt8(sum & 0xFF)
        return h + payload
    }

    static func udp(_ host: UInt8, _ sport: UInt16, _ dport: UInt16, _ payload: [UInt8]) -> [UInt8] {
        udp(source: [192, 0, 2, host], destination: [192, 0, 2, 1], sport, dport, payload)
    }

    static func udp(source: [UInt8], destination: [UInt8], _ sport: UInt16, _ dport: UInt16, _ payload: [UInt8]) -> [UInt8] {
        let length = UInt16(8 + payload.count)
        var d = be16(sport) + be16(dport) + be16(length) + [0, 0] + payload
        var c = InternetChecksum()
        (source + destination + [0, 17] + be16(length)).withUnsafeBytes { c.add($0) }
        d.withUnsafeBytes { c.add($0) }
        let sum = c.value == 0 ? 0xFFFF : c.value
        d[6] = UInt8(sum >> 8)
        d[7] = UInt8(sum & 0xFF)
        return d
    }

    static func ipv6udp(_ host: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let src: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [host]
        let dst: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [1]
        let length = UInt16(8 + payload.count)
        var d = be16(5060) + be16(5060) + be16(length) + [0, 0] + payload
        var c = InternetChecksum()
        (src + dst + [0, 0] + be16(length) + [0, 0, 0, 17]).withUnsafeBytes { c.add($0) }
        d.withUnsafeBytes { c.add($0) }
        let sum = c.value == 0 ? 0xFFFF : c.value
        d[6] = UInt8(sum >> 8)
        d[7] = UInt8(sum & 0xFF)
        return [0x60, 0, 0, 0] + be16(length) + [17, 64] + src + dst + d
    }

    static func tcp(_ payload: [UInt8]) -> [UInt8] {
        be16(80) + be16(49_152) + [0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0xFF, 0xFF, 0, 0, 0, 0] + payload
    }

    static func arp(_ host: UInt8) -> [UInt8] {
        [0, 1, 8, 0, 6, 4, 0, 1] + macHosts + [192, 0, 2, host] + [0, 0, 0, 0, 0, 0] + [192, 0, 2, 1]
    }

    static func icmpEcho(_ payload: [UInt8]) -> [UInt8] {
        var m: [UInt8] = [8, 0, 0, 0, 0x12, 0x34, 0, 1] + payload
        let sum = checksum(m)
        m[2] = UInt8(sum >> 8)
        m[3] = UInt8(sum & 0xFF)
        return m
    }
}

/// One firmware recovery's TFTP transfer in the S.O.S. shape (docs/sos-protocol.md
/// §B), spread through the background traffic one frame in `spacing`: the
/// phone's RRQ and ACKs to 234.4.8.10:69 from port 2000, DATA from the PC's
/// own address and port 50000. The file is a valid image of a vendor
/// image's shape (`benchmarkImage`), so the benchmark pays for everything
/// the analysis does with a good image: the rebuild, the hashes, and the
/// loader's checks, every sector inflated and hashed.
struct RecoveryTransfer {
    static let spacing = 40
    static let phone: [UInt8] = [192, 0, 2, 2], pc: [UInt8] = [192, 0, 2, 1], group: [UInt8] = [234, 4, 8, 10]
    static let groupMAC: [UInt8] = [0x01, 0x00, 0x5E, 0x04, 0x08, 0x0A]
    static let image = benchmarkImage()
    /// Full 512-byte blocks and a short last one (empty when the size is a multiple).
    static let blocks = image.count / 512 + 1
    private var step = 0

    /// The next frame of the transfer; nil once it is over.
    mutating func next() -> [UInt8]? {
        defer { step += 1 }
        if step == 0 {
            return Self.fromPhone(Array("\u{0}\u{1}/spa71f6.bin\u{0}octet\u{0}".utf8))
        }
        let block = (step + 1) / 2
        guard block <= Self.blocks else { return nil }
        let wire = SyntheticTraffic.be16(UInt16(truncatingIfNeeded: block))
        if step % 2 == 1 {
            let start = (block - 1) * 512
            let data = Array(Self.image[start..<min(start + 512, Self.image.count)])
            let udp = SyntheticTraffic.udp(source: Self.pc, destination: Self.phone, 50_000, 2000, [0, 3] + wire + data)
            return SyntheticTraffic.macPhone + SyntheticTraffic.macPC + [0x08, 0x00]
                + SyntheticTraffic.ipv4(17, source: Self.pc, destination: Self.phone, id: UInt16(truncatingIfNeeded: block), udp)
        }
        return SyntheticTraffic.pad(Self.fromPhone([0, 4] + wire))
    }

    private static func fromPhone(_ tftp: [UInt8]) -> [UInt8] {
        let udp = SyntheticTraffic.udp(source: phone, destination: group, 2000, 69, tftp)
        return groupMAC + SyntheticTraffic.macPhone + [0x08, 0x00] + SyntheticTraffic.ipv4(17, source: phone, destination: group, id: 1, udp)
    }
}

/// A firmware image the loader accepts, shaped like 7.6.2f's (docs/sos-protocol.md
/// §C: 79 sector infos; `firmware-bundles.tsv`: about 4.4 MB): sectors 0–78,
/// every fifth stored, the rest zlib, each 64 KiB of mostly incompressible
/// bytes so that it deflates about as little as real firmware does.
func benchmarkImage() -> [UInt8] {
    var rng: UInt64 = 0x1_F1A5
    var sectors: [SectorSpec] = []
    for id in 0..<79 {
        var content = SectorSpec.content(seed: id)
        for i in stride(from: 0, to: 48 << 10, by: 8) {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            withUnsafeBytes(of: rng.bigEndian) { content.replaceSubrange(i..<i + 8, with: $0) }
        }
        sectors.append(SectorSpec(id: UInt16(id), stored: id % 5 == 4, content: content))
    }
    return FirmwareImageBuilder(sectors: sectors).build().bytes
}
