/// `sosdump share`: a capture cut down to the frames the diagnoses used,
/// with what identifies the network replaced by pseudonyms, for a forum.
///
/// Two passes over the file. The first is `analyze`'s walk: the diagnoses
/// say what they followed (`CaptureConclusion.followed`: the phones' MACs,
/// addresses and serials). The second reads the file again, keeps the
/// frames `ShareSelection` picks, rewrites each with `FrameRedactor` and
/// hands it on, numbered from 1: to a `PcapngWriter` (`share`), or to the
/// analysis again (`analyze --redact`, whose report is then the shared
/// file's: the same pseudonyms, the shared file's frame numbers).
public enum CaptureShare {
    /// What a second pass did.
    public struct Summary: Sendable {
        public var framesRead = 0
        /// Frames written, the empty frames that mark the capture's start and end among them.
        public var framesKept = 0
        public var markers = 0
        /// What was replaced (nil: `--keep-addresses`, nothing was).
        public var replaced: RedactionCounts?
        /// The damage that stopped reading, after every frame before it.
        public var damage: CaptureError?
    }

    /// Reads `reader` to its end, handing each frame `selection` keeps to
    /// `emit`, redacted by `redactor` when there is one; frames are
    /// renumbered from 1, their times, interfaces and lengths kept. When
    /// the capture's first or last frame is not kept, an empty frame (no
    /// bytes, only its time) stands in for it, so that the shared capture
    /// spans the same time: a verdict about silence until the capture's
    /// end (a stalled transfer) rests on it. A
    /// reader's damage ends the pass (`Summary.damage`) after every frame
    /// before it was handed on; what `emit` throws is thrown.
    public static func pass(_ reader: CaptureReader, selection: ShareSelection, redactor: FrameRedactor?,
                            emit: (CapturedFrame, CaptureInterface) throws -> Void) throws -> Summary {
        var redactor = redactor
        var summary = Summary()
        let decoder = FrameDecoder(checksums: .deferred)
        var d = Dissection()
        var copy: [UInt8] = []
        var lastDropped: (time: CaptureTimestamp, interface: Int, linkType: LinkType)?
        while true {
            let frame: CapturedFrame
            do {
                guard let next = try reader.next() else { break }
                frame = next
            } catch {
                summary.damage = error
                break
            }
            summary.framesRead += 1
            decoder.decode(frame, into: &d)
            guard selection.keeps(d) else {
                lastDropped = (frame.timestamp, frame.interfaceIndex, frame.linkType)
                if summary.framesRead == 1 { try marker(at: frame.timestamp, frame.interfaceIndex, frame.linkType) }
                continue
            }
            lastDropped = nil
            summary.framesKept += 1
            copy.removeAll(keepingCapacity: true)
            copy.append(contentsOf: frame.bytes.rawBytes)
            redactor?.redact(&copy, d)
            let interface = reader.interfaces[frame.interfaceIndex]
            try copy.withUnsafeBytes { raw in
                let out = CapturedFrame(number: summary.framesKept, timestamp: frame.timestamp, interfaceIndex: frame.interfaceIndex,
                                        linkType: frame.linkType, bytes: ByteView(raw, wireCount: frame.bytes.wireCount),
                                        fileOffset: frame.fileOffset)
                try emit(out, interface)
            }
        }
        if let last = lastDropped, summary.framesRead > 1 { try marker(at: last.time, last.interface, last.linkType) }
        summary.replaced = redactor?.replaced
        return summary

        func marker(at time: CaptureTimestamp, _ interface: Int, _ linkType: LinkType) throws {
            summary.framesKept += 1
            summary.markers += 1
            let empty = CapturedFrame(number: summary.framesKept, timestamp: time, interfaceIndex: interface, linkType: linkType,
                                      bytes: ByteView(UnsafeRawBufferPointer(start: nil, count: 0), wireCount: 0), fileOffset: 0)
            try emit(empty, reader.interfaces[interface])
        }
    }
}

/// Which frames `sosdump share` keeps: the followed phones' frames (by MAC
/// or by an address they had), their ARP, the DHCP about them (by client
/// hardware address, so a relayed exchange too), every message of a
/// diagnosed family's own protocol (the utility's S.O.S. messages, also
/// to an address no phone had), and the fragments of datagrams sent to a
/// phone or a group. Everything about other hosts is left out.
public struct ShareSelection: Sendable {
    public let followed: FollowedTraffic

