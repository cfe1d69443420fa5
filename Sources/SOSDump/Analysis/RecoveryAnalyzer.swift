/// Follows every phone of a capture through its S.O.S. recovery and says,
/// per phone and for the capture, how it ended (sos-model.md's verdicts).
///
/// Fed every decoded frame in capture order, like `TFTPTransferTracker`
/// (which it runs inside, for the downloads). Most frames are let go after a
/// few reads of fields already decoded: the UDP ports, four bytes of the
/// payload (`RECM` at offset 4), the ARP operation. The few that matter
/// become events of a phone's story (`PhoneStory`), keyed by the phone's
/// MAC address:
///
/// - the recovery program seen: its DHCP (option 60 `TI-dhcp 0.1`), its
///   replies, its TFTP requests from port 2000 and HTTP connections (TTL 60)
///   to its Recovery and Last Upgrade URLs;
/// - the S.O.S. messages sent to phones (kept capture-wide, judged against a
///   phone's rules when the capture ends: a request sent before any reply
///   names the phone only by the address it was sent to);
/// - the upgrade echo, the ARP lookup of the gateway and its answer, the
///   download's TFTP request, the transfer (from the tracker, linked to its
///   phone by the request's source MAC and file name, wherever the request
///   was sent), the image checks;
/// - the phone's first frame after its download, and its first sign of
///   normal firmware (DHCP as `Cisco SPA504G`, a `.cfg` fetch, SIP) or of the
///   recovery program again.
///
/// Memory is bounded: `Limits` caps phones, events and attempts per phone,
/// and messages kept; `finish()` says in the analysis's notices what a limit
/// dropped.
public struct RecoveryAnalyzer {
    public struct Limits: Sendable {
        /// Phones followed; later ones are counted, not followed.
        public var maxPhones = 256
        /// Timeline events kept per phone (alike events in a row fold into one).
        public var maxEventsPerPhone = 512
        /// Download attempts kept per phone.
        public var maxAttemptsPerPhone = 32
        /// S.O.S. messages to phones kept (each is judged against the phone's rules at the end).
        public var maxMessages = 4096
        /// The TFTP tracker's limits.
        public var tracker = TFTPTransferTracker.Limits()

        public init() {}
    }

    public let limits: Limits
    public let thresholds: RecoveryThresholds
    let catalog: FirmwareCatalog
    @usableFromInline var tracker: TFTPTransferTracker

    var phones: [PhoneStory] = []
    var phoneByMAC: [MACAddress: Int] = [:]
    var phoneByIP: [IPv4Address: Int] = [:]
    var phonesNotFollowed = 0
    /// How many phones are followed (read on every frame).
    @usableFromInline var phoneCount = 0
    /// The phones whose download has begun, by MAC (and address for link
    /// types without one): every frame's source is compared with them, to
    /// catch the phone's first frame after the download.
    @usableFromInline var watched: [WatchedPhone] = []

    var messages: [SentMessage] = []
    var messagesNotKept = 0
    var duplicateFrames = 0
    var links: [RequestLink] = []
    var transfersNotLinked = 0

    @usableFromInline var frames = 0
    @usableFromInline var firstTime: CaptureTimestamp?
    @usableFromInline var lastTime: CaptureTimestamp?

    /// Set by a live reader (`LiveAnalysis`): every transfer the tracker
    /// ends is also kept, with its image check, until `takeEndedTransfers()`.
    public var keepsEndedTransfers = false
    var endedTransfers: [EndedTransfer] = []

    public init(catalog: FirmwareCatalog = .builtIn, thresholds: RecoveryThresholds = RecoveryThresholds(), limits: Limits = Limits()) {
        self.catalog = catalog
        self.thresholds = thresholds
        self.limits = limits
        tracker = TFTPTransferTracker(limits: limits.tracker)
    }

    /// A transfer the tracker ended (its bytes let go) and what its image
    /// check found, for a live reader.
    public struct EndedTransfer: Sendable {
        public var transfer: TFTPTransfer
        public var image: FirmwareReport?
    }

    /// The transfers ended since the last call (with `keepsEndedTransfers`).
    public mutating func takeEndedTransfers() -> [EndedTransfer] {
        defer { endedTransfers.removeAll(keepingCapacity: true) }
        return endedTransfers
    }

    /// Whether transfers ended since the last `takeEndedTransfers()`.
    public var hasEndedTransfers: Bool { !endedTransfers.isEmpty }

