/// One phone's story during an S.O.S. recovery: a bounded state machine fed
/// the events `SOSDiagnosis` finds for it, in capture order. A value: the
/// diagnosis keeps the stories in an array and mutates them in place.
///
/// ```
///  listening ──(URL try)──► tryingURLs ──(reply, DHCP)──► listening
///      │
///      │ echo of an upgrade order (or a datagram naming the file as text): a new Attempt
///      ▼
///   upgrading: the last attempt's progress, which carries what it needs
///      .ordered ──(ARP who-has)──► .lookingUpGateway(lookup: gateway, asks, answer)
///          │                                │
///          └──────── RRQ from port 2000 ◄───┘
///                          ▼
///      .downloading(download: request, file, client, transfer and image once
///          │        the tracker ends it, and the aftermath)
///          ▼
///      what came back: normal firmware │ the recovery program │ nothing
/// ```
///
/// Every upgrade the phone acts on opens an `Attempt`; what follows the
/// attempt's last transfer frame (the phone's first frame, its first sign of
/// normal firmware or of the recovery program) is kept as it arrives, so the
/// verdict can be decided when the capture ends without keeping frames.
/// Events are kept for the timeline up to `maxEvents` (runs of alike events
/// are folded into one); attempts up to `maxAttempts`. The verdict itself
/// needs only the counters and the attempts, so a long capture loses lines
/// of the timeline, never the verdict.
struct SOSPhoneStory {
    /// What the phone is doing: listening, trying its URLs, following an
    /// upgrade order (the last attempt's `progress` says how far), or
    /// running normal firmware.
    enum Stage: Sendable, Equatable {
        /// Only seen so far (its recovery DHCP, a reply): it answers requests.
        case listening
        /// Trying its Recovery or Last Upgrade URL: it does not listen.
        case tryingURLs
        /// It echoed an upgrade order (or took a file name sent as text):
        /// the last attempt's `progress` is where it stands.
        case upgrading
        /// It showed normal firmware.
        case normalFirmware
    }

    /// A frame: number, time and interface (to tell a frame seen on two interfaces).
    struct Mark: Sendable, Equatable {
        var frame: Int
        var time: CaptureTimestamp
        var interface: Int
    }

    /// How many times, the first and the last.
    struct Occurrences: Sendable {
        var count = 0
        var first: Evidence?
        var last: Evidence?

        mutating func record(_ e: Evidence) {
            if count == 0 { first = e }
            last = e
            count += 1
        }
    }

    /// What follows the last frame of a download: kept as it arrives, reset
    /// by every later frame of the transfer.
    struct Aftermath: Sendable {
        /// The phone's first frame after the transfer.
        var firstHeard: Evidence?
        /// Its first sign of the recovery program (DHCP `TI-dhcp 0.1`, an S.O.S. reply, a TFTP request from port 2000).
        var firstRecovery: Evidence?
        /// Its first sign of normal firmware (DHCP vendor class like `Cisco SPA504G`, a `.cfg` fetch, SIP).
        var firstNormal: Evidence?
    }

    /// One upgrade the phone acted on.
    struct Attempt: Sendable {
        var start: Mark
        /// The upgrade order (or the datagram naming the file as text), when captured.
        var order: Evidence?
        var orderedFile: String?
        var orderAsText = false
        /// What made the phone download.
        var path: SOSDownloadPath = .upgradeOrder
        var echo: Evidence?
        /// How far it went; each case carries what that step needs.
        var progress: Progress = .ordered

        init(start: Mark) { self.start = start }

        enum Progress: Sendable {
            /// The order taken, nothing since.
            case ordered
            /// Asking ARP for its gateway.
            case lookingUpGateway(GatewayLookup)
            /// Its TFTP request for the file sent (the lookup, if any, is over).
            case downloading(Download)
        }

        /// The ARP lookup of the gateway after the order.
        struct GatewayLookup: Sendable {
            var gateway: IPv4Address
            var asks = Occurrences()
            var answer: Evidence?
        }

