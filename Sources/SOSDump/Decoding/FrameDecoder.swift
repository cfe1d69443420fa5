/// Decodes captured frames, layer by layer, from the link header down to
/// UDP, TCP, ICMP and ARP; the one place where the next layer is chosen
/// (by link type, EtherType and IP protocol).
///
/// It holds the state decoding needs across frames (IP fragment
/// reassembly), so feed it every frame of a capture in order. Decoding a
/// frame that does not reassemble anything allocates nothing.
public struct FrameDecoder {
    public let reassembler: IPFragmentReassembler
    public let checksums: ChecksumPolicy

    public init(reassemblyLimits: IPFragmentReassembler.Limits = .init(), checksums: ChecksumPolicy = .verified) {
        reassembler = IPFragmentReassembler(limits: reassemblyLimits)
        self.checksums = checksums
    }

    public func decode(_ frame: CapturedFrame) -> Dissection {
        var d = Dissection(frame: frame)
        decode(frame, into: &d)
        return d
    }

    /// Decodes `frame` into `d`, replacing all it held: a loop over a large
    /// capture reuses one `Dissection` instead of copying one out per frame.
    public func decode(_ frame: CapturedFrame, into d: inout Dissection) {
        d = Dissection(frame: frame)
        let bytes = frame.bytes
        do throws(LayerStop) {
            switch frame.linkType {
            case .ethernet:
                let (eth, payload) = try step(.ethernet, at: 0) { () throws(DecodeProblem) in try EthernetHeader.decode(bytes) }
                d.link = .ethernet(eth)
                d.offsets.link = 0
                if let length = eth.ieee8023Length {
                    try decodeLLC(payload, declaredLength: length, at: EthernetHeader.length, into: &d)
                } else {
                    try decodeEtherType(EtherType(rawValue: eth.typeOrLength), payload, at: EthernetHeader.length, into: &d)
                }
            case .linuxSLL:
                let (sll, payload) = try step(.linuxSLL, at: 0) { () throws(DecodeProblem) in try LinuxSLLHeader.decode(bytes) }
                d.link = .linuxSLL(sll)
                d.offsets.link = 0
                try decodeCookedProtocol(sll.protocolType, payload, at: LinuxSLLHeader.length, into: &d)
            case .linuxSLL2:
                let (sll, payload) = try step(.linuxSLL2, at: 0) { () throws(DecodeProblem) in try LinuxSLL2Header.decode(bytes) }
                d.link = .linuxSLL2(sll)
                d.offsets.link = 0
                try decodeCookedProtocol(sll.protocolType, payload, at: LinuxSLL2Header.length, into: &d)
            case .null, .loop:
                let hostOrder = frame.linkType == .null
                let (lo, payload) = try step(.loopback, at: 0) { () throws(DecodeProblem) in try LoopbackHeader.decode(bytes, hostOrder: hostOrder) }
                d.link = .loopback(lo)
                d.offsets.link = 0
                switch lo.ipVersion {
                case 4: try decodeIPv4(payload, at: LoopbackHeader.length, into: &d)
                case 6: try decodeIPv6(payload, at: LoopbackHeader.length, into: &d)
                default: d.network = .none
                }
            case .raw:
                d.link = .raw
                switch bytes.uint8(at: 0).map({ $0 >> 4 }) {
                case 4: try decodeIPv4(bytes, at: 0, into: &d)
                case 6: try decodeIPv6(bytes, at: 0, into: &d)
                case let v?: throw LayerStop(DecodeStop(layer: .ipv4, offset: 0, problem: .malformed(.wrongVersion(found: v, expected: 4))))
                case nil: throw LayerStop(DecodeStop(layer: .ipv4, offset: 0, problem: .missing(1, in: bytes)))
                }
            case .ipv4:
                d.link = .raw
                try decodeIPv4(bytes, at: 0, into: &d)
            case .ipv6:
                d.link = .raw
                try decodeIPv6(bytes, at: 0, into: &d)
            default:
                d.link = .unsupported(frame.linkType)
            }
        } catch {
            d.stop = error.stop
        }
    }

