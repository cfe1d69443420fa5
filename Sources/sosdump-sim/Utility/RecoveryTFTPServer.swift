import SOSDump

/// The TFTP server a recovery utility needs (RFC 1350, no options): it
/// receives the phone's read request and ACKs on 234.4.8.10:69 as well as
/// on its own address, and sends DATA from its unicast address and a new
/// port per transfer, as any TFTP server does. It serves one image under
/// one name; any other name gets ERROR 1.
///
/// Failure injection is explicit configuration: answer with an ERROR, hang
/// after a given block, or pace the blocks.
final class RecoveryTFTPServer {
    struct Configuration {
        var image: [UInt8]
        /// The name the upgrade order gives; requests for it get `image`.
        var fileName: String
        /// The server's unicast address (DATA come from it).
        var address: IPv4Address
        var retransmitTimeout: Double = 1
        var retransmissions = 5
        /// Seconds between a block's ACK and the next DATA.
        var blockDelay: Double = 0
        /// Answer every request with this ERROR instead of the file.
        var error: (code: UInt16, message: String)?
        /// After sending this block, send nothing more (a server that hangs).
        var stallAfterBlock: Int?
    }

    enum Outcome: String {
        case complete
        case error = "ended by our ERROR"
        case timedOut = "the client stopped acknowledging"
        case stalled = "we stopped sending (hung server)"
    }

    final class Transfer {
        let client: TransportEndpoint
        let clientAddress: IPv4Address
        let socket: UDPSocket
        /// The block last sent, from 1, not wrapped.
        var block = 0
        var sentAt = 0.0
        var nextSendAt: Double?
        var retransmitted = 0
        var lastProgress = now()
        var outcome: Outcome?
        var hung = false

        init(client: IPv4Address, port: UInt16, socket: UDPSocket) {
            self.client = TransportEndpoint(.v4(client), port)
            clientAddress = client
            self.socket = socket
        }
    }

    let config: Configuration
    let listener: UDPSocket
    let console = Console(speaker: "utility")
    private(set) var transfers: [Transfer] = []

    /// Opens port 69 on every address and joins 234.4.8.10.
    init(_ config: Configuration) throws {
        self.config = config
        listener = try UDPSocket(port: TFTPPacket.port)
        try listener.join(SOSRecovery.group, interfaceAddress: config.address)
    }

    var blockCount: Int { config.image.count / 512 + 1 }

    /// Every socket to wait on.
    var descriptors: [Int32] { [listener.fd] + transfers.filter { $0.outcome == nil }.map(\.socket.fd) }

    /// Reads what `fd` has.
    func handle(_ fd: Int32) {
        if fd == listener.fd {
            while let d = listener.receive() { datagram(d, transfer: nil) }
        } else if let t = transfers.first(where: { $0.socket.fd == fd }) {
            while let d = t.socket.receive() { datagram(d, transfer: t) }
        }
    }

    private func datagram(_ d: Datagram, transfer: Transfer?) {
        let packet: TFTPPacket? = d.bytes.withUnsafeBytes { raw in
            guard let p = try? TFTPPacket.decode(ByteView(raw)) else { return nil }
            if case .data = p { return nil }  // borrows the buffer; a server receives none
            return p
        }
        guard let packet else { return }
        let client = TransportEndpoint(.v4(d.source), d.sourcePort)
        switch packet {
        case .readRequest(let request):
            readRequest(request, from: d)
        case .ack(let number):
            guard let t = transfer ?? transfers.last(where: { $0.client == client && $0.outcome == nil }) else { return }
            ack(number, on: t)
        case .error(let code, let message):
            if let t = transfer ?? transfers.last(where: { $0.client == client && $0.outcome == nil }) {
                console.say("TFTP: the client sent ERROR \(code.rawValue) \(message)")
                t.outcome = .error
            }
        default:
            break
        }
    }

