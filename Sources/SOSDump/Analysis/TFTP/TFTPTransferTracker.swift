/// Follows every TFTP transfer in a capture: a bounded state machine fed
/// decoded frames in order.
///
/// A transfer is keyed by the client's address and port, the one thing
/// every packet of it shares. The request goes to port 69 of any address —
/// a server, or the multicast group 234.4.8.10 that the S.O.S. recovery
/// program uses (docs/sos-protocol.md §B) — and the server answers from its own
/// address and a new port, the transfer ID. Like that client, the tracker
/// latches the server's port from the first packet that comes back and
/// ignores packets from other ports; it never requires the reply's address
/// to be the one the request went to, and it takes the client's DATA or
/// ACKs whatever address they are sent to.
///
/// A transfer ends (and moves to `finished`) when the client sends a new
/// request from the same port, when it has been idle for `Limits.idleSeconds`
/// of capture time (`lingerSeconds` once it completed or failed, so late
/// retransmissions still count), or at `finish()`.
public struct TFTPTransferTracker {
    public struct Limits: Sendable {
        /// Bytes of each file kept for image checks and extraction; beyond
        /// them the file is only hashed.
        public var keepBytesPerTransfer = 64 << 20
        /// The memory all open transfers may hold together: their kept
        /// bytes, bytes waiting to be hashed, block sets, and
        /// `costPerTransfer` each. A block that would go past it is not
        /// kept; a transfer that would open past it ends the one nearest
        /// its end first, as `maxActiveTransfers` does.
        public var memoryBudget = 80 << 20
        /// Transfers followed at once; beyond it (or the memory budget) the
        /// one nearest its end is ended to make room: a finished one still
        /// lingering for retransmissions (`lingeringEndedEarly`), else the
        /// one quiet longest (`evictedTransfers`). The budget binds first:
        /// at `costPerTransfer`, 80 MiB holds some 30,000 (on a boot
        /// storm's burst of 20,000 phones, half that ended no unfinished
        /// transfer early).
        public var maxActiveTransfers = 1 << 18
        /// Block numbers (after unwrapping past 65535) followed per transfer:
        /// 2^25 blocks of 512 bytes is 16 GiB.
        public var maxBlocks = 1 << 25
        /// A DATA block further than this past the highest block seen or
        /// acknowledged is not followed (an anomaly): no capture loses
        /// that many DATA and ACKs in a row, and following it would only
        /// grow the block sets.
        public var maxBlockJump = 8192
        /// Capture seconds without a packet after which an unfinished
        /// transfer is ended (as stalled).
        public var idleSeconds: Int64 = 120
        /// Capture seconds a completed or failed transfer stays open for
        /// retransmissions.
        public var lingerSeconds: Int64 = 10
        /// Which files' bytes are kept (up to `keepBytesPerTransfer`).
        public var keep = Keep.everything
        /// Name endings (lowercase) of files kept whatever `keep` says: the
        /// files a diagnosis reads (a 79xx phone's configuration and
        /// `.loads`). Set by `CaptureAnalysis` from its diagnoses.
        public var alsoKeep: [String] = []
        /// Digests besides SHA-256.
        public var digests: RebuiltFile.Digests = .all

        /// Which files' bytes the tracker keeps.
        public enum Keep: Sendable {
            /// Every file's (`extract`).
            case everything
            /// Only files that may be firmware images (`TransferredImage.mayBeImage`):
            /// what `transfers`, `analyze` and `live` check. Other files are
            /// hashed and fingerprinted, not kept.
            case images
        }

        public init() {}

        /// What the checking commands use (`transfers`, `analyze`, `live`):
        /// the bytes of possible firmware images only, SHA-256 of every
        /// file and MD5 of images.
        public static var checking: Limits {
            var limits = Limits()
            limits.keep = .images
            limits.digests = [.md5OfImages]
            return limits
        }
    }

    /// What an open transfer costs besides its file, as the budget counts
    /// it: its state (`TransferState`, with its record and hash contexts)
    /// in its slot, and 1 KiB for its place in the map by client and the
    /// timer heap, and its strings and hash context on the heap (its block
    /// sets, trace points and kept bytes are its `footprint`). Checked
    /// against the boot-storm burst's peak RSS as the budget varies: 2.4 KB
    /// more RSS per transfer open at once (docs/performance.md).
    public static let costPerTransfer = MemoryLayout<TransferState>.stride + 1024

    public let limits: Limits
    /// The open transfers, each in a slot that stays its own while it is
    /// open (the timer heap names slots); a freed slot is reused.
    private var slots = TransferSlots()
    private var freeSlots: [Int] = []
    /// Where each open transfer's client is in `slots`.
    private var active: [TransportEndpoint: Int] = [:]
    /// How many open transfers have a client in each filter slot (a hash
    /// of its address and port, `clientSlot`): a datagram neither of whose
    /// ends is in a used slot cannot belong to one, and is let go at the
    /// cost of two array reads (most frames of a busy capture, even one
    /// full of other traffic on the same ports).
    private var clientSlots = [UInt32](repeating: 0, count: 1 << 16)
    /// When each open transfer ends by the clock: a min-heap of deadlines,
    /// one live entry per transfer, never later than its true deadline.
    private var timers = TimerHeap()
    private var timerTokens: UInt32 = 0
    /// Per slot: the key and token of its transfer's live timer (0: none),
    /// beside the slots so that reading them copies no transfer.
    private var slotTimerKeys: [Int64] = []
    /// Each slot's client (nil: free), for the scan of a few open transfers.
    private var slotClients: [TransportEndpoint?] = []
    private var slotTimerTokens: [UInt32] = []
    private var finishedTransfers: [TFTPTransfer] = []
    private var requestsSeen = 0
    @usableFromInline var now = CaptureTimestamp(seconds: 0, nanoseconds: 0)
    /// The earliest deadline in `timers`: one comparison per frame.
    @usableFromInline var nextDeadline: Int64 = .max
    /// Unfinished transfers ended early because `maxActiveTransfers` were
    /// open or the memory budget was spent: their outcome may be wrong.
    public private(set) var evictedTransfers = 0
    /// Finished transfers (complete or failed) closed before their linger
    /// time was up, to make room: their outcome stands; a late
    /// retransmission of them would not be counted.
    public private(set) var lingeringEndedEarly = 0
    /// Bytes the open transfers hold, as `Limits.memoryBudget` counts them.
    public private(set) var memoryInUse = 0
    /// The most `memoryInUse` reached.
    public private(set) var peakMemoryInUse = 0
    /// The most transfers open at once.
    public private(set) var peakOpenTransfers = 0
    /// Blocks not kept, and transfers whose later blocks were not followed,
    /// because the memory budget was spent.
    public private(set) var blocksOverBudget = 0
    public private(set) var transfersOverBudget = 0

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Transfers open right now.
    public var openCount: Int { active.count }

    /// Timers in the heap, stale ones included: kept within twice the
    /// open transfers (and 1024), whatever the capture does.
    var timerCount: Int { timers.count }

    /// Transfers being followed right now (for a live view).
    public var activeTransfers: [TFTPTransfer] { slots.open.map { slots[$0].transfer }.sorted { $0.number < $1.number } }

