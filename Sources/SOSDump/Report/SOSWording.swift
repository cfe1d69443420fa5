/// The words of the S.O.S. diagnosis: every sentence a technician reads
/// about an SPA phone's recovery, made from the diagnosis's typed values
/// (`Analysis/SOS/SOSFacts.swift`). Text, JSON and live events all word a
/// finding here, so they say the same thing; a renderer that links frames
/// or hides addresses works from the same values.
enum SOSWording {
    // MARK: Numbers

    /// A duration as a technician reads it: ms under 0.1 s, one decimal under 10 s, else whole seconds.
    static func seconds(_ s: Double) -> String {
        if s < 0.1 { return "\(Int((max(s, 0) * 1000).rounded())) ms" }
        if s < 10 { return "\(TransferTable.fixed(s, 1)) s" }
        return "\(Int(s.rounded())) s"
    }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    /// A string from the capture in a sentence (sentences reach terminals, in the text and in JSON).
    static func file(_ name: String) -> String { TerminalText.escaped(name) }

    // MARK: Evidence

    static func evidence(_ shows: SOSEvidence) -> String {
        switch shows {
        case .recoveryDHCP(let type):
            return "DHCP\(dhcpType(type)) as the recovery program (option 60 \"\(SOSRecovery.dhcpVendorClass)\")"
        case .normalDHCP(let type, let vendor):
            return "DHCP\(dhcpType(type)) as normal firmware (option 60 \"\(file(vendor))\")"
        case .normalTFTPRequest(let name, let port):
            return "TFTP request for \(file(name)) from port \(port): normal firmware"
        case .tftpRequest(let name, let to):
            return "TFTP request for \(name.map(file) ?? "the file")" + (to.map { " to \($0)" } ?? "")
        case .urlTryTFTP(let name, let to):
            return "TFTP request for \(file(name)) to \(to): its Recovery or Last Upgrade URL"
        case .urlTryHTTP(let address, let port):
            return httpTry(address, port) + ": its Recovery or Last Upgrade URL"
        case .profileFetch(let path):
            return "HTTP GET \(file(path)): normal firmware fetching its profile"
        case .sip(let address, let port):
            return "SIP to \(address).\(port) (normal firmware)"
        case .arpRequest(let target, let sender):
            return "ARP who-has \(target) tell \(sender.map { "\($0)" } ?? "?")"
        case .arpReply(let sender, let mac):
            return "ARP reply: \(sender) is at \(mac.map { "\($0)" } ?? "?")"
        case .reply(let product, let address, let serial, let loader):
            var words = "S.O.S. reply"
            if let product { words += " \(file(product))" }
            if let address { words += ", ip \(address)" }
            if let serial { words += ", serial \(file(serial))" }
            if let loader { words += ", loader \(file(loader))" }
            return words
        case .upgradeEcho(let name):
            return "S.O.S. upgrade echo" + (name.map { " \(file($0))" } ?? "")
        case .upgradeOrder(let name, let asText):
            if asText { return "a datagram carrying the file name \(name.map(file) ?? "?") as text" }
            return "S.O.S. upgrade order" + (name.map { " for \(file($0))" } ?? "")
        case .message(let m):
            return message(m)
        case .utilityAsksAgain:
            return "the utility asks again"
        case .firstFrame:
            return "the phone's first frame"
        case .captureEnd:
            return "the capture's last frame"
        case .firstFrameAfterDownload(let kind):
            let words: String
            switch kind {
            case .udp(let port, let destination, let destinationPort):
                words = "UDP from port \(port) to \(destination.map { "\($0)" } ?? "?").\(destinationPort)"
            case .arp(let reply): words = reply ? "an ARP reply" : "an ARP request"
            case .tcp(let port): words = "TCP to port \(port)"
            case .other: words = "a frame"
            }
            return "its first frame after the download: \(words)"
        case .tftpError(let e):
            return "TFTP ERROR \(e.code.rawValue) (\(e.code)) \"\(file(e.message))\" from the \(e.sentBy.rawValue)"
        case .icmpUnreachable(let summary):
            return summary
        case .lastTry:
            return "its last try"
        case .lastProgress(let block):
            return block > 0 ? "block \(block), the last new one" : "the request"
        case .transferEnd:
            return "the transfer's last frame"
        case .upgradeStart:
            return "the upgrade"
        case .downloadEnd(let finalAck):
            return "the download's last frame (\(finalAck ? "final ACK" : "final DATA"))"
        }
    }

