/// What `RecoveryAnalyzer` concludes when the capture ends: which messages
/// reached which phone, and each phone's verdict and findings, from its
/// story (sos-model.md's rules and thresholds, docs/verdicts.md).
extension RecoveryAnalyzer {
    /// A message as one phone sees it.
    struct Judged {
        var index: Int
        var rules: [SOSRuleViolation]
        /// No `RECM` at offset 4, and no phone acted on it.
        var notSOS: Bool
        var dropped: Bool
    }

    /// Ends the capture: the tracker's last transfers are tied to their
    /// phones, and every phone's story is concluded.
    public mutating func finish() -> RecoveryAnalysis {
        for t in tracker.finish() { ended(t) }
        var notices: [String] = []
        if phonesNotFollowed > 0 { notices.append("\(phonesNotFollowed) more phones were not followed: at most \(limits.maxPhones) are") }
        if messagesNotKept > 0 {
            notices.append("\(messagesNotKept) S.O.S. messages to phones after the first \(limits.maxMessages) were not kept: they are not in the findings")
        }
        if duplicateFrames > 0 {
            notices.append("\(duplicateFrames) frames were seen twice (the same packet on two interfaces at the same time) and counted once")
        }
        if tracker.evictedTransfers > 0 {
            notices.append("\(tracker.evictedTransfers) TFTP transfers were ended early: more than \(limits.tracker.maxActiveTransfers) were open at once")
        }

        var reached = [Bool](repeating: false, count: messages.count)
        var verdicts: [PhoneVerdict] = []
        for (p, story) in phones.enumerated() {
            let judged = judge(for: p, story)
            for j in judged { reached[j.index] = true }
            verdicts.append(conclude(story, judged))
        }
        let orphans = messages.indices.filter { !reached[$0] }.map { judgeAlone($0) }
        let loose = concludeUnattributed(orphans)

        var analysis = RecoveryAnalysis(code: .noRecoveryTraffic, explanation: "", nextStep: "", phones: verdicts, findings: [],
                                        timeline: timeline(for: orphans), frames: frames, firstTime: firstTime, lastTime: lastTime,
                                        thresholds: thresholds, notices: notices)
        if let worst = verdicts.min(by: { $0.code < $1.code }) {
            analysis.code = worst.code
            analysis.nextStep = worst.nextStep
            analysis.explanation = verdicts.count == 1
                ? "Phone \(worst.identity.mac): \(worst.explanation)"
                : "\(verdicts.count) phones; the worst off, \(worst.identity.mac): \(worst.explanation)"
            analysis.findings = loose.map { [$0.verdict] + $0.others } ?? []
        } else if let loose {
            analysis.code = loose.verdict.code
            analysis.explanation = loose.verdict.explanation
            analysis.nextStep = loose.verdict.nextStep
            analysis.findings = ([loose.verdict] + loose.others).sorted { $0.code < $1.code }
        } else {
            let f = Finding(.noRecoveryTraffic, "The capture holds no S.O.S. message, no phone in recovery (DHCP as \"TI-dhcp 0.1\", S.O.S. replies) and no recovery download: it was taken where the recovery did not pass, or filtered.", evidence: [])
            analysis.explanation = f.explanation
            analysis.nextStep = f.nextStep
            analysis.findings = [f]
        }
        return analysis
    }

    // MARK: Which messages reached a phone

    /// The messages that reached phone `p`, each judged with what is known
    /// of the phone: group and broadcast messages reach every phone; others
    /// the phone whose address they were sent to (an address it had at any
    /// time, so that requests sent before its reply are tied to it once its
    /// address is known).
    func judge(for p: Int, _ story: PhoneStory) -> [Judged] {
        var result: [Judged] = []
        for (i, m) in messages.enumerated() {
            let followed = m.followers.contains(p)
            guard let destination = m.destination else { continue }
            let unicast = !m.isForEveryPhone
            if unicast, !followed, !story.identity.addresses.contains(destination), destination != subnetBroadcast(story) { continue }
            guard let message = m.message else {
                result.append(Judged(index: i, rules: [], notSOS: !followed, dropped: !followed))
                continue
            }
            let facts = SOSPhoneFacts(address: unicast && story.identity.addresses.contains(destination) ? destination : story.identity.address,
                                      prefixLength: story.prefixLength, serial: story.serialBytes)
            let rules = message.ruleViolations(delivery: m.delivery, phone: facts)
            // A serial that is another phone's: meant for that phone, not for this one.
            if rules.contains(where: { if case .serialMismatch = $0 { true } else { false } }), let sent = message.serial?.bytes,
               phones.contains(where: { $0 !== story && $0.serialBytes == sent }) {
                continue
            }
            result.append(Judged(index: i, rules: rules, notSOS: false, dropped: !followed && rules.contains(where: \.dropsMessage)))
        }
        return result
    }