    /// Where each open transfer stands, in request order: counts and
    /// frames only, so a live view can take it as often as it likes
    /// without holding a copy of a file being rebuilt (which would make
    /// the next block copy the whole file).
    public var activeProgress: [TFTPTransferProgress] { slots.open.map { slots[$0].progressSnapshot }.sorted { $0.number < $1.number } }

    /// Moves the tracker's clock to `time` without a frame. A live capture
    /// calls it when nothing arrived for a while, so that transfers that
    /// went quiet end (`idleSeconds`, `lingerSeconds`) when the time has
    /// come, not at the next frame. Offline the next frame does it.
    public mutating func advanceClock(to time: CaptureTimestamp) {
        guard time > now else { return }
        now = time
        if now.seconds >= nextDeadline { expire() }
    }

    /// Feeds one decoded frame and says what it did to the transfers: a
    /// request seen (decoded once, here: a diagnosis reads the file name
    /// from the event), the server's port latched, a transfer moved on; nil
    /// for a frame that touched none. Transfers that end (by this frame, or
    /// by the clock it moved) wait in `takeFinished()`, each with its file.
    /// Frames that are not UDP or ICMP return at once.
    ///
    /// Inlinable so that the caller's `Dissection` (some 500 bytes) is read
    /// where it lies: a call would copy it for every frame. Only the few
    /// fields the tracker needs go on to the out-of-line parts.
    @inlinable @discardableResult
    public mutating func observe(_ d: borrowing Dissection) -> TFTPEvent? {
        now = d.frame.timestamp
        var event: TFTPEvent?
        switch d.transport {
        case .udp(let header, let payload):
            switch d.network {
            case .ipv4(let ip):
                event = observeUDP(header, payload, from: .v4(ip.source), to: .v4(ip.destination), ipID: ip.identification,
                                   interface: d.frame.interfaceIndex, frame: d.frame.number)
            case .ipv6(let ip):
                event = observeUDP(header, payload, from: .v6(ip.source), to: .v6(ip.destination), ipID: 0,
                                   interface: d.frame.interfaceIndex, frame: d.frame.number)
            default:
                break
            }
        case .icmpv4(let message) where message.type == ICMPv4Message.destinationUnreachable:
            event = observeUnreachable(message.quoted, summary: { message.summary }, network: d.network, frame: d.frame.number)
        case .icmpv6(let message) where message.type == ICMPv6Message.destinationUnreachable:
            event = observeUnreachable(message.quoted, summary: { message.summary }, network: d.network, frame: d.frame.number)
        default:
            break
        }
        if now.seconds >= nextDeadline { expire() }
        return event
    }

    @usableFromInline
    mutating func observeUDP(_ header: UDPHeader, _ payload: ByteView, from sourceAddress: IPAddress, to destinationAddress: IPAddress,
                             ipID: UInt16, interface: Int, frame: Int) -> TFTPEvent? {
        let source = TransportEndpoint(sourceAddress, header.sourcePort)
        let destination = TransportEndpoint(destinationAddress, header.destinationPort)
        let known = clientSlots[Self.clientSlot(source)] != 0 || clientSlots[Self.clientSlot(destination)] != 0
        // Unknown ends: only a request to port 69 can start something.
        guard known || (header.destinationPort == TFTPPacket.port && Self.mayBeRequest(payload)) else { return nil }
        let datagram = Datagram(header: header, payload: payload, pseudoHeader: PseudoHeader(sourceAddress, destinationAddress),
                                print: PacketPrint(header, payload, ipID: ipID, interface: interface))
        return udp(from: source, to: destination, datagram, frame: frame)
    }

    @usableFromInline
    mutating func observeUnreachable(_ quoted: QuotedDatagram?, summary: () -> String, network: NetworkLayer, frame: Int) -> TFTPEvent? {
        guard let quoted, !active.isEmpty else { return nil }
        let reporter: IPAddress
        switch network {
        case .ipv4(let ip): reporter = .v4(ip.source)
        case .ipv6(let ip): reporter = .v6(ip.source)
        default: return nil
        }
        return unreachable(quoted, reporter: reporter, summary: summary(), frame: frame)
    }

    /// Ends every open transfer (the capture is over) and returns all the
    /// transfers not yet taken, in the order of their requests.
    public mutating func finish() -> [TFTPTransfer] {
        var all: [TFTPTransfer] = []
        finish { all.append($0) }
        return all
    }

    /// Ends every open transfer (the capture is over) and hands each
    /// transfer not yet taken to `body`, in the order of their requests.
    /// An open transfer's state is let go as its record is handed out: a
    /// capture that ends with tens of thousands open never holds all of
    /// them twice (states and records: the peak of a boot storm's memory).
    public mutating func finish(_ body: (TFTPTransfer) -> Void) {
        var taken = takeFinished()[...]
        let open = slots.open.map { (slot: $0, number: slots[$0].transfer.number) }
        for (slot, number) in open.sorted(by: { $0.number < $1.number }) {
            while let next = taken.first, next.number < number {
                body(next)
                taken.removeFirst()
            }
            let t = slots[slot].finalTransfer(captureEnd: now, linger: limits.lingerSeconds)
            close(slot)
            body(t)
        }
        taken.forEach(body)
        active = [:]
        slots = TransferSlots()
        slotClients = []
        slotTimerKeys = []
        slotTimerTokens = []
        freeSlots = []
        timers = TimerHeap()
        nextDeadline = .max
        memoryInUse = 0
        clientSlots = [UInt32](repeating: 0, count: 1 << 16)
    }

    /// Whether transfers ended since `takeFinished()` was last called.
    public var hasFinished: Bool { !finishedTransfers.isEmpty }

    /// The transfers that ended since the last call, in request order.
    /// Call it now and then to write files out and release their bytes.
    public mutating func takeFinished() -> [TFTPTransfer] {
        defer { finishedTransfers = [] }
        return finishedTransfers.sorted { $0.number < $1.number }
    }

    // MARK: Routing a datagram

    private mutating func udp(from source: TransportEndpoint, to destination: TransportEndpoint, _ datagram: Datagram, frame: Int) -> TFTPEvent? {
        let mark = TFTPTransfer.FrameMark(frame: frame, time: now)
        let payload = datagram.payload
        if let i = openTransfer(of: source) {
            // From a client (its ACKs, its DATA, or a new request).
            guard let packet = try? TFTPPacket.decode(payload) else { return nil }
            // The same datagram again within milliseconds: one packet seen twice.
            guard !slots[i].isDuplicate(datagram.print, from: .client, at: now) else { return nil }
            switch packet {
            case .readRequest(let request) where destination.port == TFTPPacket.port:
                return newRequest(request, .read, datagram.print, from: source, to: destination, at: mark, replacing: i)
            case .writeRequest(let request) where destination.port == TFTPPacket.port:
                return newRequest(request, .write, datagram.print, from: source, to: destination, at: mark, replacing: i)
            default:
                makeRoom(sparing: i)
                let taken = slots[i].take(packet, datagram, from: .client, source: source, at: mark, limits: limits, allowance: allowance)
                accountAndRearm(i, taken)
                return .progressed(transfer: taken.number, client: source)
            }
        } else if let i = openTransfer(of: destination) {
            // To a client: from its server, or from a stranger.
            guard let packet = try? TFTPPacket.decode(payload) else { return nil }
            guard !slots[i].isDuplicate(datagram.print, from: .server, at: now) else { return nil }
            makeRoom(sparing: i)
            let taken = slots[i].take(packet, datagram, from: .server, source: source, at: mark, limits: limits, allowance: allowance)
            accountAndRearm(i, taken)
            if let server = taken.latchedServer {
                return .replyLatched(transfer: taken.number, client: destination, server: server)
            }
            return .progressed(transfer: taken.number, client: destination)
        } else if destination.port == TFTPPacket.port {
            switch try? TFTPPacket.decode(payload) {
            case .readRequest(let request)?: return newRequest(request, .read, datagram.print, from: source, to: destination, at: mark, replacing: nil)
            case .writeRequest(let request)?: return newRequest(request, .write, datagram.print, from: source, to: destination, at: mark, replacing: nil)
            default: return nil
            }
        }
        return nil
    }