    /// Moves the clock on without a frame (a live capture where nothing
    /// arrived): transfers quiet for long enough end now. The capture's
    /// last time stays its last frame's, so that the conclusion is the one
    /// a file of the same frames gets.
    public mutating func advanceClock(to time: CaptureTimestamp) {
        tracker.advanceClock(to: time)
        if tracker.hasFinished { takeTransfers() }
    }

    /// Each phone's verdict if the capture ended at `now` (a live capture
    /// still running): the same rules as `finish()`, with the time elapsed
    /// counted to `now`. Transfers still open are not in it yet.
    public func verdictsSoFar(at now: CaptureTimestamp) -> [PhoneVerdict] {
        var end = now
        if let lastTime, lastTime > now { end = lastTime }
        return phones.enumerated().map { p, story in conclude(story, judge(for: p, story), end: end) }
    }

    /// A phone whose frames are watched.
    @usableFromInline
    struct WatchedPhone {
        @usableFromInline var mac: MACAddress?
        @usableFromInline var address: IPv4Address?
        @usableFromInline var phone: Int
    }

    /// The few facts of a frame the out-of-line parts need, read in place.
    @usableFromInline
    struct FrameContext {
        @usableFromInline var frame: Int
        @usableFromInline var time: CaptureTimestamp
        @usableFromInline var interface: Int
        @usableFromInline var sourceMAC: MACAddress?
        @usableFromInline var linkBroadcast: Bool
        @usableFromInline var ip: IPv4Header
        @usableFromInline var fragmented: Bool

        @inlinable
        init(frame: Int, time: CaptureTimestamp, interface: Int, sourceMAC: MACAddress?, linkBroadcast: Bool, ip: IPv4Header, fragmented: Bool) {
            self.frame = frame
            self.time = time
            self.interface = interface
            self.sourceMAC = sourceMAC
            self.linkBroadcast = linkBroadcast
            self.ip = ip
            self.fragmented = fragmented
        }

        var mark: PhoneStory.Mark { PhoneStory.Mark(frame: frame, time: time, interface: interface) }
    }

    /// What kind of frame a watched phone sent (for the words of the evidence).
    @usableFromInline
    enum WatchedFrame {
        /// UDP from this port, with this TFTP opcode (when the payload has one) to this address and port.
        case udp(sourcePort: UInt16, opcode: UInt16?, destination: IPv4Address?, destinationPort: UInt16)
        case arp(operation: UInt16)
        case tcp(destinationPort: UInt16)
        case other
    }

    // MARK: The frame

    /// Feeds one decoded frame. Inlinable, as `TFTPTransferTracker.observe`,
    /// so the dissection is read where it lies; only frames that may matter
    /// go on to the out-of-line parts, with the few fields they need.
    /// Always inlined: called out of line, it is handed a copy of the
    /// dissection per frame (measured: 0.05 s of 0.40 s on 1 GiB).
    @inlinable @inline(__always)
    public mutating func observe(_ d: borrowing Dissection) {
        frames += 1
        let time = d.frame.timestamp
        if firstTime == nil { firstTime = time }
        lastTime = time
        tracker.observe(d)

        var sourceMAC: MACAddress?
        var linkBroadcast = false
        switch d.link {
        case .ethernet(let e):
            sourceMAC = e.source
            linkBroadcast = e.destination == .broadcast
        case .linuxSLL(let h):
            sourceMAC = h.source
            linkBroadcast = h.packetType == .broadcast
        case .linuxSLL2(let h):
            sourceMAC = h.source
            linkBroadcast = h.packetType == .broadcast
        default:
            break
        }

        // The phones' first frames after their downloads: before the
        // frame's own event, which may be the sign that decides.
        if !watched.isEmpty { watch(d, sourceMAC: sourceMAC) }

        switch d.transport {
        case .udp(let header, let payload):
            if case .ipv4(let ip) = d.network, Self.mayMatter(header, payload, phones: phoneCount) {
                var fragmented = ip.isFragment
                if d.fragment != nil { fragmented = true }
                let c = FrameContext(frame: d.frame.number, time: time, interface: d.frame.interfaceIndex, sourceMAC: sourceMAC,
                                     linkBroadcast: linkBroadcast, ip: ip, fragmented: fragmented)
                udp(c, header, payload)
            }
        case .tcp(let header, let payload) where phoneCount > 0:
            // A connection opened (SYN without ACK), or an HTTP GET: a phone's URL try or its profile.
            if header.flags & 0x12 == 0x02 || payload.uint32(at: 0) == 0x4745_5420, case .ipv4(let ip) = d.network {
                let c = FrameContext(frame: d.frame.number, time: time, interface: d.frame.interfaceIndex, sourceMAC: sourceMAC,
                                     linkBroadcast: linkBroadcast, ip: ip, fragmented: false)
                tcp(c, header, payload)
            }
        default:
            break
        }
        if case .arp(let arp) = d.network, arp.isEthernetIPv4 {
            self.arp(arp, frame: d.frame.number, time: time, interface: d.frame.interfaceIndex)
        }
        if tracker.hasFinished { takeTransfers() }
    }

