/// The analysis of a live capture, fed decoded frames one at a time as they
/// arrive, turned into `LiveEvent`s: the same `TFTPTransferTracker` the
/// offline commands run, watched for transfers that start, move on and end.
///
///     var analysis = LiveAnalysis()
///     decoder.decode(frame, into: &dissection)
///     analysis.observe(dissection)
///     for event in analysis.takeEvents() { … }
///
/// Nothing here knows where frames come from: a capture file fed through it
/// gives the events a live capture of the same traffic would (the tests do
/// that). Per frame it costs the tracker's `observe` and one integer
/// comparison; the tracker's progress is read only when a TFTP packet (or
/// an ICMP error) may have touched a transfer.
///
/// When the phone-story analysis lands (issue 5), its state machine is fed
/// here too, beside the tracker, and its verdicts become more cases of
/// `LiveEvent`.
public struct LiveAnalysis {
    /// A `transferProgress` event each time a transfer's DATA passes
    /// another multiple of this many blocks.
    public let progressEvery: Int
    @usableFromInline var tracker: TFTPTransferTracker
    @usableFromInline var seenActivity = 0
    /// Blocks each open transfer had at its last event.
    private var reportedBlocks: [Int: Int] = [:]
    private var pending: [LiveEvent] = []
    /// Transfers that have ended so far.
    public private(set) var transfersEnded = 0

    public init(limits: TFTPTransferTracker.Limits = .init(), progressEvery: Int = 64) {
        precondition(progressEvery > 0, "progressEvery must be positive")
        self.progressEvery = progressEvery
        tracker = TFTPTransferTracker(limits: limits)
    }

    /// Feeds one decoded frame. Inlinable and borrowing, as the tracker's
    /// `observe`, so the dissection is read where it lies.
    @inlinable
    public mutating func observe(_ d: borrowing Dissection) {
        tracker.observe(d)
        if tracker.activity != seenActivity || tracker.hasFinished {
            collect(at: d.frame.timestamp)
        }
    }

    /// Moves the clock on without a frame (nothing arrived for a while):
    /// transfers that went quiet long enough end now.
    public mutating func advanceClock(to time: CaptureTimestamp) {
        tracker.advanceClock(to: time)
        if tracker.hasFinished { collect(at: time) }
    }

    /// Ends every open transfer: the capture is over.
    public mutating func finish(at time: CaptureTimestamp) {
        tracker.advanceClock(to: time)
        let remaining = tracker.finish()
        ended(remaining, at: time)
    }

    /// The events since the last call, in the order they happened.
    public mutating func takeEvents() -> [LiveEvent] {
        defer { pending.removeAll(keepingCapacity: true) }
        return pending
    }

    /// Whether events are waiting.
    public var hasEvents: Bool { !pending.isEmpty }

    /// Where each open transfer stands (for a status display).
    public var openTransfers: [TFTPTransferProgress] { tracker.activeProgress }

    /// Transfers the tracker ended early because too many were open.
    public var evictedTransfers: Int { tracker.evictedTransfers }

    /// The tracker's limits.
    public var limits: TFTPTransferTracker.Limits { tracker.limits }

    // MARK: Events

    @usableFromInline
    mutating func collect(at time: CaptureTimestamp) {
        seenActivity = tracker.activity
        if tracker.hasFinished { ended(tracker.takeFinished(), at: time) }
        for progress in tracker.activeProgress {
            if let last = reportedBlocks[progress.number] {
                if progress.blocks / progressEvery > last / progressEvery {
                    pending.append(.transferProgress(progress, at: time))
                    reportedBlocks[progress.number] = progress.blocks
                }
            } else {
                pending.append(.transferStarted(progress, at: progress.request.time))
                reportedBlocks[progress.number] = progress.blocks
            }
        }
    }

    private mutating func ended(_ transfers: [TFTPTransfer], at time: CaptureTimestamp) {
        for t in transfers {
            if reportedBlocks.removeValue(forKey: t.number) == nil {
                // Opened and ended between two looks (never, as every
                // request moves `activity`; kept so no end comes unannounced).
                pending.append(.transferStarted(TFTPTransferProgress(t), at: t.request.time))
            }
            pending.append(.transferEnded(t, at: time))
            transfersEnded += 1
        }
    }
}

extension TFTPTransferProgress {
    /// The progress of a transfer that has ended, from its record.
    public init(_ t: TFTPTransfer) {
        self.init(number: t.number, direction: t.direction, fileName: t.fileName, client: t.client,
                  requestDestination: t.requestDestination, server: t.server, request: t.request, firstReply: t.firstReply,
                  lastFrame: t.lastFrame, lastNewBlock: nil, blocks: t.file.blocksCaptured, bytes: t.file.bytesCaptured,
                  highestBlock: t.file.highestBlock, blockSize: t.blockSize, announcedSize: t.announcedSize, size: t.fileSize,
                  retransmittedData: t.retransmittedData.count, repeatedAcks: t.repeatedAcks.count, failed: t.error != nil,
                  isDone: t.outcome != .stalled && t.outcome != .unanswered, imageSize: nil)
    }
}
