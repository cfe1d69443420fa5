/// The one walk over a capture: every decoded frame goes, once, to the TFTP
/// tracker and then to every diagnosis with the tracker's event for it;
/// every transfer the tracker ends goes to every diagnosis with its file,
/// checked as a firmware image at most once. `analyze` and `check` run it
/// over a file (`analyze(_:)`), `sosdump live` frame by frame
/// (`LiveAnalysis`): the same code either way.
///
/// ```
///  Dissection ─► TFTPTransferTracker.observe ─► TFTPEvent? ─┐
///       └──────────────────────────────────────────────────┴─► SOSDiagnosis.observe, BootDiagnosis.observe
///                 takeFinished() ─► EndedTransfer ───────────► SOSDiagnosis.transferEnded, BootDiagnosis.transferEnded
///  finish() ─► CaptureConclusion (each diagnosis's conclusion)
/// ```
///
/// A new diagnosis is one more stored property here, fed in `observe`,
/// `ended` and `finish` beside the S.O.S. one (docs/architecture.md).
/// Stored, not an array of existentials: the per-frame calls are inlined.
public struct CaptureAnalysis {
    public struct Limits: Sendable {
        /// The TFTP tracker's limits: by default it keeps only the bytes of
        /// files that may be firmware images (what the diagnoses read), and
        /// computes MD5 only for images.
        public var tracker = TFTPTransferTracker.Limits.checking
        public var sos = SOSDiagnosis.Limits()
        public var boot = BootDiagnosis.Limits()

        public init() {}
    }

    public let limits: Limits
    public let catalog: FirmwareCatalog
    @usableFromInline var tracker: TFTPTransferTracker
    @usableFromInline var sos: SOSDiagnosis
    @usableFromInline var boot: BootDiagnosis
    @usableFromInline var span = CaptureSpan()
    /// Comments on frames (pcapng), for the report.
    @usableFromInline var comments = CaptureComments()
    @usableFromInline var shape = CaptureShape()

    /// Set by a live reader: every transfer the tracker ends is also kept,
    /// with its image check, until `takeEndedTransfers()`.
    public var keepsEndedTransfers = false
    @usableFromInline var endedTransfers: [EndedTransfer] = []

    public init(catalog: FirmwareCatalog = .builtIn, thresholds: RecoveryThresholds = RecoveryThresholds(),
                bootThresholds: BootThresholds = BootThresholds(), limits: Limits = Limits()) {
        self.catalog = catalog
        self.limits = limits
        // The files a diagnosis reads are kept whatever the tracker's policy.
        var trackerLimits = limits.tracker
        trackerLimits.alsoKeep += BootDiagnosis.filesRead
        tracker = TFTPTransferTracker(limits: trackerLimits)
        sos = SOSDiagnosis(catalog: catalog, thresholds: thresholds, limits: limits.sos)
        boot = BootDiagnosis(thresholds: bootThresholds, limits: limits.boot)
    }

    /// Feeds one decoded frame; returns what it did to the transfers.
    /// Always inlined, with the diagnoses' `observe`: called out of line,
    /// each would be handed a copy of the dissection per frame.
    @inlinable @inline(__always) @discardableResult
    public mutating func observe(_ d: borrowing Dissection) -> TFTPEvent? {
        span.count(d.frame.timestamp)
        if d.frame.options != nil { comments.observe(d.frame) }
        shape.observe(d)
        let event = tracker.observe(d)
        sos.observe(d, tftp: event, span: span)
        boot.observe(d, tftp: event, span: span)
        if tracker.hasFinished { takeTransfers() }
        return event
    }

    /// Moves the clock on without a frame (a live capture where nothing
    /// arrived): transfers quiet for long enough end now. The capture's
    /// last time stays its last frame's until `finish(end:)` is told when
    /// the run stopped (which `-w` writes in its file, so that `analyze` on
    /// it concludes the same).
    public mutating func advanceClock(to time: CaptureTimestamp) {
        tracker.advanceClock(to: time)
        if tracker.hasFinished { takeTransfers() }
    }

    /// Ends the capture: the open transfers end, and every diagnosis
    /// concludes. `damage`: what stopped reading the file, if something did.
    /// `end`: when the capture stopped, if that is known and later than its
    /// last frame (a live run's end; a pcapng file's statistics block): the
    /// silence until then is evidence like any frame.
    public mutating func finish(damage: CaptureError? = nil, end: CaptureTimestamp? = nil) -> CaptureConclusion {
        if let damage { span.damage = CaptureDamage(error: damage, lastFrame: span.frames) }
        if let end, let last = span.lastTime, end > last {
            advanceClock(to: end)
            span.lastTime = end
        }
        // Handed out one by one, each state let go as it goes; the tracker
        // is moved out for it, since `ended` changes the rest of self.
        var finishing = tracker
        tracker = TFTPTransferTracker(limits: tracker.limits)
        finishing.finish { ended($0) }
        tracker = finishing
        var sosAnalysis = sos.finish(span: span)
        if shape.duplicateTFTPFrames > 0 {
            // One count of frames seen twice: the S.O.S. diagnosis's and the tracker's.
            let i = sosAnalysis.notices.firstIndex { if case .duplicateFrames = $0 { true } else { false } }
            var total = shape.duplicateTFTPFrames
            if let i, case .duplicateFrames(let n) = sosAnalysis.notices[i] { total += n }
            if let i { sosAnalysis.notices[i] = .duplicateFrames(total) } else { sosAnalysis.notices.append(.duplicateFrames(total)) }
        }
        if tracker.evictedTransfers > 0 {
            // The count or the memory budget bound: say how many were open.
            sosAnalysis.notices.append(.transfersEvicted(tracker.evictedTransfers, max: tracker.peakOpenTransfers))
        }
        var followed = sos.followed
        followed.formUnion(boot.followed)
        return CaptureConclusion(sos: sosAnalysis, boot: boot.finish(span: span), filterSigns: shape.filterSigns(span: span), comments: comments, followed: followed)
    }

