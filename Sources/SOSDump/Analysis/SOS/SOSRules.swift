/// The verdict rules of the S.O.S. diagnosis: when the capture ends (or a
/// live capture asks), which messages reached which phone, and each
/// phone's verdict and findings, from its story and the thresholds
/// (docs/verdicts.md). Facts only: the words are `Report/SOSWording.swift`'s.
extension SOSDiagnosis {
    /// Ends the capture: every phone's story is concluded. (The tracker's
    /// last transfers came through `transferEnded` before.)
    public mutating func finish(span: CaptureSpan) -> RecoveryAnalysis {
        var notices: [SOSNotice] = []
        if registry.notFollowed > 0 { notices.append(.phonesNotFollowed(registry.notFollowed, max: limits.maxPhones)) }
        if messagesNotKept > 0 { notices.append(.messagesNotKept(messagesNotKept, max: limits.maxMessages)) }
        if duplicateFrames > 0 { notices.append(.duplicateFrames(duplicateFrames)) }

        var reached = [Bool](repeating: false, count: messages.count)
        var verdicts: [PhoneVerdict] = []
        for (p, story) in registry.stories.enumerated() {
            let judged = judge(for: p, story)
            for j in judged { reached[j.index] = true }
            verdicts.append(conclude(story, judged, span: span))
        }
        let orphans = messages.indices.filter { !reached[$0] }.map { judgeAlone($0) }
        let loose = concludeUnattributed(orphans, span: span)

        var analysis = RecoveryAnalysis(verdict: .capture(Finding(.noRecoveryTraffic, .noRecoveryTraffic, evidence: [])), phones: verdicts,
                                        findings: [], timeline: timeline(for: orphans, span: span), frames: span.frames,
                                        firstTime: span.firstTime, lastTime: span.lastTime, thresholds: thresholds, notices: notices)
        if let worst = verdicts.indices.min(by: { verdicts[$0].code < verdicts[$1].code }) {
            analysis.verdict = .phone(worst)
            analysis.findings = loose.map { [$0.verdict] + $0.others } ?? []
        } else if let loose {
            analysis.verdict = .capture(loose.verdict)
            analysis.findings = ([loose.verdict] + loose.others).sorted { $0.code < $1.code }
        } else if let damage = span.damage {
            // Nothing of a recovery before the damage: it may lie after it.
            let f = Finding(.captureDamaged, .captureDamaged(step: nil, frame: damage.lastFrame, damage: damage), evidence: [])
            analysis.verdict = .capture(f)
            analysis.findings = [f]
        } else {
            analysis.findings = [Finding(.noRecoveryTraffic, .noRecoveryTraffic, evidence: [])]
        }
        return analysis
    }

    /// Each phone's verdict if the capture ended at `now` (a live capture
    /// still running): the same rules as `finish`, with the time elapsed
    /// counted to `now`.
    /// The tracker's numbers of the downloads whose transfer has not ended yet.
    public var downloadsInProgress: Set<Int> { Set(links.lazy.filter { $0.attempt != nil }.map(\.transfer)) }

    /// `open`: transfers still open, as they would be if they ended now.
    public func verdictsSoFar(at now: CaptureTimestamp, span: CaptureSpan, open: [TFTPTransfer] = []) -> [PhoneVerdict] {
        var end = now
        if let last = span.lastTime, last > now { end = last }
        var stories = registry.stories
        for t in open {
            guard let link = links.first(where: { $0.transfer == t.number }), let a = link.attempt, a < stories[link.phone].attempts.count
            else { continue }
            stories[link.phone].attempts[a].updateDownload { $0.transfer = t }
        }
        return stories.enumerated().map { p, story in conclude(story, judge(for: p, story), span: span, end: end) }
    }

    // MARK: A phone's verdict

