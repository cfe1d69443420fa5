import SOSDump

/// The PC's side of an S.O.S. recovery, as the vendor's
/// `spa50x-30x-*-recovery.exe` must do it (its behaviour was never
/// observed; this follows what the phone accepts, docs/sos-protocol.md §A):
///
/// 1. requests (opcode 0, 160 bytes) from port 4811 to the phone's address
///    or to 234.4.8.10:4810, once a second, until a phone replies on
///    234.4.8.10:4811 ("cannot find the specified device" if none does);
/// 2. the upgrade order (opcode 2) naming the image's file;
/// 3. its TFTP server (``RecoveryTFTPServer``) serves the image to every
///    phone that asks;
/// 4. optionally it keeps asking for a while afterwards, to see whether a
///    phone comes back in recovery.
///
/// Every way it can go wrong on purpose is a field of ``Configuration``;
/// nothing else differs between a good run and an injected failure.
final class RecoveryUtility {
    struct Configuration {
        /// The PC's address on the phone's link.
        var address: IPv4Address
        /// Where requests and the upgrade go: 234.4.8.10, the phone's
        /// address, or (to be dropped) a broadcast address.
        var targets: [IPv4Address] = [SOSRecovery.group]
        var serial = SOSRecovery.wildcardSerial
        var requestInterval: Double = 1
        var requests = 10
        /// Not 160: the phone drops the requests.
        var requestLength = SOSLayout.orderLength
        var requestOpcode: UInt8 = 0
        /// Not 4811: the phone drops the requests.
        var sourcePort = SOSRecovery.utilityPort
        /// Do not receive multicast (a firewall, the wrong interface): the
        /// replies never arrive.
        var deaf = false
        var fileName: String
        var upgradePort: UInt16 = 69
        var upgradeFormat = UpgradeFormat.recm
        /// nil: nothing listens on port 69.
        var tftp: RecoveryTFTPServer.Configuration?
        /// Seconds to wait for a TFTP request after the upgrade order.
        var rrqWait: Double = 15
        /// Seconds without progress after which a hung transfer counts as failed.
        var stallGiveUp: Double = 12
        /// After the transfers: keep sending requests this long.
        var watchSeconds: Double = 0
        var watchInterval: Double = 2
    }

    enum UpgradeFormat: String, CaseIterable {
        /// The 160-byte opcode 2 message.
        case recm
        /// The file name as text, for an older loader variant.
        case text
    }

    /// Exit statuses.
    enum Status: Int32 {
        case recovered = 0
        case noDevice = 2
        case noTFTPRequest = 3
        case transferFailed = 4
    }

    let config: Configuration
    let console = Console(speaker: "utility")
    private let control: UDPSocket
    private let sender: UDPSocket
    private let server: RecoveryTFTPServer?
    /// Phones that replied, by MAC, in order.
    private(set) var phones: [MACAddress] = []
    private var requestsSent = 0

    init(_ config: Configuration) throws {
        self.config = config
        // Replies come to 234.4.8.10:4811: a socket on every address, in the group.
        control = try UDPSocket(port: SOSRecovery.utilityPort)
        if !config.deaf { try control.join(SOSRecovery.group, interfaceAddress: config.address) }
        // Requests leave from the PC's own address (so that 255.255.255.255
        // goes out of its interface even without a default route).
        sender = try UDPSocket(address: config.address, port: config.sourcePort)
        try sender.setMulticastInterface(config.address)
        try sender.allowBroadcast()
        server = try config.tftp.map { try RecoveryTFTPServer($0) }
    }

