/// The TFTP server a recovery utility needs (RFC 1350, no options;
/// docs/sos-protocol.md §B for what the phone expects of it), as a
/// state machine without I/O: datagrams and the clock in, datagrams to send
/// out. It takes the phone's read request and ACKs on 234.4.8.10:69 as well
/// as on the PC's own address, and answers each transfer from a socket of
/// its own (a new port, as any TFTP server does): the driver opens that
/// socket when asked (`RecoveryUtility.Action.openTransferSocket`) and
/// says which port it got. It serves one image under one name; any other
/// name gets ERROR 1.
///
/// Failure injection (for the simulator) is configuration: answer with an
/// ERROR, hang after a given block, or pace the blocks.
public struct RecoveryTFTPServer: Sendable {
    public struct Configuration: Sendable {
        public var image: [UInt8]
        /// The name the upgrade order gives; requests for it get `image`.
        public var fileName: String
        public var retransmitTimeout: Double = 1
        public var retransmissions = 5
        /// Seconds between a block's ACK and the next DATA.
        public var blockDelay: Double = 0
        /// Answer every request with this ERROR instead of the file.
        public var error: (code: UInt16, message: String)?
        /// After sending this block, send nothing more (a server that hangs).
        public var stallAfterBlock: Int?

        public init(image: [UInt8], fileName: String) {
            self.image = image
            self.fileName = fileName
        }
    }

    /// How a transfer ended.
    public enum Outcome: String, Sendable {
        case complete
        case error = "ended by our ERROR"
        case clientError = "ended by the client's ERROR"
        case timedOut = "the client stopped acknowledging"
        case stalled = "we stopped sending (hung server)"
        case cannotOpen = "no socket for the transfer"
    }

    /// One transfer: a client (address and port) and the socket that answers it.
    public struct Transfer: Sendable {
        /// Its number, from 1: the socket's name for the driver.
        public let id: Int
        public let client: IPv4Address
        public let clientPort: UInt16
        /// The port the driver's socket got; nil until it is open.
        public internal(set) var serverPort: UInt16?
        /// The block last sent, from 1, not wrapped.
        public internal(set) var block = 0
        public internal(set) var outcome: Outcome?
        var sentAt = 0.0
        var nextSendAt: Double?
        var retransmitted = 0
        var lastProgress: Double
        var hung = false
        /// The request's error to send once the socket is open, instead of DATA 1.
        var pendingError: (code: UInt16, message: String)?
    }

    /// More transfers than this are not kept: the oldest ended one goes.
    public static let maximumTransfers = 64

    public let config: Configuration
    public private(set) var transfers: [Transfer] = []
    private var nextID = 1

    public init(_ config: Configuration) { self.config = config }

    public var blockCount: Int { config.image.count / 512 + 1 }

    /// A datagram that came to port 69 (`transfer` nil) or to a transfer's socket.
    mutating func receive(_ bytes: [UInt8], from source: IPv4Address, port: UInt16, destination: IPv4Address?,
                          transfer: Int?, now: Double, into actions: inout [RecoveryUtility.Action]) {
        let packet: TFTPPacket? = bytes.withUnsafeBytes { raw in
            guard let p = try? TFTPPacket.decode(ByteView(raw)) else { return nil }
            if case .data = p { return nil }  // borrows the buffer; a server receives none
            return p
        }
        guard let packet else { return }
        switch packet {
        case .readRequest(let request):
            readRequest(request, from: source, port: port, destination: destination, now: now, into: &actions)
        case .ack(let number):
            guard let i = index(transfer, source, port) else { return }
            ack(number, at: i, now: now, into: &actions)
        case .error(let code, let message):
            guard let i = index(transfer, source, port) else { return }
            actions.append(.note(.tftpClientError(code: code.rawValue, message: message)))
            end(i, .clientError, into: &actions)
        default:
            break
        }
    }

    /// The driver opened transfer `id`'s socket on `port` (nil: it could not).
    mutating func opened(_ id: Int, port: UInt16?, now: Double, into actions: inout [RecoveryUtility.Action]) {
        guard let i = transfers.firstIndex(where: { $0.id == id }), transfers[i].outcome == nil else { return }
        guard let port else { return end(i, .cannotOpen, into: &actions) }
        transfers[i].serverPort = port
        let t = transfers[i]
        actions.append(.note(.tftpAnswering(client: t.client, clientPort: t.clientPort, serverPort: port)))
        if let error = t.pendingError {
            send(TFTPPacket.encodeError(code: error.code, message: error.message), at: i, now: now, into: &actions)
            end(i, .error, into: &actions)
        } else {
            sendBlock(1, at: i, now: now, into: &actions)
        }
    }

    private func index(_ transfer: Int?, _ source: IPv4Address, _ port: UInt16) -> Int? {
        if let transfer { return transfers.firstIndex { $0.id == transfer && $0.outcome == nil } }
        return transfers.lastIndex { $0.client == source && $0.clientPort == port && $0.outcome == nil }
    }

