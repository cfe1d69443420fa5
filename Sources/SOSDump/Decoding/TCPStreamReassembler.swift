/// One direction of a TCP connection put back in order (RFC 9293 §3.4,
/// sequence numbers modulo 2^32, compared as RFC 1982 serial numbers), for
/// a protocol that frames messages in the byte stream (SCCP).
///
/// A bounded state machine fed segments; it says what the stream holds as
/// ``TCPStreamPiece``s, in order:
/// - bytes in sequence, delivered at once; a retransmission (bytes already
///   delivered) is dropped and counted, a segment that overlaps the
///   delivered part is trimmed to its new bytes;
/// - a segment past a hole is held (copied) until the hole fills;
/// - a hole that will not fill is said as a ``TCPStreamPiece/gap(_:)`` of
///   so many bytes: when the other side acknowledges past it (it was sent,
///   the capture lost it), when the held bytes or segments reach their
///   limit, at FIN, or at the end of the capture (`finish`); then the held
///   bytes follow;
/// - bytes the capture cut off a segment (snap length) are a gap too.
///
/// It starts at a SYN, or mid-stream at the first segment it sees (a
/// capture started after the connection); ``TCPStreamPiece/start(midStream:)``
/// says which, so the framer knows whether the first byte starts a message.
public struct TCPStreamReassembler: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Bytes held past a hole.
        public var maxHeldBytes: Int
        /// Segments held past a hole.
        public var maxHeldSegments: Int

        public init(maxHeldBytes: Int = 65536, maxHeldSegments: Int = 32) {
            self.maxHeldBytes = maxHeldBytes
            self.maxHeldSegments = maxHeldSegments
        }
    }

    enum State: Sendable {
        /// Nothing seen yet.
        case waiting
        /// Bytes from `next` on are still to come; `held` lie past a hole, sorted by sequence.
        case open(next: UInt32, held: [HeldSegment], heldBytes: Int)
        /// FIN or RST seen.
        case closed
    }

    struct HeldSegment: Sendable {
        var sequence: UInt32
        var bytes: [UInt8]
    }

    let limits: Limits
    private(set) var state: State = .waiting
    /// Segments whose bytes were all delivered before.
    public private(set) var retransmissions = 0
    /// Times a limit on held bytes forced a hole to be given up as a gap.
    public private(set) var heldLimitHits = 0

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Whether bytes past a hole are held.
    public var isHolding: Bool {
        if case .open(_, let held, _) = state { return !held.isEmpty }
        return false
    }

    public var isClosed: Bool { if case .closed = state { true } else { false } }

    /// Feeds a segment of this direction; appends what it makes to `out`.
    public mutating func segment(_ header: TCPHeader, payload: ByteView, into out: inout [TCPStreamPiece]) {
        let syn = header.flags & 0x02 != 0, fin = header.flags & 0x01 != 0, rst = header.flags & 0x04 != 0
        var seq = header.sequenceNumber
        if syn {
            state = .open(next: seq &+ 1, held: [], heldBytes: 0)
            out.append(.start(midStream: false))
            seq &+= 1
        }
        guard case .open(var next, var held, var heldBytes) = state else {
            guard case .waiting = state, !payload.isEmpty || fin || rst else { return }
            if rst { state = .closed; return }
            state = .open(next: seq, held: [], heldBytes: 0)
            out.append(.start(midStream: true))
            segment(header, payload: payload, into: &out)
            return
        }
        defer { if rst { state = .closed } }

        let length = payload.wireCount
        if length > 0 {
            let offset = Int(Int32(bitPattern: seq &- next))
            if offset + length <= 0 {
                retransmissions += 1
            } else if offset <= 0 {
                deliver(payload, skipping: -offset, next: &next, into: &out)
                drain(next: &next, held: &held, heldBytes: &heldBytes, into: &out)
            } else {
                // Past a hole: hold what was captured (a snap-length cut is a hole of its own).
                let bytes = Array(payload)
                let whole = bytes.count == length
                if held.count < limits.maxHeldSegments, heldBytes + bytes.count <= limits.maxHeldBytes, whole {
                    let at = held.firstIndex { Int32(bitPattern: $0.sequence &- seq) > 0 } ?? held.count
                    held.insert(HeldSegment(sequence: seq, bytes: bytes), at: at)
                    heldBytes += bytes.count
                } else {
                    heldLimitHits += whole ? 1 : 0
                    // Give up the hole: everything held comes first, then this segment.
                    skipHole(upTo: held.first.map(\.sequence) ?? seq, next: &next, into: &out)
                    drain(next: &next, held: &held, heldBytes: &heldBytes, into: &out)
                    let offset = Int(Int32(bitPattern: seq &- next))
                    if offset > 0 { skipHole(upTo: seq, next: &next, into: &out) }
                    if offset + length > 0 { deliver(payload, skipping: max(0, -offset), next: &next, into: &out) }
                }
            }
        }
        if fin || rst {
            // Whatever is still held past a hole will not be filled.
            close(next: &next, held: &held, heldBytes: &heldBytes, into: &out)
            state = .closed
            return
        }
        state = .open(next: next, held: held, heldBytes: heldBytes)
    }

    /// The other direction acknowledged up to `ack`: bytes before it were
    /// sent, so a hole before it was lost by the capture, not by the network.
    public mutating func acknowledged(_ ack: UInt32, into out: inout [TCPStreamPiece]) {
        guard case .open(var next, var held, var heldBytes) = state, let first = held.first,
              Int32(bitPattern: ack &- next) > 0 else { return }
        skipHole(upTo: Int32(bitPattern: first.sequence &- ack) < 0 ? first.sequence : ack, next: &next, into: &out)
        drain(next: &next, held: &held, heldBytes: &heldBytes, into: &out)
        state = .open(next: next, held: held, heldBytes: heldBytes)
    }

    /// The capture ended: what is held is delivered after its holes.
    public mutating func finish(into out: inout [TCPStreamPiece]) {
        guard case .open(var next, var held, var heldBytes) = state else { return }
        close(next: &next, held: &held, heldBytes: &heldBytes, into: &out)
        state = .open(next: next, held: held, heldBytes: heldBytes)
    }

    private func close(next: inout UInt32, held: inout [HeldSegment], heldBytes: inout Int, into out: inout [TCPStreamPiece]) {
        while let first = held.first {
            skipHole(upTo: first.sequence, next: &next, into: &out)
            drain(next: &next, held: &held, heldBytes: &heldBytes, into: &out)
        }
    }

    private func skipHole(upTo seq: UInt32, next: inout UInt32, into out: inout [TCPStreamPiece]) {
        let missing = Int(Int32(bitPattern: seq &- next))
        guard missing > 0 else { return }
        out.append(.gap(missing))
        next = seq
    }

    private func deliver(_ payload: ByteView, skipping: Int, next: inout UInt32, into out: inout [TCPStreamPiece]) {
        let captured = max(0, payload.count - skipping)
        if captured > 0, let bytes = payload.slice(at: skipping, length: captured) { out.append(.bytes(Array(bytes))) }
        let lost = payload.wireCount - skipping - captured
        if lost > 0 { out.append(.gap(lost)) }
        next &+= UInt32(truncatingIfNeeded: payload.wireCount - skipping)
    }

    /// Delivers held segments that now follow on.
    private func drain(next: inout UInt32, held: inout [HeldSegment], heldBytes: inout Int, into out: inout [TCPStreamPiece]) {
        while let first = held.first, Int32(bitPattern: first.sequence &- next) <= 0 {
            held.removeFirst()
            heldBytes -= first.bytes.count
            // A held segment may overlap what was delivered since: only its new bytes count.
            let skip = Int(Int32(bitPattern: next &- first.sequence))
            if skip < first.bytes.count {
                out.append(.bytes(Array(first.bytes[skip...])))
                next &+= UInt32(first.bytes.count - skip)
            }
        }
    }
}

/// What a direction's stream holds next.
public enum TCPStreamPiece: Sendable, Equatable {
    /// The stream begins: at a SYN, or mid-stream (the capture started
    /// after the connection, so the first byte may be inside a message).
    case start(midStream: Bool)
    /// Bytes in order.
    case bytes([UInt8])
    /// So many bytes of the stream were not captured.
    case gap(Int)
}