    func subnetBroadcast(_ story: PhoneStory) -> IPv4Address? {
        SOSPhoneFacts(address: story.identity.address, prefixLength: story.prefixLength).subnetBroadcast
    }

    /// A message no phone can be tied to, judged by what it alone shows.
    func judgeAlone(_ i: Int) -> Judged {
        let m = messages[i]
        guard let message = m.message else { return Judged(index: i, rules: [], notSOS: true, dropped: true) }
        let rules = message.ruleViolations(delivery: m.delivery)
        return Judged(index: i, rules: rules, notSOS: false, dropped: rules.contains(where: \.dropsMessage))
    }

    // MARK: A phone's verdict

    /// The verdict of `story` with the capture ending at `end` (its last
    /// frame's time, unless a live capture asks about a later moment).
    func conclude(_ story: PhoneStory, _ judged: [Judged], end: CaptureTimestamp? = nil) -> PhoneVerdict {
        let end = end ?? lastTime ?? story.firstSeen.time
        var findings: [Finding] = []
        let verdict: Finding
        var download: DownloadSummary?
        if story.attempts.isEmpty {
            verdict = listening(story, judged, end: end)
        } else {
            var last: Finding?
            for (i, a) in story.attempts.enumerated() {
                let next = i + 1 < story.attempts.count ? story.attempts[i + 1].start.time : nil
                let f = outcome(a, story, next: next, end: end)
                if i == story.attempts.count - 1 { last = f } else { findings.append(f) }
                findings.append(contentsOf: warnings(a, story))
            }
            verdict = last ?? listening(story, judged, end: end)
            if let a = story.attempts.last {
                download = DownloadSummary(transfer: a.transfer, image: a.image, orderedFile: a.orderedFile, orderAsText: a.orderAsText)
            }
        }
        let dropped = judged.filter(\.dropped)
        if !dropped.isEmpty, verdict.code != .requestIgnored { findings.append(ignored(dropped, of: judged.count)) }
        findings.append(verdict)

        var notes = story.notes
        if story.eventsNotKept > 0 { notes.append("\(story.eventsNotKept) events after the first \(limits.maxEventsPerPhone) were left out of the timeline") }
        if story.attemptsNotKept > 0 { notes.append("\(story.attemptsNotKept) download attempts after the first \(limits.maxAttemptsPerPhone) were not followed") }
        if story.duplicates > 0 { notes.append("\(story.duplicates) of its frames were seen twice (two interfaces) and counted once") }
        return PhoneVerdict(identity: story.identity, code: verdict.code, explanation: verdict.explanation, nextStep: verdict.nextStep,
                            findings: Self.merged(findings, verdict: verdict), attempts: story.attempts.count + story.attemptsNotKept,
                            download: download, timeline: timeline(story, judged), notes: notes)
    }

    /// One finding per code, most serious first; the verdict's words kept for its code.
    static func merged(_ findings: [Finding], verdict: Finding) -> [Finding] {
        var byCode: [VerdictCode: Finding] = [:]
        for f in findings {
            if var old = byCode[f.code] {
                old.evidence += f.evidence.filter { e in !old.evidence.contains { $0.frame == e.frame } }
                if f.code == verdict.code, f.explanation == verdict.explanation { old.explanation = f.explanation; old.nextStep = f.nextStep }
                byCode[f.code] = old
            } else {
                byCode[f.code] = f
            }
        }
        if var v = byCode[verdict.code] {
            v.explanation = verdict.explanation
            v.nextStep = verdict.nextStep
            byCode[verdict.code] = v
        }
        return byCode.values.sorted { $0.code < $1.code }
    }