    private mutating func readRequest(_ request: TFTPRequest, from source: IPv4Address, port: UInt16, destination: IPv4Address?,
                                      now: Double, into actions: inout [RecoveryUtility.Action]) {
        if let open = index(nil, source, port) {
            if transfers[open].block <= 1 { return }  // the same request again: DATA 1 is on its way
            end(open, .timedOut, into: &actions)       // the client started over
        }
        let id = nextID
        nextID += 1
        var t = Transfer(id: id, client: source, clientPort: port, lastProgress: now)
        actions.append(.note(.tftpRequest(file: request.fileName, mode: request.mode, client: source, clientPort: port,
                                          destination: destination)))
        if let error = config.error {
            t.pendingError = error
            actions.append(.note(.tftpErrorSent(code: error.code, message: error.message)))
        } else if request.fileName != config.fileName {
            t.pendingError = (1, "File not found")
            actions.append(.note(.tftpWrongFile(requested: request.fileName, served: config.fileName)))
        }
        if transfers.count >= Self.maximumTransfers, let old = transfers.firstIndex(where: { $0.outcome != nil }) {
            transfers.remove(at: old)
        }
        transfers.append(t)
        actions.append(.openTransferSocket(id))
    }

    private mutating func ack(_ number: UInt16, at i: Int, now: Double, into actions: inout [RecoveryUtility.Action]) {
        guard number == UInt16(truncatingIfNeeded: transfers[i].block) else { return }
        transfers[i].lastProgress = now
        if transfers[i].block == blockCount {
            actions.append(.note(.tftpComplete(bytes: config.image.count, blocks: blockCount, client: transfers[i].client,
                                               clientPort: transfers[i].clientPort)))
            return end(i, .complete, into: &actions)
        }
        if let stall = config.stallAfterBlock, transfers[i].block >= stall {
            if !transfers[i].hung { actions.append(.note(.tftpHanging(block: transfers[i].block))) }
            transfers[i].hung = true
            return
        }
        if config.blockDelay > 0 {
            transfers[i].nextSendAt = now + config.blockDelay
        } else {
            sendBlock(transfers[i].block + 1, at: i, now: now, into: &actions)
        }
    }

    private func blockBytes(_ block: Int) -> [UInt8] {
        let start = (block - 1) * 512
        let data = config.image[min(start, config.image.count)..<min(start + 512, config.image.count)]
        return TFTPPacket.encodeData(block: UInt16(truncatingIfNeeded: block), data)
    }

    private mutating func sendBlock(_ block: Int, at i: Int, now: Double, into actions: inout [RecoveryUtility.Action]) {
        transfers[i].block = block
        transfers[i].retransmitted = 0
        transfers[i].nextSendAt = nil
        send(blockBytes(block), at: i, now: now, into: &actions)
    }

    private mutating func send(_ bytes: [UInt8], at i: Int, now: Double, into actions: inout [RecoveryUtility.Action]) {
        transfers[i].sentAt = now
        let t = transfers[i]
        actions.append(.send(bytes, to: t.client, port: t.clientPort, from: .transfer(t.id)))
    }

    private mutating func end(_ i: Int, _ outcome: Outcome, into actions: inout [RecoveryUtility.Action]) {
        transfers[i].outcome = outcome
        actions.append(.closeTransferSocket(transfers[i].id))
    }

    /// Paced blocks, retransmissions, and hung transfers given up after
    /// `stallGiveUp` seconds without progress.
    mutating func tick(now: Double, stallGiveUp: Double, into actions: inout [RecoveryUtility.Action]) {
        for i in transfers.indices where transfers[i].outcome == nil && transfers[i].serverPort != nil {
            let t = transfers[i]
            if t.hung {
                if now - t.lastProgress >= stallGiveUp {
                    actions.append(.note(.tftpStalled(block: t.block, of: blockCount, client: t.client, clientPort: t.clientPort)))
                    end(i, .stalled, into: &actions)
                }
                continue
            }
            if let at = t.nextSendAt {
                if now >= at { sendBlock(t.block + 1, at: i, now: now, into: &actions) }
                continue
            }
            guard t.block > 0, now - t.sentAt >= config.retransmitTimeout else { continue }
            if t.retransmitted >= config.retransmissions {
                actions.append(.note(.tftpNoAck(block: t.block, client: t.client, clientPort: t.clientPort)))
                end(i, .timedOut, into: &actions)
                continue
            }
            transfers[i].retransmitted += 1
            send(blockBytes(t.block), at: i, now: now, into: &actions)
        }
    }

    /// The earliest time `tick` has work.
    var nextDeadline: Double? {
        transfers.lazy.filter { $0.outcome == nil && $0.serverPort != nil && $0.block > 0 }
            .map { $0.hung ? $0.lastProgress + 1 : ($0.nextSendAt ?? ($0.sentAt + config.retransmitTimeout)) }.min()
    }

    /// Transfers still going.
    public var openCount: Int { transfers.lazy.filter { $0.outcome == nil }.count }
}
