/// Turns a ``Dissection`` into a ``PacketRecord``: the words and fields
/// `sosdump packets` prints, close to `tcpdump -n -e`.
extension PacketRecord {
    /// `sccp` is what an ``SCCPStreamTracker`` made of this frame (its
    /// messages and stream notes); a listing feeds one tracker every frame.
    public init(_ d: Dissection, interface: CaptureInterface?, sccp sccpEvents: [SCCPStreamEvent] = []) {
        let f = d.frame
        self.init(frame: f.number, time: f.timestamp.rfc3339, epoch: f.timestamp.epochText, interface: f.interfaceIndex,
                  interfaceName: interface?.name, linkType: f.linkType.description, capturedLength: f.capturedLength,
                  length: f.originalLength, summary: "")
        let comments = f.comments
        if !comments.isEmpty { self.comments = comments }
        var words: [String] = []
        var notes: [String] = []

        // Link
        switch d.link {
        case .none, .raw:
            break
        case .ethernet(let e):
            link = Link(kind: "ethernet", source: e.source.description, destination: e.destination.description)
            words.append("\(e.source) > \(e.destination)")
        case .linuxSLL(let h):
            link = Link(kind: "sll", source: h.source?.description, direction: h.packetType.description)
            words.append("\(h.packetType)" + (h.source.map { " \($0)" } ?? ""))
        case .linuxSLL2(let h):
            link = Link(kind: "sll2", source: h.source?.description, direction: h.packetType.description, interfaceIndex: h.interfaceIndex)
            words.append("ifindex \(h.interfaceIndex) \(h.packetType)" + (h.source.map { " \($0)" } ?? ""))
        case .loopback(let h):
            link = Link(kind: "loopback", addressFamily: h.family)
            words.append("AF \(h.family)")
        case .unsupported(let type):
            link = Link(kind: "unsupported")
            words.append("\(type), length \(f.originalLength)")
        }
        if !d.vlanTags.isEmpty {
            let tags = d.vlanTags.all
            vlan = tags.map { VLAN(tpid: $0.tpid.description, id: $0.id, priority: $0.priority) }
            words.append(contentsOf: tags.map { "vlan \($0.id)" + ($0.priority != 0 ? " p \($0.priority)" : "") })
        }
        if f.capturedLength < f.originalLength {
            words.append("length \(f.originalLength) (captured \(f.capturedLength))")
        } else if case .unsupported = d.link {
        } else {
            words.append("length \(f.originalLength)")
        }
        var line = words.joined(separator: ", ")

        // Network and transport, tcpdump style: "IP a.p > b.q: UDP, length n".
        var ports: (UInt16, UInt16)?
        switch d.transport {
        case .udp(let h, _): ports = (h.sourcePort, h.destinationPort)
        case .tcp(let h, _): ports = (h.sourcePort, h.destinationPort)
        default: break
        }
        func endpoint(_ address: String, _ port: UInt16?, v6: Bool) -> String {
            guard let port else { return address }
            return "\(address).\(port)"
        }
        var upper: String?
        switch d.network {
        case .none:
            break
        case .ipv4(let ip):
            network = Network(protocol: "IPv4", source: ip.source.description, destination: ip.destination.description,
                              ttl: ip.timeToLive, identification: UInt32(ip.identification), checksum: ip.checksumStatus.word)
            if case .invalid = ip.checksumStatus { notes.append("IPv4 header checksum \(ip.checksumStatus)") }
            upper = "IP \(endpoint(ip.source.description, ports?.0, v6: false)) > \(endpoint(ip.destination.description, ports?.1, v6: false))"
        case .ipv6(let ip):
            network = Network(protocol: "IPv6", source: ip.source.description, destination: ip.destination.description,
                              ttl: ip.hopLimit,
                              extensionHeaders: ip.extensionHeaders.isEmpty ? nil : ip.extensionHeaders.all.map(\.description))
            upper = "IP6 \(endpoint(ip.source.description, ports?.0, v6: true)) > \(endpoint(ip.destination.description, ports?.1, v6: true))"
            if !ip.extensionHeaders.isEmpty {
                upper! += " (" + ip.extensionHeaders.all.map(\.description).joined(separator: ", ") + ")"
            }
        case .arp(let arp):
            network = Network(protocol: "ARP", source: arp.senderIP?.description, destination: arp.targetIP?.description, arpOperation: arp.operation)
            upper = arp.summary
        case .llc(let llc, let payload):
            network = Network(protocol: "LLC")
            if let result = d.cdp {
                let (words, record, cdpNotes, cdpStop) = Self.cdp(result, length: payload.wireCount)
                upper = words
                cdp = record
                notes += cdpNotes
                if d.stop == nil { stop = cdpStop }
            } else if let snap = llc.snap {
                upper = "LLC/SNAP oui 0x\(String(snap.oui, radix: 16)) pid 0x\(hex4(snap.protocolID))"
            } else {
                upper = "LLC dsap 0x\(hex2(llc.dsap)) ssap 0x\(hex2(llc.ssap)) ctrl 0x\(String(llc.control, radix: 16))"
            }
        case .other(let type, let payload):
            network = Network(protocol: type.description)
            upper = type.description
            if let result = d.lldp {
                let (words, record, lldpStop) = Self.lldp(result, length: payload.wireCount)
                upper = words
                lldp = record
                if d.stop == nil { stop = lldpStop }
            }
        }

        var detail: String?
        switch d.transport {
        case .none:
            break
        case .udp(let h, let payload):
            transport = Transport(protocol: "UDP", sourcePort: h.sourcePort, destinationPort: h.destinationPort,
                                  length: payload.wireCount, checksum: h.checksumStatus.word)
            if case .invalid = h.checksumStatus { notes.append("UDP checksum \(h.checksumStatus)") }
            detail = "UDP, length \(payload.wireCount)"
            if let result = d.dhcp {
                let (text, record, dhcpStop) = Self.dhcp(result, length: payload.wireCount)
                detail = text
                dhcp = record
                notes += record?.problems?.map { "DHCP \($0)" } ?? []
                if d.stop == nil, let dhcpStop { stop = dhcpStop }
            } else if h.sourcePort == TFTPPacket.port || h.destinationPort == TFTPPacket.port,
                      let packet = try? TFTPPacket.decode(payload) {
                // Like tcpdump, only what port 69 shows is named TFTP here;
                // `sosdump transfers` follows the rest of each transfer.
                detail = "TFTP, length \(payload.wireCount), \(packet.summary)"
            } else if let result = d.sip, case (let words?, let record) = Self.sip(result) {
                detail = "SIP, length \(payload.wireCount): \(words)"
                sip = record
            }
        case .tcp(let h, let payload):
            transport = Transport(protocol: "TCP", sourcePort: h.sourcePort, destinationPort: h.destinationPort, length: payload.wireCount)
            detail = "Flags [\(h.flagLetters)], seq \(h.sequenceNumber), length \(payload.wireCount)"
            let (sccpWords, sccpRecords, sccpNotes) = Self.sccp(sccpEvents, frame: f.number)
            if let sccpWords { detail! += ": " + sccpWords }
            if !sccpRecords.isEmpty { sccp = sccpRecords }
            notes += sccpNotes
            if let result = d.sip, case (let words?, let record) = Self.sip(result) {
                detail! += ": SIP " + words
                sip = record
            }
        case .icmpv4(let m):
            transport = Transport(protocol: "ICMP", checksum: m.checksumStatus.word, icmpType: m.type, icmpCode: m.code,
                                  quoted: m.quoted.map(Quoted.init))
            if case .invalid = m.checksumStatus { notes.append("ICMP checksum \(m.checksumStatus)") }
            detail = "ICMP \(m.summary)"
        case .icmpv6(let m):
            transport = Transport(protocol: "ICMPv6", checksum: m.checksumStatus.word, icmpType: m.type, icmpCode: m.code,
                                  quoted: m.quoted.map(Quoted.init))
            if case .invalid = m.checksumStatus { notes.append("ICMPv6 checksum \(m.checksumStatus)") }
            detail = "ICMP6, \(m.summary)"
        case .other(let proto, let payload):
            transport = Transport(protocol: proto.description, length: payload.wireCount)
            detail = "\(proto) length \(payload.wireCount)"
        }

        if let (text, record, sosNotes) = Self.sosRecovery(d) {
            if let text { detail = text }
            sos = record
            notes += sosNotes
        }

        switch d.fragment {
        case nil:
            break
        case .held(let offset, let length, let more, let id), .dropped(let offset, let length, let more, let id):
            let state = if case .held = d.fragment { "held" } else { "dropped" }
            fragment = Fragment(state: state, offset: offset, length: length, moreFragments: more)
            detail = "fragment id \(id), offset \(offset), length \(length)" + (more ? ", more fragments" : ", last")
        case .completed(let first, let count, let length):
            fragment = Fragment(state: "completed", length: length, firstFrame: first, fragments: count)
            detail = (detail.map { $0 + " " } ?? "") + "(reassembled from \(count) fragments, first in frame \(first))"
        }
        if let notice = d.reassemblyNotice { notes.append(notice.description) }

        if let upper {
            line += (line.isEmpty ? "" : ", ") + upper + (detail.map { ": " + $0 } ?? "")
        }
        if let s = d.stop {
            stop = Stop(layer: s.layer.rawValue, kind: s.isTruncation ? "truncated" : "malformed", detail: s.description)
            line += " [\(s)]"
        } else if let stop {
            line += " [\(stop.detail)]"
        }
        for note in notes { line += " [\(note)]" }
        self.notes = notes.isEmpty ? nil : notes
        summary = line
    }
}