    /// Bytes of the budget a packet may need for its bookkeeping (block
    /// sets growing): room is made for them before the packet is read.
    static let headroom = 64 << 10

    /// Ends the transfers nearest their end, but not the one in `slot`,
    /// until the budget has `headroom` left.
    private mutating func makeRoom(sparing slot: Int) {
        while memoryInUse > limits.memoryBudget - Self.headroom, active.count > 1 {
            let before = active.count
            evictNearestEnd(sparing: slot)
            if active.count == before { break }
        }
    }

    /// What the budget has left for the packet at hand: `hard` for its
    /// bookkeeping (a block that would grow the block sets is followed
    /// only while it is positive), `keep` for file bytes, which leave an
    /// eighth of the budget to bookkeeping.
    private var allowance: (hard: Int, keep: Int) {
        (limits.memoryBudget - memoryInUse, limits.memoryBudget - limits.memoryBudget / 8 - memoryInUse)
    }

    /// After a packet of the transfer in `slot`: its memory counted, and a
    /// new timer when its deadline came earlier (it finished, or the
    /// capture's clock went back).
    private mutating func accountAndRearm(_ slot: Int, _ taken: TransferState.PacketTaken) {
        if taken.grown != 0 {
            memoryInUse += taken.grown
            peakMemoryInUse = max(peakMemoryInUse, memoryInUse)
        }
        if taken.overBudget.blocks > 0 || taken.overBudget.stopped {
            blocksOverBudget += taken.overBudget.blocks
            if taken.overBudget.stopped { transfersOverBudget += 1 }
        }
        if taken.deadline < slotTimerKeys[slot] { arm(slot, at: taken.deadline) }
    }

