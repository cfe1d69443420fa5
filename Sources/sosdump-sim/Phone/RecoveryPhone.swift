#if canImport(Glibc)
import Glibc
#endif
import SOSDump
import SOSDumpLive

/// A Cisco SPA30x/SPA50x phone whose firmware is lost, running its S.O.S.
/// recovery program as `docs/sos-protocol.md` describes the 7.6.2f one, over the
/// real sockets of its network namespace.
///
/// Like the loader, it is one sequential program: listening windows of 5,
/// 10, 20 … seconds with Recovery URL and Last Upgrade URL tries between
/// them; requests answered with the op-1 reply to 234.4.8.10:4811; an
/// upgrade echoed, then the gateway ARPed (3 tries, through an AF_PACKET
/// socket), then TFTP from port 2000 to 234.4.8.10:69 (the server's port
/// latched from its first reply, every ACK to 234.4.8.10:69, ~2 s timeout,
/// 5 tries, an ERROR aborts), the image checked with the library's
/// `FirmwareVerification`; a good image "written" (silence) and then the
/// normal firmware's traffic, or the recovery program again.
///
/// The rules that make it drop a message are written here from the spec,
/// in the loader's order, apart from the library's
/// `SOSMessage.ruleViolations`, so that a mistake in one does not hide in
/// the other; only the byte layout (`SOSLayout`, the encoders) is shared.
final class RecoveryPhone {
    struct Configuration {
        var interface: String
        var address: IPv4Address
        var prefixLength = 24
        /// IPA_GATEWAY; nil: "IPA_GATEWAY not configured."
        var gateway: IPv4Address?
        var serial: String
        var product = "SPA504G"
        var softwareVersion = "7.4.4rec"
        var hardwareVersion = "1.0.2"
        /// What the bytes the loader leaves uninitialised in replies hold.
        var uninitialised: UInt8 = 0
        /// DHCP at each start of the recovery program (option 60 `TI-dhcp 0.1`).
        var dhcp = false
        var recoveryURL: String?
        var lastUpgradeURL: String?
        var firstWindow: Double = 5
        var tftpTimeout: Double = 2
        var tftpTries = 5
        var arpTries = 3
        var arpWait: Double = 1
        var dhcpWait: Double = 5
        var httpTimeout: Double = 10
        /// The phone's time to take each DATA block before it ACKs (a slow CPU).
        var ackDelay: Double = 0
        var rrqDestination = RRQDestination.group
        /// An older loader variant: a datagram to port 4810 that carries a
        /// `.bin` name as text is an upgrade order.
        var textUpgrade = false
        /// Seconds of silence while the flash is written.
        var writeSeconds: Double = 30
        var afterWrite = AfterWrite.normalFirmware
        /// Where the normal firmware sends its TFTP profile request and SIP REGISTER.
        var provisioningServer = IPv4Address(198, 51, 100, 10)
        /// The program stops by itself after this long.
        var maxSeconds: Double = 600
    }

    /// Where the TFTP read request of the download goes.
    enum RRQDestination: String, CaseIterable {
        /// 234.4.8.10, as the 7.6.2f loader does.
        case group
        /// The address the upgrade order came from: an older loader variant
        /// (not 7.6.2f), so that a PC with nothing on port 69 answers with
        /// ICMP port unreachable (no host answers a multicast datagram so).
        case sender
    }

    /// What the phone does once the image is written.
    enum AfterWrite: String, CaseIterable {
        /// Boots the normal firmware: DHCP (`Cisco SPA504G`), TFTP `/spa504G.cfg`, SIP REGISTER.
        case normalFirmware = "normal"
        /// Comes back in recovery (power cut during the write, or a flash that does not keep it).
        case recovery
    }

    let config: Configuration
    let mac: MACAddress
    let console = Console(speaker: "phone")
    private var recSocket: UDPSocket?
    private var tftpSocket: UDPSocket?
    private let arpSocket: PacketSocket
    private let frameSocket: PacketSocket
    private let started = now()
    /// `packet_filter_enabled`: off only while DHCP runs.
    private var filterEnabled = true
    private var ipIdentification: UInt16 = 0x0100
    private var boots = 0