    /// A phone that never acted on an upgrade order: why not.
    func listening(_ story: PhoneStory, _ judged: [Judged], end: CaptureTimestamp) -> Finding {
        let valid = judged.filter { !$0.dropped }
        let validRequests = valid.filter { messages[$0.index].kind == .request }
        if let firstReply = story.replies.first {
            // It answered: did the utility order an upgrade?
            if let order = valid.first(where: { messages[$0.index].kind == .upgrade && messages[$0.index].mark.time > firstReply.time }) {
                let m = messages[order.index]
                let e = m.mark.evidence(Self.orderWords(m))
                if let busy = urlTry(story, from: m.mark.time.adding(-1), to: m.mark.time.adding(thresholds.noReply)) {
                    return Finding(.phoneBusy, "The phone answered (frame \(firstReply.frame)) but had left its listening window when the upgrade order came (frame \(m.mark.frame)): it was trying its Recovery/Last Upgrade URL (frame \(busy.frame)).",
                                   evidence: [firstReply, e, busy])
                }
                let waited = end.seconds(since: m.mark.time)
                if waited >= thresholds.noReply || (story.replies.last?.time ?? firstReply.time) > m.mark.time {
                    return Finding(.noPhoneReply, "The phone answered requests (frame \(firstReply.frame)) but never echoed the upgrade order (frame \(m.mark.frame)) in the \(Self.seconds(waited)) that followed: the order did not reach it, or came after its 5-second listening window.",
                                   evidence: [firstReply, e])
                }
                return ended(after: e, "the upgrade order", end: end)
            }
            let after = validRequests.filter { messages[$0.index].mark.time > firstReply.time }
            let heardFor = end.seconds(since: firstReply.time)
            if after.count >= 2 || heardFor >= thresholds.noReply {
                var evidence = [firstReply]
                if let last = story.replies.last, last.frame != firstReply.frame { evidence.append(last) }
                if let f = after.first { evidence.append(messages[f.index].mark.evidence("the utility asks again")) }
                let kept = after.isEmpty ? "" : ", and went on asking (\(after.count) more requests)"
                return Finding(.utilityDeaf, "The phone answered \(story.replies.count) time\(story.replies.count == 1 ? "" : "s") (frames \(firstReply.frame)–\((story.replies.last ?? firstReply).frame)) but the utility never sent an upgrade order\(kept): the replies go to multicast 234.4.8.10 port 4811, and the PC did not take them in.",
                               evidence: evidence)
            }
            return ended(after: story.replies.last ?? firstReply, "the phone's reply", end: end)
        }
        if judged.isEmpty {
            var evidence: [Evidence] = []
            if let d = story.recoveryDHCP.first { evidence.append(d) }
            if let u = story.urlTries.first { evidence.append(u) }
            if evidence.isEmpty { evidence.append(story.firstSeen.evidence("the phone's first frame")) }
            return Finding(.noRecoveryTraffic, "The phone is in recovery mode (frame \(evidence[0].frame)) but no S.O.S. message from a recovery utility reached it in the capture: the utility did not run, or ran on another network, or its traffic was filtered out.",
                           evidence: evidence)
        }
        if valid.isEmpty { return ignored(judged, of: judged.count) }
        return unanswered(valid, story: story, end: end)
    }

    /// Valid requests that drew no reply.
    func unanswered(_ valid: [Judged], story: PhoneStory?, end: CaptureTimestamp) -> Finding {
        let first = messages[valid[0].index], last = messages[valid[valid.count - 1].index]
        let e1 = first.mark.evidence(Self.messageWords(first))
        let e2 = last.mark.evidence(Self.messageWords(last))
        let evidence = e1.frame == e2.frame ? [e1] : [e1, e2]
        if let story, let busy = urlTry(story, from: first.mark.time.adding(-thresholds.noReply), to: last.mark.time.adding(1)) {
            return Finding(.phoneBusy, "\(valid.count) valid request\(valid.count == 1 ? "" : "s") (frames \(first.mark.frame)–\(last.mark.frame)) went unanswered while the phone was trying its Recovery/Last Upgrade URL (\(story.urlTries.count) tr\(story.urlTries.count == 1 ? "y" : "ies"), first in frame \(story.urlTries.first?.frame ?? busy.frame)): it does not listen then.",
                           evidence: evidence + [busy])
        }
        let waited = end.seconds(since: first.mark.time)
        if waited >= thresholds.noReply {
            let whom = story.map { "the phone \($0.identity.mac)" } ?? "any phone"
            return Finding(.noPhoneReply, "\(valid.count) valid request\(valid.count == 1 ? "" : "s") over \(Self.seconds(last.mark.time.seconds(since: first.mark.time))) (frames \(first.mark.frame)–\(last.mark.frame)) drew no reply from \(whom): no phone in its listening window on this network segment.",
                           evidence: evidence)
        }
        return ended(after: e1, "the first valid request", end: end,
                     why: "a phone is given \(Self.seconds(thresholds.noReply)) to answer (--no-reply)")
    }

