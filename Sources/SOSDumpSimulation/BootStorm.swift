import SOSDump

/// A site's boot storm as a capture: thousands of Cisco IP phones that lost
/// power boot at once, each getting an address by DHCP and then fetching
/// its files by TFTP from one server, in the order a 79xx phone asks for
/// them (issue 14): `CTLSEP<MAC>.tlv`, `ITLSEP<MAC>.tlv` and `ITLFile.tlv`
/// (the server has none: ERROR 1 each), `SEP<MAC>.cnf.xml` (1.5–9 KB), and
/// for every other phone a firmware load: its `.loads` file and the five
/// parts it names. Every phone boots once, at a time spread evenly over
/// `Plan.window` seconds (five minutes for a storm, two for a burst).
///
/// Frames come out in time order, one pcap record at a time, so a capture
/// of a gigabyte is written without holding it: the phones' next frames
/// wait in a heap by time. A server link of 1 Gbit/s is modelled: no
/// frame starts before the previous one is on the wire, so a burst takes
/// as long as its bytes need. Every checksum is right. Deterministic: the
/// same plan gives the same bytes.
public struct BootStorm {
    public struct Plan: Sendable {
        public var phones: Int
        /// Seconds over which the phones boot.
        public var window: Double
        /// Bytes of each of the five firmware parts.
        public var partSize: Int
        /// Every `firmwareEvery`-th phone fetches a firmware load.
        public var firmwareEvery = 2
        /// Bits per second of the server's link.
        public var linkBitsPerSecond: Double = 1e9
        /// Whether each phone gets its address by DHCP first.
        public var dhcp = true
        /// The configuration file's size for every phone (nil: 1.5–9 KB by phone).
        public var configurationSize: Int?

        public init(phones: Int, window: Double, partSize: Int) {
            self.phones = phones
            self.window = window
            self.partSize = partSize
        }

        /// 20,000 phones over five minutes, the parts sized so that the
        /// capture is about `sizeMiB`.
        public static func storm(phones: Int = 20_000, sizeMiB: Int = 1024) -> Plan {
            Plan(phones: phones, window: 300, partSize: partSize(phones: phones, sizeMiB: sizeMiB))
        }

        /// The same phones, all booting within two seconds.
        public static func burst(phones: Int = 20_000, sizeMiB: Int = 1024) -> Plan {
            Plan(phones: phones, window: 2, partSize: partSize(phones: phones, sizeMiB: sizeMiB))
        }

        /// The part size that brings the capture to about `sizeMiB`: a
        /// block costs 650 bytes of capture (DATA and ACK with their pcap
        /// headers) for 512 of file; a phone's DHCP, errors and
        /// configuration file about 9 KB.
        static func partSize(phones: Int, sizeMiB: Int) -> Int {
            let perPhone = 9_000.0
            let firmwarePhones = Double((phones + 1) / 2)
            let left = max(0, Double(sizeMiB << 20) - Double(phones) * perPhone)
            let perPart = left / max(1, firmwarePhones) / 5 * 512 / 650
            return max(512, Int(perPart))
        }

        /// Transfers the capture holds: four per phone, six more per firmware load.
        public var transfers: Int { phones * 4 + firmwarePhones * 6 }
        /// Of them, the ones that end in ERROR 1 (three per phone).
        public var errors: Int { phones * 3 }
        public var firmwarePhones: Int { (phones + firmwareEvery - 1) / firmwareEvery }
    }

    public let plan: Plan
    private var phones: [Phone]
    private var queue = PhoneQueue()
    /// When the server's link is free again (nanoseconds).
    private var linkFree: UInt64 = 0
    private var ipID: UInt16 = 0
    /// Frames written so far.
    public private(set) var frames = 0
    private let parts: [[UInt8]]
    private let loads: [UInt8]

    static let start: UInt64 = 1_764_900_000 * 1_000_000_000
    static let serverMAC: [UInt8] = [0x00, 0x50, 0x56, 0x00, 0x00, 0x01]
    static let serverIP: UInt32 = 0x0A00_0001  // 10.0.0.1
    static let broadcastMAC: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
    static let loadName = "SIP75.9-4-2SR3-1S.loads"
    static let partNames = ["apps75.9-4-2ES26.sbn", "cnu75.9-4-2ES26.sbn", "cvm75sip.9-4-2ES26.sbn", "dsp75.9-4-2ES26.sbn", "jar75sip.9-4-2ES26.sbn"]

