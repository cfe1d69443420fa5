/// What a capture holds as a whole, counted as it is walked, to tell a
/// filtered capture from a complete one: a verdict holds only as far as the
/// capture's evidence goes, and a capture filtered to one host or one port
/// hides the other side of every exchange. Bounded: a few counters and the
/// first two source addresses, whatever the capture's length.
public struct CaptureShape: Sendable {
    @usableFromInline var frames = 0
    @usableFromInline var arpFrames = 0
    /// The first two distinct link-layer sources; `manySources` past them.
    @usableFromInline var firstSource: MACAddress?
    @usableFromInline var secondSource: MACAddress?
    @usableFromInline var sourceless = false
    /// The ports every UDP and TCP frame so far had at one of its ends
    /// (nil before the first; both 0 once no port is common).
    @usableFromInline var commonPorts: (UInt16, UInt16)?
    @usableFromInline var otherFrames = 0
    /// Transfers whose receiver acknowledged blocks none of whose DATA the capture holds.
    var acknowledgedWithoutData = 0
    /// TFTP packets captured twice and counted once (the tracker's count).
    var duplicateTFTPFrames = 0

    public init() {}

    /// Always inlined: called out of line it is handed a copy of the dissection.
    @inlinable @inline(__always)
    public mutating func observe(_ d: borrowing Dissection) {
        frames += 1
        var source: MACAddress?
        switch d.link {
        case .ethernet(let e): source = e.source
        case .linuxSLL(let h): source = h.source
        case .linuxSLL2(let h): source = h.source
        default: break
        }
        if let source {
            if firstSource == nil { firstSource = source } else if source != firstSource, secondSource == nil { secondSource = source }
        } else {
            sourceless = true
        }
        switch d.transport {
        case .udp(let h, _): ports(h.sourcePort, h.destinationPort)
        case .tcp(let h, _): ports(h.sourcePort, h.destinationPort)
        default:
            if case .arp = d.network { arpFrames += 1 } else { otherFrames += 1 }
        }
    }

    @inlinable
    mutating func ports(_ a: UInt16, _ b: UInt16) {
        guard let (x, y) = commonPorts else {
            commonPorts = (a, b)
            return
        }
        let keepX = x != 0 && (x == a || x == b), keepY = y != 0 && (y == a || y == b)
        commonPorts = (keepX ? x : 0, keepY ? y : 0)
    }

    mutating func transferEnded(_ t: TFTPTransfer) {
        if t.dataNotCaptured { acknowledgedWithoutData += 1 }
        duplicateTFTPFrames += t.duplicateFrames
    }

    /// The signs that the capture was filtered. No ARP at all counts only
    /// beside another sign, or in a capture long enough that hosts on a
    /// LAN would have refreshed their ARP caches (a minute).
    public func filterSigns(span: CaptureSpan) -> [CaptureFilterSign] {
        guard frames >= 2 else { return [] }
        var signs: [CaptureFilterSign] = []
        if acknowledgedWithoutData > 0 { signs.append(.acknowledgedWithoutData(transfers: acknowledgedWithoutData)) }
        if let only = firstSource, secondSource == nil, !sourceless, frames >= 10 { signs.append(.oneSource(only)) }
        if let (x, y) = commonPorts, otherFrames == 0, arpFrames == 0, frames >= 10 {
            let port = x != 0 ? x : y
            if port != 0 { signs.append(.onePort(port)) }
        }
        let seconds = span.firstTime.flatMap { f in span.lastTime.map { $0.seconds(since: f) } } ?? 0
        if arpFrames == 0, !sourceless, !signs.isEmpty || (seconds >= 60 && frames >= 50) { signs.append(.noARP) }
        return signs
    }
}

/// A sign that a capture was filtered when it was taken or saved.
public enum CaptureFilterSign: Sendable, Equatable {
    /// Transfers seen only through their receiver's ACKs: the DATA was left out.
    case acknowledgedWithoutData(transfers: Int)
    /// Every frame comes from one link-layer address: only one side was kept.
    case oneSource(MACAddress)
    /// Every frame is UDP or TCP to or from one port.
    case onePort(UInt16)
    /// Not one ARP frame.
    case noARP
}
