/// The verdict rules of the boot diagnosis: what each cycle of a phone
/// shows (the first thing that stopped it), what the cycles show together
/// (a load fetched and refused, a load taken), and the phone's one verdict.
///
/// A cycle is read in the order a phone boots: DHCP, the TFTP server it
/// gave, the files (trust list, configuration, load, parts), the
/// registration. The first step that failed is the cycle's fault. The
/// phone's verdict is its last cycle's: its fault, or its success; when
/// the capture cut the last cycle short, the latest fault before it (the
/// reason the phone started again), else what the cycles together show.
struct BootRules {
    let thresholds: BootThresholds
    /// The capture's last frame time.
    let end: CaptureTimestamp?
    /// Lower-cased names of every file some phone of the capture received whole, to the name as sent.
    let receivedFiles: [String: String]

    /// What stopped one cycle, if the cycle shows it.
    func fault(_ c: BootCycle, cycleEnd: CaptureTimestamp?, isLast: Bool) -> BootFinding? {
        // DHCP.
        switch c.dhcp {
        case .unanswered(let asks, let first, let last):
            let until = cycleEnd ?? last.time
            let waited = until.seconds(since: first.time)
            if !isLast || waited >= thresholds.registration {
                return BootFinding(.noDHCPAnswer, .dhcpUnanswered(asks: asks, seconds: waited),
                                   evidence: [BootEvidence(first, .dhcpAsk(type: .discover, vendorClass: nil)),
                                              BootEvidence(last, .dhcpAsk(type: nil, vendorClass: nil))])
            }
            return nil
        case .nak(let server, let at):
            return BootFinding(.noDHCPAnswer, .dhcpNak(server: server), evidence: [BootEvidence(at, .dhcpReply(type: .nak, server: server, address: .any, tftp: .none))])
        default:
            break
        }
        // The TFTP server DHCP gave.
        let answered = c.files.contains { Self.serverAnswered($0.outcome) }
        if let choice = c.tftp, let at = c.tftpFrame, !answered {
            let server: IPv4Address = switch c.dhcp {
            case .acknowledged(let s, _, _), .offered(let s, _, _): s
            default: .any
            }
            let e = BootEvidence(at, .dhcpReply(type: .ack, server: server, address: .any, tftp: choice))
            if choice.isMalformed { return BootFinding(.tftpOptionMalformed, .optionMalformed(choice, server: server), evidence: [e]) }
            if choice == .none, c.files.isEmpty { return BootFinding(.noTFTPServer, .noTFTPServer(server: server), evidence: [e]) }
        }
        // Nothing answered its requests.
        if !c.files.isEmpty, !answered, let first = c.files.first(where: { Self.unanswered($0.outcome) }) {
            let unreachable = c.files.contains { if case .unreachable = $0.outcome { true } else { false } }
            var evidence = [BootEvidence(first.request, .tftpRequest(file: first.name, to: first.to))]
            if let f = c.files.first(where: { if case .unreachable = $0.outcome { true } else { false } }),
               case .unreachable(let u) = f.outcome {
                evidence.append(BootEvidence(BootMark(frame: u.at.frame, time: u.at.time), .icmpUnreachable(file: f.name, summary: u.message)))
            }
            let requests = c.files.reduce(0) { n, f in if case .unanswered(let r) = f.outcome { n + r } else { n + 1 } }
            return BootFinding(.tftpServerSilent, .tftpSilent(file: first.name, to: first.to, requests: requests, unreachable: unreachable),
                               evidence: evidence)
        }
        // The configuration.
        if !Self.gotConfig(c) {
            if let signed = c.files(.signedConfig).first(where: { Self.refused($0.outcome) }) {
                return BootFinding(.trustListMismatch, .trustList(file: signed.name, restarts: 0), evidence: errorEvidence(signed))
            }
            let device = c.files(.deviceConfig).last { Self.refused($0.outcome) }
            let fallback = c.files(.defaultConfig).last { Self.refused($0.outcome) }
            if let failed = fallback ?? (isLast ? nil : device), fallback != nil || !isLast {
                return BootFinding(.configNotFound, .configNotFound(device: device?.name, fallback: fallback?.name, server: failed.to),
                                   evidence: (device.map(errorEvidence) ?? []) + (fallback.map(errorEvidence) ?? []))
            }
        }
        // The load.
        if let loads = c.files(.loads).last(where: { Self.refused($0.outcome) }), !c.got(.loads) {
            let named: BootFact.LoadSource = c.configLoad.map { .config($0) } ?? .factoryDefault
            return BootFinding(.loadNotFound, .loadNotFound(file: loads.name, named: named, server: loads.to), evidence: errorEvidence(loads))
        }
        if let part = c.files(.loadPart).first(where: { Self.refused($0.outcome) }) {
            let other = receivedFiles[part.name.lowercased()].flatMap { $0 != part.name ? $0 : nil }
            return BootFinding(.loadPartMissing, .partMissing(part: part.name, loads: c.loadsFile ?? "", otherCase: other),
                               evidence: errorEvidence(part))
        }
        // A transfer that stopped.
        for f in c.files {
            // Quiet until the next boot or the capture's end (live: its last frame too, as offline).
            guard case .stalled(let block, let bytes, let at) = f.outcome else { continue }
            let quiet = (cycleEnd ?? at.time).seconds(since: at.time)
            if !isLast || quiet >= thresholds.noProgress {
                return BootFinding(.transferStalled, .stalled(file: f.name, block: block, bytes: bytes, quiet: quiet),
                                   evidence: [BootEvidence(f.request, .tftpRequest(file: f.name, to: f.to)),
                                              BootEvidence(at, .lastProgress(file: f.name, block: block))])
            }
        }
        // The registration.
        switch c.registration {
        case .rejected(let server, let p, let reason, let sent, let at):
            return BootFinding(.registrationRejected, .registrationRejected(protocol: p, reason: reason, server: server),
                               evidence: [BootEvidence(sent, .register(protocol: p, deviceName: nil, deviceType: nil, server: server)),
                                          BootEvidence(at, .registerReject(protocol: p, reason: reason))])
        case .sent(let server, let p, let sent):
            let waited = (cycleEnd ?? sent.time).seconds(since: sent.time)
            if waited >= thresholds.registration {
                return BootFinding(.noRegistrationAnswer, .noRegistrationAnswer(protocol: p, server: server, waited: waited),
                                   evidence: [BootEvidence(sent, .register(protocol: p, deviceName: nil, deviceType: nil, server: server))])
            }
        default:
            break
        }
        return nil
    }