    /// The first try of the phone's URLs between two times.
    func urlTry(_ story: PhoneStory, from: CaptureTimestamp, to: CaptureTimestamp) -> Evidence? {
        for e in [story.urlTries.first, story.urlTries.last].compactMap({ $0 }) where e.time >= from && e.time <= to { return e }
        if let f = story.urlTries.first, let l = story.urlTries.last, f.time < from, l.time > to { return f }
        return nil
    }

    /// Messages the phone drops by rule.
    func ignored(_ dropped: [Judged], of total: Int) -> Finding {
        var byRule: [(rule: String, detail: String, frames: [Evidence], count: Int)] = []
        for j in dropped.filter(\.dropped) {
            let m = messages[j.index]
            let rule: String, detail: String
            if j.notSOS {
                rule = "not-sos"
                detail = "\(m.length) bytes to port 4810 without RECM at offset 4: not an S.O.S. message, the phone drops it"
            } else if let first = j.rules.first(where: \.dropsMessage) {
                rule = first.code
                detail = first.description
            } else {
                continue
            }
            let e = m.mark.evidence(Self.messageWords(m))
            if let i = byRule.firstIndex(where: { $0.rule == rule }) {
                byRule[i].count += 1
                if byRule[i].frames.count < 2 { byRule[i].frames.append(e) } else { byRule[i].frames[1] = e }
            } else {
                byRule.append((rule, detail, [e], 1))
            }
        }
        let count = byRule.reduce(0) { $0 + $1.count }
        let what = byRule.map { r in
            let frames = r.frames.count > 1 ? "frames \(r.frames[0].frame)–\(r.frames[r.frames.count - 1].frame)" : "frame \(r.frames[0].frame)"
            return byRule.count == 1 ? "\(frames): \(r.detail)" : "\(r.count) (\(frames)): \(r.detail)"
        }.joined(separator: "; ")
        let lead = count == total
            ? (count == 1 ? "The one message to the phone breaks a rule that makes it drop it" : "All \(count) messages to the phone break a rule that makes it drop them")
            : "\(count) of the \(total) messages to the phone break a rule that makes it drop them"
        var next = VerdictCode.requestIgnored.nextStep
        if byRule.contains(where: { $0.rule == "serial" }) {
            next = "Type the serial exactly as the phone's label shows it (not its MAC address), or use FFFFFFFFFFFF (twelve capital F's)."
        } else if byRule.contains(where: { $0.rule == "broadcast" }) {
            next = "Send to 234.4.8.10 or to the phone's own address, not to a broadcast address: the vendor's utility does; check the PC has a route for 224.0.0.0/4 on the interface facing the phone."
        }
        return Finding(.requestIgnored, "\(lead): \(what).", evidence: byRule.flatMap(\.frames), nextStep: next)
    }

    /// The capture stopped before this step could finish.
    func ended(after e: Evidence, _ what: String, end: CaptureTimestamp, why: String? = nil) -> Finding {
        let when = e.frame >= frames ? "with" : "\(Self.seconds(end.seconds(since: e.time))) after"
        return Finding(.captureEnded, "The capture ends \(when) \(what) (frame \(e.frame)): too soon to see what came next\(why.map { "; \($0)" } ?? "").",
                       evidence: [e, Evidence(frame: frames, time: end, what: "the capture's last frame")])
    }

