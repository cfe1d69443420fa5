import SOSDump
import SOSDumpSimulation

/// An S.O.S. recovery written frame by frame — the utility's messages (from
/// the decoder's encoders), the phone's replies, ARP, DHCP, TFTP, normal
/// firmware — as Ethernet frames with their times, then fed to a
/// `CaptureAnalysis` the way a capture is.
///
/// Times are seconds from the scene's start; `at(_:)` sets the clock, every
/// frame is sent 1 ms after the last one unless said.
struct SOSScene {
    struct Phone {
        var mac: MACAddress
        var ip: IPv4Address
        var serial: String
        var product = "SPA504G"
        var loader = "7.4.4rec"
    }

    static let phone1 = Phone(mac: MACAddress(rawValue: 0x0002_FD5A_0001), ip: IPv4Address(192, 0, 2, 2), serial: "CBT99990001")
    static let phone2 = Phone(mac: MACAddress(rawValue: 0x0002_FD5A_0002), ip: IPv4Address(192, 0, 2, 3), serial: "CBT99990002")
    static let pcMAC = MACAddress(rawValue: 0x0200_0000_0101)
    static let pcIP = IPv4Address(192, 0, 2, 1)
    static let gateway = IPv4Address(192, 0, 2, 254)
    static let group = SOSRecovery.group
    static let file = "/spa71f6.bin"

    /// A valid image (version 7.4.9c), built to the spec.
    static let goodImage: [UInt8] = {
        var b = FirmwareImageBuilder()
        b.version = "7.4.9c"
        return b.build().bytes
    }()

    private(set) var frames: [(bytes: [UInt8], time: Double, interface: Int)] = []
    var clock = 0.0
    var interface = 0
    private var nextServerPort: UInt16 = 40000

    mutating func at(_ t: Double) { clock = t }
    mutating func wait(_ seconds: Double) { clock += seconds }

    mutating func emit(_ bytes: [UInt8], after step: Double) {
        clock += step
        frames.append((bytes, clock, interface))
    }

    /// Appends a ready-made frame at the clock.
    mutating func appendRaw(_ bytes: [UInt8]) { frames.append((bytes, clock, interface)) }
    /// Flips the bits of byte `offset` of the last frame (a checksum broken on the wire).
    mutating func corruptLastFrame(at offset: Int) { frames[frames.count - 1].bytes[offset] ^= 0xFF }

    /// The frame numbers (from 1) of everything emitted so far.
    var frameCount: Int { frames.count }

    // MARK: Frames

    static func ethernet(_ dst: MACAddress, _ src: MACAddress, type: Int, _ payload: [UInt8]) -> [UInt8] {
        var out = dst.octets + src.octets + PacketBuilder.be16(type) + payload
        while out.count < 60 { out.append(0) }
        return out
    }

    static func ipv4(_ proto: UInt8, _ src: IPv4Address, _ dst: IPv4Address, ttl: UInt8 = 64, _ payload: [UInt8]) -> [UInt8] {
        var h: [UInt8] = [0x45, 0] + PacketBuilder.be16(20 + payload.count) + PacketBuilder.be16(0x1234) + [0, 0, ttl, proto, 0, 0]
            + PacketBuilder.be32(src.rawValue) + PacketBuilder.be32(dst.rawValue)
        let sum = PacketBuilder.checksum(h)
        h[10] = UInt8(sum >> 8)
        h[11] = UInt8(sum & 0xFF)
        return h + payload
    }

    static func linkDestination(_ ip: IPv4Address, unicast: MACAddress) -> MACAddress {
        if ip == .broadcast { return .broadcast }
        if ip.isMulticast { return MACAddress(rawValue: 0x0100_5E00_0000 | UInt64(ip.rawValue & 0x7F_FFFF)) }
        return unicast
    }

    mutating func udp(from srcMAC: MACAddress, _ src: IPv4Address, _ sport: Int, to dst: IPv4Address, _ dport: Int, _ payload: [UInt8],
                      dstMAC: MACAddress? = nil, ttl: UInt8 = 64, after step: Double = 0.001) {
        let link = dstMAC ?? Self.linkDestination(dst, unicast: srcMAC == Self.pcMAC ? Self.phone1.mac : Self.pcMAC)
        emit(Self.ethernet(link, srcMAC, type: 0x0800, Self.ipv4(17, src, dst, ttl: ttl, PacketBuilder.udp(sport: sport, dport: dport, src: src, dst: dst, payload))),
             after: step)
    }

    // MARK: The utility