    /// The datagrams sosdump looks at: S.O.S. ports or `RECM` at offset 4,
    /// DHCP, TFTP read requests, and SIP once a phone is known.
    @inlinable
    static func mayMatter(_ h: UDPHeader, _ payload: ByteView, phones: Int) -> Bool {
        let s = h.sourcePort, t = h.destinationPort
        if s == SOSRecovery.phonePort || s == SOSRecovery.utilityPort || t == SOSRecovery.phonePort || t == SOSRecovery.utilityPort { return true }
        if SOSMessage.isSOS(payload) { return true }
        if s == DHCPMessage.serverPort || s == DHCPMessage.clientPort || t == DHCPMessage.serverPort || t == DHCPMessage.clientPort { return true }
        if t == TFTPPacket.port, payload.uint16(at: 0) == 1 { return true }
        if phones > 0, s == 5060 || t == 5060 { return true }
        return false
    }

    @inlinable
    mutating func watch(_ d: borrowing Dissection, sourceMAC: MACAddress?) {
        var sourceIP: IPv4Address?
        if case .ipv4(let ip) = d.network { sourceIP = ip.source }
        var index: Int?
        if watched.count > 8 {
            index = watchedPhone(mac: sourceMAC, address: sourceIP)
        } else {
            for w in watched {
                if let mac = sourceMAC {
                    if w.mac == mac { index = w.phone; break }
                } else if let ip = sourceIP, w.address == ip {
                    index = w.phone
                    break
                }
            }
        }
        guard let index else { return }
        let kind: WatchedFrame
        switch d.transport {
        case .udp(let h, let p):
            var destination: IPv4Address?
            if case .ipv4(let ip) = d.network { destination = ip.destination }
            kind = .udp(sourcePort: h.sourcePort, opcode: p.uint16(at: 0), destination: destination, destinationPort: h.destinationPort)
        case .tcp(let h, _):
            kind = .tcp(destinationPort: h.destinationPort)
        default:
            if case .arp(let a) = d.network { kind = .arp(operation: a.operation) } else { kind = .other }
        }
        watchedFrame(index, frame: d.frame.number, time: d.frame.timestamp, interface: d.frame.interfaceIndex, kind)
    }
}

// MARK: - S.O.S. messages sent to phones

/// A message sent to a phone (by the utility, or anything else): an S.O.S.
/// message, or a datagram to port 4810 that is not one. Kept capture-wide:
/// which phone it reached, and whether that phone drops it, is decided when
/// the capture ends.
struct SentMessage: Sendable {
    var mark: PhoneStory.Mark
    /// nil: no `RECM` at offset 4.
    var message: SOSMessage?
    /// Without `RECM`: a firmware file name the datagram carries as text.
    var textName: String?
    var length: Int
    var source: IPv4Address
    var delivery: SOSDelivery
    /// Phones that acted on it (echoed it, or asked for the file it names).
    var followers: [Int] = []

    var destination: IPv4Address? { delivery.destination }

    /// Reaches every phone on the link: the group, another multicast group, a broadcast.
    var isForEveryPhone: Bool {
        guard let d = destination else { return false }
        return d.isMulticast || d == .broadcast || delivery.linkBroadcast
    }

    var kind: SOSMessageKind? { message?.kind }
    var fileName: String? { message?.fileName?.string ?? textName }
}

/// Where a phone's TFTP request went, to tie the tracker's transfer to it.
struct RequestLink: Sendable {
    var client: TransportEndpoint
    var frame: Int
    var file: String
    var phone: Int
    /// nil: a try of its Recovery or Last Upgrade URL, not a download.
    var attempt: Int?
}

extension RecoveryAnalyzer {
    // MARK: Phones

