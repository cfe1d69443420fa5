/// The timeline of a phone's story: only the frames that matter, runs of
/// alike frames folded into one line, the download as one line, and what
/// sosdump concludes between frames (the image checks, the silence while
/// the phone writes, the capture's end).
extension RecoveryAnalyzer {
    /// Lines kept per timeline.
    static let maxTimelineEntries = 300

    private struct Line {
        var entry: TimelineEntry
        var key: String
        /// Among lines of the same frame: what sosdump concludes before a frame (0), frames (1), after them (2).
        var order: Int
    }

    func timeline(_ story: PhoneStory, _ judged: [Judged]) -> [TimelineEntry] {
        var lines = messageLines(judged)
        for e in story.events {
            lines.append(Line(entry: TimelineEntry(frame: e.mark.frame, lastFrame: e.last?.frame, count: e.count, time: e.mark.time,
                                                   actor: e.actor, text: e.text), key: e.key, order: 1))
        }
        for a in story.attempts {
            guard let t = a.transfer else { continue }
            let start = t.firstReply ?? t.request
            lines.append(Line(entry: TimelineEntry(frame: start.frame, lastFrame: t.lastFrame.frame, time: start.time, actor: .network,
                                                   text: Self.transferWords(t)), key: "transfer \(t.number)", order: 1))
            if let image = a.image {
                let loader = switch image.verdict.status {
                case "accepted": "the loader accepts it"
                case "rejected": "the loader rejects it" + (image.verdict.loaderMessage.map { " (\"\($0)\")" } ?? "")
                default: "the loader's checks cannot all be made (partial image)"
                }
                let words = "image \(image.version ?? "of unreadable version"): \(loader)"
                lines.append(Line(entry: TimelineEntry(frame: t.lastFrame.frame, time: t.lastFrame.time, actor: .sosdump, text: words),
                                  key: "image \(t.number)", order: 2))
            }
            if t.outcome == .complete, let heard = a.after.firstHeard {
                let gap = heard.time.seconds(since: t.lastFrame.time)
                lines.append(Line(entry: TimelineEntry(frame: heard.frame, time: heard.time, actor: .sosdump,
                                                       text: "\(Self.seconds(gap)) of silence from the phone after its download"),
                                  key: "silence \(t.number)", order: 0))
            }
        }
        return finish(lines)
    }

    func timeline(for judged: [Judged]) -> [TimelineEntry] {
        judged.isEmpty ? [] : finish(messageLines(judged))
    }

    private func finish(_ input: [Line]) -> [TimelineEntry] {
        var lines = input.enumerated().sorted {
            ($0.element.entry.frame, $0.element.order, $0.offset) < ($1.element.entry.frame, $1.element.order, $1.offset)
        }.map(\.element)
        if let end = lastTime, (lines.last?.entry.lastFrame ?? lines.last?.entry.frame ?? 0) < frames {
            let words = "the capture ends" + (lines.last.map { " \(Self.seconds(end.seconds(since: $0.entry.time))) after the line above" } ?? "")
            lines.append(Line(entry: TimelineEntry(frame: frames, time: end, actor: .sosdump, text: words), key: "end", order: 2))
        }
        if lines.count > Self.maxTimelineEntries {
            let cut = lines.count - Self.maxTimelineEntries + 1
            lines = Array(lines.prefix(Self.maxTimelineEntries - 1))
            if let last = lines.last {
                lines.append(Line(entry: TimelineEntry(frame: last.entry.frame, time: last.entry.time, actor: .sosdump,
                                                       text: "(\(cut) more lines left out)"), key: "cut", order: 2))
            }
        }
        return lines.map(\.entry)
    }

    /// The messages, folded: alike messages one after another make one line.
    private func messageLines(_ judged: [Judged]) -> [Line] {
        var lines: [Line] = []
        for j in judged {
            let m = messages[j.index]
            let rule = j.notSOS ? "not-sos" : (j.dropped ? j.rules.first(where: \.dropsMessage)?.code ?? "" : "")
            let key = "msg \(m.kind?.rawValue ?? "text") \(m.destination.map { "\($0)" } ?? "") \(m.fileName ?? "") \(m.message?.serial?.description ?? "") \(rule)"
            if let last = lines.last, last.key == key {
                lines[lines.count - 1].entry.count += 1
                lines[lines.count - 1].entry.lastFrame = m.mark.frame
                continue
            }
            var words = Self.messageWords(m)
            if j.dropped { words += j.notSOS ? ": not an S.O.S. message, dropped" : ": the phone drops it (\(rule))" }
            else if m.message == nil, !m.followers.isEmpty { words += ": an upgrade order of a variant sosdump does not know" }
            lines.append(Line(entry: TimelineEntry(frame: m.mark.frame, time: m.mark.time, actor: .utility, text: words), key: key, order: 1))
        }
        return lines
    }

    static func transferWords(_ t: TFTPTransfer) -> String {
        let from = t.server.map { "from \($0)" } ?? "from nobody"
        var words = "TFTP \(from): \(t.file.blocksCaptured) block\(t.file.blocksCaptured == 1 ? "" : "s"), \(t.file.bytesCaptured) bytes"
        switch t.outcome {
        case .complete:
            words += t.file.isComplete ? ", complete" : ", complete (the capture lacks some blocks)"
            if !t.finalBlockAcknowledged { words += " (the final ACK is not in the capture)" }
        case .error: words += ", ended by a TFTP ERROR"
        case .unreachable: words += ", answered by ICMP unreachable"
        case .unanswered: words += ", no answer to \(t.requestCount) request\(t.requestCount == 1 ? "" : "s")"
        case .stalled: words += ", stalled at block \(t.stall?.block ?? 0)"
        case .optionProbe: words += ", a size probe"
        }
        if t.retransmittedData.count > 0 { words += "; \(t.retransmittedData.count) DATA resent" }
        if t.repeatedAcks.count > 0 { words += "; \(t.repeatedAcks.count) ACKs repeated" }
        return words
    }
}
