import SOSDump
import SOSDumpSimulation

/// A Cisco 79xx phone's boots written frame by frame, as `SOSScene` writes
/// a recovery: CDP (the decoder's encoder), DHCP with option 150 as the
/// servers send it, TFTP requests answered with a file, an ERROR or nothing,
/// and SCCP over TCP 2000 (the decoder's encoder). Then fed to
/// `CaptureAnalysis` the way a capture is (`SOSScene.conclude`).
struct BootScene {
    struct Phone {
        var mac: MACAddress
        var ip: IPv4Address
        var model = "7945"
        var deviceType: UInt32 = 435
        var sep: String { BootPhoneIdentity(mac: mac).sepName }
    }

    static let phone1 = Phone(mac: MACAddress(rawValue: 0x001B_D479_4501), ip: IPv4Address(192, 0, 2, 50))
    static let phone2 = Phone(mac: MACAddress(rawValue: 0x001B_D479_6502), ip: IPv4Address(192, 0, 2, 51), model: "7965", deviceType: 436)
    static let server = SOSScene.pcIP
    static let old = "SCCP45.8-3-2S"
    static let mid = "SCCP45.8-5-2S"
    static let target = "SCCP45.9-4-2SR3-1S"

    var scene = SOSScene()
    private var serverPort = 41000
    private var phonePort = 50000
    private var tcpSequence: UInt32 = 1000

    mutating func wait(_ seconds: Double) { scene.wait(seconds) }

    // MARK: CDP

    mutating func cdp(_ p: Phone, load: String?) {
        var tlvs: [CDPTLV] = [.deviceID(p.sep), .capabilities([.host, .phone])]
        if let load { tlvs.append(.softwareVersion(load)) }
        tlvs.append(.platform("Cisco IP Phone \(p.model)"))
        scene.emit(CDP.frame(source: p.mac, pdu: CDP.encode(tlvs)), after: 0.001)
    }

    mutating func switchCDP(vlan: UInt16 = 100) {
        let pdu = CDP.encode([.deviceID("switch"), .capabilities([.switch]), .voiceVLANReply(vlan)])
        scene.emit(CDP.frame(source: MACAddress(rawValue: 0x0200_0000_0A0A), pdu: pdu), after: 0.001)
    }

    // MARK: DHCP

    static func dhcp(op: UInt8, type: UInt8, mac: MACAddress, yiaddr: IPv4Address = .any, siaddr: IPv4Address = .any,
                     options: [(UInt8, [UInt8])]) -> [UInt8] {
        var m: [UInt8] = [op, 1, 6, 0] + PacketBuilder.be32(0x7945_0001) + [0, 0, 0x80, 0]
        m += [0, 0, 0, 0] + PacketBuilder.be32(yiaddr.rawValue) + PacketBuilder.be32(siaddr.rawValue) + [0, 0, 0, 0]
        m += mac.octets + [UInt8](repeating: 0, count: 10 + 64 + 128)
        m += [0x63, 0x82, 0x53, 0x63, 53, 1, type]
        for (code, value) in options { m += [code, UInt8(value.count)] + value }
        return m + [255]
    }

    /// DISCOVER or REQUEST (`type` 1 or 3) as a 79xx sends it: options 60 (with its NUL), 12, 55.
    mutating func dhcpAsk(_ p: Phone, type: UInt8 = 1) {
        let options: [(UInt8, [UInt8])] = [(12, Array(p.sep.utf8)), (60, Array("Cisco Systems, Inc. IP Phone CP-\(p.model)G".utf8) + [0]),
                                           (55, [1, 3, 6, 15, 66, 150])]
        let m = Self.dhcp(op: 1, type: type, mac: p.mac, options: options)
        scene.emit(SOSScene.ethernet(.broadcast, p.mac, type: 0x0800,
                                     SOSScene.ipv4(17, .any, .broadcast, PacketBuilder.udp(sport: 68, dport: 67, src: .any, dst: .broadcast, m))),
                   after: 0.001)
    }

