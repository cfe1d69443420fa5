/// Link Layer Discovery Protocol (IEEE 802.1AB-2016) with the LLDP-MED
/// extensions for IP phones (ANSI/TIA-1057): EtherType 0x88CC
/// (`NetworkLayer.other`), usually to 01:80:c2:00:00:0e.
///
/// ```
///  0                   1
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | type (7)    |  length (9)     |  value (length bytes) ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// An LLDPDU is Chassis ID (1), Port ID (2), TTL (3), then optional TLVs,
/// and End (0). Organisationally specific TLVs (127) start with an OUI and
/// a subtype: 00-80-C2 (IEEE 802.1: port VLAN id), 00-12-BB (LLDP-MED:
/// capabilities, network policy, power, inventory). A phone's voice VLAN
/// comes in a MED network policy of application type 1 (voice); its
/// firmware revision in the MED inventory (subtype 6).
///
/// LLDP is rare on the wire, so a decoded LLDPDU owns its values.
public enum LLDP {
    public static let etherType = EtherType.lldp
    /// The nearest-bridge group address.
    public static let multicast = MACAddress(rawValue: 0x0180_C200_000E)
    public static let ieee8021OUI: UInt32 = 0x0080C2
    public static let ieee8023OUI: UInt32 = 0x00120F
    public static let medOUI: UInt32 = 0x0012BB
}

/// An LLDP TLV type (7 bits); the known ones named, others kept.
public struct LLDPTLVType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let end = LLDPTLVType(rawValue: 0)
    public static let chassisID = LLDPTLVType(rawValue: 1)
    public static let portID = LLDPTLVType(rawValue: 2)
    public static let timeToLive = LLDPTLVType(rawValue: 3)
    public static let portDescription = LLDPTLVType(rawValue: 4)
    public static let systemName = LLDPTLVType(rawValue: 5)
    public static let systemDescription = LLDPTLVType(rawValue: 6)
    public static let systemCapabilities = LLDPTLVType(rawValue: 7)
    public static let managementAddress = LLDPTLVType(rawValue: 8)
    public static let organizationSpecific = LLDPTLVType(rawValue: 127)

    public var name: String? {
        switch rawValue {
        case 0: "End"
        case 1: "Chassis ID"
        case 2: "Port ID"
        case 3: "Time To Live"
        case 4: "Port Description"
        case 5: "System Name"
        case 6: "System Description"
        case 7: "System Capabilities"
        case 8: "Management Address"
        case 127: "Organization Specific"
        default: nil
        }
    }

    public var description: String { name ?? "TLV \(rawValue)" }
}

/// One TLV as sent.
public struct LLDPTLV: Sendable, Equatable {
    public var type: LLDPTLVType
    /// Offset of its 2-byte header in the LLDPDU.
    public var offset: Int
    public var data: [UInt8]

    public init(type: LLDPTLVType, offset: Int = 0, data: [UInt8]) {
        self.type = type
        self.offset = offset
        self.data = data
    }

    /// For type 127: the OUI and subtype, and the bytes after them.
    public var organizationSpecific: (oui: UInt32, subtype: UInt8, data: [UInt8])? {
        guard type == .organizationSpecific else { return nil }
        return read { v in
            guard let head = v.uint32(at: 0), let rest = v.dropFirst(4) else { return nil }
            return (head >> 8, UInt8(truncatingIfNeeded: head), Array(rest))
        }
    }

    /// Reads the value through the checked reader.
    func read<T>(_ body: (ByteView) -> T?) -> T? { data.withUnsafeBytes { body(ByteView($0)) } }
}

/// Chassis and port ids: a subtype and bytes, read as a MAC address, a
/// network address or text when the subtype says so.
public struct LLDPIdentifier: Sendable, Equatable, CustomStringConvertible {
    public var subtype: UInt8
    public var data: [UInt8]

    public init(subtype: UInt8, data: [UInt8]) {
        self.subtype = subtype
        self.data = data
    }

    /// Chassis subtype 4 and port subtype 3 are MAC addresses.
    public func mac(isChassis: Bool) -> MACAddress? {
        guard subtype == (isChassis ? 4 : 3), data.count == 6 else { return nil }
        return data.withUnsafeBytes { MACAddress(ByteView($0), at: 0) }
    }

    public var description: String {
        if data.count == 6, subtype == 3 || subtype == 4 {
            return data.withUnsafeBytes { MACAddress(ByteView($0), at: 0)?.description } ?? ""
        }
        if data.allSatisfy({ (0x20...0x7E).contains($0) }) { return String(decoding: data, as: UTF8.self) }
        return data.map(hex2).joined()
    }
}