    /// How one download attempt ended.
    func outcome(_ a: PhoneStory.Attempt, _ story: PhoneStory, next: CaptureTimestamp?, end: CaptureTimestamp) -> Finding {
        let until = next ?? end
        let file = (a.requestFile ?? a.orderedFile).map(TransferTable.printable) ?? "the file"
        if let t = a.transfer {
            let request = Evidence(frame: t.request.frame, time: t.request.time, what: "TFTP request for \(file) to \(t.requestDestination)")
            switch t.outcome {
            case .error:
                let err = t.error
                let e = err.map { Evidence(frame: $0.at.frame, time: $0.at.time, what: "TFTP ERROR \($0.code.rawValue) (\($0.code)) \"\(TransferTable.printable($0.message))\" from the \($0.sentBy.rawValue)") }
                var words = "The download of \(file) ended with TFTP ERROR"
                if let err {
                    let message = err.message.isEmpty || err.message == "\(err.code)" ? "" : " \"\(TransferTable.printable(err.message))\""
                    words += " \(err.code.rawValue) (\(err.code))\(message), sent by the \(err.sentBy == .server ? "server" : "phone") (frame \(err.at.frame))"
                }
                words += "; the phone gives up at once and goes back to listening."
                var next = VerdictCode.tftpError.nextStep
                if err?.code == .fileNotFound { next = "The utility's TFTP server does not have \(file): restart the utility (its TFTP server serves the image it carries), and make sure no other TFTP server answers on port 69." }
                return Finding(.tftpError, words, evidence: [request] + (e.map { [$0] } ?? []), nextStep: next)
            case .unreachable:
                let u = t.unreachable
                let e = u.map { Evidence(frame: $0.at.frame, time: $0.at.time, what: $0.message) }
                let words = "The phone's TFTP request for \(file) to \(t.requestDestination) drew ICMP port unreachable\(u.map { " from \($0.reporter) (frame \($0.at.frame))" } ?? ""), \(t.requestCount) time\(t.requestCount == 1 ? "" : "s"): nothing listens on UDP port 69 there."
                return Finding(.tftpUnreachable, words, evidence: [request] + (e.map { [$0] } ?? []))
            case .unanswered:
                let waited = until.seconds(since: t.request.time)
                let back = next != nil || story.backInRecovery(after: t.lastFrame.time) != nil
                if t.requestCount >= 5 || waited >= thresholds.stall || back {
                    let last = Evidence(frame: t.lastFrame.frame, time: t.lastFrame.time, what: "its last try")
                    return Finding(.tftpNoResponse, "The phone asked for \(file) by TFTP (to \(t.requestDestination)) \(t.requestCount) time\(t.requestCount == 1 ? "" : "s") over \(Self.seconds(t.lastFrame.time.seconds(since: t.request.time))) and nothing answered: the PC's TFTP server did not get the request (it goes to multicast 234.4.8.10) or did not answer.",
                                   evidence: t.requestCount > 1 ? [request, last] : [request])
                }
                return ended(after: request, "the phone's TFTP request", end: end)
            case .stalled:
                let progress = t.stall?.at ?? t.request
                let quiet = until.seconds(since: progress.time)
                let back = next != nil || story.backInRecovery(after: t.lastFrame.time) != nil
                let block = t.stall?.block ?? 0
                let p = Evidence(frame: progress.frame, time: progress.time, what: block > 0 ? "block \(block), the last new one" : "the request")
                if quiet >= thresholds.stall || back {
                    let side = t.stall.map { $0.quietSide == .server ? "the server stopped sending" : "the phone stopped acknowledging" } ?? "it stopped"
                    var words = "The download of \(file) stopped at block \(block) (\(t.file.bytesCaptured) bytes, frame \(progress.frame)): \(side), and nothing moved for \(Self.seconds(quiet)) after."
                    if let u = t.unreachable { words += " An ICMP unreachable came in frame \(u.at.frame) (the server went away)." }
                    return Finding(.transferStalled, words, evidence: [request, p, Evidence(frame: t.lastFrame.frame, time: t.lastFrame.time, what: "the transfer's last frame")])
                }
                return ended(after: p, block > 0 ? "block \(block) of the download, its last progress" : "the phone's TFTP request, which nothing answered yet", end: end)
            case .complete, .optionProbe:
                return afterDownload(a, t, story, file: file, next: next, end: end)
            }
        }
        if let r = a.request {
            return ended(after: r, "the phone's TFTP request", end: end)
        }
        if let firstAsk = a.gatewayAsks.first, let gateway = a.gateway {
            if let answer = a.gatewayAnswer {
                return ended(after: answer, "the gateway's ARP answer (the phone's TFTP request is not in the capture)", end: end)
            }
            let waited = until.seconds(since: firstAsk.time)
            let back = next != nil || story.backInRecovery(after: firstAsk.time) != nil
            if a.gatewayAsks.count >= 3 || waited >= thresholds.stall || back {
                var evidence = [firstAsk]
                if let l = a.gatewayAsks.last, l.frame != firstAsk.frame { evidence.append(l) }
                return Finding(.noGateway, "After the upgrade order the phone asked ARP for its gateway \(gateway) \(a.gatewayAsks.count) time\(a.gatewayAsks.count == 1 ? "" : "s") and nothing answered: without a gateway it cannot send to 234.4.8.10 and gives up (\"Host not found\").",
                               evidence: (a.echo.map { [$0] } ?? []) + evidence,
                               nextStep: "Give the phone a gateway that answers ARP: make \(gateway) answer (a router on the phone's network, or add \(gateway) to the PC's interface), or give the phone, by DHCP or in its settings, a gateway that exists.")
            }
            return ended(after: a.gatewayAsks.last ?? firstAsk, "the phone's ARP request for its gateway", end: end)
        }
        let start = a.echo ?? a.order ?? a.start.evidence("the upgrade")
        let waited = until.seconds(since: start.time)
        let back = next != nil || story.backInRecovery(after: start.time) != nil
        if waited >= thresholds.stall || back {
            return Finding(.noGateway, "The phone took the upgrade order (frame \(start.frame)) but never asked ARP for a gateway nor for the file: it has no gateway set (\"IPA_GATEWAY not configured\"), and cannot reach 234.4.8.10 without one.",
                           evidence: [start])
        }
        return ended(after: start, "the upgrade \(a.echo != nil ? "echo" : "order")", end: end)
    }

