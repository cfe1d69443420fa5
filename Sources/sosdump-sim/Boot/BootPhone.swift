#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SOSDump
import SOSDumpLive

/// A Cisco 79xx phone booting, as the boot model describes it, over real
/// sockets: CDP with its name, platform and running load; DHCP from a
/// packet socket (option 60 `Cisco Systems, Inc. IP Phone CP-7945G` and a
/// NUL, option 12 `SEP<MAC>`, option 55 asking for 150 and 66); the TFTP
/// server from option 150, else 66, else siaddr; the TFTP sequence (CTL,
/// ITL, `SEP<MAC>.cnf.xml` or `.cnf.xml.sgn` with a trust list, falling
/// back to `XMLDefault.cnf.xml`); the configuration's load, its `.loads`
/// and parts; a restart with the new load (or the old one, when it refuses
/// it); SCCP registration with the call manager.
///
/// Each failure makes the phone start again, as a real one does: the
/// cycles of a boot loop. Failure injection is configuration: a trust list
/// from another system, a running load that refuses the target, loads it
/// refuses whatever the versions, no load at all (a factory reset).
final class BootPhone {
    struct Configuration {
        var interface: String
        /// `7945`.
        var model = "7945"
        /// The SCCP device type (435 for a 7945), also the `loadInformationNNN` of XMLDefault.
        var deviceType: UInt32 = 435
        /// The load it runs; nil after a factory reset (it asks for `termNN.default.loads`).
        var runningLoad: String? = "SCCP45.8-3-3S"
        /// It holds a trust list from another system: asks for the signed configuration only.
        var trustList = false
        /// Loads it refuses whatever their version (a load for another hardware revision).
        var refuses: [String] = []
        /// An alternate TFTP server set on the phone: DHCP's is ignored.
        var alternateTFTP: IPv4Address?
        /// The call manager; nil: the TFTP server.
        var callManager: IPv4Address?
        /// Seconds between two TFTP requests (real logs: 2–8 s; shorter keeps captures small).
        var requestGap = 0.3
        /// Seconds the phone takes to write a load and restart.
        var writeSeconds = 2.0
        /// Seconds from a failure to the next boot.
        var restartSeconds = 2.0
        var dhcpTries = 3
        var dhcpWait = 3.0
        var tftpTimeout = 1.0
        /// Seconds the phone takes per DATA block before its ACK.
        var ackDelay = 0.0
        var tftpTries = 3
        /// Seconds to wait for the call manager's answer.
        var registerWait = 12.0
        /// Boots before it stops (a real phone goes on forever).
        var maxBoots = 4
        var maxSeconds = 300.0
        /// Send CDP at each boot.
        var cdp = true
    }

    enum BootEnd: CustomStringConvertible {
        case registered
        case restart(String)
        case newLoad(String)
        var description: String {
            switch self {
            case .registered: "registered"
            case .restart(let why): "restarts: \(why)"
            case .newLoad(let load): "restarts with \(load)"
            }
        }
    }

    let config: Configuration
    let mac: MACAddress
    let console = Console(speaker: "phone79")
    let frameSocket: PacketSocket
    var running: String?
    var address: IPv4Address?
    var ipIdentification: UInt16 = 0x2000
    let started = now()

    init(_ config: Configuration) throws {
        self.config = config
        mac = try interfaceMAC(config.interface)
        frameSocket = try PacketSocket(interface: config.interface, ethertype: 0x0800)
        running = config.runningLoad
    }

    var sepName: String { BootPhoneIdentity(mac: mac).sepName }

    func run() {
        for boot in 1...max(1, config.maxBoots) {
            guard now() - started < config.maxSeconds else { break }
            console.say("boot \(boot), running \(running ?? "no load")")
            let end = self.boot()
            console.say(end.description)
            switch end {
            case .registered:
                keepAlive()
                return
            case .newLoad(let load):
                running = load
                pause(config.writeSeconds)
            case .restart:
                pause(config.restartSeconds)
            }
        }
        console.say("stops after \(config.maxBoots) boots")
    }

    // MARK: One boot