/// System capabilities (TLV 7; IEEE 802.1AB §8.5.8).
public struct LLDPCapabilities: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let other = LLDPCapabilities(rawValue: 0x01)
    public static let repeater = LLDPCapabilities(rawValue: 0x02)
    public static let bridge = LLDPCapabilities(rawValue: 0x04)
    public static let wlanAccessPoint = LLDPCapabilities(rawValue: 0x08)
    public static let router = LLDPCapabilities(rawValue: 0x10)
    public static let telephone = LLDPCapabilities(rawValue: 0x20)
    public static let docsis = LLDPCapabilities(rawValue: 0x40)
    public static let stationOnly = LLDPCapabilities(rawValue: 0x80)

    static let names: [(LLDPCapabilities, String)] = [
        (.other, "other"), (.repeater, "repeater"), (.bridge, "bridge"), (.wlanAccessPoint, "wlan-ap"),
        (.router, "router"), (.telephone, "telephone"), (.docsis, "docsis"), (.stationOnly, "station"),
    ]

    public var description: String {
        let words = Self.names.filter { contains($0.0) }.map(\.1)
        let rest = rawValue & ~Self.names.reduce(0) { $0 | $1.0.rawValue }
        return (words + (rest != 0 ? ["0x" + String(rest, radix: 16)] : [])).joined(separator: " ")
    }
}

/// LLDP-MED network policy (TIA-1057 §10.2.3): an application, its VLAN,
/// priority and DSCP. Application 1 is voice: the voice VLAN.
///
/// ```
/// | app type (8) | U | T | X | VLAN id (12) | L2 prio (3) | DSCP (6) |
/// ```
public struct LLDPNetworkPolicy: Sendable, Equatable {
    public var applicationType: UInt8
    /// The policy is not known (U): the VLAN is not to be used.
    public var unknown: Bool
    /// The VLAN is tagged (T); untagged means the native VLAN.
    public var tagged: Bool
    public var vlan: UInt16
    public var priority: UInt8
    public var dscp: UInt8

    public init(applicationType: UInt8 = 1, unknown: Bool = false, tagged: Bool = true, vlan: UInt16, priority: UInt8 = 5, dscp: UInt8 = 46) {
        self.applicationType = applicationType
        self.unknown = unknown
        self.tagged = tagged
        self.vlan = vlan
        self.priority = priority
        self.dscp = dscp
    }

    public static let voice: UInt8 = 1
    public static let voiceSignaling: UInt8 = 2

    public var isVoice: Bool { applicationType == Self.voice }

    init?(_ v: ByteView) {
        guard v.count == 4, let app = v.uint8(at: 0), let rest = v.uint32(at: 0) else { return nil }
        applicationType = app
        unknown = rest & 0x0080_0000 != 0
        tagged = rest & 0x0040_0000 != 0
        vlan = UInt16(truncatingIfNeeded: rest >> 9) & 0x0FFF
        priority = UInt8(truncatingIfNeeded: rest >> 6) & 0x07
        dscp = UInt8(truncatingIfNeeded: rest) & 0x3F
    }

    var bytes: [UInt8] {
        var v = UInt32(applicationType) << 24
        if unknown { v |= 0x0080_0000 }
        if tagged { v |= 0x0040_0000 }
        v |= UInt32(vlan & 0x0FFF) << 9 | UInt32(priority & 0x07) << 6 | UInt32(dscp & 0x3F)
        var w = WireWriter()
        w.u32(v)
        return w.bytes
    }
}

/// LLDP-MED inventory (TIA-1057 §10.2.6, subtypes 5–11): text fields.
public enum LLDPMEDInventory: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case hardwareRevision = 5
    case firmwareRevision = 6
    case softwareRevision = 7
    case serialNumber = 8
    case manufacturer = 9
    case model = 10
    case assetID = 11

    public var description: String {
        switch self {
        case .hardwareRevision: "hardware revision"
        case .firmwareRevision: "firmware revision"
        case .softwareRevision: "software revision"
        case .serialNumber: "serial number"
        case .manufacturer: "manufacturer"
        case .model: "model"
        case .assetID: "asset id"
        }
    }
}

/// An LLDPDU: every TLV the capture kept, read on demand.
public struct LLDPPacket: Sendable, Equatable {
    /// Every TLV in order, End excluded.
    public var tlvs: [LLDPTLV]
    /// An End TLV closed the LLDPDU.
    public var ended: Bool
    /// Set when decoding stopped before the end (offset in the LLDPDU).
    public var stop: DecodeStop?