    private mutating func newRequest(_ request: TFTPRequest, _ direction: TFTPTransfer.Direction, _ print: PacketPrint, from client: TransportEndpoint,
                            to destination: TransportEndpoint, at mark: TFTPTransfer.FrameMark, replacing old: Int?) -> TFTPEvent {
        if let old {
            if slots[old].transfer.server == nil, slots[old].transfer.fileName == request.fileName, slots[old].transfer.direction == direction {
                slots[old].transfer.requestCount += 1  // the same request again: no answer yet
                slots[old].transfer.lastFrame = mark
                slots[old].lastSpeaker = .client
                slots[old].remember(print, from: .client, at: mark.time)
                if deadline(old) < slotTimerKeys[old] { arm(old) }
                return .request(TFTPRequestSeen(transfer: slots[old].transfer.number, direction: direction, fileName: request.fileName,
                                                client: client, destination: destination, repeated: true))
            }
            slots[old].supersededBy = mark
            end(old)
            close(old)
        }
        while !active.isEmpty,
              active.count >= limits.maxActiveTransfers || memoryInUse + Self.costPerTransfer > limits.memoryBudget - Self.headroom {
            evictNearestEnd()
        }
        requestsSeen += 1
        let image = TransferredImage.mayBeImage(fileName: request.fileName)
        let keeps = limits.keep == .everything || image || (!limits.alsoKeep.isEmpty && {
            let name = request.fileName.lowercased()
            return limits.alsoKeep.contains { name.hasSuffix($0) }
        }())
        var digests = limits.digests
        if image, digests.contains(.md5OfImages) { digests.insert(.md5) }
        let state = TransferState(number: requestsSeen, direction: direction, request: request, client: client,
                                  destination: destination, at: mark, keepLimit: limits.keepBytesPerTransfer,
                                  keepsBytes: keeps, decidesKeepingOnMagic: limits.keep == .images && !keeps, digests: digests)
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots.place(state, at: slot)
            slotClients[slot] = client
        } else {
            slot = slots.count
            slots.append(state)
            slotClients.append(client)
            slotTimerKeys.append(.max)
            slotTimerTokens.append(0)
        }
        slotTimerKeys[slot] = .max
        slots[slot].remember(print, from: .client, at: mark.time)
        clientSlots[Self.clientSlot(client)] += 1
        active[client] = slot
        memoryInUse += Self.costPerTransfer + state.footprint
        peakMemoryInUse = max(peakMemoryInUse, memoryInUse)
        peakOpenTransfers = max(peakOpenTransfers, active.count)
        arm(slot)
        return .request(TFTPRequestSeen(transfer: requestsSeen, direction: direction, fileName: request.fileName,
                                        client: client, destination: destination, repeated: false))
    }

    private mutating func unreachable(_ quoted: QuotedDatagram, reporter: IPAddress, summary: String, frame: Int) -> TFTPEvent? {
        guard quoted.protocol == .udp, let sourcePort = quoted.sourcePort, let destinationPort = quoted.destinationPort else { return nil }
        let source = TransportEndpoint(quoted.source, sourcePort), destination = TransportEndpoint(quoted.destination, destinationPort)
        let mark = TFTPTransfer.FrameMark(frame: frame, time: now)
        if let i = active[source] {
            slots[i].unreachable(TFTPTransfer.Unreachable(reporter: reporter, unreachable: destination, message: summary, drawnBy: .client, at: mark))
            return .progressed(transfer: slots[i].transfer.number, client: source)
        } else if let i = active[destination], slots[i].transfer.server?.port == sourcePort {
            slots[i].unreachable(TFTPTransfer.Unreachable(reporter: reporter, unreachable: destination, message: summary, drawnBy: .server, at: mark))
            return .progressed(transfer: slots[i].transfer.number, client: destination)
        }
        return nil
    }

    /// Where the transfer an event names stands, if it is still open:
    /// found by its client, as every packet is, whatever the number of
    /// open transfers.
    public func progress(of event: TFTPEvent) -> TFTPTransferProgress? {
        guard let i = active[event.client], slots[i].transfer.number == event.transfer else { return nil }
        return slots[i].progressSnapshot
    }

    /// The open transfers that would be unanswered, unreachable, stalled
    /// or failed if they ended at `time`, as records (a live capture's
    /// verdicts so far: a verdict that depends on a quiet transfer comes
    /// when its threshold is reached, not when the tracker closes it).
    /// Complete ones are left out: their image is checked once, at their end.
    /// Only the transfers `numbers` names are made (a diagnosis's downloads).
    public func provisionalTransfers(at time: CaptureTimestamp, numbers: Set<Int>) -> [TFTPTransfer] {
        guard !numbers.isEmpty else { return [] }
        return slots.open.compactMap { i in
            guard numbers.contains(slots[i].transfer.number) else { return nil }
            let t = slots[i].finalTransfer(captureEnd: max(time, now), linger: limits.lingerSeconds)
            return t.outcome == .complete || t.outcome == .optionProbe ? nil : t
        }
    }

    // MARK: Ending

    /// When the transfer in `slot` is ended by the clock, as a heap key
    /// (`TransferState.deadline(_:)`), read in place.
    private mutating func deadline(_ slot: Int) -> Int64 {
        slots[slot].readDeadline(limits)
    }

    /// Nanoseconds (below 2^30) sit under the deadline's second in a key.
    static let deadlineShift: Int64 = 30

    /// Puts a timer for the transfer in `slot` at its deadline; any earlier
    /// timer of it becomes stale (its token no longer matches).
    private mutating func arm(_ slot: Int, at key: Int64? = nil) {
        timerTokens &+= 1
        let key = key ?? deadline(slot)
        slotTimerKeys[slot] = key
        slotTimerTokens[slot] = timerTokens
        timers.push(TimerHeap.Entry(deadline: key, slot: Int32(slot), token: timerTokens))
        if timers.count > 2 * active.count + 1024 {
            // Stale timers of transfers superseded or moved on: drop them,
            // so the heap stays proportional to the transfers open.
            let tokens = slotTimerTokens
            timers.keep { tokens[Int($0.slot)] == $0.token }
        }
        nextDeadline = timers.minimum.map { $0 >> Self.deadlineShift } ?? .max
    }

    /// Whether `entry` is the live timer of an open transfer.
    private func isLive(_ entry: TimerHeap.Entry) -> Bool {
        slotTimerTokens[Int(entry.slot)] == entry.token
    }

    /// Ends the transfers whose deadline has passed: the cost is one heap
    /// step per timer that comes due, whatever the number open. A timer
    /// that comes due for a transfer that moved on since is set again at
    /// its new deadline.
    @usableFromInline
    mutating func expire() {
        while let top = timers.top, top.deadline >> Self.deadlineShift <= now.seconds {
            timers.pop()
            guard isLive(top) else { continue }
            let slot = Int(top.slot)
            if deadline(slot) >> Self.deadlineShift > now.seconds {
                arm(slot)
            } else {
                end(slot)
                close(slot)
            }
        }
        nextDeadline = timers.minimum.map { $0 >> Self.deadlineShift } ?? .max
    }

    /// Ends the open transfer whose deadline comes first (a finished one
    /// lingering, else the one quiet longest) to make room: the cost is a
    /// heap step or a few, whatever the number open.
    private mutating func evictNearestEnd(sparing spared: Int? = nil) {
        var sparedEntry: TimerHeap.Entry?
        defer { if let sparedEntry { timers.push(sparedEntry) } }
        while let top = timers.top {
            timers.pop()
            guard isLive(top) else { continue }
            let slot = Int(top.slot)
            if slot == spared {
                sparedEntry = top  // the transfer at hand: put back after
                continue
            }
            if deadline(slot) > top.deadline {
                arm(slot)  // moved on since: its true place in the heap
                continue
            }
            if slots[slot].isDone { lingeringEndedEarly += 1 } else { evictedTransfers += 1 }
            end(slot)
            close(slot)
            break
        }
        nextDeadline = timers.minimum.map { $0 >> Self.deadlineShift } ?? .max
    }

    /// The filter slot of an endpoint: a multiplicative hash of its address
    /// (IPv4, or the low half of IPv6) and port, 16 bits.
    @inline(__always)
    static func clientSlot(_ endpoint: TransportEndpoint) -> Int {
        let address: UInt32 = switch endpoint.address {
        case .v4(let a): a.rawValue
        case .v6(let a): UInt32(truncatingIfNeeded: a.low ^ (a.low >> 32))
        }
        let mixed = (address ^ UInt32(endpoint.port) &* 0x85EB_CA77) &* 0x9E37_79B1
        return Int(mixed >> 16)
    }

    /// RRQ or WRQ by its opcode: the one check made on every datagram to
    /// port 69 before anything is decoded.
    @inline(__always)
    static func mayBeRequest(_ payload: ByteView) -> Bool {
        guard let opcode = payload.uint16(at: 0) else { return false }
        return opcode == 1 || opcode == 2
    }

    /// The open transfer whose client is `endpoint`. Checks the filter
    /// first; with few slots a scan beats hashing the address.
    private func openTransfer(of endpoint: TransportEndpoint) -> Int? {
        guard clientSlots[Self.clientSlot(endpoint)] > 0 else { return nil }
        if slotClients.count <= 8 {
            for i in slotClients.indices where slotClients[i] == endpoint { return i }
            return nil
        }
        return active[endpoint]
    }

    /// Closes the transfer in `slot`: its slot is freed, its memory given back.
    private mutating func close(_ slot: Int) {
        guard let client = slotClients[slot], active.removeValue(forKey: client) != nil else { return }
        memoryInUse -= Self.costPerTransfer + slots[slot].footprint
        slots.free(slot)
        slotClients[slot] = nil
        slotTimerTokens[slot] = 0
        freeSlots.append(slot)
        clientSlots[Self.clientSlot(client)] -= 1
    }

    private mutating func end(_ slot: Int) {
        finishedTransfers.append(slots[slot].finalTransfer(captureEnd: now, linger: limits.lingerSeconds))
    }
}

/// The open transfers' states, in chunks of 1,024 slots that never move. A
/// slot array grown by doubling held both copies of every state while it
/// grew (1.5 times the states, at the burst's peak) and reserved twice what
/// it used. A chunk's capacity is reserved at once, but its pages are
/// touched only as its slots fill.
///
/// A slot holds a state, not an optional one: changing a state through
/// an optional's `!` moved the whole state out and back in (two copies of
/// 1.6 KB per packet, 7 % of `transfers` on the boot storm's burst). A
/// free slot holds `TransferState.vacant`, which holds nothing on the heap.
struct TransferSlots {
    private static let chunkShift = 10
    private static let chunkMask = (1 << chunkShift) - 1
    private var chunks: [[TransferState]] = []
    private var occupied: [Bool] = []

    var count: Int { occupied.count }

    /// The slots that hold an open transfer, in slot order.
    var open: [Int] { occupied.indices.filter { occupied[$0] } }

    /// The state in an occupied slot.
    subscript(slot: Int) -> TransferState {
        get { chunks[slot >> Self.chunkShift][slot & Self.chunkMask] }
        _modify { yield &chunks[slot >> Self.chunkShift][slot & Self.chunkMask] }
    }

    mutating func append(_ state: TransferState) {
        if count & Self.chunkMask == 0 {
            var chunk: [TransferState] = []
            chunk.reserveCapacity(1 << Self.chunkShift)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(state)
        occupied.append(true)
    }

    /// Puts `state` in a free slot.
    mutating func place(_ state: TransferState, at slot: Int) {
        self[slot] = state
        occupied[slot] = true
    }

    /// Frees `slot`, letting its state go.
    mutating func free(_ slot: Int) {
        self[slot] = .vacant
        occupied[slot] = false
    }
}

/// A binary min-heap of transfer deadlines (capture seconds). An entry is
/// live while its token is its slot's (`slotTimerTokens`);
/// stale ones are dropped when they reach the top.
struct TimerHeap {
    struct Entry {
        var deadline: Int64
        var slot: Int32
        var token: UInt32
    }

    private var entries: [Entry] = []