        /// The download: from the phone's TFTP request to what followed its last frame.
        struct Download: Sendable {
            var request: Evidence
            var file: String
            var client: TransportEndpoint
            var destination: TransportEndpoint
            /// The TFTP transfer, once the tracker ended it (bytes released), and its image check.
            var transfer: TFTPTransfer?
            var image: ImageCheck?
            var after = Aftermath()
        }

        var download: Download? {
            if case .downloading(let d) = progress { return d }
            return nil
        }

        var gatewayLookup: GatewayLookup? {
            if case .lookingUpGateway(let g) = progress { return g }
            return nil
        }

        /// Changes the download in place (the case's payload is not copied).
        mutating func updateDownload(_ body: (inout Download) -> Void) {
            guard case .downloading(var d) = progress else { return }
            progress = .ordered
            body(&d)
            progress = .downloading(d)
        }
    }

    /// A line of the timeline as it happened: folded into runs when alike.
    struct Event: Sendable {
        var mark: Mark
        var actor: TimelineEntry.Actor
        var event: SOSTimelineEvent
        /// Alike events (same key, one after another) fold into one line.
        var key: FoldKey
        var count = 1
        var last: Mark?
    }

    /// Which events are alike: a run of events with the same key is one
    /// line of the timeline (and a copy from another interface is a duplicate).
    enum FoldKey: Sendable, Equatable {
        case dhcpRecovery, dhcpNormal, dhcpAck, httpProfile, sip, reply, echo, arpAnswer
        case normalRequest(String)
        case request(String)
        case urlTFTP(String)
        case urlHTTP(IPv4Address)
        case arp(IPv4Address)
        case urlResult(transfer: Int)
    }

    var identity: PhoneIdentity
    var serialBytes: [UInt8]?
    var prefixLength: Int?
    let firstSeen: Mark
    var stage: Stage = .listening
    var replies = Occurrences()
    var urlTries = Occurrences()
    var recoveryDHCP = Occurrences()
    /// The first sign of normal firmware ever seen from it.
    var normalFirmware: Evidence?
    var attempts: [Attempt] = []
    var attemptsNotKept = 0
    var events: [Event] = []
    var eventsNotKept = 0
    /// The same frame seen again on another interface (not counted twice).
    var duplicates = 0
    var notes: [SOSPhoneNote] = []

    let maxEvents: Int
    let maxAttempts: Int

    init(mac: MACAddress, at mark: Mark, maxEvents: Int, maxAttempts: Int) {
        identity = PhoneIdentity(mac: mac)
        firstSeen = mark
        self.maxEvents = maxEvents
        self.maxAttempts = maxAttempts
    }

    var lastAttempt: Attempt? { attempts.last }

    /// Whether the phone's last attempt has reached its download (and may be
    /// writing or back).
    var isDownloading: Bool { attempts.last?.download != nil }

    /// Following an upgrade order, before its download: listening for its gateway or the file.
    var awaitsDownload: Bool { stage == .upgrading && attempts.last.map { $0.download == nil } ?? false }

    // MARK: Facts

    mutating func learn(address: IPv4Address) {
        guard address != identity.address, address != .any, address != .broadcast, !address.isMulticast else { return }
        identity.address = address
        if !identity.addresses.contains(address), identity.addresses.count < SOSPhoneRegistry.maxAddressesPerPhone { identity.addresses.append(address) }
    }

    // MARK: Events

    /// Keeps an event for the timeline; one alike to the last (same key) is
    /// folded into it; a copy of the last from another interface at the
    /// same time is dropped.
    mutating func note(_ mark: Mark, _ actor: TimelineEntry.Actor, _ event: @autoclosure () -> SOSTimelineEvent, key: FoldKey) {
        if let last = events.last, last.key == key {
            let lastMark = last.last ?? last.mark
            if lastMark.interface != mark.interface, abs(mark.time.seconds(since: lastMark.time)) < 0.001 {
                duplicates += 1
                return
            }
            events[events.count - 1].count += 1
            events[events.count - 1].last = mark
            return
        }
        guard events.count < maxEvents else {
            eventsNotKept += 1
            return
        }
        events.append(Event(mark: mark, actor: actor, event: event(), key: key))
    }