    /// Decodes the bytes after the EtherType. Throws only when there is no
    /// first TLV header; past it damage sets ``stop``. A missing Chassis
    /// ID, Port ID or TTL is not a stop: the accessors are nil.
    public static func decode(_ pdu: ByteView) throws(DecodeProblem) -> LLDPPacket {
        guard pdu.uint16(at: 0) != nil else { throw .missing(2, in: pdu) }
        var packet = LLDPPacket(tlvs: [], ended: false, stop: nil)
        var o = 0
        while o < pdu.wireCount {
            guard let header = pdu.uint16(at: o) else {
                packet.stop = DecodeStop(layer: .lldp, offset: o, problem: .missing(o + 2, in: pdu))
                break
            }
            let type = UInt8(header >> 9)
            let length = Int(header & 0x01FF)
            if type == 0 {
                packet.ended = true
                break
            }
            guard o + 2 + length <= pdu.wireCount else {
                packet.stop = DecodeStop(layer: .lldp, offset: o, problem: .malformed(
                    .lengthBeyondPacket(field: .lldpTLVLength, claimed: length, available: pdu.wireCount - o - 2)))
                break
            }
            guard let value = pdu.slice(at: o + 2, length: length) else {
                packet.stop = DecodeStop(layer: .lldp, offset: o, problem: .truncated(needed: o + 2 + length, captured: pdu.count))
                break
            }
            packet.tlvs.append(LLDPTLV(type: LLDPTLVType(rawValue: type), offset: o, data: Array(value)))
            o += 2 + length
        }
        return packet
    }
}

// MARK: - What an LLDPDU says

extension LLDPPacket {
    public func tlv(_ type: LLDPTLVType) -> LLDPTLV? { tlvs.first { $0.type == type } }

    private func identifier(_ type: LLDPTLVType) -> LLDPIdentifier? {
        guard let t = tlv(type), let subtype = t.data.first else { return nil }
        return LLDPIdentifier(subtype: subtype, data: Array(t.data.dropFirst()))
    }

    private func text(_ type: LLDPTLVType) -> String? { tlv(type).map { String(decoding: $0.data, as: UTF8.self) } }

    public var chassisID: LLDPIdentifier? { identifier(.chassisID) }
    public var portID: LLDPIdentifier? { identifier(.portID) }

    public var timeToLive: UInt16? {
        tlv(.timeToLive)?.read { $0.count == 2 ? $0.uint16(at: 0) : nil }
    }

    public var portDescription: String? { text(.portDescription) }
    public var systemName: String? { text(.systemName) }
    public var systemDescription: String? { text(.systemDescription) }

    /// What the system can do and what it has enabled.
    public var capabilities: (system: LLDPCapabilities, enabled: LLDPCapabilities)? {
        tlv(.systemCapabilities)?.read { v in
            guard v.count == 4, let system = v.uint16(at: 0), let enabled = v.uint16(at: 2) else { return nil }
            return (LLDPCapabilities(rawValue: system), LLDPCapabilities(rawValue: enabled))
        }
    }

    /// Management addresses that are IPv4 (subtype 1).
    public var managementIPv4: [IPv4Address] {
        tlvs.filter { $0.type == .managementAddress }.compactMap { t in
            // address string length (1), subtype (1), address ...
            t.read { v in v.uint8(at: 0) == 5 && v.uint8(at: 1) == 1 ? IPv4Address(v, at: 2) : nil }
        }
    }

    /// The organisationally specific TLVs of one OUI and subtype.
    public func organizationSpecific(_ oui: UInt32, subtype: UInt8) -> [[UInt8]] {
        tlvs.compactMap { t in
            guard let o = t.organizationSpecific, o.oui == oui, o.subtype == subtype else { return nil }
            return o.data
        }
    }

    /// IEEE 802.1 port VLAN id (subtype 1).
    public var portVLAN: UInt16? {
        organizationSpecific(LLDP.ieee8021OUI, subtype: 1).first?.withUnsafeBytes { raw in
            let v = ByteView(raw)
            return v.count == 2 ? v.uint16(at: 0) : nil
        }
    }

    /// LLDP-MED capabilities (subtype 1): the capability bits and the
    /// device class (3 for an endpoint such as a phone, 4 for a network
    /// connectivity device such as a switch).
    public var medCapabilities: (capabilities: UInt16, deviceClass: UInt8)? {
        organizationSpecific(LLDP.medOUI, subtype: 1).first?.withUnsafeBytes { raw in
            let v = ByteView(raw)
            guard v.count == 3, let bits = v.uint16(at: 0), let deviceClass = v.uint8(at: 2) else { return nil }
            return (bits, deviceClass)
        }
    }

    /// LLDP-MED network policies (subtype 2), in order.
    public var networkPolicies: [LLDPNetworkPolicy] {
        organizationSpecific(LLDP.medOUI, subtype: 2).compactMap { d in d.withUnsafeBytes { LLDPNetworkPolicy(ByteView($0)) } }
    }

    /// The voice VLAN of the first known, tagged voice policy.
    public var voiceVLAN: UInt16? {
        networkPolicies.first { $0.isVoice && !$0.unknown }.map(\.vlan)
    }

