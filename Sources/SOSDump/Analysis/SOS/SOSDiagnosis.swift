/// Follows every SPA phone of a capture through its S.O.S. recovery and
/// says, per phone and for the capture, how it ended (the verdict codes of
/// `VerdictCode`). A `Diagnosis`: `CaptureAnalysis` feeds it.
///
/// Fed every decoded frame in capture order, with the TFTP tracker's event
/// for it. Most frames are let go after a few reads of fields already
/// decoded: the UDP ports, four bytes of the payload (`RECM` at offset 4),
/// the ARP operation. The few that matter become events of a phone's story
/// (`SOSPhoneStory`), keyed by the phone's MAC address:
///
/// - the recovery program seen: its DHCP (option 60 `TI-dhcp 0.1`), its
///   replies, its TFTP requests from port 2000 and HTTP connections (TTL 60)
///   to its Recovery and Last Upgrade URLs;
/// - the S.O.S. messages sent to phones (kept capture-wide, judged against a
///   phone's rules when the capture ends: `SOSMessages.swift`);
/// - the upgrade echo, the ARP lookup of the gateway and its answer, the
///   download's TFTP request (the tracker's event), the transfer (linked to
///   its phone by the tracker's transfer number), the image checks;
/// - the phone's first frame after its download, and its first sign of
///   normal firmware (DHCP as `Cisco SPA504G`, a `.cfg` fetch, SIP) or of the
///   recovery program again.
///
/// The files of this diagnosis: routing (here), the phone registry
/// (`SOSPhoneRegistry`), a phone's story (`SOSPhoneStory`), the messages to
/// phones (`SOSMessages`), the verdict rules (`SOSRules`), the timeline
/// (`SOSTimeline`), the typed facts (`SOSFacts`, `SOSVerdict`); the words
/// are `Report/SOSWording.swift`'s.
///
/// Memory is bounded: `Limits` caps phones, events and attempts per phone,
/// and messages kept; the conclusion's notices say what a limit dropped.
public struct SOSDiagnosis: Diagnosis {
    public static var family: PhoneFamily { .sos }

    public struct Limits: Sendable {
        /// Phones followed; later ones are counted, not followed.
        public var maxPhones = 256
        /// Timeline events kept per phone (alike events in a row fold into one).
        public var maxEventsPerPhone = 512
        /// Download attempts kept per phone.
        public var maxAttemptsPerPhone = 32
        /// S.O.S. messages to phones kept (each is judged against the phone's rules at the end).
        public var maxMessages = 4096

        public init() {}
    }

    public let limits: Limits
    public let thresholds: RecoveryThresholds
    let catalog: FirmwareCatalog

    @usableFromInline var registry: SOSPhoneRegistry
    var messages: [SentMessage] = []
    var messagesNotKept = 0
    var duplicateFrames = 0
    /// The phones' TFTP requests, to tie the tracker's transfers to them.
    var links: [RequestLink] = []

    public init(catalog: FirmwareCatalog = .builtIn, thresholds: RecoveryThresholds = RecoveryThresholds(), limits: Limits = Limits()) {
        self.catalog = catalog
        self.thresholds = thresholds
        self.limits = limits
        registry = SOSPhoneRegistry(limits: limits)
    }

    public func follows(_ mac: MACAddress) -> Bool { registry.byMAC[mac] != nil }

    public var followed: FollowedTraffic {
        var f = FollowedTraffic()
        for story in registry.stories {
            f.macs.insert(story.identity.mac)
            f.addresses.formUnion(story.identity.addresses)
            if let serial = story.serialBytes, !serial.isEmpty { f.identifiers.insert(serial) }
        }
        return f
    }

