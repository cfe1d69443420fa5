/// The analysis of a live capture, fed decoded frames one at a time as they
/// arrive, turned into `LiveEvent`s. It is `CaptureAnalysis` — the TFTP
/// tracker and the diagnoses, exactly what `sosdump analyze` runs — and
/// turns the tracker's events into transfers that start, move on and end,
/// and the diagnosis's rules into phone verdicts as they are decided.
///
///     var analysis = LiveAnalysis()
///     decoder.decode(frame, into: &dissection)
///     analysis.observe(dissection)
///     for event in analysis.takeEvents() { … }
///
/// Nothing here knows where frames come from: a capture file fed through it
/// gives the events a live capture of the same traffic would (the tests do
/// that). Per frame it costs the analysis's `observe` and two comparisons;
/// a transfer's progress is read only when the tracker's event for the
/// frame names it, and the phones' verdicts once a second of capture time,
/// when a transfer ends, and when the clock moves with no frame.
///
/// A phone's verdict is reported when the rules of `SOSDiagnosis`
/// decide it as of now: `CAPTURE_ENDED` and `OUTCOME_UNKNOWN` (the exchange
/// is still going on, or the phone has not come back yet) and
/// `NO_RECOVERY_TRAFFIC` are not verdicts yet while the capture runs. If
/// the phone does more later (a new attempt), its new verdict is reported
/// too. When the capture ends, `finish(at:)` concludes as a file of the
/// same frames is concluded: the last `concluded` event is what
/// `sosdump analyze` says of the `-w` file.
public struct LiveAnalysis {
    /// A `transferProgress` event each time a transfer's DATA passes
    /// another multiple of this many blocks.
    public let progressEvery: Int
    @usableFromInline var analysis: CaptureAnalysis
    /// The capture second at which the phones' verdicts are looked at next.
    @usableFromInline var nextVerdictLook = Int64.min
    /// Blocks each open transfer had at its last event.
    @usableFromInline var reportedBlocks: [Int: Int] = [:]
    /// The verdict last reported per phone, with its attempt count.
    private var reportedVerdicts: [MACAddress: (code: VerdictCode, attempts: Int)] = [:]
    /// The 79xx verdict last reported per phone, with its cycle count.
    private var reportedBootVerdicts: [MACAddress: (code: BootVerdictCode, cycles: Int)] = [:]
    @usableFromInline var pending: [LiveEvent] = []
    /// Transfers that have ended so far.
    public private(set) var transfersEnded = 0

    public init(catalog: FirmwareCatalog = .builtIn, thresholds: RecoveryThresholds = RecoveryThresholds(),
                bootThresholds: BootThresholds = BootThresholds(), limits: CaptureAnalysis.Limits = .init(), progressEvery: Int = 64) {
        precondition(progressEvery > 0, "progressEvery must be positive")
        self.progressEvery = progressEvery
        analysis = CaptureAnalysis(catalog: catalog, thresholds: thresholds, bootThresholds: bootThresholds, limits: limits)
        analysis.keepsEndedTransfers = true
    }

    /// Feeds one decoded frame. Inlinable and borrowing, as the analysis's
    /// `observe`, so the dissection is read where it lies.
    @inlinable
    public mutating func observe(_ d: borrowing Dissection) {
        let event = analysis.observe(d)
        let time = d.frame.timestamp
        if analysis.hasEndedTransfers { collectEnded(at: time) }
        if let event { transfer(event, at: time) }
        if time.seconds >= nextVerdictLook { lookAtVerdicts(at: time) }
    }

    /// Moves the clock on without a frame (nothing arrived for a while):
    /// transfers that went quiet long enough end now, and thresholds that
    /// ran out decide verdicts.
    public mutating func advanceClock(to time: CaptureTimestamp) {
        analysis.advanceClock(to: time)
        if analysis.hasEndedTransfers { collectEnded(at: time) }
        lookAtVerdicts(at: time)
    }

    /// The capture is over: the open transfers end and every phone is
    /// concluded exactly as at the end of a capture file of the same frames.
    public mutating func finish(at time: CaptureTimestamp) {
        // Concluded at `time`, the run's end (which `-w` writes in its
        // statistics block, so `analyze` on that file concludes the same).
        let conclusion = analysis.finish(end: time)
        ended(analysis.takeEndedTransfers(), at: time)
        for v in conclusion.sos.phones { report(v, at: time) }
        for v in conclusion.boot.phones { report(v, at: time) }
        pending.append(.concluded(conclusion, at: time))
    }

    /// The events since the last call, in the order they happened.
    public mutating func takeEvents() -> [LiveEvent] {
        defer { pending.removeAll(keepingCapacity: true) }
        return pending
    }

    /// Whether events are waiting.
    public var hasEvents: Bool { !pending.isEmpty }

    /// Where each open transfer stands (for a status display).
    public var openTransfers: [TFTPTransferProgress] { analysis.openTransfers }

    /// Transfers the tracker ended early because too many were open.
    public var evictedTransfers: Int { analysis.evictedTransfers }
    /// The most transfers open at once.
    public var peakOpenTransfers: Int { analysis.peakOpenTransfers }

    /// The tracker's limits.
    public var limits: TFTPTransferTracker.Limits { analysis.limits.tracker }

    // MARK: Events

    /// A transfer the frame touched: started, or past another `progressEvery` blocks.
    @usableFromInline
    mutating func transfer(_ event: TFTPEvent, at time: CaptureTimestamp) {
        guard let progress = analysis.progress(of: event) else { return }
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

    @usableFromInline
    mutating func collectEnded(at time: CaptureTimestamp) {
        ended(analysis.takeEndedTransfers(), at: time)
        // A transfer that ended may decide a verdict (an error, an image).
        lookAtVerdicts(at: time)
    }

    @usableFromInline
    mutating func lookAtVerdicts(at time: CaptureTimestamp) {
        nextVerdictLook = time.seconds + 1
        for v in analysis.sosVerdictsSoFar(at: time) where !Self.undecided.contains(v.code) {
            report(v, at: time)
        }
        for v in analysis.bootVerdictsSoFar(at: time) where !v.code.isUndecided {
            report(v, at: time)
        }
    }

    /// While the capture runs, these say only that nothing is decided yet.
    static let undecided: Set<VerdictCode> = [.captureEnded, .outcomeUnknown, .noRecoveryTraffic]

    private mutating func report(_ v: PhoneVerdict, at time: CaptureTimestamp) {
        let mac = v.identity.mac
        if let last = reportedVerdicts[mac], last.code == v.code, last.attempts == v.attempts { return }
        reportedVerdicts[mac] = (v.code, v.attempts)
        pending.append(.phoneVerdict(v, at: time))
    }

    private mutating func report(_ v: BootPhoneVerdict, at time: CaptureTimestamp) {
        let mac = v.identity.mac
        if let last = reportedBootVerdicts[mac], last.code == v.code, last.cycles == v.cycleCount { return }
        reportedBootVerdicts[mac] = (v.code, v.cycleCount)
        pending.append(.bootPhoneVerdict(v, at: time))
    }

    private mutating func ended(_ transfers: [EndedTransfer], at time: CaptureTimestamp) {
        for e in transfers {
            let t = e.transfer
            if reportedBlocks.removeValue(forKey: t.number) == nil {
                // Opened and ended between two events (a request that an
                // eviction ended at once): no end comes unannounced.
                pending.append(.transferStarted(TFTPTransferProgress(t), at: t.request.time))
            }
            pending.append(.transferEnded(t, image: e.image, at: time))
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