    var top: Entry? { entries.first }
    var minimum: Int64? { entries.first?.deadline }
    var count: Int { entries.count }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard entries[i].deadline < entries[parent].deadline else { break }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    /// Keeps only the entries `isKept` accepts, and heapifies them.
    mutating func keep(where isKept: (Entry) -> Bool) {
        entries.removeAll { !isKept($0) }
        for i in stride(from: entries.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    }

    mutating func pop() {
        guard !entries.isEmpty else { return }
        entries.swapAt(0, entries.count - 1)
        entries.removeLast()
        siftDown(0)
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let left = 2 * i + 1, right = left + 1
            var smallest = i
            if left < entries.count, entries[left].deadline < entries[smallest].deadline { smallest = left }
            if right < entries.count, entries[right].deadline < entries[smallest].deadline { smallest = right }
            guard smallest != i else { return }
            entries.swapAt(i, smallest)
            i = smallest
        }
    }
}

/// What one frame did to the transfers (`TFTPTransferTracker.observe`).
/// A transfer's end comes apart, with its file: `takeFinished()`.
public enum TFTPEvent: Sendable, Equatable {
    /// A read or write request: a new transfer, or the same request again
    /// before any answer (`repeated`).
    case request(TFTPRequestSeen)
    /// The server's first packet: its address and port (the TID) latched.
    case replyLatched(transfer: Int, client: TransportEndpoint, server: TransportEndpoint)
    /// Any other packet of an open transfer (DATA, ACK, OACK, ERROR, an ICMP error it drew).
    case progressed(transfer: Int, client: TransportEndpoint)

    /// The transfer's number.
    public var transfer: Int {
        switch self {
        case .request(let r): r.transfer
        case .replyLatched(let n, _, _), .progressed(let n, _): n
        }
    }

    /// The transfer's client: the key it is followed by.
    public var client: TransportEndpoint {
        switch self {
        case .request(let r): r.client
        case .replyLatched(_, let c, _), .progressed(_, let c): c
        }
    }
}

/// A TFTP request as the tracker decoded it.
public struct TFTPRequestSeen: Sendable, Equatable {
    /// The transfer it opened (or repeated): `TFTPTransfer.number`.
    public var transfer: Int
    public var direction: TFTPTransfer.Direction
    public var fileName: String
    public var client: TransportEndpoint
    /// Port 69 of a server, or of a multicast group.
    public var destination: TransportEndpoint
    /// The same request again, no answer yet.
    public var repeated: Bool
}

/// Turns 16-bit block numbers into absolute ones past 65535. Most peers
/// wrap 65535 → 0; some wrap to 1. The first wrap decides which; the
/// loader itself only compares for inequality (docs/sos-protocol.md §B).
struct BlockNumberUnwrapper {
    private(set) var skipsZero = false

    /// The absolute block number nearest `reference` whose low 16 bits
    /// (under the peer's wrap rule) are `wire`.
    mutating func absolute(_ wire: UInt16, near reference: Int) -> Int {
        if skipsZero, wire != 0 {
            let referenceWire = (reference - 1) % 65535 + 1
            var delta = Int(wire) - referenceWire
            if delta > 32767 { delta -= 65535 } else if delta < -32767 { delta += 65535 }
            return reference + delta
        }
        if !skipsZero, wire == 1, reference > 0, reference % 65536 == 65535 {
            skipsZero = true
            return reference + 1
        }
        return reference + Int(Int16(bitPattern: wire &- UInt16(truncatingIfNeeded: reference)))
    }
}

/// One open transfer: the record being built, and what the state machine
/// needs to remember between packets.
struct TransferState {
    var transfer: TFTPTransfer
    /// `transfer.client`, as a constant the per-frame lookup reads without
    /// an exclusivity check.
    let client: TransportEndpoint
    var lastSpeaker: TFTPTransfer.Side = .client
    var supersededBy: TFTPTransfer.FrameMark?
    private let keepLimit: Int
    private let digests: RebuiltFile.Digests
    /// Keep the bytes only if the first block turns out to be an image's
    /// (with `Limits.Keep.images`, for a file whose name does not say
    /// image): until block 1 is in, they are kept; then they go unless it
    /// starts with the image magic (fingerprints stay for retransmissions).
    private var decidesKeepingOnMagic: Bool
    /// Block sets and kept bytes, as the tracker's budget counts them.
    private(set) var footprint = 0
    /// Blocks not kept for want of budget since the tracker last asked,
    /// and whether later blocks stopped being followed.
    private var overBudget = (blocks: 0, stopped: false)
    private var budgetSpent = false
    private var blockNumbers = BlockNumberUnwrapper()
    private var acknowledged = BlockSet()
    private var highestAck = -1
    private var peerMissed = BlockSet()
    private var progress: (block: Int, at: TFTPTransfer.FrameMark)
    /// The block of the receiver's last ACK, when it repeated an earlier ACK.
    private var lastRepeatedAck: Int?
    private var apprenticeRun = (lastBlock: -1, length: 0, start: TFTPTransfer.FrameMark?.none)
    private var blockLimitNoted = false
    /// The highest ACK and its frame: what the receiver proved it holds.
    private var acknowledgedProgress: (block: Int, at: TFTPTransfer.FrameMark)?
    /// The last datagrams each side sent, to tell a packet seen twice (two
    /// interfaces, merged files) from a retransmission.
    private var recent = RecentDatagrams()

    init(number: Int, direction: TFTPTransfer.Direction, request: TFTPRequest, client: TransportEndpoint,
         destination: TransportEndpoint, at mark: TFTPTransfer.FrameMark, keepLimit: Int,
         keepsBytes: Bool, decidesKeepingOnMagic: Bool, digests: RebuiltFile.Digests) {
        self.keepLimit = keepLimit
        self.client = client
        self.digests = digests
        self.decidesKeepingOnMagic = decidesKeepingOnMagic
        let file = RebuiltFile(blockSize: 512, keepLimit: keepLimit, keepsBytes: keepsBytes || decidesKeepingOnMagic, digests: digests)
        transfer = TFTPTransfer(number: number, direction: direction, fileName: request.fileName, mode: request.mode,
                                requestedOptions: request.options, client: client, requestDestination: destination,
                                request: mark, lastFrame: mark, file: file)
        if direction == .write { transfer.announcedSize = request.transferSize }
        // A file whose bytes are not kept is drawn by no report: its trace keeps its ends.
        if !keepsBytes && !decidesKeepingOnMagic { transfer.trace.keepOnlyEnds() }
        progress = (0, mark)
    }

    /// Where the transfer stands (`TFTPTransferTracker.activeProgress`).
    var progressSnapshot: TFTPTransferProgress {
        let t = transfer
        return TFTPTransferProgress(
            number: t.number, direction: t.direction, fileName: t.fileName, client: t.client,
            requestDestination: t.requestDestination, server: t.server, request: t.request, firstReply: t.firstReply,
            lastFrame: t.lastFrame, lastNewBlock: progress.block > 0 ? progress.at : nil, blocks: t.file.blocksCaptured,
            bytes: t.file.bytesCaptured, highestBlock: t.file.highestBlock, blockSize: t.blockSize,
            announcedSize: t.announcedSize, size: t.fileSize, retransmittedData: t.retransmittedData.count,
            repeatedAcks: t.repeatedAcks.count, failed: t.error != nil, isDone: isDone, imageSize: imageSize)
    }

