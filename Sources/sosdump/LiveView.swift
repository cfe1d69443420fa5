import Foundation
import SOSDump
import SOSDumpLive

/// What `sosdump live` shows: event lines (text or JSON) written at once,
/// and on a terminal the status lines of the open transfers kept at the
/// bottom and redrawn on each tick.
final class LiveView {
    let format: LiveCommand.Format
    /// Standard output is a terminal, and the output is text.
    let isTerminal: Bool
    /// Status lines now on the screen, below the last event line.
    private var statusLines = 0
    private var lastStatus: [TFTPTransferProgress] = []
    /// Standard output's reader went away (`live … | head -1`): the run
    /// stops, and what is left to say goes to standard error.
    private(set) var outputClosed = false

    init(format: LiveCommand.Format) {
        self.format = format
        isTerminal = format == .text && isatty(1) == 1
    }

    func show(_ event: LiveEvent) {
        let record = LiveEventRecord(event)
        var text: String
        switch format {
        case .json:
            text = record.encoded() + "\n"
        case .text:
            text = LiveEventText.lines(record, at: Self.time(of: event)).joined(separator: "\n") + "\n"
        }
        if outputClosed {
            // Only the capture's end is worth saying where it can be read.
            if case .captureEnded = event {
                FileHandle.standardError.write(Data(LiveEventText.lines(record, at: Self.time(of: event)).map { "sosdump: \($0)\n" }.joined().utf8))
            }
            return
        }
        if isTerminal {
            // The event above the status lines: erase them, write, draw them again.
            text = eraseStatus() + text + status(lastStatus, now: Self.time(of: event))
        }
        write(text)
    }

    func tick(_ open: [TFTPTransferProgress], now: CaptureTimestamp) {
        guard isTerminal, !outputClosed else { return }
        lastStatus = open
        write(eraseStatus() + status(open, now: now))
    }

    /// Leaves the screen with no status lines.
    func end() {
        if isTerminal, !outputClosed { write(eraseStatus()) }
    }

    /// Writes to standard output; when its reader is gone (EPIPE: SIGPIPE
    /// is ignored), stops the capture as a signal would, so the run ends
    /// cleanly: its `-w` file closed whole, its summary on standard error.
    private func write(_ text: String) {
        guard !StandardOutput.writeNow(text), errno == EPIPE else { return }
        outputClosed = true
        StopSignals.requestStop(signal: SIGPIPE)
    }

    /// Back to the first status line, clearing each: from column 0 (the
    /// terminal may have echoed ^C where the cursor was) and the line the
    /// cursor is on, then each status line above it.
    private func eraseStatus() -> String {
        defer { statusLines = 0 }
        guard statusLines > 0 else { return "" }
        return "\r\u{1B}[2K" + String(repeating: "\u{1B}[1A\u{1B}[2K", count: statusLines)
    }

    private func status(_ open: [TFTPTransferProgress], now: CaptureTimestamp) -> String {
        let width = Self.terminalWidth()
        // At most as many lines as leave room for the events above.
        let shown = open.prefix(max(1, Self.terminalHeight() / 2))
        statusLines = shown.count
        return shown.map { LiveEventText.statusLine($0, now: now, width: width) + "\n" }.joined()
    }

    private static func time(of event: LiveEvent) -> CaptureTimestamp { event.time }

    private static func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private static func terminalHeight() -> Int {
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 else { return 24 }
        return Int(size.ws_row)
    }
}
