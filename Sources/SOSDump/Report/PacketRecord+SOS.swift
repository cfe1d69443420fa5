/// The S.O.S. recovery message of a frame, for `sosdump packets`: its line,
/// its JSON object, and the rules it breaks as notes.
extension PacketRecord {
    /// An S.O.S. message in the JSON of `packets --format json`.
    public struct SOS: Codable, Equatable, Sendable {
        /// request, reply, upgrade, upgrade-echo or unknown.
        public var kind: String
        public var opcode: UInt8
        /// UDP payload bytes on the wire.
        public var length: Int
        public var serial: String?
        public var product: String?
        public var mac: String?
        public var softwareVersion: String?
        public var hardwareVersion: String?
        public var phoneAddress: String?
        public var upgradePort: UInt16?
        public var fileName: String?
        /// The rules of the phone's recovery program this message breaks,
        /// judged from this frame alone (the serial rule needs the phone's
        /// serial and is left to the analysis).
        public var rulesBroken: [SOSRule]?
    }

    public struct SOSRule: Codable, Equatable, Sendable {
        /// A short stable name: `length`, `source-port`, `broadcast` …
        public var code: String
        /// Whether the phone drops the message for it.
        public var drops: Bool
        public var detail: String
    }

    /// The text that replaces `UDP, length N`, the JSON object and the
    /// notes for a UDP frame that carries an S.O.S. message (or is sent
    /// over IPv4 to the phone's port 4810 without being one); nil for other
    /// frames.
    static func sosRecovery(_ d: Dissection) -> (String?, SOS?, [String])? {
        guard let result = d.sosRecovery, let (udp, payload) = d.udp else { return nil }
        let m: SOSMessage
        switch result {
        case .success(let message):
            m = message
        case .failure(let problem):
            // Only an IPv4 datagram to the phone's port is worth a word: the phone drops it.
            guard udp.destinationPort == SOSRecovery.phonePort, case .ipv4 = d.network else { return nil }
            let why: String
            switch problem {
            case .truncated: return nil
            case .malformed(.invalidField(field: .sosMagic, _)): why = "no RECM at offset 4"
            case .malformed: why = "only \(payload.wireCount) bytes"
            }
            var note = "to port 4810 but not an S.O.S. message (\(why)): the 7.6.2f recovery program drops it"
            if let name = SOSRecovery.firmwareFileName(in: payload) {
                note += "; it names \(name.name) as text, as an older loader's upgrade order might"
            }
            return (nil, nil, [note])
        }

        var words = "S.O.S. \(m.kind) (op \(m.opcode))"
        switch m.kind {
        case .reply:
            let parts: [String?] = [m.product?.description, m.mac?.description, m.softwareVersion?.description,
                                    m.hardwareVersion.map { "hw \($0)" }, m.phoneAddress.map { "ip \($0)" }]
            let present = parts.compactMap { $0 }
            if !present.isEmpty { words += " " + present.joined(separator: " ") }
        case .upgrade, .upgradeEcho:
            if let name = m.fileName { words += " \(name)" }
            if let port = m.upgradePort { words += " port \(port)" }
        case .request, .unknown:
            break
        }
        if let serial = m.serial { words += ", serial \(serial)" }
        words += ", length \(m.length)"

        let broken = SOSDelivery(d).map { m.ruleViolations(delivery: $0) } ?? []
        let record = SOS(kind: m.kind.rawValue, opcode: m.opcode, length: m.length, serial: m.serial?.description,
                         product: m.product?.description, mac: m.mac?.description,
                         softwareVersion: m.softwareVersion?.description, hardwareVersion: m.hardwareVersion?.description,
                         phoneAddress: m.phoneAddress?.description, upgradePort: m.upgradePort, fileName: m.fileName?.description,
                         rulesBroken: broken.isEmpty ? nil : broken.map { SOSRule(code: $0.code, drops: $0.dropsMessage, detail: $0.description) })
        return (words, record, broken.map { "S.O.S. \($0)" })
    }
}