    /// The size a firmware image's header announces, read once its first
    /// 128 bytes are in (`readImageHeader`, after each new block).
    private var imageSize: Int?
    private var imageHeaderRead = false

    private mutating func readImageHeader() {
        guard !imageHeaderRead, transfer.file.keptPrefixCount >= FirmwareImageLayout.headerSize else { return }
        imageHeaderRead = true
        imageSize = TFTPTransferProgress.imageSize(transfer.file.keptPrefix)
    }

    /// What the budget lost since the last call.
    mutating func takeOverBudget() -> (blocks: Int, stopped: Bool) {
        defer { overBudget = (0, false) }
        return overBudget
    }

    private mutating func countFootprint() {
        footprint = transfer.file.footprint + acknowledged.footprint + peerMissed.footprint + transfer.trace.footprint
    }

    /// Whether `print` is a datagram `side` sent moments ago: the same
    /// packet captured twice. Remembers it otherwise.
    mutating func isDuplicate(_ print: PacketPrint, from side: TFTPTransfer.Side, at time: CaptureTimestamp) -> Bool {
        if recent.contains(print, from: side, near: time) {
            transfer.duplicateFrames += 1
            return true
        }
        recent.remember(print, from: side, at: time)
        return false
    }

    mutating func remember(_ print: PacketPrint, from side: TFTPTransfer.Side, at time: CaptureTimestamp) {
        recent.remember(print, from: side, at: time)
    }

    /// What a free slot holds (`TransferSlots.free`).
    static let vacant = TransferState(
        number: 0, direction: .read, request: TFTPRequest(fileName: "", mode: "", options: []),
        client: TransportEndpoint(.v4(IPv4Address(rawValue: 0)), 0), destination: TransportEndpoint(.v4(IPv4Address(rawValue: 0)), 0),
        at: TFTPTransfer.FrameMark(frame: 0, time: CaptureTimestamp(seconds: 0, nanoseconds: 0)), keepLimit: 0,
        keepsBytes: false, decidesKeepingOnMagic: false, digests: [])

    /// What the tracker reads after a packet, returned by the call that
    /// took it: read through the slot array afterwards, the whole state
    /// (over a kilobyte, and its references retained) was copied per packet.
    struct PacketTaken {
        var number: Int
        /// Bytes the state's footprint grew by (or shrank, negative).
        var grown: Int
        var overBudget: (blocks: Int, stopped: Bool)
        /// Its timer's key now (`deadline(_:)`).
        var deadline: Int64
        /// The server's endpoint, when this packet was its first.
        var latchedServer: TransportEndpoint?
    }

    /// One packet of the transfer from `side`, sent from `source`.
    mutating func take(_ packet: TFTPPacket, _ datagram: Datagram, from side: TFTPTransfer.Side, source: TransportEndpoint,
                       at mark: TFTPTransfer.FrameMark, limits: TFTPTransferTracker.Limits, allowance: (hard: Int, keep: Int)) -> PacketTaken {
        let before = footprint
        let latching = side == .server && transfer.server == nil
        if side == .server {
            serverPacket(packet, datagram, from: source, at: mark, limits: limits, allowance: allowance)
        } else {
            self.packet(packet, datagram, from: side, at: mark, limits: limits, allowance: allowance)
        }
        return PacketTaken(number: transfer.number, grown: footprint - before, overBudget: takeOverBudget(), deadline: deadline(limits),
                           latchedServer: latching ? transfer.server : nil)
    }

    /// `deadline(_:)`, called as a mutating method so that the tracker
    /// reads it in its slot: a read through the slots' getter copies the
    /// whole state (as the heap's timers come due: 1.4 % of `analyze` on
    /// the boot storm).
    mutating func readDeadline(_ limits: TFTPTransferTracker.Limits) -> Int64 { deadline(limits) }

    /// When the clock ends the transfer, as a timer key: the capture second
    /// from which it has been quiet for more than `idleSeconds`
    /// (`lingerSeconds` once done), in the high bits, and the nanoseconds
    /// of its last frame below (`TFTPTransferTracker.deadlineShift`), so
    /// that of two transfers due in the same second the one quiet longer
    /// comes first.
    func deadline(_ limits: TFTPTransferTracker.Limits) -> Int64 {
        let last = transfer.lastFrame.time
        let quiet = isDone || mayBeCompleteByAcknowledgment ? limits.lingerSeconds : limits.idleSeconds
        // Clamped: a capture's times come from its file, whatever they say.
        let (sum, overflow) = last.seconds.addingReportingOverflow(quiet &+ 1)
        let latest = Int64.max >> TFTPTransferTracker.deadlineShift
        let second = overflow ? latest : min(max(sum, 0), latest)
        return second << TFTPTransferTracker.deadlineShift | Int64(last.nanoseconds & 0x3FFF_FFFF)
    }

    /// Completed (final block acknowledged) or failed: only retransmissions can follow.
    var isDone: Bool { transfer.error != nil || (transfer.file.finalBlock != nil && transfer.finalBlockAcknowledged) }

    private mutating func serverPacket(_ packet: TFTPPacket, _ datagram: Datagram, from source: TransportEndpoint, at mark: TFTPTransfer.FrameMark,
                               limits: TFTPTransferTracker.Limits, allowance: (hard: Int, keep: Int)) {
        if let server = transfer.server {
            guard source.port == server.port else {
                transfer.foreignPackets.record(mark)
                return
            }
        } else {
            transfer.server = source
            transfer.firstReply = mark
        }
        self.packet(packet, datagram, from: .server, at: mark, limits: limits, allowance: allowance)
    }

    /// One packet of the transfer; `allowance` is what the tracker's memory
    /// budget has left.
    private mutating func packet(_ packet: TFTPPacket, _ datagram: Datagram, from side: TFTPTransfer.Side, at mark: TFTPTransfer.FrameMark,
                         limits: TFTPTransferTracker.Limits, allowance: (hard: Int, keep: Int)) {
        defer { countFootprint() }
        transfer.lastFrame = mark
        lastSpeaker = side
        switch packet {
        case .data(let block, let payload):
            guard side == transfer.sender else { return anomaly(.dataFromReceiver, at: mark) }
            // The receiver's stack drops a datagram whose checksum fails: not delivered.
            guard !datagram.checksumFails else {
                transfer.dataPackets += 1
                return transfer.corruptedData.record(mark)
            }
            data(block, payload, at: mark, limits: limits, allowance: allowance)
        case .ack(let block):
            guard side != transfer.sender else { return anomaly(.ackFromSender, at: mark) }
            ack(block, at: mark, limits: limits, allowance: allowance.hard)
        case .error(let code, let message):
            if transfer.error == nil { transfer.error = .init(code: code, message: message, sentBy: side, at: mark) }
        case .optionAcknowledgment(let options):
            guard side == .server else { return anomaly(.optionAcknowledgmentFromClient, at: mark) }
            optionAcknowledgment(options, at: mark)
        case .readRequest, .writeRequest:
            anomaly(.requestInsideTransfer, at: mark)
        }
    }

    mutating func unreachable(_ event: TFTPTransfer.Unreachable) {
        if transfer.unreachable == nil { transfer.unreachable = event }
    }

    // MARK: Packets