    // MARK: Link payloads

    private func decodeEtherType(_ type: EtherType, _ payload: ByteView, at offset: Int, into d: inout Dissection) throws(LayerStop) {
        let (tags, inner, rest) = try step(.vlan, at: offset) { () throws(DecodeProblem) in try VLANTags.decode(payload, type: type) }
        d.vlanTags = tags
        let at = offset + payload.count - rest.count
        switch inner {
        case .ipv4: try decodeIPv4(rest, at: at, into: &d)
        case .ipv6: try decodeIPv6(rest, at: at, into: &d)
        case .arp:
            let arp = try step(.arp, at: at) { () throws(DecodeProblem) in try ARPPacket.decode(rest) }
            d.network = .arp(arp)
            d.offsets.network = at
        default:
            if inner.rawValue <= 1500, !tags.isEmpty {
                // An 802.3 length under a VLAN tag.
                try decodeLLC(rest, declaredLength: Int(inner.rawValue), at: at, into: &d)
            } else {
                d.network = .other(inner, payload: rest)
                d.offsets.network = at
                d.offsets.payload = at
            }
        }
    }

    private func decodeCookedProtocol(_ proto: UInt16, _ payload: ByteView, at offset: Int, into d: inout Dissection) throws(LayerStop) {
        if proto == CookedProtocol.ieee8022LLC {
            try decodeLLC(payload, declaredLength: payload.wireCount, at: offset, into: &d)
        } else {
            try decodeEtherType(EtherType(rawValue: proto), payload, at: offset, into: &d)
        }
    }

    private func decodeLLC(_ payload: ByteView, declaredLength: Int, at offset: Int, into d: inout Dissection) throws(LayerStop) {
        guard declaredLength <= payload.wireCount else {
            throw LayerStop(DecodeStop(layer: .llc, offset: offset, problem: .malformed(
                .lengthBeyondPacket(field: .ieee8023Length, claimed: declaredLength, available: payload.wireCount))))
        }
        let body = payload.prefix(wireLength: declaredLength) ?? payload
        let (llc, rest) = try step(.llc, at: offset) { () throws(DecodeProblem) in try LLCHeader.decode(body) }
        let at = offset + body.count - rest.count
        if let type = llc.encapsulatedEtherType {
            try decodeEtherType(type, rest, at: at, into: &d)
        } else {
            d.network = .llc(llc, payload: rest)
            d.offsets.network = offset
            d.offsets.payload = at
        }
    }

    // MARK: IP

    private func decodeIPv4(_ packet: ByteView, at offset: Int, into d: inout Dissection) throws(LayerStop) {
        let (ip, payload) = try step(.ipv4, at: offset) { () throws(DecodeProblem) in try IPv4Header.decode(packet, checksum: checksums) }
        d.network = .ipv4(ip)
        d.offsets.network = offset
        let at = offset + ip.headerLength
        let pseudo = PseudoHeader.v4(source: ip.source, destination: ip.destination)
        guard ip.isFragment else {
            try decodeTransport(ip.protocol, payload, pseudoHeader: pseudo, at: at, into: &d)
            return
        }
        let key = IPFragmentReassembler.Key(source: .v4(ip.source), destination: .v4(ip.destination),
                                            identification: UInt32(ip.identification), protocolNumber: ip.protocol.rawValue)
        try reassemble(.init(key: key, offset: ip.fragmentOffset, moreFragments: ip.moreFragments, payload: payload, overlapIsFatal: false),
                       protocol: ip.protocol, pseudoHeader: pseudo, at: at, into: &d)
    }