    static func dhcpType(_ type: DHCPMessageType?) -> String {
        type.map { " \($0.name ?? "type \($0.rawValue)")" } ?? ""
    }

    static func httpTry(_ address: IPv4Address, _ port: UInt16) -> String {
        "connects to \(address).\(port) (TTL 60, the recovery program's)"
    }

    /// An S.O.S. message (or a datagram to the phone's port) in a few words.
    static func message(_ m: SOSMessageFacts) -> String {
        let to = m.destination.map { "\($0)" } ?? "?"
        guard let kind = m.kind else {
            return "datagram to \(to).\(m.destinationPort) without RECM" + (m.textName.map { ", naming \(file($0))" } ?? "")
        }
        var words: String
        switch kind {
        case .request: words = "S.O.S. request"
        case .upgrade: words = "S.O.S. upgrade order"
        case .reply, .upgradeEcho: words = "S.O.S. \(kind) sent to the phone's port"
        case .unknown: words = "S.O.S. message with opcode \(Int8(bitPattern: m.opcode))"
        }
        if let f = m.fileName { words += " for \(file(f.description))" }
        words += " to \(to)"
        if let s = m.serial { words += ", serial \(file(s))" }
        return words
    }

    // MARK: Codes

    /// The code's meaning, in one line.
    static func meaning(_ code: VerdictCode) -> String {
        switch code {
        case .recovered: "the phone came back with normal firmware after a download"
        case .noRecoveryTraffic: "no recovery attempt in the capture at all"
        case .requestIgnored: "requests the phone drops by rule (length, source port, broadcast, serial)"
        case .noPhoneReply: "valid requests, no reply"
        case .utilityDeaf: "the phone replied but the utility never reacted"
        case .phoneBusy: "the phone was trying its Recovery/Last Upgrade URL and not listening"
        case .noGateway: "after the upgrade order the phone found no gateway"
        case .tftpUnreachable: "the phone's TFTP request drew an ICMP port unreachable"
        case .tftpNoResponse: "the phone's TFTP request drew no answer at all"
        case .tftpError: "a TFTP ERROR packet ended the transfer"
        case .transferStalled: "DATA/ACK stopped before the last block"
        case .captureDamaged: "the file is damaged and reading stopped while the exchange was still going"
        case .captureEnded: "the capture ends while the exchange was still progressing"
        case .imageRejected: "the transferred image fails a check the loader makes"
        case .imageMismatch: "the image is valid but not what the catalog says for its name or version"
        case .loaderFirmwareMismatch: "the community's loader/firmware pairing rule is broken"
        case .resetDuringWrite: "good image, but the phone restarted too soon to have written its flash"
        case .revertedToRecovery: "good image, enough time, yet the phone is in recovery again: flash suspect"
        case .outcomeUnknown: "good transfer, but the capture ends before the phone came back"
        }
    }

