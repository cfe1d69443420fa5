/// The PC's side of an S.O.S. recovery — what the vendor's
/// `spa50x-30x-*-recovery.exe` does, as the phone accepts it
/// (docs/sos-protocol.md §A and §B) — as a state
/// machine without I/O (swift-nio's style): datagrams, the clock and the
/// user's answer go in; datagrams to send, sockets to open and close, and
/// typed notes come out. `sosdump recover` and `sosdump-sim utility` both
/// drive it over their own sockets, so the simulator's corpus and the real
/// command cannot drift apart.
///
/// 1. Requests (opcode 0, 160 bytes) from port 4811 to each target
///    (234.4.8.10 by default) every `requestInterval` seconds, until a phone
///    replies on 234.4.8.10:4811 ("cannot find the specified device" after
///    `requests` of them).
/// 2. With `confirmsUpgrade`, the phone found is shown and nothing more is
///    sent until `confirm(_:now:)`; then the upgrade order (opcode 2) naming
///    the image's file, sent again (up to `upgradeRetries` times) while no
///    echo comes (the phone was trying its URLs and not listening).
/// 3. The TFTP server (`RecoveryTFTPServer`) serves the image to every
///    phone that asks; the run ends when every phone that replied has had
///    its transfer, or `rrqWait` passes with none.
/// 4. With `watchSeconds`, requests every `watchInterval` afterwards, to
///    see whether a phone comes back in recovery.
///
/// Every way it can go wrong on purpose (the simulator's failures) is a
/// field of ``Configuration``; nothing else differs between a good run and
/// an injected failure.
public struct RecoveryUtility: Sendable {
    public struct Configuration: Sendable {
        /// Where requests and the upgrade go: 234.4.8.10, the phone's
        /// address, or (to be dropped) a broadcast address.
        public var targets: [IPv4Address] = [SOSRecovery.group]
        public var serial = SOSRecovery.wildcardSerial
        public var requestInterval: Double = 1
        /// Requests sent before giving up.
        public var requests = 10
        /// Not 160: the phone drops the requests.
        public var requestLength = SOSLayout.orderLength
        public var requestOpcode: UInt8 = 0
        public var fileName: String
        public var upgradePort: UInt16 = 69
        public var upgradeFormat = UpgradeFormat.recm
        /// Wait for `confirm(_:now:)` between the first reply and the upgrade order.
        public var confirmsUpgrade = false
        /// Times the upgrade order is sent again while no echo comes, `upgradeRetryInterval` apart.
        public var upgradeRetries = 0
        public var upgradeRetryInterval: Double = 2
        /// nil: nothing listens on port 69.
        public var tftp: RecoveryTFTPServer.Configuration?
        /// Seconds to wait for a TFTP request after the upgrade order.
        public var rrqWait: Double = 15
        /// Seconds without progress after which a hung transfer counts as failed.
        public var stallGiveUp: Double = 12
        /// After the transfers: keep sending requests this long.
        public var watchSeconds: Double = 0
        public var watchInterval: Double = 2

        public init(fileName: String) { self.fileName = fileName }
    }

    public enum UpgradeFormat: String, CaseIterable, Sendable {
        /// The 160-byte opcode 2 message.
        case recm
        /// The file name as text, for an older loader variant.
        case text
    }

    /// How the run ended (the simulator's exit statuses).
    public enum Status: Int32, Sendable {
        case recovered = 0
        case noDevice = 2
        case noTFTPRequest = 3
        case transferFailed = 4
        /// The user said no to the upgrade order.
        case declined = 5
    }

    /// The driver's sockets: port 4811 (requests out, replies and echoes
    /// in), port 69 (joined to 234.4.8.10: read requests and ACKs), and one
    /// per transfer (DATA out, from a new port).
    public enum Socket: Hashable, Sendable {
        case control
        case tftp
        case transfer(Int)
    }

    public enum Action: Sendable {
        case send([UInt8], to: IPv4Address, port: UInt16, from: Socket)
        /// Open a UDP socket on the PC's address and a port the kernel
        /// chooses; then call `transferOpened(_:port:now:)`.
        case openTransferSocket(Int)
        case closeTransferSocket(Int)
        case note(RecoveryNote)
        case finished(Status)
    }