    private func decodeIPv6(_ packet: ByteView, at offset: Int, into d: inout Dissection) throws(LayerStop) {
        let (ip, payload) = try step(.ipv6, at: offset) { () throws(DecodeProblem) in try IPv6Header.decode(packet) }
        d.network = .ipv6(ip)
        d.offsets.network = offset
        let at = offset + packet.count - payload.count
        let pseudo = PseudoHeader.v6(source: ip.source, destination: ip.destination)
        guard let fragment = ip.fragment else {
            try decodeTransport(ip.upperLayer, payload, pseudoHeader: pseudo, at: at, into: &d)
            return
        }
        let key = IPFragmentReassembler.Key(source: .v6(ip.source), destination: .v6(ip.destination),
                                            identification: fragment.identification, protocolNumber: 0)
        try reassemble(.init(key: key, offset: fragment.offset, moreFragments: fragment.moreFragments, payload: payload, overlapIsFatal: true),
                       protocol: fragment.nextHeader, pseudoHeader: pseudo, at: at, into: &d)
    }

    private func reassemble(_ fragment: IPFragmentReassembler.Fragment, protocol proto: IPProtocol, pseudoHeader: PseudoHeader,
                            at offset: Int, into d: inout Dissection) throws(LayerStop) {
        let outcome = reassembler.add(fragment, frame: d.frame.number, time: d.frame.timestamp)
        d.reassemblyNotice = reassembler.notice
        let length = fragment.payload.wireCount
        let id = fragment.key.identification
        switch outcome {
        case .held:
            d.fragment = .held(offset: fragment.offset, length: length, moreFragments: fragment.moreFragments, identification: id)
        case .dropped:
            d.fragment = .dropped(offset: fragment.offset, length: length, moreFragments: fragment.moreFragments, identification: id)
        case .completed(let datagram, let firstFrame, let fragments):
            d.fragment = .completed(firstFrame: firstFrame, fragments: fragments, length: datagram.count)
            // Offsets of the layers above now count from the datagram's payload
            // (in a stop), and the layers are not in this frame's bytes.
            defer {
                d.offsets.transport = nil
                d.offsets.payload = nil
            }
            try decodeTransport(proto, datagram, pseudoHeader: pseudoHeader, at: 0, into: &d)
        }
    }

    // MARK: Transport

    private func decodeTransport(_ proto: IPProtocol, _ payload: ByteView, pseudoHeader: PseudoHeader,
                                 at offset: Int, into d: inout Dissection) throws(LayerStop) {
        switch proto {
        case .udp:
            let (udp, data) = try step(.udp, at: offset) { () throws(DecodeProblem) in try UDPHeader.decode(payload, pseudoHeader: pseudoHeader, checksum: checksums) }
            d.transport = .udp(udp, payload: data)
            d.offsets.transport = offset
            d.offsets.payload = offset + UDPHeader.headerLength
        case .tcp:
            let (tcp, data) = try step(.tcp, at: offset) { () throws(DecodeProblem) in try TCPHeader.decode(payload) }
            d.transport = .tcp(tcp, payload: data)
            d.offsets.transport = offset
            d.offsets.payload = offset + tcp.headerLength
        case .icmp:
            let icmp = try step(.icmpv4, at: offset) { () throws(DecodeProblem) in try ICMPv4Message.decode(payload) }
            d.transport = .icmpv4(icmp)
            d.offsets.transport = offset
        case .icmpv6:
            let icmp = try step(.icmpv6, at: offset) { () throws(DecodeProblem) in try ICMPv6Message.decode(payload, pseudoHeader: pseudoHeader) }
            d.transport = .icmpv6(icmp)
            d.offsets.transport = offset
        default:
            d.transport = .other(proto, payload: payload)
            d.offsets.transport = offset
            d.offsets.payload = offset
        }
    }

    /// Runs one layer's decoder, turning its problem into a stop at `layer`.
    @inline(__always)
    private func step<T>(_ layer: ProtocolLayer, at offset: Int, _ body: () throws(DecodeProblem) -> T) throws(LayerStop) -> T {
        do {
            return try body()
        } catch {
            throw LayerStop(DecodeStop(layer: layer, offset: offset, problem: error))
        }
    }
}

/// Carries a `DecodeStop` out of the layer that broke.
struct LayerStop: Error {
    var stop: DecodeStop
    init(_ stop: DecodeStop) { self.stop = stop }
}