    mutating func request(to dst: IPv4Address = group, serial: String = SOSRecovery.wildcardSerial, sourcePort: Int = 4811,
                          length: Int = 160, linkBroadcast: Bool = false, after step: Double = 0.001) {
        udp(from: Self.pcMAC, Self.pcIP, sourcePort, to: dst, 4810, SOSRecovery.encodeRequest(serial: serial, length: length),
            dstMAC: linkBroadcast ? .broadcast : nil, ttl: 128, after: step)
    }

    /// Requests one a second for `seconds` (the first now).
    mutating func requests(for seconds: Int, to dst: IPv4Address = group, serial: String = SOSRecovery.wildcardSerial, length: Int = 160,
                           answeredBy phones: [Phone] = []) {
        for i in 0...seconds {
            request(to: dst, serial: serial, length: length, after: i == 0 ? 0.001 : 1)
            for p in phones { reply(p) }
        }
    }

    mutating func upgrade(_ file: String = file, to dst: IPv4Address = group, serial: String = SOSRecovery.wildcardSerial, after step: Double = 1) {
        udp(from: Self.pcMAC, Self.pcIP, 4811, to: dst, 4810, SOSRecovery.encodeUpgrade(serial: serial, fileName: file), ttl: 128, after: step)
    }

    /// An older loader's upgrade order: the file name as text, no RECM.
    mutating func textUpgrade(_ file: String = file, after step: Double = 1) {
        udp(from: Self.pcMAC, Self.pcIP, 4811, to: Self.group, 4810, Array("RECOVERY UPGRADE \(file)".utf8) + [0], ttl: 128, after: step)
    }

    // MARK: The phone

    mutating func reply(_ p: Phone, address: IPv4Address? = nil) {
        let ip = address ?? p.ip
        udp(from: p.mac, ip, 4810, to: Self.group, 4811,
            SOSRecovery.encodeReply(serial: p.serial, product: p.product, mac: p.mac, softwareVersion: p.loader, address: ip), ttl: 60)
    }

    mutating func echo(_ p: Phone, _ file: String = file) {
        udp(from: p.mac, p.ip, 4810, to: Self.group, 4811, SOSRecovery.encodeUpgradeEcho(serial: p.serial, port: 69, fileName: file), ttl: 60)
    }

    static func arp(op: Int, senderMAC: MACAddress, senderIP: IPv4Address, targetMAC: MACAddress?, targetIP: IPv4Address) -> [UInt8] {
        [0, 1, 8, 0, 6, 4] + PacketBuilder.be16(op) + senderMAC.octets + PacketBuilder.be32(senderIP.rawValue)
            + (targetMAC?.octets ?? [0, 0, 0, 0, 0, 0]) + PacketBuilder.be32(targetIP.rawValue)
    }

    /// The phone's ARP request for its gateway, `tries` times a second apart, answered by the PC or not.
    mutating func gatewayARP(_ p: Phone, gateway: IPv4Address = gateway, tries: Int = 1, answered: Bool = true) {
        for i in 0..<tries {
            emit(Self.ethernet(.broadcast, p.mac, type: 0x0806, Self.arp(op: 1, senderMAC: p.mac, senderIP: p.ip, targetMAC: nil, targetIP: gateway)),
                 after: i == 0 ? 0.001 : 1)
        }
        if answered {
            emit(Self.ethernet(p.mac, Self.pcMAC, type: 0x0806, Self.arp(op: 2, senderMAC: Self.pcMAC, senderIP: gateway, targetMAC: p.mac, targetIP: p.ip)),
                 after: 0.001)
        }
    }

    /// The recovery program's (or normal firmware's) DHCP DISCOVER, option 60 `vendor`.
    mutating func dhcp(_ p: Phone, vendor: String = "TI-dhcp 0.1", after step: Double = 0.001) {
        var m: [UInt8] = [1, 1, 6, 0] + PacketBuilder.be32(0x5371_79B2) + [0, 0, 0x80, 0]
        m += [UInt8](repeating: 0, count: 16)
        m += p.mac.octets + [UInt8](repeating: 0, count: 10 + 64 + 128)
        m += [0x63, 0x82, 0x53, 0x63, 53, 1, 1, 61, 7, 1] + p.mac.octets
        m += [60, UInt8(vendor.utf8.count)] + Array(vendor.utf8) + [255]
        emit(Self.ethernet(.broadcast, p.mac, type: 0x0800, Self.ipv4(17, .any, .broadcast, ttl: vendor.hasPrefix("TI") ? 60 : 64,
                                                                     PacketBuilder.udp(sport: 68, dport: 67, src: .any, dst: .broadcast, m))),
             after: step)
    }