    /// The phone with `mac`, made when `create` and the limit allows.
    mutating func phone(_ mac: MACAddress, create: Bool, at mark: PhoneStory.Mark) -> PhoneStory? {
        if let i = phoneByMAC[mac] { return phones[i] }
        guard create, !mac.isMulticast, mac != .broadcast else { return nil }
        guard phones.count < limits.maxPhones else {
            phonesNotFollowed += 1
            return nil
        }
        let story = PhoneStory(mac: mac, at: mark, maxEvents: limits.maxEventsPerPhone, maxAttempts: limits.maxAttemptsPerPhone)
        phoneByMAC[mac] = phones.count
        phones.append(story)
        phoneCount = phones.count
        return story
    }

    /// The phone a frame comes from: by its source MAC, else its source address.
    mutating func phone(from c: FrameContext, create: Bool) -> PhoneStory? {
        if let mac = c.sourceMAC { return phone(mac, create: create, at: c.mark) }
        if let i = phoneByIP[c.ip.source] { return phones[i] }
        return nil
    }

    func index(of story: PhoneStory) -> Int { phoneByMAC[story.identity.mac] ?? 0 }

    mutating func learn(_ story: PhoneStory, address: IPv4Address) {
        guard address != story.identity.address, address != .any, address != .broadcast, !address.isMulticast else { return }
        story.learn(address: address)
        phoneByIP[address] = index(of: story)
        if let w = watched.firstIndex(where: { $0.phone == index(of: story) }) { watched[w].address = address }
    }

    // MARK: UDP

    @usableFromInline
    mutating func udp(_ c: FrameContext, _ h: UDPHeader, _ payload: ByteView) {
        let s = h.sourcePort, t = h.destinationPort
        if s == SOSRecovery.phonePort || s == SOSRecovery.utilityPort || t == SOSRecovery.phonePort || t == SOSRecovery.utilityPort
            || SOSMessage.isSOS(payload) {
            sos(c, h, payload)
        } else if DHCPMessage.isDHCP(sourcePort: s, destinationPort: t) {
            dhcp(c, payload)
        } else if t == TFTPPacket.port, payload.uint16(at: 0) == 1 {
            tftpRequest(c, h, payload)
        } else if s == 5060 || t == 5060, let story = phone(from: c, create: false) {
            story.normalSign(c.mark.evidence("SIP to \(c.ip.destination).\(t) (normal firmware)"))
            story.note(c.mark, .phone, "SIP to \(c.ip.destination).\(t): normal firmware", key: "sip")
        }
    }

    mutating func sos(_ c: FrameContext, _ h: UDPHeader, _ payload: ByteView) {
        var delivery = SOSDelivery(sourcePort: h.sourcePort, destinationPort: h.destinationPort, destination: c.ip.destination,
                                   linkBroadcast: c.linkBroadcast, ipHeaderLength: c.ip.headerLength, fragmented: c.fragmented)
        if case .invalid = c.ip.checksumStatus { delivery.ipChecksumBad = true }
        // The analysis decodes with UDP checksums deferred: checked here, where one matters.
        var udpChecksum = h.checksumStatus
        if udpChecksum == .notChecked {
            udpChecksum = h.checksumStatus(payload: payload, pseudoHeader: .v4(source: c.ip.source, destination: c.ip.destination))
        }
        if case .invalid = udpChecksum { delivery.udpChecksumBad = true }
        guard SOSMessage.isSOS(payload) else {
            // Not an S.O.S. message: only what is sent to the phone's port matters
            // (a file name in it may be an older loader's upgrade order).
            guard h.destinationPort == SOSRecovery.phonePort else { return }
            let name = SOSRecovery.firmwareFileName(in: payload)?.name
            keep(SentMessage(mark: c.mark, message: nil, textName: name, length: payload.wireCount, source: c.ip.source, delivery: delivery))
            return
        }
        guard let m = try? SOSMessage.decode(payload) else { return }
        if h.sourcePort == SOSRecovery.phonePort, m.kind == .reply || m.kind == .upgradeEcho {
            if m.kind == .reply { reply(m, c) } else { echo(m, c) }
        } else {
            keep(SentMessage(mark: c.mark, message: m, length: m.length, source: c.ip.source, delivery: delivery))
        }
    }

    /// Keeps a message to phones; a copy of the last one seen on another
    /// interface at the same time is counted, not kept.
    mutating func keep(_ m: SentMessage) {
        if let last = messages.last, last.mark.interface != m.mark.interface, abs(m.mark.time.seconds(since: last.mark.time)) < 0.001,
           last.length == m.length, last.destination == m.destination, last.message?.opcode == m.message?.opcode,
           last.delivery.sourcePort == m.delivery.sourcePort {
            duplicateFrames += 1
            return
        }
        guard messages.count < limits.maxMessages else {
            messagesNotKept += 1
            return
        }
        messages.append(m)
    }