    func run() -> Status {
        let to = config.targets.map { "\($0)" }.joined(separator: " and ")
        console.say("looking for phones: requests to \(to):4810 from port \(config.sourcePort), serial \(config.serial), \(config.requestLength) bytes"
                    + (config.deaf ? " (multicast not received)" : "") + (server == nil ? " (no TFTP server)" : ""))
        for _ in 0..<config.requests {
            sendRequest()
            wait(until: now() + config.requestInterval)
            if !phones.isEmpty { break }
        }
        guard !phones.isEmpty else {
            console.say("Recovery failed: cannot find the specified device")
            return .noDevice
        }
        sendUpgrade()

        let firstDeadline = now() + config.rrqWait
        while true {
            wait(until: now() + 0.1)
            guard let server else {
                if now() >= firstDeadline { break }
                continue
            }
            server.endHung(after: config.stallGiveUp)
            let ended = server.transfers.filter { $0.outcome != nil }
            let open = server.transfers.filter { $0.outcome == nil }
            if server.transfers.isEmpty, now() >= firstDeadline { break }
            // Every phone that replied has had its transfer (a phone aborts at an ERROR, it does not ask again).
            if open.isEmpty, ended.count >= phones.count { break }
            if open.isEmpty, !ended.isEmpty, now() >= firstDeadline { break }
        }
        let transfers = server?.transfers ?? []
        guard !transfers.isEmpty else {
            console.say("Recovery failed: no TFTP request came" + (server == nil ? " (nothing listened on port 69)" : ""))
            return .noTFTPRequest
        }
        let failed = transfers.filter { $0.outcome != .complete }
        for t in failed { console.say("transfer to \(t.client) failed: \(t.outcome?.rawValue ?? "open")") }
        if config.watchSeconds > 0 { watch() }
        guard failed.isEmpty else { return .transferFailed }
        console.say("upgrade sent to \(phones.count) phone(s); the phone writes its flash and restarts")
        return .recovered
    }

    private func sendRequest() {
        requestsSent += 1
        let request = SOSRecovery.encodeRequest(serial: config.serial, opcode: config.requestOpcode, length: config.requestLength)
        for target in config.targets {
            do { try sender.send(request, to: target, port: SOSRecovery.phonePort) } catch { console.say("request: \(error)") }
        }
    }

    private func sendUpgrade() {
        let order: [UInt8] = switch config.upgradeFormat {
        case .recm: SOSRecovery.encodeUpgrade(serial: config.serial, port: config.upgradePort, fileName: config.fileName)
        case .text: Array("RECOVERY UPGRADE \(config.fileName)".utf8) + [0]
        }
        for target in config.targets {
            do { try sender.send(order, to: target, port: SOSRecovery.phonePort) } catch { console.say("upgrade: \(error)") }
        }
        console.say("upgrade order (\(config.upgradeFormat.rawValue)): \(config.fileName), port field \(config.upgradePort)")
    }

    /// Keeps asking, to see whether a phone is back in recovery.
    private func watch() {
        console.say("asking again every \(config.watchInterval) s for \(config.watchSeconds) s")
        let end = now() + config.watchSeconds
        while now() < end {
            sendRequest()
            wait(until: min(end, now() + config.watchInterval))
        }
    }

    /// Handles replies, echoes and TFTP until `deadline`.
    private func wait(until deadline: Double) {
        while now() < deadline {
            let fds = [control.fd, sender.fd] + (server?.descriptors ?? [])
            let until = min(deadline, server?.nextDeadline ?? deadline)
            for fd in readable(fds, until: until) {
                if fd == control.fd || fd == sender.fd {
                    let socket = fd == control.fd ? control : sender
                    while let d = socket.receive() { message(d) }
                } else {
                    server?.handle(fd)
                }
            }
            server?.tick()
        }
    }

    private func message(_ d: Datagram) {
        let decoded: SOSMessage? = d.bytes.withUnsafeBytes { try? SOSMessage.decode(ByteView($0)) }
        guard let m = decoded else { return }
        switch m.kind {
        case .reply:
            guard let mac = m.mac else { return }
            let first = !phones.contains(mac)
            if first { phones.append(mac) }
            console.say("reply from \(d.source): \(m.product?.description ?? "?") MAC \(mac) serial \(m.serial?.description ?? "?")"
                        + " software \(m.softwareVersion?.description ?? "?") hardware \(m.hardwareVersion?.description ?? "?")"
                        + " IP \(m.phoneAddress.map { "\($0)" } ?? "?")" + (first ? "" : " (again)"))
        case .upgradeEcho:
            console.say("upgrade echo from \(d.source): \(m.fileName?.description ?? "?") port \(m.upgradePort ?? 0)")
        default:
            break
        }
    }
}