    /// An LLDP-MED inventory field as text.
    public func inventory(_ field: LLDPMEDInventory) -> String? {
        organizationSpecific(LLDP.medOUI, subtype: field.rawValue).first.map { String(decoding: $0, as: UTF8.self) }
    }

    /// A phone's running load, from the MED inventory.
    public var firmwareRevision: String? { inventory(.firmwareRevision) }
}

// MARK: - Encoders

extension LLDPTLV {
    public static func chassisMAC(_ mac: MACAddress) -> LLDPTLV { LLDPTLV(type: .chassisID, data: [4] + mac.octets) }
    /// Port id by interface name (subtype 5) or, from a phone, its MAC (3).
    public static func portName(_ name: String) -> LLDPTLV { LLDPTLV(type: .portID, data: [5] + Array(name.utf8)) }
    public static func portMAC(_ mac: MACAddress) -> LLDPTLV { LLDPTLV(type: .portID, data: [3] + mac.octets) }
    public static func timeToLive(_ s: UInt16) -> LLDPTLV { LLDPTLV(type: .timeToLive, data: [UInt8(s >> 8), UInt8(truncatingIfNeeded: s)]) }
    public static func text(_ type: LLDPTLVType, _ text: String) -> LLDPTLV { LLDPTLV(type: type, data: Array(text.utf8)) }

    public static func capabilities(system: LLDPCapabilities, enabled: LLDPCapabilities) -> LLDPTLV {
        var w = WireWriter()
        w.u16(system.rawValue)
        w.u16(enabled.rawValue)
        return LLDPTLV(type: .systemCapabilities, data: w.bytes)
    }

    public static func managementAddress(_ a: IPv4Address) -> LLDPTLV {
        var w = WireWriter()
        w.u8(5)
        w.u8(1)
        w.u32(a.rawValue)
        w.u8(2)  // interface numbering: ifIndex
        w.u32(0)
        w.u8(0)  // no OID
        return LLDPTLV(type: .managementAddress, data: w.bytes)
    }

    public static func organizationSpecific(_ oui: UInt32, subtype: UInt8, _ data: [UInt8]) -> LLDPTLV {
        LLDPTLV(type: .organizationSpecific, data: [UInt8(oui >> 16), UInt8(truncatingIfNeeded: oui >> 8), UInt8(truncatingIfNeeded: oui), subtype] + data)
    }

    public static func portVLAN(_ vlan: UInt16) -> LLDPTLV {
        organizationSpecific(LLDP.ieee8021OUI, subtype: 1, [UInt8(vlan >> 8), UInt8(truncatingIfNeeded: vlan)])
    }

    public static func medCapabilities(_ bits: UInt16 = 0x0033, deviceClass: UInt8) -> LLDPTLV {
        organizationSpecific(LLDP.medOUI, subtype: 1, [UInt8(bits >> 8), UInt8(truncatingIfNeeded: bits), deviceClass])
    }

    public static func networkPolicy(_ p: LLDPNetworkPolicy) -> LLDPTLV { organizationSpecific(LLDP.medOUI, subtype: 2, p.bytes) }

    public static func inventory(_ field: LLDPMEDInventory, _ text: String) -> LLDPTLV {
        organizationSpecific(LLDP.medOUI, subtype: field.rawValue, Array(text.utf8))
    }
}

extension LLDP {
    /// An LLDPDU: the TLVs in order (lengths over 511 bytes are cut), then End.
    public static func encode(_ tlvs: [LLDPTLV]) -> [UInt8] {
        var w = WireWriter()
        for t in tlvs {
            let data = t.data.prefix(0x01FF)
            w.u16(UInt16(t.type.rawValue & 0x7F) << 9 | UInt16(data.count))
            w.append(data)
        }
        w.u16(0)
        return w.bytes
    }

    /// The frame: Ethernet II to 01:80:c2:00:00:0e, EtherType 0x88CC,
    /// zero-padded to 60 bytes.
    public static func frame(source: MACAddress, pdu: [UInt8]) -> [UInt8] {
        var w = WireWriter()
        w.append(multicast.octets)
        w.append(source.octets)
        w.u16(etherType.rawValue)
        w.append(pdu)
        while w.count < 60 { w.u8(0) }
        return w.bytes
    }
}

// MARK: - From a dissection

extension Dissection {
    /// The frame's LLDPDU (EtherType 0x88CC), decoded; nil for any other frame.
    public var lldp: Result<LLDPPacket, DecodeProblem>? {
        guard case .other(let type, let payload) = network, type == LLDP.etherType else { return nil }
        do throws(DecodeProblem) {
            return .success(try LLDPPacket.decode(payload))
        } catch {
            return .failure(error)
        }
    }
}