    /// A phone that replied, as its reply says.
    public struct Phone: Sendable, Equatable {
        public var mac: MACAddress
        public var serial: String?
        public var product: String?
        public var softwareVersion: String?
        public var hardwareVersion: String?
        /// The phone's address, from the reply's field.
        public var address: IPv4Address?
        /// The reply's IP source.
        public var replyFrom: IPv4Address
    }

    enum Phase: Sendable {
        case idle
        case searching(sent: Int, nextAt: Double)
        case confirming
        case ordered(at: Double, rrqDeadline: Double, resent: Int, echoed: Bool)
        case watching(until: Double, nextAt: Double, then: Status)
        case finished(Status)
    }

    public let config: Configuration
    public private(set) var server: RecoveryTFTPServer?
    /// Phones that replied, in order.
    public private(set) var phones: [Phone] = []
    private var phase = Phase.idle

    public init(_ config: Configuration) {
        self.config = config
        server = config.tftp.map { RecoveryTFTPServer($0) }
    }

    public var isFinished: Bool {
        if case .finished = phase { return true }
        return false
    }

    /// Whether the upgrade order was sent (the phone may be downloading).
    public var hasOrdered: Bool {
        switch phase {
        case .ordered, .watching: true
        case .finished: server.map { !$0.transfers.isEmpty } ?? false
        default: false
        }
    }

    /// The community's pairing rule for this loader (as a phone's reply
    /// gives it, `7.4.4rec`) and image version: whether the loader is the
    /// old one when the rule is broken; nil when it holds or a version
    /// cannot be read. The analysis's rule, asked before the upgrade.
    public static func pairingBroken(loader: String, image: String) -> Bool? {
        Rules.pairingBroken(loader: loader, image: image)
    }

    // MARK: Events

    public mutating func start(now: Double) -> [Action] {
        guard case .idle = phase else { return [] }
        var actions: [Action] = []
        phase = .searching(sent: 0, nextAt: now)
        tick(now: now, into: &actions)
        return actions
    }

    /// A datagram one of the sockets received.
    public mutating func receive(_ bytes: [UInt8], from source: IPv4Address, port: UInt16, destination: IPv4Address?,
                                 on socket: Socket, now: Double) -> [Action] {
        var actions: [Action] = []
        switch socket {
        case .control: message(bytes, from: source, now: now, into: &actions)
        case .tftp: server?.receive(bytes, from: source, port: port, destination: destination, transfer: nil, now: now, into: &actions)
        case .transfer(let id): server?.receive(bytes, from: source, port: port, destination: destination, transfer: id, now: now, into: &actions)
        }
        tick(now: now, into: &actions)
        return actions
    }

    /// The driver opened transfer `id`'s socket (nil: it could not).
    public mutating func transferOpened(_ id: Int, port: UInt16?, now: Double) -> [Action] {
        var actions: [Action] = []
        server?.opened(id, port: port, now: now, into: &actions)
        return actions
    }

    /// The user's answer to the upgrade question (`confirmsUpgrade`).
    public mutating func confirm(_ yes: Bool, now: Double) -> [Action] {
        guard case .confirming = phase else { return [] }
        var actions: [Action] = []
        if yes {
            order(now: now, into: &actions)
        } else {
            finish(.declined, into: &actions)
        }
        return actions
    }

    /// The clock moved: requests, retransmissions, deadlines.
    public mutating func tick(now: Double) -> [Action] {
        var actions: [Action] = []
        tick(now: now, into: &actions)
        return actions
    }

    /// When `tick` next has work (monotonic seconds).
    public var nextDeadline: Double? {
        let own: Double? = switch phase {
        case .searching(_, let nextAt): nextAt
        case .ordered(let at, let rrqDeadline, let resent, let echoed):
            !echoed && resent < config.upgradeRetries ? min(rrqDeadline, at + config.upgradeRetryInterval * Double(resent + 1)) : rrqDeadline
        case .watching(let until, let nextAt, _): min(until, nextAt)
        default: nil
        }
        return [own, server?.nextDeadline].compactMap { $0 }.min()
    }

    // MARK: The phases