    /// Classic pcap, little-endian, nanosecond timestamps, snap length 262144, Ethernet.
    public static let pcapHeader: [UInt8] = le32(0xA1B2_3C4D) + le16(2) + le16(4) + le32(0) + le32(0) + le32(262_144) + le32(1)

    public init(plan: Plan) {
        self.plan = plan
        parts = (0..<5).map { BootStorm.bytes(plan.partSize, seed: UInt64($0 + 1)) }
        let list = Self.partNames.map { "\($0);" }.joined()
        loads = Array("<loads>\(Self.loadName)</loads>\n<parts>\(list)</parts>\n".utf8)
        phones = (0..<plan.phones).map { Phone(index: $0, firmware: $0 % plan.firmwareEvery == 0) }
        let spacing = plan.window / Double(max(1, plan.phones))
        for i in phones.indices {
            phones[i].time = Self.start + UInt64((Double(i) * spacing) * 1e9)
            queue.push(time: phones[i].time, phone: Int32(i))
        }
    }

    /// Appends the next frame as a pcap record to `out`; false when every
    /// phone is done.
    public mutating func appendNextRecord(to out: inout [UInt8]) -> Bool {
        guard let (_, index) = queue.pop() else { return false }
        let i = Int(index)
        let scheduled = phones[i].time
        let recordStart = out.count
        out.append(contentsOf: [UInt8](repeating: 0, count: 16))  // the record header, filled below
        let next = emit(phone: i, into: &out)
        let length = out.count - recordStart - 16
        let wire = UInt64(Double((length + 24) * 8) / plan.linkBitsPerSecond * 1e9)
        let time = max(scheduled, linkFree)
        linkFree = time + wire
        Self.put32(&out, recordStart, UInt32(time / 1_000_000_000))
        Self.put32(&out, recordStart + 4, UInt32(time % 1_000_000_000))
        Self.put32(&out, recordStart + 8, UInt32(length))
        Self.put32(&out, recordStart + 12, UInt32(length))
        frames += 1
        if let next {
            phones[i].time = max(time, scheduled) + next
            queue.push(time: phones[i].time, phone: index)
        }
        return true
    }

    // MARK: A phone's script

    /// One phone: where it is in its boot.
    struct Phone {
        let index: Int
        let firmware: Bool
        var time: UInt64 = 0
        /// 0–3: DHCP; then the files, one after another.
        var step = 0
        var file = 0
        /// Within a file: 0 the request, then DATA/ACK in turn (or the ERROR).
        var packet = 0
        var random: UInt64

        init(index: Int, firmware: Bool) {
            self.index = index
            self.firmware = firmware
            random = UInt64(index) &* 0x9E37_79B9_7F4A_7C15 | 1
        }

        var mac: [UInt8] { [0x00, 0x1E, 0x7A, UInt8(truncatingIfNeeded: index >> 16), UInt8(truncatingIfNeeded: index >> 8), UInt8(truncatingIfNeeded: index)] }
        /// The MAC as the phone names its files: twelve upper-case hex digits.
        var macText: String {
            let digits = String(UInt64(0x001E_7A00_0000) | UInt64(index & 0xFF_FFFF), radix: 16, uppercase: true)
            return String(repeating: "0", count: 12 - digits.count) + digits
        }
        var ip: UInt32 { 0x0A01_0000 + UInt32(index) + 10 }  // 10.1.0.10 on
        var fileCount: Int { firmware ? 10 : 4 }
        /// The client port of file `n`: a new one per transfer.
        func port(_ n: Int) -> UInt16 { UInt16(49_152 + (index * 13 + n * 1_031) % 16_000) }
        func serverPort(_ n: Int) -> UInt16 { UInt16(32_768 + (index * 7 + n * 2_003) % 16_000) }

        /// Nanoseconds, 1 ± 0.5 of `base`.
        mutating func jitter(_ base: UInt64) -> UInt64 {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return base / 2 + (random >> 33) % max(1, base)
        }
    }

    /// The file `n` a phone asks for, and what the server has (nil: none).
    private func file(_ n: Int, of phone: Phone) -> (name: String, content: [UInt8]?) {
        switch n {
        case 0: return ("CTLSEP\(phone.macText).tlv", nil)
        case 1: return ("ITLSEP\(phone.macText).tlv", nil)
        case 2: return ("ITLFile.tlv", nil)
        case 3: return ("SEP\(phone.macText).cnf.xml", Self.configuration(phone, size: plan.configurationSize))
        case 4: return (Self.loadName, loads)
        default: return (Self.partNames[n - 5], parts[n - 5])
        }
    }

