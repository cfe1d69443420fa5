#if canImport(Glibc)
import Glibc
#endif
import SOSDump

/// Why `sosdump recover` could not open what it needs on the interface.
public enum RecoverSetupError: Error, Sendable {
    /// The port is bound by another socket; `holders` are the processes
    /// that hold it (empty when this user cannot see them).
    case portInUse(UInt16, holders: [PortHolder])
    case socket(SystemError)
}

/// What `sosdump recover` shows as it runs.
public enum RecoverEvent: Sendable {
    /// The utility's own step (request answered, order sent, TFTP…).
    case note(RecoveryNote)
    /// What the sockets and the wire beside them show.
    case diagnosis(RecoverDiagnosis)
    /// The analysis of what libpcap saw: a transfer ended, a phone's verdict.
    case analysis(LiveEvent)
}

/// One run of `sosdump recover`: the utility (`RecoveryUtility`, the state
/// machine the simulator drives too) over sockets bound to one interface,
/// and beside them libpcap on the same interface feeding the analysis
/// `sosdump live` runs (`LiveAnalysis`), and the `-w` writer. What the
/// wire shows and the sockets do not is a diagnosis of its own: replies
/// or a TFTP request that libpcap saw but the socket never got (a
/// firewall), the phone's ARP for its gateway unanswered (and answered,
/// with `answerGateway`). The run ends when the analysis decides the
/// phone's verdict after the download (or a failure it cannot get past),
/// the utility gives up, or a stop signal comes; it then concludes as
/// `sosdump analyze` concludes the `-w` file.
///
/// Nothing is sent but the utility's datagrams (out of `interface` only:
/// SO_BINDTODEVICE) and, with `answerGateway`, ARP replies to the phone.
public final class RecoverySession {
    public struct Options: Sendable {
        public var interface: String
        public var address: InterfaceAddress
        /// Answer the phone's ARP for its gateway (for this run only).
        public var answerGateway = false
        /// The served image's version, for the pairing rule.
        public var imageVersion: String?
        /// Seconds after which `stillSearching` is said, each a few times the last.
        public var searchNotices: [Double] = [10, 30, 90, 270]

        public init(interface: String, address: InterfaceAddress) {
            self.interface = interface
            self.address = address
        }
    }

    /// How the run ended.
    public enum Ending: Sendable, Equatable {
        /// The analysis decided the phone's verdict.
        case verdict(VerdictCode)
        /// The utility stopped (no phone, no request, a failed transfer, declined, the watch over).
        case utility(RecoveryUtility.Status)
        /// The phone is off the interface's subnet: the order was not sent.
        case phoneOffSubnet
        /// SIGINT or SIGTERM.
        case signal
        /// The capture or the writer failed (the message).
        case failed(String)
    }

    public struct Result: Sendable {
        public var ending: Ending
        /// The whole capture concluded, as `sosdump analyze` concludes the `-w` file.
        public var conclusion: RecoveryAnalysis
        public var summary: LiveCaptureSummary
        /// Why writing the pcapng file failed, if it did.
        public var writeError: CaptureWriteError?
    }

    /// Verdicts after which the run ends: the phone came back (or will not
    /// get further by waiting).
    static let ending: Set<VerdictCode> = [
        .recovered, .noGateway, .tftpUnreachable, .tftpNoResponse, .tftpError, .transferStalled, .imageRejected,
        .resetDuringWrite, .revertedToRecovery, .loaderFirmwareMismatch,
    ]

    public let options: Options
    public let capture: LiveCapture
    /// Where `-w` writes every frame (set before `run`, once the sockets are open).
    public var writer: PcapngWriter?
    public private(set) var analysis: LiveAnalysis
    public private(set) var utility: RecoveryUtility

    private let sockets: UtilitySockets
    private var writeError: CaptureWriteError?
    private var interfaceIndex: Int?

    // What the wire showed beside the sockets.
    private var wireReplies: [Int] = []
    private var firstWireReply: Double?
    private var socketReplies = 0
    private var wireRequest: (frame: Int, at: Double)?
    private var socketRequests = 0
    private var gatewayAsks: [IPv4Address: (frame: Int, at: Double)] = [:]
    private var reported: Set<String> = []
    private var ending: Ending?
    /// Where events go during `run`.
    private var sink: (RecoverEvent) -> Void = { _ in }

    /// Opens the sockets on `options.interface`: port 4811 (requests out,
    /// replies in, joined to 234.4.8.10) and, when the utility serves TFTP,
    /// port 69 (joined too). A port another socket holds is refused, with
    /// who holds it.
    public init(capture: LiveCapture, analysis: LiveAnalysis, utility: RecoveryUtility, options: Options) throws(RecoverSetupError) {
        self.capture = capture
        self.analysis = analysis
        self.utility = utility
        self.options = options
        let control = try Self.open(port: SOSRecovery.utilityPort, options)
        let tftp = utility.config.tftp == nil ? nil : try Self.open(port: TFTPPacket.port, options)
        sockets = UtilitySockets(control: [control], tftp: tftp, transferAddress: options.address.address, device: options.interface)
    }