    /// What to do, in plain words, when nothing more specific is known.
    static func nextStep(_ code: VerdictCode) -> String {
        switch code {
        case .recovered:
            "Nothing to fix: the phone runs normal firmware. Upgrade it the usual way if you need a newer release."
        case .noRecoveryTraffic:
            "Capture on the PC's network interface that faces the phone, with no capture filter, while the recovery utility runs."
        case .requestIgnored:
            "Send what the phone takes: 160-byte requests from UDP port 4811 to 234.4.8.10 (or the phone's own address) port 4810, with the serial FFFFFFFFFFFF or the phone's exact serial; the vendor's utility does this."
        case .noPhoneReply:
            "Power-cycle the phone and run the utility within 5 s of the S.O.S. screen, with the PC and the phone on the same switch (same network segment, no VLAN between them)."
        case .utilityDeaf:
            "Open UDP 69 and multicast 234.4.8.10 in the PC's firewall (or turn the firewall off while recovering), make the utility use the network interface that faces the phone, and use a switch that passes multicast."
        case .phoneBusy:
            "Wait until the phone stops trying its Recovery/Last Upgrade URL, or power-cycle it and run the utility within 5 s of the S.O.S. screen."
        case .noGateway:
            "Give the phone a gateway that answers ARP: a router on the phone's network, or a DHCP server whose router option (3) answers, or add the gateway's address to the PC."
        case .tftpUnreachable:
            "Free UDP port 69 on the PC (stop any other TFTP server) and let the utility's TFTP server through the PC's firewall."
        case .tftpNoResponse:
            "Let the PC receive multicast 234.4.8.10 on UDP port 69 (firewall, the interface the utility uses, IGMP snooping on the switch) and free port 69."
        case .tftpError:
            "Read the error: usually the utility's TFTP server does not serve the file it ordered. Restart the utility, or use another copy of it."
        case .transferStalled:
            "Try again with a direct cable or a plain switch, keep the PC from sleeping, and let it keep receiving multicast 234.4.8.10 (the phone's ACKs go there)."
        case .captureDamaged:
            "Save the capture again (copy it again from the machine that made it, or save it again from Wireshark): the damaged part and everything after it could not be read."
        case .captureEnded:
            "Capture the whole attempt: start the capture before the utility and stop it only when the phone shows its normal screen or S.O.S. again (a few minutes)."
        case .imageRejected:
            "Use a good image: take the recovery utility (or the .bin) again from the vendor's bundle."
        case .imageMismatch:
            "Compare the image with the vendor's: get the recovery utility from the vendor's bundle rather than another copy."
        case .loaderFirmwareMismatch:
            "If the phone comes back in recovery, try a recovery utility whose firmware pairs with the loader (7.5.2b or older for a 7.5.2b-or-older loader)."
        case .resetDuringWrite:
            "Run the recovery again and leave the phone powered for several minutes after the transfer; check its power supply or PoE."
        case .revertedToRecovery:
            "The phone's flash is suspect: try once more with another release's recovery utility; if it comes back in recovery again, the phone needs repair or replacement."
        case .outcomeUnknown:
            "Look at the phone: a normal screen means it recovered, S.O.S. means it did not. Next time, capture until the phone comes back."
        }
    }

    // MARK: Findings

    static func nextStep(_ f: Finding) -> String {
        switch f.next {
        case .codeDefault:
            return nextStep(f.code)
        case .unzipBundle:
            return "Unzip the vendor's bundle and give the phone the .bin inside it, not the .zip."
        case .serveFile(let name):
            return "The utility's TFTP server does not have \(file(name)): restart the utility (its TFTP server serves the image it carries), and make sure no other TFTP server answers on port 69."
        case .typeSerial:
            return "Type the serial exactly as the phone's label shows it (not its MAC address), or use FFFFFFFFFFFF (twelve capital F's)."
        case .notBroadcast:
            return "Send to 234.4.8.10 or to the phone's own address, not to a broadcast address: the vendor's utility does; check the PC has a route for 224.0.0.0/4 on the interface facing the phone."
        case .pairingRelease(let oldLoader):
            let release = oldLoader
                ? "one whose firmware is 7.5.2b or older, e.g. 7.4.9c (spa50x-30x-7-4-9c-recovery.exe), for a loader of 7.5.2b or older"
                : "one whose firmware is newer than 7.5.2b, e.g. 7.6.2, for a loader newer than 7.5.2b"
            return "Run the recovery again with the recovery utility release that pairs with the phone's loader: \(release). If the phone comes back in recovery with that one too, its flash is suspect (hardware): it needs repair or replacement."
        case .answerGateway(let g):
            return "Give the phone a gateway that answers ARP: make \(g) answer (a router on the phone's network, or add \(g) to the PC's interface), or give the phone, by DHCP or in its settings, a gateway that exists."
        }
    }