    func boot() -> BootEnd {
        setAddress(nil)
        if config.cdp { sendCDP() }
        guard let lease = dhcp() else { return .restart("no DHCP answer") }
        setAddress(lease)
        guard let server = config.alternateTFTP ?? tftpServer(lease.message) else { return .restart("no TFTP server") }
        console.say("TFTP server \(server)")

        // The trust list: ERROR 1 is normal on a server without security.
        for name in ["CTL\(sepName).tlv", "ITL\(sepName).tlv", "ITLFile.tlv"] {
            let r = fetch(name, from: server)
            if case .noAnswer = r { return .restart("TFTP server silent") }
        }
        var config: [UInt8]?
        var configName = ""
        if self.config.trustList {
            configName = "\(sepName).cnf.xml.sgn"
            if case .file(let bytes) = fetch(configName, from: server) { config = bytes }
            guard config != nil else { return .restart("no signed configuration (trust list)") }
        } else {
            for name in ["\(sepName).cnf.xml", "XMLDefault.cnf.xml"] {
                let r = fetch(name, from: server)
                if case .file(let bytes) = r {
                    config = bytes
                    configName = name
                    break
                }
                if case .noAnswer = r { return .restart("TFTP server silent") }
            }
        }
        guard let config else { return .restart("no configuration") }
        let target = BootFiles.configuredLoad(config, deviceType: self.config.deviceType)
        console.say("configuration \(configName) names \(target ?? "no load")")

        var load = target
        if running == nil, load == nil { load = "term\(self.config.model.suffix(2)).default" }
        if let load, load != running {
            switch upgrade(to: load, from: server) {
            case .some(let end): return end
            case .none: break
            }
        }
        return register(with: self.config.callManager ?? server)
    }

    /// Fetches `<load>.loads` and its parts; nil when there was nothing to do.
    func upgrade(to load: String, from server: IPv4Address) -> BootEnd? {
        let loadsName = "\(load).loads"
        guard case .file(let loads) = fetch(loadsName, from: server) else { return .restart("\(loadsName) not found") }
        guard let parts = BootFiles.loadParts(loads) else { return .restart("\(loadsName) unreadable") }
        for part in parts {
            guard case .file = fetch(part, from: server) else { return .restart("\(part) not found") }
        }
        console.say("writing \(load)")
        if config.refuses.contains(load) { return .restart("refuses \(load)") }
        if let running, BootFiles.stepBetween(running: running, target: load) != nil {
            return .restart("Auth Fail: \(running) does not take \(load)")
        }
        return .newLoad(load)
    }

    // MARK: CDP

    func sendCDP() {
        var tlvs: [CDPTLV] = [.deviceID(sepName)]
        if let address { tlvs.append(.addresses([address])) }
        tlvs += [.portID("Port 1"), .capabilities([.host, .phone])]
        if let running { tlvs.append(.softwareVersion(running)) }
        tlvs += [.platform("Cisco IP Phone \(config.model)"), .voiceVLANQuery(), .power(milliwatts: 6300), .duplex(full: true)]
        do { try frameSocket.send(CDP.frame(source: mac, pdu: CDP.encode(tlvs))) } catch { console.say("CDP: \(error)") }
        console.say("CDP \(sepName), \(running ?? "no load")")
    }

    // MARK: DHCP

    struct Lease {
        var message: DHCPMessage
        var address: IPv4Address
        var prefixLength: Int
    }

    var vendorClass: [UInt8] { Array("Cisco Systems, Inc. IP Phone CP-\(config.model)G".utf8) + [0] }

    func dhcpOptions(_ type: UInt8, extra: [(UInt8, [UInt8])] = []) -> [(UInt8, [UInt8])] {
        [(61, [1] + mac.octets), (12, Array(sepName.utf8))] + extra + [
            (60, vendorClass), (55, [1, 3, 6, 15, 35, 66, 150]),
        ]
    }