    private mutating func optionAcknowledgment(_ options: [TFTPOption], at mark: TFTPTransfer.FrameMark) {
        guard transfer.acceptedOptions == nil else { return }
        transfer.acceptedOptions = options
        let blockSize = options.lazy.compactMap(\.blockSize).first ?? 512
        if transfer.file.highestBlock == 0 {
            transfer.blockSize = blockSize
            transfer.file = RebuiltFile(blockSize: blockSize, keepLimit: keepLimit, keepsBytes: transfer.file.keepsBytes, digests: digests)
        } else {
            anomaly(.optionAcknowledgmentAfterData, at: mark)
        }
        transfer.windowSize = options.lazy.compactMap(\.windowSize).first ?? 1
        if transfer.direction == .read { transfer.announcedSize = options.lazy.compactMap(\.transferSize).first }
    }

    private var reference: Int { max(transfer.file.highestBlock, highestAck, 0) }

    private mutating func data(_ wire: UInt16, _ payload: ByteView, at mark: TFTPTransfer.FrameMark,
                               limits: TFTPTransferTracker.Limits, allowance: (hard: Int, keep: Int)) {
        transfer.dataPackets += 1
        let reference = reference
        let block = blockNumbers.absolute(wire, near: reference)
        guard block >= 1 else { return anomaly(.dataBeforeFirstBlock(wire: wire), at: mark) }
        guard block <= limits.maxBlocks else {
            if !blockLimitNoted { anomaly(.pastBlockLimit(limits.maxBlocks), at: mark) }
            blockLimitNoted = true
            return
        }
        guard block - reference <= limits.maxBlockJump else {
            return anomaly(.implausibleBlock(block: block, highest: reference), at: mark)
        }
        // A file kept only if it is an image is decided by its first block.
        if decidesKeepingOnMagic, block == 1, payload.count >= FirmwareImageLayout.magic.count {
            decidesKeepingOnMagic = false
            if !payload.prefix(FirmwareImageLayout.magic.count).elementsEqual(FirmwareImageLayout.magic) {
                transfer.file.stopKeeping()
                transfer.trace.keepOnlyEnds()
            }
        }
        let highest = transfer.file.highestBlock
        if block > highest, allowance.hard <= 0 {
            // The budget is spent: no block that would grow the block sets.
            if !budgetSpent { anomaly(.memoryBudgetSpent, at: mark) }
            if !budgetSpent { overBudget.stopped = true }
            budgetSpent = true
            return
        }
        let notKeptBefore = transfer.file.blocksOverBudget
        switch transfer.file.add(block: block, data: payload, allowance: allowance.keep) {
        case .new:
            overBudget.blocks += transfer.file.blocksOverBudget - notKeptBefore
            if block < highest { transfer.outOfOrderBlocks.record(mark) }
            transfer.trace.newBlock(.init(frame: mark.frame, time: mark.time, block: block), isFinal: transfer.file.finalBlock == block,
                                    outOfOrder: block < highest)
            if block > progress.block { progress = (block, mark) }
            readImageHeader()
        case .repeated(let sameBytes):
            transfer.retransmittedData.record(mark)
            transfer.trace.retransmitted(.init(frame: mark.frame, time: mark.time, block: block))
            if sameBytes == false { anomaly(.resentWithOtherBytes(block: block), at: mark) }
            noteApprentice(block, at: mark)
        case .oversize(let length):
            anomaly(.oversize(block: block, length: length, blockSize: transfer.blockSize), at: mark)
        case .pastFinalBlock:
            anomaly(.pastFinalBlock(block: block, finalBlock: transfer.file.finalBlock ?? 0), at: mark)
        }
    }

    private mutating func ack(_ wire: UInt16, at mark: TFTPTransfer.FrameMark, limits: TFTPTransferTracker.Limits, allowance: Int) {
        transfer.ackPackets += 1
        let reference = reference
        let block = blockNumbers.absolute(wire, near: reference)
        guard block >= 0 else { return anomaly(.ackBeforeStart(wire: wire), at: mark) }
        guard block <= limits.maxBlocks, block - reference <= limits.maxBlockJump, block <= highestAck || allowance > 0 else { return }
        if acknowledged.contains(block) || block < highestAck {
            transfer.repeatedAcks.record(mark)
            transfer.trace.repeatedAck(.init(frame: mark.frame, time: mark.time, block: block))
            transfer.lastAckRepeats = lastRepeatedAck == block || block == highestAck ? transfer.lastAckRepeats + 1 : 1
            lastRepeatedAck = block
            // The receiver asks again for what follows `block`: the DATA it
            // was sent after that never reached it.
            let sentUpTo = min(transfer.file.highestBlock, block + transfer.windowSize)
            if sentUpTo > block {
                for missed in (block + 1)...sentUpTo where !peerMissed.contains(missed) {
                    peerMissed.insert(missed)
                    transfer.blocksPeerMissed += 1
                }
            }
        } else {
            lastRepeatedAck = nil
            transfer.lastAckRepeats = 0
        }
        acknowledged.insert(block)
        // An ACK after an ERROR proves nothing (some clients answer the ERROR with one).
        if block > highestAck, transfer.error == nil {
            acknowledgedProgress = (block, mark)
            if block > 0 { transfer.trace.newHighestAck(.init(frame: mark.frame, time: mark.time, block: block)) }
        }
        highestAck = max(highestAck, block)
        if let final = transfer.file.finalBlock, block == final { transfer.finalBlockAcknowledged = true }
    }

    /// The Sorcerer's Apprentice (RFC 1350 §6, RFC 1123 §4.2.3.1): a sender
    /// that answers every ACK, repeated ones included, sends each block
    /// twice from then on. Three blocks in a row resent right after a
    /// repeated ACK of the block before are taken as the pattern.
    private mutating func noteApprentice(_ block: Int, at mark: TFTPTransfer.FrameMark) {
        guard lastRepeatedAck == block - 1 else { return }
        if apprenticeRun.lastBlock == block - 1 {
            apprenticeRun.length += 1
        } else {
            apprenticeRun = (block, 1, mark)
        }
        apprenticeRun.lastBlock = block
        if apprenticeRun.length >= 3, transfer.sorcerersApprentice == nil { transfer.sorcerersApprentice = apprenticeRun.start }
    }

    private mutating func anomaly(_ kind: TFTPAnomaly.Kind, at mark: TFTPTransfer.FrameMark) {
        if transfer.anomalies.count < 20 { transfer.anomalies.append(TFTPAnomaly(frame: mark.frame, kind: kind)) }
    }

    // MARK: The record