    /// A DHCP server's ACK giving `p` the address `ip` (and a gateway).
    mutating func dhcpAck(_ p: Phone, gives ip: IPv4Address, router: IPv4Address? = gateway) {
        var m: [UInt8] = [2, 1, 6, 0] + PacketBuilder.be32(0x5371_79B2) + [0, 0, 0x80, 0]
        m += [0, 0, 0, 0] + PacketBuilder.be32(ip.rawValue) + PacketBuilder.be32(Self.pcIP.rawValue) + [0, 0, 0, 0]
        m += p.mac.octets + [UInt8](repeating: 0, count: 10 + 64 + 128)
        m += [0x63, 0x82, 0x53, 0x63, 53, 1, 5, 54, 4] + PacketBuilder.be32(Self.pcIP.rawValue) + [1, 4, 255, 255, 255, 0]
        if let router { m += [3, 4] + PacketBuilder.be32(router.rawValue) }
        m += [255]
        emit(Self.ethernet(.broadcast, Self.pcMAC, type: 0x0800, Self.ipv4(17, Self.pcIP, .broadcast, PacketBuilder.udp(sport: 67, dport: 68, src: Self.pcIP, dst: .broadcast, m))),
             after: 0.001)
    }

    /// Normal firmware: DHCP as `Cisco SPA504G`, the profile by TFTP, SIP.
    mutating func normalFirmware(_ p: Phone, after step: Double) {
        dhcp(p, vendor: "Cisco \(p.product)", after: step)
        udp(from: p.mac, p.ip, 50123, to: IPv4Address(198, 51, 100, 10), 69, TFTPConversation.rrq("/spa504G.cfg"), dstMAC: Self.pcMAC, after: 1)
        udp(from: p.mac, p.ip, 5060, to: IPv4Address(198, 51, 100, 10), 5060, Array("REGISTER sip:198.51.100.10 SIP/2.0\r\n\r\n".utf8),
            dstMAC: Self.pcMAC, after: 1)
    }

    /// The recovery program's TFTP request from port 2000 (to the group, or to a URL's server).
    mutating func rrq(_ p: Phone, _ file: String = file, to dst: IPv4Address = group, after step: Double = 0.001) {
        udp(from: p.mac, p.ip, 2000, to: dst, 69, TFTPConversation.rrq(file), dstMAC: dst.isMulticast ? nil : Self.pcMAC, ttl: 60, after: step)
    }

    /// An HTTP connection (SYN) from the phone, TTL 60 as the recovery program sends.
    mutating func httpSYN(_ p: Phone, to dst: IPv4Address = IPv4Address(198, 51, 100, 21), ttl: UInt8 = 60) {
        var tcp = PacketBuilder.be16(40000) + PacketBuilder.be16(80) + PacketBuilder.be32(1) + PacketBuilder.be32(0) + [0x50, 0x02] + PacketBuilder.be16(5840) + [0, 0, 0, 0]
        let pseudo = PacketBuilder.be32(p.ip.rawValue) + PacketBuilder.be32(dst.rawValue) + [0, 6] + PacketBuilder.be16(tcp.count)
        let sum = PacketBuilder.checksum(tcp, pseudo: pseudo)
        tcp[16] = UInt8(sum >> 8)
        tcp[17] = UInt8(sum & 0xFF)
        emit(Self.ethernet(Self.pcMAC, p.mac, type: 0x0800, Self.ipv4(6, p.ip, dst, ttl: ttl, tcp)), after: 0.001)
    }

    /// The download: DATA from the PC's new port, the phone's ACKs to where it sent its request.
    /// `stopAfter` blocks: the server goes quiet, the phone repeats its last ACK 4 times, 2 s apart.
    /// `stopAfter`: the server sends nothing after that block, and the phone
    /// sends its last ACK `retries` more times, 2 s apart (4: the loader's
    /// five tries in all, after which it gives up).
    mutating func transfer(_ p: Phone, _ bytes: [UInt8] = goodImage, ackTo: IPv4Address = group, stopAfter: Int? = nil, retries: Int = 4,
                           finalAck: Bool = true) {
        let port = Int(nextServerPort)
        nextServerPort += 1
        let blocks = TFTPConversation.blocks(of: bytes, size: 512)
        for (i, block) in blocks.enumerated() {
            let n = i + 1
            if let stopAfter, n > stopAfter {
                for _ in 0..<retries { udp(from: p.mac, p.ip, 2000, to: ackTo, 69, TFTPConversation.ack(stopAfter), ttl: 60, after: 2) }
                return
            }
            udp(from: Self.pcMAC, Self.pcIP, port, to: p.ip, 2000, TFTPConversation.data(n, block), dstMAC: p.mac)
            if n < blocks.count || finalAck { udp(from: p.mac, p.ip, 2000, to: ackTo, 69, TFTPConversation.ack(n), ttl: 60, after: 0.005) }
        }
    }