    func dhcp() -> Lease? {
        let xid = UInt32(truncatingIfNeeded: mac.rawValue) &* 2_654_435_761 &+ UInt32(truncatingIfNeeded: Int(now() * 1000))
        for attempt in 0..<config.dhcpTries {
            send(Frames.dhcpMessage(mac: mac, type: 1, transactionID: xid, seconds: UInt16(attempt * 4), options: dhcpOptions(1)))
            console.say("DHCPDISCOVER")
            guard let offer = awaitDHCP(xid, type: .offer, until: now() + config.dhcpWait) else { continue }
            let server = serverID(offer)
            var extra: [(UInt8, [UInt8])] = [(50, Frames.be32(offer.yourAddress.rawValue))]
            if let server { extra.append((54, Frames.be32(server.rawValue))) }
            send(Frames.dhcpMessage(mac: mac, type: 3, transactionID: xid, seconds: UInt16(attempt * 4), options: dhcpOptions(3, extra: extra)))
            console.say("DHCPREQUEST \(offer.yourAddress)")
            guard let ack = awaitDHCP(xid, type: .ack, until: now() + config.dhcpWait) else { continue }
            var prefix = 24
            if case .address(let mask)? = ack.option(.subnetMask)?.value { prefix = mask.rawValue.nonzeroBitCount }
            console.say("DHCPACK \(ack.yourAddress)/\(prefix)")
            return Lease(message: ack, address: ack.yourAddress, prefixLength: prefix)
        }
        return nil
    }

    func serverID(_ m: DHCPMessage) -> IPv4Address? {
        if case .address(let a)? = m.option(.serverIdentifier)?.value { return a }
        return nil
    }

    func send(_ dhcp: [UInt8]) {
        ipIdentification &+= 1
        let frame = Frames.udpFrame(from: mac, to: .broadcast, source: .any, destination: .broadcast, sourcePort: 68, destinationPort: 67,
                                    ttl: 64, identification: ipIdentification, payload: dhcp)
        do { try frameSocket.send(frame) } catch { console.say("DHCP send: \(error)") }
    }

    /// The server's reply of `type` (a NAK ends the wait), read off the packet socket.
    func awaitDHCP(_ xid: UInt32, type: DHCPMessageType, until deadline: Double) -> DHCPMessage? {
        while true {
            guard !readable([frameSocket.fd], until: deadline).isEmpty else { return nil }
            while let frame = frameSocket.receive() {
                let reply: DHCPMessage? = frame.withUnsafeBytes { raw in
                    let view = ByteView(raw)
                    // Ethernet, IPv4 (IHL), UDP to port 68.
                    guard view.uint16(at: 12) == 0x0800, let ihl = view.uint8(at: 14).map({ Int($0 & 0x0F) * 4 }),
                          view.uint8(at: 23) == 17, view.uint16(at: 14 + ihl + 2) == 68,
                          let payload = view.dropFirst(14 + ihl + 8) else { return nil }
                    return try? DHCPMessage.decode(payload)
                }
                guard let reply, reply.operation == .reply, reply.transactionID == xid else { continue }
                if reply.messageType == .nak {
                    console.say("DHCPNAK")
                    return nil
                }
                if reply.messageType == type { return reply }
            }
        }
    }

    /// The TFTP server as the phone reads DHCP: option 150 when it is a
    /// list of addresses, else option 66 when it is an address, else siaddr.
    func tftpServer(_ m: DHCPMessage) -> IPv4Address? {
        if let list = m.tftpServerAddresses, let first = list.first { return first }
        if m.option(.tftpServerAddresses) != nil { console.say("option 150 is not a list of addresses: ignored") }
        if let name = m.tftpServerName, let a = IPv4Address(name) { return a }
        if m.nextServerAddress != .any { return m.nextServerAddress }
        return nil
    }

    /// Sets (or with nil removes) the interface's address, as the phone's stack does on a lease.
    func setAddress(_ lease: Lease?) {
        address = lease?.address
        var args = ["addr", "flush", "dev", config.interface]
        shell("/usr/sbin/ip", args)
        guard let lease else { return }
        args = ["addr", "add", "\(lease.address)/\(lease.prefixLength)", "dev", config.interface]
        shell("/usr/sbin/ip", args)
    }