    /// A download that reached its last block: the image, then what came back.
    func afterDownload(_ a: PhoneStory.Attempt, _ t: TFTPTransfer, _ story: PhoneStory, file: String, next: CaptureTimestamp?, end: CaptureTimestamp) -> Finding {
        let last = Evidence(frame: t.lastFrame.frame, time: t.lastFrame.time, what: "the download's last frame (\(t.finalBlockAcknowledged ? "final ACK" : "final DATA"))")
        var what = "\(file) (\(t.file.size ?? t.file.bytesCaptured) bytes"
        if let v = a.image?.version { what += ", version \(v)" }
        if let image = a.image, image.verdict.status == "rejected" {
            var words = "The phone received \(what)) but its loader \(image.verdictText)."
            var evidence = [last]
            if let back = a.after.firstRecovery {
                words += " It was back in recovery \(Self.seconds(back.time.seconds(since: t.lastFrame.time))) later (frame \(back.frame))."
                evidence.append(back)
            }
            var next = VerdictCode.imageRejected.nextStep
            if image.catalog.status == "bundle" { next = "Unzip the vendor's bundle and give the phone the .bin inside it, not the .zip." }
            return Finding(.imageRejected, words, evidence: evidence, nextStep: next)
        }
        let good: String
        switch a.image?.verdict.status {
        case "accepted"?: good = "\(what), which its loader accepts)"
        case "incomplete"?: good = "\(what); the capture lacks part of it, so its checks are not all made)"
        default: good = "\(what); not checked as a firmware image)"
        }
        if let normal = a.after.firstNormal {
            return Finding(.recovered, "The phone received \(good) and came back \(Self.seconds(normal.time.seconds(since: t.lastFrame.time))) later with normal firmware (frame \(normal.frame): \(normal.what)).",
                           evidence: [last, normal])
        }
        // Heard from again within the reset window: it restarted before it
        // could write, whatever it shows (sos-model.md); later and in
        // recovery: the write did not take.
        if let heard = a.after.firstHeard ?? a.after.firstRecovery {
            let back = a.after.firstRecovery
            let gap = heard.time.seconds(since: t.lastFrame.time)
            var evidence = [last, heard]
            if let back, back.frame != heard.frame { evidence.append(back) }
            if gap < thresholds.resetWindow {
                var again = "was heard from again only \(Self.seconds(gap)) after the download (frame \(heard.frame): \(heard.what))"
                if let back { again += back.frame == heard.frame ? ", in recovery" : " and is in recovery again (frame \(back.frame): \(back.what))" }
                return Finding(.resetDuringWrite, "The phone received \(good) but \(again), within the \(Self.seconds(thresholds.resetWindow)) (--reset-window) a phone needs to write its flash: it restarted before it could write it.",
                               evidence: evidence)
            }
            if let back {
                return Finding(.revertedToRecovery, "The phone received \(good), stayed silent \(Self.seconds(gap)) (long enough to write it), yet came back in recovery (frame \(back.frame): \(back.what)): its flash is suspect.",
                               evidence: evidence)
            }
        }
        let silence = (next ?? end).seconds(since: t.lastFrame.time)
        var words = "The phone received \(good); the capture ends \(Self.seconds(silence)) later"
        if let heard = a.after.firstHeard {
            words += ", and what the phone sent after it (frame \(heard.frame): \(heard.what)) does not say whether it came back with normal firmware or in recovery."
        } else {
            words += " without a word from it, before it came back."
        }
        return Finding(.outcomeUnknown, words, evidence: [last, Evidence(frame: frames, time: end, what: "the capture's last frame")])
    }