    /// S.O.S. messages: to or from the S.O.S. ports, or `RECM` at offset 4 on any port.
    public static func isOwnProtocol(_ d: borrowing Dissection) -> Bool {
        guard case .udp(let h, let payload) = d.transport else { return false }
        let s = h.sourcePort, t = h.destinationPort
        return s == SOSRecovery.phonePort || s == SOSRecovery.utilityPort || t == SOSRecovery.phonePort || t == SOSRecovery.utilityPort
            || SOSMessage.isSOS(payload)
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
        /// What the frame did to the TFTP transfers.
        @usableFromInline var tftp: TFTPEvent?

        @inlinable
        init(frame: Int, time: CaptureTimestamp, interface: Int, sourceMAC: MACAddress?, linkBroadcast: Bool, ip: IPv4Header,
             fragmented: Bool, tftp: TFTPEvent?) {
            self.frame = frame
            self.time = time
            self.interface = interface
            self.sourceMAC = sourceMAC
            self.linkBroadcast = linkBroadcast
            self.ip = ip
            self.fragmented = fragmented
            self.tftp = tftp
        }

        var mark: SOSPhoneStory.Mark { SOSPhoneStory.Mark(frame: frame, time: time, interface: interface) }
    }

    // MARK: The frame

    /// Feeds one decoded frame. Inlinable, as `TFTPTransferTracker.observe`,
    /// so the dissection is read where it lies; only frames that may matter
    /// go on to the out-of-line parts, with the few fields they need.
    /// Always inlined: called out of line, it is handed a copy of the
    /// dissection per frame (measured: 0.05 s of 0.40 s on 1 GiB).
    @inlinable @inline(__always)
    public mutating func observe(_ d: borrowing Dissection, tftp: TFTPEvent?, span: CaptureSpan) {
        let time = d.frame.timestamp
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
        if !registry.watched.isEmpty { watch(d, sourceMAC: sourceMAC) }

        switch d.transport {
        case .udp(let header, let payload):
            if case .ipv4(var ip) = d.network, Self.mayMatter(header, payload, phones: registry.count) {
                // The analysis decodes with checksums deferred: checked here, where one matters.
                if ip.checksumStatus == .notChecked { ip.checksumStatus = d.ipv4ChecksumStatus ?? .unverified }
                var fragmented = ip.isFragment
                if d.fragment != nil { fragmented = true }
                let c = FrameContext(frame: d.frame.number, time: time, interface: d.frame.interfaceIndex, sourceMAC: sourceMAC,
                                     linkBroadcast: linkBroadcast, ip: ip, fragmented: fragmented, tftp: tftp)
                udp(c, header, payload, span: span)
            }
        case .tcp(let header, let payload):
            // A known phone's connection opened (SYN without ACK), or an HTTP GET (the
            // recovery program's from an unknown phone too): a URL try or a profile.
            if registry.count > 0 && header.flags & 0x12 == 0x02 || payload.uint32(at: 0) == 0x4745_5420, case .ipv4(let ip) = d.network {
                let c = FrameContext(frame: d.frame.number, time: time, interface: d.frame.interfaceIndex, sourceMAC: sourceMAC,
                                     linkBroadcast: linkBroadcast, ip: ip, fragmented: false, tftp: nil)
                tcp(c, header, payload)
            }
        default:
            break
        }
        if case .arp(let arp) = d.network, arp.isEthernetIPv4 {
            self.arp(arp, frame: d.frame.number, time: time, interface: d.frame.interfaceIndex)
        }
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
        guard let index = registry.watchedPhone(mac: sourceMAC, address: sourceIP) else { return }
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

    /// What kind of frame a watched phone sent.
    @usableFromInline
    enum WatchedFrame {
        /// UDP from this port, with this TFTP opcode (when the payload has one) to this address and port.
        case udp(sourcePort: UInt16, opcode: UInt16?, destination: IPv4Address?, destinationPort: UInt16)
        case arp(operation: UInt16)
        case tcp(destinationPort: UInt16)
        case other
    }
}

/// Where a phone's TFTP request went, to tie the tracker's transfer to it.
struct RequestLink: Sendable {
    /// The tracker's transfer number.
    var transfer: Int
    var phone: Int
    /// nil: a try of its Recovery or Last Upgrade URL, not a download.
    var attempt: Int?
}

extension SOSDiagnosis {
    // MARK: UDP