    mutating func tftpError(_ p: Phone, code: Int = 1, message: String = "File not found") {
        udp(from: Self.pcMAC, Self.pcIP, Int(nextServerPort), to: p.ip, 2000, TFTPConversation.error(code, message), dstMAC: p.mac)
        nextServerPort += 1
    }

    /// ICMP port unreachable from `from` for the phone's request to `from`:69.
    mutating func portUnreachable(_ p: Phone, from: IPv4Address = pcIP, file: String = file) {
        let quoted = Self.ipv4(17, p.ip, from, ttl: 60, PacketBuilder.udp(sport: 2000, dport: 69, src: p.ip, dst: from, TFTPConversation.rrq(file)))
        var icmp: [UInt8] = [3, 3, 0, 0, 0, 0, 0, 0] + quoted
        let sum = PacketBuilder.checksum(icmp)
        icmp[2] = UInt8(sum >> 8)
        icmp[3] = UInt8(sum & 0xFF)
        emit(Self.ethernet(p.mac, Self.pcMAC, type: 0x0800, Self.ipv4(1, from, p.ip, icmp)), after: 0.001)
    }

    /// Some frame nobody cares about (the PC pinging), to stretch the capture.
    mutating func noise(after step: Double) {
        emit(Self.ethernet(.broadcast, Self.pcMAC, type: 0x0806,
                           Self.arp(op: 1, senderMAC: Self.pcMAC, senderIP: Self.pcIP, targetMAC: nil, targetIP: IPv4Address(192, 0, 2, 99))),
             after: step)
    }

    /// The whole recovery up to the end of the download.
    mutating func exchange(_ p: Phone = phone1, image: [UInt8] = goodImage, file: String = file) {
        request()
        reply(p)
        upgrade(file)
        echo(p, file)
        gatewayARP(p)
        rrq(p, file)
        transfer(p, image)
    }

    // MARK: Running

    func analyze(thresholds: RecoveryThresholds = RecoveryThresholds(), catalog: FirmwareCatalog = .builtIn,
                 limits: CaptureAnalysis.Limits = CaptureAnalysis.Limits()) -> RecoveryAnalysis {
        conclude(thresholds: thresholds, catalog: catalog, limits: limits).sos
    }

    /// Every diagnosis's conclusion on the scene.
    func conclude(thresholds: RecoveryThresholds = RecoveryThresholds(), bootThresholds: BootThresholds = BootThresholds(),
                  catalog: FirmwareCatalog = .builtIn, limits: CaptureAnalysis.Limits = CaptureAnalysis.Limits()) -> CaptureConclusion {
        var analyzer = CaptureAnalysis(catalog: catalog, thresholds: thresholds, bootThresholds: bootThresholds, limits: limits)
        // As `CaptureAnalysis.analyze` decodes: checksums checked where they are read.
        let decoder = FrameDecoder(checksums: .deferred)
        for (i, f) in frames.enumerated() {
            let seconds = Int64(f.time.rounded(.down))
            let time = CaptureTimestamp(seconds: 1_700_000_000 + seconds, nanoseconds: UInt32(((f.time - Double(seconds)) * 1e9).rounded()))
            f.bytes.withUnsafeBytes { raw in
                let frame = CapturedFrame(number: i + 1, timestamp: time, interfaceIndex: f.interface, linkType: .ethernet,
                                          bytes: ByteView(raw), fileOffset: 0)
                analyzer.observe(decoder.decode(frame))
            }
        }
        return analyzer.finish()
    }

    /// The scene as a classic pcap file (microseconds).
    func pcap() -> [UInt8] {
        var file = PcapFileBuilder()
        for f in frames {
            let seconds = UInt32(1_700_000_000 + Int(f.time.rounded(.down)))
            let micros = UInt32(((f.time - f.time.rounded(.down)) * 1e6).rounded())
            file.record(seconds: seconds, fraction: min(micros, 999_999), data: f.bytes)
        }
        return file.bytes
    }
}

extension RecoveryAnalysis {
    func phone(_ p: SOSScene.Phone) -> PhoneVerdict? { phones.first { $0.identity.mac == p.mac } }

    /// Each phone's findings' codes, by MAC.
    var codes: [String: [String]] {
        var out: [String: [String]] = [:]
        for p in phones { out[p.identity.mac.description] = p.findings.map(\.code.rawValue) }
        return out
    }
}