    /// For a warning: why it may not apply.
    static func caveat(_ f: Finding) -> String? {
        guard f.hasCaveat else { return nil }
        return "A community rule, not a certainty: the 7.6.2f loader checks no version at all, and reports 7.4.4rec whatever its release."
    }

    static func explanation(_ f: Finding) -> String {
        switch f.fact {
        case .noRecoveryTraffic:
            return "The capture holds no S.O.S. message, no phone in recovery (DHCP as \"TI-dhcp 0.1\", S.O.S. replies) and no recovery download: it was taken where the recovery did not pass, or filtered."
        case .inRecoveryNoUtility(let frame):
            return "The phone is in recovery mode (frame \(frame)) but no S.O.S. message from a recovery utility reached it in the capture: the utility did not run, or ran on another network, or its traffic was filtered out."
        case .busyAtOrder(let reply, let order, let urlTry):
            return "The phone answered (frame \(reply)) but had left its listening window when the upgrade order came (frame \(order)): it was trying its Recovery/Last Upgrade URL (frame \(urlTry))."
        case .busyWhileAsked(let requests, let first, let last, let tries, let firstTry):
            return "\(requests) valid request\(requests == 1 ? "" : "s") (frames \(first)–\(last)) went unanswered while the phone was trying its Recovery/Last Upgrade URL (\(tries) tr\(tries == 1 ? "y" : "ies"), first in frame \(firstTry)): it does not listen then."
        case .orderNotEchoed(let reply, let order, let waited):
            return "The phone answered requests (frame \(reply)) but never echoed the upgrade order (frame \(order)) in the \(seconds(waited)) that followed: the order did not reach it, or came after its 5-second listening window."
        case .noReply(let requests, let span, let first, let last, let phone):
            let whom = phone.map { "the phone \($0)" } ?? "any phone"
            return "\(requests) valid request\(requests == 1 ? "" : "s") over \(seconds(span)) (frames \(first)–\(last)) drew no reply from \(whom): no phone in its listening window on this network segment."
        case .utilityDeaf(let replies, let first, let last, let later):
            let kept = later == 0 ? "" : ", and went on asking (\(later) more requests)"
            return "The phone answered \(replies) time\(replies == 1 ? "" : "s") (frames \(first)–\(last)) but the utility never sent an upgrade order\(kept): the replies go to multicast 234.4.8.10 port 4811, and the PC did not take them in."
        case .ignored(let count, let total, let groups):
            let what = groups.map { g in
                let frames = g.frames.count > 1 ? "frames \(g.frames[0])–\(g.frames[g.frames.count - 1])" : "frame \(g.frames.first ?? 0)"
                let detail: String
                switch g.rule {
                case .notSOS(let length): detail = "\(length) bytes to port 4810 without RECM at offset 4: not an S.O.S. message, the phone drops it"
                case .violation(let v): detail = v.description
                }
                return groups.count == 1 ? "\(frames): \(detail)" : "\(g.count) (\(frames)): \(detail)"
            }.joined(separator: "; ")
            let lead = count == total
                ? (count == 1 ? "The one message to the phone breaks a rule that makes it drop it" : "All \(count) messages to the phone break a rule that makes it drop them")
                : "\(count) of the \(total) messages to the phone break a rule that makes it drop them"
            return "\(lead): \(what)."
        case .captureEnded(let step, let frame, let after):
            let when = after.map { "\(seconds($0)) after" } ?? "with"
            var why = ""
            if case .firstValidRequest(let noReply) = step { why = "; a phone is given \(seconds(noReply)) to answer (--no-reply)" }
            return "The capture ends \(when) \(stepWords(step)) (frame \(frame)): too soon to see what came next\(why)."
        case .tftpError(let name, let error):
            var words = "The download of \(file(name)) ended with TFTP ERROR"
            if let err = error {
                let message = err.message.isEmpty || err.message == "\(err.code)" ? "" : " \"\(file(err.message))\""
                words += " \(err.code.rawValue) (\(err.code))\(message), sent by the \(err.sentBy == .server ? "server" : "phone") (frame \(err.at.frame))"
            }
            return words + "; the phone gives up at once and goes back to listening."
        case .tftpUnreachable(let name, let destination, let reporter, let frame, let requests):
            var from = ""
            if let reporter, let frame { from = " from \(reporter) (frame \(frame))" }
            return "The phone's TFTP request for \(file(name)) to \(destination) drew ICMP port unreachable\(from), \(requests) time\(requests == 1 ? "" : "s"): nothing listens on UDP port 69 there."
        case .tftpNoResponse(let name, let destination, let requests, let span):
            return "The phone asked for \(file(name)) by TFTP (to \(destination)) \(requests) time\(requests == 1 ? "" : "s") over \(seconds(span)) and nothing answered: the PC's TFTP server did not get the request (it goes to multicast 234.4.8.10) or did not answer."
        case .stalled(let name, let block, let bytes, let frame, let quietSide, let quiet, let unreachableFrame):
            let side = quietSide.map { $0 == .server ? "the server stopped sending" : "the phone stopped acknowledging" } ?? "it stopped"
            var words = "The download of \(file(name)) stopped at block \(block) (\(bytes) bytes, frame \(frame)): \(side), and nothing moved for \(seconds(quiet)) after."
            if let u = unreachableFrame { words += " An ICMP unreachable came in frame \(u) (the server went away)." }
            return words
        case .gatewayUnanswered(let gateway, let asks):
            return "After the upgrade order the phone asked ARP for its gateway \(gateway) \(asks) time\(asks == 1 ? "" : "s") and nothing answered: without a gateway it cannot send to 234.4.8.10 and gives up (\"Host not found\")."
        case .noGatewaySet(let frame):
            return "The phone took the upgrade order (frame \(frame)) but never asked ARP for a gateway nor for the file: it has no gateway set (\"IPA_GATEWAY not configured\"), and cannot reach 234.4.8.10 without one."
        case .imageRejected(let d, let back, let after):
            var words = "The phone received \(received(d))) but its loader \(FirmwareText.loaderRejects(d.rejection))."
            if let back, let after { words += " It was back in recovery \(seconds(after)) later (frame \(back.frame))." }
            return words
        case .recoveredFromURL(let url, let normal, let after):
            return "The phone, in recovery, fetched its image by itself from its Recovery/Last Upgrade URL (frame \(url.frame): \(evidence(url.shows))) and came back \(seconds(after)) later with normal firmware (frame \(normal.frame): \(evidence(normal.shows))). The download itself is not rebuilt (HTTP), so the image is not checked."
        case .recovered(let d, let after, let normal):
            return "The phone received \(good(d)) \(path(d.path)) and came back \(seconds(after)) later with normal firmware (frame \(normal.frame): \(evidence(normal.shows)))."
        case .resetDuringWrite(let d, let gap, let heard, let back, let window):
            var again = "was heard from again only \(seconds(gap)) after the download (frame \(heard.frame): \(evidence(heard.shows)))"
            if let back {
                again += back.frame == heard.frame ? ", in recovery" : " and is in recovery again (frame \(back.frame): \(evidence(back.shows)))"
            }
            return "The phone received \(good(d)) but \(again), within the \(seconds(window)) (--reset-window) a phone needs to write its flash: it restarted before it could write it."
        case .revertedToRecovery(let d, let gap, let back):
            return "The phone received \(good(d)), stayed silent \(seconds(gap)) (long enough to write it), yet came back in recovery (frame \(back.frame): \(evidence(back.shows))): its flash is suspect."
        case .outcomeUnknown(let d, let silence, let heard):
            var words = "The phone received \(good(d)); the capture ends \(seconds(silence)) later"
            if let heard {
                words += ", and what the phone sent after it (frame \(heard.frame): \(evidence(heard.shows))) does not say whether it came back with normal firmware or in recovery."
            } else {
                words += " without a word from it, before it came back."
            }
            return words
        case .imageMismatch(let expected):
            return "The image is valid for the loader but is not the catalog's: \(FirmwareText.catalogText(FirmwareReport.identification(.mismatch(expected: expected))))."
        case .pairingReverted(let d, let loader, let image, let oldLoader, let gap, let back):
            let rule = oldLoader
                ? "its loader reports \(loader) (7.5.2b or older) and the image is \(image): the community says a loader of 7.5.2b or older needs recovery firmware of 7.5.2b or older"
                : "its loader reports \(loader) (newer than 7.5.2b) and the image is \(image): the community says a newer loader needs recovery firmware newer than 7.5.2b"
            return "The phone received \(good(d)), stayed silent \(seconds(gap)) (long enough to write it), yet came back in recovery (frame \(back.frame): \(evidence(back.shows))). The likelier cause is the utility's release: \(rule). A bad flash comes only after a release that pairs with the loader fails too."
        case .captureDamaged(let step, let frame, let damage):
            let read = damage.lastFrame == 0 ? "before its first frame" : "after frame \(damage.lastFrame)"
            let place = damage.error.offset.map { "at byte offset \($0)" } ?? ""
            let what = step.map { "The exchange was still going after \(stepWords($0)) (frame \(frame))" }
                ?? (damage.lastFrame == 0 ? "Nothing of the exchange could be read" : "No recovery exchange was seen before the damage")
            return "\(what), and the file is damaged \(place): reading stopped \(read), and the rest of the file was not read."
        case .pairing(let loader, let image, let oldLoader):
            if oldLoader {
                return "The phone's loader reports \(loader) (7.5.2b or older) and the image is \(image): the community says a loader of 7.5.2b or older needs recovery firmware of 7.5.2b or older."
            }
            return "The phone's loader reports \(loader) (newer than 7.5.2b) and the image is \(image): the community says a newer loader needs recovery firmware newer than 7.5.2b."
        }
    }