    mutating func reply(_ m: SOSMessage, _ c: FrameContext) {
        guard let mac = m.mac ?? c.sourceMAC, let story = phone(mac, create: true, at: c.mark) else { return }
        guard !story.isDuplicate(c.mark, key: "reply") else {
            duplicateFrames += 1
            return
        }
        learn(story, address: m.phoneAddress ?? c.ip.source)
        if let serial = m.serial {
            story.identity.serial = serial.description
            story.serialBytes = serial.bytes
        }
        if let p = m.product, !p.bytes.isEmpty { story.identity.product = p.description }
        if let v = m.softwareVersion { story.identity.loaderVersion = v.description }
        if let v = m.hardwareVersion { story.identity.hardwareVersion = v.description }
        var words = "S.O.S. reply"
        if let p = m.product { words += " \(p)" }
        if let a = m.phoneAddress { words += ", ip \(a)" }
        if let s = m.serial { words += ", serial \(s)" }
        if let v = m.softwareVersion { words += ", loader \(v)" }
        story.reply(c.mark.evidence(words))
        story.note(c.mark, .phone, words, key: "reply")
    }

    mutating func echo(_ m: SOSMessage, _ c: FrameContext) {
        var story = phone(from: c, create: true)
        if story == nil, let serial = m.serial?.bytes, let i = phones.firstIndex(where: { $0.serialBytes == serial }) { story = phones[i] }
        guard let story else { return }
        guard !story.isDuplicate(c.mark, key: "echo") else {
            duplicateFrames += 1
            return
        }
        learn(story, address: c.ip.source)
        let file = m.fileName?.string
        let words = "echoes the upgrade order" + (file.map { " for \($0)" } ?? "") + ": it will download"
        let e = c.mark.evidence("S.O.S. upgrade echo" + (file.map { " \($0)" } ?? ""))
        // The recovery program answering: a sign for the previous attempt's aftermath.
        story.recoverySign(e)
        let order = file.flatMap { recentOrder(naming: $0, before: c.time) }
        story.beginAttempt(at: c.mark, order: order.map { messages[$0].mark.evidence(Self.orderWords(messages[$0])) }, file: file, asText: false)
        story.echo(e, file: file)
        if let order { messages[order].followers.append(index(of: story)) }
        story.note(c.mark, .phone, words, key: "echo")
    }

    static func orderWords(_ m: SentMessage) -> String {
        if m.message == nil { return "a datagram carrying the file name \(m.textName ?? "?") as text" }
        return "S.O.S. upgrade order" + (m.fileName.map { " for \($0)" } ?? "")
    }

    /// The latest upgrade order (or datagram naming the file as text) for
    /// `file` in the minute before `time`.
    func recentOrder(naming file: String, before time: CaptureTimestamp) -> Int? {
        var i = messages.count - 1
        while i >= 0 {
            let m = messages[i]
            if time.seconds(since: m.mark.time) > 60 { return nil }
            if m.kind == .upgrade || (m.message == nil && m.textName != nil), let name = m.fileName, sameFile(name, file) { return i }
            i -= 1
        }
        return nil
    }

    // MARK: DHCP