    private mutating func tick(now: Double, into actions: inout [Action]) {
        server?.tick(now: now, stallGiveUp: config.stallGiveUp, into: &actions)
        switch phase {
        case .searching(let sent, let nextAt):
            if !phones.isEmpty {
                if config.confirmsUpgrade {
                    phase = .confirming
                    actions.append(.note(.confirmationNeeded(phones[0])))
                } else {
                    order(now: now, into: &actions)
                }
            } else if now >= nextAt {
                if sent >= config.requests {
                    actions.append(.note(.noPhone))
                    finish(.noDevice, into: &actions)
                } else {
                    sendRequest(into: &actions)
                    phase = .searching(sent: sent + 1, nextAt: now + config.requestInterval)
                }
            }
        case .ordered(let at, let rrqDeadline, let resent, let echoed):
            if !echoed, resent < config.upgradeRetries, server?.transfers.isEmpty ?? true,
               now >= at + config.upgradeRetryInterval * Double(resent + 1) {
                actions.append(.note(.upgradeRepeated(resent + 1)))
                sendUpgrade(into: &actions)
                phase = .ordered(at: at, rrqDeadline: max(rrqDeadline, now + config.rrqWait), resent: resent + 1, echoed: false)
                return
            }
            servingEnds(now: now, rrqDeadline: rrqDeadline, into: &actions)
        case .watching(let until, let nextAt, let then):
            if now >= until {
                finish(then, into: &actions)
            } else if now >= nextAt {
                sendRequest(into: &actions)
                phase = .watching(until: until, nextAt: now + config.watchInterval, then: then)
            }
        case .idle, .confirming, .finished:
            break
        }
    }

    private mutating func order(now: Double, into actions: inout [Action]) {
        sendUpgrade(into: &actions)
        phase = .ordered(at: now, rrqDeadline: now + config.rrqWait, resent: 0, echoed: false)
    }

    /// Whether the transfers are over: every phone that replied has had
    /// one (a phone aborts at an ERROR, it does not ask again), or the
    /// wait for a request ran out.
    private mutating func servingEnds(now: Double, rrqDeadline: Double, into actions: inout [Action]) {
        guard let server else {
            if now >= rrqDeadline {
                actions.append(.note(.noTFTPRequest(serverRunning: false)))
                finish(.noTFTPRequest, into: &actions)
            }
            return
        }
        let transfers = server.transfers
        let open = server.openCount
        if transfers.isEmpty {
            if now >= rrqDeadline {
                actions.append(.note(.noTFTPRequest(serverRunning: true)))
                finish(.noTFTPRequest, into: &actions)
            }
            return
        }
        let ended = transfers.count - open
        guard open == 0, ended >= phones.count || now >= rrqDeadline else { return }
        let failed = transfers.filter { $0.outcome != .complete }
        for t in failed {
            actions.append(.note(.transferFailed(client: t.client, clientPort: t.clientPort, outcome: t.outcome ?? .timedOut)))
        }
        let status: Status = failed.isEmpty ? .recovered : .transferFailed
        if config.watchSeconds > 0 {
            actions.append(.note(.watching(interval: config.watchInterval, seconds: config.watchSeconds)))
            phase = .watching(until: now + config.watchSeconds, nextAt: now, then: status)
            tick(now: now, into: &actions)
        } else {
            finish(status, into: &actions)
        }
    }

    private mutating func finish(_ status: Status, into actions: inout [Action]) {
        if status == .recovered { actions.append(.note(.upgradeSentToAll(phones: phones.count))) }
        phase = .finished(status)
        actions.append(.finished(status))
    }

    private func sendRequest(into actions: inout [Action]) {
        let request = SOSRecovery.encodeRequest(serial: config.serial, opcode: config.requestOpcode, length: config.requestLength)
        for target in config.targets {
            actions.append(.send(request, to: target, port: SOSRecovery.phonePort, from: .control))
        }
    }

    private func sendUpgrade(into actions: inout [Action]) {
        let order: [UInt8] = switch config.upgradeFormat {
        case .recm: SOSRecovery.encodeUpgrade(serial: config.serial, port: config.upgradePort, fileName: config.fileName)
        case .text: Array("RECOVERY UPGRADE \(config.fileName)".utf8) + [0]
        }
        for target in config.targets {
            actions.append(.send(order, to: target, port: SOSRecovery.phonePort, from: .control))
        }
        actions.append(.note(.upgradeSent(fileName: config.fileName, port: config.upgradePort, format: config.upgradeFormat)))
    }

