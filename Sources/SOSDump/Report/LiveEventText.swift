/// `sosdump live` as text: one line per event (with the detail lines of
/// `sosdump transfers` under a transfer that ended), and on a terminal a
/// status line per open transfer with a progress bar.
public enum LiveEventText {
    /// The lines of an event, from its record (which holds the firmware
    /// checks of a transfer that ended). The record's strings (file names,
    /// the interface, the filter, the file written, words of the analysis)
    /// pass through `TerminalText.escaped`: the lines hold no escape.
    public static func lines(_ record: LiveEventRecord, at time: CaptureTimestamp) -> [String] {
        unescapedLines(record, at: time).map { TerminalText.escaped($0) }
    }

    private static func unescapedLines(_ record: LiveEventRecord, at time: CaptureTimestamp) -> [String] {
        let clock = clockText(time)
        if let c = record.capture {
            var text = "\(clock) listening on \(c.interface) (\(c.linkType), snap length \(c.snapLength) bytes"
            text += c.promiscuous ? ", promiscuous)" : ")"
            text += "; filter: \(c.filter)"
            if let file = c.file { text += "; writing \(file)" }
            return [text]
        }
        if let p = record.progress {
            let name = "\"\(p.file)\""
            if record.kind == .transferStarted {
                let verb = p.direction == "read" ? "reads" : "writes"
                return ["\(clock) transfer \(p.number) started (frame \(p.requestFrame)): \(p.client) \(verb) \(name), request to \(p.requestTo)"]
            }
            var text = "\(clock) transfer \(p.number): \(p.blocks) blocks, \(amount(p.bytes, of: p.expectedSize))"
            if let rate = p.bytesPerSecond { text += ", \(TransferTable.rate(rate))" }
            if let server = p.server { text += ", from \(server)" }
            return [text]
        }
        if let r = record.transfer {
            var text = "\(clock) transfer \(r.number) ended: \(r.outcome), \(r.bytes) bytes in \(r.blocks) blocks, \(TransferTable.fixed(r.seconds, 3)) s"
            if let rate = r.bytesPerSecond { text += ", \(TransferTable.rate(rate))" }
            text += " (\"\(r.file)\", \(r.client) and \(r.server ?? "no server"))"
            return [text] + TransferTable.details(r).map { "    " + $0 }
        }
        if let p = record.phone {
            var lines = ["\(clock) phone \(p.mac)\(p.ip.map { " (\($0))" } ?? ""): \(p.verdict)"]
            lines += AnalysisText.wrap(p.explanation, indent: "    ")
            lines += AnalysisText.wrap("next step: \(p.nextStep)", indent: "    ")
            return lines
        }
        if let c = record.conclusion {
            var lines = ["\(clock) verdict: \(c.verdict) (\(c.phones.count) \(c.phones.count == 1 ? "phone" : "phones"), \(c.frames) frames)"]
            lines += AnalysisText.wrap(c.explanation, indent: "    ")
            for p in c.phones where c.phones.count > 1 {
                lines.append("    phone \(p.mac): \(p.verdict)")
            }
            lines += AnalysisText.wrap("next step: \(c.nextStep)", indent: "    ")
            lines += c.notes.map { "    note: \($0)" }
            return lines
        }
        if let s = record.summary {
            let why = switch s.reason {
            case "count": "-c reached"
            case "duration": "--duration reached"
            case "signal": s.signal ?? "signal"
            default: "reading failed: \(s.error ?? "?")"
            }
            var text = "\(clock) capture ended (\(why)) after \(TransferTable.fixed(s.seconds, 3)) s: "
            text += "\(s.frames) \(s.frames == 1 ? "frame" : "frames"), \(s.transfers) \(s.transfers == 1 ? "transfer" : "transfers")"
            if let received = s.received, let kernel = s.droppedByKernel, let interface = s.droppedByInterface {
                text += "; libpcap: \(received) received, \(kernel) dropped by the kernel, \(interface) dropped by the interface"
            }
            if let written = s.framesWritten { text += "; \(written) frames written" }
            return [text]
        }
        return ["\(clock) \(record.event)"]
    }

    /// The status line of an open transfer at `now`, at most `width`
    /// characters: number, file, a bar (how far, when the size is known; a
    /// marker that moves with each block otherwise), blocks, bytes, rate,
    /// and the time since the last new block (or `done`, `failed`).
    ///
    ///     #1 /spa504g.bin [#########...........] 45% 1200 blk 614400/1365248 B 310.2 KiB/s last block 0.2 s ago
    public static func statusLine(_ p: TFTPTransferProgress, now: CaptureTimestamp, width: Int, barWidth: Int = 20) -> String {
        var bar = [Character](repeating: ".", count: barWidth)
        var percent = ""
        if let total = p.expectedSize, total > 0 {
            let fraction = min(1, Double(p.bytes) / Double(total))
            let filled = Int((fraction * Double(barWidth)).rounded(.down))
            for i in 0..<filled { bar[i] = "#" }
            percent = " \(Int((fraction * 100).rounded(.down)))%"
        } else if p.blocks > 0 {
            // Unknown size: a marker bouncing with the block count.
            let span = barWidth - 1
            let step = (p.blocks / 8) % (2 * span)
            bar[step <= span ? step : 2 * span - step] = "#"
        }
        var text = "#\(p.number) \(shortName(p.fileName)) [\(String(bar))]\(percent) \(p.blocks) blk "
        text += p.expectedSize.map { "\(p.bytes)/\($0) B" } ?? "\(p.bytes) B"
        if let rate = p.bytesPerSecond { text += " \(TransferTable.rate(rate))" }
        if p.isDone {
            // Ended, but kept open a few seconds for retransmissions.
            text += p.failed ? " failed" : " done"
        } else if p.server == nil {
            text += " waiting for a reply \(TransferTable.fixed(max(0, now.seconds(since: p.request.time)), 1)) s"
        } else if let last = p.lastNewBlock {
            text += " last block \(TransferTable.fixed(max(0, now.seconds(since: last.time)), 1)) s ago"
        } else {
            text += " no block yet"
        }
        if text.count > width { text = String(text.prefix(max(0, width - 1))) + "…" }
        return text
    }

    /// `300 bytes`, or `300 of 1200 bytes (25%)`.
    static func amount(_ bytes: Int, of total: Int?) -> String {
        guard let total, total > 0 else { return "\(bytes) bytes" }
        return "\(bytes) of \(total) bytes (\(min(100, bytes * 100 / total))%)"
    }

    /// A file name for the status line: printable, at most 24 characters
    /// (its end, where the name is).
    static func shortName(_ name: String) -> String {
        let text = TerminalText.escaped(name)
        return text.count <= 24 ? text : "…" + String(text.suffix(23))
    }

    /// `14:05:37.123`: the time of day in UTC, to the millisecond.
    public static func clockText(_ time: CaptureTimestamp) -> String {
        var t = time
        t.fractionDigits = 3
        let text = t.utcText  // yyyy-mm-dd hh:mm:ss.fff
        return String(text.dropFirst(11))
    }
}