    /// The verdict of `story` with the capture ending at `end` (its last
    /// frame's time, unless a live capture asks about a later moment).
    func conclude(_ story: SOSPhoneStory, _ judged: [Judged], span: CaptureSpan, end: CaptureTimestamp? = nil) -> PhoneVerdict {
        let end = end ?? span.lastTime ?? story.firstSeen.time
        let rules = Rules(diagnosis: self, span: span, end: end)
        var findings: [Finding] = []
        let verdict: Finding
        var downloads: [DownloadSummary] = []
        if story.attempts.isEmpty {
            verdict = rules.listening(story, judged)
        } else {
            var last: Finding?
            for (i, a) in story.attempts.enumerated() {
                let next = i + 1 < story.attempts.count ? story.attempts[i + 1].start.time : nil
                let f = rules.outcome(a, story, next: next)
                if i == story.attempts.count - 1 { last = f } else { findings.append(f) }
                findings.append(contentsOf: rules.warnings(a, story))
            }
            verdict = last ?? rules.listening(story, judged)
            downloads = story.attempts.map {
                DownloadSummary(transfer: $0.download?.transfer, image: $0.download?.image, orderedFile: $0.orderedFile, orderAsText: $0.orderAsText,
                                path: $0.path)
            }
        }
        let dropped = judged.filter(\.dropped)
        if !dropped.isEmpty, verdict.code != .requestIgnored { findings.append(rules.ignored(dropped, of: judged.count)) }
        findings.append(verdict)

        var notes = story.notes
        if story.eventsNotKept > 0 { notes.append(.eventsNotKept(story.eventsNotKept, max: limits.maxEventsPerPhone)) }
        if story.attemptsNotKept > 0 { notes.append(.attemptsNotKept(story.attemptsNotKept, max: limits.maxAttemptsPerPhone)) }
        if story.duplicates > 0 { notes.append(.duplicates(story.duplicates)) }
        return PhoneVerdict(identity: story.identity, verdict: verdict, findings: Self.merged(findings, verdict: verdict),
                            attempts: story.attempts.count + story.attemptsNotKept, downloads: downloads,
                            timeline: timeline(story, judged, span: span), periods: periods(story, end: end), notes: notes)
    }

    /// One finding per code, most serious first; the verdict's own kept for its code.
    static func merged(_ findings: [Finding], verdict: Finding) -> [Finding] {
        var byCode: [VerdictCode: Finding] = [:]
        for f in findings {
            if var old = byCode[f.code] {
                old.evidence += f.evidence.filter { e in !old.evidence.contains { $0.frame == e.frame } }
                byCode[f.code] = old
            } else {
                byCode[f.code] = f
            }
        }
        if var v = byCode[verdict.code] {
            v.fact = verdict.fact
            v.next = verdict.next
            byCode[verdict.code] = v
        }
        return byCode.values.sorted { $0.code < $1.code }
    }

    // MARK: Messages no phone can be tied to

    func concludeUnattributed(_ judged: [Judged], span: CaptureSpan) -> (verdict: Finding, others: [Finding])? {
        guard !judged.isEmpty else { return nil }
        let rules = Rules(diagnosis: self, span: span, end: span.lastTime ?? messages[judged[0].index].mark.time)
        let valid = judged.filter { !$0.dropped }
        if valid.isEmpty { return (rules.ignored(judged, of: judged.count), []) }
        let dropped = judged.filter(\.dropped)
        return (rules.unanswered(valid, story: nil), dropped.isEmpty ? [] : [rules.ignored(dropped, of: judged.count)])
    }
}

/// The rules, with what they read: the messages, the thresholds, and where the capture ends.
struct Rules {
    let diagnosis: SOSDiagnosis
    let span: CaptureSpan
    /// The capture's end (or now, live).
    let end: CaptureTimestamp

    var thresholds: RecoveryThresholds { diagnosis.thresholds }
    var messages: [SentMessage] { diagnosis.messages }
    var captureEnd: Evidence { Evidence(frame: span.frames, time: end, shows: .captureEnd) }