    @usableFromInline
    mutating func udp(_ c: FrameContext, _ h: UDPHeader, _ payload: ByteView, span: CaptureSpan) {
        let s = h.sourcePort, t = h.destinationPort
        if s == SOSRecovery.phonePort || s == SOSRecovery.utilityPort || t == SOSRecovery.phonePort || t == SOSRecovery.utilityPort
            || SOSMessage.isSOS(payload) {
            sos(c, h, payload)
        } else if DHCPMessage.isDHCP(sourcePort: s, destinationPort: t) {
            dhcp(c, payload)
        } else if t == TFTPPacket.port, payload.uint16(at: 0) == 1 {
            if case .request(let request)? = c.tftp, request.direction == .read { tftpRequest(c, h, request) }
        } else if s == 5060 || t == 5060, let p = registry.phone(from: c, create: false) {
            registry.stories[p].normalSign(c.mark.evidence(.sip(to: c.ip.destination, port: t)))
            registry.stories[p].note(c.mark, .phone, .sip(to: c.ip.destination, port: t), key: .sip)
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

    mutating func reply(_ m: SOSMessage, _ c: FrameContext) {
        guard let mac = m.mac ?? c.sourceMAC, let p = registry.phone(mac, create: true, at: c.mark) else { return }
        guard !registry.stories[p].isDuplicate(c.mark, key: .reply) else {
            duplicateFrames += 1
            return
        }
        registry.learn(p, address: m.phoneAddress ?? c.ip.source)
        if let serial = m.serial {
            registry.stories[p].identity.serial = serial.description
            registry.stories[p].serialBytes = serial.bytes
        }
        if let product = m.product, !product.bytes.isEmpty { registry.stories[p].identity.product = product.description }
        if let v = m.softwareVersion { registry.stories[p].identity.loaderVersion = v.description }
        if let v = m.hardwareVersion { registry.stories[p].identity.hardwareVersion = v.description }
        let shows = SOSEvidence.reply(product: m.product?.description, address: m.phoneAddress, serial: m.serial?.description,
                                      loader: m.softwareVersion?.description)
        registry.stories[p].reply(c.mark.evidence(shows))
        registry.stories[p].note(c.mark, .phone, .frame(shows), key: .reply)
    }

    mutating func echo(_ m: SOSMessage, _ c: FrameContext) {
        var found = registry.phone(from: c, create: true)
        if found == nil, let serial = m.serial?.bytes { found = registry.stories.firstIndex { $0.serialBytes == serial } }
        guard let p = found else { return }
        guard !registry.stories[p].isDuplicate(c.mark, key: .echo) else {
            duplicateFrames += 1
            return
        }
        registry.learn(p, address: c.ip.source)
        let file = m.fileName?.string
        let e = c.mark.evidence(.upgradeEcho(file: file))
        // The recovery program answering: a sign for the previous attempt's aftermath.
        registry.stories[p].recoverySign(e)
        let order = file.flatMap { recentOrder(naming: $0, before: c.time) }
        registry.stories[p].beginAttempt(at: c.mark, order: order.map { messages[$0].orderEvidence }, file: file, asText: false)
        registry.stories[p].echo(e, file: file)
        if let order { messages[order].followers.append(p) }
        registry.stories[p].note(c.mark, .phone, .echo(file: file), key: .echo)
    }

    // MARK: DHCP

    mutating func dhcp(_ c: FrameContext, _ payload: ByteView) {
        guard let msg = try? DHCPMessage.decode(payload) else { return }
        if msg.operation == .request {
            guard let mac = msg.clientMAC ?? c.sourceMAC else { return }
            switch (msg.isSOSRecoveryProgram, msg.vendorClass) {
            case (true, _):
                guard let p = registry.phone(mac, create: true, at: c.mark) else { return }
                guard !registry.stories[p].isDuplicate(c.mark, key: .dhcpRecovery) else {
                    duplicateFrames += 1
                    return
                }
                if msg.clientAddress != .any { registry.learn(p, address: msg.clientAddress) }
                let shows = SOSEvidence.recoveryDHCP(type: msg.messageType)
                registry.stories[p].recoveryDHCP(c.mark.evidence(shows))
                registry.stories[p].note(c.mark, .phone, .frame(shows), key: .dhcpRecovery)
            case (false, let vendor?):
                guard let p = registry.phone(mac, create: false, at: c.mark) else { return }
                if vendor.hasPrefix("Cisco SPA") { registry.stories[p].identity.product = String(vendor.dropFirst("Cisco ".count)) }
                if msg.clientAddress != .any { registry.learn(p, address: msg.clientAddress) }
                let shows = SOSEvidence.normalDHCP(type: msg.messageType, vendorClass: vendor)
                registry.stories[p].normalSign(c.mark.evidence(shows))
                registry.stories[p].note(c.mark, .phone, .frame(shows), key: .dhcpNormal)
            default:
                break
            }
        } else if msg.operation == .reply, msg.messageType == .ack, let mac = msg.clientMAC, let p = registry.phone(mac, create: false, at: c.mark) {
            registry.learn(p, address: msg.yourAddress)
            var prefix: Int?
            if case .address(let mask)? = msg.option(.subnetMask)?.value {
                let bits = mask.rawValue.nonzeroBitCount
                if mask.rawValue == (bits == 0 ? 0 : UInt32.max << (32 - UInt32(bits))) { registry.stories[p].prefixLength = bits }
                prefix = bits
            }
            var router: IPv4Address?
            if case .addresses(let routers)? = msg.option(.router)?.value, let first = routers.first {
                registry.stories[p].identity.gateway = first
                router = first
            }
            registry.stories[p].note(c.mark, .network, .dhcpAck(server: c.ip.source, address: msg.yourAddress, prefix: prefix, router: router),
                                     key: .dhcpAck)
        }
    }

    // MARK: TFTP requests

    /// A read request, as the tracker decoded it.
    mutating func tftpRequest(_ c: FrameContext, _ h: UDPHeader, _ request: TFTPRequestSeen) {
        let file = request.fileName
        let client = request.client
        let destination = request.destination
        guard h.sourcePort == SOSRecovery.tftpClientPort else {
            // Another TFTP client on a known phone: its normal firmware (fetching /spa504G.cfg).
            guard let p = registry.phone(from: c, create: false) else { return }
            let shows = SOSEvidence.normalTFTPRequest(file: file, port: h.sourcePort)
            registry.stories[p].normalSign(c.mark.evidence(shows))
            registry.stories[p].note(c.mark, .phone, .frame(shows), key: .normalRequest(file))
            return
        }
        // From port 2000: the recovery program's TFTP client.
        guard let p = registry.phone(from: c, create: true) else { return }
        registry.learn(p, address: c.ip.source)
        let e = c.mark.evidence(.tftpRequest(file: file, to: destination))

        if let d = registry.stories[p].lastAttempt?.download, d.client == client, sameFile(d.file, file), d.transfer == nil {
            // The same request again (no answer yet), or seen again on another interface.
            if registry.stories[p].isDuplicate(c.mark, key: .request(file)) {
                duplicateFrames += 1
                registry.stories[p].transferFrame()
                return
            }
            registry.stories[p].transferFrame()
            registry.stories[p].note(c.mark, .phone, .asksFile(file: file, to: destination), key: .request(file))
            return
        }
        // (Read in place: a copy of the story held across its mutation below would copy its arrays.)
        if registry.stories[p].awaitsDownload, registry.stories[p].lastAttempt?.orderedFile.map({ sameFile($0, file) }) ?? true {
            // The download the echoed order announced.
        } else if let order = recentOrder(naming: file, before: c.time) {
            // An order the phone did not echo where the capture saw it: one sent as text, or an echo not captured.
            let m = messages[order]
            registry.stories[p].recoverySign(e)
            registry.stories[p].beginAttempt(at: c.mark, order: m.orderEvidence, file: file, asText: m.message == nil)
            messages[order].followers.append(p)
            if m.message == nil {
                registry.stories[p].notes.append(.orderAsText(frame: m.mark.frame, file: file, request: c.frame))
            }
        } else if c.ip.destination.isMulticast {
            // Only a download after an upgrade order goes to the group: the order is not in the capture.
            registry.stories[p].recoverySign(e)
            registry.stories[p].beginAttempt(at: c.mark, order: nil, file: file, asText: false)
        } else {
            // Its Recovery or Last Upgrade URL (tftp://…): it is not listening meanwhile.
            registry.stories[p].urlTry(c.mark.evidence(.urlTryTFTP(file: file, to: destination)))
            registry.stories[p].note(c.mark, .phone, .urlTryTFTP(file: file, to: destination), key: .urlTFTP(file))
            if links.count < 4 * limits.maxPhones { links.append(RequestLink(transfer: request.transfer, phone: p, attempt: nil)) }
            return
        }
        guard let last = registry.stories[p].lastAttempt, last.download == nil else { return }
        registry.stories[p].download(e, file: file, client: client, destination: destination)
        registry.stories[p].note(c.mark, .phone, .asksFile(file: file, to: destination), key: .request(file))
        links.append(RequestLink(transfer: request.transfer, phone: p, attempt: registry.stories[p].attempts.count - 1))
        registry.watch(p)
    }

    // MARK: TCP

    @usableFromInline
    mutating func tcp(_ c: FrameContext, _ h: TCPHeader, _ payload: ByteView) {
        let path = h.flags & 0x02 == 0 ? Self.httpRequestPath(payload) : nil
        // The recovery program (TTL 60) fetching an image by HTTP: its URL,
        // and a phone in recovery even when nothing else of it was seen.
        let imageFetch = c.ip.timeToLive == SOSRecovery.timeToLive && path.map { FirmwareCatalog.baseName($0).lowercased().hasSuffix(".bin") } == true
        guard let p = registry.phone(from: c, create: imageFetch) else { return }
        if imageFetch, registry.stories[p].urlTries.count == 0 || registry.stories[p].stage != .tryingURLs {
            registry.stories[p].urlTry(c.mark.evidence(.urlTryHTTP(to: c.ip.destination, port: h.destinationPort)))
            registry.stories[p].note(c.mark, .phone, .urlTryHTTP(to: c.ip.destination, port: h.destinationPort), key: .urlHTTP(c.ip.destination))
            return
        }
        if h.flags & 0x12 == 0x02 {
            // The recovery program sends everything with TTL 60; its HTTP client is its URL try.
            guard c.ip.timeToLive == SOSRecovery.timeToLive,
                  registry.stories[p].stage != .normalFirmware || registry.stories[p].isDownloading else { return }
            registry.stories[p].urlTry(c.mark.evidence(.urlTryHTTP(to: c.ip.destination, port: h.destinationPort)))
            registry.stories[p].note(c.mark, .phone, .urlTryHTTP(to: c.ip.destination, port: h.destinationPort), key: .urlHTTP(c.ip.destination))
        } else if let path, path.lowercased().hasSuffix(".cfg") {
            let shows = SOSEvidence.profileFetch(path: path)
            registry.stories[p].normalSign(c.mark.evidence(shows))
            registry.stories[p].note(c.mark, .phone, .frame(shows), key: .httpProfile)
        }
    }

    /// The path of an HTTP GET request line.
    static func httpRequestPath(_ payload: ByteView) -> String? {
        let limit = min(payload.count, 512)
        var end = 4
        while end < limit, let byte = payload.uint8(at: end), byte != 0x20, byte != 0x0D { end += 1 }
        guard end > 4, end < limit, let path = payload.slice(at: 4, length: end - 4) else { return nil }
        return String(decoding: path, as: UTF8.self)
    }

    // MARK: ARP

    @usableFromInline
    mutating func arp(_ arp: ARPPacket, frame: Int, time: CaptureTimestamp, interface: Int) {
        let mark = SOSPhoneStory.Mark(frame: frame, time: time, interface: interface)
        if arp.operation == ARPPacket.request, let sender = arp.senderMAC, let p = registry.phone(sender, create: false, at: mark) {
            if let ip = arp.senderIP { registry.learn(p, address: ip) }
            // Its ARP matters while it looks for its gateway, downloads or tries its URLs; not in normal life.
            guard registry.stories[p].awaitsDownload || registry.stories[p].stage == .tryingURLs || registry.stories[p].awaitsFirstFrame,
                  let target = arp.targetIP, target != arp.senderIP else { return }
            if registry.stories[p].isDuplicate(mark, key: .arp(target)) {
                duplicateFrames += 1
                return
            }
            let isGateway = registry.stories[p].arpAsk(target: target, mark.evidence(.arpRequest(target: target, sender: arp.senderIP)))
            registry.stories[p].note(mark, .phone, .arpAsk(target: target, isGateway: isGateway), key: .arp(target))
        } else if arp.operation == ARPPacket.reply, let target = arp.targetMAC, let p = registry.phone(target, create: false, at: mark),
                  registry.stories[p].lastAttempt?.gatewayLookup != nil, let sender = arp.senderIP {
            let e = mark.evidence(.arpReply(sender: sender, mac: arp.senderMAC))
            if registry.stories[p].arpAnswer(from: sender, e) {
                registry.stories[p].note(mark, .network, .gatewayAnswers(sender: sender, mac: arp.senderMAC), key: .arpAnswer)
            }
        }
    }

    // MARK: The phone's frames after its download

    @usableFromInline
    mutating func watchedFrame(_ p: Int, frame: Int, time: CaptureTimestamp, interface: Int, _ kind: WatchedFrame) {
        // Most of a download's frames are its ACKs; after the first frame that follows it, nothing is kept.
        guard let downloadPort = registry.stories[p].downloadPort else { return }
        let mark = SOSPhoneStory.Mark(frame: frame, time: time, interface: interface)
        let shows: SOSFrameKind
        switch kind {
        case .udp(let port, let opcode, let destination, let destinationPort):
            // The download's own frames: ACKs and ERRORs from its port. (A
            // retried request is told from a new one by its file name, in
            // `tftpRequest`, which comes after.)
            if port == downloadPort, let opcode, opcode == 4 || opcode == 5 {
                registry.stories[p].transferFrame()
                return
            }
            guard registry.stories[p].awaitsFirstFrame else { return }
            shows = .udp(sourcePort: port, destination: destination, destinationPort: destinationPort)
        case .arp(let operation):
            guard registry.stories[p].awaitsFirstFrame else { return }
            shows = .arp(reply: operation == ARPPacket.reply)
        case .tcp(let port):
            guard registry.stories[p].awaitsFirstFrame else { return }
            shows = .tcp(destinationPort: port)
        case .other:
            guard registry.stories[p].awaitsFirstFrame else { return }
            shows = .other
        }
        registry.stories[p].heard(mark.evidence(.firstFrameAfterDownload(shows)))
    }

    // MARK: Transfers

    /// Ties a finished transfer to the phone whose request began it (by
    /// the tracker's transfer number) and checks its image, once.
    public mutating func transferEnded(_ ended: EndedTransfer) {
        let t = ended.transfer
        guard let found = links.firstIndex(where: { $0.transfer == t.number }) else { return }
        let link = links.remove(at: found)
        let mark = SOSPhoneStory.Mark(frame: t.firstReply?.frame ?? t.request.frame, time: t.firstReply?.time ?? t.request.time, interface: -1)
        guard let attempt = link.attempt, attempt < registry.stories[link.phone].attempts.count else {
            registry.stories[link.phone].note(mark, .network, .urlTryResult(file: t.fileName, outcome: t.outcome), key: .urlResult(transfer: t.number))
            // A whole file from its URL: the recovery program downloaded an image by itself.
            if t.outcome == .complete {
                var kept = t
                kept.file.releaseBytes()
                let request = Evidence(frame: t.request.frame, time: t.request.time,
                                       shows: .urlTryTFTP(file: t.fileName, to: t.requestDestination))
                registry.stories[link.phone].urlDownload(request: request, transfer: kept, image: ended.image(catalog: catalog))
                registry.watch(link.phone)
            }
            return
        }
        let image = ended.image(catalog: catalog)
        var kept = t
        kept.file.releaseBytes()
        registry.stories[link.phone].attempts[attempt].updateDownload { d in
            d.transfer = kept
            d.image = image
        }
    }
}