    init(_ config: Configuration) throws {
        self.config = config
        mac = try interfaceMAC(config.interface)
        let rec = try UDPSocket(port: SOSRecovery.phonePort)
        try rec.join(SOSRecovery.group, interfaceAddress: config.address)
        let tftp = try UDPSocket(port: SOSRecovery.tftpClientPort)
        for s in [rec, tftp] {
            try s.setTTL(Int32(SOSRecovery.timeToLive))
            try s.setMulticastInterface(config.address)
            try s.clearDontFragment()
        }
        recSocket = rec
        tftpSocket = tftp
        arpSocket = try PacketSocket(interface: config.interface, ethertype: 0x0806)
        frameSocket = try PacketSocket(interface: config.interface, ethertype: 0)
    }

    private var mask: UInt32 { config.prefixLength == 0 ? 0 : UInt32.max << (32 - UInt32(config.prefixLength)) }

    /// Runs until killed or `maxSeconds`.
    func run() {
        while true {
            boots += 1
            let image = boot() ?? recoveryLoop()
            write(image)
            switch config.afterWrite {
            case .normalFirmware:
                normalFirmware(image)
                idle()
            case .recovery:
                console.say("reboot: no valid application in flash, the recovery program starts again")
            }
        }
    }

    private func checkLimit() {
        if now() - started > config.maxSeconds {
            console.say("stopping after \(Int(config.maxSeconds)) s")
            exit(0)
        }
    }

    private func idle() -> Never {
        while true {
            checkLimit()
            pause(0.5)
        }
    }

    // MARK: The recovery program

    /// The recovery program starts: what was queued is lost; DHCP if
    /// configured (an upgrade may even succeed during it: its image).
    private func boot() -> [UInt8]? {
        console.say("S.O.S. phone in recovery mode: \(config.product), MAC \(mac), serial \(config.serial), IP \(config.address), recovery program \(config.softwareVersion)")
        recSocket?.drain()
        tftpSocket?.drain()
        return config.dhcp ? runDHCP() : nil
    }