    private func readRequest(_ request: TFTPRequest, from d: Datagram) {
        let client = TransportEndpoint(.v4(d.source), d.sourcePort)
        if let open = transfers.last(where: { $0.client == client && $0.outcome == nil }) {
            if open.block <= 1 { return }  // the same request again: DATA 1 is on its way
            open.outcome = .timedOut       // the client started over
        }
        let socket: UDPSocket
        do {
            socket = try UDPSocket(address: config.address, port: 0)
        } catch {
            console.say("TFTP: \(error)")
            return
        }
        let t = Transfer(client: d.source, port: d.sourcePort, socket: socket)
        transfers.append(t)
        console.say("TFTP: RRQ \(request.fileName) (\(request.mode)) from \(client) to \(d.destination.map { "\($0)" } ?? "?"):69; answering from port \(socket.localPort)")
        if let error = config.error {
            send(Frames.tftpError(code: error.code, message: error.message), on: t)
            console.say("TFTP: sent ERROR \(error.code) \(error.message)")
            t.outcome = .error
            return
        }
        guard request.fileName == config.fileName else {
            send(Frames.tftpError(code: 1, message: "File not found"), on: t)
            console.say("TFTP: \(request.fileName) is not \(config.fileName): ERROR 1")
            t.outcome = .error
            return
        }
        sendBlock(1, on: t)
    }

    private func ack(_ number: UInt16, on t: Transfer) {
        guard t.outcome == nil, number == UInt16(truncatingIfNeeded: t.block) else { return }
        t.lastProgress = now()
        if t.block == blockCount {
            t.outcome = .complete
            console.say("TFTP: \(config.image.count) bytes sent to \(t.client) in \(blockCount) blocks")
            return
        }
        if let stall = config.stallAfterBlock, t.block >= stall {
            if !t.hung { console.say("TFTP: hanging after block \(t.block) (injected)") }
            t.hung = true
            return
        }
        if config.blockDelay > 0 {
            t.nextSendAt = now() + config.blockDelay
        } else {
            sendBlock(t.block + 1, on: t)
        }
    }

    private func sendBlock(_ block: Int, on t: Transfer) {
        let start = (block - 1) * 512
        let data = config.image[min(start, config.image.count)..<min(start + 512, config.image.count)]
        t.block = block
        t.retransmitted = 0
        t.nextSendAt = nil
        send(Frames.tftpData(block: UInt16(truncatingIfNeeded: block), data), on: t)
    }

    private func send(_ bytes: [UInt8], on t: Transfer) {
        t.sentAt = now()
        do { try t.socket.send(bytes, to: t.clientAddress, port: t.client.port) } catch { console.say("TFTP: \(error)") }
    }

    /// Paced blocks and retransmissions; call often.
    func tick() {
        for t in transfers where t.outcome == nil && !t.hung {
            if let at = t.nextSendAt {
                if now() >= at { sendBlock(t.block + 1, on: t) }
                continue
            }
            guard t.block > 0, now() - t.sentAt >= config.retransmitTimeout else { continue }
            if t.retransmitted >= config.retransmissions {
                t.outcome = .timedOut
                console.say("TFTP: no ACK for block \(t.block) from \(t.client): giving up")
                continue
            }
            t.retransmitted += 1
            let start = (t.block - 1) * 512
            let data = config.image[min(start, config.image.count)..<min(start + 512, config.image.count)]
            send(Frames.tftpData(block: UInt16(truncatingIfNeeded: t.block), data), on: t)
        }
    }

    /// Ends hung transfers that made no progress for `seconds`.
    func endHung(after seconds: Double) {
        for t in transfers where t.outcome == nil && t.hung && now() - t.lastProgress >= seconds {
            t.outcome = .stalled
            console.say("TFTP: transfer to \(t.client) stalled at block \(t.block) of \(blockCount)")
        }
    }

    /// The earliest time `tick` has work, for the wait.
    var nextDeadline: Double? {
        transfers.filter { $0.outcome == nil && !$0.hung && $0.block > 0 }
            .map { $0.nextSendAt ?? ($0.sentAt + config.retransmitTimeout) }.min()
    }
}