    /// Whether `mark` repeats a recent event of `key` from another
    /// interface: the same frame captured twice (two interfaces, or two
    /// files merged), its copy within `RecentDatagrams.window` of it. Other
    /// events may come between a frame and its copy (the copy of an echo
    /// after the phone's ARP and TFTP request), so the last few are looked at.
    func isDuplicate(_ mark: Mark, key: FoldKey) -> Bool {
        for e in events.suffix(8).reversed() {
            let m = e.last ?? e.mark
            guard abs(mark.time.seconds(since: m.time)) <= RecentDatagrams.window else { return false }
            if e.key == key, m.interface != mark.interface { return true }
        }
        return false
    }

    /// Any frame from the phone that is not part of its download: the
    /// aftermath of the last attempt, when it has begun its download.
    /// Evidence is made only when it is kept: a phone that came back sends
    /// on, and its later frames must cost nothing.
    mutating func heard(_ e: @autoclosure () -> Evidence, recovery: Bool = false, normal: Bool = false) {
        guard let i = attempts.indices.last, let after = attempts[i].download?.after else { return }
        guard after.firstHeard == nil || (recovery && after.firstRecovery == nil) || (normal && after.firstNormal == nil) else { return }
        let evidence = e()
        if after.firstHeard == nil { awaitsFirstFrame = false }
        attempts[i].updateDownload { d in
            if after.firstHeard == nil {
                d.after.firstHeard = evidence
            } else if let first = after.firstHeard, first.frame == evidence.frame {
                // The same frame, now in the words of what it shows.
                d.after.firstHeard = evidence
            }
            if recovery, after.firstRecovery == nil { d.after.firstRecovery = evidence }
            if normal, after.firstNormal == nil { d.after.firstNormal = evidence }
        }
    }

    /// Whether a frame from the phone (not of its download) would still be
    /// kept as its first after the download. A stored flag: it is read for
    /// every frame the phone sends once its download began.
    private(set) var awaitsFirstFrame = false
    /// The port of the last attempt's download (2000), once it began: its
    /// ACKs are told from the rest by it. Stored, for the same reason.
    private(set) var downloadPort: UInt16?

    /// A frame of the download itself (an ACK, a retried request): what
    /// came before it was not yet the aftermath. Most of a download's frames
    /// find nothing heard yet (`awaitsFirstFrame`) and cost one comparison.
    mutating func transferFrame() {
        guard downloadPort != nil, !awaitsFirstFrame, let i = attempts.indices.last else { return }
        attempts[i].updateDownload { d in d.after = Aftermath() }
        awaitsFirstFrame = true
    }

    /// The recovery program shows itself: a sign for the aftermath, and the
    /// phone is listening again (unless it is downloading).
    mutating func recoverySign(_ e: Evidence) {
        heard(e, recovery: true)
        if stage == .normalFirmware || stage == .tryingURLs { stage = .listening }
    }

    mutating func normalSign(_ e: @autoclosure () -> Evidence) {
        if normalFirmware == nil {
            normalFirmware = e()
        }
        heard(e(), normal: true)
        stage = .normalFirmware
    }

    mutating func reply(_ e: Evidence) {
        replies.record(e)
        recoverySign(e)
        if !(stage == .upgrading && isDownloading) { stage = .listening }
    }

    mutating func recoveryDHCP(_ e: Evidence) {
        recoveryDHCP.record(e)
        recoverySign(e)
        stage = .listening
    }

    /// The phone echoed an upgrade order (or acted on one sent as text): a new attempt.
    mutating func beginAttempt(at mark: Mark, order: Evidence?, file: String?, asText: Bool) {
        // The recovery program answering again is a sign for the last attempt's aftermath.
        guard attempts.count < maxAttempts else {
            attemptsNotKept += 1
            return
        }
        var a = Attempt(start: mark)
        a.order = order
        a.orderedFile = file
        a.orderAsText = asText
        a.path = asText ? .orderAsText : order == nil ? .orderNotCaptured : .upgradeOrder
        attempts.append(a)
        stage = .upgrading
        downloadPort = nil
        awaitsFirstFrame = false
    }