extension PacketRecord.Quoted {
    init(_ q: QuotedDatagram) {
        self.init(source: q.source.description, destination: q.destination.description, protocol: q.protocol.description,
                  sourcePort: q.sourcePort, destinationPort: q.destinationPort)
    }
}

extension PacketRecord {
    /// tcpdump's BOOTP/DHCP line (`BOOTP/DHCP, Request from MAC, length N`)
    /// with what `tcpdump -v` adds (hops, xid) and the message type; the
    /// JSON object; and where decoding stopped, if it did.
    static func dhcp(_ result: Result<DHCPMessage, DecodeProblem>, length: Int) -> (String, DHCP?, Stop?) {
        let m: DHCPMessage
        switch result {
        case .failure(let problem):
            let stop = DecodeStop(layer: .dhcp, offset: 0, problem: problem)
            return ("BOOTP/DHCP, length \(length)", nil, Stop(layer: ProtocolLayer.dhcp.rawValue, kind: stop.isTruncation ? "truncated" : "malformed",
                                                              detail: stop.description))
        case .success(let message):
            m = message
        }
        var text = "BOOTP/DHCP, \(m.operation)"
        if m.operation == .request, let mac = m.clientMAC { text += " from \(mac)" }
        text += ", length \(length)"
        if m.hops != 0 { text += ", hops \(m.hops)" }
        let xid = "0x" + String(m.transactionID, radix: 16)
        text += ", xid \(xid)"
        if let type = m.messageType { text += ", \(type)" }

        func nonzero(_ a: IPv4Address) -> String? { a == .any ? nil : a.description }
        let options = m.options.map { o in
            Option(code: o.code.rawValue, name: o.code.name, length: o.data.count, value: o.valueText,
                   instances: o.instances.count > 1 ? o.instances.count : nil,
                   area: o.instances.first.flatMap { $0.area == .options ? nil : $0.area.rawValue })
        }
        let client: String? = m.isSOSRecoveryProgram ? "sos-recovery-program" : nil
        let problems = m.problems.map(\.description)
        let record = DHCP(op: m.operation.description, messageType: m.messageType.map { $0.name ?? "type \($0.rawValue)" },
                          transactionID: xid, hops: m.hops, broadcast: m.isBroadcast, clientMAC: m.clientMAC?.description,
                          clientAddress: nonzero(m.clientAddress), yourAddress: nonzero(m.yourAddress),
                          nextServer: nonzero(m.nextServerAddress), relayAgent: nonzero(m.relayAgentAddress),
                          sname: m.sname, file: m.file, vendorClass: m.vendorClass, client: client, options: options,
                          problems: problems.isEmpty ? nil : problems)
        let stop = m.stop.map { Stop(layer: ProtocolLayer.dhcp.rawValue, kind: $0.isTruncation ? "truncated" : "malformed", detail: $0.description) }
        return (text, record, stop)
    }
}