    private static func open(port: UInt16, _ options: Options) throws(RecoverSetupError) -> UDPSocket {
        do {
            let socket = try UDPSocket(port: port, sharing: false, device: options.interface)
            try socket.join(SOSRecovery.group, interfaceAddress: options.address.address)
            try socket.setMulticastInterface(options.address.address)
            return socket
        } catch let error as SystemError {
            if error.code == EADDRINUSE { throw .portInUse(port, holders: PortHolder.holders(ofUDPPort: port)) }
            throw .socket(error)
        } catch {
            throw .socket(SystemError("socket", EINVAL))
        }
    }

    /// Runs to the end. `onEvent` gets every event as it happens;
    /// `confirm` is asked once, with the phone found, before the upgrade
    /// order (when the utility asks for it); `onTick` about five times a
    /// second, with the utility (its transfers' progress).
    public func run(onEvent: @escaping (RecoverEvent) -> Void, confirm: (RecoveryUtility.Phone) -> Bool,
                    onTick: (RecoveryUtility) -> Void = { _ in }) -> Result {
        sink = onEvent
        defer { sink = { _ in } }
        let start = LiveSession.wallClock()
        let startClock = now()
        do {
            interfaceIndex = try writer?.addInterface(capture.captureInterface)
        } catch {
            writeError = error
            ending = .failed(error.description)
        }
        let decoder = FrameDecoder(checksums: .deferred)
        var dissection = Dissection()
        var frames = 0
        var nextNotice = 0
        var nextTick = startClock
        var nextFlush = startClock + 1
        perform(utility.start(now: startClock), confirm: confirm)

        while ending == nil {
            let until = min(utility.nextDeadline ?? now() + 0.2, now() + 0.2)
            let ready = readable(sockets.descriptors + [capture.descriptor], until: until)
            perform(sockets.receive(ready, into: &utility), confirm: confirm)
            // Every frame waiting in libpcap's ring.
            reading: while ending == nil {
                let read: LiveCapture.Read
                do {
                    read = try capture.next(waiting: false)
                } catch {
                    ending = .failed(error.description)
                    break
                }
                switch read {
                case .frame(let frame):
                    frames += 1
                    if let writer, let interfaceIndex, writeError == nil {
                        do { try writer.write(frame, interface: interfaceIndex) } catch {
                            writeError = error
                            ending = .failed(error.description)
                        }
                    }
                    decoder.decode(frame, into: &dissection)
                    watch(dissection)
                    analysis.observe(dissection)
                    takeAnalysisEvents()
                case .idle:
                    break reading
                case .stopped:
                    ending = .signal
                }
            }
            let clock = now()
            perform(utility.tick(now: clock), confirm: confirm)
            analysis.advanceClock(to: LiveSession.wallClock())
            takeAnalysisEvents()
            lookAtTheWire(clock)
            if utility.phones.isEmpty, nextNotice < options.searchNotices.count, clock - startClock >= options.searchNotices[nextNotice] {
                diagnose(.stillSearching(seconds: options.searchNotices[nextNotice]))
                nextNotice += 1
            }
            if clock >= nextTick {
                nextTick = clock + 0.2
                onTick(utility)
            }
            if clock >= nextFlush {
                nextFlush = clock + 1
                if let writer, writeError == nil {
                    do { try writer.flush() } catch { writeError = error; ending = .failed(error.description) }
                }
            }
            if StopSignals.received != nil, ending == nil { ending = .signal }
        }

        let end = LiveSession.wallClock()
        analysis.finish(at: end)
        var conclusion: RecoveryAnalysis?
        for event in analysis.takeEvents() {
            if case .concluded(let c, _) = event { conclusion = c.sos } else { onEvent(.analysis(event)) }
        }
        let reason: LiveCaptureSummary.StopReason = switch ending {
        case .signal?: .signal(StopSignals.received ?? SIGINT)
        case .failed(let message)?: .failed(message)
        default: .count  // the run ended by its own rule
        }
        let summary = LiveSession.endCapture(capture, writer: writer, interface: interfaceIndex, writeError: &writeError, start: start,
                                             end: end, reason: reason, seconds: now() - startClock, frames: frames,
                                             transfers: analysis.transfersEnded)
        // finish() always concludes.
        return Result(ending: ending ?? .signal, conclusion: conclusion!, summary: summary, writeError: writeError)
    }

    // MARK: The utility's actions