    /// The frames that show a refused file: the request and the ERROR.
    func errorEvidence(_ f: BootFileRequest) -> [BootEvidence] {
        var e = [BootEvidence(f.request, .tftpRequest(file: f.name, to: f.to))]
        if case .error(let packet) = f.outcome {
            e.append(BootEvidence(BootMark(frame: packet.at.frame, time: packet.at.time), .tftpError(file: f.name, packet)))
        }
        return e
    }

    /// The server said something: the file, or an ERROR.
    static func serverAnswered(_ o: BootFileOutcome) -> Bool {
        switch o {
        case .transferred, .error, .stalled: true
        case .pending, .unanswered, .unreachable: false
        }
    }

    static func unanswered(_ o: BootFileOutcome) -> Bool {
        switch o {
        case .unanswered, .unreachable: true
        default: false
        }
    }

    /// An ERROR answered the request (file not found, access violation …).
    static func refused(_ o: BootFileOutcome) -> Bool {
        if case .error = o { return true }
        return false
    }

    // MARK: The phone

    func conclude(_ story: BootPhoneStory) -> BootPhoneVerdict {
        let cycles = story.cycles
        var findings: [BootFinding] = []
        var faults: [(cycle: Int, finding: BootFinding)] = []
        for (i, c) in cycles.enumerated() {
            let next = i + 1 < cycles.count ? cycles[i + 1].start.time : end
            if let f = fault(c, cycleEnd: next, isLast: i == cycles.count - 1) { faults.append((i, f)) }
        }

        // Loads across cycles: taken (a later cycle runs it) or refused (fetched again, the old load still running).
        var upgraded: BootFinding?
        var rejected: BootFinding?
        var path: BootFinding?
        for (i, c) in cycles.enumerated() {
            // A load the phone had whole: its .loads and every part it lists.
            guard let target = c.configLoad, Self.fetchedWholeLoad(c), let loads = c.files(.loads).last else { continue }
            let fetch = BootEvidence(loads.request, .tftpRequest(file: loads.name, to: loads.to))
            let fetchesIt = { (n: BootCycle) in n.files.contains { $0.kind == .loads && $0.name.lowercased() == loads.name.lowercased() } }
            let later = cycles[(i + 1)...]
            if let taken = later.first(where: { $0.runningLoad == target }) {
                var evidence = [fetch]
                if let at = taken.runningLoadFrame { evidence.append(BootEvidence(at, .cdp(deviceID: story.identity.deviceName, platform: nil, version: target))) }
                upgraded = BootFinding(.upgraded, .upgraded(from: c.runningLoad, to: target), evidence: evidence)
                rejected = nil
            } else if let again = later.first(where: fetchesIt), again.runningLoad != target {
                var evidence = [fetch]
                if let l = again.files(.loads).first { evidence.append(BootEvidence(l.request, .tftpRequest(file: l.name, to: l.to))) }
                rejected = BootFinding(.loadRejected, .loadRejected(load: target, running: again.runningLoad ?? c.runningLoad,
                                                                   fetches: cycles.filter(fetchesIt).count), evidence: evidence)
            }
        }
        // The upgrade path: the running load and the target the configuration names.
        if let c = cycles.last(where: { $0.configLoad != nil && $0.runningLoad != nil }), let running = c.runningLoad, let target = c.configLoad,
           let step = BootFiles.stepBetween(running: running, target: target) {
            let e = c.files.first { $0.kind == .deviceConfig || $0.kind == .defaultConfig }.map { BootEvidence($0.request, .tftpRequest(file: $0.name, to: $0.to)) }
            path = BootFinding(.upgradePath, .upgradePath(running: running, target: target, step: step), evidence: e.map { [$0] } ?? [], warning: true)
        }

        // Trust list: how many times the phone started again on it.
        let trustRestarts = faults.filter { $0.finding.code == .trustListMismatch }.count
        for i in faults.indices where faults[i].finding.code == .trustListMismatch {
            if case .trustList(let file, _) = faults[i].finding.fact { faults[i].finding.fact = .trustList(file: file, restarts: max(0, trustRestarts - 1)) }
        }

        let last = cycles.last
        let lastFault = faults.last { $0.cycle == cycles.count - 1 }?.finding
        let earlierFault = faults.last?.finding
        var verdict: BootFinding
        if case .accepted(let server, let p, let sent, let at)? = last?.registration {
            verdict = BootFinding(.registered, .registered(protocol: p, server: server, load: last?.runningLoad ?? last?.configLoad),
                                  evidence: [BootEvidence(sent, .register(protocol: p, deviceName: story.identity.deviceName, deviceType: story.identity.deviceType, server: server)),
                                             BootEvidence(at, .registerAck(protocol: p))])
        } else if let lastFault {
            verdict = lastFault
        } else if let rejected {
            verdict = rejected
            if let path, case .loadRejected = rejected.fact {
                var p = path
                p.isWarning = false
                verdict = p
            }
        } else if let earlierFault, !(last.map(Self.gotConfig) ?? false) {
            // The last cycle, cut short, did not get as far: the earlier fault is why the phone started again.
            verdict = earlierFault
        } else if let upgraded, last?.runningLoad == upgradedTarget(upgraded) {
            verdict = upgraded
        } else if story.cycleCount >= thresholds.loopCycles {
            let seconds = (end ?? last?.last.time).flatMap { e in cycles.first.map { e.seconds(since: $0.start.time) } } ?? 0
            verdict = BootFinding(.bootLoop, .bootLoop(cycles: story.cycleCount, seconds: seconds),
                                  evidence: cycles.map { BootEvidence($0.start, .cycleStart($0.startedBy)) })
        } else if let c = last {
            let silence = (end ?? c.last.time).seconds(since: c.last.time)
            if Self.fetchedWholeLoad(c), let load = c.configLoad {
                verdict = BootFinding(.outcomeUnknown, .outcomeUnknown(load: load, silence: silence),
                                      evidence: [BootEvidence(c.last, .captureEnd)])
            } else if silence >= thresholds.noProgress {
                verdict = BootFinding(.bootLoop, .bootLoop(cycles: story.cycleCount, seconds: silence), evidence: [BootEvidence(c.last, .captureEnd)])
            } else {
                verdict = BootFinding(.captureEnded, .captureEnded(after: silence), evidence: [BootEvidence(c.last, .captureEnd)])
            }
        } else {
            verdict = BootFinding(.captureEnded, .captureEnded(after: 0), evidence: [])
        }

        findings.append(verdict)
        var others: [BootFinding] = []
        for f in faults.map(\.finding) where f.code != verdict.code && !others.contains(where: { $0.code == f.code }) { others.append(f) }
        if let rejected, rejected.code != verdict.code { others.append(rejected) }
        if let path, path.code != verdict.code { others.append(path) }
        if let upgraded, upgraded.code != verdict.code { others.append(upgraded) }
        findings += others.sorted { $0.code < $1.code }

        var notes: [BootPhoneNote] = []
        if let first = cycles.first, first.startedBy == .firstSeen, case .notSeen = first.dhcp, first.runningLoad == nil {
            notes.append(.beganMidCycle(frame: first.start.frame))
        }
        if story.cyclesNotKept > 0 { notes.append(.cyclesNotKept(story.cyclesNotKept, max: story.maxCycles)) }
        let filesNotKept = cycles.reduce(0) { $0 + $1.filesNotKept }
        if filesNotKept > 0 { notes.append(.filesNotKept(filesNotKept, max: story.maxFiles)) }
        return BootPhoneVerdict(identity: story.identity, verdict: verdict, findings: findings, cycles: cycles,
                                cycleCount: story.cycleCount, notes: notes)
    }

    /// The cycle fetched its `.loads` and every part it lists, whole.
    static func fetchedWholeLoad(_ c: BootCycle) -> Bool {
        guard c.got(.loads), let parts = c.loadParts, !parts.isEmpty else { return false }
        return parts.allSatisfy { part in
            c.files.contains { f in
                guard f.name.lowercased() == part.lowercased(), case .transferred = f.outcome else { return false }
                return true
            }
        }
    }

    static func gotConfig(_ c: BootCycle) -> Bool { c.got(.deviceConfig) || c.got(.defaultConfig) || c.got(.signedConfig) }

    func upgradedTarget(_ f: BootFinding) -> String? {
        if case .upgraded(_, let to) = f.fact { return to }
        return nil
    }
}