    /// Writes the phone's next frame; returns the nanoseconds until the one
    /// after it, nil when the phone is done.
    private mutating func emit(phone i: Int, into out: inout [UInt8]) -> UInt64? {
        var phone = phones[i]
        defer { phones[i] = phone }
        ipID &+= 1
        if phone.step < 4, !plan.dhcp { phone.step = 4 }
        if phone.step < 4 {
            dhcp(phone.step, phone, into: &out)
            phone.step += 1
            return phone.step < 4 ? phone.jitter(2_000_000) : phone.jitter(50_000_000)
        }
        let (name, content) = file(phone.file, of: phone)
        let client = phone.port(phone.file), server = phone.serverPort(phone.file)
        let packet = phone.packet
        phone.packet += 1
        var finished = false
        if packet == 0 {
            udp(from: phone.mac, phone.ip, client, to: Self.serverMAC, Self.serverIP, 69,
                [0, 1] + Array(name.utf8) + [0] + Array("octet".utf8) + [0], into: &out)
        } else if let content {
            let blocks = content.count / 512 + 1
            let block = (packet + 1) / 2
            if packet % 2 == 1 {
                let start = (block - 1) * 512
                udp(from: Self.serverMAC, Self.serverIP, server, to: phone.mac, phone.ip, client,
                    [0, 3] + be16(UInt16(truncatingIfNeeded: block)), content[start..<min(start + 512, content.count)], into: &out)
            } else {
                udp(from: phone.mac, phone.ip, client, to: Self.serverMAC, Self.serverIP, server,
                    [0, 4] + be16(UInt16(truncatingIfNeeded: block)), into: &out)
                finished = block == blocks
            }
        } else {
            udp(from: Self.serverMAC, Self.serverIP, server, to: phone.mac, phone.ip, client,
                [0, 5, 0, 1] + Array("File not found".utf8) + [0], into: &out)
            finished = true
        }
        guard finished else { return phone.jitter(packet % 2 == 0 ? 300_000 : 200_000) }
        phone.file += 1
        phone.packet = 0
        return phone.file < phone.fileCount ? phone.jitter(20_000_000) : nil
    }

    /// A phone's configuration file: 1.5–9 KB of XML naming it.
    static func configuration(_ phone: Phone, size: Int?) -> [UInt8] {
        let size = size ?? 1_500 + (phone.index &* 7_919) % 7_500
        var text = "<device><deviceProtocol>SIP</deviceProtocol><name>SEP\(phone.macText)</name><loadInformation>\(loadName)</loadInformation>\n"
        while text.utf8.count < size { text += "<line index=\"\(text.utf8.count)\"><featureID>9</featureID><name>\(phone.index)</name></line>\n" }
        return Array(text.utf8.prefix(size))
    }

    // MARK: Frames

    /// DHCP (RFC 2131): DISCOVER, OFFER, REQUEST, ACK, the server offering
    /// the phone its address and itself as TFTP server (option 150).
    private mutating func dhcp(_ step: Int, _ phone: Phone, into out: inout [UInt8]) {
        let fromClient = step % 2 == 0
        let type: UInt8 = [1, 2, 3, 5][step]
        var m: [UInt8] = [fromClient ? 1 : 2, 1, 6, 0] + be32(UInt32(truncatingIfNeeded: phone.index) ^ 0x5EED_0000) + [0, 0, 0x80, 0]
        m += [0, 0, 0, 0] + (fromClient ? [0, 0, 0, 0] : be32(phone.ip)) + be32(fromClient ? 0 : Self.serverIP) + [0, 0, 0, 0]
        m += phone.mac + [UInt8](repeating: 0, count: 10 + 64 + 128)
        m += [99, 130, 83, 99, 53, 1, type]
        if fromClient {
            m += [61, 7, 1] + phone.mac + [60] + [UInt8(12)] + Array("Cisco CP-7975".utf8.prefix(12))
            if step == 2 { m += [50, 4] + be32(phone.ip) + [54, 4] + be32(Self.serverIP) }
            m += [55, 4, 1, 3, 6, 150]
        } else {
            m += [54, 4] + be32(Self.serverIP) + [51, 4] + be32(86_400) + [1, 4, 255, 255, 0, 0] + [3, 4] + be32(Self.serverIP)
            m += [150, 4] + be32(Self.serverIP)
        }
        m += [255]
        if m.count < 300 { m += [UInt8](repeating: 0, count: 300 - m.count) }
        if fromClient {
            udp(from: phone.mac, 0, 68, to: Self.broadcastMAC, 0xFFFF_FFFF, 67, m, into: &out)
        } else {
            udp(from: Self.serverMAC, Self.serverIP, 67, to: Self.broadcastMAC, 0xFFFF_FFFF, 68, m, into: &out)
        }
    }

