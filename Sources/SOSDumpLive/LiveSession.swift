import SOSDump

#if canImport(Glibc)
import Glibc
#endif

/// One run of live capture: frames from a `LiveCapture` go through the
/// same stages as a file's — `FrameDecoder` into one reused `Dissection`,
/// then `LiveAnalysis` (the phone stories and their TFTP tracker) — and, with `-w`, into a
/// `PcapngWriter` first, untouched. Events go to the caller as they
/// happen; the run ends at the frame limit, the duration, a stop signal
/// or a read error, and then every open transfer is ended, the capture
/// concluded, and its counters read for the summary.
public final class LiveSession {
    public struct Limits: Sendable {
        /// Stop after this many frames (`-c`).
        public var frames: Int?
        /// Stop after this many seconds (`--duration`).
        public var seconds: Double?
        /// How often `onTick` is called, in seconds (a status display's refresh).
        public var tickSeconds = 0.2

        public init(frames: Int? = nil, seconds: Double? = nil) {
            self.frames = frames
            self.seconds = seconds
        }
    }

    public let capture: LiveCapture
    public let writer: PcapngWriter?
    public private(set) var analysis: LiveAnalysis
    public let limits: Limits
    /// Why writing the pcapng file failed, if it did (the run stopped there).
    public private(set) var writeError: CaptureWriteError?

    public init(capture: LiveCapture, writer: PcapngWriter?, analysis: LiveAnalysis = LiveAnalysis(), limits: Limits = Limits()) {
        self.capture = capture
        self.writer = writer
        self.analysis = analysis
        self.limits = limits
    }

    /// Runs the capture to its end. `onEvent` gets every event, the
    /// capture's start first and its summary last; `onTick` is called
    /// about every `limits.tickSeconds` with the analysis and the time.
    public func run(onEvent: (LiveEvent) -> Void, onTick: (borrowing LiveAnalysis, CaptureTimestamp) -> Void = { _, _ in }) -> LiveCaptureSummary {
        let startClock = Self.monotonicSeconds()
        let start = Self.wallClock()
        let interfaceIndex: Int?
        do {
            interfaceIndex = try writer?.addInterface(capture.captureInterface)
        } catch {
            writeError = error
            interfaceIndex = nil
        }
        onEvent(.captureStarted(LiveCaptureStart(
            time: start, interface: capture.interface, linkType: capture.linkType, snapLength: capture.snapLength,
            filter: capture.filter, promiscuous: capturePromiscuous, writingTo: writer?.name)))

        // UDP checksums are checked only where the analysis reads them (as `analyze` does).
        let decoder = FrameDecoder(checksums: .deferred)
        var dissection = Dissection()
        var frames = 0
        var reason: LiveCaptureSummary.StopReason?
        if let writeError { reason = .failed(writeError.description) }
        let deadline = limits.seconds.map { startClock + $0 }
        var nextTick = startClock + limits.tickSeconds
        var nextFlush = startClock + 1

        while reason == nil {
            let read: LiveCapture.Read
            do {
                read = try capture.next()
            } catch {
                reason = .failed(error.description)
                break
            }
            switch read {
            case .frame(let frame):
                frames += 1
                if let writer, let interfaceIndex {
                    do {
                        try writer.write(frame, interface: interfaceIndex)
                    } catch {
                        writeError = error
                        reason = .failed(error.description)
                    }
                }
                decoder.decode(frame, into: &dissection)
                analysis.observe(dissection)
                if analysis.hasEvents { for event in analysis.takeEvents() { onEvent(event) } }
                if let limit = limits.frames, frames >= limit { reason = .count }
            case .idle:
                analysis.advanceClock(to: Self.wallClock())
                if analysis.hasEvents { for event in analysis.takeEvents() { onEvent(event) } }
                // Nothing is waiting: a good moment to put the file on disk.
                flushWriter(&reason)
                nextFlush = Self.monotonicSeconds() + 1
            case .stopped:
                reason = .signal(StopSignals.received ?? SIGINT)
            }
            // The clock, at most once per frame: cheap (vDSO), and the only
            // way to see a deadline while frames keep coming.
            let clock = Self.monotonicSeconds()
            if let deadline, clock >= deadline, reason == nil { reason = .duration }
            if clock >= nextTick {
                nextTick = clock + limits.tickSeconds
                onTick(analysis, Self.wallClock())
            }
            if clock >= nextFlush {
                nextFlush = clock + 1
                flushWriter(&reason)
            }
        }

        let end = Self.wallClock()
        analysis.finish(at: end)
        for event in analysis.takeEvents() { onEvent(event) }
        let summary = Self.endCapture(capture, writer: writer, interface: interfaceIndex, writeError: &writeError, start: start, end: end,
                                      reason: reason ?? .count, seconds: Self.monotonicSeconds() - startClock, frames: frames,
                                      transfers: analysis.transfersEnded)
        onEvent(.captureEnded(summary))
        return summary
    }

    /// The end of a capture: libpcap's counters read, and the `-w` file
    /// (unless writing it failed already) given them and closed; the
    /// summary of the run. Shared with `RecoverySession`.
    static func endCapture(_ capture: LiveCapture, writer: PcapngWriter?, interface: Int?, writeError: inout CaptureWriteError?,
                           start: CaptureTimestamp, end: CaptureTimestamp, reason: LiveCaptureSummary.StopReason, seconds: Double,
                           frames: Int, transfers: Int) -> LiveCaptureSummary {
        let statistics = capture.statistics()
        if let writer, let interface, writeError == nil {
            do {
                if let statistics {
                    try writer.writeStatistics(interface: interface, time: end, start: start, received: statistics.received,
                                               droppedByInterface: statistics.droppedByInterface, droppedByOS: statistics.droppedByKernel)
                }
                try writer.close()
            } catch {
                writeError = error
            }
        }
        return LiveCaptureSummary(
            time: end, reason: reason, seconds: seconds, frames: frames, transfers: transfers, received: statistics?.received,
            droppedByKernel: statistics?.droppedByKernel, droppedByInterface: statistics?.droppedByInterface,
            framesWritten: writer?.framesWritten)
    }

    /// Whether promiscuous mode was asked for (for the start event).
    public var capturePromiscuous = true

    private func flushWriter(_ reason: inout LiveCaptureSummary.StopReason?) {
        guard let writer, writeError == nil else { return }
        do {
            try writer.flush()
        } catch {
            writeError = error
            if reason == nil { reason = .failed(error.description) }
        }
    }

    /// Seconds on the monotonic clock (durations).
    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// The time now, as the kernel stamps frames (CLOCK_REALTIME).
    static func wallClock() -> CaptureTimestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return CaptureTimestamp(seconds: Int64(ts.tv_sec), nanoseconds: UInt32(ts.tv_nsec), fractionDigits: 9)
    }
}