    func shell(_ path: String, _ args: [String]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: FileManager.default.fileExists(atPath: path) ? path : "/sbin/ip")
        p.arguments = args
        do {
            try p.run()
            p.waitUntilExit()
        } catch {
            console.say("\(path): \(error)")
        }
    }

    // MARK: TFTP

    enum Fetched {
        case file([UInt8])
        case error(UInt16, String)
        case noAnswer
    }

    /// One file by TFTP (RFC 1350, no options): the request, each DATA acknowledged, retries on silence.
    func fetch(_ name: String, from server: IPv4Address) -> Fetched {
        pause(config.requestGap)
        guard let socket = try? UDPSocket(port: 0) else { return .noAnswer }
        var lastSent = TFTPPacket.encodeReadRequest(name)
        var to = (server, TFTPPacket.port)
        var peer: UInt16?
        var bytes: [UInt8] = []
        var expected: UInt16 = 1
        var tries = 0
        try? socket.send(lastSent, to: to.0, port: to.1)
        console.say("RRQ \(name) to \(server)")
        while tries < config.tftpTries {
            guard !readable([socket.fd], until: now() + config.tftpTimeout).isEmpty else {
                tries += 1
                if tries < config.tftpTries { try? socket.send(lastSent, to: to.0, port: to.1) }
                continue
            }
            while let d = socket.receive() {
                guard d.source == server, peer == nil || d.sourcePort == peer else { continue }
                let view = d.bytes
                guard view.count >= 4 else { continue }
                let opcode = UInt16(view[0]) << 8 | UInt16(view[1])
                let block = UInt16(view[2]) << 8 | UInt16(view[3])
                if opcode == 5 {
                    let message = String(decoding: view[4...].prefix { $0 != 0 }, as: UTF8.self)
                    console.say("ERROR \(block) \"\(message)\" for \(name)")
                    return .error(block, message)
                }
                guard opcode == 3 else { continue }
                peer = d.sourcePort
                to = (server, d.sourcePort)
                if block == expected {
                    bytes += view[4...]
                    expected &+= 1
                    tries = 0
                }
                lastSent = TFTPPacket.encodeAck(block)
                if config.ackDelay > 0 { pause(config.ackDelay) }
                try? socket.send(lastSent, to: server, port: d.sourcePort)
                if block == expected &- 1, view.count - 4 < 512 {
                    console.say("got \(name), \(bytes.count) bytes")
                    return .file(bytes)
                }
            }
        }
        console.say("no answer for \(name)")
        return .noAnswer
    }

    // MARK: SCCP

    var sccp: Int32 = -1

    func register(with callManager: IPv4Address) -> BootEnd {
        guard let address else { return .restart("no address") }
        guard let fd = connectTCP(to: callManager, port: SCCP.port, timeout: 3) else {
            pause(config.registerWait)
            return .restart("call manager \(callManager) unreachable")
        }
        let r = SCCPRegister(deviceName: sepName, stationAddress: address, deviceType: config.deviceType, maxStreams: 5)
        guard writeAll(fd, SCCPMessage.encode(.register(r))) else {
            close(fd)
            return .restart("register not sent")
        }
        console.say("SCCP Register \(sepName) type \(config.deviceType) to \(callManager)")
        let deadline = now() + config.registerWait
        var buffer: [UInt8] = []
        while now() < deadline {
            guard !readable([fd], until: deadline).isEmpty else { break }
            var chunk = [UInt8](repeating: 0, count: 2048)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            buffer += chunk.prefix(n)
            while let m = buffer.withUnsafeBytes({ raw -> (SCCPMessage, Int)? in
                let view = ByteView(raw)
                guard case .message(let total) = SCCPFraming.check(view), let whole = view.slice(at: 0, length: total),
                      let m = try? SCCPMessage.decode(whole) else { return nil }
                return (m, total)
            }) {
                buffer.removeFirst(m.1)
                switch m.0.body {
                case .registerAck:
                    console.say("SCCP RegisterAck")
                    sccp = fd
                    return .registered
                case .registerReject(let text):
                    console.say("SCCP RegisterReject \"\(text)\"")
                    close(fd)
                    return .restart("registration rejected")
                default:
                    continue
                }
            }
        }
        close(fd)
        return .restart("no answer to the registration")
    }

    /// Registered: a few keepalives, answered, until the time is up.
    func keepAlive() {
        guard sccp >= 0 else { return }
        for _ in 0..<3 {
            pause(1)
            _ = writeAll(sccp, SCCPMessage.encode(.keepAlive))
            _ = readable([sccp], until: now() + 2)
            var chunk = [UInt8](repeating: 0, count: 256)
            _ = chunk.withUnsafeMutableBytes { recv(sccp, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        }
        console.say("SCCP keepalives answered; stays registered")
        close(sccp)
    }
}

/// Writes every byte to a socket; false when it cannot.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL)) }
        if n < 0, errno == EINTR || errno == EAGAIN {
            _ = readable([], until: now() + 0.01)
            continue
        }
        if n <= 0 { return false }
        done += n
    }
    return true
}
