/// The timeline of a phone's story: only the frames that matter, runs of
/// alike frames folded into one line, the download as one line, and what
/// sosdump concludes between frames (the image checks, the silence while
/// the phone writes, the capture's end). Typed lines; the wording makes
/// them sentences.
extension SOSDiagnosis {
    /// Lines kept per timeline.
    static let maxTimelineEntries = 300

    private struct Line {
        var entry: TimelineEntry
        /// Among lines of the same frame: what sosdump concludes before a frame (0), frames (1), after them (2).
        var order: Int
    }

    func timeline(_ story: SOSPhoneStory, _ judged: [Judged], span: CaptureSpan) -> [TimelineEntry] {
        var lines = messageLines(judged)
        for e in story.events {
            lines.append(Line(entry: TimelineEntry(frame: e.mark.frame, lastFrame: e.last?.frame, count: e.count, time: e.mark.time,
                                                   lastTime: e.last?.time, actor: e.actor, event: e.event), order: 1))
        }
        for a in story.attempts {
            guard let a = a.download, let t = a.transfer else { continue }
            let start = t.firstReply ?? t.request
            // Seen only through the phone's ACKs, the transfer is the phone's account of it.
            lines.append(Line(entry: TimelineEntry(frame: start.frame, lastFrame: t.lastFrame.frame, time: start.time, lastTime: t.lastFrame.time,
                                                   actor: t.dataNotCaptured ? .phone : .network,
                                                   event: .transfer(TFTPTransferSummary(t))), order: 1))
            if let image = a.image {
                var loaderMessage: String?
                if case .rejected(let check) = image.verification.verdict { loaderMessage = check.loaderMessage }
                lines.append(Line(entry: TimelineEntry(frame: t.lastFrame.frame, time: t.lastFrame.time, actor: .sosdump,
                                                       event: .image(version: image.version, loader: image.loader, loaderMessage: loaderMessage)),
                                  order: 2))
            }
            if t.outcome == .complete, let heard = a.after.firstHeard {
                lines.append(Line(entry: TimelineEntry(frame: heard.frame, time: heard.time, actor: .sosdump,
                                                       event: .silence(seconds: heard.time.seconds(since: t.lastFrame.time))), order: 0))
            }
        }
        return finish(lines, span: span)
    }

    /// The periods sosdump marks after each complete download: the
    /// phone's silence, and the reset window when the image was good.
    func periods(_ story: SOSPhoneStory, end: CaptureTimestamp) -> [SOSPeriod] {
        var periods: [SOSPeriod] = []
        for (i, a) in story.attempts.enumerated() {
            guard let d = a.download, let t = d.transfer, t.outcome == .complete else { continue }
            let next = i + 1 < story.attempts.count ? story.attempts[i + 1].start.time : end
            let heard = d.after.firstHeard?.time ?? next
            periods.append(SOSPeriod(kind: .silence, start: t.lastFrame.time, end: max(heard, t.lastFrame.time), frame: t.lastFrame.frame))
            if d.image?.loader != .rejected {
                periods.append(SOSPeriod(kind: .resetWindow, start: t.lastFrame.time, end: t.lastFrame.time.adding(thresholds.resetWindow),
                                         frame: t.lastFrame.frame))
            }
        }
        return periods
    }

    func timeline(for judged: [Judged], span: CaptureSpan) -> [TimelineEntry] {
        judged.isEmpty ? [] : finish(messageLines(judged), span: span)
    }

    private func finish(_ input: [Line], span: CaptureSpan) -> [TimelineEntry] {
        var lines = input.enumerated().sorted {
            ($0.element.entry.frame, $0.element.order, $0.offset) < ($1.element.entry.frame, $1.element.order, $1.offset)
        }.map(\.element)
        if let end = span.lastTime, (lines.last?.entry.lastFrame ?? lines.last?.entry.frame ?? 0) < span.frames {
            let after = lines.last.map { end.seconds(since: $0.entry.time) }
            lines.append(Line(entry: TimelineEntry(frame: span.frames, time: end, actor: .sosdump, event: .captureEnds(after: after)), order: 2))
        }
        if lines.count > Self.maxTimelineEntries {
            let cut = lines.count - Self.maxTimelineEntries + 1
            lines = Array(lines.prefix(Self.maxTimelineEntries - 1))
            if let last = lines.last {
                lines.append(Line(entry: TimelineEntry(frame: last.entry.frame, time: last.entry.time, actor: .sosdump, event: .linesLeftOut(cut)),
                                  order: 2))
            }
        }
        return lines.map(\.entry)
    }

    /// The messages, folded: alike messages one after another make one line.
    private func messageLines(_ judged: [Judged]) -> [Line] {
        var lines: [Line] = []
        for j in judged {
            let m = messages[j.index]
            let disposition: SOSMessageDisposition
            if j.dropped {
                if j.notSOS {
                    disposition = .notSOS
                } else if let rule = j.rules.first(where: \.dropsMessage) {
                    disposition = .dropped(rule)
                } else {
                    disposition = .taken
                }
            } else if m.message == nil, !m.followers.isEmpty {
                disposition = .unknownVariant
            } else {
                disposition = .taken
            }
            let event = SOSTimelineEvent.message(m.facts, disposition: disposition)
            if let last = lines.last, Self.sameRun(last.entry.event, event) {
                lines[lines.count - 1].entry.count += 1
                lines[lines.count - 1].entry.lastFrame = m.mark.frame
                lines[lines.count - 1].entry.lastTime = m.mark.time
                continue
            }
            lines.append(Line(entry: TimelineEntry(frame: m.mark.frame, time: m.mark.time, actor: .utility, event: event), order: 1))
        }
        return lines
    }

    /// Two messages fold into one line when they are alike: the same kind,
    /// destination, file and serial, and the same fate.
    static func sameRun(_ a: SOSTimelineEvent, _ b: SOSTimelineEvent) -> Bool {
        guard case .message(let x, let dx) = a, case .message(let y, let dy) = b else { return false }
        return x.kind == y.kind && x.destination == y.destination && x.name == y.name && x.serial == y.serial && dx.dropCode == dy.dropCode
    }
}