    /// A phone that never acted on an upgrade order: why not.
    func listening(_ story: SOSPhoneStory, _ judged: [SOSDiagnosis.Judged]) -> Finding {
        let valid = judged.filter { !$0.dropped }
        let validRequests = valid.filter { messages[$0.index].kind == .request }
        if let firstReply = story.replies.first {
            // It answered: did the utility order an upgrade?
            if let order = valid.first(where: { messages[$0.index].kind == .upgrade && messages[$0.index].mark.time > firstReply.time }) {
                let m = messages[order.index]
                let e = m.orderEvidence
                if let busy = urlTry(story, from: m.mark.time.adding(-1), to: m.mark.time.adding(thresholds.noReply)) {
                    return Finding(.phoneBusy, .busyAtOrder(reply: firstReply.frame, order: m.mark.frame, urlTry: busy.frame),
                                   evidence: [firstReply, e, busy])
                }
                let waited = end.seconds(since: m.mark.time)
                if waited >= thresholds.noReply || (story.replies.last?.time ?? firstReply.time) > m.mark.time {
                    return Finding(.noPhoneReply, .orderNotEchoed(reply: firstReply.frame, order: m.mark.frame, waited: waited),
                                   evidence: [firstReply, e])
                }
                return ended(after: e, .upgradeOrder)
            }
            let after = validRequests.filter { messages[$0.index].mark.time > firstReply.time }
            let heardFor = end.seconds(since: firstReply.time)
            if after.count >= 2 || heardFor >= thresholds.noReply {
                var evidence = [firstReply]
                if let last = story.replies.last, last.frame != firstReply.frame { evidence.append(last) }
                if let f = after.first { evidence.append(messages[f.index].mark.evidence(.utilityAsksAgain)) }
                return Finding(.utilityDeaf, .utilityDeaf(replies: story.replies.count, first: firstReply.frame,
                                                          last: (story.replies.last ?? firstReply).frame, laterRequests: after.count),
                               evidence: evidence)
            }
            return ended(after: story.replies.last ?? firstReply, .phoneReply)
        }
        // Back with normal firmware after trying its URLs, with no upgrade
        // order: it downloaded its image from a URL by itself (by HTTP, which
        // sosdump does not rebuild; a whole TFTP download is an attempt).
        if let normal = story.normalFirmware, let url = story.urlTries.last ?? story.urlTries.first, url.time < normal.time {
            return Finding(.recovered, .recoveredFromURL(url: url, normal: normal, after: normal.time.seconds(since: url.time)),
                           evidence: [url, normal])
        }
        if judged.isEmpty {
            var evidence: [Evidence] = []
            if let d = story.recoveryDHCP.first { evidence.append(d) }
            if let u = story.urlTries.first { evidence.append(u) }
            if evidence.isEmpty { evidence.append(story.firstSeen.evidence(.firstFrame)) }
            if let damage = span.damage {
                return Finding(.captureDamaged, .captureDamaged(step: nil, frame: evidence[0].frame, damage: damage), evidence: evidence + [captureEnd])
            }
            return Finding(.noRecoveryTraffic, .inRecoveryNoUtility(frame: evidence[0].frame), evidence: evidence)
        }
        if valid.isEmpty { return ignored(judged, of: judged.count) }
        return unanswered(valid, story: story)
    }

    /// Valid requests that drew no reply.
    func unanswered(_ valid: [SOSDiagnosis.Judged], story: SOSPhoneStory?) -> Finding {
        let first = messages[valid[0].index], last = messages[valid[valid.count - 1].index]
        let e1 = first.evidence, e2 = last.evidence
        let evidence = e1.frame == e2.frame ? [e1] : [e1, e2]
        if let story, let busy = urlTry(story, from: first.mark.time.adding(-thresholds.noReply), to: last.mark.time.adding(1)) {
            return Finding(.phoneBusy, .busyWhileAsked(requests: valid.count, first: first.mark.frame, last: last.mark.frame,
                                                       urlTries: story.urlTries.count, firstTry: story.urlTries.first?.frame ?? busy.frame),
                           evidence: evidence + [busy])
        }
        let waited = end.seconds(since: first.mark.time)
        if waited >= thresholds.noReply {
            return Finding(.noPhoneReply, .noReply(requests: valid.count, span: last.mark.time.seconds(since: first.mark.time),
                                                   first: first.mark.frame, last: last.mark.frame, phone: story?.identity.mac),
                           evidence: evidence)
        }
        return ended(after: e1, .firstValidRequest(noReply: thresholds.noReply))
    }

    /// The first try of the phone's URLs between two times.
    func urlTry(_ story: SOSPhoneStory, from: CaptureTimestamp, to: CaptureTimestamp) -> Evidence? {
        for e in [story.urlTries.first, story.urlTries.last].compactMap({ $0 }) where e.time >= from && e.time <= to { return e }
        if let f = story.urlTries.first, let l = story.urlTries.last, f.time < from, l.time > to { return f }
        return nil
    }

