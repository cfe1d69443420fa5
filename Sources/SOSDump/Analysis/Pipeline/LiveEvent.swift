/// What `sosdump live` reports as it happens: one value per event, rendered
/// as a line of text or one JSON object (`LiveEventRecord`).
///
/// The capture's own start and end frame the stream; between them come
/// the analysis's events, in the order the frames caused them: a transfer
/// started, moved on by N blocks, ended with its outcome; a phone's
/// verdict as soon as the rules decide it; and, when the capture stops,
/// the conclusion `sosdump analyze` gives the same frames.
public enum LiveEvent: Sendable {
    /// The capture is running (what on, with which filter).
    case captureStarted(LiveCaptureStart)
    /// A read or write request opened a transfer.
    case transferStarted(TFTPTransferProgress, at: CaptureTimestamp)
    /// A transfer's DATA passed another `LiveAnalysis.progressEvery` blocks.
    case transferProgress(TFTPTransferProgress, at: CaptureTimestamp)
    /// The tracker ended a transfer (completed and quiet, failed, idle, a
    /// new request from the same client, or the capture's end): the record
    /// `sosdump transfers` prints, with the loader's checks of the image it
    /// carried, if it carried one.
    case transferEnded(TFTPTransfer, image: ImageCheck?, at: CaptureTimestamp)
    /// A phone's verdict, decided by the frames so far (or by a threshold
    /// running out); a later one for the same phone replaces it.
    case phoneVerdict(PhoneVerdict, at: CaptureTimestamp)
    /// A 79xx phone's verdict, as `phoneVerdict` for an S.O.S. phone.
    case bootPhoneVerdict(BootPhoneVerdict, at: CaptureTimestamp)
    /// The capture is over: the analysis of all its frames, as
    /// `sosdump analyze` concludes a file of the same frames.
    case concluded(CaptureConclusion, at: CaptureTimestamp)
    /// The capture stopped: why, and what it saw and lost.
    case captureEnded(LiveCaptureSummary)

    /// When it happened.
    public var time: CaptureTimestamp {
        switch self {
        case .captureStarted(let s): s.time
        case .transferStarted(_, let at), .transferProgress(_, let at), .transferEnded(_, _, let at),
             .phoneVerdict(_, let at), .bootPhoneVerdict(_, let at), .concluded(_, let at): at
        case .captureEnded(let s): s.time
        }
    }
}

/// How a live capture began.
public struct LiveCaptureStart: Sendable, Equatable {
    public var time: CaptureTimestamp
    public var interface: String
    public var linkType: LinkType
    public var snapLength: Int
    public var filter: String
    public var promiscuous: Bool
    /// The pcapng file the frames are also written to, if any.
    public var writingTo: String?

    public init(time: CaptureTimestamp, interface: String, linkType: LinkType, snapLength: Int, filter: String,
                promiscuous: Bool, writingTo: String?) {
        self.time = time
        self.interface = interface
        self.linkType = linkType
        self.snapLength = snapLength
        self.filter = filter
        self.promiscuous = promiscuous
        self.writingTo = writingTo
    }
}

/// How a live capture ended.
public struct LiveCaptureSummary: Sendable, Equatable {
    public enum StopReason: Sendable, Equatable {
        /// `-c N` frames were read.
        case count
        /// `--duration` ran out.
        case duration
        /// A signal (SIGINT: Ctrl-C, SIGTERM).
        case signal(Int32)
        /// Reading failed (the interface went away); the message says why.
        case failed(String)
    }

    public var time: CaptureTimestamp
    public var reason: StopReason
    public var seconds: Double
    /// Frames read and analysed.
    public var frames: Int
    /// Transfers that ended (every transfer, as the capture's end ends them all).
    public var transfers: Int
    /// libpcap's counters (`pcap_stats`): frames that passed the filter,
    /// dropped by the kernel (the ring was full: sosdump fell behind) and
    /// by the interface. Nil when libpcap could not tell.
    public var received: UInt64?
    public var droppedByKernel: UInt64?
    public var droppedByInterface: UInt64?
    /// Frames written to the pcapng file, if one was written.
    public var framesWritten: Int?

    public init(time: CaptureTimestamp, reason: StopReason, seconds: Double, frames: Int, transfers: Int,
                received: UInt64? = nil, droppedByKernel: UInt64? = nil, droppedByInterface: UInt64? = nil, framesWritten: Int? = nil) {
        self.time = time
        self.reason = reason
        self.seconds = seconds
        self.frames = frames
        self.transfers = transfers
        self.received = received
        self.droppedByKernel = droppedByKernel
        self.droppedByInterface = droppedByInterface
        self.framesWritten = framesWritten
    }
}