    mutating func dhcp(_ c: FrameContext, _ payload: ByteView) {
        guard let msg = try? DHCPMessage.decode(payload) else { return }
        if msg.operation == .request {
            guard let mac = msg.clientMAC ?? c.sourceMAC else { return }
            let type = msg.messageType.map { " \($0.name ?? "type \($0.rawValue)")" } ?? ""
            switch (msg.isSOSRecoveryProgram, msg.vendorClass) {
            case (true, _):
                guard let story = phone(mac, create: true, at: c.mark) else { return }
                guard !story.isDuplicate(c.mark, key: "dhcp-recovery") else {
                    duplicateFrames += 1
                    return
                }
                if msg.clientAddress != .any { learn(story, address: msg.clientAddress) }
                let words = "DHCP\(type) as the recovery program (option 60 \"\(SOSRecovery.dhcpVendorClass)\")"
                story.recoveryDHCP(c.mark.evidence(words))
                story.note(c.mark, .phone, words, key: "dhcp-recovery")
            case (false, let vendor?):
                guard let story = phone(mac, create: false, at: c.mark) else { return }
                if vendor.hasPrefix("Cisco SPA") { story.identity.product = String(vendor.dropFirst("Cisco ".count)) }
                if msg.clientAddress != .any { learn(story, address: msg.clientAddress) }
                let words = "DHCP\(type) as normal firmware (option 60 \"\(TransferTable.printable(vendor))\")"
                story.normalSign(c.mark.evidence(words))
                story.note(c.mark, .phone, words, key: "dhcp-normal")
            default:
                break
            }
        } else if msg.operation == .reply, msg.messageType == .ack, let mac = msg.clientMAC, let story = phone(mac, create: false, at: c.mark) {
            learn(story, address: msg.yourAddress)
            var words = "DHCP server \(c.ip.source) gives it \(msg.yourAddress)"
            if case .address(let mask)? = msg.option(.subnetMask)?.value {
                let prefix = mask.rawValue.nonzeroBitCount
                if mask.rawValue == (prefix == 0 ? 0 : UInt32.max << (32 - UInt32(prefix))) { story.prefixLength = prefix }
                words += "/\(prefix)"
            }
            if case .addresses(let routers)? = msg.option(.router)?.value, let router = routers.first {
                story.identity.gateway = router
                words += ", gateway \(router)"
            } else {
                words += ", no gateway (option 3)"
            }
            story.note(c.mark, .network, words, key: "dhcp-ack")
        }
    }

    // MARK: TFTP requests

    mutating func tftpRequest(_ c: FrameContext, _ h: UDPHeader, _ payload: ByteView) {
        guard case .readRequest(let request)? = try? TFTPPacket.decode(payload) else { return }
        let file = request.fileName
        let client = TransportEndpoint(.v4(c.ip.source), h.sourcePort)
        let destination = TransportEndpoint(.v4(c.ip.destination), h.destinationPort)
        guard h.sourcePort == SOSRecovery.tftpClientPort else {
            // Another TFTP client on a known phone: its normal firmware (fetching /spa504G.cfg).
            guard let story = phone(from: c, create: false) else { return }
            let words = "TFTP request for \(TransferTable.printable(file)) from port \(h.sourcePort): normal firmware"
            story.normalSign(c.mark.evidence(words))
            story.note(c.mark, .phone, words, key: "normal-rrq \(file)")
            return
        }
        // From port 2000: the recovery program's TFTP client.
        guard let story = phone(from: c, create: true) else { return }
        learn(story, address: c.ip.source)
        let phoneIndex = index(of: story)
        let shown = TransferTable.printable(file)
        let e = c.mark.evidence("TFTP request for \(shown) to \(destination)")

        if let a = story.lastAttempt, let asked = a.requestFile, a.client == client, sameFile(asked, file), a.transfer == nil {
            // The same request again (no answer yet), or seen again on another interface.
            if story.isDuplicate(c.mark, key: "rrq \(file)") {
                duplicateFrames += 1
                story.transferFrame(c.mark)
                return
            }
            story.transferFrame(c.mark)
            story.note(c.mark, .phone, "asks for \(shown) by TFTP (to \(destination))", key: "rrq \(file)")
            return
        }
        let ordered = story.stage == .ordered || story.stage == .resolvingGateway
        if ordered, let a = story.lastAttempt, a.request == nil, a.orderedFile.map({ sameFile($0, file) }) ?? true {
            // The download the echoed order announced.
        } else if let order = recentOrder(naming: file, before: c.time) {
            // An order the phone did not echo where the capture saw it: one sent as text, or an echo not captured.
            let m = messages[order]
            story.recoverySign(e)
            story.beginAttempt(at: c.mark, order: m.mark.evidence(Self.orderWords(m)), file: file, asText: m.message == nil)
            messages[order].followers.append(phoneIndex)
            if m.message == nil {
                story.notes.append("frame \(m.mark.frame) is not an S.O.S. message but carries the file name \(shown) as text, and the phone then asked for that file (frame \(c.frame)): taken as the upgrade order of a loader variant sosdump does not know")
            }
        } else if c.ip.destination.isMulticast {
            // Only a download after an upgrade order goes to the group: the order is not in the capture.
            story.recoverySign(e)
            story.beginAttempt(at: c.mark, order: nil, file: file, asText: false)
        } else {
            // Its Recovery or Last Upgrade URL (tftp://…): it is not listening meanwhile.
            story.urlTry(c.mark.evidence("TFTP request for \(shown) to \(destination): its Recovery or Last Upgrade URL"))
            story.note(c.mark, .phone, "tries its Recovery/Last Upgrade URL: TFTP request for \(shown) to \(destination)", key: "url-tftp \(file)")
            if links.count < 4 * limits.maxPhones { links.append(RequestLink(client: client, frame: c.frame, file: file, phone: phoneIndex, attempt: nil)) }
            return
        }
        guard !story.attempts.isEmpty, story.lastAttempt?.request == nil else { return }
        story.download(e, file: file, client: client, destination: destination, mark: c.mark)
        story.note(c.mark, .phone, "asks for \(shown) by TFTP (to \(destination))", key: "rrq \(file)")
        links.append(RequestLink(client: client, frame: c.frame, file: file, phone: phoneIndex, attempt: story.attempts.count - 1))
        if let w = watched.firstIndex(where: { $0.phone == phoneIndex }) {
            watched[w].mac = story.identity.mac
            watched[w].address = story.identity.address
        } else {
            watched.append(WatchedPhone(mac: story.identity.mac, address: story.identity.address, phone: phoneIndex))
        }
    }