    /// What made the phone download: RECOVERED names it.
    static func path(_ p: SOSDownloadPath) -> String {
        switch p {
        case .upgradeOrder: "on the utility's upgrade order"
        case .orderAsText: "on an upgrade order of a variant sosdump does not know (the file name sent as text)"
        case .orderNotCaptured: "on an upgrade order the capture does not hold"
        case .url: "by itself, from its Recovery/Last Upgrade URL"
        }
    }

    static func stepWords(_ step: SOSStep) -> String {
        switch step {
        case .upgradeOrder: "the upgrade order"
        case .upgradeEcho: "the upgrade echo"
        case .phoneReply: "the phone's reply"
        case .firstValidRequest: "the first valid request"
        case .tftpRequest: "the phone's TFTP request"
        case .unansweredRequest: "the phone's TFTP request, which nothing answered yet"
        case .lastBlock(let block): "block \(block) of the download, its last progress"
        case .gatewayAnswer: "the gateway's ARP answer (the phone's TFTP request is not in the capture)"
        case .gatewayLookup: "the phone's ARP request for its gateway"
        case .downloadEnd: "the end of the download, while the phone writes or restarts"
        }
    }

    /// "spa504g.bin (4200000 bytes, version 7.4.9c" — the parenthesis closed by the caller's words.
    static func received(_ d: SOSDownloadFacts) -> String {
        if let blocks = d.acknowledgedOnly { return "\(file(d.file)) (its ACKs for all \(blocks) blocks prove it arrived" }
        return "\(file(d.file)) (\(d.bytes) bytes" + (d.version.map { ", version \($0)" } ?? "")
    }