    /// The warnings about an attempt's image: not the catalog's, and the community's pairing rule.
    func warnings(_ a: PhoneStory.Attempt, _ story: PhoneStory) -> [Finding] {
        guard let image = a.image, let t = a.transfer else { return [] }
        let e = Evidence(frame: t.request.frame, time: t.request.time, what: "TFTP request for \(TransferTable.printable(t.fileName))")
        var result: [Finding] = []
        if image.catalog.status == "mismatch" {
            result.append(Finding(.imageMismatch, "The image is valid for the loader but is not the catalog's: \(image.catalogText).", evidence: [e]))
        }
        // The pairing rule is about images the loader takes: a rejected image has a plainer cause.
        if image.verdict.status != "rejected", let v = image.version, let loader = story.identity.loaderVersion,
           let pairing = Self.pairing(loader: loader, image: v) {
            result.append(Finding(.loaderFirmwareMismatch, pairing, evidence: [story.replies.first, Optional(e)].compactMap { $0 },
                                  caveat: "A community rule, not a certainty: the 7.6.2f loader checks no version at all, and reports 7.4.4rec whatever its release."))
        }
        return result
    }

    /// The community's pairing rule (sos-model.md): a loader of 7.5.2b or
    /// older needs recovery firmware of 7.5.2b or older; a newer loader,
    /// newer firmware. nil when it holds or a version cannot be read.
    static func pairing(loader: String, image: String) -> String? {
        var text = loader.trimmingCharacters(in: .whitespaces)
        if text.lowercased().hasSuffix("rec") { text = String(text.dropLast(3)) }
        while text.hasSuffix(".") { text.removeLast() }
        guard let l = SPAVersion(text), let i = SPAVersion(image), let boundary = SPAVersion("7.5.2b") else { return nil }
        let oldLoader = l <= boundary, oldImage = i <= boundary
        guard oldLoader != oldImage else { return nil }
        if oldLoader {
            return "The phone's loader reports \(loader) (7.5.2b or older) and the image is \(image): the community says a loader of 7.5.2b or older needs recovery firmware of 7.5.2b or older."
        }
        return "The phone's loader reports \(loader) (newer than 7.5.2b) and the image is \(image): the community says a newer loader needs recovery firmware newer than 7.5.2b."
    }

    // MARK: Messages no phone can be tied to

    func concludeUnattributed(_ judged: [Judged]) -> (verdict: Finding, others: [Finding])? {
        guard !judged.isEmpty else { return nil }
        let valid = judged.filter { !$0.dropped }
        let end = lastTime ?? messages[judged[0].index].mark.time
        if valid.isEmpty { return (ignored(judged, of: judged.count), []) }
        let dropped = judged.filter(\.dropped)
        return (unanswered(valid, story: nil, end: end), dropped.isEmpty ? [] : [ignored(dropped, of: judged.count)])
    }

    // MARK: Words

    static func messageWords(_ m: SentMessage) -> String {
        let to = m.destination.map { "\($0)" } ?? "?"
        guard let message = m.message else {
            return "datagram to \(to).\(m.delivery.destinationPort) without RECM" + (m.textName.map { ", naming \(TransferTable.printable($0))" } ?? "")
        }
        var words: String
        switch message.kind {
        case .request: words = "S.O.S. request"
        case .upgrade: words = "S.O.S. upgrade order"
        case .reply, .upgradeEcho: words = "S.O.S. \(message.kind) sent to the phone's port"
        case .unknown: words = "S.O.S. message with opcode \(Int8(bitPattern: message.opcode))"
        }
        if let f = message.fileName { words += " for \(f)" }
        words += " to \(to)"
        if let s = message.serial { words += ", serial \(s)" }
        return words
    }

    static func seconds(_ s: Double) -> String {
        if s < 0.1 { return "\(Int((max(s, 0) * 1000).rounded())) ms" }
        if s < 10 { return "\(TransferTable.fixed(s, 1)) s" }
        return "\(Int(s.rounded())) s"
    }
}

extension PhoneStory {
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
