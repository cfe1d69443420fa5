/// A transfer's block numbers against time, bounded, for a chart of its
/// progress (the HTML report draws one per download): the new blocks and
/// the receiver's new highest ACKs (all a capture of the phone's frames
/// alone shows), each thinned as the transfer grows, and the events a chart marks, kept up to
/// a limit — DATA sent again, a block below the highest, an ACK repeated —
/// with the first and the last new block and the final (short) block kept
/// whatever the thinning.
///
/// Thinning: when `maxProgressPoints` new blocks are held, every other one
/// is dropped and from then on only every `stride`-th new block is kept
/// (the stride doubles each time). The points stay spread evenly over the
/// blocks; memory stays bounded (about 20 KB at most per transfer); the
/// cost per DATA packet is a comparison and, now and then, an append.
///
/// A transfer nobody draws (a file whose bytes the tracker does not keep:
/// not an image, not read by a diagnosis) keeps only its ends
/// (`keepOnlyEnds()`): its first, last and final block and highest ACK,
/// and its events counted. A boot storm holds tens of thousands of such
/// transfers open at once, and their points were as much memory as the
/// rest of their state.
public struct TFTPBlockTrace: Sendable, Equatable {
    /// A DATA or ACK packet of the transfer: its frame, its time and its block (unwrapped past 65535).
    public struct Point: Sendable, Equatable {
        public var frame: Int
        public var time: CaptureTimestamp
        public var block: Int
    }

    /// New blocks held at most, before thinning.
    public static let maxProgressPoints = 128
    /// Points of each kind of event held at most; more are counted.
    public static let maxEventsPerKind = 128

    /// New blocks, in the order they came, thinned.
    public var progress: [Point] { newBlocks.kept }
    /// The last new block, kept whatever the thinning.
    public var lastProgress: Point? { newBlocks.last }
    /// ACKs of a block above every one acknowledged before, thinned.
    public var acknowledged: [Point] { acks.kept }
    /// The highest ACK, kept whatever the thinning.
    public var lastAcknowledged: Point? { acks.last }
    /// The final (short) block's DATA, the first time it came.
    public private(set) var finalBlock: Point?
    /// DATA for a block already seen.
    public private(set) var retransmissions: [Point] = []
    /// DATA for a block below the highest, not seen before.
    public private(set) var outOfOrder: [Point] = []
    /// ACKs for a block already acknowledged.
    public private(set) var repeatedAcks: [Point] = []
    /// Events past `maxEventsPerKind`, counted only.
    public private(set) var eventsNotKept = 0
    private var newBlocks = Thinned()
    private var acks = Thinned()
    private var keepsPoints: Bool { !newBlocks.endsOnly }

    public init() {}

    /// From now on only the ends are kept; the points held go.
    mutating func keepOnlyEnds() {
        guard keepsPoints else { return }
        eventsNotKept += retransmissions.count + outOfOrder.count + repeatedAcks.count
        retransmissions = []
        outOfOrder = []
        repeatedAcks = []
        newBlocks.keepOnlyEnds()
        acks.keepOnlyEnds()
    }

    /// Bytes its points hold on the heap (the tracker's budget counts them).
    var footprint: Int {
        (newBlocks.points.capacity + acks.points.capacity + retransmissions.capacity + outOfOrder.capacity + repeatedAcks.capacity)
            * MemoryLayout<Point>.stride
    }

    mutating func newBlock(_ p: Point, isFinal: Bool, outOfOrder late: Bool) {
        if isFinal, finalBlock == nil { finalBlock = p }
        if late { keep(p, in: \.outOfOrder) }
        newBlocks.add(p)
    }

    mutating func newHighestAck(_ p: Point) { acks.add(p) }

    mutating func retransmitted(_ p: Point) { keep(p, in: \.retransmissions) }

    mutating func repeatedAck(_ p: Point) { keep(p, in: \.repeatedAcks) }

    private mutating func keep(_ p: Point, in list: WritableKeyPath<TFTPBlockTrace, [Point]>) {
        if keepsPoints, self[keyPath: list].count < Self.maxEventsPerKind { self[keyPath: list].append(p) } else { eventsNotKept += 1 }
    }

    /// Points in order, at most `maxProgressPoints`: when full, every
    /// other one goes and the stride between kept points doubles.
    private struct Thinned: Sendable, Equatable {
        var points: [Point] = []
        var last: Point?
        var stride = 1
        var sinceKept = 0
        /// Only the first point and `last` (`keepOnlyEnds()`).
        var endsOnly = false
        var first: Point?

        /// The points held, or the first alone.
        var kept: [Point] { endsOnly ? (first.map { [$0] } ?? []) : points }

        mutating func keepOnlyEnds() {
            endsOnly = true
            first = first ?? points.first
            points = []
        }

        mutating func add(_ p: Point) {
            last = p
            if endsOnly {
                if first == nil { first = p }
                return
            }
            sinceKept += 1
            guard points.isEmpty || sinceKept >= stride else { return }
            sinceKept = 0
            if points.count >= TFTPBlockTrace.maxProgressPoints {
                // Every other point, the first kept.
                var kept = 0
                for i in Swift.stride(from: 0, to: points.count, by: 2) {
                    points[kept] = points[i]
                    kept += 1
                }
                points.removeLast(points.count - kept)
                stride *= 2
            }
            points.append(p)
        }
    }
}