    static func good(_ d: SOSDownloadFacts) -> String {
        if d.acknowledgedOnly != nil { return "\(received(d)); \(dataNotCaptured))" }
        return switch d.loader {
        case .accepted?: "\(received(d)), which its loader accepts)"
        case .incomplete?: "\(received(d)); the capture lacks part of it, so its checks are not all made)"
        default: "\(received(d)); not checked as a firmware image)"
        }
    }

    // MARK: Timeline

    static func timeline(_ event: SOSTimelineEvent) -> String {
        switch event {
        case .frame(let shows):
            return evidence(shows)
        case .dhcpAck(let server, let address, let prefix, let router):
            var words = "DHCP server \(server) gives it \(address)"
            if let prefix { words += "/\(prefix)" }
            words += router.map { ", gateway \($0)" } ?? ", no gateway (option 3)"
            return words
        case .asksFile(let name, let to):
            return "asks for \(file(name)) by TFTP (to \(to))"
        case .urlTryTFTP(let name, let to):
            return "tries its Recovery/Last Upgrade URL: TFTP request for \(file(name)) to \(to)"
        case .urlTryHTTP(let address, let port):
            return "tries its Recovery/Last Upgrade URL: " + httpTry(address, port)
        case .arpAsk(let target, let isGateway):
            return isGateway ? "asks ARP for its gateway \(target)" : "asks ARP who has \(target)"
        case .gatewayAnswers(let sender, let mac):
            return "\(sender) is at \(mac.map { "\($0)" } ?? "?"): the gateway answers"
        case .urlTryResult(let name, let outcome):
            return "its URL try for \(file(name)): \(outcome == .unanswered ? "no answer" : outcome.rawValue)"
        case .echo(let name):
            return "echoes the upgrade order" + (name.map { " for \(file($0))" } ?? "") + ": it will download"
        case .sip(let address, let port):
            return "SIP to \(address).\(port): normal firmware"
        case .message(let m, let disposition):
            var words = message(m)
            switch disposition {
            case .notSOS: words += ": not an S.O.S. message, dropped"
            case .dropped(let rule): words += ": the phone drops it (\(rule.code))"
            case .unknownVariant: words += ": an upgrade order of a variant sosdump does not know"
            case .taken: break
            }
            return words
        case .transfer(let t):
            return transfer(t)
        case .image(let version, let loader, let loaderMessage):
            let words = switch loader {
            case .accepted: "the loader accepts it"
            case .rejected: "the loader rejects it" + (loaderMessage.map { " (\"\($0)\")" } ?? "")
            case .incomplete: "the loader's checks cannot all be made (partial image)"
            }
            return "image \(version ?? "of unreadable version"): \(words)"
        case .silence(let s):
            return "\(seconds(s)) of silence from the phone after its download"
        case .captureEnds(let after):
            return "the capture ends" + (after.map { " \(seconds($0)) after the line above" } ?? "")
        case .linesLeftOut(let n):
            return "(\(n) more lines left out)"
        }
    }