    func finalTransfer(captureEnd: CaptureTimestamp, linger: Int64) -> TFTPTransfer {
        var t = transfer
        t.acknowledgedThrough = acknowledgedProgress?.block ?? 0
        t.digests = t.file.digests()
        t.gaps = gaps()
        if let error = t.error {
            let probe = error.code == .optionNegotiationFailed && error.sentBy == .client && t.acceptedOptions != nil && t.dataPackets == 0
            t.outcome = probe ? .optionProbe : .error
        } else if t.file.isComplete || (t.file.finalBlock != nil && t.finalBlockAcknowledged) {
            t.outcome = .complete
        } else if endedByAcknowledgment(captureEnd: captureEnd, linger: linger) {
            t.outcome = .complete
            t.completedByAcknowledgment = true
        } else if t.server == nil && t.acknowledgedThrough == 0 {
            t.outcome = t.unreachable == nil ? .unanswered : .unreachable
        } else {
            t.outcome = .stalled
        }
        if t.outcome == .stalled || t.outcome == .unanswered || t.outcome == .unreachable {
            // The receiver's ACKs prove blocks the capture may lack.
            var reached = progress
            if let acked = acknowledgedProgress, acked.block > reached.block { reached = acked }
            t.stall = TFTPTransfer.Stall(block: reached.block, at: reached.at, quietSide: lastSpeaker == .client ? .server : .client,
                                         lastFrame: t.lastFrame, silenceBeforeCaptureEnd: captureEnd.seconds(since: t.lastFrame.time),
                                         supersededBy: supersededBy)
        }
        return t
    }

    /// Its receiver acknowledged a block whose DATA the capture lacks and
    /// has not asked again: if that lasts the linger time, the transfer is
    /// complete by its ACKs, so it is ended then, as a completed one is.
    var mayBeCompleteByAcknowledgment: Bool {
        guard let acked = acknowledgedProgress, transfer.error == nil else { return false }
        return acked.block >= transfer.file.highestBlock && transfer.file.finalBlock == nil
            && !transfer.file.contains(block: acked.block) && lastRepeatedAck == nil
    }

    /// The receiver's ACKs say the transfer reached its end although the
    /// capture lacks the final DATA (filtered to one side, or to port 69):
    /// it acknowledged a block whose DATA is not in the capture, never
    /// asked again (a receiver still waiting repeats its last ACK when its
    /// timer runs out), and the capture went on for `lingerSeconds` after
    /// (to its end, or to the client's next request from the same port).
    /// A block whose DATA the capture holds in full cannot be the final
    /// one (the final block is short), so this never overrules the DATA.
    private func endedByAcknowledgment(captureEnd: CaptureTimestamp, linger: Int64) -> Bool {
        guard mayBeCompleteByAcknowledgment else { return false }
        return captureEnd.seconds(since: transfer.lastFrame.time) >= Double(linger)
    }

    /// The missing runs, each cut where what is known of its blocks
    /// changes (acknowledged or not, cut by the snap length or absent).
    /// Steps from change to change through the block sets, so a long gap
    /// costs a few words, not a step per block.
    private func gaps() -> [TFTPTransfer.Gap] {
        var result: [TFTPTransfer.Gap] = []
        let file = transfer.file
        for run in file.missingRuns() {
            var start = run.lowerBound
            while start <= run.upperBound {
                let kind = classify(start)
                let end = min(nextChange(after: start, kind), run.upperBound + 1)
                result.append(TFTPTransfer.Gap(blocks: start...(end - 1),
                                               bytes: file.byteRange(ofBlock: start).lowerBound..<file.byteRange(ofBlock: end - 1).upperBound,
                                               acknowledged: kind.acknowledged, cutBySnapLength: kind.cut))
                start = end
            }
        }
        return result
    }

    private func classify(_ block: Int) -> (acknowledged: Bool, cut: Bool) {
        let cumulative = transfer.windowSize > 1 && highestAck >= block
        return (acknowledged.contains(block) || cumulative, transfer.file.wasCut(block))
    }

    /// The first block after `block` whose `classify` differs from `kind` (`Int.max`: none).
    private func nextChange(after block: Int, _ kind: (acknowledged: Bool, cut: Bool)) -> Int {
        let cumulative = transfer.windowSize > 1
        let ackChange: Int
        if kind.acknowledged {
            var n = block
            if cumulative, n <= highestAck { n = highestAck + 1 }
            ackChange = acknowledged.contains(n) ? acknowledged.firstAbsent(from: n) : n
        } else {
            ackChange = acknowledged.firstPresent(from: block) ?? Int.max
        }
        let cutChange = kind.cut ? transfer.file.cut.firstAbsent(from: block) : (transfer.file.cut.firstPresent(from: block) ?? Int.max)
        return max(block + 1, min(ackChange, cutChange))
    }
}

/// A UDP datagram of a transfer, with what the tracker may check on it.
struct Datagram {
    var header: UDPHeader
    var payload: ByteView
    var pseudoHeader: PseudoHeader?
    var print: PacketPrint

    /// The checksum is present and wrong: the receiver's stack drops the
    /// datagram. A checksum left for the sending host's network card to
    /// fill (a capture taken on the sender) is not wrong: the card filled
    /// it on the wire. Summed only when asked (for DATA).
    var checksumFails: Bool {
        guard let pseudoHeader, case .invalid = header.checksumStatus(payload: payload, pseudoHeader: pseudoHeader) else { return false }
        return !header.isOffloadPlaceholder(pseudoHeader: pseudoHeader)
    }
}

/// What tells one datagram from another without keeping its bytes: the
/// IP identification, the ports, the UDP checksum and length, and the
/// first eight bytes of the payload (TFTP's opcode and block number). Two
/// copies of one packet (captured on two interfaces, or in two files
/// merged) agree on all of them; a retransmission has a new IP
/// identification, and comes a timeout later. A sender that leaves the
/// identification 0 (IPv6 has none; Linux sends 0 on unconnected sockets
/// with DF set) cannot be told from its own back-to-back resends — the
/// Sorcerer's Apprentice sends each block twice within a millisecond — so
/// its copies count as one only when they were captured on two interfaces.
struct PacketPrint: Equatable {
    var value: UInt64
    var identified: Bool
    var interface: Int

    init(_ header: UDPHeader, _ payload: ByteView, ipID: UInt16, interface: Int) {
        var v = UInt64(ipID) << 48 | UInt64(header.checksum) << 32 | UInt64(truncatingIfNeeded: header.length) << 16
            | UInt64(header.sourcePort ^ header.destinationPort)
        v ^= (payload.uint64(at: 0) ?? UInt64(payload.uint32(at: 0) ?? 0)) &* 0x9E37_79B9_7F4A_7C15
        value = v
        identified = ipID != 0
        self.interface = interface
    }

    /// Whether `other` is this packet captured again.
    func isCopy(of other: PacketPrint) -> Bool {
        value == other.value && (identified || interface != other.interface)
    }
}

/// The last two datagrams each side of a transfer sent, and when.
struct RecentDatagrams {
    /// Copies of one packet closer than this are one packet seen twice.
    static let window = 0.005
    private var client: (PacketPrint, CaptureTimestamp)?, client2: (PacketPrint, CaptureTimestamp)?
    private var server: (PacketPrint, CaptureTimestamp)?, server2: (PacketPrint, CaptureTimestamp)?

    func contains(_ print: PacketPrint, from side: TFTPTransfer.Side, near time: CaptureTimestamp) -> Bool {
        func matches(_ entry: (PacketPrint, CaptureTimestamp)?) -> Bool {
            guard let (p, t) = entry else { return false }
            return print.isCopy(of: p) && abs(time.seconds(since: t)) <= Self.window
        }
        return side == .client ? matches(client) || matches(client2) : matches(server) || matches(server2)
    }

    mutating func remember(_ print: PacketPrint, from side: TFTPTransfer.Side, at time: CaptureTimestamp) {
        if side == .client {
            client2 = client
            client = (print, time)
        } else {
            server2 = server
            server = (print, time)
        }
    }
}