    /// Messages the phone drops by rule, grouped by the rule.
    func ignored(_ dropped: [SOSDiagnosis.Judged], of total: Int) -> Finding {
        var groups: [SOSDroppedGroup] = []
        var evidence: [[Evidence]] = []
        for j in dropped where j.dropped {
            let m = messages[j.index]
            let rule: SOSDroppedGroup.Rule
            if j.notSOS {
                rule = .notSOS(length: m.length)
            } else if let first = j.rules.first(where: \.dropsMessage) {
                rule = .violation(first)
            } else {
                continue
            }
            let e = m.evidence
            if let i = groups.firstIndex(where: { $0.rule.code == rule.code }) {
                groups[i].count += 1
                if evidence[i].count < 2 { evidence[i].append(e) } else { evidence[i][1] = e }
                groups[i].frames = evidence[i].map(\.frame)
            } else {
                groups.append(SOSDroppedGroup(rule: rule, count: 1, frames: [e.frame]))
                evidence.append([e])
            }
        }
        let count = groups.reduce(0) { $0 + $1.count }
        var next = SOSNextStep.codeDefault
        if groups.contains(where: { if case .violation(.serialMismatch) = $0.rule { true } else { false } }) {
            next = .typeSerial
        } else if groups.contains(where: { if case .violation(.broadcast) = $0.rule { true } else { false } }) {
            next = .notBroadcast
        }
        return Finding(.requestIgnored, .ignored(count: count, total: total, groups: groups), evidence: evidence.flatMap { $0 }, next: next)
    }

    /// The capture stopped before this step could finish: at its end, or at
    /// damage that stopped reading.
    func ended(after e: Evidence, _ step: SOSStep) -> Finding {
        if let damage = span.damage {
            return Finding(.captureDamaged, .captureDamaged(step: step, frame: e.frame, damage: damage), evidence: [e, captureEnd])
        }
        let after: Double? = e.frame >= span.frames ? nil : end.seconds(since: e.time)
        return Finding(.captureEnded, .captureEnded(step: step, frame: e.frame, after: after), evidence: [e, captureEnd])
    }

    /// How one download attempt ended: as far as its progress went.
    func outcome(_ a: SOSPhoneStory.Attempt, _ story: SOSPhoneStory, next: CaptureTimestamp?) -> Finding {
        switch a.progress {
        case .downloading(let d):
            guard let t = d.transfer else { return ended(after: d.request, .tftpRequest) }
            return download(d, t, story, path: a.path, next: next)
        case .lookingUpGateway(let lookup):
            return gatewayLookup(lookup, a, story, next: next)
        case .ordered:
            let start = a.echo ?? a.order ?? a.start.evidence(.upgradeStart)
            let waited = (next ?? end).seconds(since: start.time)
            let back = next != nil || story.backInRecovery(after: start.time) != nil
            if waited >= thresholds.stall || back {
                return Finding(.noGateway, .noGatewaySet(frame: start.frame), evidence: [start])
            }
            return ended(after: start, a.echo != nil ? .upgradeEcho : .upgradeOrder)
        }
    }

    /// A gateway lookup that never led to a download.
    func gatewayLookup(_ lookup: SOSPhoneStory.Attempt.GatewayLookup, _ a: SOSPhoneStory.Attempt, _ story: SOSPhoneStory,
                       next: CaptureTimestamp?) -> Finding {
        // A lookup begins with its first ask; without one there is nothing to judge but the order.
        guard let firstAsk = lookup.asks.first else { return ended(after: a.echo ?? a.order ?? a.start.evidence(.upgradeStart), .upgradeOrder) }
        if let answer = lookup.answer {
            return ended(after: answer, .gatewayAnswer)
        }
        let waited = (next ?? end).seconds(since: firstAsk.time)
        let back = next != nil || story.backInRecovery(after: firstAsk.time) != nil
        if lookup.asks.count >= 3 || waited >= thresholds.stall || back {
            var evidence = [firstAsk]
            if let l = lookup.asks.last, l.frame != firstAsk.frame { evidence.append(l) }
            return Finding(.noGateway, .gatewayUnanswered(gateway: lookup.gateway, asks: lookup.asks.count),
                           evidence: (a.echo.map { [$0] } ?? []) + evidence, next: .answerGateway(lookup.gateway))
        }
        return ended(after: lookup.asks.last ?? firstAsk, .gatewayLookup)
    }

