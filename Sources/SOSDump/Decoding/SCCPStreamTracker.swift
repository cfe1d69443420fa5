/// The SCCP messages of a capture, connection by connection: each TCP
/// segment to or from port 2000 goes to its direction's
/// ``TCPStreamReassembler``, and the bytes it gives are cut into messages
/// with ``SCCPFraming``. A bounded state machine fed dissections in
/// capture order: a frame that is not TCP port 2000 costs a switch and two
/// comparisons and allocates nothing.
///
/// Limits: directions followed at once (the oldest is let go when a new
/// one would pass the limit), bytes held past a hole (the reassembler's
/// limits) and the length of one message (``SCCP/maximumLength``). Each
/// time one is hit it is counted (``counters``) and said in an event, so a
/// report can say what it did not see.
///
/// After a gap, or when a capture starts mid-connection, the stream is not
/// known to be at a message boundary: the tracker waits for a segment
/// whose first bytes frame as a message (phones send one or more whole
/// messages per segment) and says how many bytes it skipped.
public struct SCCPStreamTracker: Sendable {
    public struct Limits: Sendable, Equatable {
        public var maxDirections: Int
        public var stream: TCPStreamReassembler.Limits

        public init(maxDirections: Int = 4096, stream: TCPStreamReassembler.Limits = .init()) {
            self.maxDirections = maxDirections
            self.stream = stream
        }
    }

    /// What the limits and the stream's damage cost, capture-wide.
    public struct Counters: Sendable, Equatable {
        /// Directions let go to make room for a new one.
        public var directionsEvicted = 0
        /// Holes given up because held bytes reached their limit.
        public var heldLimitHits = 0
        /// Segments whose bytes had all been seen before.
        public var retransmissions = 0
        /// Bytes never captured (holes and snap-length cuts).
        public var bytesMissing = 0
        /// Bytes skipped because they did not frame as messages.
        public var bytesSkipped = 0
        public var messages = 0
    }

    /// One direction of a connection: from `source` to `destination`.
    public struct Direction: Hashable, Sendable, CustomStringConvertible {
        public var source: IPAddress
        public var sourcePort: UInt16
        public var destination: IPAddress
        public var destinationPort: UInt16

        public var reversed: Direction { Direction(source: destination, sourcePort: destinationPort, destination: source, destinationPort: sourcePort) }

        public var description: String { "\(source).\(sourcePort) > \(destination).\(destinationPort)" }
    }

    struct Flow: Sendable {
        var direction: Direction
        var stream: TCPStreamReassembler
        /// Bytes of a message not yet complete.
        var partial: [UInt8] = []
        var partialFirstFrame = 0
        /// Not known to be at a message boundary.
        var seeking = false
        var lastFrame: Int
    }

    public let limits: Limits
    public private(set) var counters = Counters()
    private var flows: [Flow] = []
    private var index: [Direction: Int] = [:]

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Whether a segment is SCCP by its ports (2000 either side).
    @inlinable
    public static func isSCCP(_ header: TCPHeader) -> Bool {
        header.sourcePort == SCCP.port || header.destinationPort == SCCP.port
    }

    /// Feeds one frame; returns what it completed (empty for most frames).
    public mutating func observe(_ d: Dissection) -> [SCCPStreamEvent] {
        guard case .tcp(let header, let payload) = d.transport, Self.isSCCP(header),
              let (source, destination) = d.ipAddresses else { return [] }
        let frame = d.frame.number
        let direction = Direction(source: source, sourcePort: header.sourcePort, destination: destination, destinationPort: header.destinationPort)
        var events: [SCCPStreamEvent] = []
        var pieces: [TCPStreamPiece] = []

        // The acknowledgement tells the other direction what was sent.
        if header.flags & 0x10 != 0, let r = index[direction.reversed], flows[r].stream.isHolding {
            flows[r].stream.acknowledged(header.acknowledgmentNumber, into: &pieces)
            frameMessages(flow: r, pieces: pieces, frame: frame, into: &events)
            pieces.removeAll()
        }

        let hasContent = payload.wireCount > 0 || header.flags & 0x07 != 0
        guard hasContent else { return events }
        let i: Int
        if let known = index[direction] {
            i = known
        } else {
            guard payload.wireCount > 0 || header.flags & 0x02 != 0 else { return events }
            i = add(direction, frame: frame, into: &events)
        }
        let before = (flows[i].stream.retransmissions, flows[i].stream.heldLimitHits)
        flows[i].stream.segment(header, payload: payload, into: &pieces)
        counters.retransmissions += flows[i].stream.retransmissions - before.0
        counters.heldLimitHits += flows[i].stream.heldLimitHits - before.1
        flows[i].lastFrame = frame
        frameMessages(flow: i, pieces: pieces, frame: frame, into: &events)
        if flows[i].stream.isClosed { remove(i) }
        return events
    }

