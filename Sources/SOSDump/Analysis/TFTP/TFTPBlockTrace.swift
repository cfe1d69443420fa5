/// A transfer's block numbers against time, bounded, for a chart of its
/// progress (the HTML report draws one per download): the new blocks,
/// thinned as the transfer grows, and the events a chart marks, kept up to
/// a limit — DATA sent again, a block below the highest, an ACK repeated —
/// with the first and the last new block and the final (short) block kept
/// whatever the thinning.
///
/// Thinning: when `maxProgressPoints` new blocks are held, every other one
/// is dropped and from then on only every `stride`-th new block is kept
/// (the stride doubles each time). The points stay spread evenly over the
/// blocks; memory stays bounded (about 15 KB at most per transfer); the
/// cost per DATA packet is a comparison and, now and then, an append.
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
    public private(set) var progress: [Point] = []
    /// The last new block, kept whatever the thinning.
    public private(set) var lastProgress: Point?
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
    private var stride = 1
    private var sinceKept = 0

    public init() {}

    mutating func newBlock(_ p: Point, isFinal: Bool, outOfOrder late: Bool) {
        if isFinal, finalBlock == nil { finalBlock = p }
        if late { Self.keep(p, in: &outOfOrder, dropped: &eventsNotKept) }
        lastProgress = p
        sinceKept += 1
        guard progress.isEmpty || sinceKept >= stride else { return }
        sinceKept = 0
        if progress.count >= Self.maxProgressPoints {
            // Every other point, the first kept.
            var kept = 0
            for i in Swift.stride(from: 0, to: progress.count, by: 2) {
                progress[kept] = progress[i]
                kept += 1
            }
            progress.removeLast(progress.count - kept)
            stride *= 2
        }
        progress.append(p)
    }

    mutating func retransmitted(_ p: Point) { Self.keep(p, in: &retransmissions, dropped: &eventsNotKept) }

    mutating func repeatedAck(_ p: Point) { Self.keep(p, in: &repeatedAcks, dropped: &eventsNotKept) }

    private static func keep(_ p: Point, in list: inout [Point], dropped: inout Int) {
        if list.count < maxEventsPerKind { list.append(p) } else { dropped += 1 }
    }
}