    /// A download the tracker ended: how the transfer went, then the image and what came back.
    func download(_ d: SOSPhoneStory.Attempt.Download, _ t: TFTPTransfer, _ story: SOSPhoneStory, path: SOSDownloadPath,
                  next: CaptureTimestamp?) -> Finding {
        let until = next ?? end
        let named = d.file
        let request = Evidence(frame: t.request.frame, time: t.request.time, shows: .tftpRequest(file: named, to: t.requestDestination))
        switch t.outcome {
        case .error:
            let e = t.error.map { Evidence(frame: $0.at.frame, time: $0.at.time, shows: .tftpError($0)) }
            var next = SOSNextStep.codeDefault
            if t.error?.code == .fileNotFound { next = .serveFile(named) }
            return Finding(.tftpError, .tftpError(file: named, error: t.error), evidence: [request] + (e.map { [$0] } ?? []), next: next)
        case .unreachable:
            let u = t.unreachable
            let e = u.map { Evidence(frame: $0.at.frame, time: $0.at.time, shows: .icmpUnreachable(summary: $0.message)) }
            return Finding(.tftpUnreachable, .tftpUnreachable(file: named, destination: t.requestDestination, reporter: u?.reporter,
                                                              frame: u?.at.frame, requests: t.requestCount),
                           evidence: [request] + (e.map { [$0] } ?? []))
        case .unanswered:
            let waited = until.seconds(since: t.request.time)
            let back = next != nil || story.backInRecovery(after: t.lastFrame.time) != nil
            if t.requestCount >= SOSRecovery.tftpTries || waited >= thresholds.stall || back {
                let last = Evidence(frame: t.lastFrame.frame, time: t.lastFrame.time, shows: .lastTry)
                return Finding(.tftpNoResponse, .tftpNoResponse(file: named, destination: t.requestDestination, requests: t.requestCount,
                                                                span: t.lastFrame.time.seconds(since: t.request.time)),
                               evidence: t.requestCount > 1 ? [request, last] : [request])
            }
            return ended(after: request, .tftpRequest)
        case .stalled:
            let progress = t.stall?.at ?? t.request
            let quiet = until.seconds(since: progress.time)
            let back = next != nil || story.backInRecovery(after: t.lastFrame.time) != nil
            // The phone sent its last ACK as many times as it ever does: it has given up.
            let gaveUp = t.lastAckRepeats + 1 >= SOSRecovery.tftpTries
            let block = t.stall?.block ?? 0
            let p = Evidence(frame: progress.frame, time: progress.time, shows: .lastProgress(block: block))
            if quiet >= thresholds.stall || back || gaveUp {
                return Finding(.transferStalled, .stalled(file: named, block: block, bytes: max(t.file.bytesCaptured, t.acknowledgedThrough * t.blockSize), frame: progress.frame,
                                                          quietSide: t.stall?.quietSide, quiet: quiet, unreachableFrame: t.unreachable?.at.frame),
                               evidence: [request, p, Evidence(frame: t.lastFrame.frame, time: t.lastFrame.time, shows: .transferEnd)])
            }
            return ended(after: p, block > 0 ? .lastBlock(block) : .unansweredRequest)
        case .complete, .optionProbe:
            return afterDownload(d, t, story, path: path, next: next)
        }
    }