    /// The end of the capture: bytes still held past holes are delivered,
    /// and a message left incomplete is said as such.
    public mutating func finish() -> [SCCPStreamEvent] {
        var events: [SCCPStreamEvent] = []
        for i in flows.indices {
            var pieces: [TCPStreamPiece] = []
            flows[i].stream.finish(into: &pieces)
            frameMessages(flow: i, pieces: pieces, frame: flows[i].lastFrame, into: &events)
            if !flows[i].partial.isEmpty {
                events.append(.incomplete(direction: flows[i].direction, firstFrame: flows[i].partialFirstFrame, bytes: flows[i].partial.count))
            }
        }
        flows.removeAll()
        index.removeAll()
        return events
    }

    /// Directions followed now.
    public var openDirections: Int { flows.count }

    private mutating func add(_ direction: Direction, frame: Int, into events: inout [SCCPStreamEvent]) -> Int {
        if flows.count >= limits.maxDirections, let oldest = flows.indices.min(by: { flows[$0].lastFrame < flows[$1].lastFrame }) {
            // Speed: a scan, only when a new direction arrives at the limit.
            counters.directionsEvicted += 1
            events.append(.evicted(direction: flows[oldest].direction))
            remove(oldest)
        }
        index[direction] = flows.count
        flows.append(Flow(direction: direction, stream: TCPStreamReassembler(limits: limits.stream), lastFrame: frame))
        return flows.count - 1
    }

    private mutating func remove(_ i: Int) {
        index[flows[i].direction] = nil
        let last = flows.count - 1
        if i != last {
            flows.swapAt(i, last)
            index[flows[i].direction] = i
        }
        flows.removeLast()
    }

    private mutating func frameMessages(flow i: Int, pieces: [TCPStreamPiece], frame: Int, into events: inout [SCCPStreamEvent]) {
        let direction = flows[i].direction
        for piece in pieces {
            switch piece {
            case .start(let midStream):
                flows[i].partial.removeAll()
                flows[i].seeking = midStream
            case .gap(let n):
                counters.bytesMissing += n
                events.append(.gap(direction: direction, frame: frame, bytes: n, lostMessageBytes: flows[i].partial.count))
                flows[i].partial.removeAll()
                flows[i].seeking = true
            case .bytes(let bytes):
                if flows[i].seeking {
                    // Resynchronise only where a segment's bytes begin.
                    let fits = bytes.withUnsafeBytes { raw -> Bool in
                        if case .invalid = SCCPFraming.check(ByteView(raw)) { return false }
                        return bytes.count >= SCCP.headerLength
                    }
                    guard fits else {
                        counters.bytesSkipped += bytes.count
                        events.append(.skipped(direction: direction, frame: frame, bytes: bytes.count))
                        continue
                    }
                    flows[i].seeking = false
                }
                if flows[i].partial.isEmpty { flows[i].partialFirstFrame = frame }
                flows[i].partial += bytes
                cut(flow: i, frame: frame, into: &events)
            }
        }
    }

    /// Cuts every whole message off the front of the flow's bytes.
    private mutating func cut(flow i: Int, frame: Int, into events: inout [SCCPStreamEvent]) {
        let direction = flows[i].direction
        var used = 0
        var problem: DecodeProblem?
        flows[i].partial.withUnsafeBytes { raw in
            let all = ByteView(raw)
            while let rest = all.dropFirst(used), !rest.isEmpty {
                switch SCCPFraming.check(rest) {
                case .needMore:
                    return
                case .invalid(let p):
                    problem = p
                    return
                case .message(let total):
                    if let bytes = rest.slice(at: 0, length: total), let message = try? SCCPMessage.decode(bytes) {
                        events.append(.message(message, direction: direction, firstFrame: used == 0 ? flows[i].partialFirstFrame : frame, frame: frame))
                        counters.messages += 1
                    }
                    used += total
                }
            }
        }
        if let problem {
            let skipped = flows[i].partial.count - used
            counters.bytesSkipped += skipped
            events.append(.unframed(direction: direction, frame: frame, problem: problem, bytes: skipped))
            flows[i].partial.removeAll()
            flows[i].seeking = true
        } else {
            flows[i].partial.removeFirst(used)
            if !flows[i].partial.isEmpty, used > 0 { flows[i].partialFirstFrame = frame }
        }
    }
}

/// What the tracker makes of a frame.
public enum SCCPStreamEvent: Sendable, Equatable {
    /// A whole message, its first byte in `firstFrame`, its last in `frame`.
    case message(SCCPMessage, direction: SCCPStreamTracker.Direction, firstFrame: Int, frame: Int)
    /// `bytes` of the stream were not captured; the message in progress
    /// (`lostMessageBytes` already seen) is lost with them.
    case gap(direction: SCCPStreamTracker.Direction, frame: Int, bytes: Int, lostMessageBytes: Int)
    /// Bytes skipped while looking for a message boundary after a gap or
    /// mid-stream start.
    case skipped(direction: SCCPStreamTracker.Direction, frame: Int, bytes: Int)
    /// Bytes where a message should start that do not frame as one.
    case unframed(direction: SCCPStreamTracker.Direction, frame: Int, problem: DecodeProblem, bytes: Int)
    /// The capture ended inside a message.
    case incomplete(direction: SCCPStreamTracker.Direction, firstFrame: Int, bytes: Int)
    /// A direction let go to stay within the limit.
    case evicted(direction: SCCPStreamTracker.Direction)
}