    // MARK: TCP

    @usableFromInline
    mutating func tcp(_ c: FrameContext, _ h: TCPHeader, _ payload: ByteView) {
        guard let story = phone(from: c, create: false) else { return }
        if h.flags & 0x12 == 0x02 {
            // The recovery program sends everything with TTL 60; its HTTP client is its URL try.
            guard c.ip.timeToLive == SOSRecovery.timeToLive, story.stage != .normalFirmware || story.isDownloading else { return }
            let words = "connects to \(c.ip.destination).\(h.destinationPort) (TTL 60, the recovery program's)"
            story.urlTry(c.mark.evidence(words + ": its Recovery or Last Upgrade URL"))
            story.note(c.mark, .phone, "tries its Recovery/Last Upgrade URL: " + words, key: "url-http \(c.ip.destination)")
        } else if let line = Self.httpRequestPath(payload), line.lowercased().hasSuffix(".cfg") {
            let words = "HTTP GET \(TransferTable.printable(line)): normal firmware fetching its profile"
            story.normalSign(c.mark.evidence(words))
            story.note(c.mark, .phone, words, key: "http-cfg")
        }
    }

    /// The path of an HTTP GET request line.
    static func httpRequestPath(_ payload: ByteView) -> String? {
        let limit = min(payload.count, 512)
        var end = 4
        while end < limit, payload[end] != 0x20, payload[end] != 0x0D { end += 1 }
        guard end > 4, end < limit else { return nil }
        return String(decoding: payload[4..<end], as: UTF8.self)
    }

    // MARK: ARP

    @usableFromInline
    mutating func arp(_ arp: ARPPacket, frame: Int, time: CaptureTimestamp, interface: Int) {
        let mark = PhoneStory.Mark(frame: frame, time: time, interface: interface)
        if arp.operation == ARPPacket.request, let sender = arp.senderMAC, let story = phone(sender, create: false, at: mark) {
            if let ip = arp.senderIP { learn(story, address: ip) }
            // Its ARP matters while it looks for its gateway, downloads or tries its URLs; not in normal life.
            guard story.stage == .ordered || story.stage == .resolvingGateway || story.stage == .tryingURLs || story.awaitsFirstFrame,
                  let target = arp.targetIP, target != arp.senderIP else { return }
            if story.isDuplicate(mark, key: "arp \(target)") {
                duplicateFrames += 1
                return
            }
            let e = mark.evidence("ARP who-has \(target) tell \(arp.senderIP.map { "\($0)" } ?? "?")")
            if story.arpAsk(target: target, e) {
                story.note(mark, .phone, "asks ARP for its gateway \(target)", key: "arp \(target)")
            } else {
                story.note(mark, .phone, "asks ARP who has \(target)", key: "arp \(target)")
            }
        } else if arp.operation == ARPPacket.reply, let target = arp.targetMAC, let story = phone(target, create: false, at: mark),
                  story.stage == .resolvingGateway, let sender = arp.senderIP {
            let e = mark.evidence("ARP reply: \(sender) is at \(arp.senderMAC.map { "\($0)" } ?? "?")")
            if story.arpAnswer(from: sender, e) {
                story.note(mark, .network, "\(sender) is at \(arp.senderMAC.map { "\($0)" } ?? "?"): the gateway answers", key: "arp-answer")
            }
        }
    }

    // MARK: The phone's frames after its download

