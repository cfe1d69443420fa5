import SOSDump
import SOSDumpLive

/// `sosdump-sim utility`: the library's `RecoveryUtility` (the same state
/// machine `sosdump recover` drives) over real sockets, with the
/// simulator's socket-level failures: a source port other than 4811, and
/// `deaf` (the group is never joined, so the replies never arrive).
final class UtilityDriver {
    struct Sockets {
        /// The PC's address on the phone's link.
        var address: IPv4Address
        /// Not 4811: the phone drops the requests.
        var sourcePort = SOSRecovery.utilityPort
        /// Do not receive multicast (a firewall, the wrong interface).
        var deaf = false
    }

    let console = Console(speaker: "utility")
    private var machine: RecoveryUtility
    /// Replies come to 234.4.8.10:4811: a socket on every address, in the group.
    private let control: UDPSocket
    /// Requests leave from the PC's own address (so that 255.255.255.255
    /// goes out of its interface even without a default route).
    private let sender: UDPSocket
    /// Port 69 on every address, joined to 234.4.8.10; nil without a server.
    private let tftp: UDPSocket?
    private var transfers: [Int: UDPSocket] = [:]
    private let address: IPv4Address
    private var status: RecoveryUtility.Status?

    init(_ config: RecoveryUtility.Configuration, sockets: Sockets) throws {
        machine = RecoveryUtility(config)
        address = sockets.address
        control = try UDPSocket(port: SOSRecovery.utilityPort)
        if !sockets.deaf { try control.join(SOSRecovery.group, interfaceAddress: sockets.address) }
        sender = try UDPSocket(address: sockets.address, port: sockets.sourcePort)
        try sender.setMulticastInterface(sockets.address)
        try sender.allowBroadcast()
        if config.tftp != nil {
            let listener = try UDPSocket(port: TFTPPacket.port)
            try listener.join(SOSRecovery.group, interfaceAddress: sockets.address)
            tftp = listener
        } else {
            tftp = nil
        }
    }

    func run() -> RecoveryUtility.Status {
        perform(machine.start(now: now()))
        while status == nil {
            var sockets: [(Int32, RecoveryUtility.Socket, UDPSocket)] = [(control.fd, .control, control), (sender.fd, .control, sender)]
            if let tftp { sockets.append((tftp.fd, .tftp, tftp)) }
            for (id, socket) in transfers { sockets.append((socket.fd, .transfer(id), socket)) }
            let until = machine.nextDeadline ?? now() + 1
            let ready = readable(sockets.map(\.0), until: until)
            for (fd, name, socket) in sockets where ready.contains(fd) {
                while let d = socket.receive() {
                    perform(machine.receive(d.bytes, from: d.source, port: d.sourcePort, destination: d.destination, on: name, now: now()))
                }
            }
            perform(machine.tick(now: now()))
        }
        return status ?? .noDevice
    }

    private func perform(_ actions: [RecoveryUtility.Action]) {
        for action in actions {
            switch action {
            case .send(let bytes, let to, let port, let from):
                let socket: UDPSocket? = switch from {
                case .control: sender
                case .tftp: tftp
                case .transfer(let id): transfers[id]
                }
                do { try socket?.send(bytes, to: to, port: port) } catch { console.say("send: \(error)") }
            case .openTransferSocket(let id):
                var port: UInt16?
                do {
                    let socket = try UDPSocket(address: address, port: 0)
                    transfers[id] = socket
                    port = socket.localPort
                } catch {
                    console.say("TFTP: \(error)")
                }
                perform(machine.transferOpened(id, port: port, now: now()))
            case .closeTransferSocket(let id):
                transfers[id] = nil
            case .note(let note):
                console.say(UtilityWording.line(note))
            case .finished(let s):
                status = s
            }
        }
    }
}