    /// The server's OFFER (2), ACK (5) or NAK (6), with `option150` bytes (nil: none).
    mutating func dhcpReply(_ p: Phone, type: UInt8, option150: [UInt8]? = PacketBuilder.be32(server.rawValue), siaddr: IPv4Address = .any) {
        var options: [(UInt8, [UInt8])] = [(54, PacketBuilder.be32(Self.server.rawValue))]
        if type != 6 {
            options.append((1, [255, 255, 255, 0]))
            if let option150 { options.append((150, option150)) }
        }
        let m = Self.dhcp(op: 2, type: type, mac: p.mac, yiaddr: type == 6 ? .any : p.ip, siaddr: siaddr, options: options)
        scene.emit(SOSScene.ethernet(.broadcast, SOSScene.pcMAC, type: 0x0800,
                                     SOSScene.ipv4(17, Self.server, .broadcast, PacketBuilder.udp(sport: 67, dport: 68, src: Self.server, dst: .broadcast, m))),
                   after: 0.001)
    }

    /// DISCOVER, OFFER, REQUEST, ACK.
    mutating func dora(_ p: Phone, option150: [UInt8]? = PacketBuilder.be32(server.rawValue)) {
        dhcpAsk(p, type: 1)
        dhcpReply(p, type: 2, option150: option150)
        dhcpAsk(p, type: 3)
        dhcpReply(p, type: 5, option150: option150)
    }

    // MARK: TFTP

    enum Answer {
        case file([UInt8])
        case error
        case nothing
        /// The first `blocks` blocks of the file, then silence.
        case stall([UInt8], blocks: Int)
    }

    /// The phone's request for `file`, and the server's answer.
    mutating func fetch(_ p: Phone, _ file: String, _ answer: Answer, to server: IPv4Address = server) {
        phonePort += 1
        let port = phonePort
        scene.udp(from: p.mac, p.ip, port, to: server, 69, TFTPConversation.rrq(file), dstMAC: SOSScene.pcMAC, after: 0.3)
        serverPort += 1
        switch answer {
        case .nothing:
            for _ in 0..<2 { scene.udp(from: p.mac, p.ip, port, to: server, 69, TFTPConversation.rrq(file), dstMAC: SOSScene.pcMAC, after: 1) }
        case .error:
            scene.udp(from: SOSScene.pcMAC, server, serverPort, to: p.ip, port, TFTPConversation.error(1, "File not found"), dstMAC: p.mac)
        case .file(let bytes), .stall(let bytes, _):
            var blocks = TFTPConversation.blocks(of: bytes, size: 512)
            if case .stall(_, let n) = answer { blocks = Array(blocks.prefix(n)) }
            for (i, block) in blocks.enumerated() {
                scene.udp(from: SOSScene.pcMAC, server, serverPort, to: p.ip, port, TFTPConversation.data(i + 1, block), dstMAC: p.mac)
                scene.udp(from: p.mac, p.ip, port, to: server, serverPort, TFTPConversation.ack(i + 1), dstMAC: SOSScene.pcMAC, after: 0.002)
            }
            if case .stall(_, let n) = answer {
                for _ in 0..<3 { scene.udp(from: p.mac, p.ip, port, to: server, serverPort, TFTPConversation.ack(n), dstMAC: SOSScene.pcMAC, after: 1) }
            }
        }
    }

    /// The trust list files, each ERROR 1 (a server without security).
    mutating func trustList(_ p: Phone) {
        for name in ["CTL\(p.sep).tlv", "ITL\(p.sep).tlv", "ITLFile.tlv"] { fetch(p, name, .error) }
    }

    static func defaultConfig(_ load: String?, for p: Phone = phone1) -> [UInt8] {
        BootFileBuilder.defaultConfig(loads: load.map { [(p.deviceType, p.model, $0)] } ?? [], callManagers: [server])
    }

    /// The load's .loads and each of its parts, all served (`missing`: that part draws ERROR 1).
    mutating func load(_ p: Phone, _ load: String, missing: String? = nil, partSize: Int = 1500) {
        let parts = BootFileBuilder.partNames(load: load)
        fetch(p, "\(load).loads", .file(BootFileBuilder.loads(name: "\(load).loads", release: load, parts: parts)))
        for part in parts {
            fetch(p, part, part == missing ? .error : .file(BootFileBuilder.part(name: part, size: partSize)))
            if part == missing { return }
        }
    }