    public init(followed: FollowedTraffic) { self.followed = followed }

    public func keeps(_ d: borrowing Dissection) -> Bool {
        switch d.link {
        case .ethernet(let e):
            if followed.macs.contains(e.source) || followed.macs.contains(e.destination) { return true }
        case .linuxSLL(let h):
            if let s = h.source, followed.macs.contains(s) { return true }
        case .linuxSLL2(let h):
            if let s = h.source, followed.macs.contains(s) { return true }
        default:
            break
        }
        switch d.network {
        case .ipv4(let ip):
            if followed.addresses.contains(ip.source) || followed.addresses.contains(ip.destination) { return true }
            if ip.isFragment, ip.destination.isMulticast || ip.destination == .broadcast { return true }
        case .arp(let a):
            if let m = a.senderMAC, followed.macs.contains(m) { return true }
            if let m = a.targetMAC, followed.macs.contains(m) { return true }
            if let ip = a.senderIP, followed.addresses.contains(ip) { return true }
            if let ip = a.targetIP, followed.addresses.contains(ip) { return true }
        default:
            break
        }
        if CaptureAnalysis.isOwnProtocol(d) { return true }
        if case .udp(let h, let payload) = d.transport, DHCPMessage.isDHCP(sourcePort: h.sourcePort, destinationPort: h.destinationPort),
           payload.uint8(at: 2) == 6, let chaddr = MACAddress(payload, at: 28), followed.macs.contains(chaddr) {
            return true
        }
        return false
    }
}

extension CaptureShare {
    /// `sosdump share`'s second pass into `writer`: each interface described
    /// when its first frame comes (its name and link type; not its
    /// description, which may name the host), with the capture's timestamp
    /// resolution; then, after the frames, the capture's recorded end, or
    /// for a damaged capture a block cut short where the damage was.
    /// Throws the writer's `CaptureWriteError`.
    public static func write(_ reader: CaptureReader, to writer: PcapngWriter, selection: ShareSelection,
                             redactor: FrameRedactor?) throws -> Summary {
        var interfaces: [Int: Int] = [:]
        let summary = try pass(reader, selection: selection, redactor: redactor) { frame, interface in
            let index: Int
            if let known = interfaces[frame.interfaceIndex] {
                index = known
            } else {
                index = try writer.addInterface(CaptureInterface(linkType: interface.linkType, snapLength: interface.snapLength,
                                                                 name: interface.name, fcsLength: interface.fcsLength),
                                                timestampDigits: frame.timestamp.fractionDigits)
                interfaces[frame.interfaceIndex] = index
            }
            try writer.write(frame, interface: index)
        }
        if summary.damage != nil {
            try writer.writeTruncation()
        } else if let end = reader.recordedEnd, let first = interfaces.values.min() {
            try writer.writeEnd(interface: first, time: end)
        }
        try writer.close()
        return summary
    }
}

extension CaptureAnalysis {
    /// `analyze --redact`: the analysis of the frames a share pass hands on
    /// (`CaptureShare.pass`), as `analyze` would make it of the shared file.
    public static func analyzeShared(_ reader: CaptureReader, selection: ShareSelection, redactor: FrameRedactor?,
                                     catalog: FirmwareCatalog = .builtIn, thresholds: RecoveryThresholds = RecoveryThresholds(),
                                     limits: Limits = Limits()) -> (conclusion: CaptureConclusion, summary: CaptureShare.Summary) {
        var analysis = CaptureAnalysis(catalog: catalog, thresholds: thresholds, limits: limits)
        let decoder = FrameDecoder(checksums: .deferred)
        var d = Dissection()
        // `emit` throws nothing here: only the reader's damage ends the pass, and it is in the summary.
        let summary = (try? CaptureShare.pass(reader, selection: selection, redactor: redactor) { frame, _ in
            decoder.decode(frame, into: &d)
            analysis.observe(d)
        }) ?? CaptureShare.Summary()
        // As `analyze` concludes: at the capture's recorded end, and with the damage that stopped reading.
        return (analysis.finish(damage: summary.damage, end: reader.recordedEnd), summary)
    }
}
