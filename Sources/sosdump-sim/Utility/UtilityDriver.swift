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
    private let sockets: UtilitySockets
    private var status: RecoveryUtility.Status?

    init(_ config: RecoveryUtility.Configuration, sockets options: Sockets) throws {
        machine = RecoveryUtility(config)
        // Replies come to 234.4.8.10:4811: a socket on every address, in the group.
        let control = try UDPSocket(port: SOSRecovery.utilityPort)
        if !options.deaf { try control.join(SOSRecovery.group, interfaceAddress: options.address) }
        // Requests leave from the PC's own address (so that 255.255.255.255
        // goes out of its interface even without a default route).
        let sender = try UDPSocket(address: options.address, port: options.sourcePort)
        try sender.setMulticastInterface(options.address)
        try sender.allowBroadcast()
        var tftp: UDPSocket?
        if config.tftp != nil {
            // Port 69 on every address, joined to 234.4.8.10.
            tftp = try UDPSocket(port: TFTPPacket.port)
            try tftp?.join(SOSRecovery.group, interfaceAddress: options.address)
        }
        sockets = UtilitySockets(control: [sender, control], tftp: tftp, transferAddress: options.address)
    }

    func run() -> RecoveryUtility.Status {
        perform(machine.start(now: now()))
        while status == nil {
            let ready = readable(sockets.descriptors, until: machine.nextDeadline ?? now() + 1)
            perform(sockets.receive(ready, into: &machine))
            perform(machine.tick(now: now()))
        }
        return status ?? .noDevice
    }

    private func perform(_ actions: [RecoveryUtility.Action]) {
        let (rest, failures) = sockets.perform(actions, on: &machine)
        for failure in failures { console.say("socket: \(failure)") }
        for action in rest {
            switch action {
            case .note(let note): console.say(UtilityWording.line(note))
            case .finished(let s): status = s
            default: break
            }
        }
    }
}