    /// One whole boot up to the configuration: CDP, DHCP, trust list, SEP (ERROR 1), XMLDefault naming `config`.
    mutating func bootToConfig(_ p: Phone, running: String?, config: String?) {
        cdp(p, load: running)
        dora(p)
        trustList(p)
        fetch(p, "\(p.sep).cnf.xml", .error)
        fetch(p, "XMLDefault.cnf.xml", .file(Self.defaultConfig(config, for: p)))
    }

    // MARK: SCCP

    /// A TCP segment with `payload` (PSH, ACK), sequence numbers moving on.
    mutating func tcp(from srcMAC: MACAddress, _ src: IPv4Address, _ sport: Int, to dstMAC: MACAddress, _ dst: IPv4Address, _ dport: Int,
                      flags: UInt8 = 0x18, _ payload: [UInt8], after step: Double = 0.001) {
        var tcp = PacketBuilder.be16(sport) + PacketBuilder.be16(dport) + PacketBuilder.be32(tcpSequence) + PacketBuilder.be32(1) + [0x50, flags]
            + PacketBuilder.be16(5840) + [0, 0, 0, 0] + payload
        tcpSequence &+= UInt32(payload.count) + (flags & 0x02 != 0 ? 1 : 0)
        let pseudo = PacketBuilder.be32(src.rawValue) + PacketBuilder.be32(dst.rawValue) + [0, 6] + PacketBuilder.be16(tcp.count)
        let sum = PacketBuilder.checksum(tcp, pseudo: pseudo)
        tcp[16] = UInt8(sum >> 8)
        tcp[17] = UInt8(sum & 0xFF)
        scene.emit(SOSScene.ethernet(dstMAC, srcMAC, type: 0x0800, SOSScene.ipv4(6, src, dst, tcp)), after: step)
    }

    /// The phone's SCCP Register and the call manager's answer: `true` Ack, `false` Reject, nil nothing.
    mutating func register(_ p: Phone, accepted: Bool?) {
        let r = SCCPRegister(deviceName: p.sep, stationAddress: p.ip, deviceType: p.deviceType, maxStreams: 5)
        // One connection per phone and boot, the phone's port and the server's sequence kept apart by the counters.
        phonePort += 1
        let port = phonePort
        tcpSequence = 5000
        tcp(from: p.mac, p.ip, port, to: SOSScene.pcMAC, Self.server, 2000, flags: 0x02, [], after: 0.3)
        tcpSequence = 9000
        tcp(from: SOSScene.pcMAC, Self.server, 2000, to: p.mac, p.ip, port, flags: 0x12, [])
        tcpSequence = 5001
        tcp(from: p.mac, p.ip, port, to: SOSScene.pcMAC, Self.server, 2000, SCCPMessage.encode(.register(r)))
        guard let accepted else { return }
        tcpSequence = 9001
        let answer: SCCPBody = accepted ? .registerAck(keepAlive: 30, secondaryKeepAlive: 60) : .registerReject(text: "No Authority: \(p.sep)")
        tcp(from: SOSScene.pcMAC, Self.server, 2000, to: p.mac, p.ip, port, SCCPMessage.encode(answer), after: 0.01)
    }

    // MARK: Running

    func conclude(thresholds: BootThresholds = BootThresholds(), limits: CaptureAnalysis.Limits = .init()) -> CaptureConclusion {
        scene.conclude(bootThresholds: thresholds, limits: limits)
    }

    func boot(thresholds: BootThresholds = BootThresholds(), limits: CaptureAnalysis.Limits = .init()) -> BootAnalysis {
        conclude(thresholds: thresholds, limits: limits).boot
    }
}

extension BootAnalysis {
    func phone(_ p: BootScene.Phone) -> BootPhoneVerdict? { phones.first { $0.identity.mac == p.mac } }
}

extension BootPhoneVerdict {
    var findingCodes: [BootVerdictCode] { findings.map(\.code) }
}