    mutating func echo(_ e: Evidence, file: String?) {
        attempts[attempts.count - 1].echo = e
        if attempts[attempts.count - 1].orderedFile == nil { attempts[attempts.count - 1].orderedFile = file }
    }

    /// An ARP who-has from the phone; true when it is its gateway lookup.
    @discardableResult
    mutating func arpAsk(target: IPv4Address, _ e: Evidence) -> Bool {
        guard awaitsDownload, let i = attempts.indices.last else { return false }
        var lookup: Attempt.GatewayLookup
        switch attempts[i].progress {
        case .ordered: lookup = Attempt.GatewayLookup(gateway: target)
        case .lookingUpGateway(let g) where g.gateway == target: lookup = g
        default: return false
        }
        lookup.asks.record(e)
        attempts[i].progress = .lookingUpGateway(lookup)
        identity.gateway = target
        return true
    }

    /// An ARP reply to the phone; true when it answers its gateway lookup.
    @discardableResult
    mutating func arpAnswer(from sender: IPv4Address, _ e: Evidence) -> Bool {
        guard stage == .upgrading, let i = attempts.indices.last, case .lookingUpGateway(var lookup) = attempts[i].progress,
              lookup.gateway == sender, lookup.answer == nil else { return false }
        lookup.answer = e
        attempts[i].progress = .lookingUpGateway(lookup)
        return true
    }

    /// The phone's TFTP request for the ordered file: the download begins.
    mutating func download(_ e: Evidence, file: String, client: TransportEndpoint, destination: TransportEndpoint) {
        let i = attempts.count - 1
        attempts[i].progress = .downloading(Attempt.Download(request: e, file: file, client: client, destination: destination))
        stage = .upgrading
        downloadPort = client.port
        awaitsFirstFrame = true
    }

    /// A file the phone fetched from its Recovery or Last Upgrade URL, whole:
    /// an image it downloaded by itself, learnt when the tracker ended the
    /// transfer. It becomes an attempt, and what the phone did after the
    /// transfer's last frame (seen meanwhile) its aftermath.
    mutating func urlDownload(request: Evidence, transfer t: TFTPTransfer, image: ImageCheck?) {
        let mark = Mark(frame: request.frame, time: request.time, interface: -1)
        beginAttempt(at: mark, order: nil, file: t.fileName, asText: false)
        guard let i = attempts.indices.last, attempts[i].start.frame == request.frame else { return }
        attempts[i].path = .url
        var d = Attempt.Download(request: request, file: t.fileName, client: t.client, destination: t.requestDestination)
        d.transfer = t
        d.image = image
        let end = t.lastFrame.time
        if let n = normalFirmware, n.time > end { d.after.firstNormal = n }
        d.after.firstRecovery = backInRecovery(after: end)
        d.after.firstHeard = [d.after.firstNormal, d.after.firstRecovery].compactMap { $0 }.min { $0.time < $1.time }
        attempts[i].progress = .downloading(d)
        awaitsFirstFrame = d.after.firstHeard == nil
    }

    mutating func urlTry(_ e: Evidence) {
        urlTries.record(e)
        heard(e, recovery: true)
        stage = .tryingURLs
    }
}

extension SOSPhoneStory.Mark {
    func evidence(_ shows: SOSEvidence) -> Evidence { Evidence(frame: frame, time: time, shows: shows) }
}

/// Two file names for the same file: equal, or equal once the path and case
/// are set aside (`/spa71f6.bin` and `spa71f6.bin`).
func sameFile(_ a: String, _ b: String) -> Bool {
    if a == b { return true }
    return FirmwareCatalog.baseName(a).lowercased() == FirmwareCatalog.baseName(b).lowercased()
}