    static func period(_ p: SOSPeriod) -> String {
        let length = seconds(p.end.seconds(since: p.start))
        return switch p.kind {
        case .silence: "\(length) of silence from the phone after its download"
        case .resetWindow: "the reset window: \(length) after the download (a phone heard from within it restarted before writing its flash)"
        }
    }

    /// A transfer seen only through the receiver's ACKs.
    static let dataNotCaptured = "DATA not in the capture: the image cannot be checked"

    static func transfer(_ t: TFTPTransferSummary) -> String {
        let from = t.server.map { "from \($0)" } ?? "from nobody"
        var words = "TFTP \(from): \(t.blocks) block\(t.blocks == 1 ? "" : "s"), \(t.bytes) bytes"
        if let acked = t.acknowledgedOnly {
            words = "TFTP: the phone acknowledged \(acked) block\(acked == 1 ? "" : "s") (\(dataNotCaptured))"
        }
        switch t.outcome {
        case .complete where t.acknowledgedOnly != nil:
            words += ", complete by its ACKs"
        case .complete:
            words += t.fileComplete ? ", complete" : ", complete (the capture lacks some blocks)"
            if !t.finalBlockAcknowledged { words += " (the final ACK is not in the capture)" }
        case .error: words += ", ended by a TFTP ERROR"
        case .unreachable: words += ", answered by ICMP unreachable"
        case .unanswered: words += ", no answer to \(t.requests) request\(t.requests == 1 ? "" : "s")"
        case .stalled: words += ", stalled at block \(t.stallBlock ?? 0)"
        case .optionProbe: words += ", a size probe"
        }
        if t.corruptedData > 0 { words += "; \(t.corruptedData) DATA with a bad UDP checksum, dropped by the phone" }
        if t.retransmittedData > 0 { words += "; \(t.retransmittedData) DATA resent" }
        if t.repeatedAcks > 0 { words += "; \(t.repeatedAcks) ACKs repeated" }
        return words
    }