    /// A download that reached its last block: the image, then what came back.
    func afterDownload(_ a: SOSPhoneStory.Attempt.Download, _ t: TFTPTransfer, _ story: SOSPhoneStory, path: SOSDownloadPath,
                       next: CaptureTimestamp?) -> Finding {
        let file = a.file
        let last = Evidence(frame: t.lastFrame.frame, time: t.lastFrame.time, shows: .downloadEnd(finalAck: t.finalBlockAcknowledged))
        var rejection: FirmwareCheck?
        if case .rejected(let check)? = a.image?.verification.verdict { rejection = check }
        let download = SOSDownloadFacts(file: file, path: path, bytes: t.file.size ?? t.file.bytesCaptured, version: a.image?.version, loader: a.image?.loader,
                                        rejection: rejection, acknowledgedOnly: t.dataNotCaptured ? t.acknowledgedThrough : nil)
        if let image = a.image, image.loader == .rejected {
            var evidence = [last]
            var after: Double?
            if let back = a.after.firstRecovery {
                after = back.time.seconds(since: t.lastFrame.time)
                evidence.append(back)
            }
            return Finding(.imageRejected, .imageRejected(download, backInRecovery: a.after.firstRecovery, after: after), evidence: evidence,
                           next: image.isBundle ? .unzipBundle : .codeDefault)
        }
        if let normal = a.after.firstNormal {
            return Finding(.recovered, .recovered(download, after: normal.time.seconds(since: t.lastFrame.time), normal: normal), evidence: [last, normal])
        }
        // Heard from again within the reset window: it restarted before it
        // could write, whatever it shows (docs/verdicts.md); later and in
        // recovery: the write did not take.
        if let heard = a.after.firstHeard ?? a.after.firstRecovery {
            let back = a.after.firstRecovery
            let gap = heard.time.seconds(since: t.lastFrame.time)
            var evidence = [last, heard]
            if let back, back.frame != heard.frame { evidence.append(back) }
            if gap < thresholds.resetWindow {
                return Finding(.resetDuringWrite, .resetDuringWrite(download, gap: gap, heard: heard, back: back, window: thresholds.resetWindow),
                               evidence: evidence)
            }
            if let back {
                // The community's pairing rule, broken, is the likelier cause than the flash.
                if let loader = story.identity.loaderVersion, let version = a.image?.version,
                   let oldLoader = Self.pairingBroken(loader: loader, image: version) {
                    return Finding(.loaderFirmwareMismatch, .pairingReverted(download, loader: loader, image: version, oldLoader: oldLoader,
                                                                             gap: gap, back: back),
                                   evidence: [story.replies.first].compactMap { $0 } + evidence, next: .pairingRelease(oldLoader: oldLoader))
                }
                return Finding(.revertedToRecovery, .revertedToRecovery(download, gap: gap, back: back), evidence: evidence)
            }
        }
        if let damage = span.damage, next == nil {
            return Finding(.captureDamaged, .captureDamaged(step: .downloadEnd, frame: last.frame, damage: damage), evidence: [last, captureEnd])
        }
        let silence = (next ?? end).seconds(since: t.lastFrame.time)
        return Finding(.outcomeUnknown, .outcomeUnknown(download, silence: silence, heard: a.after.firstHeard), evidence: [last, captureEnd])
    }

    /// The warnings about an attempt's image: not the catalog's, and the community's pairing rule.
    func warnings(_ a: SOSPhoneStory.Attempt, _ story: SOSPhoneStory) -> [Finding] {
        guard let image = a.download?.image, let t = a.download?.transfer else { return [] }
        let e = Evidence(frame: t.request.frame, time: t.request.time, shows: .tftpRequest(file: t.fileName, to: nil))
        var result: [Finding] = []
        if case .mismatch(let expected) = image.identification {
            result.append(Finding(.imageMismatch, .imageMismatch(expected: expected), evidence: [e]))
        }
        // The pairing rule is about images the loader takes: a rejected image has a plainer cause.
        if image.loader != .rejected, let v = image.version, let loader = story.identity.loaderVersion,
           let oldLoader = Self.pairingBroken(loader: loader, image: v) {
            result.append(Finding(.loaderFirmwareMismatch, .pairing(loader: loader, image: v, oldLoader: oldLoader),
                                  evidence: [story.replies.first, Optional(e)].compactMap { $0 }))
        }
        return result
    }

    /// The community's pairing rule (docs/verdicts.md): a loader of 7.5.2b or
    /// older needs recovery firmware of 7.5.2b or older; a newer loader,
    /// newer firmware. Whether the loader is the old one when the rule is
    /// broken; nil when it holds or a version cannot be read.
    static func pairingBroken(loader: String, image: String) -> Bool? {
        var text = loader.trimmingCharacters(in: .whitespaces)
        if text.lowercased().hasSuffix("rec") { text = String(text.dropLast(3)) }
        while text.hasSuffix(".") { text.removeLast() }
        guard let l = SPAVersion(text), let i = SPAVersion(image), let boundary = SPAVersion("7.5.2b") else { return nil }
        let oldLoader = l <= boundary, oldImage = i <= boundary
        guard oldLoader != oldImage else { return nil }
        return oldLoader
    }
}

extension SOSPhoneStory {
    /// The recovery program answering again after `time` (a reply, its DHCP, a URL try).
    func backInRecovery(after time: CaptureTimestamp) -> Evidence? {
        [replies.last, recoveryDHCP.last, urlTries.last].compactMap { $0 }.filter { $0.time > time }.min { $0.time < $1.time }
    }
}

extension CaptureTimestamp {
    func adding(_ seconds: Double) -> CaptureTimestamp {
        let total = Double(totalNanoseconds) + seconds * 1e9
        let whole = Int64((total / 1e9).rounded(.down))
        return CaptureTimestamp(seconds: whole, nanoseconds: UInt32(max(0, min(999_999_999, total - Double(whole) * 1e9))), fractionDigits: fractionDigits)
    }
}