    private func perform(_ actions: [RecoveryUtility.Action], confirm: (RecoveryUtility.Phone) -> Bool) {
        let (rest, failures) = sockets.perform(actions, on: &utility)
        if let failure = failures.first, ending == nil { ending = .failed("\(failure)") }
        for action in rest {
            switch action {
            case .note(let note):
                noted(note)
                sink(.note(note))
                if case .confirmationNeeded(let phone) = note {
                    if let address = phone.address, !options.address.contains(address) {
                        diagnose(.phoneOffSubnet(phone: address, interface: options.interface, address: options.address.address,
                                                 prefixLength: options.address.prefixLength))
                        ending = .phoneOffSubnet
                        return
                    }
                    if let loader = phone.softwareVersion, let image = options.imageVersion,
                       let old = RecoveryUtility.pairingBroken(loader: loader, image: image) {
                        diagnose(.pairingBroken(loader: loader, image: image, oldLoader: old))
                    }
                    let yes = confirm(phone)
                    perform(utility.confirm(yes, now: now()), confirm: confirm)
                }
            case .finished(let status):
                // After the transfers the utility watches (`watchSeconds`) while the analysis
                // decides; it finishes when that is over without a verdict, or when it failed.
                if ending == nil { ending = .utility(status) }
            default:
                break
            }
        }
    }

    private func noted(_ note: RecoveryNote) {
        switch note {
        case .phoneReplied: socketReplies += 1
        case .tftpRequest: socketRequests += 1
        default: break
        }
    }

    private func diagnose(_ d: RecoverDiagnosis) {
        sink(.diagnosis(d))
    }

    private func takeAnalysisEvents() {
        guard analysis.hasEvents else { return }
        for event in analysis.takeEvents() {
            sink(.analysis(event))
            if case .phoneVerdict(let v, _) = event, utility.hasOrdered, Self.ending.contains(v.code),
               utility.phones.contains(where: { $0.mac == v.identity.mac }) {
                ending = .verdict(v.code)
            }
        }
    }

    // MARK: The wire beside the sockets

    /// Reads a frame for what the sockets should have got, and the phone's ARP.
    private func watch(_ d: borrowing Dissection) {
        if case .arp(let arp) = d.network {
            gatewayARP(arp, frame: d.frame.number)
            return
        }
        guard let udp = d.udp, case .ipv4(let ip) = d.network, ip.destination == SOSRecovery.group else { return }
        if udp.header.destinationPort == SOSRecovery.utilityPort, wireReplies.count < 8,
           case .success(let m)? = d.sosRecovery, m.kind == .reply {
            wireReplies.append(d.frame.number)
            if firstWireReply == nil { firstWireReply = now() }
        } else if udp.header.destinationPort == TFTPPacket.port, wireRequest == nil, udp.payload.uint16(at: 0) == 1 {
            wireRequest = (d.frame.number, now())
        }
    }

    private func gatewayARP(_ arp: ARPPacket, frame: Int) {
        guard let target = arp.targetIP, let sender = arp.senderIP else { return }
        if arp.operation == 2 {
            gatewayAsks[sender] = nil
            return
        }
        guard arp.operation == 1, let mac = arp.senderMAC, utility.phones.contains(where: { $0.mac == mac }),
              target != options.address.address, target != sender else { return }
        if options.answerGateway, let ours = options.address.mac {
            try? capture.inject(Self.arpReply(from: ours, address: target, to: mac, address: sender))
            if reported.insert("answered \(target)").inserted { diagnose(.answeredGateway(gateway: target, frame: frame)) }
        } else if gatewayAsks[target] == nil {
            gatewayAsks[target] = (frame, now())
        }
    }

    /// Says what the wire showed and the sockets did not, once each.
    private func lookAtTheWire(_ clock: Double) {
        if socketReplies == 0, wireReplies.count >= 2, let first = firstWireReply, clock - first >= 1.5,
           reported.insert("replies").inserted {
            diagnose(.repliesNotReachingSocket(frames: wireReplies))
        }
        if socketRequests == 0, sockets.tftp != nil, let request = wireRequest, clock - request.at >= 2,
           reported.insert("rrq").inserted {
            diagnose(.requestNotReachingSocket(frame: request.frame))
        }
        for (gateway, ask) in gatewayAsks where clock - ask.at >= 1.5 && reported.insert("gateway \(gateway)").inserted {
            diagnose(.gatewayUnanswered(gateway: gateway, frame: ask.frame))
        }
    }

    /// "`address` is at `mac`", to `target` (RFC 826), padded to 60 bytes.
    static func arpReply(from mac: MACAddress, address: IPv4Address, to target: MACAddress, address targetAddress: IPv4Address) -> [UInt8] {
        func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
        var frame = target.octets + mac.octets + [0x08, 0x06]
        frame += [0, 1, 0x08, 0x00, 6, 4, 0, 2] + mac.octets + be32(address.rawValue) + target.octets + be32(targetAddress.rawValue)
        return frame + [UInt8](repeating: 0, count: max(0, 60 - frame.count))
    }
}