    /// The watched phone a frame comes from, by hashing, when many are watched.
    @usableFromInline
    func watchedPhone(mac: MACAddress?, address: IPv4Address?) -> Int? {
        let found = mac.flatMap { phoneByMAC[$0] } ?? (mac == nil ? address.flatMap { phoneByIP[$0] } : nil)
        // Only a phone whose download began has frames worth a look (watchedFrame needs its port).
        guard let found, phones[found].downloadPort != nil else { return nil }
        return found
    }

    @usableFromInline
    mutating func watchedFrame(_ phoneIndex: Int, frame: Int, time: CaptureTimestamp, interface: Int, _ kind: WatchedFrame) {
        let story = phones[phoneIndex]
        // Most of a download's frames are its ACKs; after the first frame that follows it, nothing is kept.
        guard let downloadPort = story.downloadPort else { return }
        let mark = PhoneStory.Mark(frame: frame, time: time, interface: interface)
        let words: String
        switch kind {
        case .udp(let port, let opcode, let destination, let destinationPort):
            // The download's own frames: ACKs and ERRORs from its port. (A
            // retried request is told from a new one by its file name, in
            // `tftpRequest`, which comes after.)
            if port == downloadPort, let opcode, opcode == 4 || opcode == 5 {
                story.transferFrame(mark)
                return
            }
            guard story.awaitsFirstFrame else { return }
            words = "UDP from port \(port) to \(destination.map { "\($0)" } ?? "?").\(destinationPort)"
        case .arp(let operation):
            guard story.awaitsFirstFrame else { return }
            words = operation == ARPPacket.reply ? "an ARP reply" : "an ARP request"
        case .tcp(let port):
            guard story.awaitsFirstFrame else { return }
            words = "TCP to port \(port)"
        case .other:
            guard story.awaitsFirstFrame else { return }
            words = "a frame"
        }
        story.heard(mark.evidence("its first frame after the download: \(words)"))
    }

    // MARK: Transfers

    @usableFromInline
    mutating func takeTransfers() {
        for t in tracker.takeFinished() { ended(t) }
    }

    /// A transfer the tracker ended: kept for a live reader when asked
    /// (checked as an image once, for both), then tied to its phone.
    mutating func ended(_ t: TFTPTransfer) {
        guard keepsEndedTransfers else { return attach(t) }
        let image = TransferredImage.examine(t, catalog: catalog)
        var kept = t
        kept.file.releaseBytes()
        endedTransfers.append(EndedTransfer(transfer: kept, image: image))
        attach(t, examined: image)
    }

    /// Ties a finished transfer to the phone whose request began it: the
    /// same client address and port and the same request frame (else the
    /// same file name). `examined` is the image check when already made.
    mutating func attach(_ transfer: TFTPTransfer, examined: FirmwareReport?? = nil) {
        var t = transfer
        let found = links.firstIndex { $0.client == t.client && $0.frame == t.request.frame }
            ?? links.firstIndex { $0.client == t.client && sameFile($0.file, t.fileName) }
        guard let found else {
            transfersNotLinked += 1
            return
        }
        let link = links.remove(at: found)
        let story = phones[link.phone]
        let mark = PhoneStory.Mark(frame: t.firstReply?.frame ?? t.request.frame, time: t.firstReply?.time ?? t.request.time, interface: -1)
        guard let attempt = link.attempt, attempt < story.attempts.count else {
            let outcome = t.outcome == .unanswered ? "no answer" : t.outcome.rawValue
            story.note(mark, .network, "its URL try for \(TransferTable.printable(t.fileName)): \(outcome)", key: "url-result \(t.number)")
            return
        }
        let image = examined ?? TransferredImage.examine(t, catalog: catalog)
        t.file.releaseBytes()
        story.attempts[attempt].transfer = t
        story.attempts[attempt].image = image
    }
}

extension RecoveryAnalyzer {
    /// Reads `reader` to its end, or to damage, and concludes: the analysis
    /// of every frame read, and the damage that stopped reading, if any.
    public static func analyze(_ reader: CaptureReader, catalog: FirmwareCatalog = .builtIn,
                               thresholds: RecoveryThresholds = RecoveryThresholds(),
                               limits: Limits = Limits()) -> (analysis: RecoveryAnalysis, damage: CaptureError?) {
        var analyzer = RecoveryAnalyzer(catalog: catalog, thresholds: thresholds, limits: limits)
        var damage: CaptureError?
        do {
            try FrameDecoder(udpChecksums: .deferred).decodeAll(from: reader) { d in analyzer.observe(d) }
        } catch {
            damage = error
        }
        return (analyzer.finish(), damage)
    }
}