    private mutating func message(_ bytes: [UInt8], from source: IPv4Address, now: Double, into actions: inout [Action]) {
        let decoded: SOSMessage? = bytes.withUnsafeBytes { try? SOSMessage.decode(ByteView($0)) }
        guard let m = decoded else { return }
        switch m.kind {
        case .reply:
            guard let mac = m.mac else { return }
            let phone = Phone(mac: mac, serial: m.serial?.description, product: m.product?.description,
                              softwareVersion: m.softwareVersion?.description, hardwareVersion: m.hardwareVersion?.description,
                              address: m.phoneAddress, replyFrom: source)
            let first = !phones.contains { $0.mac == mac }
            if first { phones.append(phone) }
            actions.append(.note(.phoneReplied(phone, first: first)))
        case .upgradeEcho:
            if case .ordered(let at, let deadline, let resent, _) = phase {
                phase = .ordered(at: at, rrqDeadline: deadline, resent: resent, echoed: true)
            }
            actions.append(.note(.upgradeEcho(fileName: m.fileName?.description, port: m.upgradePort, from: source)))
        default:
            break
        }
    }
}

/// What the utility did or saw, as values; `Report/UtilityWording.swift`
/// words them.
public enum RecoveryNote: Sendable, Equatable {
    case phoneReplied(RecoveryUtility.Phone, first: Bool)
    /// `confirmsUpgrade`: the phone found, waiting for the user.
    case confirmationNeeded(RecoveryUtility.Phone)
    case noPhone
    case upgradeSent(fileName: String, port: UInt16, format: RecoveryUtility.UpgradeFormat)
    /// The order sent again (the n-th time after the first): no echo came.
    case upgradeRepeated(Int)
    case upgradeEcho(fileName: String?, port: UInt16?, from: IPv4Address)
    case tftpRequest(file: String, mode: String, client: IPv4Address, clientPort: UInt16, destination: IPv4Address?)
    case tftpAnswering(client: IPv4Address, clientPort: UInt16, serverPort: UInt16)
    case tftpErrorSent(code: UInt16, message: String)
    case tftpWrongFile(requested: String, served: String)
    case tftpClientError(code: UInt16, message: String)
    case tftpComplete(bytes: Int, blocks: Int, client: IPv4Address, clientPort: UInt16)
    case tftpHanging(block: Int)
    case tftpNoAck(block: Int, client: IPv4Address, clientPort: UInt16)
    case tftpStalled(block: Int, of: Int, client: IPv4Address, clientPort: UInt16)
    case noTFTPRequest(serverRunning: Bool)
    case transferFailed(client: IPv4Address, clientPort: UInt16, outcome: RecoveryTFTPServer.Outcome)
    case watching(interval: Double, seconds: Double)
    case upgradeSentToAll(phones: Int)
}

/// What `sosdump recover` finds out as it runs, beyond the utility's own
/// notes and the analysis's verdicts: what only a program that holds the
/// sockets and watches the wire beside them can tell. Worded in
/// `Report/RecoverWording.swift`, with the verdict codes of the analysis.
public enum RecoverDiagnosis: Sendable, Equatable {
    /// No phone has answered for this long (the phone may be trying its URLs).
    case stillSearching(seconds: Double)
    /// The phone's replies reach the wire (these frames, seen by libpcap)
    /// but not the socket on port 4811: a firewall rule or the interface.
    case repliesNotReachingSocket(frames: [Int])
    /// The phone's TFTP request reached the wire (this frame) but not the
    /// socket on port 69.
    case requestNotReachingSocket(frame: Int)
    /// The phone asked for its gateway (this frame) and nobody answered.
    case gatewayUnanswered(gateway: IPv4Address, frame: Int)
    /// `--answer-gateway`: sosdump answered the phone's ARP for its gateway.
    case answeredGateway(gateway: IPv4Address, frame: Int)
    /// The phone's address is outside the interface's subnet: DATA cannot reach it.
    case phoneOffSubnet(phone: IPv4Address, interface: String, address: IPv4Address, prefixLength: Int)
    /// The community's pairing rule is broken for this loader and image (a warning).
    case pairingBroken(loader: String, image: String, oldLoader: Bool)
}