    /// Whether a frame is a message of a diagnosed family's own protocol
    /// (`Diagnosis.isOwnProtocol`), whoever sent it.
    public static func isOwnProtocol(_ d: borrowing Dissection) -> Bool {
        if SOSDiagnosis.isOwnProtocol(d) { return true }
        return BootDiagnosis.isOwnProtocol(d)
    }

    /// The S.O.S. phones' verdicts if the capture ended at `now` (a live
    /// capture still running): `finish()`'s rules with the time elapsed
    /// counted to `now`. Transfers still open count as they would if they
    /// ended now, unless they are complete (their image is checked at their end).
    public func sosVerdictsSoFar(at now: CaptureTimestamp) -> [PhoneVerdict] {
        sos.verdictsSoFar(at: now, span: span, open: tracker.provisionalTransfers(at: now, numbers: sos.downloadsInProgress))
    }

    /// The 79xx phones' verdicts if the capture ended at `now`.
    public func bootVerdictsSoFar(at now: CaptureTimestamp) -> [BootPhoneVerdict] {
        boot.verdictsSoFar(at: now, span: span)
    }

    // MARK: Transfers

    /// The transfers ended since the last call (with `keepsEndedTransfers`), their bytes let go.
    public mutating func takeEndedTransfers() -> [EndedTransfer] {
        defer { endedTransfers.removeAll(keepingCapacity: true) }
        return endedTransfers
    }

    /// Whether transfers ended since the last `takeEndedTransfers()`.
    public var hasEndedTransfers: Bool { !endedTransfers.isEmpty }

    /// Where the open transfer an event names stands.
    public func progress(of event: TFTPEvent) -> TFTPTransferProgress? { tracker.progress(of: event) }

    /// Where each open transfer stands (for a status display).
    public var openTransfers: [TFTPTransferProgress] { tracker.activeProgress }

    /// Transfers the tracker ended early because too many were open.
    public var evictedTransfers: Int { tracker.evictedTransfers }

    /// The most transfers the tracker had open at once.
    public var peakOpenTransfers: Int { tracker.peakOpenTransfers }

    @usableFromInline
    mutating func takeTransfers() {
        for t in tracker.takeFinished() { ended(t) }
    }

    /// A transfer the tracker ended: checked as an image once when a live
    /// reader keeps it, then handed to every diagnosis.
    mutating func ended(_ t: TFTPTransfer) {
        shape.transferEnded(t)
        var ended = EndedTransfer(transfer: t)
        if keepsEndedTransfers {
            ended.image = TransferredImage.examine(t, catalog: catalog)
            ended.examined = true
            var kept = ended
            kept.transfer.file.releaseBytes()
            endedTransfers.append(kept)
        }
        sos.transferEnded(ended)
        boot.transferEnded(ended)
    }
}

/// What every diagnosis concluded about a capture.
public struct CaptureConclusion: Sendable {
    /// The S.O.S. recovery diagnosis (SPA phones).
    public var sos: RecoveryAnalysis
    /// The boot diagnosis (Cisco 79xx phones).
    public var boot: BootAnalysis
    /// Signs that the capture was filtered: what it shows is not all that happened.
    public var filterSigns: [CaptureFilterSign] = []
    /// The capture's comments: its frames' (the walk's), and its own (the reader's, `CaptureReader.comments`).
    public var comments = CaptureComments()
    /// What the diagnoses followed, together (what `sosdump share` keeps).
    public var followed = FollowedTraffic()
}

extension CaptureAnalysis {
    /// Reads `reader` to its end, or to damage, and concludes: the analysis
    /// of every frame read, and the damage that stopped reading, if any.
    public static func analyze(_ reader: CaptureReader, catalog: FirmwareCatalog = .builtIn,
                               thresholds: RecoveryThresholds = RecoveryThresholds(),
                               bootThresholds: BootThresholds = BootThresholds(),
                               limits: Limits = Limits()) -> (conclusion: CaptureConclusion, damage: CaptureError?) {
        var analysis = CaptureAnalysis(catalog: catalog, thresholds: thresholds, bootThresholds: bootThresholds, limits: limits)
        var damage: CaptureError?
        do {
            try FrameDecoder(checksums: .deferred).decodeAll(from: reader) { d in analysis.observe(d) }
        } catch {
            damage = error
        }
        var conclusion = analysis.finish(damage: damage, end: reader.recordedEnd)
        conclusion.comments.capture = reader.comments
        return (conclusion, damage)
    }
}