    // MARK: Notes

    static func note(_ n: SOSPhoneNote) -> String {
        switch n {
        case .orderAsText(let frame, let name, let request):
            "frame \(frame) is not an S.O.S. message but carries the file name \(file(name)) as text, and the phone then asked for that file (frame \(request)): taken as the upgrade order of a loader variant sosdump does not know"
        case .eventsNotKept(let n, let max): "\(n) events after the first \(max) were left out of the timeline"
        case .attemptsNotKept(let n, let max): "\(n) download attempts after the first \(max) were not followed"
        case .duplicates(let n): "\(n) of its frames were seen twice (two interfaces) and counted once"
        }
    }

    static func notice(_ n: SOSNotice) -> String {
        switch n {
        case .phonesNotFollowed(let n, let max): "\(n) more phones were not followed: at most \(max) are"
        case .messagesNotKept(let n, let max):
            "\(n) S.O.S. messages to phones after the first \(max) were not kept: they are not in the findings"
        case .duplicateFrames(let n): "\(n) frames were seen twice (the same packet on two interfaces at the same time) and counted once"
        case .transfersEvicted(let n, let max): "\(n) TFTP transfers were ended early: more than \(max) were open at once"
        }
    }

    // MARK: The capture

    static func explanation(_ a: RecoveryAnalysis) -> String {
        switch a.verdict {
        case .phone(let i):
            let worst = a.phones[i]
            return a.phones.count == 1
                ? "Phone \(worst.identity.mac): \(explanation(worst.verdict))"
                : "\(a.phones.count) phones; the worst off, \(worst.identity.mac): \(explanation(worst.verdict))"
        case .capture(let f):
            return explanation(f)
        }
    }

    static func nextStep(_ a: RecoveryAnalysis) -> String {
        switch a.verdict {
        case .phone(let i): nextStep(a.phones[i].verdict)
        case .capture(let f): nextStep(f)
        }
    }
}

// The words, where callers and tests reach for them on the values.
extension VerdictCode {
    /// The code's meaning, in one line (docs/verdicts.md).
    public var meaning: String { SOSWording.meaning(self) }
    /// What to do, in plain words, when nothing more specific is known.
    public var nextStep: String { SOSWording.nextStep(self) }
}

extension Finding {
    public var explanation: String { SOSWording.explanation(self) }
    public var nextStep: String { SOSWording.nextStep(self) }
    public var caveat: String? { SOSWording.caveat(self) }
}

extension Evidence {
    public var what: String { SOSWording.evidence(shows) }
}

extension TimelineEntry {
    public var text: String { SOSWording.timeline(event) }
}

extension PhoneVerdict {
    public var explanation: String { verdict.explanation }
    public var nextStep: String { verdict.nextStep }
}

extension RecoveryAnalysis {
    public var explanation: String { SOSWording.explanation(self) }
    public var nextStep: String { SOSWording.nextStep(self) }
}