    /// Listens, tries its URLs, listens longer … until an upgrade brings an
    /// image the loader accepts; returns it.
    private func recoveryLoop() -> [UInt8] {
        var window = config.firstWindow
        while true {
            console.say("listening for \(Self.seconds(window))")
            if let image = serve(until: now() + window, answerRequests: true) { return image }
            let urls = [("Recovery URL", config.recoveryURL), ("Last Upgrade URL", config.lastUpgradeURL)].filter { $0.1 != nil }
            for (label, url) in urls {
                guard let url else { continue }
                console.say("Trying to recover from \(label) \(url)")
                if let bytes = fetch(url), let image = validate(bytes) { return image }
            }
            window *= 2
            if window > 1800 { window = 5 }
            console.say("backoff to: \(Int(window))sec later")
            // The loader did not poll the network while it tried its URLs: what came is lost.
            if !urls.isEmpty { recSocket?.drain() }
        }
    }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
    }

    /// Handles what arrives on port 4810 until `deadline`; stray TFTP
    /// packets are dropped. Returns an accepted image when an upgrade
    /// succeeded.
    private func serve(until deadline: Double, answerRequests: Bool) -> [UInt8]? {
        while true {
            checkLimit()
            var fds: [Int32] = []
            if let rec = recSocket, answerRequests { fds.append(rec.fd) }
            if let tftp = tftpSocket { fds.append(tftp.fd) }
            let ready = readable(fds, until: deadline)
            if ready.isEmpty, now() >= deadline { return nil }
            if let tftp = tftpSocket, ready.contains(tftp.fd) { tftp.drain() }
            if let rec = recSocket, ready.contains(rec.fd) {
                while let d = recSocket?.receive() {
                    if let image = recIn(d, nested: false) { return image }
                }
            }
        }
    }

    /// `rec_in` (docs/sos-protocol.md §A1, §A3), in the loader's order. Returns
    /// an accepted image after an upgrade.
    private func recIn(_ d: Datagram, nested: Bool) -> [UInt8]? {
        let b = d.bytes
        // ip_in: the destination must be the phone or the group while the filter is on.
        if filterEnabled, let dst = d.destination, dst != config.address, dst != SOSRecovery.group {
            console.say("(dropped a datagram to \(dst) from \(d.source):\(d.sourcePort))")
            return nil
        }
        if d.sourcePort != SOSRecovery.utilityPort {
            console.say("Invalid source port (\(d.sourcePort))")
            return nil
        }
        if b.count > SOSLayout.orderLength {
            console.say("(\(b.count) bytes copied into a 160-byte buffer: heap overflow)")
        }
        guard b.count >= SOSLayout.headerLength,
              b[SOSLayout.magicOffset..<SOSLayout.magicOffset + 4].elementsEqual(Frames.be32(SOSLayout.magic))
        else {
            if config.textUpgrade, !nested, let name = b.withUnsafeBytes({ SOSRecovery.firmwareFileName(in: ByteView($0)) }) {
                console.say("upgrade order of the older format: \(name.name)")
                return upgrade(file: name.name, sender: d.source)
            }
            console.say("(dropped: no RECM)")
            return nil
        }
        let opcode = Int8(bitPattern: b[SOSLayout.opcodeOffset])
        guard opcode == 0 || opcode == 2 else {
            console.say("Unexpected RECOVERY pkt (opcode: \(opcode)) received")
            return nil
        }
        guard b.count == SOSLayout.orderLength else {
            console.say("received request with incorrect len:\(b.count)")
            return nil
        }
        let serialField = Array(b[SOSLayout.serialOffset..<SOSLayout.serialOffset + SOSLayout.serialLength])
        let wildcard = Array(SOSRecovery.wildcardSerial.utf8) + [0]
        let mine = Array(config.serial.utf8) + [0]
        guard serialField.starts(with: wildcard) || serialField.starts(with: mine) else {
            console.say("(dropped silently: serial \(SOSText(bytes: Array(serialField.prefix { $0 != 0 }), terminated: true)) is not mine)")
            return nil
        }
        if opcode == 0 {
            console.say("sending back reply")
            send(SOSRecovery.encodeReply(serial: config.serial, product: config.product, mac: mac,
                                         softwareVersion: config.softwareVersion, hardwareVersion: config.hardwareVersion,
                                         address: config.address, uninitialised: config.uninitialised))
            return nil
        }
        let port = UInt16(b[SOSLayout.upgradePortOffset]) << 8 | UInt16(b[SOSLayout.upgradePortOffset + 1])
        let nameBytes = b[SOSLayout.fileNameOffset...].prefix { $0 != 0 }
        let name = String(decoding: nameBytes, as: UTF8.self)
        send(SOSRecovery.encodeUpgradeEcho(serial: config.serial, port: port, fileName: name, uninitialised: config.uninitialised))
        // The loader's line passes the group's address in memory to %x.
        console.say("REC >>>> Trying upgrade to: tftp://9414a95c:\(port)\(name)")
        if nested {
            console.say("(an upgrade order during a download: not followed)")
            return nil
        }
        return upgrade(file: name, sender: d.source)
    }

    private func send(_ message: [UInt8]) {
        do {
            try recSocket?.send(message, to: SOSRecovery.group, port: SOSRecovery.utilityPort)
        } catch {
            console.say("send failed: \(error)")
        }
    }

    private func upgrade(file: String, sender: IPv4Address) -> [UInt8]? {
        let server = config.rrqDestination == .group ? SOSRecovery.group : sender
        guard let bytes = download(from: server, file: file, answerRequests: true), let image = validate(bytes) else {
            console.say("REC >>>> failed upgrade . . . reason:-1")
            return nil
        }
        return image
    }

    private func validate(_ bytes: [UInt8]) -> [UInt8]? {
        let verification = FirmwareVerification(bytes)
        switch verification.verdict {
        case .accepted:
            console.say("Validate firmware successful (version \(verification.version ?? "?"), \(bytes.count) bytes, sha256 \(verification.sha256))")
            return bytes
        case .rejected(let check), .incomplete(let check):
            console.say(check.loaderMessage ?? check.title)
            console.say("Validate firmware failed")
            return nil
        }
    }

    /// Erases and programs: silence for `writeSeconds`, then the loader's lines.
    private func write(_ image: [UInt8]) {
        console.say("writing the flash for \(Self.seconds(config.writeSeconds))")
        let sectors = FirmwareVerification(image).sectors
        // The loader does not poll the network while it programs the flash:
        // not even ARP is answered (the kernel would, for the PC's probes).
        answerARP(false)
        pause(config.writeSeconds)
        answerARP(true)
        for sector in sectors {
            switch sector.id {
            case 0, 1: console.say("Cannot upgrade bootloader in bootloader/recovery")
            case 3, 4: console.say("Skip upgrade recovery code in recovery mode")
            default: console.say("Programming sector:\(sector.id)")
            }
        }
        console.say("REC >>>> completed upgrade . . . rebooting")
    }

    // MARK: The network below

    /// Whether the namespace's kernel answers ARP for the phone's address
    /// (`arp_ignore` 0 or 8 on its interface).
    private func answerARP(_ on: Bool) {
        let path = "/proc/sys/net/ipv4/conf/\(config.interface)/arp_ignore"
        guard let file = fopen(path, "w") else {
            console.say("cannot open \(path)")
            return
        }
        fputs(on ? "0\n" : "8\n", file)
        fclose(file)
    }

    /// `arp_resolve`: 3 who-has, each waited for `arpWait`.
    private func resolve(_ address: IPv4Address) -> Bool {
        for attempt in 1...config.arpTries {
            checkLimit()
            while arpSocket.receive() != nil {}
            do {
                try arpSocket.send(Frames.arpRequest(senderMAC: mac, senderIP: config.address, target: address))
            } catch {
                console.say("ARP: \(error)")
            }
            let deadline = now() + config.arpWait
            while !readable([arpSocket.fd], until: deadline).isEmpty {
                while let frame = arpSocket.receive() {
                    if let answer = Frames.arpReply(frame, answering: address) {
                        console.say("ARP: \(address) is at \(answer) (try \(attempt))")
                        do { try teachARP(address, is: answer, on: config.interface) } catch { console.say("ARP cache: \(error)") }
                        return true
                    }
                }
            }
        }
        return false
    }

    /// The next hop for `server`: itself on the phone's subnet, else the
    /// gateway; nil (with the loader's line) when there is none or it does
    /// not answer ARP.
    private func reach(_ server: IPv4Address) -> Bool {
        let onSubnet = server.rawValue & mask == config.address.rawValue & mask
        let hop: IPv4Address
        if onSubnet {
            hop = server
        } else {
            guard let gateway = config.gateway else {
                console.say("IPA_GATEWAY not configured.")
                return false
            }
            hop = gateway
        }
        guard resolve(hop) else {
            console.say("Host not found.")
            return false
        }
        return true
    }

    /// `tftp()` in `/dev/ram` mode (docs/sos-protocol.md §B): the file's bytes, or nil.
    private func download(from server: IPv4Address, file: String, answerRequests: Bool) -> [UInt8]? {
        guard let socket = tftpSocket, reach(server) else { return nil }
        socket.drain()
        var last = TFTPPacket.encodeReadRequest(file)
        func transmit() {
            do { try socket.send(last, to: server, port: TFTPPacket.port) } catch { console.say("TFTP send: \(error)") }
        }
        console.say("TFTP: RRQ \(file) to \(server):69")
        transmit()
        var transmissions = 1
        var serverPort: UInt16?
        var lastBlock: UInt16 = 0
        var received: [UInt8] = []
        var deadline = now() + config.tftpTimeout
        while true {
            checkLimit()
            var fds = [socket.fd]
            if answerRequests, let rec = recSocket { fds.append(rec.fd) }
            let ready = readable(fds, until: deadline)
            if ready.isEmpty {
                guard now() >= deadline else { continue }
                if transmissions >= config.tftpTries {
                    console.say("TFTP Timed out")
                    return nil
                }
                transmissions += 1
                transmit()
                deadline = now() + config.tftpTimeout
                continue
            }
            if let rec = recSocket, ready.contains(rec.fd) {
                while let d = rec.receive() { _ = recIn(d, nested: true) }
            }
            guard ready.contains(socket.fd) else { continue }
            while let d = socket.receive() {
                // The server's port is latched from the first packet, whatever it is; the address is never checked.
                if serverPort == nil {
                    serverPort = d.sourcePort
                    console.say("TFTP: server port \(d.sourcePort) (from \(d.source))")
                }
                guard d.sourcePort == serverPort, d.bytes.count >= 4 else { continue }
                let opcode = UInt16(d.bytes[0]) << 8 | UInt16(d.bytes[1])
                let number = UInt16(d.bytes[2]) << 8 | UInt16(d.bytes[3])
                switch opcode {
                case 3:
                    guard number != lastBlock else { continue }  // a duplicate: dropped, not acknowledged
                    lastBlock = number
                    let data = d.bytes.dropFirst(4)
                    received += data
                    if config.ackDelay > 0 { pause(config.ackDelay) }
                    last = TFTPPacket.encodeAck(number)
                    transmit()
                    transmissions = 1
                    deadline = now() + config.tftpTimeout
                    if data.count < 512 {
                        console.say("TFTP: \(received.count) bytes received, last block \(number)")
                        return received
                    }
                case 5:
                    let message = String(decoding: d.bytes.dropFirst(4).prefix { $0 != 0 }, as: UTF8.self)
                    console.say("TFTP: Error[\(number)]: \(number == 0 && message.isEmpty ? "[Unknown Error]" : message)")
                    return nil
                case 6:
                    last = TFTPPacket.encodeAck(0)
                    transmit()
                default:
                    continue
                }
            }
        }
    }

    /// `rec_from_url`: `tftp://host[:port]/path` or `http://host[:port]/path`;
    /// the host must be an address (the simulator has no DNS).
    private func fetch(_ url: String) -> [UInt8]? {
        let parts = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[1].isEmpty else {
            console.say("bad URL \(url)")
            return nil
        }
        let scheme = parts[0].lowercased()
        let hostPort = parts[2].split(separator: ":")
        let path = String(parts[3])  // without its leading "/", as parse_url leaves it
        guard let host = hostPort.first.flatMap({ IPv4Address($0) }) else {
            console.say("bad host in \(url)")
            return nil
        }
        switch scheme {
        case "tftp:":
            return download(from: host, file: path, answerRequests: false)
        case "http:":
            let port = hostPort.count > 1 ? UInt16(hostPort[1]) ?? 80 : 80
            return httpGet(host: host, port: port, path: path)
        default:
            console.say("unknown scheme in \(url)")
            return nil
        }
    }

    /// `thttpc_download`: only a 200 counts; at most 7 MiB.
    private func httpGet(host: IPv4Address, port: UInt16, path: String) -> [UInt8]? {
        guard reach(host) else { return nil }
        guard let fd = connectTCP(to: host, port: port, timeout: config.httpTimeout) else {
            console.say("HTTP: no connection to \(host):\(port)")
            return nil
        }
        defer { close(fd) }
        let request = Array("GET /\(path) HTTP/1.0\r\nHost: \(host)\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var response: [UInt8] = []
        let deadline = now() + config.httpTimeout
        var buffer = [UInt8](repeating: 0, count: 65536)
        while now() < deadline, response.count <= FirmwareImageLayout.httpLimit {
            guard !readable([fd], until: deadline).isEmpty else { break }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EAGAIN { continue }
            if n <= 0 { break }
            response += buffer.prefix(n)
        }
        guard let end = response.indices.dropLast(3).first(where: { response[$0..<$0 + 4].elementsEqual([13, 10, 13, 10]) }) else {
            console.say("HTTP: no response")
            return nil
        }
        let status = String(decoding: response[..<end], as: UTF8.self).split(separator: " ").dropFirst().first
        guard status == "200" else {
            console.say("HTTP: status \(status ?? "?")")
            return nil
        }
        return Array(response[(end + 4)...])
    }

    private func runDHCP() -> [UInt8]? {
        console.say("Starting DHCP")
        filterEnabled = false
        defer { filterEnabled = true }
        let options: [(UInt8, [UInt8])] = [
            (61, [1] + mac.octets),
            (12, Array("TNETV1050SDB".utf8)),
            (60, Array("TI-dhcp 0.1".utf8)),
            (55, [1, 3, 4, 5, 6, 7, 8, 9, 12, 15, 28, 42, 44, 66, 67]),
        ]
        let xid = UInt32(truncatingIfNeeded: mac.rawValue) &* 2_654_435_761 &+ UInt32(boots)
        for attempt in 0..<2 {
            sendDHCP(Frames.dhcpDiscover(mac: mac, transactionID: xid, seconds: UInt16(attempt * 5), options: options), ttl: SOSRecovery.timeToLive)
            // rec_in runs while DHCP polls the network, with the address filter off.
            if let image = serve(until: now() + config.dhcpWait, answerRequests: true) { return image }
        }
        console.say("DHCP timed out.")
        return nil
    }

    private func sendDHCP(_ message: [UInt8], ttl: UInt8) {
        ipIdentification &+= 1
        let frame = Frames.udpFrame(from: mac, to: .broadcast, source: .any, destination: .broadcast, sourcePort: 68, destinationPort: 67,
                                    ttl: ttl, identification: ipIdentification, payload: message)
        do { try frameSocket.send(frame) } catch { console.say("DHCP send: \(error)") }
    }

    // MARK: The normal firmware

    /// What a phone that booted its new firmware sends first.
    private func normalFirmware(_ image: [UInt8]) {
        let version = FirmwareVerification(image).version ?? "?"
        console.say("normal firmware \(version) boots")
        recSocket = nil
        tftpSocket = nil
        let psn = config.product.hasPrefix("SPA") ? String(config.product.dropFirst(3)) : config.product
        let options: [(UInt8, [UInt8])] = [
            (61, [1] + mac.octets),
            (12, Array(config.product.utf8)),
            (60, Array("Cisco \(config.product)".utf8)),
            (55, [1, 3, 6, 15, 28, 42, 66, 160, 159, 150, 60, 43, 125]),
        ]
        sendDHCP(Frames.dhcpDiscover(mac: mac, transactionID: UInt32(truncatingIfNeeded: mac.rawValue) &+ 0x1000, seconds: 0, options: options), ttl: 64)
        console.say("normal firmware: DHCPDISCOVER, option 60 \"Cisco \(config.product)\"")
        pause(1)
        let server = config.provisioningServer
        do {
            let tftp = try UDPSocket(port: 0)
            let file = "/spa\(psn).cfg"
            try tftp.send(TFTPPacket.encodeReadRequest(file), to: server, port: TFTPPacket.port)
            console.say("normal firmware: TFTP RRQ \(file) to \(server)")
            pause(1)
            let sip = try UDPSocket(port: 5060)
            try sip.send(register(server: server, version: version), to: server, port: 5060)
            console.say("normal firmware: SIP REGISTER to \(server):5060")
        } catch {
            console.say("normal firmware: \(error)")
        }
    }

    private func register(server: IPv4Address, version: String) -> [UInt8] {
        let macText = mac.octets.map { hex($0) }.joined().uppercased()
        let tag = macText.lowercased()
        let lines = [
            "REGISTER sip:\(server) SIP/2.0",
            "Via: SIP/2.0/UDP \(config.address):5060;branch=z9hG4bK-\(tag)-1",
            "From: <sip:1001@\(server)>;tag=\(tag)",
            "To: <sip:1001@\(server)>",
            "Call-ID: \(tag)-1@\(config.address)",
            "CSeq: 1 REGISTER",
            "Max-Forwards: 70",
            "Contact: <sip:1001@\(config.address):5060>",
            "Expires: 3600",
            "User-Agent: Cisco/\(config.product)-\(version) (\(macText))(\(config.serial))",
            "Content-Length: 0",
        ]
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    private func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }
}
