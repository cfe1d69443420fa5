import SOSDump

/// The sockets a `RecoveryUtility` asks for, and what it asks of them:
/// sending, a socket per transfer opened and closed, and the datagrams they
/// receive fed back to it. `sosdump recover` and `sosdump-sim utility`
/// share it; what else the utility says (its notes, its end) is the
/// caller's.
public final class UtilitySockets {
    /// Port 4811: requests and the upgrade order leave from the first;
    /// replies and echoes are read from every one.
    public let control: [UDPSocket]
    /// Port 69, joined to 234.4.8.10; nil without a TFTP server.
    public let tftp: UDPSocket?
    /// Where transfer sockets are bound (the PC's address), and the interface they are tied to.
    let transferAddress: IPv4Address
    let device: String?
    private var transfers: [Int: UDPSocket] = [:]

    public init(control: [UDPSocket], tftp: UDPSocket?, transferAddress: IPv4Address, device: String? = nil) {
        precondition(!control.isEmpty, "the utility needs a control socket")
        self.control = control
        self.tftp = tftp
        self.transferAddress = transferAddress
        self.device = device
    }

    /// Every socket to wait on.
    public var descriptors: [Int32] {
        control.map(\.fd) + (tftp.map { [$0.fd] } ?? []) + transfers.values.map(\.fd)
    }

    /// Feeds `utility` what the sockets in `ready` (readable descriptors) hold.
    public func receive(_ ready: [Int32], into utility: inout RecoveryUtility) -> [RecoveryUtility.Action] {
        var named: [(UDPSocket, RecoveryUtility.Socket)] = control.map { ($0, .control) }
        if let tftp { named.append((tftp, .tftp)) }
        for (id, socket) in transfers { named.append((socket, .transfer(id))) }
        var actions: [RecoveryUtility.Action] = []
        for (socket, name) in named where ready.contains(socket.fd) {
            while let d = socket.receive() {
                actions += utility.receive(d.bytes, from: d.source, port: d.sourcePort, destination: d.destination, on: name, now: now())
            }
        }
        return actions
    }

    /// Does what `actions` ask of the sockets (in order, with what opening
    /// a transfer's socket makes the utility do next) and returns the
    /// others — notes and the end — with the sends that failed.
    public func perform(_ actions: [RecoveryUtility.Action], on utility: inout RecoveryUtility)
        -> (rest: [RecoveryUtility.Action], failures: [SystemError]) {
        var queue = actions[...]
        var rest: [RecoveryUtility.Action] = []
        var failures: [SystemError] = []
        while let action = queue.popFirst() {
            switch action {
            case .send(let bytes, let to, let port, let from):
                let socket: UDPSocket? = switch from {
                case .control: control[0]
                case .tftp: tftp
                case .transfer(let id): transfers[id]
                }
                do { try socket?.send(bytes, to: to, port: port) } catch let e as SystemError { failures.append(e) } catch {}
            case .openTransferSocket(let id):
                var port: UInt16?
                do {
                    let socket = try UDPSocket(address: transferAddress, port: 0, device: device)
                    transfers[id] = socket
                    port = socket.localPort
                } catch let e as SystemError {
                    failures.append(e)
                } catch {}
                queue = utility.transferOpened(id, port: port, now: now())[...] + queue
            case .closeTransferSocket(let id):
                transfers[id] = nil
            case .note, .finished:
                rest.append(action)
            }
        }
        return (rest, failures)
    }
}