    /// An Ethernet frame with one UDP datagram (`head` then `body`),
    /// checksums filled in, padded to 60 bytes.
    private mutating func udp(from sourceMAC: [UInt8], _ source: UInt32, _ sourcePort: UInt16,
                              to destinationMAC: [UInt8], _ destination: UInt32, _ destinationPort: UInt16,
                              _ head: [UInt8], _ body: ArraySlice<UInt8> = [], into out: inout [UInt8]) {
        let start = out.count
        let udpLength = 8 + head.count + body.count
        out += destinationMAC
        out += sourceMAC
        out += [0x08, 0x00]
        let ipStart = out.count
        out += [0x45, 0] + be16(UInt16(20 + udpLength)) + be16(ipID) + [0x40, 0, 64, 17, 0, 0] + be32(source) + be32(destination)
        var header = InternetChecksum()
        out[ipStart...].withUnsafeBytes { header.add($0) }
        out[ipStart + 10] = UInt8(header.value >> 8)
        out[ipStart + 11] = UInt8(header.value & 0xFF)
        let udpStart = out.count
        out += be16(sourcePort) + be16(destinationPort) + be16(UInt16(udpLength)) + [0, 0]
        out += head
        out += body
        var sum = InternetChecksum()
        sum.add(source)
        sum.add(destination)
        sum.add(UInt16(17))
        sum.add(UInt16(udpLength))
        out[udpStart...].withUnsafeBytes { sum.add($0) }
        let value = sum.value == 0 ? 0xFFFF : sum.value
        out[udpStart + 6] = UInt8(value >> 8)
        out[udpStart + 7] = UInt8(value & 0xFF)
        if out.count - start < 60 { out += [UInt8](repeating: 0, count: 60 - (out.count - start)) }
    }

    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 40)
        }
    }

    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: v >> $0) } }
    private func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    private func be32(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) } }

    private static func put32(_ out: inout [UInt8], _ at: Int, _ v: UInt32) {
        for k in 0..<4 { out[at + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
    }
}

/// The phones' next frames by time: a binary min-heap.
private struct PhoneQueue {
    private var entries: [(time: UInt64, phone: Int32)] = []

    mutating func push(time: UInt64, phone: Int32) {
        entries.append((time, phone))
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard (entries[i].time, entries[i].phone) < (entries[parent].time, entries[parent].phone) else { break }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (UInt64, Int32)? {
        guard let top = entries.first else { return nil }
        entries.swapAt(0, entries.count - 1)
        entries.removeLast()
        var i = 0
        while true {
            let left = 2 * i + 1, right = left + 1
            var smallest = i
            if left < entries.count, (entries[left].time, entries[left].phone) < (entries[smallest].time, entries[smallest].phone) { smallest = left }
            if right < entries.count, (entries[right].time, entries[right].phone) < (entries[smallest].time, entries[smallest].phone) { smallest = right }
            guard smallest != i else { break }
            entries.swapAt(i, smallest)
            i = smallest
        }
        return (top.time, top.phone)
    }
}

extension BootStorm {
    /// The storm as a capture to read, made as it is read: a test or a
    /// benchmark feeds it to `CaptureReader(input:name:)` without a file.
    public struct Input: ByteInput {
        private var storm: BootStorm
        private var pending: [UInt8] = BootStorm.pcapHeader
        private var position = 0

        public init(plan: Plan) { storm = BootStorm(plan: plan) }

        public mutating func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
            if position == pending.count {
                pending.removeAll(keepingCapacity: true)
                position = 0
                while pending.count < 256 << 10, storm.appendNextRecord(to: &pending) {}
                if pending.isEmpty { return 0 }
            }
            let n = min(buffer.count, pending.count - position)
            pending.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<(position + n)]))
            }
            position += n
            return n
        }
    }
}
